"""Cycles: publishing a form version for a period, its returns list and its public links."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, defer, joinedload

from surveys import organisations
from surveys.audit import record_audit
from surveys.definition import Audience, SurveyDefinition
from surveys.errors import SubmissionError
from surveys.models import (
    Cycle,
    CycleAssignment,
    CycleAudience,
    Membership,
    Organisation,
    PublicLink,
    Response,
    ResponseStatus,
    Role,
    User,
    utcnow,
)

# Control characters that are not whitespace; whitespace (line breaks included) becomes a space.
_HIDDEN = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def one_line(text: str) -> str:
    """Return text on one line: hidden characters dropped, line breaks and runs of spaces as one."""
    return " ".join(_HIDDEN.sub("", text).split())


@dataclass(frozen=True)
class NewCycle:
    title: str
    opens_at: datetime
    closes_at: datetime
    organisation_ids: tuple[int, ...] = ()
    shared_round: str | None = None  # joins a shared cycle of other partnerships


def audience_for(definition: SurveyDefinition) -> CycleAudience:
    """Return how a definition is answered: by organisations, or through a public link."""
    if definition.audience is Audience.ORGANISATION:
        return CycleAudience.ORGANISATIONS
    return CycleAudience.LINK


def publish_cycle(
    session: Session,
    definition: SurveyDefinition,
    new: NewCycle,
    *,
    created_by: int | None,
    commit: bool = True,
) -> Cycle:
    """Publish a definition version as a cycle, with its returns list or a first link."""
    if new.closes_at <= new.opens_at:
        raise SubmissionError("The closing date must be after the opening date")
    title = one_line(new.title)  # titles go into email subjects and headings
    if not title:
        raise SubmissionError("Enter a title for this cycle")
    audience = audience_for(definition)
    if audience is CycleAudience.ORGANISATIONS and not new.organisation_ids:
        raise SubmissionError("Select the organisations that must return this form")
    if audience is CycleAudience.ORGANISATIONS and not set(new.organisation_ids) <= {
        o.id for o in organisations.list_organisations(session)
    }:
        raise SubmissionError("Select organisations that serve this partnership")
    cycle = Cycle(
        title=title,
        definition_key=definition.key,
        definition_version=definition.version,
        audience=audience,
        opens_at=new.opens_at,
        closes_at=new.closes_at,
        created_by_id=created_by,
        shared_round=new.shared_round,
        local_questions=[],
    )
    session.add(cycle)
    session.flush()
    if audience is CycleAudience.ORGANISATIONS:
        for organisation_id in sorted(set(new.organisation_ids)):
            session.add(CycleAssignment(cycle_id=cycle.id, organisation_id=organisation_id))
    else:
        session.add(PublicLink(cycle_id=cycle.id, token=secrets.token_urlsafe(32), label=title))
    record_audit(
        session,
        user_id=created_by,
        action="cycle.published",
        object_type="cycle",
        object_id=cycle.id,
    )
    if commit:
        session.commit()
    return cycle


def add_public_link(
    session: Session, cycle: Cycle, label: str, *, created_by: int | None
) -> PublicLink:
    """Add a link (e.g. for one training session) to a link cycle."""
    if cycle.audience is not CycleAudience.LINK:
        raise SubmissionError("Organisations answer this form by signing in: it has no links")
    link = PublicLink(cycle_id=cycle.id, token=secrets.token_urlsafe(32), label=one_line(label))
    session.add(link)
    record_audit(
        session, user_id=created_by, action="link.created", object_type="cycle", object_id=cycle.id
    )
    session.commit()
    return link


def find_link(session: Session, token: str) -> PublicLink | None:
    """Return the active link with this token, if any."""
    if not token or len(token) > 64:
        return None
    return session.scalar(
        select(PublicLink).where(PublicLink.token == token, PublicLink.is_active.is_(True))
    )


def list_cycles(session: Session) -> list[Cycle]:
    """Return every cycle, newest first."""
    return list(session.scalars(select(Cycle).order_by(Cycle.opens_at.desc(), Cycle.id.desc())))


@dataclass(frozen=True)
class ReturnRow:
    organisation: Organisation
    status: str  # not_started, in_progress, awaiting_sign_off, submitted
    response: Response | None
    extended_to: datetime | None = None  # its own, later deadline
    escalated_at: datetime | None = None  # overdue, and its people and senior contact told

    @property
    def status_label(self) -> str:
        if self.response is None:
            return "Not started"
        return self.response.status.label


def returns(session: Session, cycle: Cycle, *, with_answers: bool = True) -> list[ReturnRow]:
    """Return each assigned organisation's status for a cycle, by organisation name.

    Two reads however many organisations are assigned: the responses, then the assignments
    with their organisations. Without answers, the rows' responses hold none (reading one
    raises): the returns table needs only their status and dates.
    """
    query = select(Response).where(Response.cycle_id == cycle.id)
    if not with_answers:
        query = query.options(defer(Response.answers, raiseload=True))
    responses = {r.organisation_id: r for r in session.scalars(query)}
    assignments = session.scalars(
        select(CycleAssignment)
        .where(CycleAssignment.cycle_id == cycle.id)
        .options(joinedload(CycleAssignment.organisation))
    )
    rows = []
    for assignment in sorted(assignments, key=lambda a: a.organisation.name.lower()):
        response = responses.get(assignment.organisation_id)
        status = response.status.value if response else "not_started"
        rows.append(
            ReturnRow(
                assignment.organisation,
                status,
                response,
                assignment.deadline,
                assignment.escalated_at,
            )
        )
    return rows


def open_cycles_for(
    session: Session, organisation_id: int, now: datetime | None = None
) -> list[Cycle]:
    """Return the cycles an organisation must return, open now, soonest deadline first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Cycle)
            .join(CycleAssignment)
            .where(
                CycleAssignment.organisation_id == organisation_id,
                Cycle.opens_at <= now,
                or_(Cycle.closes_at > now, CycleAssignment.deadline > now),  # or its extension
            )
            .order_by(Cycle.closes_at)
        )
    )


def is_assigned(session: Session, cycle: Cycle, organisation_id: int) -> bool:
    """Return whether an organisation is on a cycle's returns list."""
    return (
        session.scalar(
            select(func.count(CycleAssignment.id)).where(
                CycleAssignment.cycle_id == cycle.id,
                CycleAssignment.organisation_id == organisation_id,
            )
        )
        == 1
    )


def people_to_remind(session: Session, cycle: Cycle) -> list[User]:
    """Return the active leads and contributors, in the cycle's partnership, of organisations
    that have not submitted."""
    submitted = select(Response.organisation_id).where(
        Response.cycle_id == cycle.id, Response.status == ResponseStatus.SUBMITTED
    )
    assigned = select(CycleAssignment.organisation_id).where(CycleAssignment.cycle_id == cycle.id)
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.partnership_id == cycle.partnership_id,
                Membership.organisation_id.in_(assigned),
                Membership.organisation_id.not_in(submitted),
                Membership.is_active.is_(True),
                Membership.role.in_([Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR]),
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def leads_of(session: Session, cycle: Cycle, organisation_ids: set[int]) -> list[User]:
    """Return the active leads, in the cycle's partnership, of these organisations."""
    if not organisation_ids:
        return []
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.partnership_id == cycle.partnership_id,
                Membership.organisation_id.in_(organisation_ids),
                Membership.role == Role.ORGANISATION_LEAD,
                Membership.is_active.is_(True),
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def unreachable(session: Session, cycle: Cycle) -> list[Organisation]:
    """Return the organisations yet to submit that have no one to email (no active lead or
    contributor in the cycle's partnership), by name."""
    reachable = {person.organisation_id for person in people_to_remind(session, cycle)}
    return [
        row.organisation
        for row in returns(session, cycle)
        if row.status != "submitted" and row.organisation.id not in reachable
    ]


def mark_reminded(session: Session, cycle: Cycle, *, by: int | None) -> None:
    """Record that reminders went out for a cycle."""
    for assignment in cycle.assignments:
        assignment.last_reminded_at = utcnow()
    record_audit(
        session, user_id=by, action="cycle.reminded", object_type="cycle", object_id=cycle.id
    )
    session.commit()
