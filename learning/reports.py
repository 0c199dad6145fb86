"""Report data: the theme report of one run and the six-monthly quality group report.

Pure data read from the database, no Flask. Two privacy rules hold here so that every
format (HTML, PDF, Word, Excel) inherits them: breakdown counts under SMALL_NUMBER leave this
module only as the text FEWER_THAN, and quotes come only from `themes.quotes_of` and
shareable statements, so a flagged disclosure never reaches a report.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.board import board, item_title
from learning.errors import NotFound
from learning.lineage import gone_themes
from learning.models import (
    Action,
    ActionStatus,
    BoardColumn,
    LearningEntry,
    RunStatus,
    SourceKind,
    Theme,
    ThemeStatement,
    ThemingRun,
)
from learning.runs import latest_finished_run, visible_themes
from learning.selection import Selection
from learning.themes import breakdown, polarity_split, quotes_of, statements_of
from surveys.cycles import returns
from surveys.definition import Question, QuestionType, SurveyDefinition
from surveys.models import Cycle, Response, Sector
from surveys.responses import answers_of

SMALL_NUMBER = 5
FEWER_THAN = "fewer than 5"
MIN_QUOTES, MAX_QUOTES = 3, 5
Shown = int | str  # a count, or FEWER_THAN
STREAM_LABELS = {
    "section_11": "Section 11 self-assessment",
    "section_175": "Section 175 self-assessment",
    "training": "Training evaluation",
    "training_follow_up": "Training impact follow-up",
    "consultation": "Practitioner consultation",
    "child_voice": "Child and young person voice",
    "family_voice": "Family voice",
    "case_audit": "Multi-agency case file audit",
}
RATED_STREAMS = frozenset({"section_11", "section_175"})
NOT_APPLICABLE, NOT_ANSWERED = "N/A", "Not answered"
TREND_LABELS = {"new": "New", "growing": "Growing", "stable": "Stable", "declining": "Declining"}


def suppress(count: int) -> Shown:
    """Return the count, or "fewer than 5" when it could single people out."""
    return FEWER_THAN if 0 < count < SMALL_NUMBER else count


def stream_label(value: str) -> str:
    return STREAM_LABELS.get(value, value.replace("_", " ").capitalize())


def sector_label(value: str) -> str:
    if value == "anonymous":
        return "Anonymous (no organisation)"
    try:
        return Sector(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ThemeSummary:
    """One theme as a report shows it."""

    label: str
    size: int
    share: float
    works_well: int
    must_change: int
    neutral: int
    trend: str
    previous_share: float | None
    keywords: tuple[str, ...]
    quotes: tuple[str, ...]
    by_stream: tuple[tuple[str, Shown], ...]
    by_sector: tuple[tuple[str, Shown], ...]


@dataclass(frozen=True)
class GoneTheme:
    """A theme of the previous run that this run no longer finds (or found merged)."""

    label: str
    status: str
    merged_into: str | None


@dataclass(frozen=True)
class RunReport:
    """The theme report of one finished run, with its configuration and coverage."""

    run_id: int
    finished_at: datetime | None
    previous_run_id: int | None
    selection: tuple[tuple[str, str], ...]
    configuration: tuple[tuple[str, str], ...]
    coverage: tuple[tuple[str, Shown], ...]
    coverage_by_stream: tuple[tuple[str, Shown, Shown], ...]
    coverage_by_sector: tuple[tuple[str, Shown, Shown], ...]
    answered_between: tuple[date, date] | None
    themes: tuple[ThemeSummary, ...]
    gone: tuple[GoneTheme, ...]


def run_report(session: Session, run_id: int) -> RunReport:
    """Build the report of a finished run; raise NotFound for any other run."""
    run = session.get(ThemingRun, run_id)
    if run is None or run.status is not RunStatus.FINISHED:
        raise NotFound("There is no finished theming run with that number.")
    coverage = run.coverage or {}
    return RunReport(
        run_id=run.id,
        finished_at=run.finished_at,
        previous_run_id=run.previous_run_id,
        selection=_selection(session, Selection.from_json(run.selection or {})),
        configuration=configuration_of(run.config or {}),
        coverage=_coverage_totals(coverage),
        coverage_by_stream=_coverage_split(coverage, "stream", stream_label),
        coverage_by_sector=_coverage_split(coverage, "sector", sector_label),
        answered_between=_answered_between(session, run.id),
        themes=tuple(_summary(session, t) for t in visible_themes(session, run.id)),
        gone=tuple(_gone(session, run.id)),
    )


def _selection(session: Session, selection: Selection) -> tuple[tuple[str, str], ...]:
    cycles = session.scalars(select(Cycle.title).where(Cycle.id.in_(selection.cycle_ids)))
    dates = "All dates"
    if selection.date_from or selection.date_to:
        start = selection.date_from.isoformat() if selection.date_from else "the start"
        end = selection.date_to.isoformat() if selection.date_to else "today"
        dates = f"From {start} to {end}"
    return (
        ("Streams", ", ".join(stream_label(s) for s in selection.streams) or "All streams"),
        ("Cycles", ", ".join(cycles) or "All cycles"),
        ("Dates", dates),
        ("Questions", ", ".join(selection.question_ids) or "All free-text questions"),
        ("Sectors", ", ".join(sector_label(s) for s in selection.sectors) or "All sectors"),
    )


def configuration_of(config: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Describe a run's steps, parameters and model versions as name / value pairs."""
    themer = config.get("themer") or {}
    params = themer.get("params") or {}
    versions = config.get("versions") or {}
    rows = [
        ("Steps", ", ".join(str(s).replace("_", " ") for s in config.get("steps", []))),
        ("Redaction", str(config.get("redactor") or "")),
        ("Embedding model", str((config.get("embedder") or {}).get("model_id") or "")),
        ("Theming method", str(themer.get("name") or "")),
        ("Theming parameters", ", ".join(f"{k} = {v}" for k, v in sorted(params.items()))),
        ("Polarity scoring", str(config.get("polarity") or "Question's declared polarity")),
        ("Random seed", str(config.get("seed", ""))),
        ("Software versions", ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))),
    ]
    return tuple((name, value or "Not recorded") for name, value in rows)


def _coverage_totals(coverage: dict[str, Any]) -> tuple[tuple[str, Shown], ...]:
    names = (
        ("responses", "Responses"),
        ("answers", "Free-text answers"),
        ("organisations", "Organisations"),
        ("statements", "Statements themed"),
        ("non_answers", "Non-answers left out (such as “n/a”)"),
        ("outliers", "Statements in no theme (outliers)"),
        ("withheld_answers", "Answers withheld as possible disclosures"),
    )
    return tuple((label, int(coverage.get(key, 0))) for key, label in names)


def _coverage_split(
    coverage: dict[str, Any], field: str, label: Any
) -> tuple[tuple[str, Shown, Shown], ...]:
    answers = coverage.get(f"answers_by_{field}") or {}
    statements = coverage.get(f"statements_by_{field}") or {}
    keys = sorted(set(answers) | set(statements), key=lambda k: label(k))
    return tuple(
        (label(k), suppress(int(answers.get(k, 0))), suppress(int(statements.get(k, 0))))
        for k in keys
    )


def _answered_between(session: Session, run_id: int) -> tuple[date, date] | None:
    first, last = session.execute(
        select(func.min(Response.submitted_at), func.max(Response.submitted_at))
        .join(ThemeStatement, ThemeStatement.response_id == Response.id)
        .where(ThemeStatement.run_id == run_id)
    ).one()
    return (first.date(), last.date()) if first and last else None


def _summary(session: Session, theme: Theme) -> ThemeSummary:
    statements = statements_of(session, theme)
    split = polarity_split(statements)
    return ThemeSummary(
        label=theme.label,
        size=theme.size,
        share=theme.share,
        works_well=split.works_well,
        must_change=split.must_change,
        neutral=split.neutral,
        trend=TREND_LABELS.get(theme.trend.value if theme.trend else "", "Not compared"),
        previous_share=theme.previous_share,
        keywords=tuple(theme.keywords[:8]),
        quotes=tuple(_quotes(session, theme, statements)),
        by_stream=_counted(breakdown(statements, "stream"), stream_label),
        by_sector=_counted(breakdown(statements, "sector"), sector_label),
    )


def _quotes(session: Session, theme: Theme, shareable: Sequence[ThemeStatement]) -> list[str]:
    """Return 3 to 5 redacted quotes: the theme's own, topped up from shareable statements."""
    quotes = [q.text for q in quotes_of(session, theme)][:MAX_QUOTES]
    longest_first = sorted(shareable, key=lambda s: (-len(s.text.split()), s.id))
    for statement in longest_first:
        if len(quotes) >= MIN_QUOTES:
            break
        if statement.text not in quotes:
            quotes.append(statement.text)
    return quotes


def _counted(counts: dict[str, int], label: Any) -> tuple[tuple[str, Shown], ...]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], label(kv[0])))
    return tuple((label(key), suppress(count)) for key, count in ordered)


def _gone(session: Session, run_id: int) -> Iterable[GoneTheme]:
    for fate in gone_themes(session, run_id):
        into = session.get(Theme, fate.merged_into_id) if fate.merged_into_id else None
        status = "Merged into another theme" if fate.status == "merged" else "No longer found"
        yield GoneTheme(fate.previous_theme.label, status, into.label if into else None)


@dataclass(frozen=True)
class RunListing:
    run_id: int
    finished_on: date | None
    streams: str


def finished_runs(session: Session, *, limit: int = 50) -> list[RunListing]:
    """Return the finished runs, newest first, for the list of theme reports."""
    query = (
        select(ThemingRun)
        .where(ThemingRun.status == RunStatus.FINISHED)
        .order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc())
        .limit(limit)
    )
    return [
        RunListing(
            run.id,
            run.finished_at.date() if run.finished_at else None,
            ", ".join(stream_label(s) for s in run.streams_key.split(",") if s) or "All streams",
        )
        for run in session.scalars(query)
    ]


# The six-monthly report -----------------------------------------------------------------


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
    )


def _board_cards(session: Session) -> Iterable[BoardCard]:
    for column, items in board(session).items():
        for item in items:
            suggested = item.suggested_column.label if item.suggested_column else "No suggestion"
            yield BoardCard(
                column=column.label,
                position=item.position,
                title=item_title(session, item),
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
    )
    for entry in session.scalars(query):
        if entry.source_kind is SourceKind.STREAM:
            source = ", ".join(stream_label(s) for s in (entry.source_stream or "").split(","))
        else:
            source = entry.source_kind.value.replace("_", " ").capitalize()
        if entry.source_detail:
            source = f"{source} ({entry.source_detail})"
        yield EntrySummary(
            title=entry.title,
            entry_date=entry.entry_date,
            source=source,
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
    )
    for action in session.scalars(query):
        if action.completed_at is not None and action.completed_at < period.starts_at:
            continue
        yield ActionSummary(
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
    return tuple(column.label for column in BoardColumn)


@dataclass(frozen=True)
class StandardRatings:
    """How the organisations that returned a cycle rated one standard."""

    ref: str
    title: str
    counts: tuple[int, ...]  # in the order of CycleReturns.levels


@dataclass(frozen=True)
class CycleReturns:
    """One Section 11 / 175 cycle: who returned it and how each standard was rated."""

    title: str
    stream: str
    opens_on: date
    closes_on: date
    returned: int
    in_progress: int
    expected: int
    levels: tuple[str, ...]
    standards: tuple[StandardRatings, ...]


def cycle_returns(
    session: Session, start: datetime, end: datetime, registry: Any
) -> Iterable[CycleReturns]:
    """Yield the returns and ratings of each rated cycle open at some point in [start, end)."""
    cycles = session.scalars(
        select(Cycle)
        .where(Cycle.opens_at < end, Cycle.closes_at >= start)
        .order_by(Cycle.opens_at, Cycle.id)
    )
    for cycle in cycles:
        try:
            definition = registry.get(cycle.definition_key, cycle.definition_version)
        except KeyError:
            continue
        if definition.stream.value in RATED_STREAMS:
            yield _cycle_returns(session, cycle, definition)


def _cycle_returns(session: Session, cycle: Cycle, definition: SurveyDefinition) -> CycleReturns:
    rows = returns(session, cycle)
    submitted = [r.response for r in rows if r.status == "submitted" and r.response]
    rated = [
        (page.standard, question)
        for page in definition.pages
        for question in page.questions
        if page.standard and question.type is QuestionType.COMPLIANCE_RATING and question.scale
    ]
    labels = [level.label for _, q in rated for level in q.scale.levels]  # type: ignore[union-attr]
    levels = (*dict.fromkeys(labels), NOT_APPLICABLE, NOT_ANSWERED)
    return CycleReturns(
        title=cycle.title,
        stream=stream_label(definition.stream.value),
        opens_on=cycle.opens_at.date(),
        closes_on=cycle.closes_at.date(),
        returned=len(submitted),
        in_progress=sum(r.status in ("in_progress", "awaiting_sign_off") for r in rows),
        expected=len(rows),
        levels=levels,
        standards=tuple(
            StandardRatings(standard.ref, standard.title, _rating_counts(q, submitted, levels))
            for standard, q in rated
        ),
    )


def _rating_counts(
    question: Question, responses: Sequence[Response], levels: Sequence[str]
) -> tuple[int, ...]:
    """Count ratings by level label (stored shape: {"value", ...} or "not_applicable")."""
    counts = dict.fromkeys(levels, 0)
    for response in responses:
        answer = answers_of(response).get(question.id)
        if answer == "not_applicable":
            counts[NOT_APPLICABLE] += 1
        elif isinstance(answer, dict) and question.option_label(str(answer.get("value"))):
            counts[str(question.option_label(str(answer.get("value"))))] += 1
        else:
            counts[NOT_ANSWERED] += 1
    return tuple(counts.values())
