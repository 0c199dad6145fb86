"""The answer-type table: ONE entry per question type, knowing everything about its answers.

Public API:
    AnswerType: an entry. For a question of its type it builds the WTForms field
        (build_field), turns the bound field into the stored answer (from_field) and a stored
        answer back into field data (form_value) or into what a browser posts (posted),
        shows it to a person (display), writes its export cells (columns, wide_cells,
        long_parts, stored_cell) and reads it from an imported cell (import_columns,
        from_cell, join_parts). `is_compared` (changes between saves), `has_rows` (a sheet
        of its own in the workbook), `stays_unless_replaced` and new_upload (an upload:
        a posted page keeps the earlier file unless a new one is sent).
    ANSWER_TYPES: QuestionType -> AnswerType; answer_type(question) -> its entry.
    FIELD_BUILDERS: QuestionType -> builder(question); build_field(question).
    ImportColumn, LongPart, Cell: what the export and import entries deal in.
    is_blank_answer(answer) -> bool: None, "" and [] are no answer.
    A compliance rating's stored shape, its level and whether it is low: surveys.ratings.
    format_date(answer), format_size(size): how dates and file sizes read.

Stored shapes: text, choices, yes_no ("yes" / "no") and dates (ISO) are strings; checkboxes
a list of values; numbers int or float; compliance_rating {"value", "scale_version"} or
"not_applicable"; confidence_pair {"before": n, "after": n}; file a list of {"filename",
"content_type", "size", "file_id"} (one dict when stored before a question kept several:
read both with `stored_files`); repeating_group a list of row dicts. None means no answer.

Entries for answers held in one field are in `plain`, answers made of parts in `composite`,
their base in `base`. A new question type means: a builder (surveys.fields), an
entry in ANSWER_TYPES (its class in plain or composite), a macro in
webapp/templates/forms/questions.html (QUESTION_MACROS), a question in the fixture
tests/unit/surveys/fixtures/all-types.yaml and its round trip in test_answer_types.py.
"""

from __future__ import annotations

from collections.abc import Callable

from wtforms.fields.core import UnboundField

from surveys import fields as builders
from surveys.answer_types.base import AnswerType, Cell, ImportColumn, LongPart, is_blank_answer
from surveys.answer_types.composite import ConfidencePairAnswer, RepeatingGroupAnswer
from surveys.answer_types.plain import (
    CheckboxesAnswer,
    ChoiceAnswer,
    ComplianceRatingAnswer,
    DateAnswer,
    FileAnswer,
    NumberAnswer,
    TextAnswer,
    YesNoAnswer,
    format_date,
    format_size,
)
from surveys.composite import stored_files
from surveys.definition import JSONValue, Labels, Question, QuestionType
from surveys.validators import LONG_TEXT_MAX


def answer_type(question: Question) -> AnswerType:
    """Return the entry for the question's type."""
    return ANSWER_TYPES[question.type]


_T = QuestionType
ANSWER_TYPES: dict[QuestionType, AnswerType] = {
    _T.SHORT_TEXT: TextAnswer(_T.SHORT_TEXT, builders.build_short_text),
    _T.LONG_TEXT: TextAnswer(_T.LONG_TEXT, builders.build_long_text, default_max=LONG_TEXT_MAX),
    _T.RADIOS: ChoiceAnswer(_T.RADIOS, builders.build_radios),
    _T.CHECKBOXES: CheckboxesAnswer(_T.CHECKBOXES, builders.build_checkboxes),
    _T.SELECT: ChoiceAnswer(_T.SELECT, builders.build_select),
    _T.SCALE: ChoiceAnswer(_T.SCALE, builders.build_radios),
    _T.EMOJI_SCALE: ChoiceAnswer(_T.EMOJI_SCALE, builders.build_radios),
    _T.COMPLIANCE_RATING: ComplianceRatingAnswer(
        _T.COMPLIANCE_RATING, builders.build_compliance_rating
    ),
    _T.NUMBER: NumberAnswer(_T.NUMBER, builders.build_number),
    _T.DATE: DateAnswer(_T.DATE, builders.build_date),
    _T.YES_NO: YesNoAnswer(_T.YES_NO, builders.build_yes_no),
    _T.FILE: FileAnswer(_T.FILE, builders.build_file),
    _T.REPEATING_GROUP: RepeatingGroupAnswer(
        _T.REPEATING_GROUP, builders.build_repeating_group, row_types=answer_type
    ),
    _T.CONFIDENCE_PAIR: ConfidencePairAnswer(_T.CONFIDENCE_PAIR, builders.build_confidence_pair),
}


__all__ = [
    "ANSWER_TYPES",
    "FIELD_BUILDERS",
    "AnswerType",
    "Cell",
    "ImportColumn",
    "LongPart",
    "answer_type",
    "build_field",
    "display_values",
    "format_date",
    "format_size",
    "is_blank_answer",
    "stored_files",
]


def build_field(question: Question) -> UnboundField:
    """Build the unbound WTForms field for a question through its answer type."""
    return answer_type(question).build_field(question)


FIELD_BUILDERS: dict[QuestionType, Callable[[Question], UnboundField]] = {
    kind: entry.build_field for kind, entry in ANSWER_TYPES.items()
}


def display_values(question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
    """Return the answer as lines a person reads back; empty when there is no answer."""
    if is_blank_answer(answer):
        return ()
    return answer_type(question).display(question, answer, labels)
