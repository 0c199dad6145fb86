"""A return's scrutiny, standard by standard: accept, moderate, settled, assured, feedback.

A standard is settled when no challenge on it is still open and the reviewer accepted it or
closed a challenge on it. A moderated rating (on the standard's own scale, stored as
`surveys.ratings` stores a rating) always carries its reason. A return is assured once every
standard is settled; after that its scrutiny no longer changes. Feedback is written once.

Public API:
    StandardScrutiny, ReturnScrutiny; scrutiny_of(session, response, definition)
    accept_standard(session, response, definition, ref, *, member)
    moderate_rating(session, response, definition, ref, *, choice, reason, member)
    mark_assured(session, response, definition, *, member, without_agreed_action)
    give_feedback(session, response, *, text, member) -> ReturnReview
    is_settled(is_accepted, challenges) -> bool: the one rule for a settled standard
    standards_of(definition) -> [(page id, ref, title, rating question)]
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys import ratings
from surveys.audit import record_audit
from surveys.definition import Question, SurveyDefinition
from surveys.errors import NotReviewable, ScrutinyError
from surveys.models import (
    Challenge,
    Membership,
    Response,
    ReturnReview,
    StandardReview,
    utcnow,
)
from surveys.responses import answers_of

log = logging.getLogger(__name__)
Row = TypeVar("Row", ReturnReview, StandardReview)


def is_settled(is_accepted: bool, challenges: Sequence[Challenge]) -> bool:
    """A standard is settled: no challenge on it open, and accepted or a challenge closed."""
    if any(not challenge.is_closed for challenge in challenges):
        return False
    return is_accepted or any(challenge.is_closed for challenge in challenges)


@dataclass(frozen=True)
class StandardScrutiny:
    """One standard of a return: the self-rating beside the reviewer's decisions."""

    ref: str
    title: str
    page_id: str
    question: Question | None  # its compliance rating question, if it has one
    self_rating: str | None  # the level's words, "N/A" words, or None if not rated
    moderated: str | None  # the moderated rating's words, if the reviewer gave one
    moderated_choice: str | None  # its level value (or N/A), as the form offers it
    moderation_reason: str
    is_moderated_down: bool
    is_below_met: bool  # self-rated or moderated below the scale's best level ("met")
    is_accepted: bool
    challenges: tuple[Challenge, ...]

    @property
    def open_challenges(self) -> list[Challenge]:
        return [challenge for challenge in self.challenges if not challenge.is_closed]

    @property
    def is_settled(self) -> bool:
        return is_settled(self.is_accepted, self.challenges)

    @property
    def state(self) -> str:
        """What a reviewer reads in the list of standards."""
        if self.open_challenges:
            answered = all(c.status.value == "answered" for c in self.open_challenges)
            return "Challenge answered" if answered else "Challenged"
        if self.is_accepted:
            return "Accepted"
        return "Settled after challenge" if self.is_settled else "Not reviewed"


@dataclass(frozen=True)
class ReturnScrutiny:
    response: Response
    review: ReturnReview | None
    standards: tuple[StandardScrutiny, ...]

    @property
    def settled(self) -> int:
        return sum(standard.is_settled for standard in self.standards)

    @property
    def unsettled(self) -> list[StandardScrutiny]:
        return [standard for standard in self.standards if not standard.is_settled]

    @property
    def is_assured(self) -> bool:
        return self.review is not None and self.review.assured_at is not None

    @property
    def has_feedback(self) -> bool:
        return self.review is not None and self.review.feedback_at is not None

    def standard(self, ref: str) -> StandardScrutiny:
        """Return one standard, or raise NotReviewable."""
        for standard in self.standards:
            if standard.ref == ref:
                return standard
        raise NotReviewable("This return has no standard with that reference.")


def scrutiny_of(
    session: Session, response: Response, definition: SurveyDefinition
) -> ReturnScrutiny:
    """Return the scrutiny of a return so far (the caller checks who may see it)."""
    review = session.scalar(select(ReturnReview).where(ReturnReview.response_id == response.id))
    reviews = {
        row.standard_ref: row
        for row in session.scalars(
            select(StandardReview).where(StandardReview.response_id == response.id)
        )
    }
    challenges: dict[str, list[Challenge]] = defaultdict(list)
    for challenge in session.scalars(
        select(Challenge).where(Challenge.response_id == response.id).order_by(Challenge.id)
    ):
        challenges[challenge.standard_ref].append(challenge)
    answers = answers_of(response)
    return ReturnScrutiny(
        response,
        review,
        tuple(
            _standard_scrutiny(page_id, ref, title, question, answers, reviews, challenges)
            for page_id, ref, title, question in standards_of(definition)
        ),
    )


def standards_of(definition: SurveyDefinition) -> list[tuple[str, str, str, Question | None]]:
    """Return each standard's page id, reference, title and rating question, in order."""
    return [
        (page.id, page.standard.ref, page.standard.title, ratings.rating_question(page.questions))
        for page in definition.pages
        if page.standard
    ]


def _standard_scrutiny(
    page_id: str,
    ref: str,
    title: str,
    question: Question | None,
    answers: dict[str, Any],
    reviews: dict[str, StandardReview],
    challenges: dict[str, list[Challenge]],
) -> StandardScrutiny:
    review = reviews.get(ref)
    own = answers.get(question.id) if question else None
    moderated = review.moderated_rating if review else None
    own_level = ratings.rating_level(question, own) if question else None
    moderated_level = ratings.rating_level(question, moderated) if question else None
    return StandardScrutiny(
        ref=ref,
        title=title,
        page_id=page_id,
        question=question,
        self_rating=_words(question, own),
        moderated=_words(question, moderated),
        moderated_choice=ratings.rating_choice(moderated),
        moderation_reason=review.moderation_reason if review else "",
        is_moderated_down=(
            own_level is not None and moderated_level is not None and moderated_level > own_level
        ),
        is_below_met=question is not None
        and bool(
            ratings.is_low_rating(question, own) or ratings.is_low_rating(question, moderated)
        ),
        is_accepted=review is not None and review.accepted_at is not None,
        challenges=tuple(challenges.get(ref, ())),
    )


def _words(question: Question | None, answer: Any) -> str | None:
    choice = ratings.rating_choice(answer)
    if question is None or choice is None:
        return None
    return ratings.rating_label(question, choice)


def _one(session: Session, model: type[Row], **key: Any) -> Row:
    """Return the row with this key, made if there is none (two reviewers at once: one row)."""
    query = select(model).filter_by(**key)
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = model(**key)
            session.add(row)
        return row
    except IntegrityError:
        return session.scalars(query).one()


def _open_for_changes(session: Session, response: Response) -> ReturnReview:
    review = _one(session, ReturnReview, response_id=response.id)
    if review.assured_at is not None:
        raise ScrutinyError("This return has been assured: its scrutiny can no longer change")
    return review


def accept_standard(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    ref: str,
    *,
    member: Membership,
) -> None:
    """Accept a standard as the organisation rated and evidenced it.

    Raises ScrutinyError: a challenge on it is still open, or the return is assured.
    """
    standard = scrutiny_of(session, response, definition).standard(ref)
    _open_for_changes(session, response)
    if standard.open_challenges:
        raise ScrutinyError("Close the challenge on this standard before you accept it")
    row = _one(session, StandardReview, response_id=response.id, standard_ref=ref)
    row.accepted_at, row.accepted_by_id = utcnow(), member.user_id
    session.commit()
    log.info("standard accepted", extra={"response_id": response.id, "standard": ref})


def moderate_rating(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    ref: str,
    *,
    choice: str,
    reason: str,
    member: Membership,
) -> None:
    """Record the reviewer's rating of a standard beside the organisation's, with a reason.

    Raises ScrutinyError: no rating on this standard, a level not on its scale, no reason,
    or the return is assured.
    """
    question = scrutiny_of(session, response, definition).standard(ref).question
    if question is None or question.scale is None:
        raise ScrutinyError("This standard has no rating to moderate")
    scale = question.scale
    allowed = {level.value for level in scale.levels}
    if scale.allow_not_applicable:
        allowed.add(ratings.NOT_APPLICABLE)
    if choice not in allowed:
        raise ScrutinyError("Select the moderated rating")
    if not reason.strip():
        raise ScrutinyError("Enter why the rating is moderated")
    _open_for_changes(session, response)
    row = _one(session, StandardReview, response_id=response.id, standard_ref=ref)
    row.moderated_rating = ratings.rating_answer(question, choice)
    row.moderation_reason = reason.strip()
    row.moderated_at, row.moderated_by_id = utcnow(), member.user_id
    session.commit()
    log.info("rating moderated", extra={"response_id": response.id, "standard": ref})


def mark_assured(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    *,
    member: Membership,
    without_agreed_action: Collection[str],
) -> None:
    """Mark a return assured: every standard is settled, and each standard rated (by the
    organisation or the reviewer) below met has an agreed action. The actions are the
    learning domain's: `learning.action_plans.mark_assured` finds `without_agreed_action`
    (the refs of below-met standards with none) and calls this.

    Raises ScrutinyError: a standard is not settled or lacks its agreed action, or the return
    is assured already.
    """
    scrutiny = scrutiny_of(session, response, definition)
    review = _open_for_changes(session, response)
    if scrutiny.unsettled:
        refs = ", ".join(standard.ref for standard in scrutiny.unsettled)
        raise ScrutinyError(
            f"Settle every standard before you mark the return assured. Not settled: {refs}"
        )
    if without_agreed_action:
        refs = ", ".join(without_agreed_action)
        raise ScrutinyError(
            "Agree an action with the organisation for every standard rated below met before "
            f"you mark the return assured. No agreed action: {refs}"
        )
    review.assured_at, review.assured_by_id = utcnow(), member.user_id
    record_audit(
        session,
        user_id=member.user_id,
        action="return.assured",
        object_type="response",
        object_id=response.id,
    )
    session.commit()
    log.info("return assured", extra={"response_id": response.id})


def give_feedback(
    session: Session, response: Response, *, text: str, member: Membership
) -> ReturnReview:
    """Record the partnership's feedback on a return (once).

    Raises ScrutinyError: no text, or feedback was given already.
    """
    if not text.strip():
        raise ScrutinyError("Enter your feedback to the organisation")
    review = _one(session, ReturnReview, response_id=response.id)
    if review.feedback_at is not None:
        raise ScrutinyError("Feedback has already been given on this return")
    review.feedback = text.strip()
    review.feedback_at, review.feedback_by_id = utcnow(), member.user_id
    record_audit(
        session,
        user_id=member.user_id,
        action="return.feedback_given",
        object_type="response",
        object_id=response.id,
    )
    session.commit()
    log.info("feedback given", extra={"response_id": response.id})
    return review
