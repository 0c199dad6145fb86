"""Trust the X-Forwarded-For and X-Forwarded-Proto headers of a known number of proxies."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.config import ConfigError


def init_app(app: Flask) -> None:
    """Apply ProxyFix for TRUSTED_PROXIES proxies; with 0 the headers are ignored (spoofable).

    Count only the proxies you run in front of gunicorn: each one appends the address it
    saw, and the rightmost N entries are trusted; anything a client sends is left of them.
    """
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise ConfigError("LEARNING_LOOP_TRUSTED_PROXIES must be a whole number, 0 or more")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
