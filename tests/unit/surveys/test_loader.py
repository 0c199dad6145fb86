"""Unit tests for loading definition files and the registry of versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.errors import DefinitionError, UnknownDefinition
from surveys.loader import load_definition, load_definitions, parse_definition

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = FIXTURES / "invalid"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "too-few-options.yaml",
            "pages[1].questions[0].options: radios questions need at least 2 options",
        ),
        ("unknown-field.yaml", "pages[0].questions[0].requried: not a recognised field"),
        ("later-show-if.yaml", "pages[0].questions[0].show_if.question: 'has_lead' is not the id"),
        ("child-email.yaml", "pages[0].questions[0]: asks for personal data"),
        ("missing-error-message.yaml", "pages[0].questions[0].error_required: a required question"),
        ("not-yaml.yaml", "not valid YAML at line 3, column 8"),
        ("top-level-list.yaml", "expected a mapping"),
    ],
)
def test_invalid_file_names_file_and_path(name: str, expected: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(INVALID / name)
    message = str(caught.value)
    assert name in message
    assert expected in message


def test_missing_fields_are_named() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition("key: x\ntitle: X\n", source="inline.yaml")
    assert "inline.yaml" in str(caught.value)
    assert "version: this field is required but missing" in str(caught.value)
    assert "version: this field is required but missing" in caught.value.problems


def test_wrong_enum_value_shows_what_was_found() -> None:
    text = (FIXTURES / "minimal.yaml").read_text().replace("stream: consultation", "stream: gossip")
    with pytest.raises(DefinitionError, match=r"stream: .*\(found 'gossip'\)"):
        parse_definition(text)


def test_unreadable_files_raise_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read"):
        load_definition(tmp_path / "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"key: \xff\xfe")
    with pytest.raises(DefinitionError, match="not UTF-8"):
        load_definition(binary)


def _write_version(folder: Path, file_name: str, version: int, title: str = "Minimal") -> None:
    text = (FIXTURES / "minimal.yaml").read_text()
    text = text.replace("version: 1", f"version: {version}").replace(
        "title: Minimal", f"title: {title}"
    )
    (folder / file_name).write_text(text)


def test_registry_keeps_every_version(tmp_path: Path) -> None:
    _write_version(tmp_path, "minimal.v1.yaml", 1, "First")
    _write_version(tmp_path, "minimal.v2.yaml", 2, "Second")
    registry = load_definitions(tmp_path)
    assert registry.versions("minimal") == [1, 2]
    assert registry.get("minimal").title == "Second"
    assert registry.get("minimal", 1).title == "First"
    assert registry.latest("minimal").version == 2
    assert registry.keys() == ["minimal"] and "minimal" in registry and len(registry) == 2
    assert registry.source_of("minimal", 1).name == "minimal.v1.yaml"
    with pytest.raises(UnknownDefinition):
        registry.get("minimal", 3)
    with pytest.raises(UnknownDefinition):
        registry.get("absent")


def test_duplicate_versions_name_both_files(tmp_path: Path) -> None:
    _write_version(tmp_path, "minimal.yaml", 1)
    _write_version(tmp_path, "minimal.v1.yaml", 1)
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path)
    assert "minimal.v1.yaml" in str(caught.value) and "minimal.yaml" in str(caught.value)


def test_file_name_must_match_key_and_version(tmp_path: Path) -> None:
    _write_version(tmp_path, "other.yaml", 1)
    _write_version(tmp_path, "minimal.v3.yaml", 2)
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path)
    problems = caught.value.problems
    assert len(problems) == 2  # every bad file is reported, not just the first
    assert any("named for 'other'" in problem for problem in problems)
    assert any("file name says v3 but version is 2" in problem for problem in problems)


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="no such folder"):
        load_definitions(tmp_path / "absent")


FOLLOW_UP = """
follow_up: {form: FORM, after_weeks: 6, email_question: reply_email}
pages:
  - id: only
    title: Only page
    questions:
      - id: comment
        type: long_text
        label: Any comments?
        analysis: {polarity: neutral}
      - id: reply_email
        type: short_text
        label: Email address
        personal_data: true
        purpose: To send one follow-up link.
        validation: {format: email}
"""


def _write_with_follow_up(folder: Path, form: str) -> None:
    text = (FIXTURES / "minimal.yaml").read_text()
    head = text[: text.index("pages:")]
    (folder / "asker.yaml").write_text(
        head.replace("key: minimal", "key: asker") + FOLLOW_UP.replace("FORM", form)
    )


def test_a_follow_up_names_a_form_in_the_folder(tmp_path: Path) -> None:
    _write_with_follow_up(tmp_path, "minimal")
    _write_version(tmp_path, "minimal.yaml", 1)
    registry = load_definitions(tmp_path)
    follow_up = registry.get("asker").follow_up
    assert follow_up is not None and follow_up.form == "minimal"


def test_a_follow_up_naming_no_loaded_form_is_reported(tmp_path: Path) -> None:
    _write_with_follow_up(tmp_path, "minimall")
    _write_version(tmp_path, "minimal.yaml", 1)
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path)
    (problem,) = caught.value.problems
    assert problem == (
        f"{tmp_path / 'asker.yaml'}: follow_up.form: no survey definition 'minimall' "
        "(one of: asker, minimal)"
    )


def test_a_follow_up_form_is_answered_from_a_link(tmp_path: Path) -> None:
    _write_with_follow_up(tmp_path, "minimal")
    text = (FIXTURES / "minimal.yaml").read_text()
    text = text.replace("audience: anonymous_link", "audience: organisation")
    (tmp_path / "minimal.yaml").write_text(text)
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path)
    assert "asker.yaml: follow_up.form: 'minimal' is not answered from a link" in str(caught.value)
