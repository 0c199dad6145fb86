"""Partnerships as tenants: a session sees and writes only the partnership it works in.

Public API:
    work_in(session, partnership_id): scope a session (and its open transaction) to one
        partnership; `NOWHERE` scopes it to none (an unknown link: every owned query is empty)
    every_partnership(session): the named system-wide scope, for the few places that
        legitimately span partnerships (periodic jobs, commands, finding a link by its token)
    working_in(session, partnership_id): one partnership for a block, then the scope before
        (an organisation's shared return writes its copy in each partnership it serves;
        platform work on a named partnership: exporting or deleting it)
    partnership_of(session) -> int | None; is_every_partnership(session) -> bool
    sessions_like(session) -> sessionmaker: new sessions in the same scope (heartbeat threads)
    sessions_in(factory, partnership_id) -> sessionmaker: a factory's sessions, in a partnership
    home_partnership(session, user_id) -> int | None: a person's first active membership's
    sole_partnership(session) -> int | None: the one partnership, while there is just one
    partnership_ids(session) -> list[int]: every partnership, for jobs that visit each in turn
    owner_of(session, model, id) -> int | None: the partnership a row belongs to (for a job)
    member_emails(session, partnership_id, role) -> set[str]: who holds a role in a partnership
    partnership_of_link(session, token) / partnership_of_api_token(session, header):
        the one legitimate cross-partnership read, a capability's owner (NOWHERE if unknown)
    NoPartnership, WrongPartnership: raised when the rules below are broken

Enforced in one place, by listeners on every Session (installed on import; `surveys.database`
imports this module):
- every ORM SELECT, UPDATE and DELETE gets `partnership_id = <the session's partnership>` on
  each partnership-owned entity it touches (`with_loader_criteria`, aliases included);
- fail closed: a statement touching an owned table on a session with no partnership raises
  `NoPartnership`, unless the code entered `every_partnership`;
- a new owned object gets the session's partnership, and one naming another is refused;
  a new person joins the session's partnership with the role and organisation set on it
  (a membership; none if it has no role), a new organisation serves it;
- on PostgreSQL each transaction sets `app.partnership_id` (or `app.every_partnership`),
  which the row-level security policies check (migration 0010): a second line for any SQL
  that reaches the database around the ORM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, TextClause, event, select
from sqlalchemy.orm import (
    ORMExecuteState,
    Session,
    SessionTransaction,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.sql import visitors

from surveys.models.base import Base, PartnershipOwned
from surveys.models.people import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationPartnership,
    Partnership,
    Role,
    User,
)

SCOPE = "learning_loop_partnership"  # session.info: a partnership id, EVERY or absent
EVERY = "every partnership"
NOWHERE = 0  # no partnership has this id: an owned query finds nothing


class NoPartnership(RuntimeError):
    """A partnership's data was touched by a session that works in no partnership."""


class WrongPartnership(RuntimeError):
    """An object of one partnership was written by a session working in another."""


def work_in(session: Session, partnership_id: int) -> None:
    """Scope the session to one partnership, from now on (its open transaction included)."""
    session.info[SCOPE] = int(partnership_id)
    _refresh_database_scope(session)


@contextmanager
def every_partnership(session: Session) -> Iterator[Session]:
    """Let the block read and change every partnership's rows, then restore the scope."""
    with _scoped(session, EVERY):
        yield session


@contextmanager
def working_in(session: Session, partnership_id: int) -> Iterator[Session]:
    """Work in one partnership for the block (rows made there are its), then restore the scope.

    For a capability the caller has checked: an organisation writing its own shared return's
    copy in each partnership that asked for it, or a platform task on a named partnership.
    """
    with _scoped(session, int(partnership_id)):
        yield session


@contextmanager
def _scoped(session: Session, scope: int | str) -> Iterator[None]:
    _flush_new(session)  # rows made so far belong to the scope they were made in
    before = session.info.get(SCOPE)
    session.info[SCOPE] = scope
    _refresh_database_scope(session)
    try:
        yield
        _flush_new(session)
    finally:
        if before is None:
            session.info.pop(SCOPE, None)
        else:
            session.info[SCOPE] = before
        _refresh_database_scope(session)


def _flush_new(session: Session) -> None:
    """Write rows made so far in the scope they were made in, before the scope changes."""
    if session.new:
        session.flush()


def partnership_of(session: Session) -> int | None:
    """Return the partnership the session works in (None: none, or every one)."""
    scope = session.info.get(SCOPE)
    return scope if isinstance(scope, int) else None


def is_every_partnership(session: Session) -> bool:
    return session.info.get(SCOPE) == EVERY


def sessions_like(session: Session) -> sessionmaker[Session]:
    """Return a factory of sessions on the same database, in the same partnership."""
    info = {SCOPE: session.info[SCOPE]} if SCOPE in session.info else {}
    return sessionmaker(bind=session.get_bind(), expire_on_commit=False, info=info)


def sessions_in(factory: sessionmaker[Session], partnership_id: int) -> sessionmaker[Session]:
    """Return a factory like `factory` whose sessions start in one partnership."""
    return sessionmaker(**{**factory.kw, "info": {SCOPE: int(partnership_id)}})


def home_partnership(session: Session, user_id: int) -> int | None:
    """Return the partnership of a person's first active membership (None if they hold none)."""
    return session.scalar(
        select(Membership.partnership_id)
        .where(Membership.user_id == user_id, Membership.is_active.is_(True))
        .order_by(Membership.id)
        .limit(1)
    )


def sole_partnership(session: Session) -> int | None:
    """Return the partnership's id if there is exactly one (commands of a one-partnership copy)."""
    ids = session.scalars(select(Partnership.id).order_by(Partnership.id).limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def partnership_ids(session: Session) -> list[int]:
    """Return every partnership's id, in order."""
    return list(session.scalars(select(Partnership.id).order_by(Partnership.id)))


def owner_of(session: Session, model: type[PartnershipOwned], row_id: int) -> int | None:
    """Return the partnership a row belongs to, looked up system-wide (a job finds its own)."""
    with every_partnership(session):
        return session.scalar(
            select(model.partnership_id).where(model.id == row_id)  # type: ignore[attr-defined]
        )


def member_emails(session: Session, partnership_id: int, role: Role) -> set[str]:
    """Return the emails of the active people who hold a role in a partnership."""
    holds = (Membership.role == role) | Membership.other_roles.any(MembershipRole.role == role)
    return set(
        session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.partnership_id == partnership_id,
                holds,
                Membership.is_active.is_(True),
                User.is_active.is_(True),
            )
        )
    )


def partnership_of_link(session: Session, token: str) -> int:
    """Return the partnership whose public link has this token (NOWHERE if none has)."""
    from surveys.models.collection import PublicLink

    if not token or len(token) > 64:
        return NOWHERE
    with every_partnership(session):
        found = session.scalar(select(PublicLink.partnership_id).where(PublicLink.token == token))
    return found or NOWHERE


def partnership_of_api_token(session: Session, header: str | None) -> int:
    """Return the partnership of the API token an Authorization header presents (or NOWHERE)."""
    from surveys.api_tokens import bearer_token, token_hash
    from surveys.models.security import ApiToken

    raw = bearer_token(header)
    if raw is None:
        return NOWHERE
    with every_partnership(session):
        found = session.scalar(
            select(ApiToken.partnership_id).where(ApiToken.token_hash == token_hash(raw))
        )
    return found or NOWHERE


# -- the listeners -------------------------------------------------------------------------


def _owned_tables() -> frozenset[Table]:
    return frozenset(
        mapper.local_table  # type: ignore[misc]
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, PartnershipOwned)
    )


def _touches_owned(statement: Any) -> bool:
    owned = _owned_tables()
    if isinstance(statement, TextClause):  # plain SQL: look for an owned table's name
        words = set(re.findall(r"[a-z_]+", statement.text.lower()))
        return any(table.name in words for table in owned)
    return any(
        isinstance(element, Table) and element in owned for element in visitors.iterate(statement)
    )


def _scope_statement(state: ORMExecuteState) -> None:
    if state.is_column_load or state.is_relationship_load:
        return  # these follow objects already loaded in scope (the criteria propagate)
    scope = state.session.info.get(SCOPE)
    if scope == EVERY:
        return
    if scope is None:
        if _touches_owned(state.statement):
            raise NoPartnership(
                "this session works in no partnership: call tenancy.work_in(session, id), "
                "or tenancy.every_partnership(session) for system-wide work"
            )
        return
    if state.is_orm_statement and (state.is_select or state.is_update or state.is_delete):
        state.statement = state.statement.options(
            with_loader_criteria(
                PartnershipOwned,
                lambda cls: cls.partnership_id == scope,
                include_aliases=True,
            )
        )
    elif not state.is_orm_statement and _touches_owned(state.statement):
        raise NoPartnership("plain SQL on a partnership's table: use ORM statements")


def _fill_partnership(session: Session, _context: Any, _instances: Any) -> None:
    scope = session.info.get(SCOPE)
    for obj in list(session.new):
        if isinstance(obj, PartnershipOwned):
            _check_new(obj, scope)
        elif isinstance(obj, User) and isinstance(scope, int) and scope != NOWHERE and obj.role:
            membership = Membership(user=obj, partnership_id=scope, role=obj.role)
            with session.no_autoflush:
                _same_organisation(membership, obj)
            session.add(membership)
        elif isinstance(obj, Organisation) and isinstance(scope, int) and scope != NOWHERE:
            session.add(OrganisationPartnership(organisation=obj, partnership_id=scope))
    for obj in list(session.dirty):
        if isinstance(obj, PartnershipOwned) and get_history(obj, "partnership_id").deleted:
            raise WrongPartnership("an object cannot move to another partnership")


def _check_new(obj: PartnershipOwned, scope: object) -> None:
    if obj.partnership_id is None:
        if isinstance(scope, int) and scope != NOWHERE:
            obj.partnership_id = scope
        elif not type(obj).__table__.c.partnership_id.nullable:  # type: ignore[attr-defined]
            name = type(obj).__name__
            raise NoPartnership(f"a new {name} needs a partnership: the session works in none")
    elif isinstance(scope, int) and obj.partnership_id != scope:
        raise WrongPartnership(f"a new {type(obj).__name__} of another partnership")


def _same_organisation(membership: Membership, user: User) -> None:
    if get_history(user, "organisation").added:  # set as an object (perhaps not yet flushed)
        membership.organisation = user.organisation
    else:  # by id (setting the relationship to None as well would win and clear it)
        membership.organisation_id = user.organisation_id


def _begin_in_scope(session: Session, _transaction: SessionTransaction, connection: Any) -> None:
    _apply_database_scope(connection, session.info.get(SCOPE))


def _refresh_database_scope(session: Session) -> None:
    if session.in_transaction():
        _apply_database_scope(session.connection(), session.info.get(SCOPE))


def _apply_database_scope(connection: Connection, scope: object) -> None:
    """Tell PostgreSQL's row-level security which partnership this transaction works in."""
    if connection.dialect.name != "postgresql":
        return
    partnership = str(scope) if isinstance(scope, int) else ""
    every = "on" if scope == EVERY else ""
    connection.exec_driver_sql(
        "SELECT set_config('app.partnership_id', %(p)s, true), "
        "set_config('app.every_partnership', %(e)s, true)",
        {"p": partnership, "e": every},
    )


def install() -> None:
    """Attach the listeners to every Session (idempotent)."""
    for name, listener in (
        ("do_orm_execute", _scope_statement),
        ("before_flush", _fill_partnership),
        ("after_begin", _begin_in_scope),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


install()
