"""What a case review teaches: its recommendations become actions, its learning log entries.

The actions are the learning board's own (owner organisation, due date, progress and evidence
of impact, on /actions), each linked to its recommendation (`Action.recommendation_id`, one
action per recommendation); the entries are the learning log's, with `source_kind`
case_review and a link to the review (`LearningEntry.case_review_id`). Only the review's
reference goes with them, never the child's details.

Public API:
    action_from_recommendation(session, review_id, recommendation_id, *, owner_organisation_id,
        due_date, created_by) -> Action
    actions_by_recommendation(session, review) -> dict[int, Action]
    entry_from_review(session, review_id, *, title, lesson, created_by) -> LearningEntry
    entries_of_review(session, review_id) -> list[LearningEntry]
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning import actions, log
from learning.errors import InvalidInput, NotFound
from learning.models import Action, LearningEntry, SourceKind
from surveys.case_reviews.records import get_recommendation, get_review
from surveys.errors import ReviewNotFound
from surveys.models import CaseReview, User

logger = logging.getLogger(__name__)


def action_from_recommendation(
    session: Session,
    review_id: int,
    recommendation_id: int,
    *,
    owner_organisation_id: int,
    due_date: date,
    created_by: User,
) -> Action:
    """Turn a recommendation into an action for an organisation (once: a repeat changes nothing).

    Raises:
        NotFound: no such review or recommendation here.
        InvalidInput: the organisation does not serve this partnership, or the date has passed.
    """
    try:
        recommendation = get_recommendation(session, review_id, recommendation_id)
    except ReviewNotFound as error:
        raise NotFound(str(error)) from None
    existing = _action_of(session, recommendation.id)
    if existing is not None:
        return existing
    try:
        return actions.create_action(
            session,
            description=recommendation.text,
            owner_organisation_id=owner_organisation_id,
            due_date=due_date,
            created_by=created_by,
            recommendation_id=recommendation.id,
        )
    except IntegrityError:  # the same recommendation turned into an action at the same moment
        session.rollback()
        found = _action_of(session, recommendation_id)
        if found is None:
            raise
        return found


def _action_of(session: Session, recommendation_id: int) -> Action | None:
    return session.scalar(select(Action).where(Action.recommendation_id == recommendation_id))


def actions_by_recommendation(session: Session, review: CaseReview) -> dict[int, Action]:
    """Return the action each of the review's recommendations became, by recommendation id."""
    ids = [r.id for r in review.recommendations]
    if not ids:
        return {}
    found = session.scalars(select(Action).where(Action.recommendation_id.in_(ids)))
    return {a.recommendation_id: a for a in found if a.recommendation_id is not None}


def entry_from_review(
    session: Session, review_id: int, *, title: str, lesson: str, created_by: User
) -> LearningEntry:
    """Add the review's learning to the learning log, linked to the review by its reference."""
    try:
        review = get_review(session, review_id)
    except ReviewNotFound as error:
        raise NotFound(str(error)) from None
    if not lesson.strip():
        raise InvalidInput("Describe what has been learnt")
    entry = log.create_entry(
        session,
        log.EntryDetails(
            title=title,
            lesson=lesson,
            source_kind=SourceKind.CASE_REVIEW,
            source_detail=f"Case review {review.reference}",
            case_review_id=review.id,
        ),
        created_by=created_by,
    )
    logger.info("learning from case review entry_id=%s review_id=%s", entry.id, review.id)
    return entry


def entries_of_review(session: Session, review_id: int) -> list[LearningEntry]:
    """Return the learning log entries that came from a review, oldest first."""
    return list(
        session.scalars(
            select(LearningEntry)
            .where(LearningEntry.case_review_id == review_id)
            .order_by(LearningEntry.id)
        )
    )
