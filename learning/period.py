"""A report's period: the six months to a day, or a reporting year from April to March.

Public API:
    Period, last_six_months(today) -> Period, reporting_year(start_year) -> Period,
    last_complete_year(today) -> int (the start year of the last whole April-March year)
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


@dataclass(frozen=True)
class Period:
    """A report's period, both days included."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min).replace(tzinfo=UTC)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min).replace(tzinfo=UTC)


def last_six_months(today: date) -> Period:
    """Return the six months up to and including today."""
    year, month = divmod(today.year * 12 + today.month - 1 - 6, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return Period(date(year, month + 1, day) + timedelta(days=1), today)


def reporting_year(start_year: int) -> Period:
    """Return the reporting year that starts on 1 April of `start_year`."""
    return Period(date(start_year, 4, 1), date(start_year + 1, 3, 31))


def last_complete_year(today: date) -> int:
    """Return the start year of the last April-to-March year that has ended by `today`."""
    return today.year - 1 if today >= date(today.year, 4, 1) else today.year - 2
