"""Checks on a survey definition that a field type alone cannot express.

Public API:
    find_problems(definition) -> list[str]: every inconsistency, as "path: reason".
    check_question(question): raise Inconsistency if the question's parts do not fit its type.
    check_definition(definition): raise Inconsistency on the first document-wide problem.
    Inconsistency: the error those raise, with `at` (a path inside what was checked).
    RESERVED_IDS: question ids a form cannot use.
    looks_like_personal_data(question) -> bool

The loader (surveys.loader) calls find_problems on the parsed, typed definition, and
reports the problems with the file name, as it reports the models' own validation errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from surveys.definition import (
    CHOICE_TYPES,
    FREE_TEXT_TYPES,
    GROUP_FIELD_TYPES,
    Audience,
    Question,
    QuestionType,
    ShowIf,
    SurveyDefinition,
    TextFormat,
)

_T = QuestionType
_CAPTURES_TEXT = frozenset({_T.SHORT_TEXT, _T.LONG_TEXT, _T.DATE, _T.NUMBER})
_SINGLE_VALUED = frozenset(
    {_T.RADIOS, _T.SELECT, _T.SCALE, _T.EMOJI_SCALE, _T.YES_NO, _T.COMPLIANCE_RATING}
)
_VALIDATION_TYPES: dict[str, frozenset[QuestionType]] = {
    "min_length": FREE_TEXT_TYPES,
    "max_length": FREE_TEXT_TYPES,
    "pattern": FREE_TEXT_TYPES,
    "format": frozenset({_T.SHORT_TEXT}),
    "min_value": frozenset({_T.NUMBER}),
    "max_value": frozenset({_T.NUMBER}),
    "whole_number": frozenset({_T.NUMBER}),
    "allowed_file_types": frozenset({_T.FILE}),
    "max_file_size_mb": frozenset({_T.FILE}),
    "not_in_future": frozenset({_T.DATE}),
    "not_in_past": frozenset({_T.DATE}),
    "min_selected": frozenset({_T.CHECKBOXES}),
}
# Attribute names of wtforms / Flask-WTF forms and of our page form: a field by one of these
# names would shadow the form's own attribute.
# Ids a partnership's local questions (and their page) use, so no form may (surveys.shared_returns).
LOCAL_PREFIX = "local_"
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


class Inconsistency(ValueError):
    """A part of a definition that does not fit the rest, at path `at` inside what was checked."""

    def __init__(self, at: str, reason: str):
        super().__init__(reason)
        self.at = at
        self.reason = reason


def find_problems(definition: SurveyDefinition) -> list[str]:
    """Return every problem in a parsed definition, each as "path: reason".

    Each question reports its first problem; the document-wide checks run once every
    question is sound, and each reports its first problem.
    """
    problems: list[str] = []
    for at, _, question in _questions(definition):
        problems += _question_problems(question, at)
    if problems:
        return problems
    for check in _DOCUMENT_CHECKS:
        try:
            check(definition)
        except Inconsistency as error:
            problems.append(_describe("", error))
    return problems


def _question_problems(question: Question, at: str) -> list[str]:
    """Return the first problem of each group field, or else of the question itself."""
    problems: list[str] = []
    for index, field in enumerate(question.fields):
        problems += _question_problems(field, f"{at}.fields[{index}]")
    if problems:
        return problems
    try:
        check_question(question)
    except Inconsistency as error:
        return [_describe(at, error)]
    return []


def _describe(location: str, error: Inconsistency) -> str:
    at = error.at
    if at:
        location = f"{location}.{at}" if location and not at.startswith("[") else location + at
    return f"{location or '(top level)'}: {error.reason}"


def check_question(question: Question) -> None:
    """Raise a problem if the question's optional parts do not fit its type."""
    if question.required and question.error_required is None:
        raise Inconsistency("error_required", "a required question needs an error_required message")
    if question.personal_data and question.purpose is None:
        raise Inconsistency("purpose", "say why this personal data is asked for (purpose)")
    _check_options(question)
    _check_type_parts(question)
    _check_validation(question)
    _check_concern(question)
    _check_triangulation(question)
    if question.type is QuestionType.REPEATING_GROUP:
        _check_group(question)


def _check_options(question: Question) -> None:
    if question.type not in CHOICE_TYPES:
        if question.options:
            raise Inconsistency("options", f"{question.type} questions do not take options")
        return
    if question.options_from is not None:
        if question.type not in (QuestionType.RADIOS, QuestionType.SELECT):
            raise Inconsistency(
                "options_from", "only radios and select questions take options_from"
            )
    elif len(question.options) < 2:
        raise Inconsistency("options", f"{question.type} questions need at least 2 options")
    values = [option.value for option in question.options]
    for index, value in enumerate(values):
        if value in values[:index]:
            raise Inconsistency(f"options[{index}].value", f"option value '{value}' is used twice")
    if question.type is QuestionType.EMOJI_SCALE:
        for index, option in enumerate(question.options):
            if option.emoji is None:
                raise Inconsistency(f"options[{index}].emoji", "emoji_scale options need an emoji")


def _check_type_parts(question: Question) -> None:
    needs = {"scale": _T.COMPLIANCE_RATING, "confidence": _T.CONFIDENCE_PAIR}
    for part, owner in needs.items():
        present = getattr(question, part) is not None
        if question.type == owner and not present:
            raise Inconsistency(part, f"{owner} questions need a {part}")
        if question.type != owner and present:
            raise Inconsistency(part, f"only {owner} questions take a {part}")
    if question.type is not QuestionType.REPEATING_GROUP and question.fields:
        raise Inconsistency("fields", "only repeating_group questions take fields")
    if question.analysis is not None and question.type not in FREE_TEXT_TYPES:
        raise Inconsistency(
            "analysis", "analysis applies to short_text and long_text questions only"
        )
    if question.type is QuestionType.LONG_TEXT and question.analysis is None:
        raise Inconsistency(
            "analysis", "long_text questions need analysis metadata (polarity, stream)"
        )


def _check_concern(question: Question) -> None:
    if question.concern is None:
        return
    if question.type not in CHOICE_TYPES | {QuestionType.YES_NO}:
        raise Inconsistency("concern", "concern applies to choice and yes_no questions only")
    values = _answer_values(question)
    for index, answer in enumerate(question.concern.answers):
        if answer not in values:
            raise Inconsistency(
                f"concern.answers[{index}]", f"'{answer}' is not one of the answers"
            )


def _check_triangulation(question: Question) -> None:
    found = question.triangulation
    if found is None:
        return
    if question.type is QuestionType.YES_NO:
        values = {"yes", "no"}
    elif question.type in CHOICE_TYPES and question.options_from is None:
        values = {option.value for option in question.options}
    else:
        reason = "triangulation applies to yes_no and choice questions (not options_from) only"
        raise Inconsistency("triangulation", reason)
    for index, value in enumerate(found.not_met_answers):
        if value not in values:
            at = f"triangulation.not_met_answers[{index}]"
            raise Inconsistency(at, f"'{value}' is not an answer to this question")


def _check_triangulates(definition: SurveyDefinition) -> None:
    """A form whose answers speak to standards names whose, and asks which organisation."""
    asks = [
        path for path, item in _questions_and_fields(definition) if item.triangulation is not None
    ]
    if asks and definition.triangulates is None:
        reason = "name the form whose standards triangulation names (triangulates: section-11)"
        raise Inconsistency(f"{asks[0]}.triangulation", reason)
    if definition.triangulates is None:
        return
    if definition.triangulates == definition.key:
        raise Inconsistency("triangulates", "a form cannot triangulate its own standards")
    which = [item for _, item in _questions_and_fields(definition) if item.options_from]
    if len(which) != 1:
        reason = "a form that triangulates needs one question with options_from: organisations"
        raise Inconsistency("triangulates", reason)


def _check_validation(question: Question) -> None:
    rules = question.validation
    for name, types in _VALIDATION_TYPES.items():
        value = getattr(rules, name)
        if value not in (None, False) and question.type not in types:
            raise Inconsistency(f"validation.{name}", f"{name} does not apply to {question.type}")


def _check_group(question: Question) -> None:
    if not question.fields:
        raise Inconsistency("fields", "a repeating_group needs at least one field")
    if question.min_rows > question.max_rows:
        raise Inconsistency("min_rows", "min_rows is greater than max_rows")
    seen: set[str] = set()
    for index, field in enumerate(question.fields):
        if field.type not in GROUP_FIELD_TYPES:
            allowed = ", ".join(sorted(GROUP_FIELD_TYPES))
            raise Inconsistency(f"fields[{index}].type", f"a group field must be one of: {allowed}")
        if field.show_if is not None:
            raise Inconsistency(f"fields[{index}].show_if", "group fields cannot use show_if")
        if field.id in seen:
            raise Inconsistency(f"fields[{index}].id", f"field id '{field.id}' is used twice")
        seen.add(field.id)


def check_definition(definition: SurveyDefinition) -> None:
    """Raise Inconsistency on the first problem that spans the whole document."""
    for check in _DOCUMENT_CHECKS:
        check(definition)


def _questions(definition: SurveyDefinition) -> Iterator[tuple[str, int, Question]]:
    for page_index, page in enumerate(definition.pages):
        for index, question in enumerate(page.questions):
            yield f"pages[{page_index}].questions[{index}]", page_index, question


def _questions_and_fields(definition: SurveyDefinition) -> Iterator[tuple[str, Question]]:
    for at, _, question in _questions(definition):
        yield at, question
        for index, field in enumerate(question.fields):
            yield f"{at}.fields[{index}]", field


def _check_ids(definition: SurveyDefinition) -> None:
    pages: dict[str, int] = {}
    for index, page in enumerate(definition.pages):
        if page.id.startswith(LOCAL_PREFIX):
            raise Inconsistency(
                f"pages[{index}].id",
                f"page ids starting '{LOCAL_PREFIX}' are kept for local questions",
            )
        if page.id in pages:
            raise Inconsistency(
                f"pages[{index}].id",
                f"page id '{page.id}' is already used by pages[{pages[page.id]}]",
            )
        pages[page.id] = index
    questions: dict[str, str] = {}
    for at, _, question in _questions(definition):
        if question.id in questions:
            first = questions[question.id]
            raise Inconsistency(
                f"{at}.id", f"question id '{question.id}' is already used at {first}"
            )
        if question.id in RESERVED_IDS:
            raise Inconsistency(
                f"{at}.id", f"'{question.id}' is reserved; choose another question id"
            )
        if question.id.startswith(LOCAL_PREFIX):
            raise Inconsistency(
                f"{at}.id",
                f"question ids starting '{LOCAL_PREFIX}' are kept for a partnership's "
                "local questions; choose another question id",
            )
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
        raise Inconsistency(f"{at}.question", f"'{condition.question}' is not the id of {where}")
    question = target[1]
    if condition.any_of is not None and question.type is not QuestionType.CHECKBOXES:
        raise Inconsistency(f"{at}.any_of", "any_of applies to checkboxes; use equals or in")
    if condition.any_of is None and question.type not in _SINGLE_VALUED:
        kind = (
            "use any_of" if question.type is QuestionType.CHECKBOXES else "it has no fixed answers"
        )
        raise Inconsistency(at, f"cannot depend on a {question.type} question ({kind})")
    allowed = _answer_values(question)
    for value in condition.values:
        if value not in allowed:
            choices = ", ".join(sorted(allowed))
            raise Inconsistency(
                at, f"'{value}' is not an answer of '{question.id}' (one of: {choices})"
            )


def _answer_values(question: Question) -> set[str]:
    if question.type is QuestionType.YES_NO:
        return {"yes", "no"}
    if question.type is QuestionType.COMPLIANCE_RATING and question.scale is not None:
        values = {level.value for level in question.scale.levels}
        return values | ({"not_applicable"} if question.scale.allow_not_applicable else set())
    return {option.value for option in question.options}


def _check_audience(definition: SurveyDefinition) -> None:
    vulnerable = definition.audience in {Audience.CHILD, Audience.FAMILY}
    if vulnerable and not definition.help_notice:
        raise Inconsistency("help_notice", "child and family forms must show the help notice")
    if definition.age_band is not None and definition.audience is not Audience.CHILD:
        raise Inconsistency("age_band", "age_band applies to child audiences only")
    if definition.audience is Audience.ORGANISATION:
        return
    for path, item in _questions_and_fields(definition):
        if looks_like_personal_data(item) and not item.personal_data:
            raise Inconsistency(
                path, "asks for personal data: mark it personal_data: true with a purpose"
            )
        screened = item.analysis is not None and item.analysis.screen_for_disclosure
        # Declared personal data (e.g. an email for a reply) is not read for themes.
        free_text = item.type in FREE_TEXT_TYPES
        if vulnerable and free_text and not screened and not item.personal_data:
            raise Inconsistency(
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


def _check_standards(definition: SurveyDefinition) -> None:
    refs: dict[str, int] = {}
    for index, page in enumerate(definition.pages):
        if page.standard is None:
            continue
        if page.standard.ref in refs:
            first = refs[page.standard.ref]
            message = f"standard ref '{page.standard.ref}' is already used by pages[{first}]"
            raise Inconsistency(f"pages[{index}].standard.ref", message)
        refs[page.standard.ref] = index
    for path, item in _questions_and_fields(definition):
        standard = item.analysis.standard if item.analysis is not None else None
        if standard is None or standard in refs:
            continue
        if refs:
            known = ", ".join(refs)
            reason = f"'{standard}' is not one of this form's standards ({known})"
        else:
            reason = f"'{standard}' is not a standard: no page of this form has a standard"
        raise Inconsistency(f"{path}.analysis.standard", reason)


def _check_follow_up(definition: SurveyDefinition) -> None:
    follow_up = definition.follow_up
    if follow_up is None:
        return
    if follow_up.form == definition.key:
        raise Inconsistency("follow_up.form", "a form cannot be its own follow-up")
    try:
        question = definition.question(follow_up.email_question)
    except KeyError:
        reason = f"'{follow_up.email_question}' is not the id of a question in this form"
        raise Inconsistency("follow_up.email_question", reason) from None
    is_email = (
        question.type is QuestionType.SHORT_TEXT
        and question.validation.format is TextFormat.EMAIL
        and question.personal_data
    )
    if not is_email:
        reason = (
            f"'{question.id}' must be a short_text question with validation format: email "
            "and personal_data: true"
        )
        raise Inconsistency("follow_up.email_question", reason)


_DOCUMENT_CHECKS = (
    _check_ids,
    _check_conditions,
    _check_audience,
    _check_standards,
    _check_follow_up,
    _check_triangulates,
)
