"""Recording a case review: the notification, rapid review meetings, the decision with its
reasons, the local review and its publication, and the review's recommendations.

Every change is written to the audit log (ids only) and logged by id; nothing here logs or
audits what was written. The child's own details are `surveys.case_reviews.details`'.

Public API:
    Notification, Decision, LocalReview, ReviewSummary
    record_notification(session, notification, *, recorded_by) -> CaseReview
    update_notification(session, review_id, notification, *, by) -> CaseReview
    add_meeting(session, review_id, *, held_on, attended_by, notes, by) -> RapidReviewMeeting
    record_decision(session, review_id, decision, *, by) -> CaseReview
    record_local_review(session, review_id, local, *, by, today) -> CaseReview
    add_recommendation(session, review_id, text, *, by) -> Recommendation
    get_review(session, review_id) -> CaseReview; get_recommendation(session, review_id, id)
    list_reviews(session, today) -> list[ReviewSummary]
    review_dates(review) -> ReviewDates; stage_of(review) -> str
    possible_owners(session) -> list[User]
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from surveys import tenancy
from surveys.audit import record_audit
from surveys.case_reviews.clock import add_months
from surveys.case_reviews.deadlines import Deadline, Flag, ReviewDates, next_due
from surveys.errors import CaseReviewError, ReviewNotFound
from surveys.models import (
    CaseReview,
    Membership,
    PublicationDecision,
    RapidReviewMeeting,
    Recommendation,
    ReviewDecision,
    Role,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{1,29}")
OWNER_ROLES = (Role.CASE_REVIEWER, Role.QUALITY_GROUP)
MIN_MONTHS_PUBLISHED = 12  # a published review stays available for at least 12 months


@dataclass(frozen=True)
class Notification:
    """A serious incident as first recorded: what the national panel is told about."""

    reference: str
    became_aware_on: date
    incident_summary: str = ""
    owner_id: int | None = None
    panel_notified_on: date | None = None
    ofsted_notified_on: date | None = None


@dataclass(frozen=True)
class Decision:
    """The rapid review's decision, its reasons, peer challenge and the national panel's view."""

    decision: ReviewDecision
    reasons: str
    decided_on: date
    peer_challenge: str = ""
    panel_view: str = ""


@dataclass(frozen=True)
class LocalReview:
    """A local child safeguarding practice review: how it is run and published."""

    terms_of_reference: str = ""
    lead_reviewer: str = ""
    lead_reviewer_is_independent: bool | None = None
    agencies_involved: str = ""
    practitioners_involved: str = ""
    family_involvement: str = ""
    publication_decision: PublicationDecision | None = None
    publication_reasons: str = ""
    published_on: date | None = None
    published_until: date | None = None


@dataclass(frozen=True)
class ReviewSummary:
    review: CaseReview
    stage: str
    next_due: Deadline | None
    flag: Flag | None


def _check_notification(session: Session, notification: Notification, today: date) -> None:
    if not REFERENCE.fullmatch(notification.reference.strip()):
        raise CaseReviewError(
            "Enter a reference of 2 to 30 letters, numbers, hyphens or slashes, not a name",
            field="reference",
        )
    if notification.became_aware_on > today:
        raise CaseReviewError(
            "The date the partnership became aware must be today or in the past",
            field="became_aware_on",
        )
    for name, day in (
        ("panel_notified_on", notification.panel_notified_on),
        ("ofsted_notified_on", notification.ofsted_notified_on),
    ):
        if day is not None and not notification.became_aware_on <= day <= today:
            raise CaseReviewError(
                "The date told must be between the date the partnership became aware and today",
                field=name,
            )
    if notification.owner_id is not None and notification.owner_id not in {
        u.id for u in possible_owners(session)
    }:
        raise CaseReviewError("Select who owns the review from the list", field="owner_id")


def _apply_notification(review: CaseReview, notification: Notification) -> None:
    review.reference = notification.reference.strip().upper()
    review.became_aware_on = notification.became_aware_on
    review.incident_summary = notification.incident_summary.strip()
    review.owner_id = notification.owner_id
    review.panel_notified_on = notification.panel_notified_on
    review.ofsted_notified_on = notification.ofsted_notified_on
    review.updated_at = utcnow()


def _is_taken(session: Session, reference: str, *, other_than: int | None = None) -> bool:
    query = select(func.count(CaseReview.id)).where(
        func.upper(CaseReview.reference) == reference.strip().upper()
    )
    if other_than is not None:
        query = query.where(CaseReview.id != other_than)
    return bool(session.scalar(query))


def record_notification(
    session: Session, notification: Notification, *, recorded_by: User
) -> CaseReview:
    """Record a serious incident notification: it starts the review's statutory clocks."""
    _check_notification(session, notification, utcnow().date())
    if _is_taken(session, notification.reference):
        raise CaseReviewError("A review with this reference already exists", field="reference")
    review = CaseReview(created_by_id=recorded_by.id)
    _apply_notification(review, notification)
    session.add(review)
    session.flush()
    _audit(session, review.id, "case_review.recorded", recorded_by)
    session.commit()
    log.info("case review recorded review_id=%s", review.id)
    return review


def update_notification(
    session: Session, review_id: int, notification: Notification, *, by: User
) -> CaseReview:
    """Change a review's notification details."""
    review = get_review(session, review_id)
    _check_notification(session, notification, utcnow().date())
    if _is_taken(session, notification.reference, other_than=review.id):
        raise CaseReviewError("A review with this reference already exists", field="reference")
    _apply_notification(review, notification)
    _audit(session, review.id, "case_review.notification_changed", by)
    session.commit()
    return review


def add_meeting(
    session: Session, review_id: int, *, held_on: date, attended_by: str, notes: str, by: User
) -> RapidReviewMeeting:
    """Record a rapid review meeting."""
    review = get_review(session, review_id)
    if held_on < review.became_aware_on:
        raise CaseReviewError(
            "The meeting date must be on or after the date the partnership became aware",
            field="held_on",
        )
    if not attended_by.strip():
        raise CaseReviewError("Enter who attended (agencies and roles)", field="attended_by")
    meeting = RapidReviewMeeting(
        review_id=review.id, held_on=held_on, attended_by=attended_by.strip(), notes=notes.strip()
    )
    review.meetings.append(meeting)
    _audit(session, review.id, "case_review.meeting_added", by)
    session.commit()
    return meeting


def record_decision(
    session: Session, review_id: int, decision: Decision, *, by: User
) -> CaseReview:
    """Record the rapid review's decision, with its reasons: it completes the rapid review."""
    review = get_review(session, review_id)
    if not decision.reasons.strip():
        raise CaseReviewError("Enter the reasons for the decision", field="reasons")
    if not review.became_aware_on <= decision.decided_on <= utcnow().date():
        raise CaseReviewError(
            "The date of the decision must be between the date the partnership became aware "
            "and today",
            field="decided_on",
        )
    review.decision = decision.decision
    review.decision_reasons = decision.reasons.strip()
    review.decided_on = decision.decided_on
    review.peer_challenge = decision.peer_challenge.strip()
    review.panel_view = decision.panel_view.strip()
    review.updated_at = utcnow()
    _audit(session, review.id, "case_review.decided", by, detail=decision.decision.value)
    session.commit()
    log.info("case review decided review_id=%s decision=%s", review.id, review.decision)
    return review


def record_local_review(
    session: Session, review_id: int, local: LocalReview, *, by: User, today: date
) -> CaseReview:
    """Record how the local review is run and whether, when and how long it is published."""
    review = get_review(session, review_id)
    if review.decision is not ReviewDecision.LOCAL_REVIEW:
        raise CaseReviewError("Record a decision to carry out a local review first")
    _check_local_review(local, today)
    if local.publication_decision is not None and review.publication_decided_on is None:
        review.publication_decided_on = today
    if local.publication_decision is None:
        review.publication_decided_on = None
    review.terms_of_reference = local.terms_of_reference.strip()
    review.lead_reviewer = local.lead_reviewer.strip()
    review.lead_reviewer_is_independent = local.lead_reviewer_is_independent
    review.agencies_involved = local.agencies_involved.strip()
    review.practitioners_involved = local.practitioners_involved.strip()
    review.family_involvement = local.family_involvement.strip()
    review.publication_decision = local.publication_decision
    review.publication_reasons = local.publication_reasons.strip()
    review.published_on = local.published_on
    review.published_until = local.published_until
    review.updated_at = utcnow()
    _audit(session, review.id, "case_review.local_review_changed", by)
    session.commit()
    return review


def _check_local_review(local: LocalReview, today: date) -> None:
    if local.lead_reviewer.strip() and local.lead_reviewer_is_independent is None:
        raise CaseReviewError(
            "Select whether the lead reviewer is independent of the agencies involved",
            field="lead_reviewer_is_independent",
        )
    if local.lead_reviewer_is_independent is False:
        raise CaseReviewError(
            "The lead reviewer must be independent of the agencies involved",
            field="lead_reviewer_is_independent",
        )
    decision = local.publication_decision
    if decision is not None and not local.publication_reasons.strip():
        raise CaseReviewError(
            "Enter the reasons for the publication decision", field="publication_reasons"
        )
    if local.published_on is None:
        if local.published_until is not None:
            raise CaseReviewError("Enter the date it was published", field="published_on")
        return
    if decision is None or decision is PublicationDecision.NOT_PUBLISHED:
        raise CaseReviewError(
            "Record a decision to publish before the date published", field="publication_decision"
        )
    if local.published_on > today:
        raise CaseReviewError(
            "The date published must be today or in the past", field="published_on"
        )
    if local.published_until is None:
        raise CaseReviewError("Enter the date it stays published until", field="published_until")
    if local.published_until < add_months(local.published_on, MIN_MONTHS_PUBLISHED):
        raise CaseReviewError(
            "A published review must stay available for at least 12 months",
            field="published_until",
        )


def add_recommendation(session: Session, review_id: int, text: str, *, by: User) -> Recommendation:
    """Add a recommendation to a review, numbered in order."""
    review = get_review(session, review_id)
    if not text.strip():
        raise CaseReviewError("Enter the recommendation", field="text")
    last = session.scalar(
        select(func.max(Recommendation.number)).where(Recommendation.review_id == review.id)
    )
    recommendation = Recommendation(review_id=review.id, number=(last or 0) + 1, text=text.strip())
    review.recommendations.append(recommendation)
    _audit(session, review.id, "case_review.recommendation_added", by)
    session.commit()
    return recommendation


def get_review(session: Session, review_id: int) -> CaseReview:
    """Return a review of this partnership, or raise ReviewNotFound."""
    review = session.get(CaseReview, review_id)
    if review is None:
        raise ReviewNotFound("There is no case review with that number")
    return review


def get_recommendation(session: Session, review_id: int, recommendation_id: int) -> Recommendation:
    """Return a review's recommendation, or raise ReviewNotFound."""
    found = session.get(Recommendation, recommendation_id)
    if found is None or found.review_id != review_id:
        raise ReviewNotFound("There is no such recommendation")
    return found


def review_dates(review: CaseReview) -> ReviewDates:
    """Return the dates that start and stop the review's clocks."""
    settled = review.published_on
    if review.publication_decision is PublicationDecision.NOT_PUBLISHED:
        settled = review.publication_decided_on
    return ReviewDates(
        became_aware_on=review.became_aware_on,
        panel_notified_on=review.panel_notified_on,
        decided_on=review.decided_on,
        needs_local_review=review.decision is ReviewDecision.LOCAL_REVIEW,
        publication_settled_on=settled,
    )


def stage_of(review: CaseReview) -> str:
    """Say where the review is: rapid review, local review or completed."""
    if review.decision is None:
        return "Rapid review"
    if (
        review.decision is ReviewDecision.LOCAL_REVIEW
        and review_dates(review).publication_settled_on is None
    ):
        return "Local review"
    return "Completed"


def list_reviews(session: Session, today: date) -> list[ReviewSummary]:
    """Return every review, soonest deadline first, then completed ones, newest first."""
    reviews = session.scalars(
        select(CaseReview)
        .options(selectinload(CaseReview.owner))
        .order_by(CaseReview.became_aware_on.desc(), CaseReview.id.desc())
    )
    found = []
    for review in reviews:
        due = next_due(review_dates(review), today)
        found.append(ReviewSummary(review, stage_of(review), due, due.flag(today) if due else None))
    return sorted(
        found, key=lambda s: (s.next_due is None, s.next_due.due_on if s.next_due else date.min)
    )


def possible_owners(session: Session) -> list[User]:
    """Return the people who may own a review here: case review officers and the quality group."""
    partnership = tenancy.partnership_of(session)
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.partnership_id == partnership,
                Membership.role.in_(OWNER_ROLES),
                Membership.is_active.is_(True),
                User.is_active.is_(True),
            )
            .order_by(User.name)
        )
    )


def _audit(session: Session, review_id: int, action: str, by: User, *, detail: str = "") -> None:
    record_audit(
        session,
        user_id=by.id,
        action=action,
        object_type="case_review",
        object_id=review_id,
        detail=detail,
    )
