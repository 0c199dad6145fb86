"""Overdue returns, and escalating them: a second reminder to the organisation's people, a
named senior contact told too, and a new date the return is expected by.

A return is overdue once its organisation's deadline (the cycle's, or its own extension) has
passed and it has not been submitted. The business manager escalates the overdue ones from
the cycle's page: each organisation is given until a new date (so it can still submit), its
leads and contributors get a second reminder saying it is overdue, and the senior contact the
partnership named for it (a director or chief officer: `OrganisationPartnership`) is told
which return is overdue and since when. Each escalation is recorded on the organisation's
assignment and audited. Nothing here sends email: `webapp.notifications` does, from what
`escalate` returns.

Public API:
    SeniorContact(name, job, email); senior_contact(session, organisation_id)
    set_senior_contact(session, organisation_id, SeniorContact)  (in the partnership worked in)
    Overdue; overdue(session, cycle, now) -> list[Overdue], by organisation name
    Escalated; escalate(session, cycle, organisation_ids, until, *, by, now) -> list[Escalated]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import cycles, memberships, tenancy
from surveys.audit import record_audit
from surveys.errors import SubmissionError
from surveys.models import (
    Cycle,
    CycleAssignment,
    CycleAudience,
    Membership,
    Organisation,
    OrganisationPartnership,
    Role,
    User,
)


@dataclass(frozen=True)
class SeniorContact:
    name: str
    job: str
    email: str

    @property
    def is_named(self) -> bool:
        return bool(self.email)


NOBODY = SeniorContact("", "", "")


def _link(session: Session, organisation_id: int) -> OrganisationPartnership | None:
    return session.get(
        OrganisationPartnership, (organisation_id, memberships.partnership_here(session))
    )


def senior_contact(session: Session, organisation_id: int) -> SeniorContact:
    """Return whom this partnership tells when the organisation's return is overdue."""
    here = memberships.partnership_here(session)
    return _contacts(session, here, {organisation_id}).get(organisation_id, NOBODY)


def set_senior_contact(session: Session, organisation_id: int, contact: SeniorContact) -> None:
    """Name (or, all empty, stop naming) the organisation's senior contact in this partnership.

    The caller commits (with the rest of the organisation's details)."""
    name, job, email = (
        " ".join(part.split()) for part in (contact.name, contact.job, contact.email)
    )
    if email and not name:
        raise SubmissionError("Enter the senior contact’s name")
    if name and not email:
        raise SubmissionError("Enter the senior contact’s email address")
    link = _link(session, organisation_id)
    if link is None:
        raise tenancy.WrongPartnership("the organisation does not serve this partnership")
    link.senior_contact_name, link.senior_contact_job, link.senior_contact_email = name, job, email


@dataclass(frozen=True)
class Overdue:
    organisation: Organisation
    deadline: datetime
    days_overdue: int
    escalated_at: datetime | None
    contact: SeniorContact


def overdue(
    session: Session, cycle: Cycle, now: datetime, rows: list[cycles.ReturnRow] | None = None
) -> list[Overdue]:
    """Return the organisations whose return is past its deadline and not submitted.

    Reads the returns list (unless given its `rows`) and then the senior contacts in one go."""
    if cycle.audience is not CycleAudience.ORGANISATIONS:
        return []
    if rows is None:
        rows = cycles.returns(session, cycle, with_answers=False)
    late = [
        (row, max(cycle.closes_at, row.extended_to or cycle.closes_at))
        for row in rows
        if row.status != "submitted"
    ]
    late = [(row, deadline) for row, deadline in late if deadline <= now]
    contacts = _contacts(session, cycle.partnership_id, {row.organisation.id for row, _ in late})
    return [
        Overdue(
            row.organisation,
            deadline,
            (now - deadline).days,
            row.escalated_at,
            contacts.get(row.organisation.id, NOBODY),
        )
        for row, deadline in late
    ]


def _contacts(
    session: Session, partnership_id: int, organisation_ids: set[int]
) -> dict[int, SeniorContact]:
    if not organisation_ids:
        return {}
    links = session.scalars(
        select(OrganisationPartnership).where(
            OrganisationPartnership.partnership_id == partnership_id,
            OrganisationPartnership.organisation_id.in_(organisation_ids),
            OrganisationPartnership.senior_contact_email != "",
        )
    )
    return {
        link.organisation_id: SeniorContact(
            link.senior_contact_name, link.senior_contact_job, link.senior_contact_email
        )
        for link in links
    }


@dataclass(frozen=True)
class Escalated:
    organisation: Organisation
    was_due: datetime
    until: datetime
    people: tuple[User, ...]  # its active leads and contributors in this partnership
    contact: SeniorContact


def escalate(
    session: Session,
    cycle: Cycle,
    organisation_ids: tuple[int, ...],
    until: datetime,
    *,
    by: int | None,
    now: datetime,
) -> list[Escalated]:
    """Give each overdue organisation until `until` and record that it was escalated.

    Refuses (changing nothing) an organisation that is not overdue, and a date not after now.
    """
    if not organisation_ids:
        raise SubmissionError("Select the organisations to escalate")
    if until <= now:
        raise SubmissionError("The new date must be in the future")
    late = {item.organisation.id: item for item in overdue(session, cycle, now)}
    if not set(organisation_ids) <= set(late):
        raise SubmissionError("Only organisations whose return is overdue can be escalated")
    done = []
    for organisation_id in sorted(organisation_ids, key=lambda i: late[i].organisation.name):
        item = late[organisation_id]
        assignment = session.scalar(
            select(CycleAssignment).where(
                CycleAssignment.cycle_id == cycle.id,
                CycleAssignment.organisation_id == organisation_id,
            )
        )
        assert assignment is not None  # overdue means assigned
        assignment.deadline = max(until, cycle.closes_at)
        assignment.escalated_at = now
        record_audit(
            session,
            user_id=by,
            action="cycle.escalated",
            object_type="cycle",
            object_id=cycle.id,
            detail=str(organisation_id),
        )
        done.append(
            Escalated(
                item.organisation,
                item.deadline,
                assignment.deadline,
                _people_of(session, cycle, organisation_id),
                item.contact,
            )
        )
    session.commit()
    return done


def _people_of(session: Session, cycle: Cycle, organisation_id: int) -> tuple[User, ...]:
    """Return the organisation's active leads and contributors in the cycle's partnership."""
    return tuple(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.partnership_id == cycle.partnership_id,
                Membership.organisation_id == organisation_id,
                Membership.is_active.is_(True),
                Membership.role.in_([Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR]),
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )
