"""The statutory clocks of one case review: what is due, when, and how near it is.

Under Working Together 2023 the partnership notifies the Child Safeguarding Practice Review
Panel within 5 working days of becoming aware of a serious incident, completes a rapid review
within 15 working days of becoming aware, and publishes a local child safeguarding practice
review normally within 6 months of deciding to carry one out. Working days are England's
(`clock`). Pure: it reads the review's dates, never the database.

Public API:
    Clock, Flag, Deadline, ReviewDates
    deadlines_of(dates) -> list[Deadline]: the clocks that have started, in the order they run
    next_due(dates, today) -> Deadline | None: the soonest clock not yet met
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from surveys.case_reviews.clock import add_months, add_working_days, working_days_between

NOTIFY_WORKING_DAYS = 5
RAPID_REVIEW_WORKING_DAYS = 15
PUBLISH_MONTHS = 6


class Clock(enum.StrEnum):
    NOTIFY_PANEL = "notify_panel"
    RAPID_REVIEW = "rapid_review"
    PUBLISH = "publish"

    @property
    def label(self) -> str:
        return {
            "notify_panel": "Notify the national panel",
            "rapid_review": "Complete the rapid review",
            "publish": "Publish the local review",
        }[self.value]


class Flag(enum.StrEnum):
    """How far through its time a clock is: flagged at half, four fifths and past due."""

    HALF = "half"
    MOST = "most"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"half": "Half the time gone", "most": "Due soon", "overdue": "Overdue"}[self.value]

    @property
    def phrase(self) -> str:
        """How an email subject says it: "Notify the national panel due soon"."""
        return {"half": "half way", "most": "due soon", "overdue": "overdue"}[self.value]

    @property
    def share(self) -> float:
        return {"half": 0.5, "most": 0.8, "overdue": 1.0}[self.value]


@dataclass(frozen=True)
class ReviewDates:
    """The dates of a review that start and stop its clocks."""

    became_aware_on: date
    panel_notified_on: date | None = None
    decided_on: date | None = None  # the rapid review's decision: it completes the review
    needs_local_review: bool = False
    # Published, or decided (with reasons) not to publish: either stops the publishing clock.
    publication_settled_on: date | None = None


@dataclass(frozen=True)
class Deadline:
    clock: Clock
    starts_on: date
    due_on: date
    met_on: date | None
    in_working_days: bool

    @property
    def is_met(self) -> bool:
        return self.met_on is not None

    def share_gone(self, today: date) -> float:
        """Return how much of the clock's time has gone by `today` (1.0 on the due day)."""
        if self.in_working_days:
            total = working_days_between(self.starts_on, self.due_on)
            gone = working_days_between(self.starts_on, today)
        else:
            total = (self.due_on - self.starts_on).days
            gone = (today - self.starts_on).days
        return gone / total if total > 0 else 1.0

    def flags(self, today: date) -> list[Flag]:
        """Return every flag the clock has reached by `today` (none once it is met)."""
        if self.is_met:
            return []
        if today > self.due_on:
            return list(Flag)
        share = self.share_gone(today)
        return [flag for flag in (Flag.HALF, Flag.MOST) if share >= flag.share]

    def flag(self, today: date) -> Flag | None:
        """Return the furthest flag reached by `today`, if any."""
        reached = self.flags(today)
        return reached[-1] if reached else None

    def was_late(self) -> bool:
        return self.met_on is not None and self.met_on > self.due_on


def deadlines_of(dates: ReviewDates) -> list[Deadline]:
    """Return the review's clocks that have started, in the order they run."""
    aware = dates.became_aware_on
    found = [
        Deadline(
            Clock.NOTIFY_PANEL,
            aware,
            add_working_days(aware, NOTIFY_WORKING_DAYS),
            dates.panel_notified_on,
            in_working_days=True,
        ),
        Deadline(
            Clock.RAPID_REVIEW,
            aware,
            add_working_days(aware, RAPID_REVIEW_WORKING_DAYS),
            dates.decided_on,
            in_working_days=True,
        ),
    ]
    if dates.needs_local_review and dates.decided_on is not None:
        found.append(
            Deadline(
                Clock.PUBLISH,
                dates.decided_on,
                add_months(dates.decided_on, PUBLISH_MONTHS),
                dates.publication_settled_on,
                in_working_days=False,
            )
        )
    return found


def next_due(dates: ReviewDates, today: date) -> Deadline | None:
    """Return the soonest clock not yet met, or None when every started clock is met."""
    open_ = [d for d in deadlines_of(dates) if not d.is_met]
    return min(open_, key=lambda d: d.due_on) if open_ else None
