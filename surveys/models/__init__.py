"""ORM models: one declarative Base shared by the collection and learning domains."""

from surveys.models.base import Base, utcnow
from surveys.models.people import (
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
    Sector,
    User,
)
from surveys.models.security import (
    AccountToken,
    AuditEvent,
    SignInAttempt,
    TokenPurpose,
    UserSession,
)

__all__ = [
    "AccountToken",
    "AuditEvent",
    "Base",
    "Organisation",
    "OrganisationKind",
    "Partnership",
    "Role",
    "Sector",
    "SignInAttempt",
    "TokenPurpose",
    "User",
    "UserSession",
    "utcnow",
]
