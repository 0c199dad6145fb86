"""People a partnership admin manages: invite them, change and (de)activate them, in one
partnership only; an organisation lead does the same for their own organisation's team.

A person holds one or more roles in a partnership: at most one organisation role (lead or
contributor, for the organisation named) and any partnership roles (`surveys.memberships`).

Public API:
    NewUser, create_user(session, new, *, password=None, created_by=None) -> User
    invite_to_partnership(session, new, *, created_by) -> Invitation
    AlreadyWorksHere: the email's account already has a membership in this partnership
    update_member(session, membership, *, name, roles, organisation_id, updated_by) -> Membership
    set_member_active(session, membership, *, is_active, changed_by) -> None
    TEAM_ROLES; invite_to_team(session, new, *, lead) -> Invitation: a lead invites a lead or
        contributor of their own organisation (the admin's invitation, limited)
    team_member(session, lead, user_id) -> Membership | None: a colleague the lead may
        (de)activate: of their organisation here, in an organisation role, not themselves

Everything here works in the partnership the session works in (`surveys.tenancy`): changing
or deactivating a person changes their membership there and nothing of their other
partnerships. Inviting an email that already has an account adds a membership to it. A person
whose last active membership is deactivated can no longer sign in (their account is
deactivated with it, unless they are a platform admin), as when there was one partnership.
Passwords, sign-in, sessions and single-use tokens are surveys.accounts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import memberships
from surveys.accounts import (
    AccountError,
    end_transaction,
    hash_password,
    normalise_email,
    password_problem,
)
from surveys.audit import record_audit
from surveys.models import Membership, Organisation, Role, User
from surveys.organisations import organisation_here

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    role: Role | None  # None: no partnership (a platform admin made from the command line)
    organisation_id: int | None = None
    other_roles: frozenset[Role] = frozenset()  # held beside `role` in the same partnership

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({self.role, *self.other_roles}) if self.role else self.other_roles

    @classmethod
    def holding(
        cls, email: str, name: str, roles: frozenset[Role], organisation_id: int | None = None
    ) -> NewUser:
        """A new person holding several roles (AccountError if they cannot be held together)."""
        main, others = memberships.split_roles(roles)
        return cls(email, name, main, organisation_id, others)


class AlreadyWorksHere(AccountError):
    """The email already has a membership in this partnership: change it instead."""


TEAM_ROLES = (Role.ORGANISATION_CONTRIBUTOR, Role.ORGANISATION_LEAD)


@dataclass(frozen=True)
class Invitation:
    user: User
    membership: Membership
    is_new_account: bool


def create_user(
    session: Session, new: NewUser, *, password: str | None = None, created_by: int | None = None
) -> User:
    """Create an account with a membership in the session's partnership (none without a role).

    Organisation roles need one of the partnership's active organisations; others must not.
    """
    email = normalise_email(new.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("A user with this email address already exists")
    if new.role is not None:
        memberships.partnership_here(session)  # a role is always a role in a partnership
        _check_roles_fit(session, new.roles, new.organisation_id)
    if password is not None and (problem := password_problem(password)):
        raise AccountError(problem)
    password_hash = None
    if password:
        end_transaction(session)
        password_hash = hash_password(password)
    user = User(  # surveys.tenancy turns role and organisation into the membership
        email=email,
        name=new.name.strip(),
        role=new.role,
        organisation_id=_organisation_for(new.roles, new.organisation_id),
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    if new.role is not None and new.other_roles:
        membership = memberships.membership_here(session, user.id)
        assert membership is not None  # made with the account (surveys.tenancy)
        memberships.set_roles(session, membership, new.roles)
    roles = _role_values(new.roles)
    _audit(session, created_by, "user.created", user.id, roles)
    session.commit()
    log.info("user created", extra={"user_id": user.id, "role": roles})
    return user


def _organisation_for(roles: frozenset[Role], organisation_id: int | None) -> int | None:
    """The organisation a membership names: its organisation role's, or a reviewer's own."""
    names_one = any(role.belongs_to_organisation for role in roles) or Role.REVIEWER in roles
    return organisation_id if names_one else None


def _role_values(roles: frozenset[Role]) -> str:
    return ",".join(role.value for role in Role if role in roles)


def invite_to_partnership(session: Session, new: NewUser, *, created_by: int) -> Invitation:
    """Give a person a role in the session's partnership: a new account, or a membership
    added to the account their email already has (its name and password are kept)."""
    existing = session.scalar(select(User).where(User.email == normalise_email(new.email)))
    if existing is None:
        user = create_user(session, new, created_by=created_by)
        membership = memberships.membership_here(session, user.id)
        assert membership is not None  # made with the account
        return Invitation(user, membership, is_new_account=True)
    if memberships.membership_here(session, existing.id, include_inactive=True) is not None:
        raise AlreadyWorksHere("This person already works in this partnership: change them instead")
    if new.role is None:
        raise AccountError("Select a role")
    _check_roles_fit(session, new.roles, new.organisation_id)
    membership = Membership(
        user=existing,
        partnership_id=memberships.partnership_here(session),
        role=new.role,
        organisation_id=_organisation_for(new.roles, new.organisation_id),
    )
    session.add(membership)
    memberships.set_roles(session, membership, new.roles)
    existing.is_active = True  # an account left with no partnership works again
    memberships.refresh_mirror(session, existing)
    roles = _role_values(new.roles)
    _audit(session, created_by, "membership.added", existing.id, roles)
    session.commit()
    log.info("membership added", extra={"user_id": existing.id, "role": roles})
    return Invitation(existing, membership, is_new_account=False)


def _check_roles_fit(session: Session, roles: frozenset[Role], organisation_id: int | None) -> None:
    """Refuse roles that cannot be held together, or an organisation role with no organisation.

    Raises AccountError.
    """
    memberships.split_roles(roles)
    names_one = _organisation_for(roles, organisation_id) is not None
    if any(role.belongs_to_organisation for role in roles) and organisation_id is None:
        raise AccountError("Select the organisation this person belongs to")
    if names_one and organisation_here(session, organisation_id or 0, active_only=True) is None:
        raise AccountError("Select an active organisation")


def update_member(
    session: Session,
    membership: Membership,
    *,
    name: str | None,
    roles: frozenset[Role],
    organisation_id: int | None,
    updated_by: int,
) -> Membership:
    """Give and remove a person's roles and change their organisation in this partnership
    (and their name, if given: only for people who work in this partnership alone).

    Raises AccountError: roles that cannot be held together, or no organisation for an
    organisation role.
    """
    _check_roles_fit(session, roles, organisation_id)
    if name is not None:
        membership.user.name = name.strip()
    memberships.set_roles(session, membership, roles)
    kept = _organisation_for(roles, organisation_id)
    membership.organisation = (  # the object, so a loaded relationship never goes stale
        session.get(Organisation, kept) if kept is not None else None
    )
    memberships.refresh_mirror(session, membership.user)
    _audit(session, updated_by, "user.updated", membership.user_id, _role_values(roles))
    session.commit()
    return membership


def set_member_active(
    session: Session, membership: Membership, *, is_active: bool, changed_by: int
) -> None:
    """Activate or deactivate a person in this partnership only.

    Deactivating their last active membership deactivates their account too (unless they
    are a platform admin) and ends every session at once; activating one reactivates it.
    """
    memberships.set_active(session, membership, is_active=is_active)
    _audit(
        session,
        changed_by,
        "user.activated" if is_active else "user.deactivated",
        membership.user_id,
        "",
    )
    session.commit()


def invite_to_team(session: Session, new: NewUser, *, lead: Membership) -> Invitation:
    """Invite someone to the lead's own organisation, as a lead or contributor, the way a
    partnership admin invites anyone (a new account, or a membership added to theirs)."""
    if lead.role is not Role.ORGANISATION_LEAD or lead.organisation_id is None:
        raise AccountError("Only an organisation's lead can invite people to its team")
    if new.role not in TEAM_ROLES:
        raise AccountError("Select whether they will be a contributor or a lead")
    if new.organisation_id != lead.organisation_id:
        raise AccountError("You can invite people to your own organisation only")
    return invite_to_partnership(session, new, created_by=lead.user_id)


def team_member(session: Session, lead: Membership, user_id: int) -> Membership | None:
    """Return a colleague's membership that the lead may (de)activate, or None: someone of
    the lead's organisation in this partnership, in an organisation role, not the lead."""
    if lead.role is not Role.ORGANISATION_LEAD or user_id == lead.user_id:
        return None
    found = memberships.membership_here(session, user_id, include_inactive=True)
    if found is None or found.organisation_id != lead.organisation_id:
        return None
    return found if found.role in TEAM_ROLES else None


def _audit(session: Session, by: int | None, action: str, user_id: int, detail: str) -> None:
    record_audit(
        session,
        user_id=by,
        action=action,
        object_type="user",
        object_id=user_id,
        detail=detail,
    )
