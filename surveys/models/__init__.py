"""ORM models: one declarative Base shared by the collection and learning domains."""

from surveys.models.base import Base, utcnow
from surveys.models.collection import (
    Cycle,
    CycleAssignment,
    CycleAudience,
    DisclosureFlag,
    DisclosureStatus,
    EvidenceFile,
    FlagSource,
    FollowUpRequest,
    PublicLink,
    Response,
    ResponseStatus,
    ResponseVersion,
    ReviewOutcome,
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
    "FlagSource",
    "ReviewOutcome",
    "EvidenceFile",
    "FollowUpRequest",
    "PublicLink",
    "Response",
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
