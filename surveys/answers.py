"""Convert between bound form fields, stored answers (JSON values) and display text.

Public API:
    answer_from_field(question, field) -> JSONValue: the stored answer of a bound field.
    form_value(question, answer) -> Any: a stored answer as field data, to refill a form.
    display_values(question, answer, labels) -> tuple[str, ...]: "Check your answers" text.
    format_date(answer), format_size(size): how dates and file sizes read.

Each question type's stored shape and its conversions are its entry in the answer-type
table (`surveys.answer_types`, which lists the shapes); these functions look it up.
"""

from __future__ import annotations

from typing import Any

from surveys.answer_types import answer_type, display_values, format_date, format_size
from surveys.definition import JSONValue, Question

__all__ = ["answer_from_field", "display_values", "form_value", "format_date", "format_size"]


def answer_from_field(question: Question, field: Any) -> JSONValue:
    """Return the stored answer held by a bound field (None when blank)."""
    return answer_type(question).from_field(question, field)


def form_value(question: Question, answer: JSONValue) -> Any:
    """Return a stored answer as the data a freshly built field expects."""
    return answer_type(question).form_value(question, answer)
