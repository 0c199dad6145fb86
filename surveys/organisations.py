"""Organisations (agencies and schools, each with a sector) and the partnerships they serve.

Organisations are public bodies: one row per body on the whole service, whose name, sector
and type every partnership it serves shares. Each partnership sees and manages only the
organisations that serve it (`organisation_partnerships`), and whether one is active is
that partnership's own. Adding an organisation whose name is already on the service makes
that organisation serve this partnership too, rather than a second copy of a public body.
Everything here works in the partnership the session works in (`surveys.tenancy`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from surveys import memberships, tenancy
from surveys.accounts import AccountError
from surveys.audit import record_audit
from surveys.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationPartnership,
    Partnership,
    Sector,
)


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    sector: Sector
    kind: OrganisationKind


@dataclass(frozen=True)
class Added:
    organisation: Organisation
    was_on_the_service: bool  # True: an existing organisation now serves this partnership too


def _serving(session: Session) -> Select[tuple[Organisation, OrganisationPartnership]]:
    return (
        select(Organisation, OrganisationPartnership)
        .join(OrganisationPartnership, OrganisationPartnership.organisation_id == Organisation.id)
        .where(OrganisationPartnership.partnership_id == memberships.partnership_here(session))
    )


def list_organisations(session: Session, *, include_inactive: bool = True) -> list[Organisation]:
    """Return the organisations serving the session's partnership, by name."""
    query = _serving(session).order_by(func.lower(Organisation.name))
    if not include_inactive:
        query = query.where(OrganisationPartnership.is_active.is_(True))
    return [organisation for organisation, _ in session.execute(query)]


def statuses(session: Session) -> dict[int, bool]:
    """Return whether each organisation serving the session's partnership is active in it."""
    found = session.execute(_serving(session))
    return {organisation.id: link.is_active for organisation, link in found}


def organisation_here(
    session: Session, organisation_id: int, *, active_only: bool = False
) -> Organisation | None:
    """Return an organisation if it serves the session's partnership (else None)."""
    query = _serving(session).where(Organisation.id == organisation_id)
    if active_only:
        query = query.where(OrganisationPartnership.is_active.is_(True))
    found = session.execute(query).first()
    return found[0] if found else None


def is_active_here(session: Session, organisation_id: int) -> bool:
    """Say whether an organisation serves the session's partnership and is active in it."""
    return organisation_here(session, organisation_id, active_only=True) is not None


def _named(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))


def create_organisation(
    session: Session, details: OrganisationDetails, *, created_by: int | None
) -> Added:
    """Add an organisation to the partnership, or make the one of that name serve it too."""
    name = " ".join(details.name.split())
    existing = _named(session, name)
    if existing is not None:
        if organisation_here(session, existing.id) is not None:
            raise AccountError("An organisation with this name already exists")
        session.add(
            OrganisationPartnership(
                organisation=existing, partnership_id=memberships.partnership_here(session)
            )
        )
        _audit(session, created_by, "organisation.linked", existing.id)
        session.commit()
        return Added(existing, was_on_the_service=True)
    organisation = Organisation(name=name, sector=details.sector, kind=details.kind)
    session.add(organisation)  # surveys.tenancy makes it serve the session's partnership
    session.flush()
    _audit(session, created_by, "organisation.created", organisation.id)
    session.commit()
    return Added(organisation, was_on_the_service=False)


def update_organisation(
    session: Session,
    organisation: Organisation,
    details: OrganisationDetails,
    *,
    is_active: bool,
    updated_by: int,
) -> Organisation:
    """Change an organisation's details, or (de)activate it in this partnership only.

    Deactivating it deactivates its people's memberships here: those left with no
    partnership can no longer sign in.
    """
    name = " ".join(details.name.split())
    named = _named(session, name)
    if named is not None and named.id != organisation.id:
        raise AccountError("An organisation with this name already exists")
    organisation.name, organisation.sector, organisation.kind = name, details.sector, details.kind
    link = session.get(
        OrganisationPartnership, (organisation.id, memberships.partnership_here(session))
    )
    if link is None:
        raise tenancy.WrongPartnership("the organisation does not serve this partnership")
    link.is_active = is_active
    if not is_active:
        for membership in _memberships_here(session, organisation.id):
            memberships.set_active(session, membership, is_active=False)
    _audit(session, updated_by, "organisation.updated", organisation.id)
    session.commit()
    return organisation


def _memberships_here(session: Session, organisation_id: int) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership).where(
                Membership.organisation_id == organisation_id,
                Membership.partnership_id == memberships.partnership_here(session),
            )
        )
    )


def organisation_members(session: Session, organisation_id: int) -> list[Membership]:
    """Return the memberships of one organisation's people in this partnership, by name."""
    return [
        membership
        for membership in memberships.people_here(session)
        if membership.organisation_id == organisation_id
    ]


def get_partnership(session: Session) -> Partnership | None:
    """Return the partnership the session works in: its name, branding and front door.

    A request works in the partnership of its link, API token or signed-in person's
    membership (`webapp.tenancy`); None when it works in none.
    """
    partnership_id = tenancy.partnership_of(session)
    return session.get(Partnership, partnership_id) if partnership_id else None


def _audit(session: Session, by: int | None, action: str, organisation_id: int) -> None:
    record_audit(
        session,
        user_id=by,
        action=action,
        object_type="organisation",
        object_id=organisation_id,
    )
