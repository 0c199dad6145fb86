"""Exports of a cycle's responses: wide and long tables, CSV and XLSX, with disclosures withheld.

Public API:
    What is withheld is decided by surveys.safeguarding (WITHHELD, withheld_questions).
    export_rows(session, cycle, definition, *, layout, include_drafts=False) -> (header, rows)
    export_xlsx(session, cycle, definition, *, include_drafts=False) -> bytes
    write_xlsx(cycle, definition, responses, *, flags) -> bytes
    wide_header / wide_row, long_rows, group_header / group_rows: the table builders.
    exported_responses(session, cycle, *, include_drafts).
    Writing the tables safely (defuse, write_csv, the XLSX writer) is surveys.spreadsheets.

Questions marked `personal_data` (names and emails asked for a stated purpose) are never
exported. Wide: one row per response, one column per question (a confidence pair gives `<id>_before`
and `<id>_after`; a repeating group gives its row count). Long: one row per answer, and one
per field of each repeating-group row, each with a stable `answer_id` built from the response
reference, so rows can be joined back across exports. Each question's columns and cells come
from its entry in the answer-type table (`surveys.answer_types`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from surveys.answer_types import Cell, answer_type, is_blank_answer
from surveys.definition import Question
from surveys.definition import SurveyDefinition as Definition
from surveys.models import Cycle, Response, ResponseStatus
from surveys.responses import answers_of
from surveys.safeguarding import WITHHELD, flagged_questions, withheld_questions
from surveys.spreadsheets import Row, Sheet
from surveys.spreadsheets import write_xlsx as write_xlsx_sheets

ANONYMOUS = "Anonymous"
# Fixed headings hold a space, which no question id can, so they never clash with one.
WIDE_FIXED = [
    "Response reference",
    "Organisation name",
    "Response status",
    "Submitted at",
    "Form version",
]
LONG_HEADER = [
    "answer_id",
    "reference",
    "organisation",
    "page_id",
    "question_id",
    "question_label",
    "row_number",
    "field_id",
    "value",
    "display_value",
]
GROUP_FIXED = ["Row id", "Response reference", "Organisation name", "Row number"]

Layout = Literal["wide", "long"]


def exported_responses(
    session: Session, cycle: Cycle, *, include_drafts: bool = False
) -> list[Response]:
    """Return the cycle's responses to export, submitted ones only unless drafts are asked for."""
    query = (
        select(Response)
        .where(Response.cycle_id == cycle.id)
        .options(selectinload(Response.organisation))
        .order_by(Response.submitted_at, Response.id)
    )
    if not include_drafts:
        query = query.where(Response.status == ResponseStatus.SUBMITTED)
    return list(session.scalars(query))


def _questions(definition: Definition) -> list[tuple[str, Question]]:
    """The questions an export carries: every one but those marked personal data (a name or
    email asked for one purpose, such as contacting the person, stays in the service)."""
    return [
        (page.id, question)
        for page in definition.pages
        for question in page.questions
        if not question.personal_data
    ]


def _organisation(response: Response) -> str:
    return response.organisation.name if response.organisation is not None else ANONYMOUS


def wide_header(definition: Definition) -> list[str]:
    """Return the wide table's column names: fixed columns, then one per question."""
    header = list(WIDE_FIXED)
    for _, question in _questions(definition):
        header += answer_type(question).columns(question)
    return header


def _fixed(response: Response) -> Row:
    submitted = response.submitted_at.isoformat() if response.submitted_at else None
    return [
        response.reference,
        _organisation(response),
        response.status.label,
        submitted,
        response.definition_version,
    ]


def wide_row(response: Response, definition: Definition, withheld: Collection[str]) -> Row:
    """Return one response as a wide-table row."""
    answers = answers_of(response)
    row = _fixed(response)
    for _, question in _questions(definition):
        answer, entry = answers.get(question.id), answer_type(question)
        if question.id in withheld and answer is not None:
            row += [WITHHELD] * len(entry.columns(question))
        else:
            row += entry.wide_cells(question, answer, definition.labels)
    return row


def long_rows(response: Response, definition: Definition, withheld: Collection[str]) -> list[Row]:
    """Return one row per answer (and per field of each repeating-group row)."""
    answers, rows = answers_of(response), list[Row]()
    reference, organisation = response.reference, _organisation(response)
    for page_id, question in _questions(definition):
        answer = answers.get(question.id)
        if is_blank_answer(answer):
            continue
        start: Row = [reference, organisation, page_id, question.id, question.label]
        base = f"{reference}/{question.id}"
        if question.id in withheld:
            rows.append([base, *start, None, None, WITHHELD, WITHHELD])
            continue
        for part in answer_type(question).long_parts(question, answer, definition.labels):
            rows.append(
                [
                    base + part.suffix,
                    *start,
                    part.row_number,
                    part.field_id,
                    part.value,
                    part.display,
                ]
            )
    return rows


def group_header(question: Question) -> list[str]:
    """Return the column names of a repeating group's own table."""
    return GROUP_FIXED + [field.id for field in question.fields]


def group_rows(
    response: Response, question: Question, definition: Definition, withheld: Collection[str]
) -> list[Row]:
    """Return one row per repeating-group row, keyed by response reference and row number."""
    answer = answers_of(response).get(question.id)
    if not isinstance(answer, list) or not answer:
        return []
    reference, organisation = response.reference, _organisation(response)
    if question.id in withheld:
        filler: list[Cell] = [WITHHELD] * len(question.fields)
        return [[f"{reference}/{question.id}", reference, organisation, None, *filler]]
    rows: list[Row] = []
    for number, group_row in enumerate(answer, start=1):
        values = group_row if isinstance(group_row, dict) else {}
        cells = [
            cell
            for field in question.fields
            for cell in answer_type(field).wide_cells(
                field, values.get(field.id), definition.labels
            )
        ]
        rows.append(
            [f"{reference}/{question.id}/{number}", reference, organisation, number, *cells]
        )
    return rows


def export_rows(
    session: Session,
    cycle: Cycle,
    definition: Definition,
    *,
    layout: Layout,
    include_drafts: bool = False,
) -> tuple[list[str], list[Row]]:
    """Return the header and rows of a cycle's export in the wide or long layout."""
    if layout not in ("wide", "long"):
        raise ValueError(f"unknown layout {layout!r}")
    responses = exported_responses(session, cycle, include_drafts=include_drafts)
    flags = flagged_questions(session, [response.id for response in responses])
    rows: list[Row] = []
    for response in responses:
        withheld = withheld_questions(response, definition, flags.get(response.id, frozenset()))
        if layout == "wide":
            rows.append(wide_row(response, definition, withheld))
        else:
            rows += long_rows(response, definition, withheld)
    return (wide_header(definition) if layout == "wide" else list(LONG_HEADER)), rows


def _sheet_titles(questions: Sequence[Question]) -> list[str]:
    """Return unique sheet titles (Excel allows 31 characters, case-insensitively unique)."""
    used, titles = {"responses", "answers", "questions"}, []
    for number, question in enumerate(questions, start=1):
        title = question.id[:31]
        if title.lower() in used:
            title = f"{question.id[:26]}_{number}"
        used.add(title.lower())
        titles.append(title)
    return titles


def _codebook(definition: Definition) -> list[Row]:
    return [[page_id, q.id, q.type.value, q.label] for page_id, q in _questions(definition)]


def write_xlsx(
    cycle: Cycle,
    definition: Definition,
    responses: Sequence[Response],
    *,
    flags: Mapping[int, Collection[str]],
) -> bytes:
    """Write a workbook: Responses (wide), Answers (long), a sheet per repeating group.

    `flags` maps response ids to their flagged question ids (see `flagged_questions`).
    """
    withheld = {
        r.id: withheld_questions(r, definition, flags.get(r.id, frozenset())) for r in responses
    }
    wide = [wide_row(r, definition, withheld[r.id]) for r in responses]
    long = [row for r in responses for row in long_rows(r, definition, withheld[r.id])]
    sheets = [
        Sheet("Responses", wide_header(definition), wide),
        Sheet("Answers", LONG_HEADER, long),
    ]
    groups = [q for _, q in _questions(definition) if answer_type(q).has_rows]
    for title, question in zip(_sheet_titles(groups), groups, strict=True):
        rows = [
            row for r in responses for row in group_rows(r, question, definition, withheld[r.id])
        ]
        sheets.append(Sheet(title, group_header(question), rows))
    codebook = ["page_id", "question_id", "type", "label"]
    sheets.append(Sheet("Questions", codebook, _codebook(definition)))
    return write_xlsx_sheets(sheets, title=cycle.title)


def export_xlsx(
    session: Session, cycle: Cycle, definition: Definition, *, include_drafts: bool = False
) -> bytes:
    """Load a cycle's responses and their disclosure flags, and write the workbook."""
    responses = exported_responses(session, cycle, include_drafts=include_drafts)
    flags = flagged_questions(session, [response.id for response in responses])
    return write_xlsx(cycle, definition, responses, flags=flags)
