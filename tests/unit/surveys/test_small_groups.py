"""The small-number rule: no count or summary singles out one school."""

from __future__ import annotations

import pytest

from learning import report_rules
from surveys.small_groups import FEWER_THAN, SMALL_NUMBER, is_small_group, shown, suppress


@pytest.mark.parametrize(("count", "expected"), [(0, 0), (1, FEWER_THAN), (4, FEWER_THAN), (5, 5)])
def test_counts_from_one_to_four_are_suppressed(count, expected):
    assert suppress(count) == expected
    assert shown(count, has_school=True) == expected


def test_counts_over_agencies_alone_are_shown_in_full():
    assert [shown(n, has_school=False) for n in range(6)] == [0, 1, 2, 3, 4, 5]


def test_a_group_with_a_school_is_small_under_the_threshold():
    assert is_small_group(SMALL_NUMBER - 1, has_school=True)
    assert not is_small_group(SMALL_NUMBER, has_school=True)
    assert not is_small_group(1, has_school=False)


def test_every_report_uses_the_same_threshold():
    assert report_rules.SMALL_NUMBER == SMALL_NUMBER == 5
    assert report_rules.suppress is suppress
