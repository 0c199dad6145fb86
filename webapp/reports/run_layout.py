"""The layout of one run's theme report: coverage, configuration, themes and gone themes.

Public API:
    run_document(report) -> Document
    run_blocks(report, *, level) -> list[Block] (also used by the six-monthly layout)
"""

from __future__ import annotations

from collections.abc import Sequence

from learning.run_report import RunReport, ThemeSummary
from webapp.reports.blocks import (
    PRIVACY_NOTE,
    Block,
    Cell,
    Chart,
    Document,
    Facts,
    Heading,
    Paragraph,
    Quotes,
    Table,
    day,
    percent,
)
from webapp.wording import plural


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
        blocks.append(
            Paragraph(
                f"{plural(len(report.themes), 'theme')}, largest first. Each theme is a subject;"
                " how many praise it and how many ask for change sit beside it, with quotes."
            )
        )
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
        rows=tuple((t.shown_label, t.size, percent(t.share)) for t in report.themes),
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
            (t.shown_label, t.works_well, t.must_change, t.neutral, t.trend) for t in report.themes
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
    blocks: list[Block] = [Heading(f"Theme {number}: {theme.shown_label}", level), facts]
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
    if theme.summary_line:
        blocks.append(Paragraph(theme.summary_line))
    blocks.append(Quotes(theme.label, theme.quotes))
    for tone, quotes in (("what works well", theme.praise), ("what must change", theme.criticism)):
        if quotes:
            blocks.append(Quotes(theme.label, quotes, tone=tone))
    return blocks
