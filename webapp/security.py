"""Who is signed in, security headers with a CSP nonce, and the idle timeout."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Response, current_app, g, request, session

from surveys import accounts
from webapp.access_log import mask_logger
from webapp.database import get_session

NO_STORE_PREFIXES = ("/static/", "/assets/")


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
    g.user = None
    token = session.get("token")
    if not token or request.endpoint in ("static", "assets"):
        return
    user = accounts.resolve_session(
        get_session(),
        token,
        idle_timeout=current_app.config["IDLE_TIMEOUT"],
        absolute_timeout=current_app.config["PERMANENT_SESSION_LIFETIME"],
    )
    if user is None:
        session.clear()
        session["timed_out"] = True  # the sign-in page explains why
        return
    g.user = user


def sign_in(token: str) -> None:
    """Start a fresh cookie session (a new session on sign-in stops fixation)."""
    session.clear()
    session.permanent = True
    session["token"] = token


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
