"""The six-monthly quality group report: board, learning log, actions, returns, latest run,
and reviews and audits (`learning.review_report`).

Public API:
    Period, last_six_months(today) -> Period
    BoardCard, EntrySummary, ActionSummary, SixMonthlyReport
    six_monthly_report(session, period, *, registry, today) -> SixMonthlyReport
    action_counts(actions), board_columns(), summarise_action(action, as_of) -> ActionSummary

Pure data read from the database, no Flask; the run it includes is a learning.run_report,
the returns are surveys.returns, triangulation surveys.triangulation. Learning log themes
appear by label only.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learning.board import board, item_titles
from learning.log import describe_source
from learning.models import Action, ActionStatus, BoardColumn, LearningEntry
from learning.review_report import ReviewsAndAudits, reviews_and_audits
from learning.run_report import RunReport, run_report
from learning.runs import latest_finished_run
from surveys.models import Cycle
from surveys.returns import RATED_STREAMS, CycleReturns, cycle_returns
from surveys.triangulation import CycleTriangulation, cycle_triangulation


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


@dataclass(frozen=True)
class BoardCard:
    column: str
    position: int
    title: str
    kind: str
    suggested: str
    suggested_reason: str
    why: str
    decided_on: date


@dataclass(frozen=True)
class EntrySummary:
    title: str
    entry_date: date
    source: str
    lesson: str
    themes: str
    recommended_action: str
    owner: str
    status: str


@dataclass(frozen=True)
class ActionSummary:
    description: str
    organisation: str
    due_date: date
    status: str
    is_overdue: bool
    updates: int
    evidence_of_impact: str


@dataclass(frozen=True)
class SixMonthlyReport:
    """What the quality group puts in front of the partnership executive."""

    period: Period
    as_of: date
    run: RunReport | None
    board: tuple[BoardCard, ...]
    entries: tuple[EntrySummary, ...]
    actions: tuple[ActionSummary, ...]
    returns: tuple[CycleReturns, ...]
    reviews: ReviewsAndAudits
    triangulations: tuple[tuple[str, CycleTriangulation], ...] = ()  # (cycle title, found)


def six_monthly_report(
    session: Session, period: Period, *, registry: Any, today: date
) -> SixMonthlyReport:
    """Build the six-monthly report for a period (returns and ratings read via `registry`)."""
    as_of = min(today, period.end)
    run = latest_finished_run(session, before=period.ends_before)
    finished = run.finished_at if run is not None else None
    in_period = finished is not None and finished >= period.starts_at
    return SixMonthlyReport(
        period=period,
        as_of=as_of,
        run=run_report(session, run.id) if run is not None and in_period else None,
        board=tuple(_board_cards(session)),
        entries=tuple(_entries(session, period)),
        actions=tuple(_actions(session, period, as_of)),
        returns=tuple(cycle_returns(session, period.starts_at, period.ends_before, registry)),
        triangulations=tuple(_triangulations(session, period, registry)),
        reviews=reviews_and_audits(session, period, as_of=as_of),
    )


def _triangulations(
    session: Session, period: Period, registry: Any
) -> Iterable[tuple[str, CycleTriangulation]]:
    """Each rated cycle open in the period, its ratings beside what practitioners say."""
    cycles = session.scalars(
        select(Cycle)
        .where(Cycle.opens_at < period.ends_before, Cycle.closes_at >= period.starts_at)
        .order_by(Cycle.opens_at, Cycle.id)
    )
    for cycle in cycles:
        try:
            definition = registry.get(cycle.definition_key, cycle.definition_version)
        except KeyError:
            continue
        if definition.stream.value in RATED_STREAMS:
            yield cycle.title, cycle_triangulation(session, cycle, definition, registry)


def _board_cards(session: Session) -> Iterable[BoardCard]:
    columns = board(session)
    titles = item_titles(session, [item for items in columns.values() for item in items])
    for column, items in columns.items():
        for item in items:
            suggested = item.suggested_column.label if item.suggested_column else "No suggestion"
            yield BoardCard(
                column=column.label,
                position=item.position,
                title=titles[item.id],
                kind="Learning log entry" if item.entry_id else "Theme",
                suggested=suggested,
                suggested_reason=item.suggested_reason,
                why=item.why,
                decided_on=item.decided_at.date(),
            )


def _entries(session: Session, period: Period) -> Iterable[EntrySummary]:
    query = (
        select(LearningEntry)
        .where(LearningEntry.entry_date >= period.start, LearningEntry.entry_date <= period.end)
        .order_by(LearningEntry.entry_date, LearningEntry.id)
        .options(selectinload(LearningEntry.themes))
    )
    for entry in session.scalars(query):
        yield EntrySummary(
            title=entry.title,
            entry_date=entry.entry_date,
            source=describe_source(entry),
            lesson=entry.lesson,
            themes="; ".join(link.label for link in entry.themes),  # labels only, never quotes
            recommended_action=entry.recommended_action,
            owner=entry.owner,
            status=entry.status.value.replace("_", " ").capitalize(),
        )


def _actions(session: Session, period: Period, as_of: date) -> Iterable[ActionSummary]:
    """Actions open during the period: created by its end and not finished before it began."""
    query = (
        select(Action)
        .where(Action.created_at < period.ends_before)
        .order_by(Action.due_date, Action.id)
        .options(selectinload(Action.owner_organisation), selectinload(Action.updates))
    )
    for action in session.scalars(query):
        if action.completed_at is not None and action.completed_at < period.starts_at:
            continue
        yield summarise_action(action, as_of)


def summarise_action(action: Action, as_of: date) -> ActionSummary:
    """Return an action as a report shows it (overdue by its due date, as of a day)."""
    return ActionSummary(
        description=action.description,
        organisation=action.owner_organisation.name,
        due_date=action.due_date,
        status=action.status.value.replace("_", " ").capitalize(),
        is_overdue=action.is_overdue(as_of),
        updates=len(action.updates),
        evidence_of_impact=action.evidence_of_impact,
    )


def action_counts(actions: Sequence[ActionSummary]) -> tuple[tuple[str, int], ...]:
    """Count actions by status, and those overdue."""
    statuses = [s.value.replace("_", " ").capitalize() for s in ActionStatus]
    counts = [(status, sum(a.status == status for a in actions)) for status in statuses]
    return (*counts, ("Overdue", sum(a.is_overdue for a in actions)))


def board_columns() -> tuple[str, ...]:
    """Return the board's column names in order."""
    return tuple(column.label for column in BoardColumn)
