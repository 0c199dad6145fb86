"""Every built-in definition loads, follows the house rules, and matches the JSON Schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys import engine
from surveys.definition import QuestionType, SurveyDefinition
from surveys.loader import DEFINITIONS_DIR, load_definition, load_definitions
from surveys.schema import SCHEMA_PATH, main, render_schema

DEFINITION_FILES = sorted(DEFINITIONS_DIR.glob("*.yaml"))
EXPECTED_KEYS = {
    "section-11",
    "section-175",
    "training-evaluation",
    "training-follow-up",
    "practitioner-consultation",
    "child-voice-under-11",
    "child-voice-11-plus",
    "family-voice",
    "case-audit",
    "rapid-review-information",
    "case-audit-tool",
    "practice-concern",
    "case-audit-finding",
    "national-review-finding",
}


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_definitions()


@pytest.mark.parametrize("path", DEFINITION_FILES, ids=lambda path: path.name)
def test_definition_file_is_valid(path: Path) -> None:
    definition = load_definition(path)
    assert path.name.startswith(definition.key)
    for page in definition.pages:
        form = engine.build_page_form(page, None, answers={})
        in_form = {question.id for question in form.questions}
        assert {q.id for q in page.questions if q.show_if is None} <= in_form
        assert not form.validate() or not any(q.required for q in form.active_questions())


@pytest.mark.parametrize("path", DEFINITION_FILES, ids=lambda path: path.name)
def test_free_text_carries_analysis_metadata(path: Path) -> None:
    definition = load_definition(path)
    for page in definition.pages:
        for question in page.questions:
            if question.type is QuestionType.LONG_TEXT:
                assert question.analysis is not None, question.id


def test_every_expected_form_is_built_in(registry) -> None:  # type: ignore[no-untyped-def]
    assert set(registry.keys()) == EXPECTED_KEYS


def test_section_11_has_the_fourteen_standards(registry) -> None:  # type: ignore[no-untyped-def]
    definition: SurveyDefinition = registry.get("section-11")
    standards = [page.standard for page in definition.pages if page.standard is not None]
    assert [standard.ref for standard in standards] == [f"S11-{n}" for n in range(1, 15)]
    assert all("Working Together 2023" in standard.source for standard in standards)
    for number in range(1, 15):
        page = definition.page(f"standard_{number}")
        types = [question.type for question in page.questions]
        assert types[0] is QuestionType.COMPLIANCE_RATING
        assert QuestionType.REPEATING_GROUP in types and QuestionType.FILE in types
        polarities = {q.analysis.polarity for q in page.questions if q.analysis is not None}
        assert "areas_for_development" in polarities
    assert definition.pages[-1].id == "sign_off"


def test_section_175_cites_kcsie_and_needs_two_signatures(registry) -> None:  # type: ignore[no-untyped-def]
    definition: SurveyDefinition = registry.get("section-175")
    sources = [page.standard.source for page in definition.pages if page.standard is not None]
    assert sources and all(source.startswith("KCSIE 2024") for source in sources)
    sign_off = {question.id for question in definition.page("sign_off").questions}
    assert {"headteacher_confirmed", "governor_confirmed"} <= sign_off


def test_child_and_family_forms_show_help_and_screen_free_text(registry) -> None:  # type: ignore[no-untyped-def]
    for key in ("child-voice-under-11", "child-voice-11-plus", "family-voice"):
        definition = registry.get(key)
        assert definition.help_notice
        for question in engine.visible_questions(definition, {}):
            if question.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
                assert question.analysis is not None and question.analysis.screen_for_disclosure


def test_child_age_bands_share_question_keys(registry) -> None:  # type: ignore[no-untyped-def]
    young = {q.id for page in registry.get("child-voice-under-11").pages for q in page.questions}
    older = {q.id for page in registry.get("child-voice-11-plus").pages for q in page.questions}
    assert {
        "feel_safe_home",
        "feel_safe_school",
        "listened_to",
        "worker_helped",
        "anything_else",
    } <= young & older
    emoji = [
        q
        for page in registry.get("child-voice-under-11").pages
        for q in page.questions
        if q.type is QuestionType.EMOJI_SCALE
    ]
    assert emoji and all(  # three faces, then "I don't want to say"
        len(q.options) == 4
        and q.options[-1].value == "dont_want_to_say"
        and all(o.emoji and o.label for o in q.options)
        for q in emoji
    )


def test_training_email_is_declared_personal_data(registry) -> None:  # type: ignore[no-untyped-def]
    email = registry.get("training-evaluation").question("follow_up_email")
    assert email.personal_data and email.purpose
    assert email.show_if is not None and email.show_if.question == "follow_up_consent"


def test_committed_schema_matches_the_models(tmp_path: Path) -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        "regenerate with: python -m surveys.schema --out surveys/definitions/schema.json"
    )
    out = tmp_path / "schema.json"
    assert main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_schema()
