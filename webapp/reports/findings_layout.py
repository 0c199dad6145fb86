"""The layout of a cycle's Section 11 / 175 findings report: one outline for every format.

Public API:
    findings_document(report) -> Document
"""

from __future__ import annotations

from learning.findings import A_SCHOOL, FindingsReport
from learning.period_report import action_counts
from surveys.partnership_view import CHANGE_LABELS, Change
from surveys.small_groups import FEWER_THAN, SMALL_NUMBER
from surveys.triangulation import DISAGREEMENT_RULE, CycleTriangulation
from webapp.reports.blocks import Block, Chart, Document, Facts, Heading, Paragraph, Table, day
from webapp.wording import plural

FINDINGS_NOTE = (
    "Ratings are the organisations’ own (self-ratings) beside the ratings the partnership’s "
    "reviewers moderated after scrutiny. The change since last cycle compares each "
    "self-rating with the organisation’s own in its return to the previous cycle of this form. "
    f"So that no figure says how one school did, any count that covers a school and is under "
    f"{SMALL_NUMBER} is shown as “{FEWER_THAN}”, ratings over fewer than {SMALL_NUMBER} "
    "organisations including a school are not summarised, and no school is named."
)


def findings_document(report: FindingsReport) -> Document:
    """Lay out the findings report of one cycle."""
    doc = Document(
        title=f"{report.form} findings report",
        subtitle=f"{report.title}: open {day(report.opens_on)} to {day(report.closes_on)}",
        filename=f"findings-report-cycle-{report.cycle_id}",
    )
    doc.blocks += [
        Heading("About this report"),
        Facts(
            (
                ("Cycle", report.title),
                ("Form", report.form),
                ("Open", f"{day(report.opens_on)} to {day(report.closes_on)}"),
                ("Figures as of", day(report.as_of)),
            )
        ),
        Paragraph(FINDINGS_NOTE),
    ]
    doc.blocks += _returns_blocks(report)
    doc.blocks += _ratings_blocks(report)
    doc.blocks += _theme_blocks(report)
    doc.blocks += _challenge_blocks(report)
    doc.blocks += _action_blocks(report)
    doc.blocks += triangulation_blocks(report.triangulation)
    return doc


def triangulation_blocks(
    found: CycleTriangulation,
    *,
    title: str = "Triangulation: ratings beside what practitioners say",
) -> list[Block]:
    """The triangulation section: the rule, and each standard it flags (any report)."""
    blocks: list[Block] = [Heading(title)]
    if not found.is_asked:
        return [*blocks, Paragraph("No practitioner consultation asks about these standards.")]
    counted = [
        t
        for t in found.returns
        if any(
            p.is_shown and not p.is_children_and_families
            for s in t.standards
            for p in s.practitioners
        )
    ]
    heard = [
        t
        for t in found.returns
        if any(
            p.is_shown and p.is_children_and_families for s in t.standards for p in s.practitioners
        )
    ]
    blocks += [
        Paragraph(DISAGREEMENT_RULE),
        Facts(
            (
                ("Returns set beside practitioners’ answers", len(counted)),
                ("Returns set beside children’s and families’ answers", len(heard)),
                ("Standards flagged", len(found.flagged)),
            ),
            sheet="Triangulation",
        ),
    ]
    if not found.flagged:
        return [
            *blocks,
            Paragraph("No standard’s rating disagrees with what its practitioners say."),
        ]
    rows = tuple(
        (
            A_SCHOOL if t.is_school else t.organisation,
            f"{s.ref} {s.title}",
            s.moderated_rating or s.self_rating,
            f"{p.source.capitalize()}: {p.question}",
            p.answered,
            f"{p.not_met_share}%",
        )
        for t, s in found.flagged
        for p in s.practitioners
        if p.disagrees
    )
    table = Table(
        caption="Standards rated met that most of the organisation’s practitioners (or the "
        "children and families its service helps) say are not met in practice",
        header=(
            "Organisation",
            "Standard",
            "Rating",
            "Question",
            "Answering",
            "Say not met",
        ),
        rows=rows,
        sheet="Triangulation",
        numeric=(4, 5),
        highlight=tuple(True for _ in rows),
    )
    return [*blocks, table]


def _returns_blocks(report: FindingsReport) -> list[Block]:
    rate = report.rate
    return [
        Heading("Returns by deadline"),
        Facts(
            (
                ("Organisations asked", rate.expected),
                ("Returned on time", rate.on_time),
                ("Returned late", rate.late),
                ("Not returned yet", rate.outstanding),
                ("Not returned and past the deadline", rate.overdue),
            ),
            sheet="Returns",
        ),
        Paragraph(
            "On time means submitted by the cycle’s deadline or the later one the partnership "
            "gave that organisation."
        ),
    ]


def _ratings_blocks(report: FindingsReport) -> list[Block]:
    grid = report.grid
    blocks: list[Block] = [Heading("Ratings by standard")]
    if not grid.standards:
        return [*blocks, Paragraph("This form has no rated standards.")]
    blocks.append(Paragraph(f"From {plural(grid.returned, 'submitted return')}."))
    if grid.suppressed:
        return [*blocks, Paragraph(f"{grid.suppressed}: the ratings are not summarised.")]
    numeric = tuple(range(1, len(grid.columns) + 1))
    titles = dict(grid.standards)
    self_table = Table(
        caption="Self-ratings by standard",
        header=("Standard", *grid.columns),
        rows=tuple((f"{s.ref} {titles[s.ref]}", *s.self_counts) for s in grid.summaries),
        sheet="Ratings",
        numeric=numeric,
    )
    moderated = Table(  # a moderated rating is never "not answered"
        caption="Moderated ratings by standard (where a reviewer recorded one)",
        header=("Standard", *grid.columns[:-1]),
        rows=tuple((f"{s.ref} {titles[s.ref]}", *s.moderated_counts[:-1]) for s in grid.summaries),
        sheet="Moderated ratings",
        numeric=numeric[:-1],
    )
    change = Table(
        caption="Change in self-rating since last cycle",
        header=("Standard", *(CHANGE_LABELS[c] for c in Change)),
        rows=tuple((f"{s.ref} {titles[s.ref]}", *s.changes) for s in grid.summaries),
        sheet="Change",
        numeric=tuple(range(1, len(Change) + 1)),
    )
    if all(isinstance(v, int) for row in self_table.rows for v in row[1:]):
        blocks.append(
            Chart(
                key=f"cycle-{report.cycle_id}-self-ratings",
                title=f"Self-ratings by standard, {plural(grid.returned, 'return')}",
                description="Stacked bar chart, one bar per standard, split by self-rating. "
                "The table with the chart gives every figure.",
                table=self_table,
                value_columns=numeric,
            )
        )
    else:
        blocks.append(self_table)
    blocks += [moderated, Heading("Change since last cycle"), change]
    if not grid.has_previous:
        blocks.append(
            Paragraph("No organisation has a return in an earlier cycle of this form yet.")
        )
    return blocks


def _theme_blocks(report: FindingsReport) -> list[Block]:
    blocks: list[Block] = [Heading("Themes from the free text")]
    if report.run_id is None:
        return [
            *blocks,
            Paragraph("No themes yet: no theming run has read this cycle’s answers."),
        ]
    blocks.append(
        Paragraph(
            f"From theming run {report.run_id}, finished on {day(report.run_finished_on)}: "
            "the latest that read this cycle’s answers. Counts are of this cycle’s statements."
        )
    )
    if not report.themes:
        return [*blocks, Paragraph("None of this cycle’s statements fell in a theme.")]
    table = Table(
        caption="Themes in this cycle’s answers, most statements first",
        header=("Theme", "Statements", "Works well", "Must change", "Trend"),
        rows=tuple(
            (t.label, t.statements, t.works_well, t.must_change, t.trend) for t in report.themes
        ),
        sheet="Themes",
        numeric=(1, 2, 3),
    )
    return [*blocks, table]


def _challenge_blocks(report: FindingsReport) -> list[Block]:
    blocks: list[Block] = [
        Heading("Challenges and their outcomes"),
        Facts(report.challenge_counts, sheet="Challenges"),
    ]
    if not report.challenges:
        return [*blocks, Paragraph("No challenges were raised on this cycle’s returns.")]
    table = Table(
        caption="Each challenge, oldest first",
        header=("Organisation", "Standard", "Kind", "Raised on", "Status", "Outcome"),
        rows=tuple(
            (c.organisation, c.standard, c.kind, day(c.raised_on), c.status, c.outcome)
            for c in report.challenges
        ),
        sheet="Challenges",
    )
    return [*blocks, table]


def _action_blocks(report: FindingsReport) -> list[Block]:
    blocks: list[Block] = [Heading("Actions and their status")]
    if not report.actions:
        return [*blocks, Paragraph(report.actions_note)]
    table = Table(
        caption=f"Actions from this cycle’s scrutiny, soonest due first (overdue as of "
        f"{day(report.as_of)})",
        header=("Due", "Action", "Owner", "Status", "Overdue", "Updates", "Evidence of impact"),
        rows=tuple(
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
        ),
        sheet="Actions",
        numeric=(5,),
        highlight=tuple(a.is_overdue for a in report.actions),
    )
    return [*blocks, Facts(action_counts(report.actions), "Actions"), table]
