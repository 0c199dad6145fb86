"""Every question type has its answer-type entry, a template macro, a fixture and a round trip.

A new question type means: a builder (surveys/fields.py), an entry in
surveys/answer_types.py, a macro in QUESTION_MACROS of webapp/templates/forms/questions.html,
a question in fixtures/all-types.yaml and an example in EXAMPLES below. These tests fail,
naming the type, until all of them exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes
from werkzeug.datastructures import MultiDict
from wtforms import Form

from surveys.answer_types import ANSWER_TYPES, answer_type, display_values
from surveys.cells import CellProblem
from surveys.definition import JSONValue, Question, QuestionType, SurveyDefinition
from surveys.loader import load_definition
from surveys.ratings import NOT_APPLICABLE, is_low_rating, rating_answer, rating_level
from surveys.schema import SCHEMA_PATH

ROOT = Path(__file__).resolve().parents[3]
ALL_TYPES = Path(__file__).parent / "fixtures" / "all-types.yaml"
MACROS = ROOT / "webapp" / "templates" / "forms" / "questions.html"
SCHEMA_TYPES = set(json.loads(SCHEMA_PATH.read_text())["$defs"]["QuestionType"]["enum"])
TYPES = sorted(set(QuestionType) | SCHEMA_TYPES)
# Types whose answers cannot come from a spreadsheet cell: the bytes, or rows of fields.
NOT_IMPORTABLE = {"file", "repeating_group"}

# type -> (question id in all-types.yaml, a stored answer, how it reads back)
EXAMPLES: dict[str, tuple[str, JSONValue, tuple[str, ...]]] = {
    "short_text": ("agency_name", "Riverside Family Hub", ("Riverside Family Hub",)),
    "long_text": ("evidence", "Line one\nLine two", ("Line one\nLine two",)),
    "radios": ("sector", "health", ("Health",)),
    "checkboxes": ("topics", ["neglect", "online"], ("Neglect", "Online safety")),
    "select": ("locality", "south", ("South",)),
    "scale": ("relevance", "3", ("Very relevant",)),
    "emoji_scale": ("feeling", "okay", ("Okay",)),
    "compliance_rating": (
        "rating",
        {"value": "partially_met", "scale_version": 2},
        ("Partially met",),
    ),
    "number": ("staff_trained", 1250, ("1,250",)),
    "date": ("review_date", "2024-03-05", ("5 March 2024",)),
    "yes_no": ("has_lead", "yes", ("Yes",)),
    "file": (
        "policy_file",
        [
            {"filename": "policy.pdf", "content_type": "application/pdf", "size": 2048},
            {"filename": "minutes.docx", "content_type": "application/msword", "size": 1024},
        ],
        ("policy.pdf (2.0 KB)", "minutes.docx (1.0 KB)"),
    ),
    "repeating_group": (
        "actions",
        [{"action": "Train staff", "due": "2025-06-30", "status": "done"}],
        ("Train staff; 30 June 2025; Done",),
    ),
    "confidence_pair": (
        "confidence",
        {"before": 1, "after": 3},
        ("Before the course: Not confident", "After the course: Very confident"),
    ),
}


@pytest.fixture(scope="module")
def definition() -> SurveyDefinition:
    return load_definition(ALL_TYPES)


def example(definition: SurveyDefinition, kind: str) -> tuple[Question, JSONValue]:
    question_id, answer, _ = EXAMPLES[kind]
    question = definition.question(question_id)
    assert question.type == kind, f"{question_id} in all-types.yaml is not a {kind} question"
    return question, answer


def template_macros() -> tuple[set[str], dict[str, str]]:
    """Return the macros questions.html defines and its QUESTION_MACROS {type: macro name}."""
    tree = jinja2.Environment(autoescape=True).parse(MACROS.read_text())
    defined = {macro.name for macro in tree.find_all(nodes.Macro)}
    table = next(
        node.node
        for node in tree.find_all(nodes.Assign)
        if isinstance(node.target, nodes.Name) and node.target.name == "QUESTION_MACROS"
    )
    assert isinstance(table, nodes.Dict)
    return defined, {pair.key.value: pair.value.name for pair in table.items}  # type: ignore[attr-defined]


def test_the_schema_and_the_enum_name_the_same_types() -> None:
    assert {kind.value for kind in QuestionType} == SCHEMA_TYPES


@pytest.mark.parametrize("kind", TYPES)
def test_every_type_has_an_entry_a_macro_and_an_example(kind: str) -> None:
    assert kind in ANSWER_TYPES, f"add an entry for {kind} to surveys/answer_types.py"
    defined, table = template_macros()
    assert kind in table, f"add {kind} to QUESTION_MACROS in forms/questions.html"
    assert table[kind] in defined, f"QUESTION_MACROS names a macro that is not defined: {kind}"
    assert kind in EXAMPLES, f"add an example {kind} answer to EXAMPLES"


def test_the_fixture_has_a_question_of_every_type(definition: SurveyDefinition) -> None:
    used = {question.type.value for page in definition.pages for question in page.questions}
    assert used == set(TYPES)


def bound_field(question: Question, *, formdata: MultiDict | None = None, data: object = None):
    form_class = type(
        "OneQuestion", (Form,), {question.id: answer_type(question).build_field(question)}
    )
    form = form_class(formdata=formdata, data={question.id: data})
    return form, form[question.id]


@pytest.mark.parametrize("kind", TYPES)
def test_a_refilled_field_gives_back_the_stored_answer(
    definition: SurveyDefinition, kind: str
) -> None:
    question, answer = example(definition, kind)
    entry = answer_type(question)
    _, field = bound_field(question, data=entry.form_value(question, answer))
    assert entry.from_field(question, field) == answer


@pytest.mark.parametrize("kind", sorted(set(TYPES) - {"file"}))  # a browser posts the bytes
def test_what_a_browser_posts_gives_the_stored_answer(
    definition: SurveyDefinition, kind: str
) -> None:
    question, answer = example(definition, kind)
    entry = answer_type(question)
    posted = entry.posted(question, answer, question.id)
    form, field = bound_field(question, formdata=MultiDict(posted))
    assert form.validate(), form.errors
    assert entry.from_field(question, field) == answer


@pytest.mark.parametrize("kind", TYPES)
def test_an_answer_reads_back_and_exports_one_cell_per_column(
    definition: SurveyDefinition, kind: str
) -> None:
    question, answer = example(definition, kind)
    entry = answer_type(question)
    assert display_values(question, answer, definition.labels) == EXAMPLES[kind][2]
    cells = entry.wide_cells(question, answer, definition.labels)
    assert len(cells) == len(entry.columns(question))
    assert all(cell is not None for cell in cells)
    assert entry.long_parts(question, answer, definition.labels)
    assert entry.wide_cells(question, None, definition.labels) == [None] * len(cells)


@pytest.mark.parametrize("kind", TYPES)
def test_the_exported_cells_import_back_as_the_same_answer(
    definition: SurveyDefinition, kind: str
) -> None:
    question, answer = example(definition, kind)
    entry = answer_type(question)
    columns = entry.import_columns(question)
    if kind in NOT_IMPORTABLE:
        assert columns == []
        with pytest.raises(CellProblem, match="cannot be imported"):
            entry.from_cell(question, "anything")
        return
    exported = dict(
        zip(
            entry.columns(question),
            entry.wide_cells(question, answer, definition.labels),
            strict=True,
        )
    )
    assert [column.key for column in columns] == list(exported)  # our export imports back
    read = {
        column.part: entry.from_cell(question, str(exported[column.key]), column.part)
        for column in columns
    }
    imported = read[None] if None in read else entry.join_parts(question, read)  # type: ignore[arg-type]
    assert imported == answer


def test_not_applicable_is_stored_as_is_and_reads_back(definition: SurveyDefinition) -> None:
    question = definition.question("rating")
    entry = answer_type(question)
    assert rating_answer(question, NOT_APPLICABLE) == NOT_APPLICABLE
    assert entry.from_cell(question, "N/A") == NOT_APPLICABLE
    assert display_values(question, NOT_APPLICABLE, definition.labels) == ("Not applicable",)
    _, field = bound_field(question, data=entry.form_value(question, NOT_APPLICABLE))
    assert entry.from_field(question, field) == NOT_APPLICABLE


@pytest.mark.parametrize(
    ("answer", "level", "is_low"),
    [
        ({"value": "met", "scale_version": 2}, 0, False),
        ({"value": "partially_met", "scale_version": 2}, 1, True),
        ({"value": "not_met", "scale_version": 1}, 2, True),
        ({"value": "retired_level", "scale_version": 1}, None, False),
        (NOT_APPLICABLE, None, None),
        (None, None, None),
    ],
)
def test_a_rating_has_a_level_and_is_low_below_the_best(
    definition: SurveyDefinition, answer: JSONValue, level: int | None, is_low: bool | None
) -> None:
    question = definition.question("rating")
    assert rating_level(question, answer) == level
    assert is_low_rating(question, answer) is is_low
