"""GOV.UK-styled error pages: never a stack trace, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from surveys.api import PROBLEM_CONTENT_TYPE, problem_document

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Page not found", "If you typed the web address, check it is correct."),
    410: ("This form is closed", "It is no longer taking answers."),
    413: (
        "The information you sent is too large",
        "Go back and send less text, or a smaller file (up to 10MB).",
    ),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes."),
}


# What went wrong, for API clients (the problem's title is the HTTP status phrase).
API_DETAILS = {
    400: "The request is not valid",
    401: "Send a valid API token: Authorization: Bearer llt_…",
    403: "This API token may not do this",
    404: "There is nothing at this address",
    405: "This address answers GET requests only",
    413: "The request is too large",
    429: "Too many requests: wait a minute, then try again",
    500: "Sorry, there is a problem with the service. Try again later",
    503: "The service is busy: nothing was saved, send the request again in a few seconds",
}


BUSY = (
    "The service is busy",
    "Nothing you sent has been saved yet. Go back and send it again in a few seconds.",
)


def is_busy(error: OperationalError) -> bool:
    """Return whether the database refused for now: SQLite's write lock stayed taken."""
    return "database is locked" in str(error.orig)


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem(
    status: int, detail: str | None = None, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    """Answer an API request with an RFC 9457 problem document."""
    body = jsonify(problem_document(status, detail or API_DETAILS.get(status, API_DETAILS[500])))
    body.content_type = PROBLEM_CONTENT_TYPE
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="learning-loop"'}
    return body, status, headers or {}


def render_error(code: int, title: str | None = None, body: str | None = None) -> tuple[str, int]:
    """Render the error page for an HTTP status."""
    default_title, default_body = MESSAGES.get(code, MESSAGES[500])
    try:
        return render_template(
            "errors/error.html", title=title or default_title, body=body or default_body
        ), code
    except Exception:  # noqa: BLE001 - the error page itself failed: fall back to plain text
        log.error("error page failed to render", exc_info=True)
        return f"{default_title}. {default_body}", code


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, CSRF failures and anything unexpected."""

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            "Your session has expired",
            "Go back, refresh the page and try again. Nothing has been saved.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        if is_api_request():  # keep Allow (405) and Retry-After (429); the body is ours
            kept = {k: v for k, v in error.get_headers() if k in ("Allow", "Retry-After")}
            return problem(error.code or 500, headers=kept)
        return render_error(error.code or 500)

    @app.errorhandler(OperationalError)
    def _database(error: OperationalError) -> ResponseReturnValue:
        if not is_busy(error):
            return _unexpected(error)
        # SQLite's one write lock was not free within the busy timeout: the transaction never
        # began, so nothing was saved; say so, and when to try again, instead of a 500.
        log.warning("database busy: request answered 503 (%s %s)", request.method, request.path)
        retry = {"Retry-After": "5"}
        if is_api_request():
            return problem(503, headers=retry)
        page, code = render_error(503, BUSY[0], BUSY[1])
        return page, code, retry

    @app.errorhandler(Exception)
    def _unexpected(_error: Exception) -> ResponseReturnValue:
        log.error("unhandled error", exc_info=True)
        return problem(500) if is_api_request() else render_error(500)
