"""Challenges on a return's standards: a reviewer asks, the organisation answers, the reviewer
closes it with an outcome.

A challenge is a question or a request for evidence on one standard. The organisation's
leads and contributors answer it in the product, with text and, if they wish, an evidence
file (checked and stored as any evidence is, `surveys.evidence`). The reviewer closes it
with an outcome, or asks again with a new challenge. Challenges are never deleted, so an
action agreed from one can name it.

Public API:
    raise_challenge(session, response, definition, ref, *, kind, question, member) -> Challenge
    answer_challenge(session, challenge, *, text, member, upload=None, evidence_folder=None)
    close_challenge(session, challenge, *, outcome, member) -> Challenge
    challenge_for_reviewer(session, challenge_id, member) -> Challenge
    challenge_for_organisation(session, challenge_id, member) -> Challenge
    organisation_challenges(session, organisation_id) -> list[Challenge]: open first
    evidence_of(session, challenges) -> {challenge id: [EvidenceFile]}
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import case, select
from sqlalchemy.orm import Session, joinedload

from surveys.definition import SurveyDefinition
from surveys.errors import NotReviewable, ScrutinyError
from surveys.evidence import Upload, store_evidence
from surveys.models import (
    Challenge,
    ChallengeKind,
    ChallengeStatus,
    EvidenceFile,
    Membership,
    Response,
    ResponseStatus,
    StandardReview,
    utcnow,
)
from surveys.scrutiny.reviewers import check_may_review
from surveys.scrutiny.reviews import scrutiny_of

log = logging.getLogger(__name__)


def raise_challenge(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    ref: str,
    *,
    kind: ChallengeKind,
    question: str,
    member: Membership,
) -> Challenge:
    """Challenge one standard of a return; the standard is no longer accepted.

    Sending the same question again while it is open returns the first (a double click
    makes one challenge).

    Raises ScrutinyError: no question, or the return is assured; NotReviewable: no such
    standard.
    """
    scrutiny = scrutiny_of(session, response, definition)
    scrutiny.standard(ref)
    if scrutiny.is_assured:
        raise ScrutinyError("This return has been assured: its scrutiny can no longer change")
    text = question.strip()
    if not text:
        raise ScrutinyError("Enter your question for the organisation")
    for earlier in scrutiny.standard(ref).open_challenges:
        if earlier.question == text and earlier.kind is kind:
            return earlier
    assert response.organisation_id is not None  # reviewers see organisation returns only
    challenge = Challenge(
        response_id=response.id,
        organisation_id=response.organisation_id,
        standard_ref=ref,
        kind=kind,
        question=text,
        raised_by_id=member.user_id,
    )
    session.add(challenge)
    accepted = session.scalar(
        select(StandardReview).where(
            StandardReview.response_id == response.id, StandardReview.standard_ref == ref
        )
    )
    if accepted is not None:
        accepted.accepted_at = accepted.accepted_by_id = None
    session.commit()
    log.info("challenge raised", extra={"response_id": response.id, "challenge_id": challenge.id})
    return challenge


def answer_challenge(
    session: Session,
    challenge: Challenge,
    *,
    text: str,
    member: Membership,
    upload: Upload | None = None,
    evidence_folder: Path | None = None,
) -> Challenge:
    """Record the organisation's answer, and store its evidence file if it sent one.

    Raises ScrutinyError: no answer, or it was answered or closed already (a second answer
    is a reply to a new challenge: nothing is overwritten); EvidenceRejected: the file is
    refused (nothing is saved).
    """
    if challenge.is_closed:
        raise ScrutinyError("This challenge has been closed: it can no longer be answered")
    if challenge.status is ChallengeStatus.ANSWERED:
        raise ScrutinyError(
            "This challenge has been answered: the reviewer will close it or ask again"
        )
    if not text.strip():
        raise ScrutinyError("Enter your answer")
    if upload is not None:
        assert evidence_folder is not None
        store_evidence(
            session,
            evidence_folder,
            response_id=challenge.response_id,
            question_id=challenge.evidence_question_id,
            upload=upload,
            user_id=member.user_id,
        )
    challenge.answer = text.strip()
    challenge.status = ChallengeStatus.ANSWERED
    challenge.answered_at, challenge.answered_by_id = utcnow(), member.user_id
    session.commit()
    log.info("challenge answered", extra={"challenge_id": challenge.id})
    return challenge


def close_challenge(
    session: Session, challenge: Challenge, *, outcome: str, member: Membership
) -> Challenge:
    """Close a challenge with its outcome (closing it again changes nothing).

    Raises ScrutinyError: no outcome.
    """
    if challenge.is_closed:
        return challenge
    if not outcome.strip():
        raise ScrutinyError("Enter the outcome of the challenge")
    challenge.status = ChallengeStatus.CLOSED
    challenge.outcome = outcome.strip()
    challenge.closed_at, challenge.closed_by_id = utcnow(), member.user_id
    session.commit()
    log.info("challenge closed", extra={"challenge_id": challenge.id})
    return challenge


def challenge_for_reviewer(session: Session, challenge_id: int, member: Membership) -> Challenge:
    """Return a challenge on a return the member may review, or raise NotReviewable."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotReviewable("There is no challenge with that number.")
    check_may_review(session, member, challenge.response)
    return challenge


def challenge_for_organisation(
    session: Session, challenge_id: int, member: Membership
) -> Challenge:
    """Return a challenge on the member's own organisation's submitted return.

    Raises NotReviewable: another organisation's, or not an organisation member's.
    """
    challenge = session.get(Challenge, challenge_id)
    if (
        challenge is None
        or member.organisation_role is None
        or challenge.organisation_id != member.organisation_id
        or challenge.response.status is not ResponseStatus.SUBMITTED
    ):
        raise NotReviewable("There is no challenge with that number.")
    return challenge


def organisation_challenges(session: Session, organisation_id: int) -> list[Challenge]:
    """Return the challenges on an organisation's returns: waiting for it first, then newest."""
    waiting_first = case((Challenge.status == ChallengeStatus.OPEN, 0), else_=1)
    return list(
        session.scalars(
            select(Challenge)
            .options(joinedload(Challenge.response).joinedload(Response.cycle))
            .where(Challenge.organisation_id == organisation_id)
            .order_by(waiting_first, Challenge.id.desc())
        )
    )


def evidence_of(session: Session, challenges: Sequence[Challenge]) -> dict[int, list[EvidenceFile]]:
    """Return the evidence files sent with each challenge's answer, by challenge id."""
    by_question = {challenge.evidence_question_id: challenge.id for challenge in challenges}
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    if not challenges:
        return found
    files = session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.response_id.in_({c.response_id for c in challenges}),
            EvidenceFile.question_id.in_(by_question),
        )
        .order_by(EvidenceFile.id)
    )
    for file in files:
        found[by_question[file.question_id]].append(file)
    return found
