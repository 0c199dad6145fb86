"""Lay a report out as a list of blocks that every format renders the same way.

HTML, PDF, Word and Excel all walk the same blocks, so they show the same figures: the
small-number suppression and quote rules of `learning.reports` reach each of them unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from learning.reports import (
    FEWER_THAN,
    SMALL_NUMBER,
    CycleReturns,
    RunReport,
    SixMonthlyReport,
    ThemeSummary,
    action_counts,
    board_columns,
)
from webapp.wording import plural

Cell = str | int | float
PRIVACY_NOTE = (
    "Quotes have personal details removed. Answers flagged as possible disclosures of harm are "
    f"never included. In breakdowns, any count under {SMALL_NUMBER} is shown as “{FEWER_THAN}”."
)


@dataclass(frozen=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True)
class Facts:
    """Name / value pairs (a GOV.UK summary list)."""

    kind: ClassVar[str] = "facts"
    rows: tuple[tuple[str, Cell], ...]
    sheet: str = "Summary"


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sheet: str
    numeric: tuple[int, ...] = ()  # right-aligned columns
    highlight: tuple[bool, ...] = ()  # rows to draw attention to (overdue actions)


@dataclass(frozen=True)
class Chart:
    """A bar chart of `table`'s value columns, one bar per row, shown beside the table."""

    kind: ClassVar[str] = "chart"
    key: str
    title: str
    description: str
    table: Table
    value_columns: tuple[int, ...] = (1,)


@dataclass(frozen=True)
class Quotes:
    kind: ClassVar[str] = "quotes"
    theme: str
    items: tuple[str, ...]


Block = Heading | Paragraph | Facts | Table | Chart | Quotes


@dataclass
class Document:
    title: str
    subtitle: str
    filename: str
    blocks: list[Block] = field(default_factory=list)


def day(value: date | datetime | None) -> str:
    """Format a date the GOV.UK way: 5 January 2026."""
    return f"{value.day} {value:%B %Y}" if value else "Not recorded"


def percent(share: float) -> str:
    return f"{round(100 * share)}%"


def run_document(report: RunReport) -> Document:
    """Lay out the theme report of one run."""
    doc = Document(
        title=f"Theme report: run {report.run_id}",
        subtitle=f"Theming run {report.run_id}, finished on {day(report.finished_at)}",
        filename=f"theme-report-run-{report.run_id}",
    )
    doc.blocks += [Heading("About this report"), Paragraph(PRIVACY_NOTE)]
    doc.blocks += run_blocks(report, level=2)
    return doc


def run_blocks(report: RunReport, *, level: int) -> list[Block]:
    """Return the blocks describing a run: what it covered, how, and its themes."""
    sub = level + 1
    between = report.answered_between
    answered = f"{day(between[0])} to {day(between[1])}" if between else "No answers"
    blocks: list[Block] = [
        Heading("What was analysed", level),
        Facts((*report.selection, ("Answers submitted", answered)), sheet="Coverage"),
        Heading("Coverage", level),
        Facts(report.coverage, sheet="Coverage"),
        _split_table("Answers and statements by stream", "Stream", report.coverage_by_stream),
        _split_table("Answers and statements by sector", "Sector", report.coverage_by_sector),
        Heading("How the themes were found", level),
        Facts(report.configuration, sheet="Configuration"),
        Heading("Themes", level),
    ]
    if not report.themes:
        blocks.append(Paragraph("This run found no themes."))
    else:
        blocks += _theme_chart(report)
    blocks += _gone_blocks(report, level)
    for number, theme in enumerate(report.themes, start=1):
        blocks += _theme_blocks(number, theme, sub)
    return blocks


def _split_table(caption: str, name: str, rows: Sequence[tuple[str, Cell, Cell]]) -> Table:
    return Table(
        caption=caption,
        header=(name, "Answers", "Statements"),
        rows=tuple(rows),
        sheet="Coverage",
        numeric=(1, 2),
    )


def _theme_chart(report: RunReport) -> list[Block]:
    table = Table(
        caption="Themes by size",
        header=("Theme", "Statements", "Share"),
        rows=tuple((t.label, t.size, percent(t.share)) for t in report.themes),
        sheet="Themes",
        numeric=(1, 2),
    )
    largest = report.themes[0]
    chart = Chart(
        key=f"run-{report.run_id}-themes",
        title=f"Number of statements in each of the {plural(len(report.themes), 'theme')}",
        description=f"Bar chart. The largest theme is “{largest.label}” with "
        f"{plural(largest.size, 'statement')}. The table beside the chart gives every figure.",
        table=table,
    )
    views = Table(
        caption="What each theme says, and its trend since the last comparable run",
        header=("Theme", "Works well", "Must change", "Neither", "Trend"),
        rows=tuple(
            (t.label, t.works_well, t.must_change, t.neutral, t.trend) for t in report.themes
        ),
        sheet="Themes",
        numeric=(1, 2, 3),
    )
    return [chart, views]


def _gone_blocks(report: RunReport, level: int) -> list[Block]:
    if report.previous_run_id is None:
        return [Paragraph("There is no earlier comparable run, so every theme is new.")]
    if not report.gone:
        return [Paragraph(f"Every theme of run {report.previous_run_id} was found again.")]
    table = Table(
        caption=f"Themes of run {report.previous_run_id} no longer found",
        header=("Theme", "What happened", "Merged into"),
        rows=tuple((g.label, g.status, g.merged_into or "") for g in report.gone),
        sheet="Themes",
    )
    return [Heading("Themes no longer found", level + 1), table]


def _theme_blocks(number: int, theme: ThemeSummary, level: int) -> list[Block]:
    previous = percent(theme.previous_share) if theme.previous_share is not None else "None"
    facts = Facts(
        (
            ("Statements", theme.size),
            ("Share of all statements", percent(theme.share)),
            ("Trend since the last run", theme.trend),
            ("Share in the last run", previous),
            ("Works well", theme.works_well),
            ("Must change", theme.must_change),
            ("Neither", theme.neutral),
            ("Keywords", ", ".join(theme.keywords) or "None"),
        ),
        sheet="Themes",
    )
    blocks: list[Block] = [Heading(f"Theme {number}: {theme.label}", level), facts]
    for name, rows in (("stream", theme.by_stream), ("sector", theme.by_sector)):
        blocks.append(
            Table(
                caption=f"“{theme.label}” by {name}",
                header=(name.capitalize(), "Statements"),
                rows=tuple(rows),
                sheet="Breakdowns",
                numeric=(1,),
            )
        )
    blocks.append(Quotes(theme.label, theme.quotes))
    return blocks


def six_monthly_document(report: SixMonthlyReport) -> Document:
    """Lay out the six-monthly quality group report."""
    period = f"{day(report.period.start)} to {day(report.period.end)}"
    doc = Document(
        title="Six-monthly quality group report",
        subtitle=period,
        filename=f"quality-group-report-{report.period.start}-to-{report.period.end}",
    )
    run = f"Theming run {report.run.run_id}" if report.run else "No theming run in the period"
    doc.blocks += [
        Heading("About this report"),
        Facts(
            (
                ("Period", period),
                ("Actions overdue as of", day(report.as_of)),
                ("Themes from", run),
                ("Rated cycles in the period", len(report.returns)),
            )
        ),
        Paragraph(PRIVACY_NOTE),
    ]
    doc.blocks += _returns_blocks(report.returns)
    doc.blocks.append(Heading("Themes and trends"))
    if report.run is None:
        doc.blocks.append(Paragraph("No theming run finished in this period."))
    else:
        doc.blocks += run_blocks(report.run, level=3)
    doc.blocks += _board_blocks(report)
    doc.blocks += _entry_blocks(report)
    doc.blocks += _action_blocks(report)
    return doc


def _returns_blocks(cycles: Sequence[CycleReturns]) -> list[Block]:
    blocks: list[Block] = [Heading("Returns and compliance")]
    if not cycles:
        return [*blocks, Paragraph("No Section 11 or Section 175 cycle was open in this period.")]
    for index, cycle in enumerate(cycles, start=1):
        table = Table(
            caption=f"Ratings by standard: {cycle.title}",
            header=("Standard", *cycle.levels),
            rows=tuple((f"{s.ref} {s.title}", *s.counts) for s in cycle.standards),
            sheet="Compliance",
            numeric=tuple(range(1, len(cycle.levels) + 1)),
        )
        blocks += [
            Heading(cycle.title, 3),
            Facts(
                (
                    ("Form", cycle.stream),
                    ("Open", f"{day(cycle.opens_on)} to {day(cycle.closes_on)}"),
                    ("Returned", f"{cycle.returned} of {cycle.expected}"),
                    ("Started but not returned", cycle.in_progress),
                ),
                sheet="Compliance",
            ),
        ]
        if not cycle.standards:
            blocks.append(Paragraph("This form has no rated standards."))
            continue
        blocks.append(
            Chart(
                key=f"cycle-{index}-ratings",
                title=f"Ratings by standard, {plural(cycle.returned, 'return')}: {cycle.title}",
                description="Stacked bar chart, one bar per standard, split by rating. "
                "The table beside the chart gives every figure.",
                table=table,
                value_columns=tuple(range(1, len(cycle.levels) + 1)),
            )
        )
    return blocks


def _board_blocks(report: SixMonthlyReport) -> list[Block]:
    blocks: list[Block] = [Heading("Created, Stabilised and Changed")]
    for column in board_columns():
        cards = [c for c in report.board if c.column == column]
        blocks.append(Heading(column, 3))
        if not cards:
            blocks.append(Paragraph(f"Nothing is placed in {column}."))
            continue
        blocks.append(
            Table(
                caption=f"{column}: in priority order",
                header=("Priority", "Item", "Kind", "Suggested", "Why", "Decided on"),
                rows=tuple(
                    (
                        c.position,
                        c.title,
                        c.kind,
                        f"{c.suggested}: {c.suggested_reason}"
                        if c.suggested_reason
                        else c.suggested,
                        c.why,
                        day(c.decided_on),
                    )
                    for c in cards
                ),
                sheet="Board",
                numeric=(0,),
            )
        )
    return blocks


def _entry_blocks(report: SixMonthlyReport) -> list[Block]:
    blocks: list[Block] = [Heading("New learning log entries")]
    if not report.entries:
        return [*blocks, Paragraph("No learning log entries were added in this period.")]
    header = (
        "Date",
        "Title",
        "Source",
        "Lesson",
        "Themes",
        "Recommended action",
        "Owner",
        "Status",
    )
    rows = tuple(
        (
            day(e.entry_date),
            e.title,
            e.source,
            e.lesson,
            e.themes,
            e.recommended_action,
            e.owner,
            e.status,
        )
        for e in report.entries
    )
    return [
        *blocks,
        Table("Learning log entries in the period", header, rows, sheet="Learning log"),
    ]


def _action_blocks(report: SixMonthlyReport) -> list[Block]:
    blocks: list[Block] = [Heading("Actions"), Facts(action_counts(report.actions), "Actions")]
    if not report.actions:
        return [*blocks, Paragraph("There were no actions open in this period.")]
    rows = tuple(
        (
            day(a.due_date),
            a.description,
            a.organisation,
            a.status,
            "Overdue" if a.is_overdue else "",
            a.updates,
            a.evidence_of_impact,
        )
        for a in report.actions
    )
    table = Table(
        caption=f"Actions open in the period, soonest due first (overdue as of "
        f"{day(report.as_of)})",
        header=("Due", "Action", "Owner", "Status", "Overdue", "Updates", "Evidence of impact"),
        rows=rows,
        sheet="Actions",
        numeric=(5,),
        highlight=tuple(a.is_overdue for a in report.actions),
    )
    return [*blocks, table]
