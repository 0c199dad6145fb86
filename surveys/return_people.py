"""Who hears about an organisation's return: its leads, who sent it for sign-off, and the
admins of every partnership that holds a copy (a shared return's, each partnership's).

Public API:
    organisation_leads(session, response) -> set[str]: emails of the organisation's active
        leads in any partnership that holds the return
    partnership_admins(session, response) -> set[str]: emails of those partnerships' admins
    sent_for_sign_off_by(session, response) -> User | None: who last sent it for sign-off
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import shared_returns, tenancy
from surveys.models import AuditEvent, Membership, Response, Role, User


def organisation_leads(session: Session, response: Response) -> set[str]:
    """Return the emails of the organisation's active leads where the return is held."""
    if response.organisation_id is None:
        return set()
    partnerships = {copy.partnership_id for copy in shared_returns.copies(session, response)}
    return set(
        session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.partnership_id.in_(partnerships),
                Membership.organisation_id == response.organisation_id,
                Membership.role == Role.ORGANISATION_LEAD,
                Membership.is_active.is_(True),
                User.is_active.is_(True),
            )
        )
    )


def partnership_admins(session: Session, response: Response) -> set[str]:
    """Return the emails of the admins of every partnership that holds the return."""
    emails: set[str] = set()
    for copy in shared_returns.copies(session, response):
        emails |= tenancy.member_emails(session, copy.partnership_id, Role.PARTNERSHIP_ADMIN)
    return emails


def sent_for_sign_off_by(session: Session, response: Response) -> User | None:
    """Return the person who last sent the return for sign-off (through any copy), if any."""
    ids = [str(copy.id) for copy in shared_returns.copies(session, response)]
    with tenancy.every_partnership(session):
        user_id = session.scalar(
            select(AuditEvent.user_id)
            .where(
                AuditEvent.action == "response.sign_off_requested",
                AuditEvent.object_type == "response",
                AuditEvent.object_id.in_(ids),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(1)
        )
    return session.get(User, user_id) if user_id is not None else None
