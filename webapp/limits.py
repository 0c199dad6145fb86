"""Rate limits on the public, account-free forms (Flask-Limiter).

Keyed by client address and link, so one school or webinar behind one address can still
answer together while a script hammering a link is slowed. Counters live in Redis when
the queue does (scaled), in memory otherwise.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    """Choose the counters' storage and attach the limiter."""
    queue = str(app.config["QUEUE_URL"])
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI",
        queue if queue.startswith(("redis://", "rediss://")) else "memory://",
    )
    limiter.init_app(app)


def link_key() -> str:
    """Limit per client address and per link token."""
    token = (request.view_args or {}).get("token", "")
    return f"{get_remote_address()}:{token}"


def respond_limit() -> str:
    from flask import current_app

    return str(current_app.config["RESPOND_RATE_LIMIT"])
