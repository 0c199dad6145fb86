"""The read-only JSON API's documents: cycles, responses, pages of results and OpenAPI 3.1.

Public API:
    API_PREFIX, DEFAULT_PER_PAGE, MAX_PER_PAGE
    PROBLEM_CONTENT_TYPE: every error answer's media type (RFC 9457).
    ApiError(status, detail): raised for a bad request; `document()` is its body.
    parse_pagination(page, per_page) -> (page, per_page) from query-string text.
    parse_id(text, name) -> an optional id filter from query-string text.
    cycle_document(cycle) -> dict
    response_document(response, definition, flags) -> dict (flagged answers withheld)
    page_document(items, *, page, per_page, total, url) -> dict
    problem_document(status, detail) -> dict (an RFC 9457 problem details object)
    openapi_document(base_url) -> dict (`base_url` is the site's, without /api/v1); returns,
        challenges and actions come from `surveys.api_assurance`

Views turn these into JSON; nothing here knows about HTTP beyond status numbers. Answers
keep their stored shapes (see `surveys.answers`); a flagged answer is replaced by WITHHELD
and its question id listed in `withheld`, exactly as in the exports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from http import HTTPStatus
from typing import Any

from surveys import api_assurance, api_reviews
from surveys.definition import SurveyDefinition
from surveys.errors import SurveysError
from surveys.models import Cycle, DisclosureFlag, Response
from surveys.responses import answers_of
from surveys.safeguarding import WITHHELD, withheld_questions

API_PREFIX = "/api/v1"
PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_STATUSES = (400, 401, 403, 404, 405, 413, 429, 500)
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
_MAX_PAGE = 1_000_000  # far past any real page; stops absurd OFFSETs reaching the database

Document = dict[str, Any]


class ApiError(SurveysError):
    """A request the API refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail

    def document(self) -> Document:
        """Return the error as a problem details body."""
        return problem_document(self.status, self.detail)


def problem_document(status: int, detail: str) -> Document:
    """Return an RFC 9457 problem details body: the shape of every API error answer.

    The type is `about:blank`, so the title is the HTTP status phrase and `detail` says
    what went wrong in this request.
    """
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }


def _whole_number(text: str | None, name: str, default: int, maximum: int) -> int:
    if text is None or text == "":
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise ApiError(400, f"{name} must be a whole number, 1 or more")
    if int(text) > maximum:
        raise ApiError(400, f"{name} must be {maximum:,} or less")
    return int(text)


def parse_id(text: str | None, name: str) -> int | None:
    """Return an optional id read from the query string (None if absent); raise ApiError."""
    if text is None or text == "":
        return None
    return _whole_number(text, name, 1, _MAX_PAGE)


def parse_pagination(page: str | None, per_page: str | None) -> tuple[int, int]:
    """Return (page, per_page) read from the query string; raise ApiError when invalid."""
    return (
        _whole_number(page, "page", 1, _MAX_PAGE),
        _whole_number(per_page, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )


def _timestamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def cycle_document(cycle: Cycle) -> Document:
    """Return a cycle as the API's Cycle object."""
    return {
        "id": cycle.id,
        "title": cycle.title,
        "definition_key": cycle.definition_key,
        "definition_version": cycle.definition_version,
        "audience": cycle.audience.value,
        "opens_at": _timestamp(cycle.opens_at),
        "closes_at": _timestamp(cycle.closes_at),
    }


def _flagged_ids(flags: Iterable[DisclosureFlag | str]) -> frozenset[str]:
    return frozenset(flag if isinstance(flag, str) else flag.question_id for flag in flags)


def response_document(
    response: Response, definition: SurveyDefinition, flags: Iterable[DisclosureFlag | str]
) -> Document:
    """Return a response as the API's Response object, with flagged answers withheld.

    `flags` are the response's DisclosureFlag rows (or their question ids).
    """
    withheld = withheld_questions(response, definition, _flagged_ids(flags))
    stored = answers_of(response)
    answers: dict[str, Any] = {}
    for page in definition.pages:
        for question in page.questions:
            if question.personal_data:
                continue  # names and emails asked for one purpose stay in the service
            if question.id in stored:  # only the definition's questions, in its order
                answers[question.id] = WITHHELD if question.id in withheld else stored[question.id]
    organisation = response.organisation
    return {
        "id": response.id,
        "reference": response.reference,
        "cycle_id": response.cycle_id,
        "definition_key": response.definition_key,
        "definition_version": response.definition_version,
        "organisation": (
            {"id": organisation.id, "name": organisation.name} if organisation is not None else None
        ),
        "status": response.status.value,
        "submitted_at": _timestamp(response.submitted_at),
        "answers": answers,
        "withheld": sorted(question_id for question_id in withheld if question_id in answers),
    }


def page_document(
    items: Sequence[Document], *, page: int, per_page: int, total: int, url: str
) -> Document:
    """Return one page of results with counts and links to the neighbouring pages."""
    pages = max(1, math.ceil(total / per_page))

    def link(number: int) -> str:
        return f"{url}?page={number}&per_page={per_page}"

    return {
        "data": list(items),
        "meta": {"page": page, "per_page": per_page, "total": total, "pages": pages},
        "links": {
            "self": link(page),
            "first": link(1),
            "last": link(pages),
            "prev": link(page - 1) if 1 < page <= pages + 1 else None,
            "next": link(page + 1) if page < pages else None,
        },
    }


def openapi_document(base_url: str) -> Document:
    """Return the API's OpenAPI 3.1 description; its server is `base_url` + API_PREFIX."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Learning Loop API",
            "version": "1.0.0",
            "description": (
                "Read-only access to cycles and submitted responses, and to Section 11 / 175 "
                "returns with their self and moderated ratings, challenges and actions. Answers "
                f"flagged as possible disclosures are replaced by '{WITHHELD}'; answers to "
                "questions asking for personal data (a name or email) are never served. "
                "Challenges and "
                "actions carry their state and dates, never what people wrote about them. "
                "Case reviews carry their stage, decision and dates, never a child's details; "
                "agencies' answers to national review findings are served as ratings."
            ),
        },
        "servers": [{"url": base_url.rstrip("/") + API_PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": {**_paths(), **api_assurance.paths(), **api_reviews.paths()},
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token issued by a partnership admin",
                }
            },
            "parameters": {**_parameters(), **api_assurance.parameters()},
            "responses": _error_responses(),
            "schemas": {**_schemas(), **api_assurance.schemas(), **api_reviews.schemas()},
        },
    }


def _ref(kind: str, name: str) -> Document:
    return {"$ref": f"#/components/{kind}/{name}"}


def _ok(description: str, schema: str) -> Document:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("schemas", schema)}},
    }


def _operation(operation_id: str, summary: str, ok: Document, parameters: list[str]) -> Document:
    responses = {"200": ok, "401": _ref("responses", "Unauthorized")}
    if parameters:
        responses["400"] = _ref("responses", "BadRequest")
        responses["404"] = _ref("responses", "NotFound")
    responses["429"] = _ref("responses", "TooManyRequests")
    responses["500"] = _ref("responses", "ServerError")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "security": [{"bearerAuth": []}],
            "parameters": [_ref("parameters", name) for name in parameters],
            "responses": responses,
        }
    }


def _paths() -> Document:
    return {
        "/cycles": _operation("listCycles", "List cycles", _ok("Every cycle", "CycleList"), []),
        "/cycles/{cycle_id}/responses": _operation(
            "listResponses",
            "List a cycle's submitted responses, a page at a time",
            _ok("One page of responses", "ResponsePage"),
            ["CycleId", "Page", "PerPage"],
        ),
        "/responses/{response_id}": _operation(
            "getResponse", "Get one response", _ok("The response", "Response"), ["ResponseId"]
        ),
    }


def _parameters() -> Document:
    def whole(name: str, where: str, **schema: Any) -> Document:
        required = where == "path"
        return {
            "name": name,
            "in": where,
            "required": required,
            "schema": {"type": "integer", "minimum": 1, **schema},
        }

    return {
        "CycleId": whole("cycle_id", "path"),
        "ResponseId": whole("response_id", "path"),
        "Page": whole("page", "query", default=1, maximum=_MAX_PAGE),
        "PerPage": whole("per_page", "query", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE),
    }


def _error_responses() -> Document:
    described = {
        "Unauthorized": "The bearer token is missing, unknown, expired or revoked",
        "NotFound": "There is no such cycle, response or return, or the token may not see it",
        "BadRequest": "A query parameter is not valid",
        "TooManyRequests": "Too many requests: wait, then try again",
        "ServerError": "The service failed; try again later",
    }
    return {
        name: {
            "description": text,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": _ref("schemas", "Problem")}},
        }
        for name, text in described.items()
    }


def _schemas() -> Document:
    text, timestamp = {"type": "string"}, {"type": ["string", "null"], "format": "date-time"}
    return {
        "Cycle": {
            "type": "object",
            "required": ["id", "title", "definition_key", "definition_version", "audience"],
            "properties": {
                "id": {"type": "integer"},
                "title": text,
                "definition_key": text,
                "definition_version": {"type": "integer"},
                "audience": {"type": "string", "enum": ["organisations", "link"]},
                "opens_at": timestamp,
                "closes_at": timestamp,
            },
        },
        "CycleList": {
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"type": "array", "items": _ref("schemas", "Cycle")}},
        },
        "Organisation": {
            "type": ["object", "null"],
            "properties": {"id": {"type": "integer"}, "name": text},
        },
        "Response": {
            "type": "object",
            "required": ["id", "reference", "cycle_id", "status", "answers", "withheld"],
            "properties": {
                "id": {"type": "integer"},
                "reference": {"type": "string", "examples": ["LL-7KQ4-93XD"]},
                "cycle_id": {"type": "integer"},
                "definition_key": text,
                "definition_version": {"type": "integer"},
                "organisation": _ref("schemas", "Organisation"),
                "status": {
                    "type": "string",
                    "enum": ["in_progress", "awaiting_sign_off", "submitted"],
                },
                "submitted_at": timestamp,
                "answers": {
                    "type": "object",
                    "description": "Stored answers keyed by question id; withheld ones are text",
                    "additionalProperties": True,
                },
                "withheld": {"type": "array", "items": text},
            },
        },
        "ResponsePage": {
            "type": "object",
            "required": ["data", "meta", "links"],
            "properties": {
                "data": {"type": "array", "items": _ref("schemas", "Response")},
                "meta": {
                    "type": "object",
                    "properties": {
                        name: {"type": "integer"} for name in ("page", "per_page", "total", "pages")
                    },
                },
                "links": {
                    "type": "object",
                    "properties": {
                        name: {"type": ["string", "null"]}
                        for name in ("self", "first", "last", "prev", "next")
                    },
                },
            },
        },
        "Problem": {
            "type": "object",
            "description": "RFC 9457 problem details",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string", "format": "uri-reference", "examples": ["about:blank"]},
                "title": text,
                "status": {"type": "integer"},
                "detail": text,
            },
        },
    }
