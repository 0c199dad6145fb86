"""A report's period: the reporting year runs April to March, the last complete one by default."""

from __future__ import annotations

from datetime import date

import pytest

from learning.period import Period, last_complete_year, reporting_year
from learning.stream_themes import cosine


@pytest.mark.parametrize(
    ("today", "start_year"),
    [
        (date(2026, 12, 3), 2025),  # 2025-26 ended on 31 March 2026
        (date(2026, 4, 1), 2025),
        (date(2026, 3, 31), 2024),  # 2025-26 ends today: not yet complete
        (date(2026, 1, 1), 2024),
    ],
)
def test_the_last_complete_reporting_year(today, start_year):
    assert last_complete_year(today) == start_year


def test_a_reporting_year_is_april_to_march_both_days_included():
    year = reporting_year(2025)
    assert year == Period(date(2025, 4, 1), date(2026, 3, 31))
    assert year.ends_before.date() == date(2026, 4, 1)


def test_cosine_of_centroids_is_zero_when_they_cannot_be_compared():
    assert cosine([1.0, 0.0], [1.0, 0.0]) == pytest.approx(1.0)
    assert cosine([1.0, 0.0], [0.0, 1.0]) == 0.0
    assert cosine([], []) == 0.0
    assert cosine([1.0, 0.0], [1.0, 0.0, 0.0]) == 0.0  # another model's centroid
