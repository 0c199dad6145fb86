"""Platform administration: the partnerships the service hosts, and their first admins.

A platform admin (`User.is_platform_admin`) creates partnerships and invites their admins;
that gives them no access to any partnership's data: for that they need a membership there,
like anyone else. Partnership admins then manage their own people (`surveys.users`).

Public API:
    PartnershipDetails, create_partnership(session, details, *, created_by) -> Partnership
    list_partnerships(session) -> list[Partnership]
    partnership_named(session, name) -> Partnership | None
    invite_partnership_admin(session, partnership, *, name, email, invited_by) -> Invitation
    make_platform_admin(session, user) -> None
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys import tenancy, users
from surveys.accounts import AccountError
from surveys.audit import record_audit
from surveys.cycles import one_line
from surveys.models import Partnership, Role, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartnershipDetails:
    name: str
    front_door_name: str = ""
    front_door_phone: str = ""


def list_partnerships(session: Session) -> list[Partnership]:
    """Return every partnership the service hosts, by name."""
    return list(session.scalars(select(Partnership).order_by(func.lower(Partnership.name))))


def partnership_named(session: Session, name: str) -> Partnership | None:
    """Return the partnership with this name (case and spacing aside), if there is one."""
    wanted = " ".join(name.split()).lower()
    return session.scalar(select(Partnership).where(func.lower(Partnership.name) == wanted))


def create_partnership(
    session: Session, details: PartnershipDetails, *, created_by: int | None
) -> Partnership:
    """Add a partnership to the service: its name and its front door (on child and family forms)."""
    name = one_line(details.name)
    if not name:
        raise AccountError("Enter the partnership’s name")
    if partnership_named(session, name) is not None:
        raise AccountError("A partnership with this name already exists")
    partnership = Partnership(
        name=name,
        front_door_name=one_line(details.front_door_name),
        front_door_phone=one_line(details.front_door_phone),
    )
    session.add(partnership)
    session.flush()
    with tenancy.working_in(session, partnership.id):
        record_audit(
            session,
            user_id=created_by,
            action="partnership.created",
            object_type="partnership",
            object_id=partnership.id,
        )
        session.commit()
    log.info("partnership created", extra={"partnership_id": partnership.id})
    return partnership


def invite_partnership_admin(
    session: Session, partnership: Partnership, *, name: str, email: str, invited_by: int
) -> users.Invitation:
    """Make someone an admin of a partnership: a new account, or a membership added to theirs."""
    new = users.NewUser(email=email, name=name, role=Role.PARTNERSHIP_ADMIN)
    with tenancy.working_in(session, partnership.id):
        return users.invite_to_partnership(session, new, created_by=invited_by)


def make_platform_admin(session: Session, user: User) -> None:
    """Let a person create partnerships and invite their admins (no access to their data)."""
    user.is_platform_admin = True
    record_audit(
        session,
        user_id=None,
        action="user.made_platform_admin",
        object_type="user",
        object_id=user.id,
    )
    session.commit()
