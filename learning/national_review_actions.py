"""What a national review teaches: an agency's gap against a finding becomes its action, and
the review's learning a learning log entry.

The actions are the learning board's own (owner organisation, due date, progress and evidence
of impact, on /actions), each linked to its finding (`Action.national_finding_id`; one action
per finding and agency); the agency sees it with its other actions, "National review" as its
source. Entries are the learning log's, with `source_kind` national_review.

Public API:
    action_from_gap(session, review_id, finding_id, organisation_id, *, due_date, description,
        created_by) -> Action
    actions_by_answer(session, review) -> dict[(finding id, organisation id), Action]
    entry_from_national_review(session, review_id, *, title, lesson, created_by) -> LearningEntry
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
from surveys import national_reviews
from surveys.errors import NationalReviewNotFound
from surveys.models import NationalReview, User

logger = logging.getLogger(__name__)


def action_from_gap(
    session: Session,
    review_id: int,
    finding_id: int,
    organisation_id: int,
    *,
    due_date: date,
    description: str,
    created_by: User,
) -> Action:
    """Turn the gap in an agency's answer to a finding into that agency's action (once: a
    repeat returns the action already made).

    Raises:
        NotFound: no such review, finding or submitted answer here.
        InvalidInput: the answer names no gap, or the description is empty.
    """
    try:
        finding = national_reviews.get_finding(session, review_id, finding_id)
        answer = national_reviews.submitted_answer(session, finding, organisation_id)
    except NationalReviewNotFound as error:
        raise NotFound(str(error)) from None
    if not str((answer.answers or {}).get("gap") or "").strip():
        raise InvalidInput("This agency's answer names no gap to act on")
    existing = _action_of(session, finding.id, organisation_id)
    if existing is not None:
        return existing
    try:
        return actions.create_action(
            session,
            description=description,
            owner_organisation_id=organisation_id,
            due_date=due_date,
            created_by=created_by,
            national_finding_id=finding.id,
        )
    except IntegrityError:  # the same gap turned into an action at the same moment
        session.rollback()
        found = _action_of(session, finding_id, organisation_id)
        if found is None:
            raise
        return found


def _action_of(session: Session, finding_id: int, organisation_id: int) -> Action | None:
    return session.scalar(
        select(Action).where(
            Action.national_finding_id == finding_id,
            Action.owner_organisation_id == organisation_id,
        )
    )


def actions_by_answer(session: Session, review: NationalReview) -> dict[tuple[int, int], Action]:
    """Return the action each gap became, by (finding id, organisation id)."""
    ids = [f.id for f in review.findings]
    if not ids:
        return {}
    found = session.scalars(select(Action).where(Action.national_finding_id.in_(ids)))
    return {
        (a.national_finding_id, a.owner_organisation_id): a
        for a in found
        if a.national_finding_id is not None
    }


def entry_from_national_review(
    session: Session, review_id: int, *, title: str, lesson: str, created_by: User
) -> LearningEntry:
    """Add what the partnership learnt from a national review to the learning log."""
    try:
        review = national_reviews.get_review(session, review_id)
    except NationalReviewNotFound as error:
        raise NotFound(str(error)) from None
    if not lesson.strip():
        raise InvalidInput("Describe what has been learnt")
    entry = log.create_entry(
        session,
        log.EntryDetails(
            title=title,
            lesson=lesson,
            source_kind=SourceKind.NATIONAL_REVIEW,
            source_detail=f"National review: {review.title}"[:300],
        ),
        created_by=created_by,
    )
    logger.info("learning from national review entry_id=%s review_id=%s", entry.id, review.id)
    return entry
