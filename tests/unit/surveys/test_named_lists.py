"""Named scales and option lists: declared once at the top, put in place by the loader."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from surveys.definition import ComplianceScale, Option, QuestionType
from surveys.errors import DefinitionError
from surveys.loader import load_definition, validate_definition
from surveys.named_lists import resolve_named_lists

SCALE = {
    "version": 2,
    "levels": [
        {"value": "met", "label": "Met", "descriptor": "In place and evidenced."},
        {"value": "not_met", "label": "Not met"},
    ],
    "allow_not_applicable": False,
}
AGREE = [
    {"value": "agree", "label": "Agree"},
    {"value": "disagree", "label": "Disagree"},
]


def _rating(question_id: str) -> dict[str, Any]:
    return {"id": question_id, "type": "compliance_rating", "label": "R", "scale": "compliance"}


def _document() -> dict[str, Any]:
    """Return a definition that names a scale twice and an option list three times."""
    return {
        "key": "named",
        "title": "Named",
        "version": 1,
        "audience": "organisation",
        "stream": "section_11",
        "description": "Uses named lists.",
        "scales": {"compliance": SCALE},
        "choices": {"agree_2": AGREE},
        "pages": [
            {
                "id": "first",
                "title": "First",
                "questions": [
                    _rating("rating_1"),
                    _rating("rating_2"),
                    {"id": "view", "type": "radios", "label": "View", "options": "agree_2"},
                    {
                        "id": "rows",
                        "type": "repeating_group",
                        "label": "Rows",
                        "fields": [
                            {"id": "row_view", "type": "select", "label": "V", "options": "agree_2"}
                        ],
                    },
                ],
            }
        ],
    }


def _problems(document: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(document, source="named.yaml")
    return str(caught.value)


def test_named_scale_and_options_become_the_same_models_as_inline_ones() -> None:
    named = validate_definition(_document())
    inline = _document()
    questions = inline["pages"][0]["questions"]
    questions[0]["scale"] = questions[1]["scale"] = SCALE
    questions[2]["options"] = questions[3]["fields"][0]["options"] = AGREE
    assert named.pages == validate_definition(inline).pages
    rating = named.question("rating_2")
    assert isinstance(rating.scale, ComplianceScale) and rating.scale.version == 2
    assert rating.scale == named.scales["compliance"]
    assert named.question("view").options == named.choices["agree_2"]
    assert all(isinstance(option, Option) for option in named.question("view").options)
    assert named.question("rows").fields[0].options == named.choices["agree_2"]
    assert named.question("view").type is QuestionType.RADIOS


def test_resolving_leaves_the_document_as_it_was() -> None:
    document = _document()
    before = copy.deepcopy(document)
    resolved, problems = resolve_named_lists(document)
    assert problems == [] and document == before
    assert resolved["pages"][0]["questions"][0]["scale"] == SCALE


def test_an_unknown_name_names_the_path_and_the_known_names() -> None:
    document = _document()
    document["pages"][0]["questions"][1]["scale"] = "complience"
    document["pages"][0]["questions"][3]["fields"][0]["options"] = "agree_5"
    text = _problems(document)
    assert "named.yaml: invalid survey definition (2 problem(s))" in text
    assert (
        "pages[0].questions[1].scale: 'complience' is not a scale declared under scales "
        "(one of: compliance)"
    ) in text
    assert (
        "pages[0].questions[3].fields[0].options: 'agree_5' is not an option list declared "
        "under choices (one of: agree_2)"
    ) in text


def test_a_name_with_nothing_declared_says_so() -> None:
    document = _document()
    del document["choices"]
    assert (
        "pages[0].questions[2].options: 'agree_2' names an option list, but the file declares "
        "no choices"
    ) in _problems(document)


def test_a_named_list_still_gets_the_checks_of_its_question() -> None:
    document = _document()
    document["choices"]["agree_2"] = AGREE[:1]
    assert "pages[0].questions[2].options: radios questions need at least 2 options" in (
        _problems(document)
    )
    document = _document()
    document["pages"][0]["questions"][2]["scale"] = "compliance"
    assert "pages[0].questions[2].scale: only compliance_rating questions take a scale" in (
        _problems(document)
    )


def test_a_file_with_an_unknown_name_is_reported_with_its_name(tmp_path: Path) -> None:
    document = _document()
    document["pages"][0]["questions"][0]["scale"] = "rag"
    path = tmp_path / "named.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    message = str(caught.value)
    assert str(path) in message
    assert "pages[0].questions[0].scale: 'rag' is not a scale declared under scales" in message
