"""Convert between bound form fields, stored answers (JSON values) and display text.

Public API:
    answer_from_field(question, field) -> JSONValue: the stored answer of a bound field.
    form_value(question, answer) -> Any: a stored answer as field data, to refill a form.
    display_values(question, answer, labels) -> tuple[str, ...]: "Check your answers" text.

Stored shapes: text, choices, yes_no ("yes" / "no") and dates (ISO) are strings; checkboxes
a list of values; numbers int or float; compliance_rating {"value", "scale_version"} or
"not_applicable"; confidence_pair {"before": n, "after": n}; file {"filename",
"content_type", "size"}; repeating_group a list of row dicts. None means no answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from surveys.definition import JSONValue, Labels, Question, QuestionType
from surveys.validators import clean_text, parse_number

_SINGLE = {
    QuestionType.RADIOS,
    QuestionType.SELECT,
    QuestionType.SCALE,
    QuestionType.EMOJI_SCALE,
    QuestionType.YES_NO,
}
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def answer_from_field(question: Question, field: Any) -> JSONValue:
    """Return the stored answer held by a bound field (None when blank)."""
    data, kind = field.data, question.type
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return clean_text(data)
    if kind in _SINGLE:
        return data if isinstance(data, str) and data else None
    if kind is QuestionType.CHECKBOXES:
        chosen: list[JSONValue] = [
            value for value in data or [] if isinstance(value, str) and value
        ]
        return chosen or None
    if kind is QuestionType.COMPLIANCE_RATING:
        return _compliance_answer(question, data)
    if kind is QuestionType.NUMBER:
        return parse_number(data)
    if kind is QuestionType.REPEATING_GROUP:
        rows = [_row_answer(question, entry) for entry in field.filled_rows()]
        return rows or None  # type: ignore[return-value]
    # date, file and confidence_pair fields already hold their stored shape
    return data if isinstance(data, str | dict) else None


def _compliance_answer(question: Question, data: Any) -> JSONValue:
    if not isinstance(data, str) or not data:
        return None
    if data == "not_applicable":
        return data
    assert question.scale is not None  # guaranteed by the definition's validation
    return {"value": data, "scale_version": question.scale.version}


def _row_answer(question: Question, entry: Any) -> dict[str, JSONValue]:
    return {field.id: answer_from_field(field, entry.form[field.id]) for field in question.fields}


def form_value(question: Question, answer: JSONValue) -> Any:
    """Return a stored answer as the data a freshly built field expects."""
    kind = question.type
    if kind is QuestionType.CHECKBOXES:
        return (
            [value for value in answer if isinstance(value, str)]
            if isinstance(answer, list)
            else None
        )
    if kind is QuestionType.COMPLIANCE_RATING and isinstance(answer, dict):
        value = answer.get("value")
        return value if isinstance(value, str) else None
    if kind is QuestionType.NUMBER:
        is_number = isinstance(answer, int | float) and not isinstance(answer, bool)
        return str(answer) if is_number else None
    if kind is QuestionType.REPEATING_GROUP:
        rows = answer if isinstance(answer, list) else []
        return [_row_value(question, row) for row in rows if isinstance(row, dict)]
    if kind in (QuestionType.FILE, QuestionType.CONFIDENCE_PAIR):
        return answer if isinstance(answer, dict) else None
    return answer if isinstance(answer, str) else None


def _row_value(question: Question, row: dict[str, JSONValue]) -> dict[str, Any]:
    return {field.id: form_value(field, row.get(field.id)) for field in question.fields}


def display_values(question: Question, answer: JSONValue, labels: Labels) -> tuple[str, ...]:
    """Return the answer as lines a person reads back; empty when there is no answer."""
    if answer is None or answer == "" or answer == []:
        return ()
    kind = question.type
    if kind is QuestionType.YES_NO:
        return ({"yes": labels.yes, "no": labels.no}.get(str(answer), str(answer)),)
    if kind in _SINGLE or kind is QuestionType.COMPLIANCE_RATING:
        value = answer.get("value") if isinstance(answer, dict) else answer
        return (question.option_label(str(value)) or str(value),)
    if kind is QuestionType.CHECKBOXES and isinstance(answer, list):
        return tuple(question.option_label(str(value)) or str(value) for value in answer)
    if kind is QuestionType.DATE:
        return (format_date(answer),)
    if kind is QuestionType.NUMBER and isinstance(answer, int | float):
        return (f"{answer:,}",)
    if kind is QuestionType.FILE and isinstance(answer, dict):
        return (f"{answer.get('filename')} ({format_size(answer.get('size'))})",)
    if kind is QuestionType.CONFIDENCE_PAIR and isinstance(answer, dict):
        return _confidence_lines(question, answer)
    if kind is QuestionType.REPEATING_GROUP and isinstance(answer, list):
        return tuple(_row_line(question, row, labels) for row in answer if isinstance(row, dict))
    return (str(answer),)


def _confidence_lines(question: Question, answer: dict[str, JSONValue]) -> tuple[str, ...]:
    pair = question.confidence
    assert pair is not None  # guaranteed by the definition's validation
    names = {level.value: level.label for level in pair.levels}
    before, after = answer.get("before"), answer.get("after")
    return (
        f"{pair.before_label}: {names.get(before, before) if isinstance(before, int) else ''}",
        f"{pair.after_label}: {names.get(after, after) if isinstance(after, int) else ''}",
    )


def _row_line(question: Question, row: dict[str, JSONValue], labels: Labels) -> str:
    parts = [
        ", ".join(display_values(field, row.get(field.id), labels)) for field in question.fields
    ]
    return "; ".join(part for part in parts if part)


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
