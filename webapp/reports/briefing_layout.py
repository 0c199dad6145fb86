"""Lay out a learning briefing (`learning.briefing.Briefing`) as one page of report blocks.

The sections follow the partnerships' "7-minute briefings": what it is about, why it matters,
what we learned, what to do differently, questions to reflect on, what the partnership is
doing, the evidence, where to find out more. The PDF prints it with the `app-briefing` rules
of reports.css (`PRINT_CLASS`), which keep the longest allowed briefing on one A4 page.

Public API: `briefing_document(briefing) -> Document`, `PRINT_CLASS`.
"""

from __future__ import annotations

from learning.briefing import Briefing
from webapp.reports.blocks import (
    Block,
    Document,
    Facts,
    Heading,
    Paragraph,
    Quotes,
    Table,
    day,
)

PRINT_CLASS = "app-briefing"
QUOTES_NOTE = (
    "Quotes have personal details removed; answers flagged as possible disclosures of harm are "
    "never included."
)
SECTIONS = (
    "Why it matters",
    "What we learned",
    "What to do differently",
    "Questions to reflect on",
    "What the partnership is doing",
    "The evidence",
    "Find out more",
)


def briefing_document(briefing: Briefing) -> Document:
    """Lay out one entry's learning briefing."""
    why, learned, do, questions, doing, evidence, more = SECTIONS
    review = day(briefing.review_date) if briefing.review_date else "a date not yet set"
    blocks: list[Block] = [
        Facts(
            (
                ("What this is about", briefing.source),
                ("Date", f"{day(briefing.entry_date)}; review by {review}"),
            )
        ),
        Heading(why, 3),
        Paragraph(briefing.why),
        Heading(learned, 3),
        Paragraph(briefing.lesson),
        Heading(do, 3),
        Paragraph(briefing.do),
        Heading(questions, 3),
        *(Paragraph(f"{n}. {q}") for n, q in enumerate(briefing.questions, start=1)),
        Heading(doing, 3),
        *_doing(briefing),
        Heading(evidence, 3),
        *_evidence(briefing),
        Heading(more, 3),
        Paragraph(briefing.more),
        Paragraph(_footer(briefing)),
    ]
    return Document(
        title=briefing.title,
        subtitle=f"Learning briefing for practitioners from {briefing.partnership}",
        filename=f"learning-briefing-{briefing.entry_id}",
        blocks=blocks,
    )


def _doing(briefing: Briefing) -> list[Block]:
    lead = f"Led by {briefing.owner}. " if briefing.owner else ""
    blocks: list[Block] = [Paragraph(f"{lead}Status: {briefing.status}.")]
    if briefing.board:
        blocks.append(Paragraph(f"Priority: {briefing.board}"))
    if not briefing.actions:
        blocks.append(Paragraph("No actions have been agreed yet."))
        return blocks
    rows = tuple((a.description, a.organisation, day(a.due), a.status) for a in briefing.actions)
    blocks.append(
        Table(
            caption="Actions",
            header=("Action", "Organisation", "Due", "Status"),
            rows=rows,
            sheet="Actions",
            highlight=tuple(a.status == "Overdue" for a in briefing.actions),
        )
    )
    if briefing.more_actions:
        blocks.append(
            Paragraph(f"And {briefing.more_actions} more on the partnership’s list of actions.")
        )
    return blocks


def _evidence(briefing: Briefing) -> list[Block]:
    blocks: list[Block] = []
    involved = (
        f" Organisations involved: {briefing.organisations}." if briefing.organisations else ""
    )
    if briefing.themes:
        noun = "statement" if briefing.statements == 1 else "statements"
        blocks.append(
            Paragraph(f"{briefing.statements} {noun} in the themes linked to it.{involved}")
        )
        rows = tuple(
            (t.shown_label, t.statements, t.must_change, t.works_well) for t in briefing.themes
        )
        header = ("Theme", "Statements", "Must change", "Works well")
        blocks.append(Table("Themes", header, rows, sheet="Evidence", numeric=(1, 2, 3)))
    else:
        blocks.append(Paragraph(f"From {briefing.source}.{involved}"))
    for theme, quote in briefing.quotes:
        blocks.append(Quotes(theme, (quote,)))
    return blocks


def _footer(briefing: Briefing) -> str:
    review = f" Review by {day(briefing.review_date)}." if briefing.review_date else ""
    shortened = (
        f" Shortened to fit one page: the full entry is number {briefing.entry_id} in the "
        "learning log."
        if briefing.is_shortened
        else ""
    )
    privacy = f" {QUOTES_NOTE}" if briefing.quotes else ""
    return f"{briefing.partnership}, {day(briefing.entry_date)}.{review}{shortened}{privacy}"
