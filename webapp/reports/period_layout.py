"""The layout of a period report: the six-monthly quality group report and the yearly report.

Public API:
    period_document(report) -> Document
    sign_off_line(sign_off) -> str, DRAFT

An unsigned report says DRAFT at its top and at its end, in every format; a signed-off one
ends with the chair's sign-off. The run parameters, model and thresholds live in the method
appendix (`stream_layout.appendix_blocks`), never in the body.
"""

from __future__ import annotations

from collections.abc import Sequence

from learning.narratives import SignOff
from learning.period_report import PeriodReport, action_counts, board_columns
from learning.report_models import ReportKind
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
from webapp.reports.stream_layout import appendix_blocks, recurring_blocks, stream_blocks
from webapp.reports.training_layout import training_blocks
from webapp.wording import plural

DRAFT = "Draft — not signed off"
TITLES = {
    ReportKind.SIX_MONTHLY: ("Six-monthly quality group report", "quality-group-report"),
    ReportKind.YEARLY: ("Yearly report of the safeguarding partnership", "yearly-report"),
}


def sign_off_line(sign_off: SignOff) -> str:
    """Return the line that ends a signed-off report."""
    return (
        f"Signed off by {sign_off.chair_name}, {sign_off.chair_role}, on {day(sign_off.signed_on)}"
    )


def period_document(report: PeriodReport) -> Document:
    """Lay out a six-monthly or yearly report."""
    period = f"{day(report.period.start)} to {day(report.period.end)}"
    title, slug = TITLES[report.kind]
    doc = Document(
        title=title,
        subtitle=period if report.is_signed_off else f"{period}. {DRAFT}",
        filename=f"{slug}-{report.period.start}-to-{report.period.end}",
    )
    sign_off = report.narrative.sign_off
    status = sign_off_line(sign_off) if sign_off else DRAFT
    streams = [s.name for s in report.themes.streams if s.run_id is not None]
    doc.blocks += [
        Heading("About this report"),
        Facts(
            (
                ("Period", period),
                ("Status", status),
                ("Actions overdue as of", day(report.as_of)),
                ("Evidence streams with themes", ", ".join(streams) or "None"),
                ("Rated cycles in the period", len(report.returns)),
            )
        ),
        Paragraph(PRIVACY_NOTE),
    ]
    if sign_off is None:
        doc.blocks.insert(0, Paragraph(f"{DRAFT}. The chair has not signed off this report."))
    doc.blocks += _written_blocks(report)
    doc.blocks += stream_blocks(report.themes)
    doc.blocks += recurring_blocks(report.themes)
    if report.kind is ReportKind.YEARLY:
        doc.blocks += training_blocks(report.training)
    doc.blocks += _returns_blocks(report.returns)
    for title_, found in report.triangulations:
        if found.is_asked:
            doc.blocks += triangulation_blocks(found, title=f"Triangulation: {title_}")
    doc.blocks += _board_blocks(report)
    doc.blocks += _entry_blocks(report)
    doc.blocks += _action_blocks(report)
    if report.kind is ReportKind.YEARLY:
        doc.blocks += _completed_blocks(report)
    doc.blocks += review_blocks(report.reviews)
    doc.blocks += appendix_blocks(report.themes)
    doc.blocks += [Heading("Sign-off"), Paragraph(f"{status}.")]
    return doc


def _written_blocks(report: PeriodReport) -> list[Block]:
    """The group's own sections, a paragraph per line they typed."""
    blocks: list[Block] = []
    for heading, text in report.narrative.sections:
        blocks.append(Heading(heading))
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        blocks += [Paragraph(line) for line in lines] or [
            Paragraph("The quality group has not written this section yet.")
        ]
    return blocks


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


def _board_blocks(report: PeriodReport) -> list[Block]:
    blocks: list[Block] = [
        Heading("Created, Stabilised and Changed"),
        Paragraph(f"The board as at {day(report.period.end)}."),
    ]
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


def _entry_blocks(report: PeriodReport) -> list[Block]:
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


def _action_blocks(report: PeriodReport) -> list[Block]:
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


def _completed_blocks(report: PeriodReport) -> list[Block]:
    blocks: list[Block] = [Heading("Actions completed in the year, and their impact")]
    if not report.completed:
        return [*blocks, Paragraph("No action was completed in this period.")]
    rows = tuple(
        (
            day(a.completed_on),
            a.description,
            a.organisation,
            a.evidence_of_impact or "No evidence of impact recorded",
        )
        for a in report.completed
    )
    header = ("Completed on", "Action", "Owner", "Evidence of impact")
    return [*blocks, Table("Actions completed in the period", header, rows, sheet="Actions")]
