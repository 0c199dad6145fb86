"""Saving one page of a draft, and settling a clash when two people save a shared page.

Every save is checked against the page's version so two people never silently overwrite
each other. On an organisation's shared return, a save that clashes with a colleague's
merges what only one of them changed, and sets the rest side by side for the person to
choose (theirs or mine, per question or overall); that choice saves at the new version.

Public API:
    PageSave; save_page(session, response, PageSave, *, user=None): one page, refusing a
        stale overwrite (commits)
    PostedPage: what a person posted on a shared page (answers, new files, the version and
        answer digests the page was loaded with, and their choices in a clash)
    SaveOutcome; save_shared_page(session, response, definition, PostedPage, *, user,
        evidence_folder) -> SaveOutcome: saved, or why not (a clash to settle, a refused file)
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from surveys import carry_forward, changes, shared_returns
from surveys.answer_types import stored_files
from surveys.definition import JSONValue, Page, SurveyDefinition
from surveys.errors import EditConflict, ResponseLocked, SubmissionError
from surveys.evidence import EvidenceRejected, Upload, checked, store_evidence
from surveys.models import Response, User, utcnow
from surveys.responses import PAGE_VERSIONS, answers_of, check_open_for, locked

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSave:
    page_id: str
    answers: dict[str, JSONValue]
    loaded_version: int  # the response version the person's page was built from


def save_page(
    session: Session,
    response: Response,
    save: PageSave,
    *,
    user: User | None = None,
    evidence_folder: Path | None = None,
) -> Response:
    """Merge one page's answers into the response, refusing a stale overwrite.

    A save that changes nothing is not a new version (and so never conflicts); a save that
    does is logged with the questions it changed (surveys.changes). Either confirms a
    standard carried forward from the last return (surveys.carry_forward).
    """
    current = locked(session, response)
    if current.is_submitted:
        raise ResponseLocked("This response has been submitted and can no longer be changed")
    check_open_for(session, current)
    changed = changes.changed_question_ids(answers_of(current), save.answers)
    confirming = save.page_id in _unconfirmed(current)  # a carried standard, seen and saved
    if not changed and not confirming:
        session.commit()  # nothing to write: release the row
        return current
    if not changed:
        current.answers = carry_forward.confirm_page(current.answers or {}, save.page_id)
        shared_returns.mirror(session, current, evidence_folder=evidence_folder)
        session.commit()
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
    answers = {**(current.answers or {}), **save.answers, PAGE_VERSIONS: page_versions}
    current.answers = carry_forward.confirm_page(answers, save.page_id)
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
    shared_returns.mirror(session, current, evidence_folder=evidence_folder)  # other copies
    session.commit()
    log.info(
        "page saved",
        extra={"response_id": current.id, "page": save.page_id, "changed": len(changed)},
    )
    return current


def _unconfirmed(response: Response) -> tuple[str, ...]:
    found = carry_forward.carried(response.answers)
    return found.unconfirmed if found else ()


@dataclass(frozen=True)
class PostedPage:
    """What a person posted on a shared page, read from the form by the view."""

    page: Page
    answers: dict[str, JSONValue]  # every question on the page; files as first loaded
    uploads: Mapping[str, Sequence[Upload]]  # files newly sent, by question id
    loaded_version: int  # the version the page was built from
    loaded_answers: str  # the answers' digests as the page was built (changes.page_fingerprints)
    listed: tuple[str, ...] = ()  # the clashing questions the page showed
    resolve: str | None = None  # "theirs" (keep all of theirs) or "chosen" (per question)
    choices: Mapping[str, str | None] = field(default_factory=dict)  # "theirs" or "mine"


@dataclass
class SaveOutcome:
    loaded: int  # the version the re-shown page is built from
    is_saved: bool = False
    message: str | None = None  # why nothing was saved
    conflicts: list[changes.ConflictingAnswer] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (input id, message)
    refused_file: tuple[str, str] | None = None  # (question id, why), shown on its field


def save_shared_page(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    posted: PostedPage,
    *,
    user: User,
    evidence_folder: Path,
) -> SaveOutcome:
    """Save the page; on a clash with a colleague's save, set their answers beside mine.

    Questions only one of us changed merge without asking. For the rest the person keeps
    theirs or uses mine, per question or overall, and that choice saves at the new version.
    """
    listed = [question.id for question in posted.page.questions if question.id in posted.listed]
    keep_theirs, errors = _choices(posted, listed)
    loaded = posted.loaded_version
    if errors:
        compared = _compare(session, response, definition, posted, listed)
        return SaveOutcome(
            loaded, message="Choose which answer to keep", conflicts=compared, errors=errors
        )
    try:
        mine = _with_uploads(session, response, posted, user, evidence_folder)
        _save(
            session,
            response,
            posted,
            mine,
            loaded,
            user=user,
            evidence_folder=evidence_folder,
            keep_theirs=keep_theirs,
        )
    except EditConflict as error:
        # Questions I left as loaded take their answer; only ones we both changed are asked.
        as_loaded = changes.untouched(mine, changes.parse_fingerprints(posted.loaded_answers))
        theirs = changes.questions_changed_since(session, response.id, posted.page.id, loaded)
        theirs = theirs or {question.id for question in posted.page.questions}  # None: not logged
        compared = _compare(session, response, definition, posted, theirs - as_loaded)
        if compared:
            return SaveOutcome(error.current_version, message=str(error), conflicts=compared)
        keep = keep_theirs | (as_loaded & theirs)
        again = (mine, error.current_version, user, keep, evidence_folder)
        return _save_again(session, response, posted, *again)
    except EvidenceRejected as error:  # shown on the file's field, like any invalid answer
        return SaveOutcome(loaded, refused_file=(error.question_id, str(error)))
    except SubmissionError as error:
        return SaveOutcome(loaded, message=str(error))
    return SaveOutcome(loaded, is_saved=True)


def _save_again(
    session: Session,
    response: Response,
    posted: PostedPage,
    mine: dict[str, JSONValue],
    version: int,
    user: User,
    keep_theirs: set[str],
    evidence_folder: Path,
) -> SaveOutcome:
    try:
        _save(
            session,
            response,
            posted,
            mine,
            version,
            user=user,
            evidence_folder=evidence_folder,
            keep_theirs=keep_theirs,
        )
    except SubmissionError as error:  # yet another save in between: show the page again
        return SaveOutcome(getattr(error, "current_version", version), message=str(error))
    return SaveOutcome(version, is_saved=True)


def _choices(posted: PostedPage, listed: list[str]) -> tuple[set[str], list[tuple[str, str]]]:
    """Return the questions whose stored answer was chosen, and a message for each unchosen."""
    if posted.resolve == "theirs":
        return set(listed), []
    if posted.resolve != "chosen":
        return set(), []
    picks = {question_id: posted.choices.get(question_id) for question_id in listed}
    labels = {question.id: question.label for question in posted.page.questions}
    errors = [
        (
            f"choice-{question_id}",
            f"Choose whether to keep their answer or use yours to ‘{labels[question_id]}’",
        )
        for question_id, pick in picks.items()
        if pick not in ("theirs", "mine")
    ]
    return {question_id for question_id, pick in picks.items() if pick == "theirs"}, errors


def _compare(
    session: Session,
    response: Response,
    definition: SurveyDefinition,
    posted: PostedPage,
    candidates: Collection[str] | None,
) -> list[changes.ConflictingAnswer]:
    return changes.conflicting_answers(
        session,
        response_id=response.id,
        definition=definition,
        page=posted.page,
        stored=answers_of(response),
        mine=posted.answers,
        candidates=candidates,
        fallback=changes.LastSave(
            response.last_saved_by.name if response.last_saved_by else None,
            response.last_saved_at,
        ),
    )


def _with_uploads(
    session: Session, response: Response, posted: PostedPage, user: User, folder: Path
) -> dict[str, JSONValue]:
    """Return the page's answers, storing newly uploaded evidence (once per request).

    A file question's answer lists the files kept from before, then the new ones: each new
    file's description (at the end of the list) becomes the stored file's.
    """
    page_answers = dict(posted.answers)
    for question_id, uploads in posted.uploads.items():
        files = stored_files(page_answers.get(question_id))
        kept = files[: len(files) - len(uploads)]
        ready = [checked(upload, question_id=question_id) for upload in uploads]  # all, first
        added = [
            store_evidence(
                session,
                folder,
                response_id=response.id,
                question_id=question_id,
                upload=upload,
                user_id=user.id,
            )
            for upload in ready
        ]
        page_answers[question_id] = [
            *kept,
            *(
                {
                    "file_id": evidence.id,
                    "filename": evidence.filename,
                    "content_type": evidence.content_type,
                    "size": evidence.size,
                }
                for evidence in added
            ),
        ]
    return page_answers


def _save(
    session: Session,
    response: Response,
    posted: PostedPage,
    page_answers: dict[str, JSONValue],
    loaded: int,
    *,
    user: User,
    evidence_folder: Path,
    keep_theirs: Collection[str] = (),
) -> None:
    # An answer left as it was loaded never replaces a colleague's newer one.
    as_loaded = changes.untouched(page_answers, changes.parse_fingerprints(posted.loaded_answers))
    keep = set(keep_theirs) | as_loaded
    page_answers = changes.resolve(page_answers, answers_of(response), keep)
    save_page(
        session,
        response,
        PageSave(posted.page.id, page_answers, loaded),
        user=user,
        evidence_folder=evidence_folder,
    )
