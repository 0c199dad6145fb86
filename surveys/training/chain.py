"""One trainee's chain: a session's evaluation, then the follow-up 6–8 weeks later, linked.

Public API:
    REMINDER_AFTER
    schedule(session, evaluation, *, email, due_at, secret) -> bool: a session's evaluation
        with an address gets its own follow-up (False: not a session's evaluation)
    link_follow_up(session, response): a follow-up answered from a trainee's own link is
        linked to their evaluation, and the address erased
    CourseFollowUp; due_course_follow_ups(session, now) -> list[CourseFollowUp]
    open_personal_link(session, chain_id, now) -> str | None: the trainee's own follow-up link
    personal_link_ids(session, cycle_id) -> set[int]: trainees' own links, not for sharing
    mark_sent(session, chain_id, *, reminder, now): the link (or the one reminder) has gone
    follow_up_date(session, reference) -> date | None: when the follow-up will be sent

Called inside the submission's transaction (`surveys.responses`), so an evaluation is never
stored without its follow-up, nor the address with the answers. The email is kept until the
one reminder has gone (two weeks after the link) or the follow-up is answered, then erased.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import follow_ups
from surveys.models import (
    FollowUpRequest,
    PublicLink,
    Response,
    TraineeFollowUp,
    TrainingSession,
)
from surveys.training.keys import person_key
from surveys.training.programme import FOLLOW_UP_FORM

log = logging.getLogger(__name__)
REMINDER_AFTER = timedelta(weeks=2)


def schedule(
    session: Session, evaluation: Response, *, email: str, due_at: datetime, secret: bytes
) -> bool:
    """Keep a session's trainee's address apart, keyed to the course, for their follow-up."""
    if evaluation.public_link_id is None:
        return False
    found = session.scalar(
        select(TrainingSession).where(TrainingSession.link_id == evaluation.public_link_id)
    )
    if found is None:
        return False
    if not secret:
        log.warning("no person key secret: generic follow-up", extra={"session_id": found.id})
        return False
    session.add(
        TraineeFollowUp(
            session_id=found.id,
            evaluation_id=evaluation.id,
            person_key=person_key(secret, email, found.course_id),
            email=email,
            due_at=due_at,
        )
    )
    return True


def link_follow_up(session: Session, response: Response) -> None:
    """Link a follow-up answered from a trainee's own link to their evaluation."""
    if response.public_link_id is None:
        return
    chain = session.scalar(
        select(TraineeFollowUp).where(TraineeFollowUp.link_id == response.public_link_id)
    )
    if chain is None:
        return
    if chain.follow_up_id is not None and chain.follow_up_id != response.id:
        chain.follow_up_id = None  # answered again from the same link: the newest counts
        session.flush()
    chain.follow_up_id = response.id
    chain.email = ""  # answered: no reminder, so the address is no longer needed


@dataclass(frozen=True)
class CourseFollowUp:
    chain_id: int
    to: str
    course: str
    held_on: date
    is_reminder: bool


def due_course_follow_ups(session: Session, now: datetime) -> list[CourseFollowUp]:
    """Return the follow-up links and reminders due now, in the partnership worked in."""
    rows = session.scalars(
        select(TraineeFollowUp)
        .where(TraineeFollowUp.email != "", TraineeFollowUp.follow_up_id.is_(None))
        .where(
            (TraineeFollowUp.sent_at.is_(None) & (TraineeFollowUp.due_at <= now))
            | (
                TraineeFollowUp.sent_at.is_not(None)
                & TraineeFollowUp.reminded_at.is_(None)
                & (TraineeFollowUp.sent_at <= now - REMINDER_AFTER)
            )
        )
        .order_by(TraineeFollowUp.id)
    )
    return [
        CourseFollowUp(
            row.id,
            row.email,
            row.session.course.title,
            row.session.held_on,
            is_reminder=row.sent_at is not None,
        )
        for row in rows
    ]


def open_personal_link(session: Session, chain_id: int, now: datetime) -> str | None:
    """Return the token of the trainee's own follow-up link, made on first use (flushes).

    None when no cycle of the follow-up form is open to send them to.
    """
    chain = session.get(TraineeFollowUp, chain_id)
    if chain is None:
        return None
    return follow_ups.own_link(session, chain, FOLLOW_UP_FORM, now)


def personal_link_ids(session: Session, cycle_id: int) -> set[int]:
    """Return the ids of trainees' own follow-up links in a cycle (not for sharing)."""
    return set(
        session.scalars(
            select(PublicLink.id)
            .join(TraineeFollowUp, TraineeFollowUp.link_id == PublicLink.id)
            .where(PublicLink.cycle_id == cycle_id)
        )
    ) | set(
        session.scalars(
            select(PublicLink.id)
            .join(FollowUpRequest, FollowUpRequest.link_id == PublicLink.id)
            .where(PublicLink.cycle_id == cycle_id)
        )
    )


def mark_sent(session: Session, chain_id: int, *, reminder: bool, now: datetime) -> None:
    """Record the link or its one reminder as sent; after the reminder, erase the address."""
    chain = session.get(TraineeFollowUp, chain_id)
    if chain is None:
        return
    if reminder:
        chain.reminded_at, chain.email = now, ""
    else:
        chain.sent_at = now
    session.commit()


def follow_up_date(session: Session, reference: str) -> date | None:
    """Return the day the follow-up of this evaluation will be sent, if one was asked for."""
    response_id = session.scalar(select(Response.id).where(Response.reference == reference))
    if response_id is None:
        return None
    due = session.scalar(
        select(TraineeFollowUp.due_at).where(TraineeFollowUp.evaluation_id == response_id)
    ) or session.scalar(
        select(FollowUpRequest.due_at).where(FollowUpRequest.response_id == response_id)
    )
    return due.date() if due is not None else None
