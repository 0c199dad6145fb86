"""Accounts: passwords, sign-in, sessions and single-use tokens.

Services take a Session and typed values and own their transaction. Secrets are never
stored: tokens are kept as SHA-256 hashes, passwords as argon2id hashes. Hashing and
verifying a password takes a few hundred milliseconds, so it never runs inside a
transaction: on SQLite every transaction holds the write lock (see surveys.database).
Throttling rules live in surveys.throttling; managing people, surveys.users; the audit log,
surveys.audit.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Collection
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from surveys import throttling
from surveys.audit import record_audit
from surveys.models import (
    AccountToken,
    TokenPurpose,
    User,
    UserSession,
    utcnow,
)

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
# Unknown, inactive and not-yet-set-up accounts are verified against this dummy hash, so
# they cost as much as a real account with a wrong password (no timing oracle).
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_password_cost(*, time_cost: int, memory_cost_kib: int) -> None:
    """Set argon2id's cost for new hashes and the dummy one (tests make it cheap).

    Stored hashes carry their own parameters, so they verify whatever the setting.
    """
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not-a-real-password")


MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
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


def end_transaction(session: Session) -> None:
    """Finish the current transaction before slow password work, so no lock is held."""
    if session.in_transaction():
        session.commit()  # objects stay loaded: sessions are made with expire_on_commit=False


def _verify(password_hash: str | None, password: str) -> bool:
    """Check a password, doing the same argon2 work whether or not there is a real hash."""
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    client_address: str,
    known_user_ids: Collection[int] = (),
    now: datetime | None = None,
) -> User:
    """Return the user these credentials belong to, or raise SignInFailed / SignInThrottled.

    Unknown, inactive and real accounts cost the same argon2 work and get the same answer.
    `known_user_ids` are the accounts this browser signed in to before: see
    surveys.throttling for the rules they are exempt from.
    The caller commits the success (start_session).
    """
    now = now or utcnow()
    email = normalise_email(email)
    keys = throttling.keys_for(email, client_address)
    user = session.scalar(select(User).where(User.email == email))
    refusal = throttling.sign_in_refusal(
        session,
        keys,
        is_known_browser=user is not None and user.id in known_user_ids,
        now=now,
    )
    if refusal is not None:
        session.rollback()
        log.warning("sign-in refused by throttling", extra={"rule": refusal.name})
        raise SignInThrottled(refusal.value)
    stored_hash = user.password_hash if user is not None and user.is_active else None
    end_transaction(session)
    is_correct = _verify(stored_hash, password)  # always: unknown emails cost the same
    if user is None or not is_correct:
        throttling.record_sign_in_failure(session, keys, now=now)
        record_audit(session, user_id=user.id if user else None, action="sign_in.failed")
        session.commit()
        raise SignInFailed("Enter a correct email address and password")
    throttling.clear_sign_in_failures(session, keys)
    user.last_signed_in_at = now
    return user


def start_session(session: Session, user: User) -> str:
    """Create a server-side sign-in session and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(  # a sign-in starts in the partnership chosen last (surveys.memberships)
        UserSession(
            token_hash=_digest(token),
            user_id=user.id,
            working_partnership_id=user.last_partnership_id,
        )
    )
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
) -> UserSession | None:
    """Return the sign-in (its `user`) for a cookie token, ending it if it has expired."""
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
    return row


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
    user = row.user
    end_transaction(session)
    password_hash = hash_password(password)
    # Claim the token atomically: two posts of the same link cannot both use it.
    claimed = session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise TokenInvalid("This link has expired or has already been used")
    user.password_hash = password_hash
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    record_audit(session, user_id=user.id, action=f"password.set.{purpose.value}")
    session.commit()
    return user


def request_password_reset(
    session: Session,
    email: str,
    *,
    client_address: str,
    lifetime: timedelta,
    now: datetime | None = None,
) -> tuple[User, str] | None:
    """Return the user and a new reset token to email, or None to send nothing.

    Nothing is sent for an unknown or inactive account, after 3 emails to one account in
    an hour, or after 10 requests from one address in an hour. The caller shows the same
    page either way, so the answer never says whether an account exists.
    """
    now = now or utcnow()
    keys = throttling.keys_for(normalise_email(email), client_address)
    user = find_active_user_by_email(session, email)
    is_allowed = throttling.may_send_reset(session, keys, now=now)
    throttling.record_reset_request(session, keys, is_sent=user is not None and is_allowed, now=now)
    if user is None or not is_allowed:
        session.commit()
        if user is not None:
            log.info("password reset email held back", extra={"user_id": user.id})
        return None
    return user, issue_token(session, user, TokenPurpose.PASSWORD_RESET, lifetime=lifetime)


def find_active_user_by_email(session: Session, email: str) -> User | None:
    """Return the active user with this email, if any."""
    return session.scalar(
        select(User).where(User.email == normalise_email(email), User.is_active.is_(True))
    )
