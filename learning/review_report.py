"""Reviews and audits in a period, as the quality group's reports show them: the statutory
decisions made within time, the case reviews completed, the case audits' findings and the
actions they led to, and how agencies measured up against national reviews.

One reusable section: the six-monthly report includes it, and a yearly report can include
the same (`reviews_and_audits` over its own period). Case reviews appear by reference, stage,
decision and dates only, never the child's details (they live apart, in `case_details`).

Public API:
    ClockOutcome, CompletedReview, AuditFindingLine, NationalFindingLine, ReviewsAndAudits
    reviews_and_audits(session, period, *, as_of) -> ReviewsAndAudits
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learning.models import Action, LearningEntry
from surveys import national_reviews
from surveys.case_reviews.deadlines import Clock, deadlines_of
from surveys.case_reviews.records import review_dates
from surveys.models import AuditFinding, CaseReview, NationalFinding, NationalReview

TIMED_CLOCKS = (Clock.NOTIFY_PANEL, Clock.RAPID_REVIEW)  # decisions against working days


class Period(Protocol):
    start: date
    end: date


@dataclass(frozen=True)
class ClockOutcome:
    """A notification or rapid review decision that fell due or was made in the period."""

    reference: str
    clock: str
    due_on: date
    met_on: date | None
    outcome: str  # In time, Late, Overdue, Not yet due

    @property
    def in_time(self) -> bool:
        return self.outcome == "In time"


@dataclass(frozen=True)
class CompletedReview:
    reference: str
    what: str  # "Rapid review decided: …" or "Local review published"
    completed_on: date
    recommendations: int
    actions: int


@dataclass(frozen=True)
class AuditFindingLine:
    programme: str
    held_on: date | None  # the audit day, or None for the whole programme
    kind: str
    text: str
    learning: str  # the learning log entry it became, if any
    actions: tuple[str, ...]  # that entry's actions: "description (organisation, status)"


@dataclass(frozen=True)
class NationalFindingLine:
    review: str
    publisher: str
    published_on: date
    number: int
    statement: str
    asked: int
    answered: int
    in_place: int
    partly_in_place: int
    not_in_place: int
    actions: int


@dataclass(frozen=True)
class ReviewsAndAudits:
    decisions: tuple[ClockOutcome, ...]
    completed: tuple[CompletedReview, ...]
    audit_findings: tuple[AuditFindingLine, ...]
    national: tuple[NationalFindingLine, ...]

    @property
    def decided_in_time(self) -> tuple[int, int]:
        """How many of the decisions due in the period were made in time, of how many due."""
        due = [d for d in self.decisions if d.outcome != "Not yet due"]
        return sum(d.in_time for d in due), len(due)


def _in(period: Period, day: date | None) -> bool:
    return day is not None and period.start <= day <= period.end


def _decisions(reviews: list[CaseReview], period: Period, as_of: date) -> Iterable[ClockOutcome]:
    for review in reviews:
        for deadline in deadlines_of(review_dates(review)):
            if deadline.clock not in TIMED_CLOCKS:
                continue
            if not (_in(period, deadline.due_on) or _in(period, deadline.met_on)):
                continue
            if deadline.met_on is not None:
                outcome = "Late" if deadline.was_late() else "In time"
            else:
                outcome = "Overdue" if as_of > deadline.due_on else "Not yet due"
            yield ClockOutcome(
                review.reference, deadline.clock.label, deadline.due_on, deadline.met_on, outcome
            )


def _completed(
    session: Session, reviews: list[CaseReview], period: Period
) -> Iterable[CompletedReview]:
    ids = [r.id for rec in reviews for r in rec.recommendations]
    acted = set(
        session.scalars(select(Action.recommendation_id).where(Action.recommendation_id.in_(ids)))
    )
    for review in reviews:
        actions = sum(r.id in acted for r in review.recommendations)
        count = len(review.recommendations)
        if review.decision is not None and _in(period, review.decided_on):
            what = f"Rapid review decided: {review.decision.label}"
            assert review.decided_on is not None
            yield CompletedReview(review.reference, what, review.decided_on, count, actions)
        settled = review_dates(review).publication_settled_on
        if _in(period, settled):
            assert settled is not None
            what = "Local review " + (
                "published" if review.published_on else "completed, not published"
            )
            yield CompletedReview(review.reference, what, settled, count, actions)


def _audit_findings(session: Session, period: Period) -> Iterable[AuditFindingLine]:
    findings = session.scalars(
        select(AuditFinding)
        .order_by(AuditFinding.created_at, AuditFinding.id)
        .options(selectinload(AuditFinding.programme), selectinload(AuditFinding.day))
    ).all()
    found = [f for f in findings if _in(period, f.created_at.date())]
    entries = {
        e.audit_finding_id: e
        for e in session.scalars(
            select(LearningEntry).where(LearningEntry.audit_finding_id.in_([f.id for f in found]))
        )
    }
    actions: dict[int, list[Action]] = {}
    if entries:
        for action in session.scalars(
            select(Action)
            .where(Action.entry_id.in_([e.id for e in entries.values()]))
            .order_by(Action.id)
            .options(selectinload(Action.owner_organisation))
        ):
            actions.setdefault(action.entry_id or 0, []).append(action)
    for finding in found:
        entry = entries.get(finding.id)
        yield AuditFindingLine(
            programme=finding.programme.title,
            held_on=finding.day.held_on if finding.day is not None else None,
            kind=finding.kind.label,
            text=finding.text,
            learning=entry.title if entry is not None else "",
            actions=tuple(
                f"{a.description} ({a.owner_organisation.name}, {a.status.value.replace('_', ' ')})"
                for a in actions.get(entry.id if entry is not None else -1, [])
            ),
        )


def _national(session: Session, period: Period) -> Iterable[NationalFindingLine]:
    reviews = session.scalars(
        select(NationalReview)
        .order_by(NationalReview.published_on, NationalReview.id)
        .options(selectinload(NationalReview.findings).selectinload(NationalFinding.cycle))
    ).all()
    acted = {
        (a.national_finding_id, a.owner_organisation_id)
        for a in session.scalars(select(Action).where(Action.national_finding_id.is_not(None)))
    }
    for review in reviews:
        if review.created_at.date() > period.end:
            continue  # recorded after the period
        grid = national_reviews.grid(session, review)
        for row in grid.rows:
            asked = [c for c in row.cells if c.asked]
            yield NationalFindingLine(
                review=review.title,
                publisher=review.publisher,
                published_on=review.published_on,
                number=row.finding.number,
                statement=row.finding.statement,
                asked=len(asked),
                answered=sum(c.answer is not None for c in asked),
                in_place=row.count("in_place"),
                partly_in_place=row.count("partly_in_place"),
                not_in_place=row.count("not_in_place"),
                actions=sum((row.finding.id, c.organisation.id) in acted for c in asked),
            )


def reviews_and_audits(session: Session, period: Period, *, as_of: date) -> ReviewsAndAudits:
    """Return the period's reviews and audits section (never a child's details)."""
    reviews = list(
        session.scalars(
            select(CaseReview)
            .order_by(CaseReview.became_aware_on, CaseReview.id)
            .options(selectinload(CaseReview.recommendations))
        )
    )
    return ReviewsAndAudits(
        decisions=tuple(_decisions(reviews, period, as_of)),
        completed=tuple(_completed(session, reviews, period)),
        audit_findings=tuple(_audit_findings(session, period)),
        national=tuple(_national(session, period)),
    )
