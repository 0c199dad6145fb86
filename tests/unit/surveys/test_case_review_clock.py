"""The statutory clocks count England's working days: weekends and bank holidays are skipped."""

from __future__ import annotations

from datetime import date

import pytest

from surveys.case_reviews.clock import (
    add_months,
    add_working_days,
    is_working_day,
    working_days_between,
)
from surveys.case_reviews.deadlines import Clock, Flag, ReviewDates, deadlines_of, next_due


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 24), True),  # Christmas Eve is worked
        (date(2026, 12, 25), False),  # Christmas Day (a Friday)
        (date(2026, 12, 28), False),  # Boxing Day fell on a Saturday: Monday is its substitute
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday (England, not Scotland's rule)
        (date(2026, 8, 31), False),  # Summer bank holiday, England's date
        (date(2026, 8, 3), True),  # Scotland's summer bank holiday is worked in England
        (date(2026, 6, 6), False),  # a Saturday
    ],
)
def test_working_days_follow_englands_bank_holidays(day, expected):
    assert is_working_day(day) is expected


def test_five_working_days_over_an_ordinary_weekend():
    # Aware on Wednesday 10 June 2026: Thu, Fri, Mon, Tue, Wed.
    assert add_working_days(date(2026, 6, 10), 5) == date(2026, 6, 17)


def test_five_working_days_over_easter():
    # Aware on Thursday 2 April 2026: Good Friday and Easter Monday are not counted.
    assert add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)


def test_fifteen_working_days_over_christmas_and_the_new_year():
    # Aware on Monday 14 December 2026. Working days: 15-18 (4), 21-24 (8), 29-31 (11),
    # then 4-7 January 2027 (15): 25 and 28 December and 1 January are bank holidays.
    assert add_working_days(date(2026, 12, 14), 15) == date(2027, 1, 7)


def test_five_working_days_across_the_year_boundary():
    # Aware on Wednesday 30 December 2026: 31 Dec, then 4, 5, 6, 7 January 2027.
    assert add_working_days(date(2026, 12, 30), 5) == date(2027, 1, 7)


def test_christmas_at_a_weekend_moves_both_substitute_days():
    # 25 and 26 December 2027 are a Saturday and Sunday: Monday 27 and Tuesday 28 are off.
    assert not is_working_day(date(2027, 12, 27))
    assert not is_working_day(date(2027, 12, 28))
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


def test_counting_between_two_days_is_the_inverse_of_adding():
    start = date(2026, 12, 14)
    for days in range(0, 30):
        assert working_days_between(start, add_working_days(start, days)) == days
    assert working_days_between(start, start) == 0
    assert working_days_between(start, date(2026, 12, 1)) == 0


def test_six_calendar_months_keep_the_day_or_take_the_months_last():
    assert add_months(date(2026, 3, 15), 6) == date(2026, 9, 15)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 10, 1), 6) == date(2027, 4, 1)  # over the year boundary


def test_a_reviews_clocks_are_due_in_working_days_and_six_months():
    dates = ReviewDates(became_aware_on=date(2026, 12, 14))
    notify, rapid = deadlines_of(dates)
    assert (notify.clock, notify.due_on) == (Clock.NOTIFY_PANEL, date(2026, 12, 21))
    assert (rapid.clock, rapid.due_on) == (Clock.RAPID_REVIEW, date(2027, 1, 7))
    decided = ReviewDates(
        became_aware_on=date(2026, 12, 14), decided_on=date(2027, 1, 6), needs_local_review=True
    )
    publish = deadlines_of(decided)[2]
    assert (publish.clock, publish.due_on, publish.in_working_days) == (
        Clock.PUBLISH,
        date(2027, 7, 6),
        False,
    )


def test_flags_at_half_four_fifths_and_past_due_counted_in_working_days():
    rapid = deadlines_of(ReviewDates(became_aware_on=date(2026, 12, 14)))[1]  # due 7 Jan 2027
    assert rapid.flags(date(2026, 12, 21)) == []  # 5 of 15 working days
    assert rapid.flags(date(2026, 12, 24)) == [Flag.HALF]  # 8 of 15, though Christmas comes next
    assert rapid.flags(date(2026, 12, 28)) == [Flag.HALF]  # a bank holiday adds no time gone
    assert rapid.flags(date(2027, 1, 4)) == [Flag.HALF, Flag.MOST]  # 12 of 15
    assert rapid.flags(date(2027, 1, 7)) == [Flag.HALF, Flag.MOST]  # due today: not yet late
    assert rapid.flag(date(2027, 1, 8)) is Flag.OVERDUE


def test_a_met_clock_raises_no_flag_and_the_next_open_one_is_due_next():
    dates = ReviewDates(became_aware_on=date(2026, 12, 14), panel_notified_on=date(2026, 12, 16))
    notify, rapid = deadlines_of(dates)
    assert notify.flags(date(2027, 2, 1)) == [] and not notify.was_late()
    found = next_due(dates, date(2026, 12, 17))
    assert found is not None and found.clock is Clock.RAPID_REVIEW
    done = ReviewDates(
        became_aware_on=date(2026, 12, 14),
        panel_notified_on=date(2026, 12, 16),
        decided_on=date(2027, 1, 8),
    )
    assert next_due(done, date(2027, 1, 9)) is None
    assert deadlines_of(done)[1].was_late()
