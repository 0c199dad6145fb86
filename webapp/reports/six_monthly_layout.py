"""The layout of the six-monthly quality group report.

Public API:
    six_monthly_document(report) -> Document
"""

from __future__ import annotations

from collections.abc import Sequence

from learning.six_monthly import SixMonthlyReport, action_counts, board_columns
from surveys.returns import CycleReturns
from webapp.reports.blocks import (
    PRIVACY_NOTE,
    Block,
    Chart,
    Document,
    Facts,
    Heading,
    Paragraph,
    Table,
    day,
)
from webapp.reports.findings_layout import triangulation_blocks
from webapp.reports.review_layout import review_blocks
from webapp.reports.run_layout import run_blocks
from webapp.wording import plural


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
    for title, found in report.triangulations:
        if found.is_asked:
            doc.blocks += triangulation_blocks(found, title=f"Triangulation: {title}")
    doc.blocks.append(Heading("Themes and trends"))
    if report.run is None:
        doc.blocks.append(Paragraph("No theming run finished in this period."))
    else:
        doc.blocks += run_blocks(report.run, level=3)
    doc.blocks += _board_blocks(report)
    doc.blocks += _entry_blocks(report)
    doc.blocks += _action_blocks(report)
    doc.blocks += review_blocks(report.reviews)
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
