"""Server-side sign-in sessions, single-use tokens, sign-in attempts and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, PartnershipOwned, str_enum, utcnow
from surveys.models.people import User


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret


class UserSession(Base):
    """One signed-in browser; the cookie holds the token, we keep only its hash.

    `working_partnership_id`: the partnership the person chose to work in for this sign-in
    (checked against their memberships on every request, see `surveys.memberships`).
    """

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    working_partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class AccountToken(Base):
    """A single-use, expiring token sent by email to set or reset a password."""

    __tablename__ = "account_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, "token_purpose"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class SignInAttempt(Base):
    """A failed sign-in, kept for throttling.

    Keyed by hashes of the email and of the client's address, never the values themselves.
    """

    __tablename__ = "sign_in_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True, default="")
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PasswordResetRequest(Base):
    """A request for a password reset email, kept for throttling (hashes only, as above)."""

    __tablename__ = "password_reset_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    is_sent: Mapped[bool] = mapped_column(default=False)


class AuditEvent(PartnershipOwned, Base):
    """Who did what, to which object, when: ids and codes only, never free text."""

    __tablename__ = "audit_events"
    # No INSERT ... RETURNING: on PostgreSQL a returned row must pass the read policy, which an
    # account's own event (no partnership) passes only system-wide, so signing in would fail.
    __table_args__ = {"implicit_returning": False}
    id: Mapped[int] = mapped_column(primary_key=True)
    # None for an account's own events (sign-in, password), which are no partnership's.
    partnership_id: Mapped[int | None] = mapped_column(  # type: ignore[assignment]
        ForeignKey("partnerships.id"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class ApiToken(PartnershipOwned, Base):
    """A read-only API token; only its SHA-256 is kept. Shown to its creator once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
