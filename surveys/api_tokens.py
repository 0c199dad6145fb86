"""API tokens: random bearer tokens of which only a SHA-256 hash is ever stored.

Public API:
    TOKEN_PREFIX: marks our tokens, so secret scanners and people can recognise one.
    new_token() -> (raw, sha256 hex): show `raw` once, store only the hash.
    token_hash(raw) -> sha256 hex: look a presented token up by this (indexed, unique).
    bearer_token(header) -> raw token or None, from an Authorization header value.
    display_prefix(raw) -> the first characters, safe to store and show to tell tokens apart.

A token carries 256 random bits, so a fast unsalted hash is enough: nobody can guess one,
and looking up by hash compares no secret byte by byte.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audit import record_audit
from surveys.models import ApiToken, utcnow

TOKEN_PREFIX = "llt_"  # noqa: S105 - a public marker, not a secret
_TOKEN_BYTES = 32
_MAX_TOKEN_LENGTH = 100  # longer headers are not our tokens; do not hash megabytes


def token_hash(raw: str) -> str:
    """Return the hex SHA-256 of a raw token (what the database stores)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """Return a new raw token and its hash."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
    return raw, token_hash(raw)


def bearer_token(header: str | None) -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, or None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    if not token.startswith(TOKEN_PREFIX) or not token.isascii() or " " in token:
        return None
    return token


def display_prefix(raw: str) -> str:
    """Return the first characters of a token: enough to recognise it, useless to an attacker."""
    return raw[: len(TOKEN_PREFIX) + 6]


API_TOKEN_LIFETIME_DAYS = 365


def create_api_token(session: Session, name: str, *, created_by: int) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value (shown once, never stored)."""
    raw, digest = new_token()
    token = ApiToken(
        name=name.strip(),
        token_hash=digest,
        token_prefix=display_prefix(raw),
        created_by_id=created_by,
        expires_at=utcnow() + timedelta(days=API_TOKEN_LIFETIME_DAYS),
    )
    session.add(token)
    session.flush()
    record_audit(
        session,
        user_id=created_by,
        action="api_token.created",
        object_type="api_token",
        object_id=token.id,
    )
    session.commit()
    return token, raw


def authenticate_api(session: Session, header: str | None) -> ApiToken | None:
    """Return the usable token an Authorization header presents, noting its use."""
    raw = bearer_token(header)
    if raw is None:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    now = utcnow()
    if token is None or not token.is_usable(now):
        return None
    token.last_used_at = now
    session.commit()
    return token


def revoke_api_token(session: Session, token: ApiToken, *, revoked_by: int) -> None:
    """Stop a token working at once."""
    token.revoked_at = utcnow()
    record_audit(
        session,
        user_id=revoked_by,
        action="api_token.revoked",
        object_type="api_token",
        object_id=token.id,
    )
    session.commit()
