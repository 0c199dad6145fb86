"""The base of every answer-type entry, and what export and import entries deal in.

Public API:
    AnswerType: the base entry (an answer stored as the text its field holds); see the
        package docstring for what each method is for.
    ImportColumn, LongPart, Cell, Builder.
    is_blank_answer(answer) -> bool: None, "" and [] are no answer.
    joined_lines(lines) -> one cell of "; "-joined lines, or None.
    held_shape(field) -> what a composite field holds (it builds the stored shape itself).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from wtforms.fields.core import UnboundField

from surveys import cells
from surveys.definition import JSONValue, Labels, Question, QuestionType

Cell: TypeAlias = str | int | float | None
Builder: TypeAlias = Callable[..., UnboundField]


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


def joined_lines(lines: tuple[str, ...]) -> str | None:
    return "; ".join(lines) if lines else None


def held_shape(field: Any) -> JSONValue:
    """Return what a composite field holds: it builds the stored shape itself."""
    return field.data if isinstance(field.data, str | dict) else None


@dataclass(frozen=True)
class AnswerType:
    """The base entry: an answer stored as the text the field holds (e.g. short_text)."""

    kind: QuestionType
    builder: Builder
    is_compared: bool = True  # uploads are not compared: a file cannot be carried back unseen
    has_rows: bool = False
    stays_unless_replaced: bool = False  # a posted page keeps it unless a new one is sent

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

    def new_upload(self, field: Any) -> Any | None:
        """Return the file newly sent in a bound field (the app stores its bytes), if any."""
        return None

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
        return joined_lines(self.display(question, answer, labels))

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
        display = joined_lines(self.display(question, answer, labels))
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
