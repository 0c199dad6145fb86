"""The training dashboard's tables (shown, and exported as CSV or Excel) and its bar charts.

Public API:
    scope_of(member) -> int | None: the organisation whose staff's figures a member may see
        (None: everyone's, for the partnership's admins, quality group and training leads)
    HEADER; dashboard_rows(dashboard) -> list[Sheet]: one table per breakdown
    table_params(sheets) -> list[dict]: the same tables as govukTable's parameters
    confidence_bars(groups) -> list[ConfidenceBar]: before, after and at follow-up per group
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveys.models import Membership, Role
from surveys.spreadsheets import Sheet
from surveys.training.figures import Dashboard, Group

HEADER = (
    "Group",
    "Attended",
    "Evaluated",
    "Relevance (out of 5)",
    "Overall rating (out of 5)",
    "Confidence before (out of 5)",
    "Answering",
    "Confidence after",
    "Answering",
    "Confidence at follow-up",
    "Answering",
    "Change by follow-up",
    "Answering",
    "Follow-ups sent",
    "Follow-ups answered",
    "Follow-up response rate (%)",
    "Said what changed in practice",
    "With their manager",
)
BARRIER_LABELS = {
    "time": "Not enough time",
    "caseload": "Caseload or workload",
    "management_support": "Not enough support from managers",
    "systems": "Systems, processes or paperwork",
    "other_agencies": "Working with other agencies",
    "no_opportunity": "No opportunity to use it yet",
    "none": "Nothing made it harder",
}
SCALE = 5  # confidence levels run 1 to 5
BAR_WIDTH = 240


def scope_of(member: Membership) -> int | None:
    """Return the member's organisation when they may see only its staff's figures."""
    if member.roles & {Role.PARTNERSHIP_ADMIN, Role.QUALITY_GROUP, Role.TRAINING_LEAD}:
        return None
    return member.organisation_id or -1  # no organisation: nobody's figures


def _row(group: Group) -> list[object]:
    c = group.confidence
    return [
        group.label,
        group.attended,
        group.evaluated,
        group.relevance,
        group.quality,
        c.before,
        c.before_n,
        c.after,
        c.after_n,
        c.follow_up,
        c.follow_up_n,
        c.change,
        c.change_n,
        group.follow_ups_sent,
        group.follow_ups_answered,
        group.response_rate,
        group.practice_changed,
        group.with_manager,
    ]


def dashboard_rows(dashboard: Dashboard) -> list[Sheet]:
    """Return the overall figures and each breakdown as a table."""
    tables = (
        ("Overall", (dashboard.overall,)),
        ("By course", dashboard.by_course),
        ("By session", dashboard.by_session),
        ("By organisation", dashboard.by_organisation),
        ("By sector", dashboard.by_sector),
    )
    return [Sheet(title, HEADER, [_row(g) for g in groups]) for title, groups in tables]


def _text(value: object) -> str:
    return "–" if value is None else str(value)


def table_params(sheets: Sequence[Sheet]) -> list[dict[str, object]]:
    """Return each table as govukTable's parameters (every cell as text)."""
    return [
        {
            "title": sheet.title,
            "caption": f"Training figures, {sheet.title.lower()}",
            "classes": "govuk-table--small-text-until-tablet",
            "head": [{"text": name} for name in sheet.header],
            "rows": [[{"text": _text(value)} for value in row] for row in sheet.rows],
        }
        for sheet in sheets
    ]


@dataclass(frozen=True)
class Bar:
    name: str
    value: float
    width: float
    y: int


@dataclass(frozen=True)
class ConfidenceBar:
    label: str
    bars: tuple[Bar, ...]
    height: int


def confidence_bars(groups: Sequence[Group]) -> list[ConfidenceBar]:
    """Return before / after / follow-up bars (out of 5) for each group with figures shown."""
    charts = []
    for group in groups:
        c = group.confidence
        parts = [
            (name, value)
            for name, value in (
                ("Before", c.before),
                ("After", c.after),
                ("Follow-up", c.follow_up),
            )
            if value is not None
        ]
        if not parts:
            continue
        bars = tuple(
            Bar(name, value, round(BAR_WIDTH * value / SCALE, 1), 4 + 26 * i)
            for i, (name, value) in enumerate(parts)
        )
        charts.append(ConfidenceBar(group.label, bars, 8 + 26 * len(bars)))
    return charts
