"""Carry forward: a new cycle's return starts from the organisation's last submitted one.

When an organisation starts a return to a form whose pages are standards (Section 11,
Section 175), the answers to those standards start as they were in its last submitted return
of the same form in an earlier cycle. Evidence files are never carried: the files attached
last time are named on each page, to attach again if they still apply. Each carried standard
is marked until someone saves its page (confirming it, changed or not); sending for sign-off
and submitting need every one confirmed. The marks live in the answers' bookkeeping
(`CARRIED`), so a shared return's copies carry them exactly as they carry answers.

Public API:
    CARRIED: the bookkeeping key inside answers
    previous_return(session, cycle, organisation_id) -> Response | None
    previous_returns(session, cycle, organisation_ids) -> {organisation id: Response}: in one read
    carried_answers(previous, previous_definition, definition) -> the new return's answers
    Carried; carried(answers) -> Carried | None: what was carried and what is unconfirmed
    confirm_page(answers, page_id) -> answers with that standard confirmed (a new dict)
    check_confirmed(answers): raise UnconfirmedStandards while any is unconfirmed
    StandardChange; changes_since_last(before, after) -> {page id: StandardChange}: how each
        standard of a return differs from the last cycle's (two Journeys)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.answer_types import display_values, stored_files
from surveys.changes import is_same_answer
from surveys.definition import JSONValue, Labels, Question, QuestionType, SurveyDefinition
from surveys.errors import UnconfirmedStandards
from surveys.journey import Journey
from surveys.models import Cycle, Response, ResponseStatus
from surveys.ratings import NOT_APPLICABLE, rating_choice

CARRIED = "_carried_forward"  # {"from": cycle title, "response_id", "pages": [...], "files": {}}


def previous_return(session: Session, cycle: Cycle, organisation_id: int) -> Response | None:
    """Return the organisation's last submitted return of the cycle's form, in an earlier
    cycle (one that opened before it) of the partnership worked in."""
    return previous_returns(session, cycle, [organisation_id]).get(organisation_id)


def previous_returns(
    session: Session, cycle: Cycle, organisation_ids: Sequence[int]
) -> dict[int, Response]:
    """Return each organisation's last submitted return of the cycle's form in an earlier
    cycle, in one read (organisations with none are left out)."""
    if not organisation_ids:
        return {}
    found: dict[int, Response] = {}
    query = (
        select(Response)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .where(
            Response.organisation_id.in_(organisation_ids),
            Response.definition_key == cycle.definition_key,
            Response.status == ResponseStatus.SUBMITTED,
            Response.cycle_id != cycle.id,
            Cycle.opens_at <= cycle.opens_at,
        )
        .order_by(Cycle.opens_at.desc(), Response.submitted_at.desc())
    )
    for response in session.scalars(query):
        if response.organisation_id is not None:
            found.setdefault(response.organisation_id, response)
    return found


def carried_answers(
    previous: Response, previous_definition: SurveyDefinition, definition: SurveyDefinition
) -> dict[str, JSONValue]:
    """Return a new return's answers: the standards' answers of the last return that the
    form still asks in the same way, and the mark on each standard carried."""
    before = Journey(previous_definition, previous.answers or {}).answers
    answers: dict[str, JSONValue] = {}
    pages: list[str] = []
    files: dict[str, list[str]] = {}
    for page in definition.pages:
        if page.standard is None:
            continue  # the sign-off and any local questions are this cycle's own
        for question in page.questions:
            value = before.get(question.id)
            if value is None or not _asks_the_same(previous_definition, question, value):
                continue
            if question.type is QuestionType.FILE:
                files[question.id] = [str(file["filename"]) for file in stored_files(value)]
            else:
                answers[question.id] = value
        if any(question.id in answers or question.id in files for question in page.questions):
            pages.append(page.id)
    if pages:
        answers[CARRIED] = {
            "from": previous.cycle.title,
            "response_id": previous.id,
            "pages": pages,
            "files": files,
        }
    return answers


def _asks_the_same(before: SurveyDefinition, question: Question, value: JSONValue) -> bool:
    """Return whether the earlier answer fits the question as the form asks it now."""
    try:
        earlier = before.question(question.id)
    except KeyError:
        return False
    if earlier.type is not question.type:
        return False
    if question.type is QuestionType.COMPLIANCE_RATING:
        assert question.scale is not None and earlier.scale is not None
        if value == NOT_APPLICABLE:
            return question.scale.allow_not_applicable
        return earlier.scale.version == question.scale.version and rating_choice(value) in {
            level.value for level in question.scale.levels
        }
    if question.options:
        chosen = value if isinstance(value, list) else [value]
        return {str(item) for item in chosen} <= {option.value for option in question.options}
    return True


@dataclass(frozen=True)
class Carried:
    """What a return carried forward: from which cycle, the standards not yet confirmed, and
    the files attached to each question last time (by name)."""

    from_title: str
    unconfirmed: tuple[str, ...]
    files: Mapping[str, tuple[str, ...]]


def carried(answers: Mapping[str, JSONValue] | None) -> Carried | None:
    """Return what the return carried forward, or None if it started empty."""
    mark = (answers or {}).get(CARRIED)
    if not isinstance(mark, dict):
        return None
    pages, files = mark.get("pages"), mark.get("files")
    return Carried(
        str(mark.get("from", "")),
        tuple(str(page_id) for page_id in pages) if isinstance(pages, list) else (),
        {
            str(question_id): tuple(str(name) for name in names)
            for question_id, names in files.items()
            if isinstance(names, list)
        }
        if isinstance(files, dict)
        else {},
    )


def confirm_page(answers: Mapping[str, JSONValue], page_id: str) -> dict[str, JSONValue]:
    """Return the answers with the standard on this page confirmed (no longer marked)."""
    mark = answers.get(CARRIED)
    found = carried(answers)
    if not isinstance(mark, dict) or found is None or page_id not in found.unconfirmed:
        return dict(answers)
    pages: list[JSONValue] = [page for page in found.unconfirmed if page != page_id]
    return {**answers, CARRIED: {**mark, "pages": pages}}


def check_confirmed(answers: Mapping[str, JSONValue] | None) -> None:
    """Raise UnconfirmedStandards while any carried standard is not yet confirmed."""
    found = carried(answers)
    if found is not None and found.unconfirmed:
        raise UnconfirmedStandards(
            f"Confirm or change the standards carried forward from {found.from_title}",
            page_ids=list(found.unconfirmed),
        )


@dataclass(frozen=True)
class StandardChange:
    """How one standard's answers differ from the last cycle's."""

    rating_before: str | None
    rating_after: str | None
    changed: tuple[str, ...]  # the labels of the other questions whose answer changed

    @property
    def is_unchanged(self) -> bool:
        return self.rating_before == self.rating_after and not self.changed


def changes_since_last(before: Journey, after: Journey) -> dict[str, StandardChange]:
    """Return, for each standard page shown in `after`, how it differs from `before`."""
    labels = after.definition.labels
    found = {}
    for page in after.pages:
        if page.standard is None:
            continue
        rating: tuple[str | None, str | None] = (None, None)
        changed = []
        for question in page.questions:
            old, new = before.answers.get(question.id), after.answers.get(question.id)
            if question.type is QuestionType.COMPLIANCE_RATING:
                rating = (_one_line(question, old, labels), _one_line(question, new, labels))
            elif not _same(question, old, new):
                changed.append(question.label)
        found[page.id] = StandardChange(rating[0], rating[1], tuple(changed))
    return found


def _same(question: Question, old: JSONValue, new: JSONValue) -> bool:
    if question.type is QuestionType.FILE:  # never carried: the same if the same names
        return [f["filename"] for f in stored_files(old)] == [
            f["filename"] for f in stored_files(new)
        ]
    return is_same_answer(old, new)


def _one_line(question: Question, answer: JSONValue, labels: Labels) -> str | None:
    lines = display_values(question, answer, labels)
    return "; ".join(lines) if lines else None
