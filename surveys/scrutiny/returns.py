"""The returns people see in scrutiny: a cycle's returns with their scrutiny and how long
each has waited for feedback, an organisation's own scrutinised returns, and what a return
says for one standard.

Public API:
    Feedback; feedback_of(session, cycle, *, today) -> {response id: Feedback}
    CycleRow; cycle_scrutiny(session, cycle, definition, *, today) -> list[CycleRow]
    OwnReturn; organisation_returns(session, organisation_id, registry) -> list[OwnReturn]
    own_return(session, member, return_id) -> Response: the member's organisation's, submitted
    StandardAnswers; standard_answers(session, response, definition, ref) -> StandardAnswers
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from surveys import cycles, engine, safeguarding
from surveys.definition import SurveyDefinition
from surveys.errors import NotReviewable
from surveys.journey import SummaryRow
from surveys.models import (
    Challenge,
    ChallengeStatus,
    Cycle,
    CycleAudience,
    EvidenceFile,
    Membership,
    Organisation,
    Response,
    ResponseStatus,
    ReturnReview,
    StandardReview,
)
from surveys.responses import answers_of
from surveys.scrutiny.reviewers import has_standards
from surveys.scrutiny.reviews import is_settled, standards_of


@dataclass(frozen=True)
class Feedback:
    """Whether a submitted return has its feedback, or how long it has waited for it."""

    given_on: date | None
    days_waiting: int | None  # days since submission, while there is no feedback


def feedback_of(session: Session, cycle: Cycle, *, today: date) -> dict[int, Feedback]:
    """Return the feedback state of each submitted return of a cycle, by response id."""
    submitted = session.execute(
        select(Response.id, Response.submitted_at, ReturnReview.feedback_at)
        .outerjoin(ReturnReview, ReturnReview.response_id == Response.id)
        .where(Response.cycle_id == cycle.id, Response.status == ResponseStatus.SUBMITTED)
    )
    return {
        response_id: _feedback(submitted_at, given_at, today)
        for response_id, submitted_at, given_at in submitted
    }


def _feedback(submitted_at: datetime, given_at: datetime | None, today: date) -> Feedback:
    if given_at is not None:
        return Feedback(given_at.date(), None)
    return Feedback(None, max((today - submitted_at.date()).days, 0))


@dataclass(frozen=True)
class CycleRow:
    """One organisation asked to return a cycle, and its return's scrutiny so far."""

    organisation: Organisation
    status_label: str
    response: Response | None
    settled: int
    standards: int
    open_challenges: int
    is_assured: bool
    feedback: Feedback | None  # None until the return is submitted

    @property
    def is_submitted(self) -> bool:
        return self.feedback is not None


def cycle_scrutiny(
    session: Session, cycle: Cycle, definition: SurveyDefinition, *, today: date
) -> list[CycleRow]:
    """Return each organisation of a cycle with its return's scrutiny, by organisation name."""
    rows = cycles.returns(session, cycle, with_answers=False)
    ids = [row.response.id for row in rows if row.response is not None]
    feedback = feedback_of(session, cycle, today=today)
    assured = set(
        session.scalars(
            select(ReturnReview.response_id).where(
                ReturnReview.response_id.in_(ids), ReturnReview.assured_at.is_not(None)
            )
        )
    )
    accepted = _by_response(
        session.execute(
            select(StandardReview.response_id, StandardReview.standard_ref).where(
                StandardReview.response_id.in_(ids), StandardReview.accepted_at.is_not(None)
            )
        )
    )
    challenges = _by_response(
        session.execute(
            select(Challenge.response_id, Challenge).where(Challenge.response_id.in_(ids))
        )
    )
    refs = [ref for _, ref, _, _ in standards_of(definition)]
    return [
        CycleRow(
            organisation=row.organisation,
            status_label=row.status_label,
            response=row.response,
            settled=_settled(refs, accepted.get(rid, []), challenges.get(rid, [])) if rid else 0,
            standards=len(refs),
            open_challenges=sum(not c.is_closed for c in challenges.get(rid, [])) if rid else 0,
            is_assured=rid in assured,
            feedback=feedback.get(rid) if rid else None,
        )
        for row in rows
        for rid in [row.response.id if row.response else None]
    ]


def _by_response(pairs: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for response_id, value in pairs:
        grouped[response_id].append(value)
    return grouped


def _settled(refs: Sequence[str], accepted: list[str], challenges: list[Challenge]) -> int:
    return sum(
        is_settled(ref in accepted, [c for c in challenges if c.standard_ref == ref])
        for ref in refs
    )


@dataclass(frozen=True)
class OwnReturn:
    """One of an organisation's submitted returns, as its scrutiny stands."""

    response: Response
    waiting_for_answer: int  # challenges it has yet to answer
    feedback_on: date | None
    is_assured: bool


def organisation_returns(session: Session, organisation_id: int, registry: Any) -> list[OwnReturn]:
    """Return an organisation's submitted Section 11 / 175 returns here, newest cycle first."""
    responses = session.scalars(
        select(Response)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .options(joinedload(Response.cycle))
        .where(
            Response.organisation_id == organisation_id,
            Response.status == ResponseStatus.SUBMITTED,
            Cycle.audience == CycleAudience.ORGANISATIONS,
        )
        .order_by(Cycle.opens_at.desc(), Cycle.id.desc())
    ).all()
    ids = [response.id for response in responses]
    reviews = {
        review.response_id: review
        for review in session.scalars(select(ReturnReview).where(ReturnReview.response_id.in_(ids)))
    }
    waiting = {
        response_id: count
        for response_id, count in session.execute(
            select(Challenge.response_id, func.count())
            .where(Challenge.response_id.in_(ids), Challenge.status == ChallengeStatus.OPEN)
            .group_by(Challenge.response_id)
        )
    }
    found = []
    for response in responses:
        try:
            definition = registry.get(response.definition_key, response.definition_version)
        except KeyError:
            continue
        if not has_standards(definition):
            continue
        review = reviews.get(response.id)
        found.append(
            OwnReturn(
                response,
                waiting.get(response.id, 0),
                review.feedback_at.date() if review and review.feedback_at else None,
                bool(review and review.assured_at),
            )
        )
    return found


def own_return(session: Session, member: Membership, return_id: int) -> Response:
    """Return the member's organisation's submitted return, or raise NotReviewable."""
    response = session.get(Response, return_id)
    if (
        response is None
        or member.organisation_role is None
        or response.organisation_id != member.organisation_id
        or response.status is not ResponseStatus.SUBMITTED
    ):
        raise NotReviewable("There is no return with that number.")
    return response


@dataclass(frozen=True)
class StandardAnswers:
    """What a return says for one standard: its answers (withheld ones left out) and files."""

    rows: tuple[SummaryRow, ...]
    files: tuple[EvidenceFile, ...]
    withheld: bool  # some answers went to the designated safeguarding lead


def standard_answers(
    session: Session, response: Response, definition: SurveyDefinition, ref: str
) -> StandardAnswers:
    """Return the answers and evidence files of one standard's page of a return."""
    page = next((p for p in definition.pages if p.standard and p.standard.ref == ref), None)
    if page is None:
        raise NotReviewable("This return has no standard with that reference.")
    flagged = safeguarding.flagged_questions(session, [response.id]).get(response.id, frozenset())
    rows = [
        row
        for row in engine.summary_rows(definition, answers_of(response))
        if row.page_id == page.id
    ]
    files = session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.response_id == response.id,
            EvidenceFile.question_id.in_([q.id for q in page.questions]),
        )
        .order_by(EvidenceFile.id)
    )
    return StandardAnswers(
        tuple(row for row in rows if row.question_id not in flagged),
        tuple(files),
        any(row.question_id in flagged for row in rows),
    )
