"""Responses: one shared draft per organisation and cycle, anonymous drafts, idempotent submit.

A submission is a status change inside one transaction, keyed by a unique submission id, so
a double click or a retry finds the response already submitted. Saving a page of a draft
(checked against the page's version) is in `surveys.page_saves`.

Public API:
    new_response(cycle, *, organisation_id=None, public_link_id=None, submission_id=None)
        the one place a Response is made (not added to the session)
    start_organisation_response / start_anonymous_response: a draft, made once (race-safe);
        an organisation's may start from its last return (surveys.carry_forward)
    join_copies(session, response): a shared return's copy in each partnership that asks for
        it (surveys.shared_returns), made when missing
    organisation_response, find_by_submission_id, answers_of, new_reference
    check_open(cycle, now): raise CycleClosed when the cycle no longer takes answers
    check_open_for(session, response): the same, with its organisation's own extension
    locked(session, response) -> Response: re-read under a row lock (saves and submits)
    PAGE_VERSIONS: the bookkeeping key of which version last changed each page
    request_sign_off(session, response, *, user, definition) -> SentForSignOff: needs every
        answer but the lead's declaration (surveys.sign_off), and carried standards confirmed
    submit_response(session, response, *, definition, user=None, reviewed_version=None)
        -> Submitted: a draft becomes submitted, once, in one transaction (commits)
    record_submitted_response(session, cycle, definition, CompleteResponse) -> Submitted:
        a response that arrives already complete (an import, the demo), in the caller's
        transaction (does not commit)
    reopen(session, response, *, user): a submitted return reopened (a shared one for all)

Both ways of submitting screen the answers for safeguarding (`surveys.safeguarding`) and keep
a trainee's follow-up email apart from the answers, in the same transaction, through one
function (`_mark_submitted`).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys import (
    carry_forward,
    changes,
    follow_ups,
    running_cycles,
    safeguarding,
    shared_returns,
    sign_off,
    tenancy,
)
from surveys.audit import record_audit
from surveys.definition import JSONValue, SurveyDefinition
from surveys.errors import (
    ChangedSinceReview,
    CycleClosed,
    IncompleteResponse,
    SubmissionError,
)
from surveys.journey import Journey
from surveys.loader import DefinitionRegistry
from surveys.models import (
    Cycle,
    DisclosureFlag,
    FollowUpRequest,
    PublicLink,
    Response,
    ResponseStatus,
    ResponseVersion,
    User,
    utcnow,
)
from surveys.training import chain

log = logging.getLogger(__name__)
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read aloud
PAGE_VERSIONS = "_page_versions"  # kept inside answers: which version last changed each page
SOURCE_KEY = "_source"  # kept inside answers: where a recorded response came from ("import")


def new_reference() -> str:
    """Return a reference a person can read out, like LL-7KQ4-93XD."""
    chars = [secrets.choice(_REFERENCE_ALPHABET) for _ in range(8)]
    return f"LL-{''.join(chars[:4])}-{''.join(chars[4:])}"


def answers_of(response: Response) -> dict[str, JSONValue]:
    """Return the stored answers without bookkeeping keys."""
    return {k: v for k, v in (response.answers or {}).items() if not k.startswith("_")}


def locked(session: Session, response: Response) -> Response:
    """Return the response re-read under a row lock (FOR UPDATE), fresh from the database.

    A shared return's copies in other partnerships are locked with it, always in id order.
    """
    return shared_returns.lock_copies(session, response)  # a shared return: every copy


def check_open(cycle: Cycle, now: datetime) -> None:
    if not cycle.is_open(now):
        raise CycleClosed("This form is closed and is no longer taking answers")


def check_open_for(session: Session, response: Response) -> None:
    """Refuse a change to a response whose cycle (or its organisation's extension) has closed."""
    if not running_cycles.is_open_for(session, response.cycle, response.organisation_id, utcnow()):
        raise CycleClosed("This form is closed and is no longer taking answers")


def organisation_response(session: Session, cycle: Cycle, organisation_id: int) -> Response | None:
    """Return an organisation's response to a cycle, if it has started one."""
    return session.scalar(
        select(Response).where(
            Response.cycle_id == cycle.id, Response.organisation_id == organisation_id
        )
    )


def start_organisation_response(
    session: Session,
    cycle: Cycle,
    organisation_id: int,
    *,
    definitions: DefinitionRegistry | None = None,
) -> Response:
    """Return the organisation's shared response, creating it on first use (race-safe).

    With the form `definitions`, a new return starts from the organisation's last submitted
    return of the same form: its standards carried forward (surveys.carry_forward).
    """
    existing = organisation_response(session, cycle, organisation_id)
    if existing is not None:
        return join_copies(session, existing)
    if not running_cycles.is_open_for(session, cycle, organisation_id, utcnow()):
        raise CycleClosed("This form is closed and is no longer taking answers")
    response = new_response(cycle, organisation_id=organisation_id)
    previous = carry_forward.previous_return(session, cycle, organisation_id)
    if definitions is not None and previous is not None:
        response.answers = carry_forward.carried_answers(
            previous,
            definitions.get(previous.definition_key, previous.definition_version),
            definitions.get(cycle.definition_key, cycle.definition_version),
        )
    session.add(response)
    try:
        session.commit()
    except IntegrityError:  # a colleague started it at the same moment
        session.rollback()
        found = organisation_response(session, cycle, organisation_id)
        if found is None:
            raise
        return join_copies(session, found)
    return join_copies(session, response)


def join_copies(
    session: Session, response: Response, *, evidence_folder: Path | None = None
) -> Response:
    """Bring a shared return's copies up to date: one in each partnership that asks for it.

    A partnership that joined the shared cycle, or assigned the organisation, after the
    return was started gets its copy now, matching the others. Commits.
    """
    if response.cycle.shared_round is None:
        return response
    current = locked(session, response)
    missing = shared_returns.missing_cycles(session, current)
    for cycle in missing:
        with tenancy.working_in(session, cycle.partnership_id):
            session.add(new_response(cycle, organisation_id=current.organisation_id))
            session.flush()
    if missing:
        shared_returns.mirror(session, current, evidence_folder=evidence_folder)
    session.commit()
    return current


def new_response(
    cycle: Cycle,
    *,
    organisation_id: int | None = None,
    public_link_id: int | None = None,
    submission_id: str | None = None,
) -> Response:
    """Make a new, empty draft for a cycle: the one place a Response is built."""
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
    check_open(link.cycle, utcnow())
    response = new_response(link.cycle, public_link_id=link.id, submission_id=submission_id)
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


def request_sign_off(
    session: Session, response: Response, *, user: User, definition: SurveyDefinition
) -> SentForSignOff:
    """Mark an organisation's return, complete but for the lead's declaration, as ready for
    its lead to sign off (once: a repeat finds it sent)."""
    current = locked(session, response)
    if not current.is_submitted:  # everything but the lead's declaration, which they answer
        answers = shared_returns.return_answers(session, current)
        _check_answered(Journey(sign_off.without_declaration(definition), answers))
        carry_forward.check_confirmed(current.answers)
    is_new = current.status is ResponseStatus.IN_PROGRESS
    if is_new:
        current.status = ResponseStatus.AWAITING_SIGN_OFF
        shared_returns.mirror(session, current)
        record_audit(
            session,
            user_id=user.id,
            action="response.sign_off_requested",
            object_type="response",
            object_id=current.id,
        )
    session.commit()
    return SentForSignOff(current, is_new=is_new)


@dataclass(frozen=True)
class SentForSignOff:
    response: Response
    is_new: bool  # False when it was already waiting (a double click) or submitted


def _check_answered(journey: Journey) -> None:
    missing = journey.missing_answers()
    if missing:
        raise IncompleteResponse(
            "Answer every required question before you submit", missing=missing
        )


@dataclass(frozen=True)
class Submitted:
    response: Response
    is_new: bool  # False when this repeats an earlier submit (double click, retry)
    flags: tuple[DisclosureFlag, ...] = ()  # what this submission passed to the DSLs


def submit_response(
    session: Session,
    response: Response,
    *,
    definition: SurveyDefinition,
    user: User | None = None,
    reviewed_version: int | None = None,
    person_key_secret: bytes = b"",
) -> Submitted:
    """Submit a draft once: a repeat returns the submitted response unchanged (idempotent).

    Flagging possible disclosures (surveys.safeguarding) happens in the same transaction,
    so a response is never submitted without having been screened. With `reviewed_version`
    (the version the lead's sign-off page showed), answers changed since then stop the
    submission with ChangedSinceReview, so a lead signs off only what they saw. Commits.
    """
    current = locked(session, response)
    if current.is_submitted:
        session.commit()  # nothing changed: let go of the row (and SQLite's write lock)
        return Submitted(current, is_new=False)
    check_open_for(session, current)
    journey = Journey(definition, shared_returns.return_answers(session, current))
    _check_answered(journey)
    carry_forward.check_confirmed(current.answers)
    if reviewed_version is not None:
        _check_reviewed(session, current, reviewed_version)
    now = utcnow()
    flags: list[DisclosureFlag] = []
    form = shared_returns.form_part(definition)
    for copy in shared_returns.copies(session, current):  # a shared return: every partnership's
        with tenancy.working_in(session, copy.partnership_id):
            flags += _submit_copy(session, copy, form, user=user, now=now, secret=person_key_secret)
    session.commit()
    log.info("response submitted", extra={"response_id": current.id, "flagged": current.is_flagged})
    return Submitted(current, is_new=True, flags=tuple(flags))


def _submit_copy(
    session: Session,
    copy: Response,
    form: SurveyDefinition,
    *,
    user: User | None,
    now: datetime,
    secret: bytes,
) -> tuple[DisclosureFlag, ...]:
    """Screen and submit one partnership's copy: the form's answers and its own local ones."""
    definition = shared_returns.own_definition(session, copy.cycle, form)
    page_versions = (copy.answers or {}).get(PAGE_VERSIONS, {})
    flags = _mark_submitted(
        session,
        copy,
        Journey(definition, answers_of(copy)),
        now=now,
        submitted_by_id=user.id if user else None,
        follow_up_due=follow_ups.due(definition, now) if definition.follow_up else None,
        bookkeeping={PAGE_VERSIONS: page_versions},
        secret=secret,
    )
    if user is not None and copy.organisation_id is not None:
        copy.signed_off_by_id, copy.signed_off_at = user.id, now
    record_audit(
        session,
        user_id=user.id if user else None,
        action="response.submitted",
        object_type="response",
        object_id=copy.id,
    )
    return flags


@dataclass(frozen=True)
class CompleteResponse:
    """A response that arrives already complete: imported from another tool, or the demo's."""

    answers: Mapping[str, JSONValue]
    submitted_at: datetime
    organisation_id: int | None = None
    public_link_id: int | None = None
    submitted_by_id: int | None = None
    started_at: datetime | None = None  # when it was begun; the submission time if unknown
    follow_up_due: datetime | None = None  # when to send the follow-up; None drops the email
    source: str | None = None  # kept in the answers under SOURCE_KEY, e.g. "import"
    submission_id: str | None = None  # a repeat of a recorded id finds the first response


def record_submitted_response(
    session: Session, cycle: Cycle, definition: SurveyDefinition, arriving: CompleteResponse
) -> Submitted:
    """Record a response that arrives complete, screened like any submission.

    Works inside the caller's transaction and does not commit, so a batch (an import) is
    all or nothing: the response is flushed at once, so a clash fails here, and its flags
    and follow-up are written beside it. Required answers are not checked (another tool
    may not have asked them); only shown questions' answers are kept. The caller audits.
    """
    if arriving.submission_id is not None:
        existing = find_by_submission_id(session, arriving.submission_id)
        if existing is not None:
            return Submitted(existing, is_new=False)
    response = new_response(
        cycle,
        organisation_id=arriving.organisation_id,
        public_link_id=arriving.public_link_id,
        submission_id=arriving.submission_id,
    )
    response.created_at = arriving.started_at or arriving.submitted_at
    response.last_saved_at = arriving.submitted_at
    response.last_saved_by_id = arriving.submitted_by_id
    session.add(response)
    session.flush()  # a failing response fails here, inside the caller's transaction
    flags = _mark_submitted(
        session,
        response,
        Journey(definition, arriving.answers),
        now=arriving.submitted_at,
        submitted_by_id=arriving.submitted_by_id,
        follow_up_due=arriving.follow_up_due,
        bookkeeping={SOURCE_KEY: arriving.source} if arriving.source else {},
    )
    return Submitted(response, is_new=True, flags=flags)


def _mark_submitted(
    session: Session,
    response: Response,
    journey: Journey,
    *,
    now: datetime,
    submitted_by_id: int | None,
    follow_up_due: datetime | None,
    bookkeeping: Mapping[str, JSONValue],
    secret: bytes = b"",
) -> tuple[DisclosureFlag, ...]:
    """Screen the shown answers, keep a follow-up email apart, and mark the response submitted.

    A training session's trainee's address goes to their own chain (`surveys.training.chain`),
    keyed to the course; a follow-up answered from a trainee's own link is linked to it.
    """
    answers = journey.answers
    flags = safeguarding.flag_response(session, response, journey.definition, answers, now=now)
    answers, email = follow_ups.split_email(journey.definition, answers)
    if email and follow_up_due is not None:
        if not chain.schedule(session, response, email=email, due_at=follow_up_due, secret=secret):
            session.add(FollowUpRequest(response_id=response.id, email=email, due_at=follow_up_due))
    chain.link_follow_up(session, response)
    follow_ups.mark_answered(session, response)
    response.answers = {**answers, **bookkeeping}
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = now
    response.submitted_by_id = submitted_by_id
    return tuple(flags)


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


def reopen(session: Session, response: Response, *, user: User) -> Response:
    """Reopen a submitted response, keeping the submitted version in its history.

    A shared return reopens for every partnership that holds a copy (the caller tells them).
    """
    current = locked(session, response)
    if not current.is_submitted:
        session.commit()
        raise SubmissionError("Only a submitted response can be reopened")
    for copy in shared_returns.copies(session, current):
        with tenancy.working_in(session, copy.partnership_id):
            _reopen_copy(session, copy, user)
    session.commit()
    return current


def _reopen_copy(session: Session, response: Response, user: User) -> None:
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
