"""Text normalisation and WTForms validators with GOV.UK-style messages.

Public API:
    clean_text(value) -> str | None: NFC, "\\n" line ends, C0 controls (but tab and newline)
        removed, trimmed; None when empty or not text. NUL is kept for SafeCharacters.
    parse_number(value) -> int | float | None
    is_blank(field) -> bool
    Validators: SafeCharacters, Presence, TextRules, OneOf, AllOf, NumberRules, FileRules,
        ReportProblem. Each takes the Question, so its messages come from the definition.

Decision: NUL characters and lone surrogates are rejected with UNSAFE_CHARACTERS_ERROR
(they cannot be stored in PostgreSQL text or UTF-8), other control characters are dropped.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from wtforms import Form
from wtforms.fields import Field
from wtforms.validators import StopValidation, ValidationError

from surveys.definition import Question
from surveys.evidence import ACCEPTED_TYPES

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 10_000
DEFAULT_FILE_TYPES = ACCEPTED_TYPES  # one list: what the form offers, the server stores
DEFAULT_MAX_FILE_MB = 10.0
UNSAFE_CHARACTERS_ERROR = (
    "Your answer contains a hidden character that cannot be saved. "
    "Remove it, or copy your answer in again as plain text"
)
# Beyond this size no answer can be valid; skip normalising so a huge post stays cheap.
_SCAN_LIMIT = 200_000
_DROPPED_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+$")


def clean_text(value: object) -> str | None:
    """Normalise posted text; return None when it is empty or not text at all."""
    if not isinstance(value, str):
        return None
    if len(value) > _SCAN_LIMIT:
        return value[: _SCAN_LIMIT + 1]
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _DROPPED_CONTROLS.sub("", text)
    if not _UNSAFE.search(text):  # normalising lone surrogates would raise
        text = unicodedata.normalize("NFC", text)
    return text.strip() or None


def as_choice(value: object) -> str:
    """Coerce a posted choice to text; anything that is not text counts as no choice."""
    return value if isinstance(value, str) else ""


def drop_blank_choices(values: Any) -> list[str]:
    """Drop empty values (GOV.UK checkboxes may post a hidden empty one), keep order."""
    if not isinstance(values, list):
        return []
    return list(dict.fromkeys(value for value in values if isinstance(value, str) and value))


def parse_number(value: object) -> int | float | None:
    """Parse "1,250", "-3" or "2.5" into a number; None when it is not a plain number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", "")
    if len(text) > 30 or not _NUMBER.match(text):
        return None
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def is_blank(field: Field) -> bool:
    """Return whether a bound field holds no answer at all."""
    blank = getattr(field, "is_blank", None)
    if isinstance(blank, bool):
        return blank
    return field.data is None or field.data == "" or field.data == []


def _number_text(value: float) -> str:
    return f"{value:,g}" if value != int(value) else f"{int(value):,}"


class SafeCharacters:
    """Stop with a clear message when text holds NUL or unpaired surrogate characters."""

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and _UNSAFE.search(field.data):
            raise StopValidation(UNSAFE_CHARACTERS_ERROR)


class Presence:
    """Give the definition's error_required when blank, or skip optional blank answers."""

    def __init__(self, question: Question):
        self.required = question.required
        self.message = question.error_required or "Answer this question"

    def __call__(self, form: Form, field: Field) -> None:
        if not is_blank(field):
            return
        if self.required:
            raise StopValidation(self.message)
        field.errors[:] = []
        raise StopValidation()


class TextRules:
    """Check length, pattern and email format of a text answer."""

    def __init__(self, question: Question, default_max: int):
        rules = question.validation
        self.rules = rules
        self.max_length = rules.max_length or default_max
        self.pattern = re.compile(rules.pattern) if rules.pattern else None

    def __call__(self, form: Form, field: Field) -> None:
        text, rules = field.data or "", self.rules
        if len(text) > self.max_length:
            limit = f"{self.max_length:,}"
            raise ValidationError(
                rules.error_too_long or f"Answer must be {limit} characters or fewer"
            )
        if rules.min_length is not None and len(text) < rules.min_length:
            default = f"Answer must be {rules.min_length:,} characters or more"
            raise ValidationError(rules.error_too_short or default)
        if self.pattern is not None and not self.pattern.fullmatch(text):
            raise ValidationError(rules.pattern_error or "Enter your answer in the correct format")
        if rules.format == "email" and not _EMAIL.match(text):
            default = "Enter an email address in the correct format, like name@example.com"
            raise ValidationError(rules.error_invalid or default)


class OneOf:
    """Reject a single choice that is not one of the question's values."""

    def __init__(self, question: Question, values: Iterable[str]):
        self.values = frozenset(values)
        self.message = (
            question.validation.error_invalid
            or question.error_required
            or "Select one of the options"
        )

    def __call__(self, form: Form, field: Field) -> None:
        if field.data not in self.values:
            raise ValidationError(self.message)


class AllOf:
    """Reject checkbox answers holding unknown values, or fewer than min_selected."""

    def __init__(self, question: Question, values: Iterable[str]):
        self.values = frozenset(values)
        self.min_selected = question.validation.min_selected or 0
        self.min_message = question.validation.error_too_short or (
            f"Select at least {self.min_selected} options"
        )
        self.message = (
            question.validation.error_invalid
            or question.error_required
            or "Select from the options"
        )

    def __call__(self, form: Form, field: Field) -> None:
        chosen = field.data or []
        if any(value not in self.values for value in chosen):
            raise ValidationError(self.message)
        if len(chosen) < self.min_selected:
            raise ValidationError(self.min_message)


class NumberRules:
    """Check an answer is a number, whole if required, within the definition's range."""

    def __init__(self, question: Question):
        self.rules = question.validation

    def __call__(self, form: Form, field: Field) -> None:
        rules = self.rules
        number = parse_number(field.data)
        if number is None:
            raise ValidationError(rules.error_invalid or "Enter a number")
        if rules.whole_number and not isinstance(number, int):
            raise ValidationError(rules.error_invalid or "Enter a whole number")
        if rules.min_value is not None and number < rules.min_value:
            default = f"Answer must be {_number_text(rules.min_value)} or more"
            raise ValidationError(rules.error_too_small or default)
        if rules.max_value is not None and number > rules.max_value:
            default = f"Answer must be {_number_text(rules.max_value)} or less"
            raise ValidationError(rules.error_too_large or default)


MAX_FILES = 20  # the files one file question keeps


class FileRules:
    """Check each newly uploaded file's type and size, and how many files the question keeps
    (files kept from before passed already)."""

    def __init__(self, question: Question, max_files: int = MAX_FILES):
        rules = question.validation
        self.types = tuple(rules.allowed_file_types or DEFAULT_FILE_TYPES)
        self.max_mb = rules.max_file_size_mb or DEFAULT_MAX_FILE_MB
        self.max_files = max_files
        self.type_error = rules.error_invalid
        self.size_error = rules.error_too_large

    def __call__(self, form: Form, field: Field) -> None:
        new_files = getattr(field, "new_files", None) or []
        for file in new_files:
            self._check(file)
        if new_files and len(field.data) + len(new_files) > self.max_files:
            raise ValidationError(
                f"You can attach up to {self.max_files} files here: remove one to add another"
            )

    def _check(self, file: dict[str, Any]) -> None:
        suffix = PurePath(str(file.get("filename", ""))).suffix.lower().lstrip(".")
        if suffix not in self.types:
            names = [kind.upper() for kind in self.types]
            listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
            raise ValidationError(self.type_error or f"The selected file must be a {listed}")
        size = file.get("size") or 0
        if size <= 0:
            raise ValidationError("The selected file is empty")
        if size > self.max_mb * 1024 * 1024:
            limit = _number_text(self.max_mb)
            raise ValidationError(
                self.size_error or f"The selected file must be smaller than {limit}MB"
            )


class ReportProblem:
    """Raise the problem a composite field found while reading its parts."""

    def __call__(self, form: Form, field: Field) -> None:
        problem = getattr(field, "problem", None)
        if problem:
            raise ValidationError(problem)
