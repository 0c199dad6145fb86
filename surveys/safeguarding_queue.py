"""The designated safeguarding lead's (DSL's) restricted queue: one item per flagged response.

Unreviewed responses come first, newest first, overdue ones marked. Opening a response
shows the DSL every answer on it and where it came from, and is written to the audit log;
a review records an outcome chosen from a list and a note, with who and when.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.audit import record_audit
from surveys.definition import SurveyDefinition
from surveys.errors import SubmissionError
from surveys.models import DisclosureFlag, DisclosureStatus, Response, ReviewOutcome, User, utcnow
from surveys.safeguarding import CONCERN_ANSWER

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
NOTE_LIMIT = 5000
DefinitionOf = Callable[[Response], SurveyDefinition]


class QueueFilter(enum.StrEnum):
    UNREVIEWED = "unreviewed"
    REVIEWED = "reviewed"
    ALL = "all"


@dataclass(frozen=True)
class QueueItem:
    """A flagged response as the queue lists it."""

    response: Response
    flags: tuple[DisclosureFlag, ...]
    reasons: tuple[str, ...]

    @property
    def is_reviewed(self) -> bool:
        return all(flag.status is DisclosureStatus.REVIEWED for flag in self.flags)

    @property
    def flagged_at(self) -> datetime:
        return max(flag.flagged_at for flag in self.flags)

    @property
    def review_due_at(self) -> datetime:
        return min(flag.review_due_at for flag in self.flags)

    def is_overdue(self, now: datetime) -> bool:
        return not self.is_reviewed and self.review_due_at < now

    @property
    def outcome(self) -> ReviewOutcome | None:
        return next((flag.outcome for flag in self.flags if flag.outcome), None)


def reason_labels(flag: DisclosureFlag, definition: SurveyDefinition) -> list[str]:
    """Return the readable reasons a flag was raised (a concern answer gives its own)."""
    labels = []
    for code in filter(None, flag.reasons.split(",")):
        if code == CONCERN_ANSWER:
            concern = definition.question(flag.question_id).concern
            labels.append(concern.reason if concern else "Chose an answer marked as a concern")
        else:
            labels.append(REASON_LABELS.get(code, code))
    return labels


def queue(
    session: Session, definition_of: DefinitionOf, *, show: QueueFilter = QueueFilter.UNREVIEWED
) -> list[QueueItem]:
    """Return flagged responses: unreviewed first, newest first within each."""
    flags = session.scalars(
        select(DisclosureFlag)
        .options(selectinload(DisclosureFlag.response).selectinload(Response.cycle))
        .order_by(DisclosureFlag.id)
    )
    grouped: dict[int, list[DisclosureFlag]] = {}
    for flag in flags:
        grouped.setdefault(flag.response_id, []).append(flag)
    items = [_item(group, definition_of) for group in grouped.values()]
    if show is QueueFilter.UNREVIEWED:
        items = [item for item in items if not item.is_reviewed]
    elif show is QueueFilter.REVIEWED:
        items = [item for item in items if item.is_reviewed]
    items.sort(key=lambda item: item.flagged_at, reverse=True)
    items.sort(key=lambda item: item.is_reviewed)
    return items


def _item(flags: list[DisclosureFlag], definition_of: DefinitionOf) -> QueueItem:
    response = flags[0].response
    definition = definition_of(response)
    reasons = dict.fromkeys(label for flag in flags for label in reason_labels(flag, definition))
    return QueueItem(response, tuple(flags), tuple(reasons))


def open_response(
    session: Session, response_id: int, definition_of: DefinitionOf, *, viewer: User
) -> QueueItem | None:
    """Return a flagged response for the DSL to read, recording who viewed it and when."""
    flags = list(
        session.scalars(
            select(DisclosureFlag)
            .where(DisclosureFlag.response_id == response_id)
            .order_by(DisclosureFlag.id)
        )
    )
    if not flags:
        return None
    record_audit(
        session,
        user_id=viewer.id,
        action="disclosure.viewed",
        object_type="response",
        object_id=response_id,
    )
    session.commit()
    return _item(flags, definition_of)


def record_review(
    session: Session,
    item: QueueItem,
    *,
    outcome: ReviewOutcome,
    note: str,
    reviewer: User,
) -> None:
    """Record what the DSL decided about a flagged response, for each of its flags."""
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise SubmissionError(f"Enter {NOTE_LIMIT:,} characters or fewer")
    now = utcnow()
    for flag in item.flags:
        flag = session.merge(flag, load=True)
        if flag.status is DisclosureStatus.REVIEWED:
            continue
        flag.status = DisclosureStatus.REVIEWED
        flag.outcome = outcome
        flag.action_taken = note
        flag.reviewed_by_id = reviewer.id
        flag.reviewed_at = now
    record_audit(
        session,
        user_id=reviewer.id,
        action="disclosure.reviewed",
        object_type="response",
        object_id=item.response.id,
        detail=f"outcome={outcome.value}",
    )
    session.commit()
