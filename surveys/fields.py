"""Plain WTForms fields for each question type, with GOV.UK-style messages (no Flask).

Public API:
    build_short_text, build_long_text, build_radios, build_select, build_checkboxes,
    build_yes_no, build_compliance_rating, build_number, build_date, build_file,
    build_confidence_pair: builder(question) -> unbound WTForms field.
    build_repeating_group(question, row_fields) -> unbound WTForms field.

Which builder a question type uses is said once, in its entry of the answer-type table
(`surveys.answer_types`), which also builds a repeating group's row fields.

Composite fields read several posted names: a date reads `<id>-day`, `<id>-month` and
`<id>-year`; a confidence pair `<id>-before` and `<id>-after`; a repeating group rows
`<id>-<n>-<field>` (and `<id>-add` asks for one more empty row). Messages come from the
definition, or GOV.UK defaults. Posted values never raise: they give field errors.
"""

from __future__ import annotations

from typing import Any

from wtforms import Form
from wtforms.fields import (
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.widgets import CheckboxInput, ListWidget

from surveys.composite import ConfidencePairField, DatePartsField, RepeatingGroupField, UploadField
from surveys.definition import Question
from surveys.ratings import NOT_APPLICABLE
from surveys.validators import (
    LONG_TEXT_MAX,
    SHORT_TEXT_MAX,
    AllOf,
    FileRules,
    NumberRules,
    OneOf,
    Presence,
    ReportProblem,
    SafeCharacters,
    TextRules,
    as_choice,
    clean_text,
    drop_blank_choices,
)

SELECT_PLACEHOLDER = "Select an option"

try:  # wtforms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields import SelectChoice as _Choice
except ImportError:  # pragma: no cover - wtforms < 3.3

    def _Choice(value: str, label: str) -> Any:  # noqa: N802
        return (value, label)


def _hint(question: Question) -> str:
    return question.hint or ""


def _text(question: Question, field_class: type[StringField], default_max: int) -> UnboundField:
    validators = [SafeCharacters(), Presence(question), TextRules(question, default_max)]
    render_kw = {"autocomplete": question.autocomplete} if question.autocomplete else None
    return field_class(
        question.label,
        validators=validators,
        filters=[clean_text],
        description=_hint(question),
        render_kw=render_kw,
    )


def build_short_text(question: Question) -> UnboundField:
    """Build a one-line text input (500 characters unless the definition says otherwise)."""
    return _text(question, StringField, SHORT_TEXT_MAX)


def build_long_text(question: Question) -> UnboundField:
    """Build a textarea (10,000 characters unless the definition says otherwise)."""
    return _text(question, TextAreaField, LONG_TEXT_MAX)


def _single_choice(question: Question, choices: list[tuple[str, str]]) -> UnboundField:
    values = {value for value, _ in choices if value}
    return RadioField(
        question.label,
        choices=[_Choice(value, label) for value, label in choices],
        coerce=as_choice,
        validate_choice=False,
        validators=[Presence(question), OneOf(question, values)],
        description=_hint(question),
    )


def build_radios(question: Question) -> UnboundField:
    """Build radios; also used for labelled scales and emoji scales (labels are the text)."""
    return _single_choice(question, [(option.value, option.label) for option in question.options])


def build_select(question: Question) -> UnboundField:
    """Build a select with an empty first choice, so not choosing is detectable."""
    choices = [_Choice("", SELECT_PLACEHOLDER)] + [
        _Choice(o.value, o.label) for o in question.options
    ]
    values = {option.value for option in question.options}
    return SelectField(
        question.label,
        choices=choices,
        coerce=as_choice,
        validate_choice=False,
        validators=[Presence(question), OneOf(question, values)],
        description=_hint(question),
    )


def build_checkboxes(question: Question) -> UnboundField:
    """Build checkboxes; the answer is the chosen values in option order."""
    values = [option.value for option in question.options]
    return SelectMultipleField(
        question.label,
        choices=[_Choice(option.value, option.label) for option in question.options],
        coerce=as_choice,
        validate_choice=False,
        filters=[drop_blank_choices],
        validators=[Presence(question), AllOf(question, values)],
        description=_hint(question),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


def build_yes_no(question: Question) -> UnboundField:
    """Build yes / no radios storing "yes" or "no"."""
    return _single_choice(question, [("yes", "Yes"), ("no", "No")])


def build_compliance_rating(question: Question) -> UnboundField:
    """Build radios for the scale's levels, plus NOT_APPLICABLE when the scale allows it."""
    assert question.scale is not None  # guaranteed by the definition's validation
    choices = [(level.value, level.label) for level in question.scale.levels]
    if question.scale.allow_not_applicable:
        choices.append((NOT_APPLICABLE, question.scale.not_applicable_label))
    return _single_choice(question, choices)


def build_number(question: Question) -> UnboundField:
    """Build a text input that accepts a number (GOV.UK advises against type=number)."""
    return StringField(
        question.label,
        validators=[SafeCharacters(), Presence(question), NumberRules(question)],
        filters=[clean_text],
        description=_hint(question),
        render_kw={"inputmode": "decimal" if not question.validation.whole_number else "numeric"},
    )


def build_date(question: Question) -> UnboundField:
    """Build a GOV.UK date input (day, month and year boxes)."""
    return DatePartsField(
        question.label,
        validators=[Presence(question), ReportProblem()],
        description=_hint(question),
        question=question,
    )


def build_file(question: Question) -> UnboundField:
    """Build a file upload; the answer is metadata, the app keeps the bytes."""
    return UploadField(
        question.label,
        validators=[Presence(question), FileRules(question)],
        description=_hint(question),
    )


def build_confidence_pair(question: Question) -> UnboundField:
    """Build a before / after confidence rating on one scale."""
    return ConfidencePairField(
        question.label,
        validators=[Presence(question), ReportProblem()],
        description=_hint(question),
        question=question,
    )


def build_repeating_group(question: Question, row_fields: dict[str, UnboundField]) -> UnboundField:
    """Build rows of simple fields (e.g. an action plan), blank rows ignored."""
    row_form = type(f"{question.id.title().replace('_', '')}Row", (Form,), row_fields)
    return RepeatingGroupField(
        FormField(row_form),
        question.label,
        description=_hint(question),
        question=question,
    )
