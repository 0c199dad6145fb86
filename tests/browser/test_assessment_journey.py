"""A contributor and their lead complete a Section 11 over two sittings; the lead submits it."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from demo.answers import generate_answers
from surveys import cycles, page_saves, responses
from surveys.definition import JSONValue, Page, Question, QuestionType
from surveys.loader import load_definitions
from surveys.models import AuditEvent, Cycle, Response, ResponseStatus, Role, utcnow
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.browser.test_trainee_journey import watch
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

SECTION_11 = load_definitions().latest("section-11")
# Seed 0 gives two action-plan rows on standards 1 and 2, so "Add another" is used.
ANSWERS = generate_answers(SECTION_11, rng=random.Random(0))
CHANGED_EVIDENCE = "Board minutes from March show the named lead reporting to the board."
TEXT_TYPES = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT, QuestionType.NUMBER)
RADIO_TYPES = (QuestionType.RADIOS, QuestionType.SCALE, QuestionType.EMOJI_SCALE)


@dataclass
class Team:
    url: str
    cycle_id: int
    organisation_id: int
    lead: str
    contributor: str


@pytest.fixture
def team(live_server: Any) -> Team:
    """An organisation with a lead and a contributor, and an open Section 11 cycle for it."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        organisation = factories.OrganisationFactory(name="Riverside Police")
        lead = factories.UserFactory(
            organisation=organisation, role=Role.ORGANISATION_LEAD, name="Lee Lead"
        )
        contributor = factories.UserFactory(
            organisation=organisation, role=Role.ORGANISATION_CONTRIBUTOR, name="Cass Contributor"
        )
        cycle = cycles.publish_cycle(
            session,
            SECTION_11,
            cycles.NewCycle(
                "Section 11 2026",
                now - timedelta(days=1),
                now + timedelta(days=30),
                (organisation.id,),
            ),
            created_by=None,
        )
        session.commit()
        return Team(live_server.url, cycle.id, organisation.id, lead.email, contributor.email)


def visit(page: Any) -> None:
    page.wait_for_load_state()
    check_accessibility(page)


def sign_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/sign-in")
    visit(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    visit(page)


def sign_out(page: Any) -> None:
    page.get_by_role("link", name="Sign out").click()
    visit(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)
    visit(page)


def open_assessment(page: Any) -> None:
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    visit(page)
    page.get_by_role("link", name="Section 11 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Section 11 2026")
    visit(page)


# ---- filling a page from the definition, through the UI --------------------------------------


def labelled(question: Question) -> re.Pattern[str]:
    """The question's label as shown, with or without the "(optional)" suffix."""
    return re.compile(rf"^\s*{re.escape(question.label)}(\s*\(optional\))*\s*$")


def fill_question(scope: Any, question: Question, answer: JSONValue) -> None:
    """Answer one question the way a person would: by its label."""
    kind = question.type
    if answer is None or kind is QuestionType.FILE:
        return
    if kind in TEXT_TYPES:
        scope.get_by_label(labelled(question)).fill(str(answer))
    elif kind is QuestionType.SELECT:
        scope.get_by_label(labelled(question)).select_option(str(answer))
    elif kind is QuestionType.DATE:
        day = date.fromisoformat(str(answer))
        fields = scope.get_by_role("group", name=labelled(question))
        for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
            fields.get_by_label(part, exact=True).fill(str(value))
    else:
        scope.get_by_role("group", name=labelled(question)).get_by_role(
            "radio", name=choice_label(question, answer), exact=True
        ).check()


def choice_label(question: Question, answer: JSONValue) -> str:
    value = answer["value"] if isinstance(answer, dict) else str(answer)
    if question.type is QuestionType.YES_NO:
        return {"yes": "Yes", "no": "No"}[value]
    if question.type is QuestionType.COMPLIANCE_RATING:
        scale = question.scale
        if value == "not_applicable":
            return scale.not_applicable_label
        return next(level.label for level in scale.levels if level.value == value)
    return next(option.label for option in question.options if option.value == value)


def fill_rows(page: Any, question: Question, rows: list[dict[str, JSONValue]]) -> None:
    """Fill an action plan, pressing "Add another" for each row past the ones shown."""
    for index, row in enumerate(rows):
        legend = f"{question.label} {index + 1}"
        if page.get_by_role("group", name=legend, exact=True).count() == 0:
            page.get_by_role("button", name=re.compile(rf"^{question.add_label}")).click()
            expect(page.get_by_role("group", name=legend, exact=True)).to_be_visible()
            visit(page)
        scope = page.get_by_role("group", name=legend, exact=True)
        for sub in question.fields:
            fill_question(scope, sub, row.get(sub.id))
    for index, row in enumerate(rows[:-1]):  # rows filled before "Add another" were kept
        scope = page.get_by_role("group", name=f"{question.label} {index + 1}", exact=True)
        expect(scope.get_by_label("Action", exact=True)).to_have_value(str(row["action"]))


def fill_page(page: Any, definition_page: Page) -> None:
    """Answer every question on a Section 11 page (answers from generate_answers)."""
    expect(page.get_by_role("heading", level=1)).to_have_text(definition_page.title)
    visit(page)
    for question in definition_page.questions:
        answer = ANSWERS.get(question.id)
        if question.type is QuestionType.REPEATING_GROUP:
            fill_rows(page, question, answer or [])
        else:
            fill_question(page, question, answer)


def save_and_continue(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    expect(page).not_to_have_title(re.compile(r"^Error:"))


def task(page: Any, definition_page: Page) -> Any:
    return page.locator(".govuk-task-list__item").filter(has_text=definition_page.title)


# ---- the journey -------------------------------------------------------------------------------


def stored(app: Any) -> Response:
    with inspect_session(app) as session:
        return session.scalars(select(Response)).one()


def test_contributor_and_lead_complete_and_submit_a_section_11(live_server, team, page) -> None:
    problems = watch(page)
    pages = SECTION_11.pages
    first, second, rest = pages[0], pages[1], pages[2:]
    assert len(ANSWERS["s1_actions"]) == 2  # so the journey presses "Add another"

    sign_in(page, team.url, team.contributor)
    open_assessment(page)
    page.get_by_role("button", name="Start the assessment").click()
    visit(page)
    expect(task(page, first)).to_contain_text("Not yet started")
    task(page, first).get_by_role("link").click()
    fill_page(page, first)
    save_and_continue(page)
    fill_page(page, second)
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answers have been saved"
    )
    visit(page)
    sign_out(page)

    sign_in(page, team.url, team.lead)  # the second sitting
    open_assessment(page)
    expect(page.locator(".govuk-inset-text")).to_contain_text(re.compile(r"by Cass Contributor\."))
    for done in (first, second):
        expect(task(page, done)).to_contain_text("Completed")
    for todo in rest:
        expect(task(page, todo)).to_contain_text("Not yet started")
    task(page, rest[0]).get_by_role("link").click()
    for definition_page in rest:
        fill_page(page, definition_page)
        save_and_continue(page)

    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page)
    change_one_answer(page, team)
    sign_off_and_submit(page, live_server)
    assert problems == []


def change_one_answer(page: Any, team: Team) -> None:
    """Use a Change link on Check your answers, fix the answer and come back."""
    change = page.locator(f"a[href$='/{team.cycle_id}/standard_1?back=check#s1_evidence']")
    expect(change).to_have_text(re.compile(r"^Change"))
    change.click()
    expect(page).to_have_url(re.compile(r"/standard_1\?back=check#s1_evidence$"))
    evidence = page.get_by_label("What evidence shows how you meet this standard?")
    expect(evidence).to_have_value(str(ANSWERS["s1_evidence"]))
    visit(page)
    evidence.fill(CHANGED_EVIDENCE)
    page.get_by_role("button", name="Save and continue").click()  # back where they came from
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    standard_1 = page.locator(".govuk-summary-card").filter(has_text="Standard 1:")
    expect(standard_1.locator(".govuk-summary-list")).to_contain_text(CHANGED_EVIDENCE)
    visit(page)


def sign_off_and_submit(page: Any, live_server: Any) -> None:
    """Sign off without the declaration (refused), then with it; a replay makes nothing new."""
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.locator("main")).to_contain_text("Confirm that you are signing off this return")
    assert stored(live_server.app).status is ResponseStatus.IN_PROGRESS
    visit(page)
    csrf = page.locator("form input[name=csrf_token]").last.input_value()
    page.get_by_label(re.compile(r"I am the senior lead for Riverside Police")).check()
    page.get_by_role("button", name="Sign off and submit").click()

    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("Return submitted")
    visit(page)
    reference = re.search(r"LL-[A-Z0-9]{4}-[A-Z0-9]{4}", panel.inner_text()).group(0)
    first = stored(live_server.app)
    assert first.status is ResponseStatus.SUBMITTED and first.reference == reference
    assert first.answers["s1_evidence"] == CHANGED_EVIDENCE

    page.reload()  # a refresh, then the same sign-off posted again (a second click)
    replay = page.request.post(
        f"{live_server.url}/assessments/{first.cycle_id}/submit",
        form={"csrf_token": csrf, "confirm": "yes"},
    )
    assert replay.ok
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    again = stored(live_server.app)  # .one(): still a single response
    assert (again.id, again.submitted_at, again.version) == (
        first.id,
        first.submitted_at,
        first.version,
    )
    with inspect_session(live_server.app) as session:
        submitted = select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "response.submitted"
        )
        assert session.scalar(submitted) == 1
        assert session.scalar(select(func.count(Response.id))) == 1


def answer_every_page(app: Any, team: Team) -> None:
    """Save the whole return through the service, as if it had been filled in earlier."""
    with inspect_session(app) as session:
        cycle = session.get(Cycle, team.cycle_id)
        response = responses.start_organisation_response(session, cycle, team.organisation_id)
        for definition_page in SECTION_11.pages:
            page_answers = {
                q.id: ANSWERS[q.id] for q in definition_page.questions if q.id in ANSWERS
            }
            save = page_saves.PageSave(definition_page.id, page_answers, response.version)
            response = page_saves.save_page(session, response, save)


def test_change_link_returns_to_check_your_answers(live_server, team, page) -> None:
    answer_every_page(live_server.app, team)
    sign_in(page, team.url, team.lead)
    page.goto(f"{team.url}/assessments/{team.cycle_id}/check")
    page.locator(f"a[href$='/{team.cycle_id}/standard_1?back=check#s1_evidence']").click()
    page.get_by_label("What evidence shows how you meet this standard?").fill(CHANGED_EVIDENCE)
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile(r"^Check your answers"))
