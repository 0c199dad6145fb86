"""People the partnership admin manages: create, change and (de)activate users.

Public API:
    NewUser, create_user(session, new, *, password=None, created_by=None) -> User
    update_user(session, user, *, name, role, organisation_id, updated_by) -> User
    set_user_active(session, user, *, is_active, changed_by) -> None

Passwords, sign-in, sessions and single-use tokens are surveys.accounts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys.accounts import (
    AccountError,
    end_transaction,
    hash_password,
    normalise_email,
    password_problem,
)
from surveys.audit import record_audit
from surveys.models import Organisation, Role, User, UserSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    role: Role
    organisation_id: int | None = None


def create_user(
    session: Session, new: NewUser, *, password: str | None = None, created_by: int | None = None
) -> User:
    """Create a user; organisation roles need an organisation, partnership roles must not."""
    email = normalise_email(new.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("A user with this email address already exists")
    _check_role_fits(session, new.role, new.organisation_id)
    if password is not None and (problem := password_problem(password)):
        raise AccountError(problem)
    password_hash = None
    if password:
        end_transaction(session)
        password_hash = hash_password(password)
    user = User(
        email=email,
        name=new.name.strip(),
        role=new.role,
        organisation_id=new.organisation_id if new.role.belongs_to_organisation else None,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        user_id=created_by,
        action="user.created",
        object_type="user",
        object_id=user.id,
        detail=new.role.value,
    )
    session.commit()
    log.info("user created", extra={"user_id": user.id, "role": new.role.value})
    return user


def _check_role_fits(session: Session, role: Role, organisation_id: int | None) -> None:
    if not role.belongs_to_organisation:
        return
    if organisation_id is None:
        raise AccountError("Select the organisation this person belongs to")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not organisation.is_active:
        raise AccountError("Select an active organisation")


def update_user(
    session: Session,
    user: User,
    *,
    name: str,
    role: Role,
    organisation_id: int | None,
    updated_by: int,
) -> User:
    """Change a user's name, role and organisation."""
    _check_role_fits(session, role, organisation_id)
    user.name = name.strip()
    user.role = role
    user.organisation_id = organisation_id if role.belongs_to_organisation else None
    record_audit(
        session,
        user_id=updated_by,
        action="user.updated",
        object_type="user",
        object_id=user.id,
        detail=role.value,
    )
    session.commit()
    return user


def set_user_active(session: Session, user: User, *, is_active: bool, changed_by: int) -> None:
    """Activate or deactivate a user; deactivation ends all their sessions at once."""
    user.is_active = is_active
    if not is_active:
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    record_audit(
        session,
        user_id=changed_by,
        action="user.activated" if is_active else "user.deactivated",
        object_type="user",
        object_id=user.id,
    )
    session.commit()
