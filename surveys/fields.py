"""The WTForms field of each question type, as `surveys.engine` asks for it.

Public API:
    FIELD_BUILDERS: QuestionType -> builder(question) -> unbound WTForms field.
    build_field(question) -> unbound WTForms field.
    is_blank(field) -> bool

Each type's field is named once, in its entry of the answer-type table
(`surveys.answer_types`); the builders themselves are in `surveys.field_builders`.
"""

from __future__ import annotations

from surveys.answer_types import FIELD_BUILDERS, build_field
from surveys.validators import is_blank

__all__ = ["FIELD_BUILDERS", "build_field", "is_blank"]
