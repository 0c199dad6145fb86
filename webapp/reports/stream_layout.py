"""A period report's themes per evidence stream, the subjects that recur across streams, and
the method appendix (run parameters, model, thresholds, non-answer counts).

Public API:
    stream_blocks(themes) -> list[Block]
    recurring_blocks(themes) -> list[Block]
    appendix_blocks(themes) -> list[Block]
"""

from __future__ import annotations

from learning.report_rules import SMALL_NUMBER
from learning.stream_themes import (
    MIN_SHARE,
    MIN_STATEMENTS,
    SIMILAR_CENTROIDS,
    PeriodThemes,
    StreamThemes,
)
from webapp.reports.blocks import Block, Facts, Heading, Paragraph, Quotes, Table, day
from webapp.wording import plural

QUOTED_THEMES = 3  # the largest themes of each stream are quoted


def stream_blocks(themes: PeriodThemes) -> list[Block]:
    """Each evidence stream's themes, from the latest run in the period that read it."""
    blocks: list[Block] = [Heading("Themes by evidence stream")]
    if not themes.runs:
        return [*blocks, Paragraph("No theming run finished in this period.")]
    blocks.append(
        Paragraph(
            "For each evidence stream, the themes of the latest theming run in the period that "
            "read it. Names marked “(suggested name)” were suggested by the service and not yet "
            "confirmed by the quality group. How the themes were found is in the appendix."
        )
    )
    for stream in themes.streams:
        blocks += _stream(stream)
    return blocks


def _stream(stream: StreamThemes) -> list[Block]:
    blocks: list[Block] = [Heading(stream.name, 3)]
    if stream.run_id is None:
        return [*blocks, Paragraph(f"No theming run in this period read {stream.name.lower()}.")]
    shared = (
        f"Yes: the same run is shown under {', '.join(stream.shared_with)}"
        if stream.shared_with
        else "No"
    )
    blocks.append(
        Facts(
            (
                ("Themes from", f"Theming run {stream.run_id}"),
                ("Run finished on", day(stream.finished_on)),
                ("Run also covers other streams", shared),
            ),
            sheet="Streams",
        )
    )
    if not stream.themes:
        return [*blocks, Paragraph("The run found no theme in this stream's answers.")]
    blocks.append(
        Table(
            caption=f"Themes in {stream.name.lower()}, largest first",
            header=(
                "Theme",
                "Statements from this stream",
                "All statements",
                "Works well",
                "Must change",
                "Trend",
            ),
            rows=tuple(
                (
                    t.summary.shown_label,
                    t.from_stream,
                    t.summary.size,
                    t.summary.works_well,
                    t.summary.must_change,
                    t.summary.trend,
                )
                for t in stream.themes
            ),
            sheet="Streams",
            numeric=(1, 2, 3, 4),
        )
    )
    for theme in stream.themes[:QUOTED_THEMES]:
        blocks.append(Quotes(theme.summary.label, theme.summary.quotes))
    return blocks


def recurring_blocks(themes: PeriodThemes) -> list[Block]:
    """The subjects found in more than one evidence stream."""
    blocks: list[Block] = [
        Heading("Subjects that recur across streams"),
        Paragraph(
            "A subject recurs when people in different evidence streams raise it: one theme "
            "holds statements from several streams, or themes of different runs are linked by "
            "a learning log entry or are close in meaning. Statements are counted once."
        ),
    ]
    if not themes.recurring:
        return [*blocks, Paragraph("No subject recurs across evidence streams in this period.")]
    rows = tuple(
        (
            subject.label,
            ", ".join(name for name, _ in subject.streams),
            "; ".join(f"{name}: {count}" for name, count in subject.streams),
            "; ".join(subject.themes),
            subject.how,
        )
        for subject in themes.recurring
    )
    header = ("Subject", "Streams", "Statements per stream", "Themes", "How they were linked")
    return [*blocks, Table("Subjects raised in more than one stream", header, rows, "Recurring")]


def appendix_blocks(themes: PeriodThemes) -> list[Block]:
    """The method appendix: each run's selection, coverage and configuration, and thresholds."""
    blocks: list[Block] = [
        Heading("Appendix: method and parameters"),
        Facts(
            (
                ("Similar themes: centroid cosine at least", f"{SIMILAR_CENTROIDS:.2f}"),
                ("Statements a stream needs to count in a subject", MIN_STATEMENTS),
                ("Share of a subject's statements a stream needs", f"{MIN_SHARE:.0%}"),
                ("Counts shown as “fewer than 5” below", SMALL_NUMBER),
                ("Theming runs used", len(themes.runs)),
            ),
            sheet="Method",
        ),
    ]
    for run in themes.runs:
        between = run.answered_between
        answered = f"{day(between[0])} to {day(between[1])}" if between else "No answers"
        blocks += [
            Heading(f"Theming run {run.run_id}, finished on {day(run.finished_at)}", 3),
            Facts((*run.selection, ("Answers submitted", answered)), sheet="Method"),
            Facts(run.coverage, sheet="Method"),
            Facts(run.configuration, sheet="Method"),
            Paragraph(f"{plural(len(run.themes), 'theme')} found."),
        ]
    return blocks
