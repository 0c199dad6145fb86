"""Unit tests for the survey definition models and the loader's document-wide checks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from surveys.definition import QuestionType, ShowIf, SurveyDefinition
from surveys.errors import DefinitionError
from surveys.loader import validate_definition


def _document(**changes: Any) -> dict[str, Any]:
    """Return a small valid definition document with top-level changes applied."""
    document: dict[str, Any] = {
        "key": "demo",
        "title": "Demo",
        "version": 1,
        "audience": "organisation",
        "stream": "section_11",
        "description": "A demo definition.",
        "pages": [
            {
                "id": "first",
                "title": "First",
                "questions": [
                    {"id": "has_lead", "type": "yes_no", "label": "Do you have a lead?"},
                    {
                        "id": "sector",
                        "type": "radios",
                        "label": "Sector",
                        "options": [
                            {"value": "police", "label": "Police"},
                            {"value": "health", "label": "Health"},
                        ],
                    },
                ],
            }
        ],
    }
    document.update(changes)
    return document


def _with_question(question: dict[str, Any], **changes: Any) -> dict[str, Any]:
    document = _document(**changes)
    document["pages"].append({"id": "second", "title": "Second", "questions": [question]})
    return document


def _error_text(document: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(document)
    return str(caught.value)


def test_valid_document_builds_frozen_models() -> None:
    definition = SurveyDefinition.model_validate(_document())
    assert definition.question("sector").type is QuestionType.RADIOS
    assert definition.page_of("sector").id == "first"
    with pytest.raises(ValidationError):
        definition.title = "Changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("audience", "stream", "expected"),
    [
        ("child", "child_voice", True),
        ("family", "family_voice", True),
        ("organisation", "section_11", False),
    ],
)
def test_help_notice_defaults_by_audience(audience: str, stream: str, expected: bool) -> None:
    definition = SurveyDefinition.model_validate(_document(audience=audience, stream=stream))
    assert definition.help_notice is expected


def test_child_form_cannot_turn_off_help_notice() -> None:
    text = _error_text(_document(audience="child", stream="child_voice", help_notice=False))
    assert "child and family forms must show the help notice" in text


def test_yaml_booleans_become_yes_no_tokens() -> None:
    document = _document()
    document["pages"][0]["questions"].append(
        {
            "id": "role",
            "type": "short_text",
            "label": "Role",
            "show_if": {"question": "has_lead", "equals": True},
        }
    )
    definition = SurveyDefinition.model_validate(document)
    condition = definition.question("role").show_if
    assert condition is not None and condition.equals == "yes"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"id": "q", "type": "short_text", "label": "Q", "required": True}, "error_required"),
        (
            {"id": "q", "type": "radios", "label": "Q", "options": [{"value": "a", "label": "A"}]},
            "at least 2 options",
        ),
        (
            {
                "id": "q",
                "type": "emoji_scale",
                "label": "Q",
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
            },
            "need an emoji",
        ),
        ({"id": "q", "type": "compliance_rating", "label": "Q"}, "need a scale"),
        ({"id": "q", "type": "confidence_pair", "label": "Q"}, "need a confidence"),
        (
            {
                "id": "q",
                "type": "short_text",
                "label": "Q",
                "options": [{"value": "a", "label": "A"}],
            },
            "do not take options",
        ),
        ({"id": "q", "type": "long_text", "label": "Q"}, "need analysis metadata"),
        (
            {"id": "q", "type": "short_text", "label": "Q", "validation": {"max_value": 3}},
            "max_value does not apply",
        ),
        (
            {
                "id": "q",
                "type": "short_text",
                "label": "Q",
                "validation": {"pattern": "(", "pattern_error": "x"},
            },
            "regular expression",
        ),
        (
            {"id": "q", "type": "short_text", "label": "Q", "validation": {"pattern": "a+"}},
            "give the message shown when the pattern fails",
        ),
        ({"id": "q", "type": "repeating_group", "label": "Q"}, "at least one field"),
        (
            {
                "id": "q",
                "type": "repeating_group",
                "label": "Q",
                "fields": [{"id": "f", "type": "file", "label": "F"}],
            },
            "a group field must be one of",
        ),
        ({"id": "q", "type": "short_text", "label": "Q", "personal_data": True}, "purpose"),
        ({"id": "data", "type": "short_text", "label": "Q"}, "reserved"),
        (
            {"id": "sector", "type": "short_text", "label": "Q"},
            "already used at pages[0].questions[1]",
        ),
    ],
)
def test_question_problems_are_reported(question: dict[str, Any], message: str) -> None:
    assert message in _error_text(_with_question(question))


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"question": "later", "equals": "yes"}, "is not the id of an earlier question"),
        ({"question": "sector", "equals": "education"}, "'education' is not an answer of 'sector'"),
        ({"question": "sector", "any_of": ["police"]}, "any_of applies to checkboxes"),
        (
            {"question": "sector", "equals": "police", "in": ["health"]},
            "exactly one of equals, in or any_of",
        ),
    ],
)
def test_show_if_problems_are_reported(condition: dict[str, Any], message: str) -> None:
    question = {"id": "q", "type": "short_text", "label": "Q", "show_if": condition}
    document = _with_question(question)
    document["pages"][1]["questions"].append({"id": "later", "type": "yes_no", "label": "Later"})
    assert message in _error_text(document)


def test_show_if_on_free_text_is_rejected() -> None:
    document = _with_question({"id": "role", "type": "short_text", "label": "Role"})
    document["pages"][1]["questions"].append(
        {
            "id": "q",
            "type": "short_text",
            "label": "Q",
            "show_if": {"question": "role", "equals": "x"},
        }
    )
    assert "cannot depend on a short_text question" in _error_text(document)


def test_page_show_if_must_name_an_earlier_page() -> None:
    document = _with_question({"id": "q", "type": "yes_no", "label": "Q"})
    document["pages"][1]["show_if"] = {"question": "q", "equals": "yes"}
    assert "not the id of an earlier page" in _error_text(document)


def test_duplicate_page_ids_are_reported() -> None:
    document = _document()
    document["pages"].append(copy.deepcopy(document["pages"][0]))
    document["pages"][1]["questions"] = [{"id": "other", "type": "yes_no", "label": "Other"}]
    assert "page id 'first' is already used by pages[0]" in _error_text(document)


def test_ids_kept_for_a_partnerships_local_questions_are_refused() -> None:
    local = _with_question({"id": "local_mash", "type": "yes_no", "label": "Q"})
    assert "kept for a partnership's local questions" in _error_text(local)
    page = _document()
    page["pages"][0]["id"] = "local_questions_7"
    assert "kept for local questions" in _error_text(page)


def test_child_form_rejects_unmarked_contact_question() -> None:
    question = {"id": "contact", "type": "short_text", "label": "What is your email address?"}
    text = _error_text(_with_question(question, audience="child", stream="child_voice"))
    assert "asks for personal data" in text


def test_child_form_accepts_marked_contact_question() -> None:
    question = {
        "id": "contact_email",
        "type": "short_text",
        "label": "Your email address",
        "personal_data": True,
        "purpose": "So a worker can reply to you.",
    }
    definition = SurveyDefinition.model_validate(
        _with_question(question, audience="child", stream="child_voice")
    )
    assert definition.question("contact_email").personal_data


def test_child_free_text_must_be_screened() -> None:
    question = {
        "id": "worries",
        "type": "long_text",
        "label": "Worries",
        "analysis": {"polarity": "neutral"},
    }
    text = _error_text(_with_question(question, audience="child", stream="child_voice"))
    assert "screen_for_disclosure" in text


def test_age_band_only_for_children() -> None:
    assert "age_band applies to child audiences only" in _error_text(_document(age_band="under_11"))


def test_show_if_conditions_read_stored_answers() -> None:
    assert ShowIf(question="q", equals="yes").is_met("yes")
    assert not ShowIf(question="q", equals="yes").is_met(None)
    assert ShowIf.model_validate({"question": "q", "in": ["met", "not_met"]}).is_met(
        {"value": "met", "scale_version": 1}
    )
    assert ShowIf(question="q", any_of=("a", "b")).is_met(["c", "b"])
    assert not ShowIf(question="q", any_of=("a",)).is_met("a")


def _with_standard(ref: str = "S11-1") -> dict[str, Any]:
    document = _document()
    document["pages"][0]["standard"] = {"ref": ref, "title": "Leadership", "source": "WT 2023"}
    return document


def _with_evidence(document: dict[str, Any], standard: str) -> dict[str, Any]:
    evidence = {
        "id": "evidence",
        "type": "long_text",
        "label": "Evidence",
        "analysis": {"standard": standard, "polarity": "strengths"},
    }
    document["pages"][0]["questions"].append(evidence)
    return document


def test_analysis_standard_names_one_of_the_forms_standards() -> None:
    definition = validate_definition(_with_evidence(_with_standard(), "S11-1"))
    analysis = definition.question("evidence").analysis
    assert analysis is not None and analysis.standard == "S11-1"


def test_a_mistyped_analysis_standard_is_reported_with_its_path() -> None:
    text = _error_text(_with_evidence(_with_standard(), "S11-l"))
    assert (
        "pages[0].questions[2].analysis.standard: 'S11-l' is not one of this form's standards "
        "(S11-1)"
    ) in text


def test_analysis_standard_on_a_form_without_standards_is_reported() -> None:
    text = _error_text(_with_evidence(_document(), "S11-1"))
    assert "pages[0].questions[2].analysis.standard: 'S11-1' is not a standard" in text


def test_a_standard_ref_is_used_by_one_page_only() -> None:
    document = _with_standard()
    document["pages"].append(copy.deepcopy(document["pages"][0]))
    document["pages"][1]["id"] = "second"
    document["pages"][1]["questions"] = [{"id": "other", "type": "yes_no", "label": "Other"}]
    assert "pages[1].standard.ref: standard ref 'S11-1' is already used by pages[0]" in (
        _error_text(document)
    )


def _with_follow_up(**follow_up: Any) -> dict[str, Any]:
    email = {
        "id": "follow_up_email",
        "type": "short_text",
        "label": "Email address",
        "personal_data": True,
        "purpose": "To send one follow-up link.",
        "autocomplete": "email",
        "validation": {"format": "email"},
    }
    declared = {"form": "later", "after_weeks": 6, "email_question": "follow_up_email"}
    return _with_question(
        email,
        audience="anonymous_link",
        stream="training",
        follow_up={**declared, **follow_up},
    )


def test_a_declared_follow_up_is_read_from_the_definition() -> None:
    definition = validate_definition(_with_follow_up())
    assert definition.follow_up is not None
    assert definition.follow_up.form == "later"
    assert definition.follow_up.email_question == "follow_up_email"
    assert definition.follow_up.after.days == 42


@pytest.mark.parametrize(
    ("follow_up", "message"),
    [
        (
            {"email_question": "email"},
            "follow_up.email_question: 'email' is not the id of a question in this form",
        ),
        (
            {"email_question": "sector"},
            "follow_up.email_question: 'sector' must be a short_text question with validation "
            "format: email and personal_data: true",
        ),
        ({"form": "demo"}, "follow_up.form: a form cannot be its own follow-up"),
        ({"after_weeks": 0}, "follow_up.after_weeks: Input should be greater than or equal to 1"),
    ],
)
def test_follow_up_problems_are_reported(follow_up: dict[str, Any], message: str) -> None:
    assert message in _error_text(_with_follow_up(**follow_up))


def test_consistency_problems_of_several_questions_are_all_reported() -> None:
    document = _with_question({"id": "q", "type": "long_text", "label": "Q"})
    document["pages"][1]["questions"].append({"id": "r", "type": "compliance_rating", "label": "R"})
    text = _error_text(document)
    assert "(2 problem(s))" in text
    assert "pages[1].questions[0].analysis: long_text questions need analysis metadata" in text
    assert "pages[1].questions[1].scale: compliance_rating questions need a scale" in text
