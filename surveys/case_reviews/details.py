"""The child's own details for a case review: name, date of birth, address and ethnicity.

Held in their own table (`CaseDetails`), opened only by case review officers (the views
check the role), every opening and change written to the audit log with ids only, never
logged, themed, reported or exported with answers, and deleted on their removal date by a
periodic job (`remove_due_details`).

Public API:
    Details
    open_details(session, review_id, *, viewer) -> CaseDetails | None   (audited)
    save_details(session, review_id, details, *, by, today) -> CaseDetails   (audited)
    remove_due_details(session, today) -> int
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from surveys.audit import record_audit
from surveys.case_reviews.records import get_review
from surveys.errors import CaseReviewError
from surveys.models import CaseDetails, User, utcnow

log = logging.getLogger(__name__)
VIEWED = "case_details.viewed"


@dataclass(frozen=True)
class Details:
    child_name: str
    remove_on: date
    date_of_birth: date | None = None
    address: str = ""
    ethnicity: str = ""


def open_details(session: Session, review_id: int, *, viewer: User) -> CaseDetails | None:
    """Return a review's case details (None if none are held); the view is audited."""
    review = get_review(session, review_id)
    found = session.scalar(select(CaseDetails).where(CaseDetails.review_id == review.id))
    record_audit(
        session,
        user_id=viewer.id,
        action=VIEWED,
        object_type="case_review",
        object_id=review.id,
        detail="held" if found else "none",
    )
    session.commit()
    return found


def save_details(
    session: Session, review_id: int, details: Details, *, by: User, today: date
) -> CaseDetails:
    """Record or change a review's case details."""
    review = get_review(session, review_id)
    if not details.child_name.strip():
        raise CaseReviewError("Enter the child’s name", field="child_name")
    if details.date_of_birth is not None and details.date_of_birth > today:
        raise CaseReviewError(
            "The date of birth must be today or in the past", field="date_of_birth"
        )
    if details.remove_on <= today:
        raise CaseReviewError(
            "The date to remove these details must be in the future", field="remove_on"
        )
    found = session.scalar(select(CaseDetails).where(CaseDetails.review_id == review.id))
    if found is None:
        found = CaseDetails(review_id=review.id)
        session.add(found)
    found.child_name = details.child_name.strip()
    found.date_of_birth = details.date_of_birth
    found.address = details.address.strip()
    found.ethnicity = details.ethnicity.strip()
    found.remove_on = details.remove_on
    found.recorded_by_id = by.id
    found.updated_at = utcnow()
    record_audit(
        session,
        user_id=by.id,
        action="case_details.saved",
        object_type="case_review",
        object_id=review.id,
    )
    session.commit()
    return found


def remove_due_details(session: Session, today: date) -> int:
    """Delete every case details row whose removal date has come; return how many."""
    due = list(session.scalars(select(CaseDetails).where(CaseDetails.remove_on <= today)))
    for found in due:
        record_audit(
            session,
            user_id=None,
            action="case_details.removed",
            object_type="case_review",
            object_id=found.review_id,
        )
    if due:
        session.execute(delete(CaseDetails).where(CaseDetails.id.in_([d.id for d in due])))
    session.commit()
    if due:
        log.info("case details removed count=%s", len(due))
    return len(due)
