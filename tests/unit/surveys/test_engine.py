"""Unit tests for the form engine: fields per type, show_if, answers, summary."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField

from surveys import engine
from surveys.definition import QuestionType, SurveyDefinition
from surveys.loader import load_definition
from surveys.validators import UNSAFE_CHARACTERS_ERROR

ALL_TYPES = Path(__file__).parent / "fixtures" / "all-types.yaml"


class FakeUpload:
    """Quacks like werkzeug's FileStorage: filename, mimetype, stream, read."""

    def __init__(self, filename: str, content: bytes, mimetype: str = "application/pdf"):
        self.filename = filename
        self.mimetype = mimetype
        self.stream = io.BytesIO(content)

    def read(self) -> bytes:
        return self.stream.read()


@pytest.fixture(scope="module")
def definition() -> SurveyDefinition:
    return load_definition(ALL_TYPES)


def post(
    definition: SurveyDefinition,
    page_id: str,
    data: dict[str, Any],
    answers: dict[str, Any] | None = None,
) -> engine.PageForm:
    """Build a page form from posted data (values may be lists) and validate it."""
    items = [
        (key, item)
        for key, value in data.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    form = engine.build_page_form(definition.page(page_id), MultiDict(items), answers=answers or {})
    form.validate()
    return form


def test_every_question_type_has_a_builder() -> None:
    assert set(engine.FIELD_BUILDERS) == set(QuestionType)


def test_fixture_exercises_every_question_type(definition: SurveyDefinition) -> None:
    assert {q.type for page in definition.pages for q in page.questions} == set(QuestionType)


def test_text_page_accepts_good_answers_and_normalises(definition: SurveyDefinition) -> None:
    form = post(
        definition,
        "text",
        {
            "agency_name": "  Cafe\u0301 Police\x07 ",
            "reference": "AB1234",
            "evidence": "Line one\r\nLine two",
        },
    )
    assert form.errors == {}
    answers = engine.answers_from_form(definition.page("text"), form)
    assert answers == {
        "agency_name": "Café Police",
        "reference": "AB1234",
        "evidence": "Line one\nLine two",
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"agency_name": None}, "agency_name", "Enter the name of your agency"),
        ({"agency_name": "   "}, "agency_name", "Enter the name of your agency"),
        ({"agency_name": "x" * 41}, "agency_name", "Agency name must be 40 characters or fewer"),
        ({"agency_name": "a\x00b"}, "agency_name", UNSAFE_CHARACTERS_ERROR),
        ({"reference": "12AB"}, "reference", "Enter a case reference like AB1234"),
        ({"evidence": "x" * 10_001}, "evidence", "Answer must be 10,000 characters or fewer"),
    ],
)
def test_text_page_rejects_bad_answers(
    definition: SurveyDefinition, data: dict[str, Any], field: str, message: str
) -> None:
    posted = {"agency_name": "Police", "evidence": "Some evidence", **data}
    form = post(
        definition, "text", {key: value for key, value in posted.items() if value is not None}
    )
    assert form.errors[field] == [message]


def test_choice_page_round_trip(definition: SurveyDefinition) -> None:
    data = {
        "sector": "health",
        "topics": ["online", "", "neglect", "online"],
        "locality": "",
        "relevance": "3",
        "feeling": "okay",
    }
    form = post(definition, "choices", data)
    assert form.errors == {}
    answers = engine.answers_from_form(definition.page("choices"), form)
    assert answers == {
        "sector": "health",
        "topics": ["online", "neglect"],
        "locality": None,
        "relevance": "3",
        "feeling": "okay",
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"sector": "fire"}, "sector", "Select the sector you work in"),
        ({"sector": None}, "sector", "Select the sector you work in"),
        ({"topics": []}, "topics", "Select at least one topic"),
        ({"topics": ["neglect", "gossip"]}, "topics", "Select at least one topic"),
        ({"locality": "east"}, "locality", "Select one of the options"),
        ({"feeling": "angry"}, "feeling", "Choose how you feel"),
    ],
)
def test_choice_page_rejects_unknown_values(
    definition: SurveyDefinition, data: dict[str, Any], field: str, message: str
) -> None:
    posted = {
        "sector": "health",
        "topics": ["neglect"],
        "relevance": "1",
        "feeling": "happy",
        **data,
    }
    posted = {key: value for key, value in posted.items() if value is not None}
    assert post(definition, "choices", posted).errors[field] == [message]


def test_compliance_rating_stores_scale_version(definition: SurveyDefinition) -> None:
    page = definition.page("rating")
    met = engine.answers_from_form(
        page, post(definition, "rating", {"rating": "met", "has_lead": "no"})
    )
    assert met == {
        "rating": {"value": "met", "scale_version": 2},
        "has_lead": "no",
        "lead_role": None,
    }
    not_applicable = post(definition, "rating", {"rating": "not_applicable", "has_lead": "no"})
    assert engine.answers_from_form(page, not_applicable)["rating"] == "not_applicable"
    unknown = post(definition, "rating", {"rating": "excellent", "has_lead": "no"})
    assert unknown.errors == {"rating": ["Select how well your agency meets this standard"]}
    refilled = engine.build_page_form(page, None, answers=met)
    assert refilled["rating"].data == "met"


def test_same_page_show_if_validates_only_when_shown(definition: SurveyDefinition) -> None:
    hidden = post(definition, "rating", {"rating": "met", "has_lead": "no", "lead_role": "\x00"})
    assert hidden.errors == {}
    assert engine.answers_from_form(definition.page("rating"), hidden)["lead_role"] is None
    shown = post(definition, "rating", {"rating": "met", "has_lead": "yes"})
    assert engine.form_errors(shown) == [("lead_role", "Enter the lead's role")]


def test_hidden_answers_are_dropped_in_cascade(definition: SurveyDefinition) -> None:
    answers = {"has_lead": "no", "lead_role": "Head", "staff_trained": 5}
    assert engine.visible_answers(definition, answers) == {"has_lead": "no"}
    assert "staff_trained" not in {q.id for q in engine.visible_questions(definition, answers)}


def _facts(**changes: Any) -> dict[str, Any]:
    data = {
        "staff_trained": "1,250",
        "review_date-day": "3",
        "review_date-month": "Mar",
        "review_date-year": "2024",
    }
    data.update(changes)
    return data


def test_number_and_date_convert(definition: SurveyDefinition) -> None:
    form = post(definition, "facts", _facts())
    assert form.errors == {}
    answers = engine.answers_from_form(definition.page("facts"), form)
    assert answers == {"staff_trained": 1250, "review_date": "2024-03-03", "policy_file": None}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"staff_trained": "lots"}, "staff_trained", "Enter a number"),
        ({"staff_trained": "2.5"}, "staff_trained", "Enter a whole number"),
        ({"staff_trained": "-1"}, "staff_trained", "Answer must be 0 or more"),
        ({"staff_trained": "1e5"}, "staff_trained", "Enter a number"),
        (
            {"review_date-day": "", "review_date-month": "", "review_date-year": ""},
            "review_date",
            "Enter the date the policy was last reviewed",
        ),
        ({"review_date-month": ""}, "review_date", "Date must include a month"),
        (
            {"review_date-day": "", "review_date-year": ""},
            "review_date",
            "Date must include a day and year",
        ),
        (
            {"review_date-day": "30", "review_date-month": "2"},
            "review_date",
            "Date must be a real date",
        ),
        ({"review_date-year": "24"}, "review_date", "Year must include 4 numbers"),
        ({"review_date-day": "٣"}, "review_date", "Date must be a real date"),
    ],
)
def test_number_and_date_errors(
    definition: SurveyDefinition, changes: dict[str, Any], field: str, message: str
) -> None:
    assert post(definition, "facts", _facts(**changes)).errors[field] == [message]


def test_future_date_is_rejected(definition: SurveyDefinition) -> None:
    tomorrow = date.today() + timedelta(days=1)
    changes = {
        "review_date-day": str(tomorrow.day),
        "review_date-month": str(tomorrow.month),
        "review_date-year": str(tomorrow.year),
    }
    form = post(definition, "facts", _facts(**changes))
    assert form.errors["review_date"] == ["Date must be today or in the past"]
    assert engine.form_errors(form) == [("review_date-day", "Date must be today or in the past")]


def test_file_upload_metadata_and_rules(definition: SurveyDefinition) -> None:
    form = post(
        definition, "facts", _facts(policy_file=FakeUpload("C:\\docs\\policy.pdf", b"%PDF-1.7"))
    )
    assert form.errors == {}
    stored = engine.answers_from_form(definition.page("facts"), form)["policy_file"]
    assert stored == [{"filename": "policy.pdf", "content_type": "application/pdf", "size": 8}]
    assert len(form["policy_file"].uploads) == 1
    wrong = post(definition, "facts", _facts(policy_file=FakeUpload("run.exe", b"MZ")))
    assert wrong.errors["policy_file"] == ["The selected file must be a PDF or DOCX"]
    big = post(
        definition, "facts", _facts(policy_file=FakeUpload("big.pdf", b"x" * (1024 * 1024 + 1)))
    )
    assert big.errors["policy_file"] == ["The selected file must be smaller than 1MB"]
    empty = post(definition, "facts", _facts(policy_file=FakeUpload("empty.pdf", b"")))
    assert empty.errors["policy_file"] == ["The selected file is empty"]


def test_earlier_upload_is_kept_when_no_new_file(definition: SurveyDefinition) -> None:
    earlier = {"filename": "policy.pdf", "content_type": "application/pdf", "size": 8}
    form = post(  # stored before a question kept several files: one dict
        definition, "facts", _facts(policy_file="not a file"), answers={"policy_file": earlier}
    )
    assert form.errors == {}
    assert engine.answers_from_form(definition.page("facts"), form)["policy_file"] == [earlier]


def test_new_files_are_added_and_ticked_ones_removed(definition: SurveyDefinition) -> None:
    kept = [
        {"file_id": 7, "filename": "policy.pdf", "content_type": "application/pdf", "size": 8},
        {"file_id": 9, "filename": "minutes.pdf", "content_type": "application/pdf", "size": 8},
    ]
    uploads = [FakeUpload("plan.docx", b"PK\x03\x04"), FakeUpload("audit.pdf", b"%PDF-1.7")]
    data = _facts(policy_file=uploads, **{"policy_file-remove": "7"})
    form = post(definition, "facts", data, answers={"policy_file": kept})
    assert form.errors == {}
    stored = engine.answers_from_form(definition.page("facts"), form)["policy_file"]
    assert [file["filename"] for file in stored] == ["minutes.pdf", "plan.docx", "audit.pdf"]
    assert [file["filename"] for file in form["policy_file"].removed] == ["policy.pdf"]
    everything_removed = _facts(policy_file="not a file", **{"policy_file-remove": ["7", "9"]})
    form = post(definition, "facts", everything_removed, answers={"policy_file": kept})
    assert engine.answers_from_form(definition.page("facts"), form)["policy_file"] is None


def test_a_question_keeps_at_most_its_number_of_files(definition: SurveyDefinition) -> None:
    from surveys.validators import MAX_FILES

    kept = [
        {"file_id": n, "filename": f"f{n}.pdf", "content_type": "application/pdf", "size": 8}
        for n in range(MAX_FILES)
    ]
    more = _facts(policy_file=FakeUpload("one-more.pdf", b"%PDF-1.7"))
    form = post(definition, "facts", more, answers={"policy_file": kept})
    assert form.errors["policy_file"] == [
        f"You can attach up to {MAX_FILES} files here: remove one to add another"
    ]


def _plan(**changes: Any) -> dict[str, Any]:
    data = {
        "confidence-before": "1",
        "confidence-after": "3",
        "actions-0-action": "Update the policy",
    }
    data.update(changes)
    return data


def test_repeating_group_rows_and_blank_rows(definition: SurveyDefinition) -> None:
    rows = {
        "actions-0-action": "Update the policy",
        "actions-0-due-day": "1", "actions-0-due-month": "4", "actions-0-due-year": "2026",
        "actions-0-status": "done",
        "actions-1-action": "", "actions-1-status": "",
        "actions-7-action": "Train staff",
    }  # fmt: skip
    form = post(definition, "plan", _plan(**rows))
    assert form.errors == {}
    answers = engine.answers_from_form(definition.page("plan"), form)
    assert answers["actions"] == [
        {"action": "Update the policy", "due": "2026-04-01", "status": "done"},
        {"action": "Train staff", "due": None, "status": None},
    ]
    assert answers["confidence"] == {"before": 1, "after": 3}
    refilled = engine.build_page_form(definition.page("plan"), None, answers=answers)
    assert engine.answers_from_form(definition.page("plan"), refilled) == answers


def test_repeating_group_errors_link_to_row_inputs(definition: SurveyDefinition) -> None:
    form = post(
        definition,
        "plan",
        _plan(
            **{
                "actions-0-action": "",
                "actions-1-due-day": "40",
                "actions-1-due-month": "1",
                "actions-1-due-year": "2026",
            }
        ),
    )
    # Row 0 is blank so it is ignored; row 1 was started, so its action is required.
    assert engine.form_errors(form) == [
        ("actions-1-action", "Enter the action"),
        ("actions-1-due-day", "Date must be a real date"),
    ]
    empty = post(definition, "plan", _plan(**{"actions-0-action": ""}))
    assert engine.form_errors(empty) == [("actions", "Add at least one action")]


def test_repeating_group_add_row_and_max_rows(definition: SurveyDefinition) -> None:
    form = post(definition, "plan", _plan(**{"actions-add": "1"}))
    assert form.is_adding_row and len(form["actions"].entries) == 2
    many = {f"actions-{n}-action": f"Action {n}" for n in range(9)}
    form = post(
        definition,
        "plan",
        _plan(**many, **{"actions-99999999999999-action": "x", "actions-²-action": "y"}),
    )
    assert len(engine.answers_from_form(definition.page("plan"), form)["actions"]) == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"confidence-after": ""}, "Select how confident you feel after the course"),
        ({"confidence-before": "9"}, "Select how confident you feel"),
        ({"confidence-before": "", "confidence-after": ""}, "Select how confident you feel"),
    ],
)
def test_confidence_pair_errors(
    definition: SurveyDefinition, changes: dict[str, Any], message: str
) -> None:
    assert post(definition, "plan", _plan(**changes)).errors["confidence"] == [message]


def test_summary_rows_read_back_answers(definition: SurveyDefinition) -> None:
    answers = {
        "agency_name": "Police",
        "topics": ["neglect", "online"],
        "rating": {"value": "partially_met", "scale_version": 2},
        "has_lead": "yes",
        "review_date": "2024-03-03",
        "policy_file": {"filename": "p.pdf", "content_type": "application/pdf", "size": 2048},
        "confidence": {"before": 1, "after": 3},
        "staff_trained": 1250,
    }
    rows = {row.question_id: row for row in engine.summary_rows(definition, answers)}
    assert rows["topics"].values == ("Neglect", "Online safety")
    assert rows["rating"].values == ("Partially met",)
    assert rows["has_lead"].values == ("Yes",)
    assert rows["review_date"].values == ("3 March 2024",)
    assert rows["policy_file"].values == ("p.pdf (2.0 KB)",)
    assert rows["confidence"].values == (
        "Before the course: Not confident",
        "After the course: Very confident",
    )
    assert rows["staff_trained"].values == ("1,250",)
    assert not rows["reference"].is_answered and rows["reference"].page_id == "text"


def test_build_page_form_extends_a_given_base(definition: SurveyDefinition) -> None:
    class WithToken(Form):
        csrf_token = StringField("token", validators=[lambda form, field: None])

    form = engine.build_page_form(
        definition.page("rating"), MultiDict({"rating": "met", "has_lead": "no"}), base=WithToken
    )
    assert isinstance(form, WithToken) and form.validate()
    assert "csrf_token" in form._fields


# --- Property tests: arbitrary posts never raise; valid answers round-trip. ---

import json  # noqa: E402

from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from surveys.definition import Question  # noqa: E402
from surveys.validators import clean_text  # noqa: E402

_DEFINITION = load_definition(ALL_TYPES)
_PAGE_IDS = [page.id for page in _DEFINITION.pages]
_SUFFIXES = [
    "",
    "-day",
    "-month",
    "-year",
    "-before",
    "-after",
    "-add",
    "-0-action",
    "-0-due-day",
    "-1-status",
    "-²-action",
    "-99999-action",
]


def _keys(page_id: str) -> st.SearchStrategy[str]:
    names = [q.id + suffix for q in _DEFINITION.page(page_id).questions for suffix in _SUFFIXES]
    return st.one_of(st.sampled_from(names), st.text(max_size=20))


_values = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
    st.sampled_from(
        [
            "",
            "yes",
            "no",
            "met",
            "not_applicable",
            "1",
            "3",
            "police",
            "1,250",
            "-0",
            "1e999",
            "31",
            "Feb",
            "2024",
        ]
    ),
    st.builds(lambda char, size: char * size, st.characters(), st.integers(0, 300_000)),
    st.builds(
        lambda name, content: FakeUpload(name, content),
        st.text(max_size=30),
        st.binary(max_size=64),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_id=st.sampled_from(_PAGE_IDS), data=st.data())
def test_arbitrary_posts_never_raise(page_id: str, data: st.DataObject) -> None:
    page = _DEFINITION.page(page_id)
    items = _valid_items(page, data) if data.draw(st.booleans(), label="start valid") else []
    items += data.draw(st.lists(st.tuples(_keys(page_id), _values), max_size=8), label="noise")
    form = engine.build_page_form(page, MultiDict(items), answers={})
    is_valid = form.validate()
    event(f"{page_id} {'valid' if is_valid else 'invalid'}")
    if is_valid:
        answers = engine.answers_from_form(page, form)
        assert set(answers) == {question.id for question in page.questions}
        text = json.dumps(answers)
        assert "\\u0000" not in text
        engine.summary_rows(_DEFINITION, answers)
    else:
        errors = engine.form_errors(form)
        assert errors and all(isinstance(message, str) and message for _, message in errors)


_plain_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40
).filter(lambda text: clean_text(text) == text)


def _valid_answer(question: Question) -> st.SearchStrategy[Any]:
    kind = question.type
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        pattern = question.validation.pattern
        return st.from_regex(pattern, fullmatch=True) if pattern else _plain_text
    if kind is QuestionType.CHECKBOXES:
        return st.lists(
            st.sampled_from([o.value for o in question.options]), min_size=1, unique=True
        )
    if kind is QuestionType.COMPLIANCE_RATING:
        assert question.scale is not None
        levels = [
            {"value": level.value, "scale_version": question.scale.version}
            for level in question.scale.levels
        ]
        return st.sampled_from([*levels, "not_applicable"])
    if kind is QuestionType.YES_NO:
        return st.sampled_from(["yes", "no"])
    if kind is QuestionType.NUMBER:
        return st.integers(0, 100_000)
    if kind is QuestionType.DATE:
        return st.dates(min_value=date(1900, 1, 1), max_value=date.today()).map(date.isoformat)
    if kind is QuestionType.FILE:
        return st.none()
    if kind is QuestionType.CONFIDENCE_PAIR:
        assert question.confidence is not None
        level = st.sampled_from([item.value for item in question.confidence.levels])
        return st.fixed_dictionaries({"before": level, "after": level})
    if kind is QuestionType.REPEATING_GROUP:
        row = st.fixed_dictionaries({field.id: _valid_answer(field) for field in question.fields})
        return st.lists(row, min_size=1, max_size=question.max_rows)
    return st.sampled_from([option.value for option in question.options])


def _post_items(question: Question, answer: Any, name: str) -> list[tuple[str, str]]:
    kind = question.type
    if answer is None:
        return []
    if kind is QuestionType.CHECKBOXES:
        return [(name, value) for value in answer]
    if kind is QuestionType.COMPLIANCE_RATING:
        return [(name, answer if isinstance(answer, str) else answer["value"])]
    if kind is QuestionType.DATE:
        day = date.fromisoformat(answer)
        return [
            (f"{name}-day", str(day.day)),
            (f"{name}-month", str(day.month)),
            (f"{name}-year", f"{day.year:04d}"),
        ]
    if kind is QuestionType.CONFIDENCE_PAIR:
        return [(f"{name}-before", str(answer["before"])), (f"{name}-after", str(answer["after"]))]
    if kind is QuestionType.REPEATING_GROUP:
        return [
            item
            for index, row in enumerate(answer)
            for field in question.fields
            for item in _post_items(field, row[field.id], f"{name}-{index}-{field.id}")
        ]
    return [(name, str(answer))]


def _valid_answers(page: Any, data: st.DataObject) -> dict[str, Any]:
    expected = {
        question.id: data.draw(_valid_answer(question), label=question.id)
        for question in page.questions
    }
    for question in page.questions:  # a same-page condition that fails hides its question
        if question.show_if is not None and not question.show_if.is_met(
            expected[question.show_if.question]
        ):
            expected[question.id] = None
    return expected


def _valid_items(page: Any, data: st.DataObject) -> list[tuple[str, Any]]:
    answers = _valid_answers(page, data)
    return [
        item
        for question in page.questions
        for item in _post_items(question, answers[question.id], question.id)
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_id=st.sampled_from(_PAGE_IDS), data=st.data())
def test_valid_answers_round_trip(page_id: str, data: st.DataObject) -> None:
    page = _DEFINITION.page(page_id)
    expected = _valid_answers(page, data)
    items = [
        item
        for question in page.questions
        for item in _post_items(question, expected[question.id], question.id)
    ]
    form = engine.build_page_form(page, MultiDict(items), answers={})
    assert form.validate(), form.errors
    assert engine.answers_from_form(page, form) == expected
    refilled = engine.build_page_form(page, None, answers=expected)
    assert engine.answers_from_form(page, refilled) == expected
