"""The theme report of one finished run, and the list of runs that have one.

Public API:
    ThemeSummary, GoneTheme, RunReport, RunListing
    run_report(session, run_id) -> RunReport
    finished_runs(session, *, limit=50) -> list[RunListing]
    configuration_of(config) -> name / value pairs

Pure data read from the database, no Flask. Quotes come only from `themes.quotes_of` and
shareable statements, so a flagged disclosure never reaches a report; breakdown counts pass
through `report_rules.suppress`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.errors import NotFound
from learning.lineage import gone_themes
from learning.models import LabelSource, RunStatus, Theme, ThemeStatement, ThemingRun
from learning.report_rules import TREND_LABELS, Shown, sector_label, suppress
from learning.runs import visible_themes
from learning.selection import Selection
from learning.themes import breakdown, polarity_split, quotes_by_theme, statements_by_theme
from surveys.models import Cycle, Response
from surveys.streams import stream_label

MIN_QUOTES, MAX_QUOTES = 3, 5


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
    name_confirmed: bool = False  # a person named it, or kept the service's suggested name
    summary: str = ""  # one sentence, a statement people made (suggested until confirmed)
    praise: tuple[str, ...] = ()  # quotes of what works well
    criticism: tuple[str, ...] = ()  # quotes of what must change

    @property
    def summary_line(self) -> str:
        """The summary as reports print it: marked until a person confirms the theme."""
        if not self.summary:
            return ""
        mark = "" if self.name_confirmed else " (suggested)"
        return f"In one sentence{mark}: “{self.summary}”"

    @property
    def shown_label(self) -> str:
        """The label as reports print it: marked until a person confirms it."""
        return self.label if self.name_confirmed else f"{self.label} (suggested name)"


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
        themes=_summaries(session, visible_themes(session, run.id)),
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


def _summaries(session: Session, themes: Sequence[Theme]) -> tuple[ThemeSummary, ...]:
    """Summarise every theme, reading all their statements and all their quotes at once."""
    statements, quotes = statements_by_theme(session, themes), quotes_by_theme(session, themes)
    return tuple(_summary(t, statements[t.id], quotes[t.id]) for t in themes)


def _summary(
    theme: Theme, statements: Sequence[ThemeStatement], quotes: Sequence[ThemeStatement]
) -> ThemeSummary:
    split = polarity_split(statements)
    shareable = {s.id: s.text for s in statements}
    tones = theme.tone_quote_ids or {}
    return ThemeSummary(
        label=theme.label,
        name_confirmed=theme.label_source is LabelSource.HUMAN,
        size=theme.size,
        share=theme.share,
        works_well=split.works_well,
        must_change=split.must_change,
        neutral=split.neutral,
        trend=TREND_LABELS.get(theme.trend.value if theme.trend else "", "Not compared"),
        previous_share=theme.previous_share,
        keywords=tuple(theme.keywords[:8]),
        quotes=tuple(_quotes(quotes, statements)),
        by_stream=_counted(breakdown(statements, "stream"), stream_label),
        by_sector=_counted(breakdown(statements, "sector"), sector_label),
        summary=theme.summary if theme.summary_statement_id in shareable else "",
        praise=tuple(shareable[i] for i in tones.get("works_well", []) if i in shareable),
        criticism=tuple(shareable[i] for i in tones.get("must_change", []) if i in shareable),
    )


def _quotes(own: Sequence[ThemeStatement], shareable: Sequence[ThemeStatement]) -> list[str]:
    """Return 3 to 5 redacted quotes: the theme's own, topped up from shareable statements."""
    quotes = [q.text for q in own][:MAX_QUOTES]
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
