"""Working days in England: the unit the statutory case review clocks are counted in.

Pure functions over dates, no database. Bank holidays come from the maintained `holidays`
library (England's subdivision of GB), so substitute days such as Boxing Day (observed) when
Christmas falls at a weekend are counted as the government announces them; no list of dates
is kept here.

Public API:
    is_working_day(day) -> bool
    add_working_days(start, days) -> date: the day `days` working days after `start`
    working_days_between(start, end) -> int: working days after `start`, up to and including `end`
    add_months(start, months) -> date: the same day `months` calendar months later (or the
        month's last day)
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

import holidays

SATURDAY = 5


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in one year (weekend days excluded by is_working_day)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Say whether a day is a working day in England: Monday to Friday, not a bank holiday."""
    return day.weekday() < SATURDAY and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """Return the day `days` working days after `start`; `start` itself is day 0.

    Becoming aware of an incident on a Friday, 5 working days later is the next Friday (or
    later, if a bank holiday falls between).
    """
    if days < 0:
        raise ValueError("count working days forwards")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Return how many working days fall after `start`, up to and including `end` (0 if none)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def add_months(start: date, months: int) -> date:
    """Return the same day `months` calendar months later, or that month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
