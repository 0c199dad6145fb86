"""Rate limits on the public, account-free forms (Flask-Limiter).

Keyed by client address and link, so one school or webinar behind one address can still
answer together while a script hammering a link is slowed. The counters are shared by every
worker: in RATE_LIMIT_STORAGE when set (any `limits` URI, or `sqlite:///path`), else in the
queue's Redis when the queue is on Redis (scaled), else in a SQLite file beside a SQLite
queue (the embedded default: every gunicorn worker on the machine opens it). Only a
`memory://` queue, one process by definition, keeps them in memory.

The client address is the connection's, or the one the trusted proxies add in front of it
(TRUSTED_PROXIES, applied by `webapp.proxies`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from webapp import limit_storage  # noqa: F401 - registers the sqlite:/// storage scheme

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
RATE_LIMIT_FILE = "rate-limits.db"


def storage_uri(config: Mapping[str, Any]) -> str:
    """Return where the counters live: the setting, else derived from the queue."""
    if config.get("RATE_LIMIT_STORAGE"):
        return str(config["RATE_LIMIT_STORAGE"])
    queue = str(config["QUEUE_URL"])
    if queue.startswith(("redis://", "rediss://")):
        return queue
    if queue.startswith("sqlite:///"):
        return f"sqlite:///{Path(queue.removeprefix('sqlite:///')).with_name(RATE_LIMIT_FILE)}"
    return "memory://"


def init_app(app: Flask) -> None:
    """Choose the counters' storage and attach the limiter."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config))
    # A counter store that is down must not stop a child or a trainee answering: let it through.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)


def link_key() -> str:
    """Limit per client address and per link token."""
    token = (request.view_args or {}).get("token", "")
    return f"{get_remote_address()}:{token}"


def respond_limit() -> str:
    return str(current_app.config["RESPOND_RATE_LIMIT"])
