"""The read-only API's review documents: case reviews against their statutory clocks,
national reviews with their findings and each agency's rating, and case audit findings (the
actions they led to are added by `learning.audit_documents`), with their OpenAPI paths and
schemas.

A case review is served by its reference, stage, decision and dates, and whether each
deadline was met in time: never the child's details (`case_details`), the incident summary,
the decision's or publication's reasons, or what agencies wrote to the rapid review. A
national review carries its title, publisher, date and link and its findings (short public
statements); each agency's answer to a finding is served as its rating only. Every query is
the token's partnership's (`surveys.tenancy`).

Public API:
    case_reviews_page(session, *, page, per_page) -> (rows, total)
    case_review_document(review) -> dict
    national_reviews_page(session, *, page, per_page) -> (rows, total)
    national_review_document(session, review) -> dict
    audit_findings_page(session, *, page, per_page) -> (rows, total)
    audit_finding_document(finding, *, learning_entry_id, action_ids) -> dict
    paths() -> dict; schemas() -> dict: merged into the OpenAPI document
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys import national_reviews
from surveys.api_pages import list_operation, page_of, paged, ref
from surveys.case_reviews.deadlines import Clock, deadlines_of
from surveys.case_reviews.records import review_dates, stage_of
from surveys.models import (
    AuditFinding,
    CaseReview,
    FindingKind,
    NationalFinding,
    NationalReview,
    PublicationDecision,
    ReviewDecision,
)

Document = dict[str, Any]
STAGES = ("Rapid review", "Local review", "Completed")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def case_reviews_page(session: Session, *, page: int, per_page: int) -> tuple[list[Any], int]:
    """Return one page of the partnership's case reviews (oldest first) and how many."""
    query = select(CaseReview).order_by(CaseReview.id)
    return paged(session, query.options(selectinload(CaseReview.recommendations)), page, per_page)


def case_review_document(review: CaseReview) -> Document:
    """Return a case review as the API's CaseReview object (no case details, no free text)."""
    return {
        "id": review.id,
        "reference": review.reference,
        "stage": stage_of(review),
        "became_aware_on": _day(review.became_aware_on),
        "panel_notified_on": _day(review.panel_notified_on),
        "decision": review.decision.value if review.decision else None,
        "decided_on": _day(review.decided_on),
        "publication_decision": (
            review.publication_decision.value if review.publication_decision else None
        ),
        "published_on": _day(review.published_on),
        "published_until": _day(review.published_until),
        "recommendations": len(review.recommendations),
        "deadlines": [
            {
                "clock": deadline.clock.value,
                "due_on": _day(deadline.due_on),
                "met_on": _day(deadline.met_on),
                "met_in_time": (not deadline.was_late()) if deadline.is_met else None,
            }
            for deadline in deadlines_of(review_dates(review))
        ],
    }


def national_reviews_page(
    session: Session, *, page: int, per_page: int
) -> tuple[list[NationalReview], int]:
    """Return one page of the partnership's national reviews (oldest first) and how many."""
    query = select(NationalReview).order_by(NationalReview.id)
    options = selectinload(NationalReview.findings).selectinload(NationalFinding.cycle)
    return paged(session, query.options(options), page, per_page)


def national_review_document(session: Session, review: NationalReview) -> Document:
    """Return a national review with its findings and each asked agency's rating."""
    grid = national_reviews.grid(session, review)
    return {
        "id": review.id,
        "title": review.title,
        "publisher": review.publisher,
        "published_on": _day(review.published_on),
        "link": review.link or None,
        "findings": [
            {
                "id": row.finding.id,
                "number": row.finding.number,
                "statement": row.finding.statement,
                "answers": [
                    {
                        "organisation": {"id": c.organisation.id, "name": c.organisation.name},
                        "status": c.status.lower().replace(" ", "_").replace("-", "_"),
                        "rating": c.answer.rating if c.answer else None,
                    }
                    for c in row.cells
                    if c.asked
                ],
            }
            for row in grid.rows
        ],
    }


def audit_findings_page(
    session: Session, *, page: int, per_page: int
) -> tuple[list[AuditFinding], int]:
    """Return one page of the partnership's case audit findings (oldest first) and how many."""
    query = select(AuditFinding).order_by(AuditFinding.id)
    options = (selectinload(AuditFinding.programme), selectinload(AuditFinding.day))
    return paged(session, query.options(*options), page, per_page)


def audit_finding_document(
    finding: AuditFinding, *, learning_entry_id: int | None, action_ids: list[int]
) -> Document:
    """Return an audit finding: its programme, day, kind and words, and what it led to."""
    return {
        "id": finding.id,
        "programme": {"id": finding.programme.id, "title": finding.programme.title},
        "audit_day": _day(finding.day.held_on) if finding.day is not None else None,
        "kind": finding.kind.value,
        "text": finding.text,
        "learning_entry_id": learning_entry_id,
        "action_ids": action_ids,
        "recorded_at": finding.created_at.isoformat(),
    }


def paths() -> Document:
    """Return the OpenAPI path items of case reviews, national reviews and audit findings."""
    return {
        "/case-reviews": list_operation(
            "listCaseReviews",
            "List case reviews: stage, decision, key dates and whether each deadline was met "
            "in time (never the child's details)",
            "CaseReviewPage",
        ),
        "/national-reviews": list_operation(
            "listNationalReviews",
            "List national reviews with their findings and each agency's rating",
            "NationalReviewPage",
        ),
        "/audit-findings": list_operation(
            "listAuditFindings",
            "List case audit findings with the learning log entry and actions they led to",
            "AuditFindingPage",
        ),
    }


def schemas() -> Document:
    """Return the OpenAPI schemas of case reviews, national reviews and audit findings."""
    text, integer = {"type": "string"}, {"type": "integer"}
    day = {"type": ["string", "null"], "format": "date"}
    ratings = [*national_reviews.RATINGS, None]
    return {
        "Deadline": {
            "type": "object",
            "required": ["clock", "due_on", "met_on", "met_in_time"],
            "properties": {
                "clock": {"type": "string", "enum": [c.value for c in Clock]},
                "due_on": {"type": "string", "format": "date"},
                "met_on": day,
                "met_in_time": {
                    "type": ["boolean", "null"],
                    "description": "Null until the deadline is met",
                },
            },
        },
        "CaseReview": {
            "type": "object",
            "required": ["id", "reference", "stage", "became_aware_on", "deadlines"],
            "properties": {
                "id": integer,
                "reference": {"type": "string", "examples": ["RR-2026-014"]},
                "stage": {"type": "string", "enum": list(STAGES)},
                "became_aware_on": {"type": "string", "format": "date"},
                "panel_notified_on": day,
                "decision": {
                    "type": ["string", "null"],
                    "enum": [*(d.value for d in ReviewDecision), None],
                },
                "decided_on": day,
                "publication_decision": {
                    "type": ["string", "null"],
                    "enum": [*(p.value for p in PublicationDecision), None],
                },
                "published_on": day,
                "published_until": day,
                "recommendations": integer,
                "deadlines": {"type": "array", "items": ref("schemas", "Deadline")},
            },
        },
        "CaseReviewPage": page_of("CaseReview"),
        "NationalReview": {
            "type": "object",
            "required": ["id", "title", "publisher", "published_on", "findings"],
            "properties": {
                "id": integer,
                "title": text,
                "publisher": text,
                "published_on": {"type": "string", "format": "date"},
                "link": {"type": ["string", "null"]},
                "findings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "number", "statement", "answers"],
                        "properties": {
                            "id": integer,
                            "number": integer,
                            "statement": text,
                            "answers": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["organisation", "status", "rating"],
                                    "properties": {
                                        "organisation": {
                                            "type": "object",
                                            "required": ["id", "name"],
                                            "properties": {"id": integer, "name": text},
                                        },
                                        "status": {
                                            "type": "string",
                                            "enum": [
                                                "not_started",
                                                "in_progress",
                                                "awaiting_sign_off",
                                                "submitted",
                                            ],
                                        },
                                        "rating": {"type": ["string", "null"], "enum": ratings},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "NationalReviewPage": page_of("NationalReview"),
        "AuditFinding": {
            "type": "object",
            "required": ["id", "programme", "kind", "text", "action_ids"],
            "properties": {
                "id": integer,
                "programme": {
                    "type": "object",
                    "required": ["id", "title"],
                    "properties": {"id": integer, "title": text},
                },
                "audit_day": day,
                "kind": {"type": "string", "enum": [k.value for k in FindingKind]},
                "text": text,
                "learning_entry_id": {"type": ["integer", "null"]},
                "action_ids": {"type": "array", "items": integer},
                "recorded_at": {"type": "string", "format": "date-time"},
            },
        },
        "AuditFindingPage": page_of("AuditFinding"),
    }
