"""Agencies' information returns to a rapid review, through the form engine.

A review asks its agencies for information in a cycle of its own, of the
`rapid-review-information` form: each agency answers it as any return (drafts, sign-off by
its lead, one submission), from its Assessments page. The cycle closes when the rapid review
is due, so its deadline is the statutory one. Its title names the review's reference only.

Public API:
    INFORMATION_FORM
    ask_agencies(session, review_id, organisation_ids, *, definition, by) -> Cycle
    information_returns(session, review) -> list[ReturnRow]
    submitted_return(session, review, response_id) -> Response
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from surveys import cycles, organisations
from surveys.audit import record_audit
from surveys.case_reviews.deadlines import deadlines_of
from surveys.case_reviews.records import get_review, review_dates
from surveys.cycles import ReturnRow
from surveys.definition import SurveyDefinition
from surveys.errors import CaseReviewError, ReviewNotFound
from surveys.models import CaseReview, Cycle, Response, User
from surveys.own_cycles import ask_in_own_cycle

log = logging.getLogger(__name__)
INFORMATION_FORM = "rapid-review-information"


def _closes_at(review: CaseReview) -> datetime:
    """The end of the day the rapid review is due (answers are taken until then)."""
    due = deadlines_of(review_dates(review))[1].due_on
    return datetime.combine(due + timedelta(days=1), time.min, tzinfo=UTC)


def ask_agencies(
    session: Session,
    review_id: int,
    organisation_ids: list[int],
    *,
    definition: SurveyDefinition,
    by: User,
) -> Cycle:
    """Ask agencies for an information return; the first ask publishes the review's cycle.

    Agencies already asked are kept; asking one again changes nothing.
    """
    review = get_review(session, review_id)
    wanted = set(organisation_ids)
    if not wanted:
        raise CaseReviewError("Select the agencies to ask for information", field="organisations")
    if not wanted <= {o.id for o in organisations.list_organisations(session)}:
        raise CaseReviewError("Select agencies from the list", field="organisations")
    cycle, _ = ask_in_own_cycle(
        session,
        review.information_cycle,
        definition,
        title=f"Rapid review information: {review.reference}",
        closes_at=_closes_at(review),
        organisation_ids=wanted,
        by=by,
    )
    review.information_cycle = cycle
    record_audit(
        session,
        user_id=by.id,
        action="case_review.information_asked",
        object_type="case_review",
        object_id=review.id,
        detail=f"organisations={len(wanted)}",
    )
    session.commit()
    log.info("information asked review_id=%s cycle_id=%s", review.id, cycle.id)
    return cycle


def information_returns(session: Session, review: CaseReview) -> list[ReturnRow]:
    """Return each asked agency's return and its status (none before any agency is asked)."""
    if review.information_cycle is None:
        return []
    return cycles.returns(session, review.information_cycle)


def submitted_return(session: Session, review: CaseReview, response_id: int) -> Response:
    """Return one agency's submitted information return to this review."""
    found = session.get(Response, response_id)
    if (
        found is None
        or review.information_cycle_id is None
        or found.cycle_id != review.information_cycle_id
        or not found.is_submitted
    ):
        raise ReviewNotFound("There is no submitted return with that number")
    return found
