"""The answer-type table: ONE entry per question type, knowing everything about its answers.

Public API:
    AnswerType: an entry. For a question of its type it builds the WTForms field
        (build_field), turns the bound field into the stored answer (from_field) and a stored
        answer back into field data (form_value) or into what a browser posts (posted),
        shows it to a person (display), writes its export cells (columns, wide_cells,
        long_parts, stored_cell) and reads it from an imported cell (import_columns,
        from_cell, join_parts). `is_compared` (changes between saves), `has_rows` (a sheet
        of its own in the workbook).
    ANSWER_TYPES: QuestionType -> AnswerType; answer_type(question) -> its entry.
    FIELD_BUILDERS: QuestionType -> builder(question); build_field(question).
    ImportColumn, LongPart, Cell: what the export and import entries deal in.
    is_blank_answer(answer) -> bool: None, "" and [] are no answer.
    A compliance rating's stored shape, its level and whether it is low: surveys.ratings.
    format_date(answer), format_size(size): how dates and file sizes read.

Stored shapes: text, choices, yes_no ("yes" / "no") and dates (ISO) are strings; checkboxes
a list of values; numbers int or float; compliance_rating {"value", "scale_version"} or
"not_applicable"; confidence_pair {"before": n, "after": n}; file {"filename",
"content_type", "size"}; repeating_group a list of row dicts. None means no answer.

A new question type means: a builder (surveys.field_builders), an entry here, a macro in
webapp/templates/forms/questions.html (QUESTION_MACROS), a question in the fixture
tests/unit/surveys/fixtures/all-types.yaml and its round trip in test_answer_types.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from wtforms.fields.core import UnboundField

from surveys import cells
from surveys import field_builders as builders
from surveys.definition import JSONValue, Labels, Question, QuestionType
from surveys.ratings import NOT_APPLICABLE, rating_answer, rating_choice, rating_label
from surveys.validators import LONG_TEXT_MAX, SHORT_TEXT_MAX, clean_text, parse_number

Cell: TypeAlias = str | int | float | None
Builder: TypeAlias = Callable[..., UnboundField]
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class ImportColumn:
    """One column an import can fill: `key` is its mapping target and our export's heading."""

    key: str
    part: str | None  # "before" or "after" for a half of a confidence pair
    names: tuple[str, ...]  # headings it is matched against


@dataclass(frozen=True)
class LongPart:
    """One row of the long export: answer id suffix, group row number, field id, cells."""

    suffix: str
    row_number: int | None
    field_id: str | None
    value: Cell
    display: Cell


def is_blank_answer(answer: JSONValue) -> bool:
    """Return whether a stored answer is no answer at all."""
    return answer is None or answer == "" or answer == []


def _joined(lines: tuple[str, ...]) -> str | None:
    return "; ".join(lines) if lines else None


def _held_shape(field: Any) -> JSONValue:
    """Return what a composite field holds: it builds the stored shape itself."""
    return field.data if isinstance(field.data, str | dict) else None


@dataclass(frozen=True)
class AnswerType:
    """The base entry: an answer stored as the text the field holds (e.g. short_text)."""

    kind: QuestionType
    builder: Builder
    is_compared: bool = True  # uploads are not compared: a file cannot be carried back unseen
    has_rows: bool = False

    # --- The form -------------------------------------------------------------------------

    def build_field(self, question: Question) -> UnboundField:
        """Return the unbound WTForms field."""
        return self.builder(question)

    def from_field(self, question: Question, field: Any) -> JSONValue:
        """Return the stored answer held by a bound field (None when blank)."""
        return field.data if isinstance(field.data, str) and field.data else None

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        """Return a stored answer as the data a freshly built field expects."""
        return answer if isinstance(answer, str) else None

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        """Return the (name, value) pairs a browser posts for this answer."""
        return [] if answer is None else [(name, str(answer))]

    # --- Reading it back ------------------------------------------------------------------

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        """Return a non-blank answer as lines a person reads."""
        return (str(answer),)

    # --- Exports --------------------------------------------------------------------------

    def columns(self, question: Question) -> list[str]:
        """Return the question's columns in the wide export."""
        return [question.id]

    def wide_cells(self, question: Question, answer: JSONValue, labels: Labels) -> list[Cell]:
        """Return the answer's cells in the wide export, one per column."""
        if is_blank_answer(answer):
            return [None]
        return [self._wide_cell(question, answer, labels)]

    def _wide_cell(self, question: Question, answer: JSONValue, labels: Labels) -> Cell:
        return _joined(self.display(question, answer, labels))

    def stored_cell(self, question: Question, answer: JSONValue) -> Cell:
        """Return the stored values (not their labels) as one cell."""
        if answer is None:
            return None
        if isinstance(answer, str | int | float) and not isinstance(answer, bool):
            return answer
        if isinstance(answer, list):
            return "; ".join(str(item) for item in answer)
        return json.dumps(answer, ensure_ascii=False)

    def long_parts(self, question: Question, answer: JSONValue, labels: Labels) -> list[LongPart]:
        """Return the long export's rows for a non-blank answer."""
        display = _joined(self.display(question, answer, labels))
        return [LongPart("", None, None, self.stored_cell(question, answer), display)]

    # --- Imports --------------------------------------------------------------------------

    def import_columns(self, question: Question) -> list[ImportColumn]:
        """Return the columns an import can fill for this question (none: not importable)."""
        return [ImportColumn(question.id, None, (question.id, question.label))]

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        """Return the stored answer a cell names; raise cells.CellProblem when it names none."""
        raise cells.CellProblem(f"Answers to '{question.label}' cannot be imported")

    def join_parts(self, question: Question, parts: Mapping[str, JSONValue]) -> JSONValue:
        """Return the stored answer made of the cells of every part (see import_columns)."""
        raise NotImplementedError(self.kind)


@dataclass(frozen=True)
class TextAnswer(AnswerType):
    default_max: int = SHORT_TEXT_MAX

    def from_field(self, question: Question, field: Any) -> JSONValue:
        return clean_text(field.data)

    def _wide_cell(self, question: Question, answer: JSONValue, labels: Labels) -> Cell:
        return str(answer)

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        return cells.read_text(question, text, default_max=self.default_max)


@dataclass(frozen=True)
class ChoiceAnswer(AnswerType):
    """One option's value: radios, select, scale and emoji_scale."""

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        return (question.option_label(str(answer)) or str(answer),)

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        return cells.read_choice(question, text)


@dataclass(frozen=True)
class YesNoAnswer(AnswerType):
    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        return ({"yes": labels.yes, "no": labels.no}.get(str(answer), str(answer)),)

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        return cells.read_yes_no(question, text)


@dataclass(frozen=True)
class CheckboxesAnswer(AnswerType):
    def from_field(self, question: Question, field: Any) -> JSONValue:
        chosen: list[JSONValue] = [
            value for value in field.data or [] if isinstance(value, str) and value
        ]
        return chosen or None

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        if not isinstance(answer, list):
            return None
        return [value for value in answer if isinstance(value, str)]

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        if isinstance(answer, list):
            return [(name, str(value)) for value in answer]
        return super().posted(question, answer, name)

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        if isinstance(answer, list):
            return tuple(question.option_label(str(value)) or str(value) for value in answer)
        return (str(answer),)

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        return cells.read_checkboxes(question, text)


# --- Compliance ratings: surveys.ratings writes and reads the stored shape -----------------


@dataclass(frozen=True)
class ComplianceRatingAnswer(AnswerType):
    def from_field(self, question: Question, field: Any) -> JSONValue:
        data = field.data
        return rating_answer(question, data if isinstance(data, str) else None)

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        return rating_choice(answer)

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        choice = rating_choice(answer)
        return [(name, choice)] if choice else super().posted(question, answer, name)

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        choice = rating_choice(answer)
        return (rating_label(question, choice) or choice,) if choice else (str(answer),)

    def stored_cell(self, question: Question, answer: JSONValue) -> Cell:
        return rating_choice(answer) or super().stored_cell(question, answer)

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        level = cells.match_rating(question, text)
        return rating_answer(question, level.value if level else NOT_APPLICABLE)


# --- Numbers, dates and uploads ------------------------------------------------------------


def _is_number(answer: JSONValue) -> bool:
    return isinstance(answer, int | float) and not isinstance(answer, bool)


@dataclass(frozen=True)
class NumberAnswer(AnswerType):
    def from_field(self, question: Question, field: Any) -> JSONValue:
        return parse_number(field.data)

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        return str(answer) if _is_number(answer) else None

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        return (f"{answer:,}",) if isinstance(answer, int | float) else (str(answer),)

    def _wide_cell(self, question: Question, answer: JSONValue, labels: Labels) -> Cell:
        if isinstance(answer, int | float):
            return answer  # numbers stay numbers
        return super()._wide_cell(question, answer, labels)

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        return cells.read_number(question, text)


def format_date(answer: JSONValue) -> str:
    """Format an ISO date the GOV.UK way: "3 March 2025"."""
    try:
        value = date.fromisoformat(str(answer))
    except ValueError:
        return str(answer)
    return f"{value.day} {_MONTH_NAMES[value.month - 1]} {value.year}"


def format_size(size: Any) -> str:
    """Format a size in bytes as KB or MB."""
    if not isinstance(size, int) or size < 0:
        return "size unknown"
    if size < 1024 * 1024:
        return f"{max(size / 1024, 0.1):.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class DateAnswer(AnswerType):
    def from_field(self, question: Question, field: Any) -> JSONValue:
        return _held_shape(field)

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        if answer is None:
            return []
        day = date.fromisoformat(str(answer))
        return [(f"{name}-day", str(day.day)), (f"{name}-month", str(day.month)),
                (f"{name}-year", f"{day.year:04d}")]  # fmt: skip

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        return (format_date(answer),)

    def _wide_cell(self, question: Question, answer: JSONValue, labels: Labels) -> Cell:
        return str(answer)  # ISO: sorts and parses the same everywhere

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        return cells.read_date(question, text)


@dataclass(frozen=True)
class FileAnswer(AnswerType):
    """Metadata of an upload; the bytes are kept by the app, so it cannot be imported."""

    is_compared: bool = False

    def from_field(self, question: Question, field: Any) -> JSONValue:
        return _held_shape(field)

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        return answer if isinstance(answer, dict) else None

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        return []  # the engine keeps an earlier upload when no new file is sent

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        if isinstance(answer, dict):
            return (f"{answer.get('filename')} ({format_size(answer.get('size'))})",)
        return (str(answer),)

    def _wide_cell(self, question: Question, answer: JSONValue, labels: Labels) -> Cell:
        if isinstance(answer, dict):
            return str(answer.get("filename", ""))
        return super()._wide_cell(question, answer, labels)

    def stored_cell(self, question: Question, answer: JSONValue) -> Cell:
        if isinstance(answer, dict) and "filename" in answer:
            return str(answer["filename"])
        return super().stored_cell(question, answer)

    def import_columns(self, question: Question) -> list[ImportColumn]:
        return []


# --- Composite answers ---------------------------------------------------------------------

_HALVES = ("before", "after")


@dataclass(frozen=True)
class ConfidencePairAnswer(AnswerType):
    """{"before": n, "after": n}: two columns in exports, two cells in imports."""

    def from_field(self, question: Question, field: Any) -> JSONValue:
        return _held_shape(field)

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        return answer if isinstance(answer, dict) else None

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        if isinstance(answer, dict):
            return [(f"{name}-{half}", str(answer[half])) for half in _HALVES]
        return super().posted(question, answer, name)

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        pair = question.confidence
        if pair is None or not isinstance(answer, dict):
            return (str(answer),)
        names = {level.value: level.label for level in pair.levels}
        before, after = answer.get("before"), answer.get("after")
        return (
            f"{pair.before_label}: {names.get(before, before) if isinstance(before, int) else ''}",
            f"{pair.after_label}: {names.get(after, after) if isinstance(after, int) else ''}",
        )

    def columns(self, question: Question) -> list[str]:
        return [f"{question.id}_{half}" for half in _HALVES]

    def wide_cells(self, question: Question, answer: JSONValue, labels: Labels) -> list[Cell]:
        pair = answer if isinstance(answer, dict) else {}
        halves = [pair.get(half) for half in _HALVES]
        return [value if isinstance(value, int | float | str) else None for value in halves]

    def long_parts(self, question: Question, answer: JSONValue, labels: Labels) -> list[LongPart]:
        if not isinstance(answer, dict):
            return super().long_parts(question, answer, labels)
        lines = self.display(question, answer, labels)
        return [
            LongPart(f"/{half}", None, half, self.stored_cell(question, answer.get(half)), line)
            for half, line in zip(_HALVES, lines, strict=True)
        ]

    def import_columns(self, question: Question) -> list[ImportColumn]:
        pair = question.confidence
        if pair is None:
            return []
        columns = []
        for half, label in zip(_HALVES, (pair.before_label, pair.after_label), strict=True):
            key = f"{question.id}_{half}"
            names = (key, f"{question.label} {label}", f"{label} {question.label}")
            columns.append(ImportColumn(key, half, names))
        return columns

    def from_cell(self, question: Question, text: str, part: str | None = None) -> JSONValue:
        return cells.read_confidence_level(question, part or "before", text)

    def join_parts(self, question: Question, parts: Mapping[str, JSONValue]) -> JSONValue:
        return {half: parts[half] for half in _HALVES}


@dataclass(frozen=True)
class RepeatingGroupAnswer(AnswerType):
    """A list of row dicts, each answer read through its own field's entry."""

    has_rows: bool = True

    def build_field(self, question: Question) -> UnboundField:
        return self.builder(question, {field.id: build_field(field) for field in question.fields})

    def from_field(self, question: Question, field: Any) -> JSONValue:
        rows: list[JSONValue] = [
            {
                sub.id: answer_type(sub).from_field(sub, entry.form[sub.id])
                for sub in question.fields
            }
            for entry in field.filled_rows()
        ]
        return rows or None

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        rows = answer if isinstance(answer, list) else []
        return [
            {sub.id: answer_type(sub).form_value(sub, row.get(sub.id)) for sub in question.fields}
            for row in rows
            if isinstance(row, dict)
        ]

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        if not isinstance(answer, list):
            return super().posted(question, answer, name)
        return [
            item
            for index, row in enumerate(answer)
            if isinstance(row, dict)
            for sub in question.fields
            for item in answer_type(sub).posted(sub, row.get(sub.id), f"{name}-{index}-{sub.id}")
        ]

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        if not isinstance(answer, list):
            return (str(answer),)
        return tuple(
            self._row_line(question, row, labels) for row in answer if isinstance(row, dict)
        )

    @staticmethod
    def _row_line(question: Question, row: dict[str, JSONValue], labels: Labels) -> str:
        parts = [", ".join(display_values(sub, row.get(sub.id), labels)) for sub in question.fields]
        return "; ".join(part for part in parts if part)

    def _wide_cell(self, question: Question, answer: JSONValue, labels: Labels) -> Cell:
        return len(answer) if isinstance(answer, list) else None  # its rows have their own sheet

    def long_parts(self, question: Question, answer: JSONValue, labels: Labels) -> list[LongPart]:
        if not isinstance(answer, list):
            return super().long_parts(question, answer, labels)
        parts = []
        for number, group_row in enumerate(answer, start=1):
            values = group_row if isinstance(group_row, dict) else {}
            for sub in question.fields:
                value = values.get(sub.id)
                if is_blank_answer(value):
                    continue
                entry = answer_type(sub)
                display = _joined(entry.display(sub, value, labels))
                stored = entry.stored_cell(sub, value)
                parts.append(LongPart(f"/{number}/{sub.id}", number, sub.id, stored, display))
        return parts

    def import_columns(self, question: Question) -> list[ImportColumn]:
        return []


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
    _T.REPEATING_GROUP: RepeatingGroupAnswer(_T.REPEATING_GROUP, builders.build_repeating_group),
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
]


def answer_type(question: Question) -> AnswerType:
    """Return the entry for the question's type."""
    return ANSWER_TYPES[question.type]


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
