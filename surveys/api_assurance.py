"""The read-only API's assurance documents: Section 11 / 175 returns with each standard's
self-rating and moderated rating, challenges and their state, and the shape of the actions
(built in `learning.action_documents`), with their OpenAPI paths and schemas.

Like the rest of the API these carry ids, references, titles from the form definitions,
ratings, states and dates, and never free text the API did not already serve: no challenge
question, answer or outcome, no moderation reason, no feedback, no action description, owner
or progress note (what a reviewer or an organisation wrote stays in the product, where who
reads it is checked). Every query is the token's partnership's (`surveys.tenancy`).

Public API:
    returns_page(session, definition_keys, *, page, per_page, cycle_id=None) -> (rows, total)
    challenges_page(session, *, page, per_page) -> (rows, total)
    return_document(response, scrutiny) -> dict
    challenge_document(challenge) -> dict
    paths() -> dict; schemas() -> dict; parameters() -> dict: merged into the OpenAPI document
    ACTION_SOURCES, ACTION_STATUSES: the values an action's `source` and `status` take
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from surveys import ratings
from surveys.api_pages import list_operation, page_of, paged, ref
from surveys.models import (
    Challenge,
    ChallengeKind,
    ChallengeStatus,
    Cycle,
    CycleAudience,
    Response,
    ResponseStatus,
)
from surveys.responses import answers_of
from surveys.scrutiny.reviews import ReturnScrutiny, StandardScrutiny

Document = dict[str, Any]
ACTION_SOURCES = ("return", "challenge", "quality_group", "case_review", "national_review")
ACTION_STATUSES = ("not_started", "in_progress", "done")
STANDARD_STATES = (
    "not_reviewed",
    "accepted",
    "challenged",
    "challenge_answered",
    "settled_after_challenge",
)


def returns_select(definition_keys: Collection[str]) -> Select[tuple[Response]]:
    """Submitted organisation returns to forms with standards (`definition_keys`), by id."""
    return (
        select(Response)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .options(joinedload(Response.organisation))
        .where(
            Response.status == ResponseStatus.SUBMITTED,
            Response.organisation_id.is_not(None),
            Cycle.audience == CycleAudience.ORGANISATIONS,
            Response.definition_key.in_(sorted(definition_keys)),
        )
        .order_by(Response.id)
    )


def returns_page(
    session: Session,
    definition_keys: Collection[str],
    *,
    page: int,
    per_page: int,
    cycle_id: int | None = None,
) -> tuple[list[Response], int]:
    """Return one page of the partnership's submitted returns and how many there are."""
    query = returns_select(definition_keys)
    if cycle_id is not None:
        query = query.where(Response.cycle_id == cycle_id)
    return paged(session, query, page, per_page)


def challenges_page(session: Session, *, page: int, per_page: int) -> tuple[list[Challenge], int]:
    """Return one page of the partnership's challenges (oldest first) and how many there are."""
    return paged(session, select(Challenge).order_by(Challenge.id), page, per_page)


def _timestamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _organisation(response: Response) -> Document | None:
    found = response.organisation
    return {"id": found.id, "name": found.name} if found is not None else None


def _rating(standard: StandardScrutiny, answer: Any) -> Document | None:
    choice = ratings.rating_choice(answer)
    if standard.question is None or choice is None:
        return None
    return {"value": choice, "label": ratings.rating_label(standard.question, choice)}


def _standard(standard: StandardScrutiny, answers: dict[str, Any]) -> Document:
    question = standard.question
    return {
        "ref": standard.ref,
        "title": standard.title,
        "self_rating": _rating(standard, answers.get(question.id) if question else None),
        "moderated_rating": _rating(standard, standard.moderated_choice),
        "is_below_met": standard.is_below_met,
        "state": standard.state.lower().replace(" ", "_"),
        "is_settled": standard.is_settled,
        "open_challenges": len(standard.open_challenges),
    }


def return_document(response: Response, scrutiny: ReturnScrutiny) -> Document:
    """Return a submitted return as the API's Return object: each standard's ratings and
    scrutiny state, whether it is assured and when feedback was given (not the feedback)."""
    answers = answers_of(response)
    review = scrutiny.review
    return {
        "id": response.id,
        "reference": response.reference,
        "cycle_id": response.cycle_id,
        "definition_key": response.definition_key,
        "definition_version": response.definition_version,
        "organisation": _organisation(response),
        "submitted_at": _timestamp(response.submitted_at),
        "is_assured": scrutiny.is_assured,
        "assured_at": _timestamp(review.assured_at if review else None),
        "feedback_given_at": _timestamp(review.feedback_at if review else None),
        "standards": [_standard(standard, answers) for standard in scrutiny.standards],
    }


def challenge_document(challenge: Challenge) -> Document:
    """Return a challenge as the API's Challenge object (its state and dates, not its words)."""
    return {
        "id": challenge.id,
        "return_id": challenge.response_id,
        "organisation_id": challenge.organisation_id,
        "standard_ref": challenge.standard_ref,
        "kind": challenge.kind.value,
        "status": challenge.status.value,
        "raised_at": _timestamp(challenge.raised_at),
        "answered_at": _timestamp(challenge.answered_at),
        "closed_at": _timestamp(challenge.closed_at),
    }


def paths() -> Document:
    """Return the OpenAPI path items of returns, challenges and actions."""
    return {
        "/returns": list_operation(
            "listReturns",
            "List submitted Section 11 / 175 returns with each standard's ratings",
            "ReturnPage",
            ["CycleFilter"],
        ),
        "/returns/{return_id}": {
            "get": {
                "operationId": "getReturn",
                "summary": "Get one submitted return with each standard's ratings",
                "security": [{"bearerAuth": []}],
                "parameters": [ref("parameters", "ReturnId")],
                "responses": {
                    "200": {
                        "description": "The return",
                        "content": {"application/json": {"schema": ref("schemas", "Return")}},
                    },
                    "400": ref("responses", "BadRequest"),
                    "401": ref("responses", "Unauthorized"),
                    "404": ref("responses", "NotFound"),
                    "429": ref("responses", "TooManyRequests"),
                    "500": ref("responses", "ServerError"),
                },
            }
        },
        "/challenges": list_operation(
            "listChallenges", "List challenges on returns and their state", "ChallengePage", []
        ),
        "/actions": list_operation(
            "listActions",
            "List actions: from returns, from challenge, from the quality group and case reviews",
            "ActionPage",
            [],
        ),
    }


def parameters() -> Document:
    """Return the OpenAPI parameters the assurance paths add."""
    return {
        "ReturnId": {
            "name": "return_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        },
        "CycleFilter": {
            "name": "cycle_id",
            "in": "query",
            "required": False,
            "description": "Only this cycle's returns",
            "schema": {"type": "integer", "minimum": 1},
        },
    }


def schemas() -> Document:
    """Return the OpenAPI schemas of returns, challenges and actions and their pages."""
    text, integer = {"type": "string"}, {"type": "integer"}
    timestamp = {"type": ["string", "null"], "format": "date-time"}
    rating = {
        "type": ["object", "null"],
        "required": ["value", "label"],
        "properties": {"value": text, "label": {"type": ["string", "null"]}},
    }
    organisation = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": integer, "name": text},
    }
    return {
        "PageMeta": {
            "type": "object",
            "required": ["page", "per_page", "total", "pages"],
            "properties": {name: integer for name in ("page", "per_page", "total", "pages")},
        },
        "PageLinks": {
            "type": "object",
            "properties": {
                name: {"type": ["string", "null"]}
                for name in ("self", "first", "last", "prev", "next")
            },
        },
        "Rating": rating,
        "Standard": {
            "type": "object",
            "required": ["ref", "title", "self_rating", "moderated_rating", "state"],
            "properties": {
                "ref": {"type": "string", "examples": ["S11-1"]},
                "title": text,
                "self_rating": ref("schemas", "Rating"),
                "moderated_rating": ref("schemas", "Rating"),
                "is_below_met": {
                    "type": "boolean",
                    "description": "Self-rated or moderated below the scale's best level",
                },
                "state": {"type": "string", "enum": list(STANDARD_STATES)},
                "is_settled": {"type": "boolean"},
                "open_challenges": integer,
            },
        },
        "Return": {
            "type": "object",
            "required": ["id", "reference", "cycle_id", "organisation", "standards"],
            "properties": {
                "id": integer,
                "reference": {"type": "string", "examples": ["LL-7KQ4-93XD"]},
                "cycle_id": integer,
                "definition_key": text,
                "definition_version": integer,
                "organisation": {**organisation, "type": ["object", "null"]},
                "submitted_at": timestamp,
                "is_assured": {"type": "boolean"},
                "assured_at": timestamp,
                "feedback_given_at": timestamp,
                "standards": {"type": "array", "items": ref("schemas", "Standard")},
            },
        },
        "ReturnPage": page_of("Return"),
        "Challenge": {
            "type": "object",
            "required": ["id", "return_id", "organisation_id", "standard_ref", "kind", "status"],
            "properties": {
                "id": integer,
                "return_id": integer,
                "organisation_id": integer,
                "standard_ref": text,
                "kind": {"type": "string", "enum": [k.value for k in ChallengeKind]},
                "status": {"type": "string", "enum": [s.value for s in ChallengeStatus]},
                "raised_at": timestamp,
                "answered_at": timestamp,
                "closed_at": timestamp,
            },
        },
        "ChallengePage": page_of("Challenge"),
        "Action": {
            "type": "object",
            "required": [
                "id",
                "source",
                "owner_organisation",
                "due_date",
                "status",
                "is_overdue",
                "is_agreed",
            ],
            "properties": {
                "id": integer,
                "source": {"type": "string", "enum": list(ACTION_SOURCES)},
                "return_id": {"type": ["integer", "null"]},
                "standard_ref": {"type": ["string", "null"]},
                "challenge_id": {"type": ["integer", "null"]},
                "recommendation_id": {"type": ["integer", "null"]},
                "national_finding_id": {"type": ["integer", "null"]},
                "owner_organisation": organisation,
                "due_date": {"type": "string", "format": "date"},
                "status": {"type": "string", "enum": list(ACTION_STATUSES)},
                "is_overdue": {
                    "type": "boolean",
                    "description": "Not done and its due date has passed",
                },
                "is_agreed": {
                    "type": "boolean",
                    "description": "A return's action once a reviewer agrees it; others always",
                },
                "agreed_at": timestamp,
                "created_at": timestamp,
                "completed_at": timestamp,
                "progress_updates": integer,
                "has_evidence_of_impact": {"type": "boolean"},
            },
        },
        "ActionPage": page_of("Action"),
    }
