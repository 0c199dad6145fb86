"""Entries for answers held in one field: text, choices, ratings, numbers, dates, uploads.

Public API:
    TextAnswer, ChoiceAnswer, YesNoAnswer, CheckboxesAnswer, ComplianceRatingAnswer,
    NumberAnswer, DateAnswer, FileAnswer: the entries (see surveys.answer_types).
    format_date(answer), format_size(size): how dates and file sizes read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from surveys import cells
from surveys.answer_types.base import AnswerType, Cell, ImportColumn, held_shape
from surveys.composite import stored_files
from surveys.definition import JSONValue, Labels, Question
from surveys.ratings import NOT_APPLICABLE, rating_answer, rating_choice, rating_label
from surveys.validators import SHORT_TEXT_MAX, clean_text, parse_number

_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


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
        return held_shape(field)

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
    """The files' metadata, a list; the bytes are kept by the app, so it cannot be imported."""

    is_compared: bool = False
    stays_unless_replaced: bool = True

    def from_field(self, question: Question, field: Any) -> JSONValue:
        files = getattr(field, "files", None)
        return list(files) if files else None

    def new_upload(self, field: Any) -> Any | None:
        return list(getattr(field, "uploads", None) or []) or None

    def form_value(self, question: Question, answer: JSONValue) -> Any:
        return stored_files(answer) or None

    def posted(self, question: Question, answer: JSONValue, name: str) -> list[tuple[str, str]]:
        return []  # the engine keeps earlier uploads; a browser posts only new files

    def display(self, question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
        files = stored_files(answer)
        if not files:
            return (str(answer),)
        return tuple(f"{file['filename']} ({format_size(file.get('size'))})" for file in files)

    def _wide_cell(self, question: Question, answer: JSONValue, labels: Labels) -> Cell:
        return self.stored_cell(question, answer)

    def stored_cell(self, question: Question, answer: JSONValue) -> Cell:
        files = stored_files(answer)
        if files:
            return "; ".join(str(file["filename"]) for file in files)
        return super().stored_cell(question, answer)

    def import_columns(self, question: Question) -> list[ImportColumn]:
        return []
