"""Deadline flags emailed to a review's owners: at half time, at 80% and past due, once each.

A periodic job asks for the flags due (`claim_due_alerts`), which records each one before it
is sent, so no flag is ever emailed twice; when a clock is first seen past several flags at
once (a review recorded late), only the furthest is emailed and the ones before are recorded
as passed. If no email could be sent at all, `release` forgets the claim so the next run
tries again. Emails carry the review's reference, the clock and its date: no case details.

Public API:
    DeadlineAlert
    claim_due_alerts(session, today) -> list[DeadlineAlert]
    release(session, alert)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from surveys import tenancy
from surveys.case_reviews.deadlines import Clock, Flag, deadlines_of
from surveys.case_reviews.records import review_dates
from surveys.models import CaseReview, ReviewDeadlineAlert, Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadlineAlert:
    review_id: int
    reference: str
    clock: Clock
    flag: Flag
    due_on: date
    recipients: tuple[str, ...]
    claimed: tuple[Flag, ...]  # the flags recorded with it (earlier ones passed silently)


def claim_due_alerts(session: Session, today: date) -> list[DeadlineAlert]:
    """Record every newly reached flag of this partnership's reviews; return those to email."""
    partnership = tenancy.partnership_of(session)
    officers = (
        tenancy.member_emails(session, partnership, Role.CASE_REVIEWER) if partnership else set()
    )
    sent = {(a.review_id, a.clock, a.flag) for a in session.scalars(select(ReviewDeadlineAlert))}
    reviews = session.scalars(select(CaseReview).options(selectinload(CaseReview.owner)))
    claimed = []
    for review in reviews:
        for deadline in deadlines_of(review_dates(review)):
            new = [f for f in deadline.flags(today) if (review.id, deadline.clock, f) not in sent]
            if not new:
                continue
            for flag in new:
                session.add(
                    ReviewDeadlineAlert(
                        review_id=review.id,
                        clock=deadline.clock.value,
                        flag=flag.value,
                        due_on=deadline.due_on,
                        emailed=flag is new[-1],
                    )
                )
            claimed.append(
                DeadlineAlert(
                    review.id,
                    review.reference,
                    deadline.clock,
                    new[-1],
                    deadline.due_on,
                    _recipients(review, officers),
                    tuple(new),
                )
            )
    session.commit()
    if claimed:
        log.info("review deadline flags claimed count=%s", len(claimed))
    return claimed


def _recipients(review: CaseReview, officers: set[str]) -> tuple[str, ...]:
    """The review's owner and the partnership's case review officers."""
    owner = review.owner
    found = set(officers)
    if owner is not None and owner.is_active:
        found.add(owner.email)
    return tuple(sorted(found))


def release(session: Session, alert: DeadlineAlert) -> None:
    """Forget a claimed alert that could not be sent to anyone, so the next run retries it."""
    session.execute(
        delete(ReviewDeadlineAlert).where(
            ReviewDeadlineAlert.review_id == alert.review_id,
            ReviewDeadlineAlert.clock == alert.clock.value,
            ReviewDeadlineAlert.flag.in_([flag.value for flag in alert.claimed]),
        )
    )
    session.commit()
