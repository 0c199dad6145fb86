"""Practice concerns and near misses: the link practitioners use, and the quality group's triage.

A concern is a response to a link cycle of the `practice-concern` form: no sign-in, named or
anonymous (an anonymous concern's name and email questions are hidden, so nothing is kept),
screened for possible disclosures at submission like every other answer, and themed as the
`practice_concern` stream. Its triage (new, under review, referred to a review, closed with a
reason) lives in `ConcernTriage`; a concern without a row is new. Audited by id only.

Public API:
    CONCERN_FORM, ConcernRow
    open_concern_link(session, definition, *, by) -> PublicLink
    concern_links(session) -> list[PublicLink]
    triage_queue(session) -> list[ConcernRow]
    get_concern(session, response_id) -> Response
    triage_of(session, response_id) -> ConcernTriage | None
    set_triage(session, response_id, *, status, reason, case_review_id, by) -> ConcernTriage
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import cycles
from surveys.audit import record_audit
from surveys.definition import SurveyDefinition
from surveys.errors import AuditError, AuditNotFound
from surveys.models import (
    CaseReview,
    ConcernTriage,
    Cycle,
    PublicLink,
    Response,
    ResponseStatus,
    TriageStatus,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
CONCERN_FORM = "practice-concern"
LINK_OPEN_FOR = timedelta(days=365)


@dataclass(frozen=True)
class ConcernRow:
    response: Response
    status: TriageStatus


def open_concern_link(session: Session, definition: SurveyDefinition, *, by: User) -> PublicLink:
    """Return the open concern link, publishing a year's concern form if there is none."""
    found = concern_links(session)
    if found:
        return found[0]
    now = utcnow()
    cycle = cycles.publish_cycle(
        session,
        definition,
        cycles.NewCycle("Practice concerns and near misses", now, now + LINK_OPEN_FOR),
        created_by=by.id,
    )
    return cycle.links[0]


def concern_links(session: Session) -> list[PublicLink]:
    """Return the active links to concern forms that are open now."""
    now = utcnow()
    return list(
        session.scalars(
            select(PublicLink)
            .join(Cycle, PublicLink.cycle_id == Cycle.id)
            .where(
                Cycle.definition_key == CONCERN_FORM,
                PublicLink.is_active.is_(True),
                Cycle.opens_at <= now,
                Cycle.closes_at > now,
            )
            .order_by(PublicLink.id)
        )
    )


def triage_queue(session: Session) -> list[ConcernRow]:
    """Return every submitted concern with its triage status: new and open ones first."""
    concerns = session.scalars(
        select(Response)
        .where(
            Response.definition_key == CONCERN_FORM,
            Response.status == ResponseStatus.SUBMITTED,
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
    )
    triage = {t.response_id: t.status for t in session.scalars(select(ConcernTriage))}
    rows = [ConcernRow(r, triage.get(r.id, TriageStatus.NEW)) for r in concerns]
    order = list(TriageStatus)
    return sorted(rows, key=lambda row: order.index(row.status))


def get_concern(session: Session, response_id: int) -> Response:
    """Return a submitted concern, or raise AuditNotFound."""
    found = session.get(Response, response_id)
    if found is None or found.definition_key != CONCERN_FORM or not found.is_submitted:
        raise AuditNotFound("There is no practice concern with that number")
    return found


def triage_of(session: Session, response_id: int) -> ConcernTriage | None:
    return session.scalar(select(ConcernTriage).where(ConcernTriage.response_id == response_id))


def set_triage(
    session: Session,
    response_id: int,
    *,
    status: TriageStatus,
    reason: str,
    case_review_id: int | None,
    by: User,
) -> ConcernTriage:
    """Move a concern on: a closed one needs its reason, a referred one the review it went to."""
    concern = get_concern(session, response_id)
    if status is TriageStatus.CLOSED and not reason.strip():
        raise AuditError("Enter the reason for closing the concern", field="reason")
    if len(reason) > 20000:
        raise AuditError("Enter 20,000 characters or fewer", field="reason")
    if status is TriageStatus.REFERRED:
        if case_review_id is None or session.get(CaseReview, case_review_id) is None:
            raise AuditError("Select the case review it was referred to", field="case_review_id")
    else:
        case_review_id = None
    triage = triage_of(session, concern.id) or ConcernTriage(response_id=concern.id)
    triage.status = status
    triage.reason = reason.strip()
    triage.case_review_id = case_review_id
    triage.updated_by_id = by.id
    triage.updated_at = utcnow()
    session.add(triage)
    record_audit(
        session,
        user_id=by.id,
        action="concern.triaged",
        object_type="response",
        object_id=concern.id,
        detail=status.value,
    )
    session.commit()
    log.info("concern triaged response_id=%s status=%s", concern.id, status.value)
    return triage
