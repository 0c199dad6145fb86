"""factory_boy factories for the models; bind them to a session with `bind(session)`."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from surveys.accounts import hash_password
from surveys.models import Organisation, OrganisationKind, Role, Sector, User

PASSWORD = "correct horse battery"  # noqa: S105 - test data
_PASSWORD_HASH = hash_password(PASSWORD)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(_Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Agency {n}")
    sector = Sector.HEALTH
    kind = OrganisationKind.AGENCY
    is_active = True


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.ORGANISATION_LEAD
    organisation = factory.SubFactory(OrganisationFactory)
    password_hash = _PASSWORD_HASH
    is_active = True


def bind(session: Session) -> None:
    """Point every factory at this session."""
    for factory_class in (OrganisationFactory, UserFactory):
        factory_class._meta.sqlalchemy_session = session
