"""Read answers from text a person typed in a spreadsheet cell (imports from other tools).

Public API:
    CellProblem: a cell cannot be turned into an answer; the message is for the person.
    fold(text) -> text without accents, case or punctuation, for comparisons.
    quoted(text) -> the text in quotes, shortened for a message.
    parse_date(text) -> date | None: ISO, "27/3/2025", "27 March 2025" and the like.
    read_text, read_choice, read_checkboxes, read_yes_no, read_number, read_date,
        read_confidence_level (question, text) -> the stored answer; raise CellProblem.
    match_rating(question, text) -> the ScaleLevel named, or None for "not applicable".

Each answer type's entry in `surveys.answer_types` picks its reader; the checks mirror the
form's validators, with the same GOV.UK-style messages, naming the question.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from surveys.definition import JSONValue, Question, ScaleLevel
from surveys.validators import clean_text, parse_number

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_NOT_APPLICABLE = {"n/a", "na", "not applicable"}


class CellProblem(ValueError):
    """One cell cannot be turned into an answer; the message is for the person."""


def fold(text: str) -> str:
    """Return text folded for comparison: no accents, case or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", " ", bare.casefold()).strip()


def quoted(text: str) -> str:
    """Return the text in single quotes, cut to 40 characters."""
    return f"'{text if len(text) <= 40 else text[:39] + '…'}'"


def read_text(question: Question, text: str, *, default_max: int) -> JSONValue:
    """Return cleaned text within the question's limits."""
    value = clean_text(text)
    if value is None:
        return None
    if re.search("[\x00\ud800-\udfff]", value):
        raise CellProblem(f"The answer to '{question.label}' contains a hidden character")
    rules = question.validation
    limit = rules.max_length or default_max
    if len(value) > limit:
        raise CellProblem(
            rules.error_too_long or f"'{question.label}' must be {limit:,} characters or fewer"
        )
    if rules.min_length is not None and len(value) < rules.min_length:
        default = f"'{question.label}' must be {rules.min_length:,} characters or more"
        raise CellProblem(rules.error_too_short or default)
    if rules.pattern and not re.fullmatch(rules.pattern, value):
        raise CellProblem(rules.pattern_error or f"Enter '{question.label}' in the correct format")
    return value


def _options(question: Question) -> dict[str, str]:
    """Return a lookup from folded value, label or emoji to the stored value."""
    lookup: dict[str, str] = {}
    for option in question.options:
        lookup[fold(option.label)] = option.value
        if option.emoji:
            lookup[option.emoji] = option.value
    for option in question.options:  # a value wins over another option's label
        lookup[fold(option.value)] = option.value
    lookup.pop("", None)
    return lookup


def _match(lookup: dict[str, str], text: str) -> str | None:
    return lookup.get(text.strip()) or lookup.get(fold(text))


def read_choice(question: Question, text: str) -> JSONValue:
    """Return the option value named by its value, label or emoji."""
    value = _match(_options(question), text)
    if value is None:
        raise CellProblem(f"{quoted(text)} is not an option for '{question.label}'")
    return value


def read_checkboxes(question: Question, text: str) -> JSONValue:
    """Return the options named, split on ";", new lines or ",", in the options' order."""
    lookup = _options(question)
    chosen = [value] if (value := _match(lookup, text)) else None
    separators = [mark for mark in (";", "\n", ",") if mark in text]
    for mark in separators:
        if chosen:
            break
        parts = [part for part in text.split(mark) if part.strip()]
        matched = [_match(lookup, part) for part in parts]
        if all(matched):
            chosen = [value for value in matched if value]
    if not chosen:
        parts = text.split(separators[0]) if separators else [text]
        bad = next(part.strip() for part in parts if part.strip() and not _match(lookup, part))
        raise CellProblem(f"{quoted(bad)} is not an option for '{question.label}'")
    order = [option.value for option in question.options]
    result: list[JSONValue] = [value for value in order if value in chosen]
    least = question.validation.min_selected or 0
    if len(result) < least:
        default = f"Select at least {least} options for '{question.label}'"
        raise CellProblem(question.validation.error_too_short or default)
    return result


def read_yes_no(question: Question, text: str) -> JSONValue:
    """Return "yes" or "no" from yes, y, true, 1 / no, n, false, 0."""
    folded = fold(text)
    if folded in _YES:
        return "yes"
    if folded in _NO:
        return "no"
    raise CellProblem(f"{quoted(text)} is not an option for '{question.label}'. Enter yes or no")


def match_rating(question: Question, text: str) -> ScaleLevel | None:
    """Return the scale level named by its value or label; None when it says "not applicable"."""
    scale = question.scale
    assert scale is not None  # guaranteed by the definition's validation
    folded = fold(text)
    if scale.allow_not_applicable and (
        text.strip().casefold() in _NOT_APPLICABLE
        or folded in {"not applicable", fold(scale.not_applicable_label)}
    ):
        return None
    for level in scale.levels:
        if folded in (fold(level.value), fold(level.label)):
            return level
    raise CellProblem(f"{quoted(text)} is not an option for '{question.label}'")


def read_number(question: Question, text: str) -> JSONValue:
    """Return the number within the question's limits."""
    rules, label = question.validation, question.label
    number = parse_number(text)
    if number is None:
        raise CellProblem(rules.error_invalid or f"Enter a number for '{label}'")
    if rules.whole_number and not isinstance(number, int):
        raise CellProblem(rules.error_invalid or f"Enter a whole number for '{label}'")
    if rules.min_value is not None and number < rules.min_value:
        raise CellProblem(rules.error_too_small or f"'{label}' must be {rules.min_value:g} or more")
    if rules.max_value is not None and number > rules.max_value:
        raise CellProblem(rules.error_too_large or f"'{label}' must be {rules.max_value:g} or less")
    return number


def parse_date(text: str) -> date | None:
    """Return the day a cell names, or None when it names none."""
    text = re.sub(r"[ T]00:00(:00(\.0+)?)?$", "", text.strip())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def read_date(question: Question, text: str) -> JSONValue:
    """Return the ISO date within the question's limits."""
    value, rules = parse_date(text), question.validation
    if value is None:
        raise CellProblem(
            f"{quoted(text)} is not a real date for '{question.label}'. Enter a date like 27/3/2025"
        )
    today = date.today()
    if rules.not_in_future and value > today:
        raise CellProblem(rules.error_invalid or f"'{question.label}' must be today or in the past")
    if rules.not_in_past and value < today:
        raise CellProblem(
            rules.error_invalid or f"'{question.label}' must be today or in the future"
        )
    return value.isoformat()


def read_confidence_level(question: Question, half: str, text: str) -> JSONValue:
    """Return the level of one half ("before" or "after") named by its number or label."""
    pair = question.confidence
    assert pair is not None  # guaranteed by the definition's validation
    folded, number = fold(text), parse_number(text)
    for level in pair.levels:
        if number == level.value or folded == fold(level.label):
            return level.value
    side = pair.before_label if half == "before" else pair.after_label
    raise CellProblem(f"{quoted(text)} is not an option for '{question.label}' ({side})")
