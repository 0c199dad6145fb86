"""People across partnerships: the partnership a person works in, and who works in one.

A person holds a `Membership` (roles, and for an organisation role an organisation) in each
partnership they work in. Each signed-in request works in one of them: the one chosen for
this sign-in (a sign-in starts with the one they chose last) if they still hold it, else
their first; none if they hold no active membership. Every access decision reads that membership.

Public API:
    memberships_of(session, user_id) -> list[Membership]: a person's active memberships
    working_membership(held, *, chosen) -> Membership | None: the one worked in
    choose_partnership(session, sign_in, partnership_id) -> Membership
    partnership_here(session) -> int: the partnership the session works in (or raise)
    membership_here(session, user_id, *, include_inactive=False) -> Membership | None
    people_here(session) -> list[Membership]: everyone with a membership in this partnership
    set_active(session, membership, is_active=...): (de)activate one membership (no commit)
    refresh_mirror(session, user): keep `User.role`/`organisation` equal to the first membership
    split_roles(roles) -> (main role, other roles): check a set of roles can be held together
    set_roles(session, membership, roles): give and remove roles (no commit)
    holds_role(role): the SQL condition "this membership holds the role" (main or other)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session, joinedload

from surveys import tenancy
from surveys.accounts import AccountError
from surveys.models import Membership, MembershipRole, Organisation, Role, User, UserSession


def memberships_of(session: Session, user_id: int) -> list[Membership]:
    """Return a person's active memberships, with their partnerships, oldest first."""
    return list(
        session.scalars(
            select(Membership)
            .options(joinedload(Membership.partnership), joinedload(Membership.organisation))
            .where(Membership.user_id == user_id, Membership.is_active.is_(True))
            .order_by(Membership.id)
        )
    )


def working_membership(held: Sequence[Membership], *, chosen: int | None) -> Membership | None:
    """Return the membership a person works in now, out of the active ones they hold.

    The chosen partnership's if they still hold it, else their first; None when they hold
    none (a platform admin, or someone removed). A sign-in starts with the partnership the
    person chose last (`surveys.accounts.start_session`).
    """
    for membership in held:
        if membership.partnership_id == chosen:
            return membership
    return held[0] if held else None


def choose_partnership(session: Session, sign_in: UserSession, partnership_id: int) -> Membership:
    """Work in a partnership for the rest of this sign-in, and start the next sign-in there.

    Raises AccountError if the person holds no active membership in it.
    """
    held = {m.partnership_id: m for m in memberships_of(session, sign_in.user_id)}
    if partnership_id not in held:
        raise AccountError("Select a partnership you work in")
    sign_in.working_partnership_id = partnership_id
    sign_in.user.last_partnership_id = partnership_id
    session.commit()
    return held[partnership_id]


def partnership_here(session: Session) -> int:
    """Return the partnership the session works in (people are managed within one)."""
    partnership_id = tenancy.partnership_of(session)
    if partnership_id is None:
        raise tenancy.NoPartnership("people are listed and changed within one partnership")
    return partnership_id


def membership_here(
    session: Session, user_id: int, *, include_inactive: bool = False
) -> Membership | None:
    """Return a person's membership in the partnership the session works in, if any."""
    query = select(Membership).where(
        Membership.user_id == user_id, Membership.partnership_id == partnership_here(session)
    )
    if not include_inactive:
        query = query.where(Membership.is_active.is_(True))
    return session.scalar(query)


def people_here(session: Session) -> list[Membership]:
    """Return every membership in the session's partnership (deactivated too), by name."""
    return list(
        session.scalars(
            select(Membership)
            .join(User, Membership.user_id == User.id)
            .options(joinedload(Membership.user), joinedload(Membership.organisation))
            .where(Membership.partnership_id == partnership_here(session))
            .order_by(func.lower(User.name), User.id)
        )
    )


def refresh_mirror(session: Session, user: User) -> None:
    """Set `User.role` and `User.organisation` from the person's first membership (or none).

    Kept for compatibility only (see `User`): no access decision reads them.
    """
    session.flush()
    first = session.scalar(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id).limit(1)
    )
    user.role = first.role if first else None
    organisation_id = first.organisation_id if first else None
    user.organisation = session.get(Organisation, organisation_id) if organisation_id else None


def set_active(session: Session, membership: Membership, *, is_active: bool) -> None:
    """(De)activate a membership; the caller commits.

    A person left with no active membership can no longer sign in: their account is
    deactivated and every session ends (a platform admin keeps theirs). Activating a
    membership reactivates the account.
    """
    membership.is_active = is_active
    user = membership.user
    session.flush()
    if is_active:
        user.is_active = True
    elif not memberships_of(session, user.id) and not user.is_platform_admin:
        user.is_active = False
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def split_roles(roles: Iterable[Role]) -> tuple[Role, frozenset[Role]]:
    """Return the main role and the others of a set a person may hold in one partnership.

    The main role is the organisation role if there is one, else the first partnership role
    in the order `Role` lists them.

    Raises AccountError: no role, or both organisation roles.
    """
    held = frozenset(roles)
    if not held:
        raise AccountError("Select at least one role")
    of_organisation = [role for role in Role if role in held and role.belongs_to_organisation]
    if len(of_organisation) > 1:
        raise AccountError("Select either organisation lead or organisation contributor, not both")
    main = of_organisation[0] if of_organisation else next(r for r in Role if r in held)
    return main, held - {main}


def set_roles(session: Session, membership: Membership, roles: Iterable[Role]) -> None:
    """Make the membership hold exactly these roles; the caller commits.

    Raises AccountError as `split_roles` does.
    """
    main, others = split_roles(roles)
    membership.role = main
    kept = [other for other in membership.other_roles if other.role in others]
    have = {other.role for other in kept}
    membership.other_roles = kept + [
        MembershipRole(role=role) for role in Role if role in others and role not in have
    ]
    session.flush()


def holds_role(role: Role) -> ColumnElement[bool]:
    """The SQL condition: a `Membership` row holds this role (as its main role or another)."""
    return or_(Membership.role == role, Membership.other_roles.any(MembershipRole.role == role))
