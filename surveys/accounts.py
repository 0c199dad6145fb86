"""Accounts: people, passwords, sign-in sessions, single-use tokens and throttling.

Services take a Session and typed values and own their transaction. Secrets are never
stored: tokens are kept as SHA-256 hashes, passwords as argon2id hashes.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from surveys.models import (
    AccountToken,
    AuditEvent,
    Organisation,
    Role,
    SignInAttempt,
    TokenPurpose,
    User,
    UserSession,
    utcnow,
)

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# A dummy hash so unknown emails cost as much as known ones (no timing oracle).
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
SIGN_IN_LIMIT = 5
SIGN_IN_WINDOW = timedelta(minutes=15)
COMMON_PASSWORDS = frozenset(
    {
        "password12",
        "password123",
        "1234567890",
        "qwertyuiop",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "safeguarding",
        "password1234",
        "123456789a",
        "abcdefghij",
        "changeme123",
    }
)


class AccountError(Exception):
    """A problem the person can fix; the message is written for them."""


class SignInFailed(AccountError):
    pass


class SignInThrottled(AccountError):
    pass


class TokenInvalid(AccountError):
    pass


def normalise_email(email: str) -> str:
    """Return the comparable form of an email address (NFKC, case-folded, trimmed)."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def password_problem(password: str) -> str | None:
    """Return a GOV.UK-style message if the password is not acceptable, else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    if password.casefold() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "Choose a password that is harder to guess"
    return None


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def record_audit(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: str = "",
) -> None:
    """Add an audit event to the session's transaction (ids and codes only)."""
    session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
        )
    )


@dataclass(frozen=True)
class NewUser:
    email: str
    name: str
    role: Role
    organisation_id: int | None = None


def create_user(
    session: Session, new: NewUser, *, password: str | None = None, created_by: int | None = None
) -> User:
    """Create a user; organisation roles need an organisation, partnership roles must not."""
    email = normalise_email(new.email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("A user with this email address already exists")
    _check_role_fits(session, new.role, new.organisation_id)
    if password is not None and (problem := password_problem(password)):
        raise AccountError(problem)
    user = User(
        email=email,
        name=new.name.strip(),
        role=new.role,
        organisation_id=new.organisation_id if new.role.belongs_to_organisation else None,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        user_id=created_by,
        action="user.created",
        object_type="user",
        object_id=user.id,
        detail=new.role.value,
    )
    session.commit()
    log.info("user created", extra={"user_id": user.id, "role": new.role.value})
    return user


def _check_role_fits(session: Session, role: Role, organisation_id: int | None) -> None:
    if not role.belongs_to_organisation:
        return
    if organisation_id is None:
        raise AccountError("Select the organisation this person belongs to")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not organisation.is_active:
        raise AccountError("Select an active organisation")


def update_user(
    session: Session,
    user: User,
    *,
    name: str,
    role: Role,
    organisation_id: int | None,
    updated_by: int,
) -> User:
    """Change a user's name, role and organisation."""
    _check_role_fits(session, role, organisation_id)
    user.name = name.strip()
    user.role = role
    user.organisation_id = organisation_id if role.belongs_to_organisation else None
    record_audit(
        session,
        user_id=updated_by,
        action="user.updated",
        object_type="user",
        object_id=user.id,
        detail=role.value,
    )
    session.commit()
    return user


def set_user_active(session: Session, user: User, *, is_active: bool, changed_by: int) -> None:
    """Activate or deactivate a user; deactivation ends all their sessions at once."""
    user.is_active = is_active
    if not is_active:
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    record_audit(
        session,
        user_id=changed_by,
        action="user.activated" if is_active else "user.deactivated",
        object_type="user",
        object_id=user.id,
    )
    session.commit()


def authenticate(
    session: Session, email: str, password: str, *, now: datetime | None = None
) -> User:
    """Return the user these credentials belong to, or raise SignInFailed / SignInThrottled."""
    now = now or utcnow()
    email_hash = _digest(normalise_email(email))
    recent = (
        session.scalar(
            select(func.count(SignInAttempt.id)).where(
                SignInAttempt.email_hash == email_hash,
                SignInAttempt.attempted_at > now - SIGN_IN_WINDOW,
            )
        )
        or 0
    )
    if recent >= SIGN_IN_LIMIT:
        session.rollback()
        raise SignInThrottled(
            "You have tried to sign in too many times. Wait 15 minutes, then try again"
        )
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not _password_matches(user, password) or not user.is_active:
        session.add(SignInAttempt(email_hash=email_hash, attempted_at=now))
        record_audit(session, user_id=user.id if user else None, action="sign_in.failed")
        session.commit()
        raise SignInFailed("Enter a correct email address and password")
    session.execute(delete(SignInAttempt).where(SignInAttempt.email_hash == email_hash))
    user.last_signed_in_at = now
    return user


def _password_matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash or _DUMMY_HASH, password) and bool(
            user.password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def start_session(session: Session, user: User) -> str:
    """Create a server-side sign-in session and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_digest(token), user_id=user.id))
    record_audit(session, user_id=user.id, action="sign_in.succeeded")
    session.commit()
    return token


def resolve_session(
    session: Session,
    token: str,
    *,
    idle_timeout: timedelta,
    absolute_timeout: timedelta,
    now: datetime | None = None,
) -> User | None:
    """Return the signed-in user for a cookie token, ending the session if it has expired."""
    now = now or utcnow()
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
    if row is None:
        return None
    if (
        now - row.last_seen_at > idle_timeout
        or now - row.created_at > absolute_timeout
        or not row.user.is_active
    ):
        session.delete(row)
        session.commit()
        return None
    if now - row.last_seen_at > timedelta(seconds=30):  # avoid a write on every request
        row.last_seen_at = now
        session.commit()
    return row.user


def end_session(session: Session, token: str) -> None:
    """Sign out: delete the server-side session so the old cookie stops working."""
    session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))
    session.commit()


def issue_token(session: Session, user: User, purpose: TokenPurpose, *, lifetime: timedelta) -> str:
    """Create a single-use token for an emailed link; earlier unused ones stop working."""
    session.execute(
        delete(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            token_hash=_digest(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=utcnow() + lifetime,
        )
    )
    session.commit()
    return token


def find_token(
    session: Session, token: str, purpose: TokenPurpose, now: datetime | None = None
) -> AccountToken:
    """Return a usable token row or raise TokenInvalid."""
    now = now or utcnow()
    row = session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _digest(token), AccountToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.is_active:
        raise TokenInvalid("This link has expired or has already been used")
    return row


def set_password_with_token(
    session: Session, token: str, purpose: TokenPurpose, password: str
) -> User:
    """Use a token once to set a password; every existing session of the user ends."""
    row = find_token(session, token, purpose)
    if problem := password_problem(password):
        raise AccountError(problem)
    row.used_at = utcnow()
    row.user.password_hash = hash_password(password)
    session.execute(delete(UserSession).where(UserSession.user_id == row.user_id))
    record_audit(session, user_id=row.user_id, action=f"password.set.{purpose.value}")
    session.commit()
    return row.user


def find_active_user_by_email(session: Session, email: str) -> User | None:
    """Return the active user with this email, if any."""
    return session.scalar(
        select(User).where(User.email == normalise_email(email), User.is_active.is_(True))
    )
