"""A compliance rating's stored answer: written in one place, read in one place.

Public API:
    NOT_APPLICABLE: the choice (and stored answer) when a standard does not apply.
    rating_answer(question, choice) -> {"value", "scale_version"}, NOT_APPLICABLE or None.
    rating_choice(answer) -> the level value or NOT_APPLICABLE a stored rating holds.
    rating_label(question, choice) -> the words shown for a choice.
    rating_level(question, answer) -> 0 for the best level, 1 for the next...; None if
        unrated or not applicable.
    is_low_rating(question, answer) -> below the best level? None if unrated or N/A.
    rating_question(questions) -> the compliance rating among a page's questions, if any.

The scale version is stored with each rating so that old ratings keep their meaning when a
scale changes. Only compliance_rating questions have a scale (see surveys.consistency).
"""

from __future__ import annotations

from collections.abc import Iterable

from surveys.definition import JSONValue, Question

NOT_APPLICABLE = "not_applicable"


def rating_answer(question: Question, choice: str | None) -> JSONValue:
    """Return the stored answer for a chosen level value, NOT_APPLICABLE or None."""
    if not choice:
        return None
    if choice == NOT_APPLICABLE:
        return NOT_APPLICABLE
    assert question.scale is not None  # guaranteed by the definition's validation
    return {"value": choice, "scale_version": question.scale.version}


def rating_choice(answer: JSONValue) -> str | None:
    """Return the level value (or NOT_APPLICABLE) a stored rating holds; None if none."""
    if isinstance(answer, dict):
        value = answer.get("value")
        return value if isinstance(value, str) else None
    return answer if isinstance(answer, str) else None


def rating_label(question: Question, choice: str) -> str | None:
    """Return the words shown for a level value or NOT_APPLICABLE; None if unknown."""
    scale = question.scale
    assert scale is not None  # guaranteed by the definition's validation
    if choice == NOT_APPLICABLE:
        return scale.not_applicable_label
    return {level.value: level.label for level in scale.levels}.get(choice)


def rating_level(question: Question, answer: JSONValue) -> int | None:
    """Return the rated level's place on the scale (0 is the best); None if unrated or N/A."""
    choice = rating_choice(answer)
    if question.scale is None or choice is None or choice == NOT_APPLICABLE:
        return None
    levels = [level.value for level in question.scale.levels]
    return levels.index(choice) if choice in levels else None


def is_low_rating(question: Question, answer: JSONValue) -> bool | None:
    """Return whether the rating is below the scale's best level; None if unrated or N/A."""
    if question.scale is None or rating_choice(answer) in (None, NOT_APPLICABLE):
        return None
    level = rating_level(question, answer)
    return level is not None and level > 0


def rating_question(questions: Iterable[Question]) -> Question | None:
    """Return the first compliance rating among the questions (a standard's page has one)."""
    return next((question for question in questions if question.scale is not None), None)
