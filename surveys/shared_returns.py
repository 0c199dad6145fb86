"""Shared cycles: an organisation that serves several partnerships answers one return once.

Partnerships that agree on a form version run a shared cycle: each has its own cycle (same
form version and dates, one `shared_round`), its own returns list and, if it likes, its own
local questions. An organisation assigned in several of them answers once: one return, one
sign-off. Each partnership holds its own copy of that return in its own data, so its exports,
scrutiny and deletion stay its own. The copies are kept identical under one set of row locks
(taken in id order, so two savers never deadlock): the form's answers, version, page versions,
status, sign-off and change log. A partnership's local answers live in its copy only (no
partnership ever holds another's), and the organisation's pages read them together. Evidence
files are copied into each partnership (its own file on disk, `copied_from_id` naming the
first upload), so deleting one partnership never removes another's evidence.

Public API:
    LOCAL_PREFIX; is_local(question_id)
    local_page(cycle, partnership_name) -> Page | None: a cycle's local questions as a page
    own_definition(cycle, definition): the form plus this partnership's local page
    copies(session, response) -> list[Response]: the return's copy in each partnership, id order
    lock_copies(session, response): lock every copy (FOR UPDATE, id order); returns this one
    return_definition(session, response, definition): the form plus every partnership's
        local page that the organisation answers (its own partnership's first)
    return_answers(session, response): the form's answers plus each copy's local answers
    copy_for_page(session, response, page_id) -> Response: the copy a page's answers live in
    missing_cycles(session, response): cycles of the round that ask the organisation and
        hold no copy yet (surveys.responses.join_copies makes them)
    form_part(definition): the form without local pages
    mirror(session, source, *, evidence_folder=None): make every other copy match `source`
    partnerships_of(session, response) -> list[Partnership]: who sees this return
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surveys import tenancy
from surveys.consistency import LOCAL_PREFIX  # kept from forms' ids
from surveys.definition import JSONValue, Page, Question, QuestionType, SurveyDefinition
from surveys.errors import SubmissionError
from surveys.models import (
    Cycle,
    CycleAssignment,
    EvidenceFile,
    Partnership,
    Response,
    ResponseChange,
)

LOCAL_PAGE_PREFIX = f"{LOCAL_PREFIX}questions_"  # + the cycle id
_COPIED_FIELDS = (
    "version",
    "status",
    "last_saved_at",
    "last_saved_by_id",
    "signed_off_by_id",
    "signed_off_at",
    "submitted_at",
    "submitted_by_id",
)


def is_local(question_id: str) -> bool:
    return question_id.startswith(LOCAL_PREFIX)


def local_page(cycle: Cycle, partnership_name: str) -> Page | None:
    """Return a cycle's local questions as one page of long answers, or None if it has none."""
    if not cycle.local_questions:
        return None
    return Page(
        id=f"{LOCAL_PAGE_PREFIX}{cycle.id}",
        title=f"Questions from {partnership_name}",
        description=f"{partnership_name} asks these questions of its own organisations.",
        questions=tuple(
            Question(
                id=question["id"],
                type=QuestionType.LONG_TEXT,
                label=question["label"],
                hint=question.get("hint") or None,
                required=True,
                error_required=f"Answer ‘{question['label']}’",
            )
            for question in cycle.local_questions
        ),
    )


def own_definition(
    session: Session, cycle: Cycle, definition: SurveyDefinition
) -> SurveyDefinition:
    """Return the form with this cycle's local questions as a last page (what its copy keeps)."""
    page = local_page(cycle, _partnership_name(session, cycle.partnership_id))
    if page is None:
        return definition
    return definition.model_copy(update={"pages": (*definition.pages, page)})


def copies(session: Session, response: Response) -> list[Response]:
    """Return the organisation's copy of this return in each partnership of the round."""
    cycle = response.cycle
    if cycle.shared_round is None or response.organisation_id is None:
        return [response]
    with tenancy.every_partnership(session):
        return list(session.scalars(_copies_of(cycle, response.organisation_id)))


def _copies_of(cycle: Cycle, organisation_id: int) -> Select[tuple[Response]]:
    """Every partnership's copy of an organisation's return to a shared round, in id order."""
    return (
        select(Response)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .where(
            Cycle.shared_round == cycle.shared_round,
            Response.organisation_id == organisation_id,
        )
        .order_by(Response.id)
    )


def lock_copies(session: Session, response: Response) -> Response:
    """Lock every copy of the return in id order and return this one, fresh from the database."""
    cycle = response.cycle
    if cycle.shared_round is None or response.organisation_id is None:
        found = session.scalar(
            select(Response)
            .where(Response.id == response.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert found is not None  # the caller holds the response it asks to lock
        return found
    with tenancy.every_partnership(session):
        rows = session.scalars(
            _copies_of(cycle, response.organisation_id)
            .with_for_update(of=Response)
            .execution_options(populate_existing=True)
        ).all()
    return next(row for row in rows if row.id == response.id)


def _round_cycles(session: Session, response: Response) -> list[Cycle]:
    """Return the cycles of the round that ask this organisation, its own first."""
    cycle = response.cycle
    if cycle.shared_round is None or response.organisation_id is None:
        return [cycle]
    with tenancy.every_partnership(session):
        found = session.scalars(
            select(Cycle)
            .join(CycleAssignment, CycleAssignment.cycle_id == Cycle.id)
            .where(
                Cycle.shared_round == cycle.shared_round,
                CycleAssignment.organisation_id == response.organisation_id,
            )
            .order_by(Cycle.partnership_id)
        ).all()
    return [cycle, *(other for other in found if other.id != cycle.id)]


def return_definition(
    session: Session, response: Response, definition: SurveyDefinition
) -> SurveyDefinition:
    """Return the form plus the local questions of every partnership that asks for this return."""
    pages = [
        page
        for cycle in _round_cycles(session, response)
        if (page := local_page(cycle, _partnership_name(session, cycle.partnership_id)))
    ]
    if not pages:
        return definition
    return definition.model_copy(update={"pages": (*definition.pages, *pages)})


def return_answers(session: Session, response: Response) -> dict[str, JSONValue]:
    """Return the answers as the organisation reads them, with every partnership's local ones."""
    answers = {k: v for k, v in (response.answers or {}).items() if not k.startswith("_")}
    for copy in copies(session, response):
        if copy.id != response.id:
            answers.update({k: v for k, v in (copy.answers or {}).items() if is_local(k)})
    return answers


def copy_for_page(session: Session, response: Response, page_id: str) -> Response:
    """Return the copy a page's answers are saved in: a local page's partnership's, else this."""
    if not page_id.startswith(LOCAL_PAGE_PREFIX):
        return response
    cycle_id = page_id.removeprefix(LOCAL_PAGE_PREFIX)
    for copy in copies(session, response):
        if str(copy.cycle_id) == cycle_id:
            return copy
    return response


def missing_cycles(session: Session, response: Response) -> list[Cycle]:
    """Return the cycles of the round that ask the organisation but hold no copy of the return."""
    have = {copy.cycle_id for copy in copies(session, response)}
    return [cycle for cycle in _round_cycles(session, response) if cycle.id not in have]


def form_part(definition: SurveyDefinition) -> SurveyDefinition:
    """Return the form without any partnership's local page."""
    pages = tuple(p for p in definition.pages if not p.id.startswith(LOCAL_PAGE_PREFIX))
    return (
        definition
        if len(pages) == len(definition.pages)
        else definition.model_copy(update={"pages": pages})
    )


def mirror(session: Session, source: Response, *, evidence_folder: Path | None = None) -> None:
    """Make every other copy match `source` (locked by the caller): the caller commits.

    Copies the form's answers (each copy keeps its own local answers), the version and page
    versions, status and sign-off, and the change log entries the other copy has not seen.
    """
    others = [copy for copy in copies(session, source) if copy.id != source.id]
    if not others:
        return
    shared = {k: v for k, v in (source.answers or {}).items() if not is_local(k)}
    changes = _changes_of(session, source)
    for copy in others:
        with tenancy.working_in(session, copy.partnership_id):
            seen = copy.version
            answers = {
                key: _file_answer(session, value, copy, evidence_folder)
                for key, value in shared.items()
            }
            local = {k: v for k, v in (copy.answers or {}).items() if is_local(k)}
            copy.answers = {**answers, **local}
            for name in _COPIED_FIELDS:
                setattr(copy, name, getattr(source, name))
            for change in changes:
                if change.version > seen:
                    session.add(
                        ResponseChange(
                            response_id=copy.id,
                            version=change.version,
                            page_id=change.page_id,
                            question_ids=list(change.question_ids),
                            saved_by_id=change.saved_by_id,
                            saved_at=change.saved_at,
                        )
                    )
            session.flush()


def partnerships_of(session: Session, response: Response) -> list[Partnership]:
    """Return every partnership that holds a copy of this return, by name."""
    ids = {copy.partnership_id for copy in copies(session, response)}
    return list(
        session.scalars(
            select(Partnership).where(Partnership.id.in_(ids)).order_by(Partnership.name)
        )
    )


def _changes_of(session: Session, source: Response) -> list[ResponseChange]:
    session.flush()  # the save's own change entry
    return list(
        session.scalars(
            select(ResponseChange)
            .where(ResponseChange.response_id == source.id)
            .order_by(ResponseChange.version)
        )
    )


def _file_answer(
    session: Session, value: JSONValue, copy: Response, folder: Path | None
) -> JSONValue:
    """Return an answer whose files point at this copy's own files, copying them if needed."""
    if isinstance(value, list):  # a file question's files (rows of a group pass unchanged)
        return [_file_answer(session, item, copy, folder) for item in value]
    if not (isinstance(value, dict) and isinstance(value.get("file_id"), int)):
        return value
    with tenancy.every_partnership(session):
        source = session.get(EvidenceFile, value["file_id"])
    if source is None:
        return value
    root = source.copied_from_id or source.id
    mine = session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.response_id == copy.id,
            (EvidenceFile.id == root) | (EvidenceFile.copied_from_id == root),
        )
    )
    if mine is None:
        if folder is None:
            raise SubmissionError("Upload the evidence again: it could not be shared")
        stored_name = secrets.token_hex(16)
        shutil.copyfile(folder / source.stored_name, folder / stored_name)
        mine = EvidenceFile(
            response_id=copy.id,
            question_id=source.question_id,
            stored_name=stored_name,
            filename=source.filename,
            content_type=source.content_type,
            size=source.size,
            uploaded_by_id=source.uploaded_by_id,
            uploaded_at=source.uploaded_at,
            copied_from_id=root,
        )
        session.add(mine)
        session.flush()
    return {**value, "file_id": mine.id}


def _partnership_name(session: Session, partnership_id: int) -> str:
    partnership = session.get(Partnership, partnership_id)
    return partnership.name if partnership else "your partnership"
