"""What case audits teach: an audit finding becomes a learning log entry.

The entry's source is the case audit stream, its detail the programme and day, and it links
back to the finding (`LearningEntry.audit_finding_id`). Only case references ever travel with
findings, never a child's details.

Public API:
    entry_from_finding(session, finding_id, *, title, created_by) -> LearningEntry
    entries_by_finding(session, programme) -> dict[int, LearningEntry]
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import log
from learning.errors import NotFound
from learning.models import LearningEntry, SourceKind
from surveys.case_audits.programmes import get_finding
from surveys.errors import AuditNotFound
from surveys.models import AuditProgramme, FindingKind, User

logger = logging.getLogger(__name__)


def entry_from_finding(
    session: Session, finding_id: int, *, title: str, created_by: User
) -> LearningEntry:
    """Add a finding to the learning log (once: a repeat returns the entry it became)."""
    try:
        finding = get_finding(session, finding_id)
    except AuditNotFound as error:
        raise NotFound(str(error)) from None
    existing = session.scalar(
        select(LearningEntry).where(LearningEntry.audit_finding_id == finding.id)
    )
    if existing is not None:
        return existing
    where = f"Case audits: {finding.programme.title}"
    if finding.day is not None:
        where += f", audit day {finding.day.held_on:%-d %B %Y} ({finding.day.topic})"
    entry = log.create_entry(
        session,
        log.EntryDetails(
            title=title,
            lesson=finding.text,
            source_kind=SourceKind.STREAM,
            source_stream="case_audit",
            source_detail=f"{where}: {finding.kind.label.lower()}"[:300],
            recommended_action=finding.text if finding.kind is FindingKind.AREA_TO_IMPROVE else "",
            audit_finding_id=finding.id,
        ),
        created_by=created_by,
    )
    logger.info("learning from audit finding entry_id=%s finding_id=%s", entry.id, finding.id)
    return entry


def entries_by_finding(session: Session, programme: AuditProgramme) -> dict[int, LearningEntry]:
    """Return the learning log entry each of the programme's findings became."""
    ids = [f.id for f in programme.findings]
    if not ids:
        return {}
    found = session.scalars(select(LearningEntry).where(LearningEntry.audit_finding_id.in_(ids)))
    return {e.audit_finding_id: e for e in found if e.audit_finding_id is not None}
