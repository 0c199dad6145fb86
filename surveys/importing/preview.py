"""Check every row of a matched file, turning cells into stored answers, problems by row.

Public API:
    RowError, ImportPreview; preview_import(rows, mapping, definition) -> ImportPreview

Each cell is read by its question's answer type (`surveys.answer_types`).

What an import must have: nothing beyond one answer in the row. Answers from past years
come from tools and forms that asked other questions, so no question is required by an
import: a column may be missing and a cell may be blank, even for questions the form makes
required (people answering the form online are still held to those). A row is refused only
for what it says: a cell that is not an answer to its question (not an option, not a number,
not a date, too long) or a confidence pair with only one half. A row with nothing in the
matched columns is a blank row and is skipped. An import is all or nothing: one refused row
refuses the file, with every problem listed by row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from surveys.cells import CellProblem, fold, parse_date
from surveys.definition import JSONValue, SurveyDefinition
from surveys.engine import visible_answers
from surveys.importing.mapping import Target, check_mapping, targets
from surveys.spreadsheets import FORMULA_PREFIXES

# Headings under which tools put when a response was given (folded): our own export,
# Google Forms, Microsoft Forms, SurveyMonkey and a plain "Date".
_ANSWERED_AT_HEADINGS = (
    "submitted at",
    "timestamp",
    "completion time",
    "end date",
    "date submitted",
    "date",
)


@dataclass(frozen=True)
class RowError:
    row_number: int
    column: str
    message: str  # "Row 12: 'Maybe' is not an option for 'How relevant was the course?'"


@dataclass(frozen=True)
class ImportPreview:
    definition: SurveyDefinition
    valid_rows: list[dict[str, JSONValue]]
    errors: list[RowError]
    row_numbers: list[int] = field(default_factory=list)  # the sheet row of each valid row
    blank_rows: int = 0
    unmatched: list[str] = field(default_factory=list)  # questions with no column: left blank
    answered_on: list[date | None] = field(default_factory=list)  # per valid row, if known

    @property
    def is_ready(self) -> bool:
        return not self.errors and bool(self.valid_rows)


def preview_import(
    rows: Sequence[Mapping[str, str]],
    mapping: Mapping[str, str | None],
    definition: SurveyDefinition,
) -> ImportPreview:
    """Convert each row's cells into stored answers, collecting every problem by row."""
    slots = targets(definition)
    columns = check_mapping(mapping, slots)
    valid: list[dict[str, JSONValue]] = []
    numbers: list[int] = []
    answered_on: list[date | None] = []
    errors: list[RowError] = []
    blanks = 0
    answered_column = _answered_at_column(rows[0] if rows else {}, mapping)
    for number, record in enumerate(rows, start=2):
        cells = {
            key: _unquote((record.get(column) or "").strip()) for key, column in columns.items()
        }
        if not any(cells.values()):
            blanks += 1
            continue
        answers, problems = _convert_row(cells, slots)
        if problems:
            errors += [
                RowError(number, columns.get(k, ""), f"Row {number}: {m}") for k, m in problems
            ]
            continue
        valid.append(visible_answers(definition, answers))
        numbers.append(number)
        answered_on.append(_parse_answered_at(record.get(answered_column or "") or ""))
    unmatched = [t.question.label for t in slots.values() if t.key not in columns]
    return ImportPreview(
        definition,
        valid,
        errors,
        numbers,
        blanks,
        list(dict.fromkeys(unmatched)),
        answered_on,
    )


def _answered_at_column(record: Mapping[str, str], mapping: Mapping[str, str | None]) -> str | None:
    """Return the unmatched column saying when each response was given, if the file has one."""
    free = {fold(column): column for column in record if not mapping.get(column)}
    return next((free[name] for name in _ANSWERED_AT_HEADINGS if name in free), None)


def _parse_answered_at(text: str) -> date | None:
    """Return the day a timestamp cell names ("2025-03-04 09:12", "04/03/2025 09:12:00")."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?$", "", text)
    return parse_date(text) if text else None


def _unquote(text: str) -> str:
    """Drop the "'" our exports put before formula-like text, so an export imports back."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _convert_row(
    cells: dict[str, str], slots: dict[str, Target]
) -> tuple[dict[str, JSONValue], list[tuple[str, str]]]:
    answers: dict[str, JSONValue] = {}
    parts: dict[str, tuple[Target, dict[str, JSONValue]]] = {}
    problems: list[tuple[str, str]] = []
    failed: set[str] = set()  # questions with a cell already refused: one problem is enough
    for key, text in cells.items():
        if not text:
            continue
        target = slots[key]
        try:
            value = target.answer_type.from_cell(target.question, text, target.part)
        except CellProblem as problem:
            problems.append((key, str(problem)))
            failed.add(target.question.id)
            continue
        if value is None:
            continue
        if target.part:
            parts.setdefault(target.question.id, (target, {}))[1][target.part] = value
        else:
            answers[target.question.id] = value
    for question_id, (target, found) in parts.items():
        if question_id not in failed:
            problems += _join_parts(target, found, answers)
    return answers, problems


def _join_parts(
    target: Target, found: dict[str, JSONValue], answers: dict[str, JSONValue]
) -> list[tuple[str, str]]:
    """Store an answer given in several cells (a confidence pair), or name the missing part."""
    question, entry = target.question, target.answer_type
    missing = [column for column in entry.import_columns(question) if column.part not in found]
    if not missing:
        answers[question.id] = entry.join_parts(question, found)
        return []
    return [(missing[0].key, f"Enter the {missing[0].part} answer for '{question.label}'")]
