"""Entries for answers made of parts: a confidence pair and a repeating group's rows.

Public API:
    ConfidencePairAnswer: {"before": n, "after": n}; two columns, two imported cells.
    RepeatingGroupAnswer: a list of row dicts; each field read through `row_type`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wtforms.fields.core import UnboundField

from surveys import cells
from surveys.answer_types.base import (
    AnswerType,
    Cell,
    ImportColumn,
    LongPart,
    held_shape,
    is_blank_answer,
    joined_lines,
)
from surveys.definition import JSONValue, Labels, Question

# --- Composite answers ---------------------------------------------------------------------

_HALVES = ("before", "after")


@dataclass(frozen=True)
class ConfidencePairAnswer(AnswerType):
    """{"before": n, "after": n}: two columns in exports, two cells in imports."""

    def from_field(self, question: Question, field: Any) -> JSONValue:
        return held_shape(field)

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
    # The table's lookup, given by surveys.answer_types: a row holds fields of other types.
    row_types: Callable[[Question], AnswerType] | None = field(
        default=None, compare=False, repr=False
    )

    def row_type(self, question: Question) -> AnswerType:
        """Return the entry of one of the row's fields."""
        assert self.row_types is not None, "give row_types=answer_type"
        return self.row_types(question)

    def build_field(self, question: Question) -> UnboundField:
        return self.builder(
            question, {sub.id: self.row_type(sub).build_field(sub) for sub in question.fields}
        )

    def from_field(self, question: Question, field: Any) -> JSONValue:
        rows: list[JSONValue] = [
            {
                sub.id: self.row_type(sub).from_field(sub, entry.form[sub.id])
                for sub in question.fields
            }
            for entry in field.filled_rows()
        ]
        return rows or None

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        rows = answer if isinstance(answer, list) else []
        return [
            {sub.id: self.row_type(sub).form_value(sub, row.get(sub.id)) for sub in question.fields}
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
            for item in self.row_type(sub).posted(sub, row.get(sub.id), f"{name}-{index}-{sub.id}")
        ]

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        if not isinstance(answer, list):
            return (str(answer),)
        return tuple(
            self._row_line(question, row, labels) for row in answer if isinstance(row, dict)
        )

    def _row_line(self, question: Question, row: dict[str, JSONValue], labels: Labels) -> str:
        parts = [
            ", ".join(self.row_type(sub).display(sub, value, labels))
            for sub in question.fields
            if not is_blank_answer(value := row.get(sub.id))
        ]
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
                entry = self.row_type(sub)
                display = joined_lines(entry.display(sub, value, labels))
                stored = entry.stored_cell(sub, value)
                parts.append(LongPart(f"/{number}/{sub.id}", number, sub.id, stored, display))
        return parts

    def import_columns(self, question: Question) -> list[ImportColumn]:
        return []
