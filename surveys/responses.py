"""Responses: one shared draft per organisation and cycle, anonymous drafts, idempotent submit.

Every save is checked against the page's version so two people never silently overwrite
each other; a submission is a status change inside one transaction, keyed by a unique
submission id, so a double click or a retry finds the response already submitted.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys import changes, engine, follow_ups, safeguarding
from surveys.accounts import record_audit
from surveys.definition import JSONValue, Page, SurveyDefinition
from surveys.errors import (
    ChangedSinceReview,
    CycleClosed,
    EditConflict,
    IncompleteResponse,
    ResponseLocked,
    SubmissionError,
)
from surveys.models import (
    Cycle,
    FollowUpRequest,
    PublicLink,
    Response,
    ResponseStatus,
    ResponseVersion,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read aloud
PAGE_VERSIONS = "_page_versions"  # kept inside answers: which version last changed each page
FOLLOW_UP_AFTER = timedelta(weeks=6)


def new_reference() -> str:
    """Return a reference a person can read out, like LL-7KQ4-93XD."""
    chars = [secrets.choice(_REFERENCE_ALPHABET) for _ in range(8)]
    return f"LL-{''.join(chars[:4])}-{''.join(chars[4:])}"


def answers_of(response: Response) -> dict[str, JSONValue]:
    """Return the stored answers without bookkeeping keys."""
    return {k: v for k, v in (response.answers or {}).items() if not k.startswith("_")}


def _check_open(cycle: Cycle, now: datetime) -> None:
    if not cycle.is_open(now):
        raise CycleClosed("This form is closed and is no longer taking answers")


def organisation_response(session: Session, cycle: Cycle, organisation_id: int) -> Response | None:
    """Return an organisation's response to a cycle, if it has started one."""
    return session.scalar(
        select(Response).where(
            Response.cycle_id == cycle.id, Response.organisation_id == organisation_id
        )
    )


def start_organisation_response(session: Session, cycle: Cycle, organisation_id: int) -> Response:
    """Return the organisation's shared response, creating it on first use (race-safe)."""
    existing = organisation_response(session, cycle, organisation_id)
    if existing is not None:
        return existing
    _check_open(cycle, utcnow())
    response = _new_response(cycle, organisation_id=organisation_id)
    session.add(response)
    try:
        session.commit()
    except IntegrityError:  # a colleague started it at the same moment
        session.rollback()
        found = organisation_response(session, cycle, organisation_id)
        if found is None:
            raise
        return found
    return response


def _new_response(
    cycle: Cycle,
    *,
    organisation_id: int | None = None,
    public_link_id: int | None = None,
    submission_id: str | None = None,
) -> Response:
    return Response(
        cycle_id=cycle.id,
        organisation_id=organisation_id,
        public_link_id=public_link_id,
        submission_id=submission_id or str(uuid.uuid4()),
        reference=new_reference(),
        definition_key=cycle.definition_key,
        definition_version=cycle.definition_version,
        answers={},
        version=1,
    )


def find_by_submission_id(session: Session, submission_id: str) -> Response | None:
    """Return the response with this submission id, if any."""
    return session.scalar(select(Response).where(Response.submission_id == submission_id))


def start_anonymous_response(session: Session, link: PublicLink, submission_id: str) -> Response:
    """Return the anonymous draft for a submission id, creating it once (replays find it)."""
    try:
        uuid.UUID(submission_id)
    except ValueError as error:
        raise SubmissionError("This form has expired. Start again") from error
    existing = find_by_submission_id(session, submission_id)
    if existing is not None:
        if existing.public_link_id != link.id:
            raise SubmissionError("This form has expired. Start again")
        return existing
    _check_open(link.cycle, utcnow())
    response = _new_response(link.cycle, public_link_id=link.id, submission_id=submission_id)
    session.add(response)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        found = find_by_submission_id(session, submission_id)
        if found is None:
            raise
        return found
    return response


@dataclass(frozen=True)
class PageSave:
    page_id: str
    answers: dict[str, JSONValue]
    loaded_version: int  # the response version the person's page was built from


def save_page(
    session: Session, response: Response, save: PageSave, *, user: User | None = None
) -> Response:
    """Merge one page's answers into the response, refusing a stale overwrite.

    A save that changes nothing is not a new version (and so never conflicts); a save that
    does is logged with the questions it changed (surveys.changes).
    """
    current = session.scalar(
        select(Response)
        .where(Response.id == response.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert current is not None
    if current.is_submitted:
        raise ResponseLocked("This response has been submitted and can no longer be changed")
    _check_open(current.cycle, utcnow())
    changed = changes.changed_question_ids(answers_of(current), save.answers)
    if not changed:
        session.commit()  # nothing to write: release the row
        return current
    page_versions = dict((current.answers or {}).get(PAGE_VERSIONS, {}))
    if page_versions.get(save.page_id, 0) > save.loaded_version:
        who = current.last_saved_by.name if current.last_saved_by else "Someone else"
        raise EditConflict(
            f"{who} saved this page at {current.last_saved_at:%H:%M on %-d %B} while you were "
            "editing it. Your changes have not been saved yet: compare your answers with "
            "theirs and choose which to keep.",
            current_version=current.version,
        )
    current.version += 1
    page_versions[save.page_id] = current.version
    current.answers = {**(current.answers or {}), **save.answers, PAGE_VERSIONS: page_versions}
    current.last_saved_at = utcnow()
    current.last_saved_by_id = user.id if user else None
    changes.record_change(
        session,
        response_id=current.id,
        version=current.version,
        page_id=save.page_id,
        question_ids=changed,
        user_id=user.id if user else None,
    )
    session.commit()
    log.info(
        "page saved",
        extra={"response_id": current.id, "page": save.page_id, "changed": len(changed)},
    )
    return current


def missing_answers(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> list[tuple[str, str]]:
    """Return (page id, question id) of required, visible questions left unanswered."""
    return [
        (definition.page_of(question.id).id, question.id)
        for question in engine.visible_questions(definition, answers)
        if question.required and is_blank(answers.get(question.id))
    ]


def is_blank(value: JSONValue) -> bool:
    """Return whether an answer is empty."""
    return value is None or value == "" or value == [] or value == {}


def page_statuses(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> list[tuple[Page, str]]:
    """Return each visible page with its status: completed, in_progress or new."""
    shown = engine.visible_questions(definition, answers)
    statuses = []
    for page in engine.visible_pages(definition, answers):
        questions = [q for q in shown if q in page.questions]
        answered = [q for q in questions if not is_blank(answers.get(q.id))]
        complete = all(not is_blank(answers.get(q.id)) for q in questions if q.required)
        statuses.append(
            (page, "completed" if answered and complete else "in_progress" if answered else "new")
        )
    return statuses


def request_sign_off(
    session: Session, response: Response, *, user: User, definition: SurveyDefinition
) -> Response:
    """Mark a complete organisation response as ready for its lead to sign off."""
    _check_complete(response, definition)
    if response.status is ResponseStatus.IN_PROGRESS:
        response.status = ResponseStatus.AWAITING_SIGN_OFF
        record_audit(
            session,
            user_id=user.id,
            action="response.sign_off_requested",
            object_type="response",
            object_id=response.id,
        )
        session.commit()
    return response


def _check_complete(response: Response, definition: SurveyDefinition) -> None:
    if response.is_submitted:
        return
    missing = missing_answers(definition, answers_of(response))
    if missing:
        raise IncompleteResponse(
            "Answer every required question before you submit", missing=missing
        )


@dataclass(frozen=True)
class Submitted:
    response: Response
    is_new: bool  # False when this repeats an earlier submit (double click, retry)


def submit(
    session: Session,
    response: Response,
    *,
    definition: SurveyDefinition,
    user: User | None = None,
    reviewed_version: int | None = None,
) -> Submitted:
    """Submit once: a repeat returns the submitted response unchanged (idempotent).

    Flagging possible disclosures (surveys.safeguarding) happens in the same transaction,
    so a response is never submitted without having been screened. With `reviewed_version`
    (the version the lead's sign-off page showed), answers changed since then stop the
    submission with ChangedSinceReview, so a lead signs off only what they saw.
    """
    current = session.scalar(
        select(Response)
        .where(Response.id == response.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert current is not None
    if current.is_submitted:
        session.commit()  # nothing changed: let go of the row (and SQLite's write lock)
        return Submitted(current, is_new=False)
    _check_open(current.cycle, utcnow())
    _check_complete(current, definition)
    if reviewed_version is not None:
        _check_reviewed(session, current, reviewed_version)
    answers = engine.visible_answers(definition, answers_of(current))
    now = utcnow()
    safeguarding.flag_response(session, current, definition, answers, now=now)
    answers = _keep_follow_up_email_apart(session, current, definition, answers, now)
    current.answers = {**answers, PAGE_VERSIONS: (current.answers or {}).get(PAGE_VERSIONS, {})}
    current.status = ResponseStatus.SUBMITTED
    current.submitted_at = now
    current.submitted_by_id = user.id if user else None
    if user is not None and current.organisation_id is not None:
        current.signed_off_by_id, current.signed_off_at = user.id, now
    record_audit(
        session,
        user_id=user.id if user else None,
        action="response.submitted",
        object_type="response",
        object_id=current.id,
    )
    session.commit()
    log.info("response submitted", extra={"response_id": current.id, "flagged": current.is_flagged})
    return Submitted(current, is_new=True)


def _check_reviewed(session: Session, response: Response, reviewed_version: int) -> None:
    """Raise ChangedSinceReview when answers changed after the version the lead reviewed."""
    if reviewed_version == response.version:
        return
    since = changes.changes_since(session, response.id, reviewed_version)
    if since or not 1 <= reviewed_version <= response.version:  # never shown: refuse too
        raise ChangedSinceReview(
            "The answers changed after you opened this page, so the return has not been "
            "submitted. Check the changes, then sign off again",
            current_version=response.version,
            changes=since,
        )


def _keep_follow_up_email_apart(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    answers: dict[str, JSONValue],
    now: datetime,
) -> dict[str, JSONValue]:
    """Move a follow-up email out of the answers into its own short-lived record."""
    answers, email = split_follow_up_email(definition, answers)
    if email:
        session.add(
            FollowUpRequest(
                response_id=response.id, email=email, due_at=follow_ups.due(definition, now)
            )
        )
    return answers


def split_follow_up_email(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> tuple[dict[str, JSONValue], str | None]:
    """Return the answers without any follow-up email question, and the email if one was given.

    A follow-up email is the answer to the definition's follow_up.email_question. It is removed
    whether or not it is shown, so an address never stays in stored answers.
    """
    email = None
    kept = dict(answers)
    for question in (question for page in definition.pages for question in page.questions):
        if question.id == follow_ups.email_question(definition) and question.id in kept:
            value = kept.pop(question.id)
            if isinstance(value, str) and value.strip() and email is None:
                email = value.strip()
    return kept, email


def reopen(session: Session, response: Response, *, user: User) -> Response:
    """Reopen a submitted response, keeping the submitted version in its history."""
    if not response.is_submitted:
        raise SubmissionError("Only a submitted response can be reopened")
    assert response.submitted_at is not None
    session.add(
        ResponseVersion(
            response_id=response.id,
            number=len(response.history) + 1,
            answers=answers_of(response),
            submitted_at=response.submitted_at,
            submitted_by_id=response.submitted_by_id,
            reopened_by_id=user.id,
        )
    )
    response.status = ResponseStatus.IN_PROGRESS
    response.submitted_at = None
    response.submitted_by_id = None
    response.signed_off_by_id = None
    response.signed_off_at = None
    response.version += 1
    record_audit(
        session,
        user_id=user.id,
        action="response.reopened",
        object_type="response",
        object_id=response.id,
    )
    session.commit()
    return response
