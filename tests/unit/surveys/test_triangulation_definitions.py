"""Which practitioner question speaks to which standard is data, checked when forms load:
the standard must be one of the named form's, the not-met answers the question's own, and a
form that triangulates must ask which organisation (from the partnership's list)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from surveys.errors import DefinitionError
from surveys.loader import DEFINITIONS_DIR, load_definitions, validate_definition
from surveys.organisation_choices import with_organisations

CONSULTATION = DEFINITIONS_DIR / "practitioner-consultation.v2.yaml"


def _document() -> dict[str, Any]:
    return yaml.safe_load(CONSULTATION.read_text())


def _escalation(document: dict[str, Any]) -> dict[str, Any]:
    page = next(p for p in document["pages"] if p["id"] == "your_organisation")
    return page["questions"][0]


def _problems(document: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(document, source="consultation.yaml")
    return str(caught.value)


def test_a_not_met_answer_must_be_an_answer_to_the_question() -> None:
    document = _document()
    _escalation(document)["triangulation"]["not_met_answers"] = ["never"]
    assert "triangulation.not_met_answers[0]: 'never' is not an answer to this question" in (
        _problems(document)
    )


def test_a_form_that_triangulates_names_whose_standards_and_asks_the_organisation() -> None:
    document = _document()
    del document["triangulates"]
    assert "name the form whose standards triangulation names" in _problems(document)
    document = _document()
    role_page = document["pages"][0]
    role_page["questions"] = [q for q in role_page["questions"] if q["id"] != "organisation"]
    assert "needs one question with options_from: organisations" in _problems(document)


def test_the_standard_must_be_one_of_the_named_forms(tmp_path: Path) -> None:
    for name in ("section-11.yaml", "practitioner-consultation.yaml"):
        shutil.copy(DEFINITIONS_DIR / name, tmp_path / name)
    document = _document()
    _escalation(document)["triangulation"]["standard"] = "S11-99"
    (tmp_path / CONSULTATION.name).write_text(yaml.safe_dump(document))
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path)
    assert "triangulation.standard: 'S11-99' is not one of section-11's standards" in str(
        caught.value
    )


def test_the_organisation_question_offers_the_partnerships_organisations_then_other() -> None:
    form = with_organisations(validate_definition(_document()), [(3, "Shire Police")])
    question = form.question("organisation")
    assert [(o.value, o.label) for o in question.options] == [
        ("3", "Shire Police"),
        ("other", "Another organisation"),
    ]
    assert not question.required  # optional: a practitioner need not say
