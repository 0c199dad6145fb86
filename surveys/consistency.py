"""Checks on a survey definition that a field type alone cannot express.

Public API:
    problem(at, reason) -> PydanticCustomError: an error the loader reports at `at`.
    check_question(question): raise a problem if the question's parts do not fit its type.
    check_definition(definition): raise a problem on the first document-wide inconsistency.
    looks_like_personal_data(question) -> bool

Called from the models' validators, so these receive half-built models: they compare
`type` with plain strings (QuestionType is a StrEnum) to avoid a circular import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from surveys.definition import Question, ShowIf, SurveyDefinition

_CHOICE = {"radios", "checkboxes", "select", "scale", "emoji_scale"}
_FREE_TEXT = {"short_text", "long_text"}
_GROUP_FIELDS = {"short_text", "long_text", "number", "date", "select", "radios", "yes_no"}
_CAPTURES_TEXT = {"short_text", "long_text", "date", "number"}
_SINGLE_VALUED = {"radios", "select", "scale", "emoji_scale", "yes_no", "compliance_rating"}
_VALIDATION_TYPES = {
    "min_length": _FREE_TEXT,
    "max_length": _FREE_TEXT,
    "pattern": _FREE_TEXT,
    "format": {"short_text"},
    "min_value": {"number"},
    "max_value": {"number"},
    "whole_number": {"number"},
    "allowed_file_types": {"file"},
    "max_file_size_mb": {"file"},
    "not_in_future": {"date"},
    "not_in_past": {"date"},
    "min_selected": {"checkboxes"},
}
# Attribute names of wtforms / Flask-WTF forms and of our page form: a field by one of these
# names would shadow the form's own attribute.
RESERVED_IDS = frozenset(
    {
        "meta", "data", "errors", "form_errors", "process", "populate_obj", "validate",
        "csrf_token", "hidden_tag", "is_submitted", "validate_on_submit", "extra_validators",
        "page", "questions", "active_questions", "is_adding_row", "submit", "answers",
    }
)  # fmt: skip
_PERSONAL_ID_WORDS = {"name", "email", "phone", "telephone", "mobile", "address", "postcode", "dob"}
_PERSONAL_AUTOCOMPLETE = re.compile(
    r"\b(name|given-name|family-name|email|tel|street-address|bday)"
)
_PERSONAL_LABEL = re.compile(
    r"e-?mail|phone|mobile number|post ?code|home address|date of birth|"
    r"\b(your|their|child'?s|full|first|last) name\b|\bsurname\b",
    re.IGNORECASE,
)


def problem(at: str, reason: str) -> PydanticCustomError:
    """Return a validation error the loader reports at path `at` inside the current model."""
    return PydanticCustomError("definition", "{reason}", {"reason": reason, "at": at})


def check_question(question: Question) -> None:
    """Raise a problem if the question's optional parts do not fit its type."""
    if question.required and question.error_required is None:
        raise problem("error_required", "a required question needs an error_required message")
    if question.personal_data and question.purpose is None:
        raise problem("purpose", "say why this personal data is asked for (purpose)")
    _check_options(question)
    _check_type_parts(question)
    _check_validation(question)
    _check_concern(question)
    if question.type == "repeating_group":
        _check_group(question)


def _check_options(question: Question) -> None:
    if question.type not in _CHOICE:
        if question.options:
            raise problem("options", f"{question.type} questions do not take options")
        return
    if len(question.options) < 2:
        raise problem("options", f"{question.type} questions need at least 2 options")
    values = [option.value for option in question.options]
    for index, value in enumerate(values):
        if value in values[:index]:
            raise problem(f"options[{index}].value", f"option value '{value}' is used twice")
    if question.type == "emoji_scale":
        for index, option in enumerate(question.options):
            if option.emoji is None:
                raise problem(f"options[{index}].emoji", "emoji_scale options need an emoji")


def _check_type_parts(question: Question) -> None:
    needs = {"scale": "compliance_rating", "confidence": "confidence_pair"}
    for part, owner in needs.items():
        present = getattr(question, part) is not None
        if question.type == owner and not present:
            raise problem(part, f"{owner} questions need a {part}")
        if question.type != owner and present:
            raise problem(part, f"only {owner} questions take a {part}")
    if question.type != "repeating_group" and question.fields:
        raise problem("fields", "only repeating_group questions take fields")
    if question.analysis is not None and question.type not in _FREE_TEXT:
        raise problem("analysis", "analysis applies to short_text and long_text questions only")
    if question.type == "long_text" and question.analysis is None:
        raise problem("analysis", "long_text questions need analysis metadata (polarity, stream)")


def _check_concern(question: Question) -> None:
    if question.concern is None:
        return
    if question.type not in _CHOICE | {"yes_no"}:
        raise problem("concern", "concern applies to choice and yes_no questions only")
    values = {"yes", "no"} if question.type == "yes_no" else {o.value for o in question.options}
    for index, answer in enumerate(question.concern.answers):
        if answer not in values:
            raise problem(f"concern.answers[{index}]", f"'{answer}' is not one of the answers")


def _check_validation(question: Question) -> None:
    rules = question.validation
    for name, types in _VALIDATION_TYPES.items():
        value = getattr(rules, name)
        if value not in (None, False) and question.type not in types:
            raise problem(f"validation.{name}", f"{name} does not apply to {question.type}")


def _check_group(question: Question) -> None:
    if not question.fields:
        raise problem("fields", "a repeating_group needs at least one field")
    if question.min_rows > question.max_rows:
        raise problem("min_rows", "min_rows is greater than max_rows")
    seen: set[str] = set()
    for index, field in enumerate(question.fields):
        if field.type not in _GROUP_FIELDS:
            allowed = ", ".join(sorted(_GROUP_FIELDS))
            raise problem(f"fields[{index}].type", f"a group field must be one of: {allowed}")
        if field.show_if is not None:
            raise problem(f"fields[{index}].show_if", "group fields cannot use show_if")
        if field.id in seen:
            raise problem(f"fields[{index}].id", f"field id '{field.id}' is used twice")
        seen.add(field.id)


def check_definition(definition: SurveyDefinition) -> None:
    """Raise a problem on the first inconsistency that spans the whole document."""
    _check_ids(definition)
    _check_conditions(definition)
    _check_audience(definition)


def _questions(definition: SurveyDefinition) -> Iterator[tuple[str, int, Question]]:
    for page_index, page in enumerate(definition.pages):
        for index, question in enumerate(page.questions):
            yield f"pages[{page_index}].questions[{index}]", page_index, question


def _check_ids(definition: SurveyDefinition) -> None:
    pages: dict[str, int] = {}
    for index, page in enumerate(definition.pages):
        if page.id in pages:
            raise problem(
                f"pages[{index}].id",
                f"page id '{page.id}' is already used by pages[{pages[page.id]}]",
            )
        pages[page.id] = index
    questions: dict[str, str] = {}
    for at, _, question in _questions(definition):
        if question.id in questions:
            first = questions[question.id]
            raise problem(f"{at}.id", f"question id '{question.id}' is already used at {first}")
        if question.id in RESERVED_IDS:
            raise problem(f"{at}.id", f"'{question.id}' is reserved; choose another question id")
        questions[question.id] = at


def _check_conditions(definition: SurveyDefinition) -> None:
    earlier: dict[str, tuple[int, Question]] = {}
    page_conditions_checked: set[int] = set()
    for at, page_index, question in _questions(definition):
        page = definition.pages[page_index]
        if page_index not in page_conditions_checked and page.show_if is not None:
            before = {qid: entry for qid, entry in earlier.items() if entry[0] < page_index}
            _check_condition(page.show_if, before, f"pages[{page_index}].show_if", on_page=None)
        page_conditions_checked.add(page_index)
        if question.show_if is not None:
            _check_condition(question.show_if, earlier, f"{at}.show_if", on_page=page_index)
        earlier[question.id] = (page_index, question)


def _check_condition(
    condition: ShowIf, earlier: dict[str, tuple[int, Question]], at: str, *, on_page: int | None
) -> None:
    target = earlier.get(condition.question)
    if target is None:
        where = "an earlier page" if on_page is None else "an earlier question"
        raise problem(f"{at}.question", f"'{condition.question}' is not the id of {where}")
    question = target[1]
    if condition.any_of is not None and question.type != "checkboxes":
        raise problem(f"{at}.any_of", "any_of applies to checkboxes; use equals or in")
    if condition.any_of is None and question.type not in _SINGLE_VALUED:
        kind = "use any_of" if question.type == "checkboxes" else "it has no fixed answers"
        raise problem(at, f"cannot depend on a {question.type} question ({kind})")
    allowed = _answer_values(question)
    for value in condition.values:
        if value not in allowed:
            choices = ", ".join(sorted(allowed))
            raise problem(at, f"'{value}' is not an answer of '{question.id}' (one of: {choices})")


def _answer_values(question: Question) -> set[str]:
    if question.type == "yes_no":
        return {"yes", "no"}
    if question.type == "compliance_rating" and question.scale is not None:
        values = {level.value for level in question.scale.levels}
        return values | ({"not_applicable"} if question.scale.allow_not_applicable else set())
    return {option.value for option in question.options}


def _check_audience(definition: SurveyDefinition) -> None:
    vulnerable = definition.audience in {"child", "family"}
    if vulnerable and not definition.help_notice:
        raise problem("help_notice", "child and family forms must show the help notice")
    if definition.age_band is not None and definition.audience != "child":
        raise problem("age_band", "age_band applies to child audiences only")
    if definition.audience == "organisation":
        return
    for at, _, question in _questions(definition):
        for path, item in [(at, question)] + [
            (f"{at}.fields[{index}]", field) for index, field in enumerate(question.fields)
        ]:
            if looks_like_personal_data(item) and not item.personal_data:
                raise problem(
                    path, "asks for personal data: mark it personal_data: true with a purpose"
                )
            screened = item.analysis is not None and item.analysis.screen_for_disclosure
            # Declared personal data (e.g. an email for a reply) is not read for themes.
            if vulnerable and item.type in _FREE_TEXT and not screened and not item.personal_data:
                raise problem(
                    f"{path}.analysis",
                    "child and family free text must set screen_for_disclosure: true",
                )


def looks_like_personal_data(question: Question) -> bool:
    """Return whether a question seems to ask for a name, contact details or a birth date."""
    if question.type not in _CAPTURES_TEXT:  # a choice cannot hold contact details
        return False
    if question.validation.format is not None:
        return True
    if _PERSONAL_ID_WORDS & set(question.id.split("_")):
        return True
    if question.autocomplete and _PERSONAL_AUTOCOMPLETE.search(question.autocomplete):
        return True
    return bool(_PERSONAL_LABEL.search(question.label))
