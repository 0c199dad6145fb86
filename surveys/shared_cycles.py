"""Shared cycles across partnerships, and each partnership's local questions.

A partnership publishing an organisation form (a regional Section 11) may share the cycle
with neighbouring partnerships: each is offered to join (an offer it owns), and joining makes
its own cycle of the same form version and dates in the same round, with its own returns list.
An organisation assigned in several of the round's cycles then answers one return
(`surveys.shared_returns`). Any organisation cycle may add the partnership's own questions.

Public API:
    other_partnerships(session) -> list[Partnership]: who a cycle can be shared with
    offer(session, cycle, partnership_ids): offer a published cycle to other partnerships
        (the caller commits; publish_cycle does, through NewCycle.share_with)
    publish_shared(session, definition, NewCycle, share_with, *, created_by) -> Cycle
    offers(session) -> list[SharedCycleOffer]: open offers to the partnership one works in
    join(session, offer, definition, organisation_ids, *, created_by) -> Cycle
    decline(session, offer, *, by)
    round_members(session, cycle) -> list[RoundMember]: every partnership of a cycle's round
    add_local_question(session, cycle, label, hint, *, by)
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import tenancy
from surveys.audit import record_audit
from surveys.cycles import NewCycle, one_line, publish_cycle
from surveys.definition import Audience, SurveyDefinition
from surveys.errors import SubmissionError
from surveys.models import Cycle, Partnership, SharedCycleOffer, utcnow
from surveys.shared_returns import LOCAL_PREFIX

MAX_LOCAL_QUESTIONS = 20


def other_partnerships(session: Session) -> list[Partnership]:
    """Return every other partnership on the service, by name (names are public bodies')."""
    here = tenancy.partnership_of(session)
    return list(
        session.scalars(
            select(Partnership).where(Partnership.id != here).order_by(Partnership.name)
        )
    )


def offer(session: Session, cycle: Cycle, partnership_ids: tuple[int, ...]) -> None:
    """Offer a shared cycle to other partnerships: each gets an offer it owns (no commit)."""
    assert cycle.shared_round is not None
    known = {p.id for p in other_partnerships(session)}
    for partnership_id in sorted(set(partnership_ids) & known):
        with tenancy.working_in(session, partnership_id):  # the offer is theirs to see
            session.add(
                SharedCycleOffer(
                    shared_round=cycle.shared_round,
                    from_partnership_id=cycle.partnership_id,
                    title=cycle.title,
                    definition_key=cycle.definition_key,
                    definition_version=cycle.definition_version,
                    opens_at=cycle.opens_at,
                    closes_at=cycle.closes_at,
                )
            )
            session.flush()


def publish_shared(
    session: Session,
    definition: SurveyDefinition,
    new: NewCycle,
    share_with: tuple[int, ...],
    *,
    created_by: int | None,
) -> Cycle:
    """Publish a cycle and offer it to other partnerships, in one transaction."""
    if definition.audience is not Audience.ORGANISATION:
        raise SubmissionError("Only forms that organisations answer can be shared")
    shared_round = str(uuid.uuid4())
    cycle = publish_cycle(
        session,
        definition,
        dataclasses.replace(new, shared_round=shared_round),
        created_by=created_by,
        commit=False,
    )
    offer(session, cycle, share_with)
    session.commit()
    return cycle


def offers(session: Session) -> list[SharedCycleOffer]:
    """Return the offers to join a shared cycle that this partnership has not answered."""
    return list(
        session.scalars(
            select(SharedCycleOffer)
            .where(
                SharedCycleOffer.joined_cycle_id.is_(None),
                SharedCycleOffer.declined_at.is_(None),
                SharedCycleOffer.closes_at > utcnow(),
            )
            .order_by(SharedCycleOffer.created_at)
        )
    )


def join(
    session: Session,
    shared: SharedCycleOffer,
    definition: SurveyDefinition,
    organisation_ids: tuple[int, ...],
    *,
    created_by: int | None,
) -> Cycle:
    """Join a shared cycle: this partnership's own cycle in the round, with its returns list."""
    if shared.joined_cycle_id is not None or shared.declined_at is not None:
        raise SubmissionError("This offer has already been answered")
    if (definition.key, definition.version) != (shared.definition_key, shared.definition_version):
        raise SubmissionError("This offer is for another form version")
    cycle = publish_cycle(
        session,
        definition,
        NewCycle(
            title=shared.title,
            opens_at=shared.opens_at,
            closes_at=shared.closes_at,
            organisation_ids=organisation_ids,
            shared_round=shared.shared_round,
        ),
        created_by=created_by,
    )
    shared.joined_cycle_id = cycle.id
    session.commit()
    return cycle


def decline(session: Session, shared: SharedCycleOffer, *, by: int | None) -> None:
    shared.declined_at = utcnow()
    record_audit(
        session,
        user_id=by,
        action="shared_cycle.declined",
        object_type="shared_cycle_offer",
        object_id=shared.id,
    )
    session.commit()


@dataclass(frozen=True)
class RoundMember:
    name: str
    status: str  # "Running" (it has joined) or "Offered"


def round_members(session: Session, cycle: Cycle) -> list[RoundMember]:
    """Return the partnerships of a cycle's shared round: those running it and those offered."""
    if cycle.shared_round is None:
        return []
    with tenancy.every_partnership(session):
        running = set(
            session.scalars(
                select(Partnership.name)
                .join(Cycle, Cycle.partnership_id == Partnership.id)
                .where(Cycle.shared_round == cycle.shared_round)
            )
        )
        offered = set(
            session.scalars(
                select(Partnership.name)
                .join(SharedCycleOffer, SharedCycleOffer.partnership_id == Partnership.id)
                .where(
                    SharedCycleOffer.shared_round == cycle.shared_round,
                    SharedCycleOffer.declined_at.is_(None),
                )
            )
        )
    members = [RoundMember(name, "Running") for name in running]
    members += [RoundMember(name, "Offered") for name in offered - running]
    return sorted(members, key=lambda member: member.name.lower())


def add_local_question(
    session: Session, cycle: Cycle, label: str, hint: str, *, by: int | None
) -> dict[str, str]:
    """Add one of the partnership's own questions (a long answer) to an organisation cycle."""
    label, hint = one_line(label), one_line(hint)
    if not label:
        raise SubmissionError("Enter the question")
    if len(label) > 300:
        raise SubmissionError("The question must be 300 characters or fewer")
    if len(hint) > 600:
        raise SubmissionError("The hint must be 600 characters or fewer")
    if len(cycle.local_questions or []) >= MAX_LOCAL_QUESTIONS:
        raise SubmissionError(f"A cycle can have at most {MAX_LOCAL_QUESTIONS} local questions")
    question = {"id": f"{LOCAL_PREFIX}{secrets.token_hex(4)}", "label": label, "hint": hint}
    cycle.local_questions = [*(cycle.local_questions or []), question]  # a new list: JSON change
    record_audit(
        session,
        user_id=by,
        action="cycle.local_question_added",
        object_type="cycle",
        object_id=cycle.id,
    )
    session.commit()
    return question
