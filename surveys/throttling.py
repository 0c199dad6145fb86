"""Throttling of sign-in attempts and password reset emails, counted in the database.

Counters live in the database so every web worker sees the same counts. Rows are keyed by
SHA-256 hashes of the email and of the client's address (never the values) and pruned
once they fall out of their window.

Sign-in rules, over a sliding 15 minutes:
- 5 failures for one account from one address: that address is refused for that account.
  Someone guessing from one address cannot lock the owner out from another.
- 20 failures from one address over any accounts: that address is refused for every account
  (one password tried against many accounts).
- 100 failures for one account from all addresses: the account is refused. A backstop
  against guessing from many addresses, which the first two rules cannot see: it caps
  guesses at about 9,600 a day per account.
A browser that has signed in to the account before (a signed cookie, see webapp.security)
is exempt from the last two rules, so neither a busy shared office address nor someone with
20 or more addresses can lock the owner out of their usual browser.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from surveys.models.security import PasswordResetRequest, SignInAttempt

SIGN_IN_WINDOW = timedelta(minutes=15)
ACCOUNT_AND_CLIENT_LIMIT = 5
CLIENT_LIMIT = 20
ACCOUNT_LIMIT = 100

RESET_WINDOW = timedelta(hours=1)
RESET_EMAILS_PER_ACCOUNT = 3
RESET_REQUESTS_PER_CLIENT = 10


class Refusal(enum.Enum):
    """Why a sign-in is refused before its password is checked; the value is the message."""

    FROM_CLIENT = (
        "There have been too many failed attempts to sign in from your network. "
        "Wait 15 minutes, then try again"
    )
    FOR_ACCOUNT_FROM_CLIENT = (
        "You have tried to sign in too many times. Wait 15 minutes, then try again"
    )
    FOR_ACCOUNT = (
        "There have been too many failed attempts to sign in to this account. "
        "Wait 15 minutes, then try again"
    )


@dataclass(frozen=True)
class ThrottleKeys:
    """Who is asking (a hash of the client address) about which account (a hash of the email)."""

    account: str
    client: str


def keys_for(normalised_email: str, client_address: str) -> ThrottleKeys:
    """Return the hashes an attempt is counted under."""
    return ThrottleKeys(
        account=_digest(normalised_email), client=_digest(f"client:{client_address}")
    )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def sign_in_refusal(
    session: Session, keys: ThrottleKeys, *, is_known_browser: bool, now: datetime
) -> Refusal | None:
    """Return why this sign-in is refused without checking the password, or None.

    A browser that has signed in to this account before is held only by the per-account
    and address rule: neither a crowd behind its office's address nor guessing from many
    addresses can lock its owner out.
    """
    row = SignInAttempt
    from_client, for_account_from_client, for_account = session.execute(
        select(
            func.count().filter(row.client_hash == keys.client),
            func.count().filter(
                and_(row.client_hash == keys.client, row.email_hash == keys.account)
            ),
            func.count().filter(row.email_hash == keys.account),
        ).where(
            row.attempted_at > now - SIGN_IN_WINDOW,
            or_(row.client_hash == keys.client, row.email_hash == keys.account),
        )
    ).one()
    if for_account_from_client >= ACCOUNT_AND_CLIENT_LIMIT:
        return Refusal.FOR_ACCOUNT_FROM_CLIENT
    if is_known_browser:
        return None
    if from_client >= CLIENT_LIMIT:
        return Refusal.FROM_CLIENT
    if for_account >= ACCOUNT_LIMIT:
        return Refusal.FOR_ACCOUNT
    return None


def record_sign_in_failure(session: Session, keys: ThrottleKeys, *, now: datetime) -> None:
    """Count a failed sign-in (in the caller's transaction) and prune expired counts."""
    session.execute(delete(SignInAttempt).where(SignInAttempt.attempted_at <= now - SIGN_IN_WINDOW))
    session.add(SignInAttempt(email_hash=keys.account, client_hash=keys.client, attempted_at=now))


def clear_sign_in_failures(session: Session, keys: ThrottleKeys) -> None:
    """Forget this address's failures for this account after it signs in successfully.

    Failures from other addresses stay counted: the owner signing in does not give
    someone guessing elsewhere a fresh allowance.
    """
    session.execute(
        delete(SignInAttempt).where(
            SignInAttempt.email_hash == keys.account, SignInAttempt.client_hash == keys.client
        )
    )


def may_send_reset(session: Session, keys: ThrottleKeys, *, now: datetime) -> bool:
    """Return whether a password reset email may go to this account for this address."""
    row = PasswordResetRequest
    from_client, sent_to_account = session.execute(
        select(
            func.count().filter(row.client_hash == keys.client),
            func.count().filter(and_(row.email_hash == keys.account, row.is_sent.is_(True))),
        ).where(
            row.requested_at > now - RESET_WINDOW,
            or_(row.client_hash == keys.client, row.email_hash == keys.account),
        )
    ).one()
    return bool(
        from_client < RESET_REQUESTS_PER_CLIENT and sent_to_account < RESET_EMAILS_PER_ACCOUNT
    )


def record_reset_request(
    session: Session, keys: ThrottleKeys, *, is_sent: bool, now: datetime
) -> None:
    """Count a reset request (in the caller's transaction) and prune expired counts."""
    session.execute(
        delete(PasswordResetRequest).where(PasswordResetRequest.requested_at <= now - RESET_WINDOW)
    )
    session.add(
        PasswordResetRequest(
            email_hash=keys.account, client_hash=keys.client, requested_at=now, is_sent=is_sent
        )
    )
