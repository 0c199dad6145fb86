"""The partnership's organisations: agencies and schools, each with a sector."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.accounts import AccountError
from surveys.audit import record_audit
from surveys.models import Organisation, OrganisationKind, Partnership, Sector, User


@dataclass(frozen=True)
class OrganisationDetails:
    name: str
    sector: Sector
    kind: OrganisationKind


def list_organisations(session: Session, *, include_inactive: bool = True) -> list[Organisation]:
    """Return organisations by name."""
    query = select(Organisation).order_by(func.lower(Organisation.name))
    if not include_inactive:
        query = query.where(Organisation.is_active.is_(True))
    return list(session.scalars(query))


def _check_name_free(session: Session, name: str, except_id: int | None = None) -> None:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    existing = session.scalar(query)
    if existing is not None and existing != except_id:
        raise AccountError("An organisation with this name already exists")


def create_organisation(
    session: Session, details: OrganisationDetails, *, created_by: int | None
) -> Organisation:
    """Add an organisation to the partnership."""
    name = " ".join(details.name.split())
    _check_name_free(session, name)
    organisation = Organisation(name=name, sector=details.sector, kind=details.kind)
    session.add(organisation)
    session.flush()
    record_audit(
        session,
        user_id=created_by,
        action="organisation.created",
        object_type="organisation",
        object_id=organisation.id,
    )
    session.commit()
    return organisation


def update_organisation(
    session: Session,
    organisation: Organisation,
    details: OrganisationDetails,
    *,
    is_active: bool,
    updated_by: int,
) -> Organisation:
    """Change an organisation's details or deactivate it (its people can no longer sign in)."""
    name = " ".join(details.name.split())
    _check_name_free(session, name, except_id=organisation.id)
    organisation.name, organisation.sector, organisation.kind = name, details.sector, details.kind
    organisation.is_active = is_active
    if not is_active:
        for user in organisation.users:
            user.is_active = False
    record_audit(
        session,
        user_id=updated_by,
        action="organisation.updated",
        object_type="organisation",
        object_id=organisation.id,
    )
    session.commit()
    return organisation


def organisation_members(session: Session, organisation_id: int) -> list[User]:
    """Return the people of one organisation by name."""
    return list(
        session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id)
            .order_by(func.lower(User.name))
        )
    )


def get_partnership(session: Session) -> Partnership | None:
    """Return the partnership's settings row."""
    return session.scalar(select(Partnership).limit(1))
