"""Who is signed in, browsers known to an account, security headers with a CSP nonce, and the
idle timeout."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import Flask, Response, current_app, g, request, session
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response as WerkzeugResponse

from surveys import accounts
from webapp.access_log import mask_logger
from webapp.database import get_session

NO_STORE_PREFIXES = ("/static/", "/assets/")
KNOWN_BROWSER_LIFETIME = timedelta(days=180)
MAX_KNOWN_ACCOUNTS = 5  # a shared computer remembers its last five people


def init_app(app: Flask) -> None:
    """Load the signed-in user for each request and add security headers to each response.

    Also mask link tokens in the development server's request lines and Flask's error log.
    """
    mask_logger(logging.getLogger("werkzeug"))
    mask_logger(app.logger)
    app.before_request(_load_user)
    app.after_request(_add_headers)
    app.context_processor(lambda: {"csp_nonce": _nonce(), "current_user": g.get("user")})


def _nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def _load_user() -> None:
    """Put the signed-in person in `g.user` and their sign-in in `g.sign_in` (or None)."""
    g.user = g.sign_in = None
    token = session.get("token")
    if not token or request.endpoint in ("static", "assets"):
        return
    found = accounts.resolve_session(
        get_session(),
        token,
        idle_timeout=current_app.config["IDLE_TIMEOUT"],
        absolute_timeout=current_app.config["PERMANENT_SESSION_LIFETIME"],
    )
    if found is None:
        session.clear()
        session["timed_out"] = True  # the sign-in page explains why
        return
    g.sign_in, g.user = found, found.user


def sign_in(token: str) -> None:
    """Start a fresh cookie session (a new session on sign-in stops fixation)."""
    session.clear()
    session.permanent = True
    session["token"] = token


def _known_browser_cookie() -> str:
    return (
        "__Host-known-browser" if current_app.config["SESSION_COOKIE_SECURE"] else "known-browser"
    )


def _known_browser_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="known-browser")


def known_user_ids() -> list[int]:
    """Return the ids of the accounts this browser has signed in to (a signed cookie)."""
    raw = request.cookies.get(_known_browser_cookie(), "")
    try:
        ids = _known_browser_serializer().loads(
            raw, max_age=int(KNOWN_BROWSER_LIFETIME.total_seconds())
        )
    except BadData:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remember_browser(response: WerkzeugResponse, user_id: int) -> WerkzeugResponse:
    """Mark this browser as one the user signs in with (see surveys.throttling)."""
    ids = [user_id, *(i for i in known_user_ids() if i != user_id)][:MAX_KNOWN_ACCOUNTS]
    response.set_cookie(
        _known_browser_cookie(),
        _known_browser_serializer().dumps(ids),
        max_age=KNOWN_BROWSER_LIFETIME,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _add_headers(response: Response) -> Response:
    nonce = _nonce()
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if not request.path.startswith(NO_STORE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
    return response
