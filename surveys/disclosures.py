"""The designated safeguarding lead's queue of possible disclosures."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.accounts import record_audit
from surveys.errors import SubmissionError
from surveys.models import DisclosureFlag, DisclosureStatus, User, utcnow

REASON_LABELS = {
    "harm_by_adult": "Harm by an adult",
    "fear_of_home": "Fear of going home",
    "self_harm": "Self-harm",
    "suicidal_thoughts": "Suicidal thoughts",
    "sexual_abuse": "Sexual abuse",
    "neglect": "Neglect",
    "domestic_abuse": "Domestic abuse",
    "exploitation": "Exploitation",
    "online_abuse": "Online abuse",
    "bullying_severe": "Severe bullying",
    "danger_now": "Danger now",
    "concern": "Other concern",
}


def reason_labels(flag: DisclosureFlag) -> list[str]:
    """Return the readable reasons a flag was raised."""
    return [REASON_LABELS.get(code, code) for code in flag.reasons.split(",") if code]


def queue(session: Session) -> list[DisclosureFlag]:
    """Return flags, new ones first, oldest first within each status."""
    return list(
        session.scalars(
            select(DisclosureFlag).order_by(DisclosureFlag.status, DisclosureFlag.flagged_at)
        )
    )


def open_flag(session: Session, flag_id: int, *, viewer: User) -> DisclosureFlag | None:
    """Return a flag for the DSL to read, writing who viewed the text and when."""
    flag = session.get(DisclosureFlag, flag_id)
    if flag is not None:
        record_audit(
            session,
            user_id=viewer.id,
            action="disclosure.viewed",
            object_type="disclosure",
            object_id=flag.id,
        )
        session.commit()
    return flag


def record_review(
    session: Session, flag: DisclosureFlag, *, action_taken: str, reviewer: User
) -> DisclosureFlag:
    """Record what the DSL did about a flag."""
    if not action_taken.strip():
        raise SubmissionError("Enter what you did about this response")
    flag.status = DisclosureStatus.REVIEWED
    flag.action_taken = action_taken.strip()
    flag.reviewed_by_id = reviewer.id
    flag.reviewed_at = utcnow()
    record_audit(
        session,
        user_id=reviewer.id,
        action="disclosure.reviewed",
        object_type="disclosure",
        object_id=flag.id,
    )
    session.commit()
    return flag
