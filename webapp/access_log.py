"""Keep secret tokens out of logged URLs: access logs, server errors and Flask's own log.

Password reset and invitation links, and public form links, carry a token in the path that
grants access to whoever holds it, so anyone reading the logs could use a live one. Lines
are masked before they are written: gunicorn's access and error logs through
`MaskingLogger` (named in gunicorn.conf.py), Werkzeug's development server and Flask's
error log through `TokenMaskingFilter`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

MASK = "[token]"
# /reset-password/<token> and /accept-invitation/<token> anywhere in a line (a request line,
# a bare path, a full URL in a Referer header).
_ACCOUNT_LINK = re.compile(r"(/(?:reset-password|accept-invitation)/)[^/?#\s\"']+")
# /f/<token>... only where a path starts: at the start, after a space, quote, `=` or `(`,
# or right after a URL's host, so `/admin/f/x` is left alone.
_FORM_LINK = re.compile(r"((?:^|[\s\"'=(]|//[^/\s\"'?#]*)/f/)[^/?#\s\"']+")


def mask_tokens(text: str) -> str:
    """Return `text` with every link token replaced by [token]."""
    return _FORM_LINK.sub(rf"\g<1>{MASK}", _ACCOUNT_LINK.sub(rf"\g<1>{MASK}", text))


class TokenMaskingFilter(logging.Filter):
    """Mask link tokens in a record's message before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_logger(logger: logging.Logger) -> None:
    """Attach the masking filter to a logger once."""
    if not any(isinstance(existing, TokenMaskingFilter) for existing in logger.filters):
        logger.addFilter(TokenMaskingFilter())


class MaskingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with link tokens masked in access lines and request errors."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        mask_logger(self.access_log)
        mask_logger(self.error_log)
