"""The reviews and audits section of the quality group's reports: decisions made within the
statutory time, reviews completed, case audit findings and their actions, and how agencies
measured up against national reviews.

A section of its own so any period's report (six-monthly today, a yearly one later) lays it
out the same way: `review_blocks(section)`.

Public API:
    review_blocks(section, *, level=2) -> list[Block]
"""

from __future__ import annotations

from learning.review_report import ReviewsAndAudits
from webapp.reports.blocks import Block, Facts, Heading, Paragraph, Table, day


def review_blocks(section: ReviewsAndAudits, *, level: int = 2) -> list[Block]:
    """Lay out the reviews and audits section, headed at `level`."""
    in_time, due = section.decided_in_time
    blocks: list[Block] = [
        Heading("Case reviews and audits", level),
        Facts(
            (
                ("Decisions due, made within time", f"{in_time} of {due}"),
                ("Reviews completed", len(section.completed)),
                ("Audit findings", len(section.audit_findings)),
                ("National review findings tested", len(section.national)),
            ),
            sheet="Reviews",
        ),
        Paragraph(
            "Case reviews are named by their reference only. The national panel is notified "
            "within 5 working days and the rapid review decides within 15 working days of the "
            "partnership becoming aware of a serious incident."
        ),
    ]
    blocks += _decisions(section, level + 1)
    blocks += _completed(section, level + 1)
    blocks += _audits(section, level + 1)
    blocks += _national(section, level + 1)
    return blocks


def _decisions(section: ReviewsAndAudits, level: int) -> list[Block]:
    blocks: list[Block] = [Heading("Decisions made within time", level)]
    if not section.decisions:
        return [*blocks, Paragraph("No notification or rapid review decision fell due.")]
    rows = tuple(
        (d.reference, d.clock, day(d.due_on), day(d.met_on) if d.met_on else "Not yet", d.outcome)
        for d in section.decisions
    )
    table = Table(
        caption="Notifications and rapid review decisions due or made in the period",
        header=("Review", "Deadline", "Due", "Done", "Outcome"),
        rows=rows,
        sheet="Reviews",
        highlight=tuple(d.outcome in ("Late", "Overdue") for d in section.decisions),
    )
    return [*blocks, table]


def _completed(section: ReviewsAndAudits, level: int) -> list[Block]:
    blocks: list[Block] = [Heading("Reviews completed", level)]
    if not section.completed:
        return [*blocks, Paragraph("No rapid review or local review was completed.")]
    rows = tuple(
        (c.reference, c.what, day(c.completed_on), c.recommendations, c.actions)
        for c in section.completed
    )
    table = Table(
        caption="Reviews completed in the period",
        header=("Review", "What was completed", "On", "Recommendations", "Made actions"),
        rows=rows,
        sheet="Reviews",
        numeric=(3, 4),
    )
    return [*blocks, table]


def _audits(section: ReviewsAndAudits, level: int) -> list[Block]:
    blocks: list[Block] = [Heading("Case audit findings and their actions", level)]
    if not section.audit_findings:
        return [*blocks, Paragraph("No case audit findings were recorded.")]
    rows = tuple(
        (
            f.programme,
            day(f.held_on) if f.held_on else "Whole programme",
            f.kind,
            f.text,
            f.learning or "Not in the learning log",
            "; ".join(f.actions) or "None",
        )
        for f in section.audit_findings
    )
    table = Table(
        caption="Case audit findings recorded in the period",
        header=("Programme", "Audit day", "Kind", "Finding", "Learning log", "Actions"),
        rows=rows,
        sheet="Audits",
    )
    return [*blocks, table]


def _national(section: ReviewsAndAudits, level: int) -> list[Block]:
    blocks: list[Block] = [Heading("National reviews: how agencies measured up", level)]
    if not section.national:
        return [*blocks, Paragraph("No national review has been tested against yet.")]
    rows = tuple(
        (
            f"{n.review} ({n.publisher}, {day(n.published_on)})",
            f"{n.number}. {n.statement}",
            f"{n.answered} of {n.asked}",
            n.in_place,
            n.partly_in_place,
            n.not_in_place,
            n.actions,
        )
        for n in section.national
    )
    table = Table(
        caption="Agencies' answers to each national review finding",
        header=(
            "Review",
            "Finding",
            "Answered",
            "In place",
            "Partly in place",
            "Not in place",
            "Gaps made actions",
        ),
        rows=rows,
        sheet="National reviews",
        numeric=(3, 4, 5, 6),
    )
    return [*blocks, table]
