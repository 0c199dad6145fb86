"""The blocks a report is laid out in, which every format renders the same way.

Public API:
    Heading, Paragraph, Facts, Table, Chart, Quotes, Block, Cell, Document
    PRIVACY_NOTE, day(value) -> "5 January 2026", percent(share) -> "42%"

HTML, PDF, Word and Excel all walk the same blocks, so they show the same figures: the
small-number suppression and quote rules of `learning.report_rules` reach each of them
unchanged. The layouts are run_layout (one run's theme report), period_layout (the
six-monthly and yearly reports) and findings_layout (a cycle's findings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from learning.report_rules import FEWER_THAN, SMALL_NUMBER

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
    tone: str = ""  # "what works well" / "what must change"; "" for the theme's own quotes
    empty: str = "No quotes can be shared for this theme."

    @property
    def title(self) -> str:
        said = f"What people said about “{self.theme}”"
        return f"{said}: {self.tone}" if self.tone else said


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
    """Format a share as a whole percentage."""
    return f"{round(100 * share)}%"
