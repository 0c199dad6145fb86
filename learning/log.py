"""The learning log: entries, their linked themes and evidence, search, CSV/XLSX export.

A theme linked to an entry is snapshotted at link time (label, counts, run, up to five
redacted quotes) so the evidence behind a lesson does not change when later runs do; the
link itself follows the theme's lineage key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from learning.errors import InvalidInput, NotFound
from learning.models import (
    EntryStatus,
    EntryTheme,
    LearningEntry,
    SourceKind,
    Theme,
    ThemeStatement,
)
from learning.themes import get_theme, polarity_split, quotes_of, statements_of
from surveys import organisations
from surveys.models import Organisation, User, utcnow
from surveys.spreadsheets import Row, Sheet, write_csv, write_xlsx
from surveys.streams import stream_label

log = logging.getLogger(__name__)
SNAPSHOT_QUOTES = 5
EXPORT_HEADER = [
    "Entry",
    "Title",
    "Lesson",
    "Source",
    "Stream",
    "Cycle",
    "Date",
    "Linked themes",
    "Statements",
    "Organisations",
    "Recommended action",
    "Owner",
    "Status",
    "Review date",
]


@dataclass
class EntryDetails:
    """What a person writes in a learning log entry's form."""

    title: str
    lesson: str = ""
    source_kind: SourceKind = SourceKind.STREAM
    source_stream: str | None = None
    source_cycle_id: int | None = None
    source_detail: str = ""
    entry_date: date | None = None
    recommended_action: str = ""
    owner: str = ""
    status: EntryStatus = EntryStatus.OPEN
    review_date: date | None = None
    organisation_ids: list[int] = field(default_factory=list)
    case_review_id: int | None = None  # kept when an edit does not name one
    audit_finding_id: int | None = None  # kept when an edit does not name one


def _check(details: EntryDetails) -> None:
    if not details.title.strip():
        raise InvalidInput("Enter a title for the learning")
    if len(details.title.strip()) > 200:
        raise InvalidInput("The title must be 200 characters or fewer")
    if details.source_kind is SourceKind.STREAM and not details.source_stream:
        raise InvalidInput("Select the evidence stream the learning came from")
    if details.source_kind is SourceKind.OTHER and not details.source_detail.strip():
        raise InvalidInput("Say where the learning came from")


def _apply(session: Session, entry: LearningEntry, details: EntryDetails) -> None:
    entry.title = details.title.strip()
    entry.lesson = details.lesson.strip()
    entry.source_kind = details.source_kind
    entry.source_stream = details.source_stream
    entry.source_cycle_id = details.source_cycle_id
    entry.source_detail = details.source_detail.strip()
    entry.entry_date = details.entry_date or utcnow().date()
    entry.recommended_action = details.recommended_action.strip()
    entry.owner = details.owner.strip()
    entry.status = details.status
    entry.review_date = details.review_date
    ids = list(dict.fromkeys(details.organisation_ids))
    found = [o for o in organisations.list_organisations(session) if o.id in ids]
    if len(found) != len(ids):  # only organisations serving this partnership
        raise InvalidInput("Select organisations from the list")
    entry.organisations = found
    if details.case_review_id is not None:
        entry.case_review_id = details.case_review_id
    if details.audit_finding_id is not None:
        entry.audit_finding_id = details.audit_finding_id
    entry.updated_at = utcnow()


def create_entry(session: Session, details: EntryDetails, *, created_by: User) -> LearningEntry:
    """Add an entry to the learning log."""
    _check(details)
    entry = LearningEntry(created_by_id=created_by.id)
    _apply(session, entry, details)
    session.add(entry)
    session.commit()
    log.info("learning entry created entry_id=%s", entry.id)
    return entry


def update_entry(session: Session, entry_id: int, details: EntryDetails) -> LearningEntry:
    """Change an entry's details (its linked themes stay)."""
    _check(details)
    entry = get_entry(session, entry_id)
    _apply(session, entry, details)
    session.commit()
    return entry


def get_entry(session: Session, entry_id: int) -> LearningEntry:
    """Return an entry or raise NotFound."""
    entry = session.get(LearningEntry, entry_id)
    if entry is None:
        raise NotFound("There is no learning log entry with that number.")
    return entry


def describe_source(entry: LearningEntry) -> str:
    """Say where an entry's learning came from, as reports print it."""
    if entry.source_kind is SourceKind.STREAM:
        source = ", ".join(stream_label(s) for s in (entry.source_stream or "").split(","))
    else:
        source = entry.source_kind.value.replace("_", " ").capitalize()
    detail = entry.source_detail
    if detail.lower().startswith(source.lower()):  # "Case review RR-2026-014" says it all
        return detail
    return f"{source} ({detail})" if detail else source


def link_theme(session: Session, entry_id: int, theme_id: int) -> EntryTheme:
    """Link a theme to an entry with a snapshot of its evidence (relinking refreshes it)."""
    entry = get_entry(session, entry_id)
    link = _snapshot_link(session, entry, get_theme(session, theme_id))
    session.commit()
    return link


def _snapshot_link(session: Session, entry: LearningEntry, theme: Theme) -> EntryTheme:
    if theme.lineage_key is None:
        raise InvalidInput("Only a theme, not a sub-theme, can be linked to the learning log")
    split = polarity_split(statements_of(session, theme))
    quotes: list[ThemeStatement] = quotes_of(session, theme)[:SNAPSHOT_QUOTES]
    link = next((t for t in entry.themes if t.lineage_key == theme.lineage_key), None)
    if link is None:
        link = EntryTheme(lineage_key=theme.lineage_key)
    link.run_id, link.theme_id, link.label = theme.run_id, theme.id, theme.label
    link.size, link.share = theme.size, theme.share
    link.must_change, link.works_well = split.must_change, split.works_well
    link.quotes = [q.text for q in quotes]
    link.quote_ids = [q.id for q in quotes]
    link.linked_at = utcnow()
    if link not in entry.themes:
        entry.themes.append(link)
    return link


def unlink_theme(session: Session, entry_id: int, lineage_key: str) -> None:
    """Remove a theme link from an entry."""
    entry = get_entry(session, entry_id)
    entry.themes = [t for t in entry.themes if t.lineage_key != lineage_key]
    session.commit()


def create_entry_from_theme(session: Session, theme_id: int, *, created_by: User) -> LearningEntry:
    """Promote a theme into a new entry in one step: its name, source, evidence and quotes."""
    theme = get_theme(session, theme_id)
    statements = statements_of(session, theme)
    streams = sorted({s.stream for s in statements})
    cycles = sorted({s.cycle_id for s in statements})
    organisations = sorted({s.organisation_id for s in statements if s.organisation_id})
    details = EntryDetails(
        title=theme.label,
        lesson="",
        source_stream=streams[0] if len(streams) == 1 else ",".join(streams)[:32] or None,
        source_cycle_id=cycles[0] if len(cycles) == 1 else None,
        source_detail=f"Theming run {theme.run_id}",
        organisation_ids=organisations,
    )
    if not details.source_stream:
        details.source_kind, details.source_detail = SourceKind.OTHER, f"Theming run {theme.run_id}"
    entry = LearningEntry(created_by_id=created_by.id)
    _apply(session, entry, details)
    session.add(entry)
    _snapshot_link(session, entry, theme)
    session.commit()
    log.info("learning entry from theme entry_id=%s theme_id=%s", entry.id, theme.id)
    return entry


def search_entries(
    session: Session,
    *,
    text: str | None = None,
    stream: str | None = None,
    status: EntryStatus | str | None = None,
    organisation_id: int | None = None,
) -> list[LearningEntry]:
    """Find entries by words in their title, lesson or action, and by filters; newest first."""
    query = select(LearningEntry).options(
        selectinload(LearningEntry.themes), selectinload(LearningEntry.organisations)
    )
    for word in (text or "").split():
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                LearningEntry.title.ilike(pattern),
                LearningEntry.lesson.ilike(pattern),
                LearningEntry.recommended_action.ilike(pattern),
                LearningEntry.owner.ilike(pattern),
            )
        )
    if stream:
        query = query.where(LearningEntry.source_stream.contains(stream))
    if status:
        query = query.where(LearningEntry.status == EntryStatus(status))
    if organisation_id is not None:
        query = query.where(LearningEntry.organisations.any(Organisation.id == organisation_id))
    order = (LearningEntry.entry_date.desc(), LearningEntry.id.desc())
    return list(session.scalars(query.order_by(*order)))


def export_rows(entries: Sequence[LearningEntry]) -> tuple[list[str], list[Row]]:
    """Return the header and one row per entry for CSV or XLSX (quotes are not exported)."""
    rows: list[Row] = []
    for entry in entries:
        rows.append(
            [
                entry.id,
                entry.title,
                entry.lesson,
                entry.source_kind.value if entry.source_kind is not SourceKind.STREAM else "stream",
                entry.source_stream or "",
                entry.source_cycle_id,
                entry.entry_date.isoformat(),
                "; ".join(t.label for t in entry.themes),
                sum(t.size for t in entry.themes),
                "; ".join(o.name for o in entry.organisations),
                entry.recommended_action,
                entry.owner,
                entry.status.value,
                entry.review_date.isoformat() if entry.review_date else "",
            ]
        )
    return list(EXPORT_HEADER), rows


def export_csv(entries: Sequence[LearningEntry]) -> bytes:
    """Write the entries as CSV (UTF-8 with BOM, formula-like text made inert)."""
    return write_csv(*export_rows(entries))


def export_xlsx(entries: Sequence[LearningEntry]) -> bytes:
    """Write the entries as an Excel workbook whose text can never run as a formula."""
    header, rows = export_rows(entries)
    return write_xlsx([Sheet("Learning log", header, rows)])
