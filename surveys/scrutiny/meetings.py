"""Challenge meetings and peer challenge events: when, who attended, the organisations they
covered and the outcome for each.

Public API:
    NewMeeting; record_meeting(session, new, *, recorded_by) -> ReviewMeeting
    record_outcome(session, meeting, organisation_id, outcome) -> MeetingOutcome
    list_meetings(session) -> list[ReviewMeeting]: newest first
    get_meeting(session, meeting_id) -> ReviewMeeting (NotReviewable if none)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.errors import NotReviewable, ScrutinyError
from surveys.models import Cycle, MeetingKind, MeetingOutcome, ReviewMeeting, utcnow
from surveys.organisations import organisation_here

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewMeeting:
    kind: MeetingKind
    held_on: date
    attendees: str  # who attended, one a line
    organisation_ids: tuple[int, ...]
    cycle_id: int | None = None


def record_meeting(session: Session, new: NewMeeting, *, recorded_by: int | None) -> ReviewMeeting:
    """Record a meeting and the organisations it covered (their outcomes come after).

    The same meeting sent twice (a double click) is recorded once.

    Raises ScrutinyError: no attendees, no organisation, or one this partnership does not
    have; NotReviewable: a cycle it does not have.
    """
    attendees = "\n".join(line.strip() for line in new.attendees.splitlines() if line.strip())
    if not attendees:
        raise ScrutinyError("Enter who attended")
    covered = sorted(set(new.organisation_ids))
    if not covered:
        raise ScrutinyError("Select the organisations the meeting covered")
    if any(organisation_here(session, org_id) is None for org_id in covered):
        raise ScrutinyError("Select organisations that serve this partnership")
    if new.cycle_id is not None and session.get(Cycle, new.cycle_id) is None:
        raise NotReviewable("There is no cycle with that number.")
    for earlier in session.scalars(
        select(ReviewMeeting).where(
            ReviewMeeting.kind == new.kind,
            ReviewMeeting.held_on == new.held_on,
            ReviewMeeting.attendees == attendees,
        )
    ):
        if sorted(o.organisation_id for o in earlier.outcomes) == covered:
            return earlier
    meeting = ReviewMeeting(
        kind=new.kind,
        held_on=new.held_on,
        attendees=attendees,
        cycle_id=new.cycle_id,
        recorded_by_id=recorded_by,
        outcomes=[MeetingOutcome(organisation_id=org_id) for org_id in covered],
    )
    session.add(meeting)
    session.commit()
    log.info("meeting recorded", extra={"meeting_id": meeting.id, "organisations": len(covered)})
    return meeting


def record_outcome(
    session: Session, meeting: ReviewMeeting, organisation_id: int, outcome: str
) -> MeetingOutcome:
    """Record (or correct) the outcome of a meeting for one organisation it covered.

    Raises ScrutinyError: no outcome; NotReviewable: the meeting did not cover it.
    """
    found = next((o for o in meeting.outcomes if o.organisation_id == organisation_id), None)
    if found is None:
        raise NotReviewable("That organisation was not covered by this meeting.")
    if not outcome.strip():
        raise ScrutinyError("Enter the outcome for this organisation")
    found.outcome, found.recorded_at = outcome.strip(), utcnow()
    session.commit()
    log.info(
        "meeting outcome", extra={"meeting_id": meeting.id, "organisation_id": organisation_id}
    )
    return found


def list_meetings(session: Session) -> list[ReviewMeeting]:
    """Return the partnership's meetings, the latest held first."""
    return list(
        session.scalars(
            select(ReviewMeeting)
            .options(selectinload(ReviewMeeting.outcomes).joinedload(MeetingOutcome.organisation))
            .order_by(ReviewMeeting.held_on.desc(), ReviewMeeting.id.desc())
        )
    )


def get_meeting(session: Session, meeting_id: int) -> ReviewMeeting:
    """Return a meeting of the partnership, or raise NotReviewable."""
    meeting = session.get(ReviewMeeting, meeting_id)
    if meeting is None:
        raise NotReviewable("There is no meeting with that number.")
    return meeting
