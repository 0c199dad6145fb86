"""A period report for the partnership executive: the six-monthly quality group report and the
yearly report Working Together 2023 asks safeguarding partners to publish.

Public API:
    Period, last_six_months(today), reporting_year(start_year) (from `learning.period`)
    BoardCard, EntrySummary, ActionSummary, PeriodReport (SixMonthlyReport is the same)
    six_monthly_report(session, period, *, registry, today) -> PeriodReport
    yearly_report(session, period, *, registry, today) -> PeriodReport
    action_counts(actions), board_columns(), summarise_action(action, as_of) -> ActionSummary

Both kinds are one report over a period, not a run: themes per evidence stream and the
subjects that recur across streams (`learning.stream_themes`), the board as at the period's
end, learning log entries, actions and their evidence of impact, returns (surveys.returns),
triangulation (surveys.triangulation), reviews and audits (`learning.review_report`), the
group's written sections and the chair's sign-off (`learning.narratives`); the yearly report
adds training reach and impact (`surveys.training.figures`) and the actions completed in the
year. Pure data read from the database, no Flask. Learning log themes appear by label only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learning.board import board, item_titles
from learning.log import describe_source
from learning.models import Action, ActionStatus, BoardColumn, LearningEntry
from learning.narratives import Narrative, narrative_of
from learning.period import Period, last_six_months, reporting_year
from learning.report_models import ReportKind
from learning.review_report import ReviewsAndAudits, reviews_and_audits
from learning.stream_themes import PeriodThemes, period_themes
from surveys.models import Cycle
from surveys.returns import RATED_STREAMS, CycleReturns, cycle_returns
from surveys.training.figures import Group, dashboard
from surveys.triangulation import CycleTriangulation, cycle_triangulation

__all__ = ["Period", "last_six_months", "reporting_year"]


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
    completed_on: date | None = None


@dataclass(frozen=True)
class PeriodReport:
    """What the quality group puts in front of the partnership executive."""

    kind: ReportKind
    period: Period
    as_of: date
    themes: PeriodThemes
    narrative: Narrative
    board: tuple[BoardCard, ...]
    entries: tuple[EntrySummary, ...]
    actions: tuple[ActionSummary, ...]
    returns: tuple[CycleReturns, ...]
    reviews: ReviewsAndAudits
    triangulations: tuple[tuple[str, CycleTriangulation], ...] = ()  # (cycle title, found)
    training: Group | None = None  # the yearly report's training reach and impact
    completed: tuple[ActionSummary, ...] = ()  # actions completed in the period

    @property
    def is_signed_off(self) -> bool:
        return self.narrative.sign_off is not None


SixMonthlyReport = PeriodReport


def six_monthly_report(
    session: Session, period: Period, *, registry: Any, today: date
) -> PeriodReport:
    """Build the six-monthly report for a period (returns and ratings read via `registry`)."""
    return _period_report(session, ReportKind.SIX_MONTHLY, period, registry=registry, today=today)


def yearly_report(session: Session, period: Period, *, registry: Any, today: date) -> PeriodReport:
    """Build the yearly report: the six-monthly parts over the year, training and completions."""
    return _period_report(session, ReportKind.YEARLY, period, registry=registry, today=today)


def _period_report(
    session: Session, kind: ReportKind, period: Period, *, registry: Any, today: date
) -> PeriodReport:
    as_of = min(today, period.end)
    actions = tuple(_actions(session, period, as_of))
    yearly = kind is ReportKind.YEARLY
    return PeriodReport(
        kind=kind,
        period=period,
        as_of=as_of,
        themes=period_themes(session, period),
        narrative=narrative_of(session, kind, period),
        board=tuple(_board_cards(session, period)),
        entries=tuple(_entries(session, period)),
        actions=actions,
        returns=tuple(cycle_returns(session, period.starts_at, period.ends_before, registry)),
        triangulations=tuple(_triangulations(session, period, registry)),
        reviews=reviews_and_audits(session, period, as_of=as_of),
        training=_training(session, period) if yearly else None,
        completed=tuple(a for a in actions if a.completed_on and a.completed_on >= period.start),
    )


def _training(session: Session, period: Period) -> Group | None:
    """Return the partnership's training figures for sessions held in the period, if any."""
    overall = dashboard(session, start=period.start, end=period.end).overall
    return overall if overall.attended or overall.evaluated else None


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


def _board_cards(session: Session, period: Period) -> Iterable[BoardCard]:
    """The board as at the period's end: items placed (or last moved) by then."""
    columns = board(session)
    titles = item_titles(session, [item for items in columns.values() for item in items])
    for column, items in columns.items():
        for item in items:
            if item.decided_at >= period.ends_before:
                continue
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
        completed_on=action.completed_at.date() if action.completed_at else None,
    )


def action_counts(actions: Sequence[ActionSummary]) -> tuple[tuple[str, int], ...]:
    """Count actions by status, and those overdue."""
    statuses = [s.value.replace("_", " ").capitalize() for s in ActionStatus]
    counts = [(status, sum(a.status == status for a in actions)) for status in statuses]
    return (*counts, ("Overdue", sum(a.is_overdue for a in actions)))


def board_columns() -> tuple[str, ...]:
    """Return the board's column names in order."""
    return tuple(column.label for column in BoardColumn)
