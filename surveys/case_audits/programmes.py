"""Audit programmes, their audit days and their findings.

The quality group chooses a programme's topics (for example neglect, exploitation); each audit
day takes one of them. Findings (strengths, areas to improve, lessons) belong to a day or to
the whole programme. Changes are audited by id; nothing here logs what was written.

Public API:
    create_programme(session, *, title, topics, by) -> AuditProgramme
    add_day(session, programme_id, *, held_on, topic, by) -> AuditDay
    add_finding(session, programme_id, *, kind, text, day_id, definition, by) -> AuditFinding
        (its words kept for theming: `finding_texts`)
    list_programmes(session) -> list[AuditProgramme]
    get_programme(session, id) / get_day(session, id) / get_finding(session, id)
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audit import record_audit
from surveys.case_audits.finding_texts import keep_for_theming
from surveys.definition import SurveyDefinition
from surveys.errors import AuditError, AuditNotFound
from surveys.models import AuditDay, AuditFinding, AuditProgramme, FindingKind, User

log = logging.getLogger(__name__)
MAX_TEXT = 20000


def create_programme(session: Session, *, title: str, topics: str, by: User) -> AuditProgramme:
    """Start an audit programme on the topics the quality group chose (one a line)."""
    if not title.strip():
        raise AuditError("Enter a name for the audit programme", field="title")
    if len(title.strip()) > 200:
        raise AuditError("The name must be 200 characters or fewer", field="title")
    chosen = [t.strip() for t in topics.splitlines() if t.strip()]
    if not chosen:
        raise AuditError("Enter at least one topic, one a line", field="topics")
    if any(len(t) > 100 for t in chosen):
        raise AuditError("Each topic must be 100 characters or fewer", field="topics")
    programme = AuditProgramme(
        title=title.strip(), topics="\n".join(dict.fromkeys(chosen)), created_by_id=by.id
    )
    session.add(programme)
    session.flush()
    _audit(session, "audit_programme.created", "audit_programme", programme.id, by)
    session.commit()
    log.info("audit programme created programme_id=%s", programme.id)
    return programme


def add_day(
    session: Session, programme_id: int, *, held_on: date, topic: str, by: User
) -> AuditDay:
    """Add an audit day on one of the programme's topics."""
    programme = get_programme(session, programme_id)
    if topic not in programme.topic_list:
        raise AuditError("Select the day's topic from the programme's topics", field="topic")
    day = AuditDay(programme_id=programme.id, held_on=held_on, topic=topic)
    programme.days.append(day)
    session.flush()
    _audit(session, "audit_day.added", "audit_day", day.id, by)
    session.commit()
    return day


def add_finding(
    session: Session,
    programme_id: int,
    *,
    kind: FindingKind,
    text: str,
    day_id: int | None,
    definition: SurveyDefinition,
    by: User,
) -> AuditFinding:
    """Record a strength, area to improve or lesson of a day (or of the whole programme); its
    words are themed with the case audits (`definition`: the case-audit-finding form)."""
    programme = get_programme(session, programme_id)
    if day_id is not None and get_day(session, day_id).programme_id != programme.id:
        raise AuditNotFound("There is no such audit day in this programme")
    if not text.strip():
        raise AuditError("Enter the finding", field="text")
    if len(text) > MAX_TEXT:
        raise AuditError("Enter 20,000 characters or fewer", field="text")
    finding = AuditFinding(
        programme_id=programme.id, day_id=day_id, kind=kind, text=text.strip(), created_by_id=by.id
    )
    session.add(finding)
    session.flush()
    keep_for_theming(session, finding, definition, by=by)
    _audit(session, "audit_finding.added", "audit_finding", finding.id, by, detail=kind.value)
    session.commit()
    return finding


def list_programmes(session: Session) -> list[AuditProgramme]:
    """Return every audit programme, newest first."""
    return list(session.scalars(select(AuditProgramme).order_by(AuditProgramme.id.desc())))


def get_programme(session: Session, programme_id: int) -> AuditProgramme:
    found = session.get(AuditProgramme, programme_id)
    if found is None:
        raise AuditNotFound("There is no audit programme with that number")
    return found


def get_day(session: Session, day_id: int) -> AuditDay:
    found = session.get(AuditDay, day_id)
    if found is None:
        raise AuditNotFound("There is no audit day with that number")
    return found


def get_finding(session: Session, finding_id: int) -> AuditFinding:
    found = session.get(AuditFinding, finding_id)
    if found is None:
        raise AuditNotFound("There is no audit finding with that number")
    return found


def _audit(
    session: Session, action: str, kind: str, object_id: int, by: User, *, detail: str = ""
) -> None:
    record_audit(
        session, user_id=by.id, action=action, object_type=kind, object_id=object_id, detail=detail
    )
