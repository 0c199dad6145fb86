"""ORM models: one declarative Base shared by the collection and learning domains."""

from surveys.models.base import Base, utcnow
from surveys.models.collection import (
    Cycle,
    CycleAssignment,
    CycleAudience,
    DisclosureFlag,
    DisclosureStatus,
    EvidenceFile,
    FollowUpRequest,
    PublicLink,
    Response,
    ResponseChange,
    ResponseStatus,
    ResponseVersion,
)
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
    ApiToken,
    AuditEvent,
    SignInAttempt,
    TokenPurpose,
    UserSession,
)

__all__ = [
    "ApiToken",
    "Cycle",
    "CycleAssignment",
    "CycleAudience",
    "DisclosureFlag",
    "DisclosureStatus",
    "EvidenceFile",
    "FollowUpRequest",
    "PublicLink",
    "Response",
    "ResponseChange",
    "ResponseStatus",
    "ResponseVersion",
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
