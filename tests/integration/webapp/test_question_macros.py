"""The question macros render every question type as GOV.UK components, with errors and values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import lxml.html
import pytest
import yaml
from flask import Flask, redirect, render_template_string, request, url_for
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict

from surveys import engine
from surveys.definition import QuestionType, SurveyDefinition
from surveys.loader import DEFINITIONS_DIR, load_definition, parse_definition
from tests.conftest import csrf_from, make_app
from webapp.access import public
from webapp.database import get_engine

FIXTURE = Path(__file__).resolve().parents[2] / "unit" / "surveys" / "fixtures" / "all-types.yaml"
UNDER_11 = DEFINITIONS_DIR / "child-voice-under-11.yaml"
STORED: dict[str, Any] = {
    "agency_name": "Riverside Family Hub",
    "has_lead": "yes",
    "lead_role": "Designated safeguarding lead",
    "review_date": "2024-03-05",
    "policy_file": {"filename": "policy.pdf", "content_type": "application/pdf", "size": 2048},
    "actions": [{"action": "Train staff", "due": None, "status": "done"}],
}
PAGE = """{% extends "base.html" %}
{% from "forms/questions.html" import render_questions, help_notice %}
{% block title %}{% if errors %}Error: {% endif %}{{ page_form.page.title }}{% endblock %}
{% block head %}
  {{ super() }}
  <link rel="stylesheet" href="{{ url_for('static', filename='forms.css') }}">
{% endblock %}
{% block main_content %}
<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
  {% if definition.help_notice %}
    {{ help_notice(partnership, definition.labels.help_notice_title) }}
  {% endif %}
  <form method="post" enctype="multipart/form-data" novalidate>
    {{ page_form.csrf_token }}
    {{ render_questions(page_form, definition) }}
    <button type="submit" class="govuk-button" data-module="govuk-button">Continue</button>
  </form>
</div></div>
{% endblock %}"""
SUMMARY = """{% extends "base.html" %}
{% from "forms/questions.html" import render_summary, help_notice %}
{% block title %}Check your answers{% endblock %}
{% block main_content %}
<h1 class="govuk-heading-l">Check your answers</h1>
{{ render_summary(rows, change_url, definition.labels) }}
{{ help_notice(partnership) }}
{% endblock %}"""
SAVED = """{% extends "base.html" %}{% block title %}Saved{% endblock %}
{% block main_content %}<h1 class="govuk-heading-l">Saved</h1>{% endblock %}"""


def all_types(*, hints: bool = False) -> SurveyDefinition:
    """Return the all-types fixture, optionally with a hint on every question and sub-field."""
    if not hints:
        return load_definition(FIXTURE)
    document = yaml.safe_load(FIXTURE.read_text())
    for page in document["pages"]:
        for question in page["questions"]:
            for item in [question, *question.get("fields", [])]:
                item["hint"] = f"Hint for {item['id']}"
    return parse_definition(yaml.safe_dump(document, allow_unicode=True), source="hinted")


def serve_question_pages(app: Flask, definitions: dict[str, SurveyDefinition]) -> None:
    """Add throwaway public routes that render a definition's pages through the macros."""

    @app.route("/_questions/<key>/<page_id>", methods=["GET", "POST"])
    @public
    def question_page(key: str, page_id: str) -> Any:
        definition = definitions[key]
        posted = CombinedMultiDict([request.files, request.form])
        form = engine.build_page_form(
            definition.page(page_id),
            posted if request.method == "POST" else None,
            answers=STORED if request.args.get("stored") else {},
            base=FlaskForm,
        )
        if request.method == "POST" and not form.is_adding_row and form.validate():
            return redirect(url_for("question_saved"))
        errors = [{"text": text, "href": f"#{anchor}"} for anchor, text in engine.form_errors(form)]
        partnership = SimpleNamespace(
            front_door_name="Riverside Front Door", front_door_phone="01632 960 000"
        )
        return render_template_string(
            PAGE, page_form=form, definition=definition, errors=errors, partnership=partnership
        )

    @app.get("/_questions/saved")
    @public
    def question_saved() -> str:
        return render_template_string(SAVED)

    @app.get("/_summary/<key>")
    @public
    def answers_summary(key: str) -> str:
        definition = definitions[key]
        answers = {**STORED, "agency_name": request.args.get("agency", "Riverside")}
        partnership = SimpleNamespace(
            front_door_name=request.args.get("front_door", ""),
            front_door_phone=request.args.get("phone", ""),
        )
        return render_template_string(
            SUMMARY,
            rows=engine.summary_rows(definition, answers),
            change_url=lambda page, question: f"/_questions/{key}/{page}#{question}",
            definition=definition,
            partnership=partnership,
        )


@pytest.fixture
def question_app() -> Iterator[Flask]:
    app = make_app()
    definitions = {"all": all_types(), "hinted": all_types(hints=True)}
    definitions["under-11"] = load_definition(UNDER_11)
    serve_question_pages(app, definitions)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def web(question_app: Flask) -> FlaskClient:
    return question_app.test_client()


def parse(text: str) -> Any:
    return lxml.html.fromstring(text)


def text_of(node: Any) -> str:
    return " ".join(node.text_content().split())


def post(web: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    page = web.get(url)
    return web.post(url, data={**data, "csrf_token": csrf_from(page.text)})


def described_by(node: Any) -> list[str]:
    return (node.get("aria-describedby") or "").split()


def error_group(doc: Any, element_id: str) -> Any:
    """Return the nearest GOV.UK form group in the error state around an element."""
    groups = doc.get_element_by_id(element_id).xpath(
        "ancestor::div[contains(concat(' ', @class, ' '), ' govuk-form-group--error ')][1]"
    )
    assert groups, f"{element_id} is not inside a form group in the error state"
    return groups[0]


def assert_unique_ids(doc: Any) -> None:
    ids = [node.get("id") for node in doc.xpath("//*[@id]")]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


# What each question type must render as: an XPath from the question's id.
TYPE_CHECKS = {
    QuestionType.SHORT_TEXT: "//input[@id='{id}' and @type='text']",
    QuestionType.LONG_TEXT: "//div[contains(@class,'govuk-character-count')]//textarea[@id='{id}']",
    QuestionType.NUMBER: "//input[@id='{id}' and @inputmode='numeric']",
    QuestionType.DATE: "//input[@id='{id}-day' and @name='{id}-day']/following::input"
    "[@name='{id}-month']/following::input[@name='{id}-year']",
    QuestionType.RADIOS: "//div[contains(@class,'govuk-radios')]/div/input[@id='{id}']",
    QuestionType.SCALE: "//div[contains(@class,'govuk-radios')]/div/input[@id='{id}']",
    QuestionType.YES_NO: "//input[@id='{id}' and @type='radio' and @value='yes']",
    QuestionType.CHECKBOXES: "//div[contains(@class,'govuk-checkboxes')]//input[@id='{id}']",
    QuestionType.SELECT: "//select[@id='{id}']/option[@value='' and text()]",
    QuestionType.COMPLIANCE_RATING: "//input[@id='{id}']/following::div"
    "[@class='govuk-radios__divider' and text()='or']/following::input[@value='not_applicable']",
    QuestionType.EMOJI_SCALE: "//label[@for='{id}']/img[@alt='']",
    QuestionType.CONFIDENCE_PAIR: "//legend[contains(.,'Before the course')]/following::input"
    "[@name='{id}-before']/following::legend[contains(.,'After the course')]"
    "/following::input[@name='{id}-after']",
    QuestionType.FILE: "//input[@id='{id}' and @type='file' and @accept='.pdf,.docx']",
    QuestionType.REPEATING_GROUP: "//fieldset[@id='{id}']//fieldset//input[@id='{id}-0-action']"
    "/following::button[@name='{id}-add']",
}


def name_of(doc: Any, element_id: str) -> str:
    """Return the text of the label, or else the legend, that names the element with this id."""
    element = doc.get_element_by_id(element_id)
    if element.tag in ("input", "select", "textarea") and element.get("type") not in (
        "radio",
        "checkbox",
    ):
        return text_of(doc.xpath(f"//label[@for='{element_id}']")[0])
    fieldset = element.xpath("ancestor-or-self::fieldset[1]")[0]
    return text_of(fieldset.xpath("legend")[0])


def test_every_type_is_in_the_fixture_and_renders_as_its_component(web: FlaskClient) -> None:
    definition = all_types()
    seen = set()
    for page in definition.pages:
        doc = parse(web.get(f"/_questions/all/{page.id}").text)
        assert_unique_ids(doc)
        for question in page.questions:
            seen.add(question.type)
            xpath = TYPE_CHECKS[question.type].format(id=question.id)
            assert doc.xpath(xpath), f"{question.type} {question.id} is not rendered as expected"
    assert seen == set(QuestionType)


def test_each_question_has_its_label_and_a_linked_hint(web: FlaskClient) -> None:
    definition = all_types(hints=True)
    for page in definition.pages:
        doc = parse(web.get(f"/_questions/hinted/{page.id}").text)
        questions = [(q.id, q) for q in page.questions]
        questions += [(f"actions-0-{f.id}", f) for q in page.questions for f in q.fields]
        for element_id, question in questions:
            assert question.label in name_of(doc, element_id), element_id
            hint = doc.get_element_by_id(f"{element_id}-hint")
            assert text_of(hint).startswith(f"Hint for {question.id}")
            linked = doc.xpath(
                f"//*[contains(concat(' ', @aria-describedby, ' '), ' {hint.get('id')} ')]"
            )
            assert linked, f"nothing is described by {element_id}-hint"


def test_optional_questions_say_so_and_required_ones_do_not(web: FlaskClient) -> None:
    doc = parse(web.get("/_questions/all/text").text)
    assert text_of(doc.xpath("//label[@for='reference']")[0]) == "Case reference (optional)"
    assert "(optional)" not in text_of(doc.xpath("//label[@for='agency_name']")[0])


def test_a_page_of_several_questions_has_the_page_title_as_its_heading(web: FlaskClient) -> None:
    doc = parse(web.get("/_questions/all/rating").text)
    assert [text_of(h) for h in doc.xpath("//h1")] == ["Standard 1"]
    assert "S11-1: Senior leadership" in text_of(doc.xpath("//span[@class='govuk-caption-l']")[0])
    legend = doc.xpath("//legend[contains(., 'How well does your agency')]")[0]
    assert "govuk-fieldset__legend--m" in legend.get("class")


def test_a_single_question_page_makes_the_question_the_heading() -> None:
    source = """
key: single
title: Single questions
version: 1
audience: organisation
stream: consultation
description: Pages with one question each.
pages:
  - id: name
    title: Your agency
    questions: [{id: agency, type: short_text, label: "Agency?"}]
  - id: sector
    title: Sector
    questions:
      - id: sector
        type: radios
        label: Which sector?
        options: [{value: police, label: Police}, {value: health, label: Health}]
"""
    app = make_app()
    serve_question_pages(app, {"single": parse_definition(source)})
    web = app.test_client()
    doc = parse(web.get("/_questions/single/name").text)
    assert [text_of(h) for h in doc.xpath("//h1")] == ["Agency? (optional)"]
    assert doc.xpath("//h1/label[@for='agency' and contains(@class, 'govuk-label--l')]")
    doc = parse(web.get("/_questions/single/sector").text)
    assert doc.xpath("//fieldset/legend[contains(@class, 'govuk-fieldset__legend--l')]/h1")
    assert [text_of(h) for h in doc.xpath("//h1")] == ["Which sector? (optional)"]
    get_engine(app).dispose()


def test_a_same_page_condition_is_revealed_inside_its_answer(web: FlaskClient) -> None:
    doc = parse(web.get("/_questions/all/rating").text)
    reveal = doc.get_element_by_id("conditional-has_lead")
    assert "govuk-radios__conditional--hidden" in reveal.get("class")
    assert reveal.xpath(".//input[@id='lead_role']")
    assert doc.get_element_by_id("has_lead").get("data-aria-controls") == "conditional-has_lead"
    # Stored "yes": the reveal starts open and the answers are filled in.
    doc = parse(web.get("/_questions/all/rating?stored=1").text)
    reveal = doc.get_element_by_id("conditional-has_lead")
    assert "govuk-radios__conditional--hidden" not in reveal.get("class")
    assert doc.get_element_by_id("lead_role").get("value") == "Designated safeguarding lead"


def test_an_invalid_post_shows_each_error_next_to_its_field_and_keeps_values(
    web: FlaskClient,
) -> None:
    cases = {
        "text": {"agency_name": "x" * 41, "reference": "nope", "evidence": "Kept evidence"},
        "choices": {"sector": "health", "topics": ["online"], "locality": "south"},
        "rating": {"rating": "partially_met", "has_lead": "yes"},
        "facts": {"staff_trained": "lots", "review_date-day": "4", "review_date-year": "2020"},
        "plan": {"actions-0-due-day": "1", "confidence-before": "2"},
    }
    for page_id, data in cases.items():
        response = post(web, f"/_questions/all/{page_id}", data)
        assert response.status_code == 200, page_id
        doc = parse(response.text)
        assert doc.xpath("//title")[0].text_content().startswith("Error:")
        summary = doc.xpath("//div[contains(@class, 'govuk-error-summary')]//a")
        assert summary, page_id
        for link in summary:
            anchor = link.get("href").removeprefix("#")
            group = error_group(doc, anchor)
            messages = [text_of(m) for m in group.xpath(".//p[@class='govuk-error-message']")]
            assert f"Error: {text_of(link)}" in messages, anchor
        for name, value in data.items():
            for one in value if isinstance(value, list) else [value]:
                kept = doc.xpath(f"//input[@name='{name}' and @value='{one}' and @checked]")
                kept += doc.xpath(f"//input[@name='{name}' and @type='text' and @value='{one}']")
                kept += doc.xpath(f"//textarea[@name='{name}' and normalize-space(.)='{one}']")
                kept += doc.xpath(f"//select[@name='{name}']/option[@value='{one}' and @selected]")
                assert kept, f"{name}={one} was not kept on {page_id}"


def _date_error_parts(web: FlaskClient, day: str, month: str, year: str) -> list[str]:
    data = {"review_date-day": day, "review_date-month": month, "review_date-year": year}
    doc = parse(post(web, "/_questions/all/facts", data).text)
    wrong = doc.xpath("//input[starts-with(@id, 'review_date-') and contains(@class, '--error')]")
    return [node.get("id").removeprefix("review_date-") for node in wrong]


def test_a_date_error_marks_only_the_wrong_part(web: FlaskClient) -> None:
    assert _date_error_parts(web, "3", "", "2020") == ["month"]
    assert _date_error_parts(web, "", "4", "") == ["day", "year"]
    assert _date_error_parts(web, "3", "4", "20") == ["year"]
    assert _date_error_parts(web, "31", "2", "2020") == ["day", "month", "year"]
    assert _date_error_parts(web, "", "", "") == ["day", "month", "year"]
    assert _date_error_parts(web, "3", "4", "2020") == []


def test_add_another_adds_a_row_without_validating(web: FlaskClient) -> None:
    response = post(web, "/_questions/all/plan", {"actions-0-action": "Audit", "actions-add": "1"})
    doc = parse(response.text)
    assert not doc.xpath("//div[contains(@class, 'govuk-error-summary')]")
    assert not doc.xpath("//*[contains(@class, 'govuk-form-group--error')]")
    assert doc.get_element_by_id("actions-0-action").get("value") == "Audit"
    assert doc.get_element_by_id("actions-1-action").get("value") == ""
    legends = [text_of(node) for node in doc.xpath("//fieldset[@id='actions']/fieldset/legend")]
    assert legends == ["Action plan 1", "Action plan 2"]
    assert "Leave a row blank to remove it" in text_of(doc.get_element_by_id("actions-hint"))
    data = {"actions-0-action": "Audit", "actions-1-action": "Train", "actions-add": "1"}
    doc = parse(post(web, "/_questions/all/plan", data).text)
    assert doc.xpath("//input[@id='actions-2-action']")
    assert not doc.xpath("//button[@name='actions-add']"), "max_rows is 3"


def test_a_group_without_rows_is_an_error_on_the_group(web: FlaskClient) -> None:
    doc = parse(post(web, "/_questions/all/plan", {"confidence-before": "1"}).text)
    group = doc.get_element_by_id("actions")
    assert "Add at least one action" in text_of(doc.get_element_by_id("actions-error"))
    assert "actions-error" in described_by(group)
    assert "Select how confident you feel after the course" in text_of(
        error_group(doc, "confidence-after")
    )
    # Neither rating given: the message belongs to the whole pair, not one half.
    doc = parse(post(web, "/_questions/all/plan", {}).text)
    assert (
        text_of(doc.get_element_by_id("confidence-error")) == "Error: Select how confident you feel"
    )
    assert "confidence-error" in described_by(doc.get_element_by_id("confidence"))
    assert not doc.xpath("//*[@id='confidence-before-error' or @id='confidence-after-error']")


def test_user_text_is_escaped(web: FlaskClient) -> None:
    attack = '<script>alert("x")</script>'
    response = post(
        web,
        "/_questions/all/text",
        {"agency_name": attack, "evidence": attack, "reference": attack},
    )
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert" in response.text
    summary = web.get("/_summary/all", query_string={"agency": attack})
    assert "<script>alert" not in summary.text and "&lt;script&gt;alert" in summary.text


def test_the_emoji_scale_draws_faces_and_names_each_choice() -> None:
    app = make_app()
    serve_question_pages(app, {"under-11": load_definition(UNDER_11)})
    doc = parse(app.test_client().get("/_questions/under-11/safe").text)
    get_engine(app).dispose()
    radios = doc.xpath("//div[contains(@class, 'app-emoji-scale--under-11')]")
    assert len(radios) == 2
    faces = {}
    for label in doc.xpath("//label[starts-with(@for, 'feel_safe_home')]"):
        (face,) = label.xpath("img")  # a drawing, not the emoji: fonts may lack it
        assert face.get("alt") == "" and int(face.get("width")) >= 44
        faces[label.xpath("string(text()[last()])").strip()] = face.get("src")
        assert "\U0001f600" not in label.text_content()
    assert faces == {
        "Yes": "/static/faces/happy.svg",
        "Sometimes": "/static/faces/ok.svg",
        "No": "/static/faces/sad.svg",
        "I don't want to say": "/static/faces/not-say.svg",
    }
    choices = [text_of(item) for item in doc.xpath("//input[@name='feel_safe_home']/../../*")]
    assert choices[-2:] == ["or", "I don't want to say"]  # set apart, as GOV.UK does


def test_stored_files_are_listed_with_a_box_to_remove_each_and_more_can_be_added(
    web: FlaskClient,
) -> None:
    doc = parse(web.get("/_questions/all/facts?stored=1").text)
    remove = doc.xpath("//input[@name='policy_file-remove']")
    assert [box.get("value") for box in remove] == ["n0"]  # stored without an id: by its place
    assert text_of(doc.xpath(f"//label[@for='{remove[0].get('id')}']")[0]) == "Remove policy.pdf"
    upload = doc.get_element_by_id("policy_file")
    assert upload.get("multiple") is not None
    assert "added to the files above" in text_of(doc.get_element_by_id("policy_file-hint"))
    assert "policy_file-hint" in described_by(upload)
    assert [
        doc.get_element_by_id(f"review_date-{p}").get("value") for p in "day month year".split()
    ] == [
        "5",
        "3",
        "2024",
    ]


def test_check_your_answers_lists_rows_with_change_links(web: FlaskClient) -> None:
    doc = parse(web.get("/_summary/all").text)
    rows = doc.xpath("//div[contains(@class, 'govuk-summary-list__row')]")
    keys = [text_of(row.xpath("dt")[0]) for row in rows]
    assert keys[:3] == [
        "What is the name of your agency?",
        "Case reference",
        "Describe your evidence",
    ]
    by_key = {text_of(row.xpath("dt")[0]): row for row in rows}
    assert text_of(by_key["Case reference"].xpath("dd")[0]) == "Not answered"
    file_row = by_key["Upload the policy"]
    assert "policy.pdf (2.0 KB)" in text_of(file_row)
    link = file_row.xpath(".//a")[0]
    assert link.get("href") == "/_questions/all/facts#policy_file"
    assert text_of(link) == "Change Upload the policy"
    assert link.xpath("span[@class='govuk-visually-hidden']")[0].text.strip() == "Upload the policy"


def test_the_help_notice_gives_numbers_and_promises_no_secrecy(web: FlaskClient) -> None:
    with_front_door = {"front_door": "Riverside Front Door", "phone": "01632 960 000"}
    notice = text_of(
        parse(web.get("/_summary/all", query_string=with_front_door).text).xpath(
            "//div[contains(@class, 'govuk-inset-text')]"
        )[0]
    )
    for number in ("999", "0800 1111", "0808 800 5000"):
        assert number in notice
    assert "NSPCC on 0808 800 5000 or Riverside Front Door on 01632 960 000." in notice
    assert "not safe" in notice and "cannot get back to you" in notice
    assert not re.search(r"confidential|secret|won.t tell|will not tell", notice, re.IGNORECASE)
    without = parse(web.get("/_summary/all").text)
    notice = text_of(without.xpath("//div[contains(@class, 'govuk-inset-text')]")[0])
    assert "NSPCC on 0808 800 5000." in notice and " or  on " not in notice


CONDITIONS = """
key: conditions
title: Conditions
version: 1
audience: organisation
stream: consultation
description: Questions revealed by checkboxes, and by more than one answer.
pages:
  - id: only
    title: Conditions
    questions:
      - id: topics
        type: checkboxes
        label: Which topics?
        options: [{value: neglect, label: Neglect}, {value: online, label: Online safety}]
      - id: online_detail
        type: short_text
        label: Which online risks?
        show_if: {question: topics, any_of: [online]}
      - id: sector
        type: select
        label: Which sector?
        options: [{value: police, label: Police}, {value: health, label: Health}]
      - id: team
        type: short_text
        label: Which team?
        show_if: {question: sector, in: [police, health]}
"""


def test_checkboxes_reveal_and_other_conditions_stay_on_the_page() -> None:
    app = make_app()
    serve_question_pages(app, {"conditions": parse_definition(CONDITIONS)})
    doc = parse(app.test_client().get("/_questions/conditions/only").text)
    get_engine(app).dispose()
    reveal = doc.get_element_by_id("conditional-topics-2")
    assert "govuk-checkboxes__conditional--hidden" in reveal.get("class")
    assert reveal.xpath(".//input[@id='online_detail']")
    assert doc.get_element_by_id("topics-2").get("data-aria-controls") == "conditional-topics-2"
    # A select cannot reveal, so its follow-up question is simply on the page after it.
    team = doc.get_element_by_id("team")
    assert not team.xpath("ancestor::div[contains(@class, 'conditional')]")
    assert doc.xpath("//select[@id='sector']/following::input[@id='team']")
    assert_unique_ids(doc)
