"""The 6–8 week training follow-up: send each trainee who asked one link, then forget them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Cycle, FollowUpRequest, PublicLink, utcnow

FOLLOW_UP_KEY = "training-follow-up"


@dataclass(frozen=True)
class FollowUpEmail:
    request_id: int
    to: str
    link_token: str


def open_follow_up_link(session: Session, now: datetime) -> PublicLink | None:
    """Return the newest active link of an open training follow-up cycle."""
    return session.scalar(
        select(PublicLink)
        .join(Cycle)
        .where(
            Cycle.definition_key == FOLLOW_UP_KEY,
            Cycle.opens_at <= now,
            Cycle.closes_at > now,
            PublicLink.is_active.is_(True),
        )
        .order_by(Cycle.opens_at.desc(), PublicLink.id.desc())
    )


def due_follow_ups(session: Session, now: datetime | None = None) -> list[FollowUpEmail]:
    """Return follow-ups due now, if a follow-up cycle is open to send them to."""
    now = now or utcnow()
    link = open_follow_up_link(session, now)
    if link is None:
        return []
    due = session.scalars(
        select(FollowUpRequest).where(
            FollowUpRequest.due_at <= now, FollowUpRequest.sent_at.is_(None)
        )
    )
    return [FollowUpEmail(r.id, r.email, link.token) for r in due]


def mark_sent(session: Session, request_id: int) -> None:
    """Record a follow-up as sent and erase the address: it was kept only for this."""
    request = session.get(FollowUpRequest, request_id)
    if request is not None:
        request.sent_at = utcnow()
        request.email = ""
        session.commit()
