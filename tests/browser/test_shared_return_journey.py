"""Answer once, in a real browser: a police lead answers one shared Section 11 for two
partnerships, each of which has added its own local question, and each then sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveys import cycles, page_saves, responses, shared_cycles, tenancy
from surveys.models import (
    Cycle,
    OrganisationPartnership,
    Partnership,
    Response,
    ResponseStatus,
    Role,
    utcnow,
)
from tests import factories
from tests.browser.test_assessment_journey import ANSWERS, SECTION_11, sign_in, sign_out, visit
from tests.browser.test_trainee_journey import watch
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

A_QUESTION = "How do you share information with the MASH?"
B_QUESTION = "How do you work with our county lines protocol?"
A_ANSWER = "A daily MASH call with children's social care and health."
B_ANSWER = "A weekly county lines briefing for every response team."


@dataclass
class Region:
    url: str
    cycle_a: int
    police: int
    admin_a: str
    admin_b: str
    lead: str


@pytest.fixture
def region(live_server: Any) -> Region:
    """Two partnerships sharing a police force; A has published a shared Section 11 for B."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        police = factories.OrganisationFactory(name="Shire Police")
        admin_a = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
        lead = factories.UserFactory(
            organisation=police, role=Role.ORGANISATION_LEAD, name="Lee Lead"
        )
        b = Partnership(name="Neighbouring Partnership")
        session.add(b)
        session.commit()
        cycle = shared_cycles.publish_shared(
            session,
            SECTION_11,
            cycles.NewCycle(
                "Regional Section 11 2026",
                now - timedelta(days=1),
                now + timedelta(days=30),
                (police.id,),
            ),
            (b.id,),
            created_by=admin_a.id,
        )
        tenancy.work_in(session, b.id)
        session.add(OrganisationPartnership(organisation_id=police.id, partnership_id=b.id))
        admin_b = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
        session.commit()
        return Region(
            live_server.url, cycle.id, police.id, admin_a.email, admin_b.email, lead.email
        )


def add_local_question(page: Any, cycle_title: str, question: str) -> None:
    page.get_by_role("link", name="Forms and cycles", exact=True).first.click()
    visit(page)
    page.get_by_role("link", name=cycle_title).first.click()
    visit(page)
    page.get_by_role("link", name="Add a local question").click()
    visit(page)
    page.get_by_label("Question", exact=True).fill(question)
    page.get_by_role("button", name="Add question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your question has been added"
    )
    expect(page.locator("main")).to_contain_text(question)
    visit(page)


def answer_the_form_earlier(app: Any, region: Region) -> None:
    """The form's 14 standards were saved earlier (through the service); the browser does
    the local questions and the sign-off."""
    with inspect_session(app) as session:
        cycle = session.get(Cycle, region.cycle_a)
        response = responses.start_organisation_response(session, cycle, region.police)
        for definition_page in SECTION_11.pages:
            answers = {q.id: ANSWERS[q.id] for q in definition_page.questions if q.id in ANSWERS}
            save = page_saves.PageSave(definition_page.id, answers, response.version)
            response = page_saves.save_page(session, response, save)


def copies(app: Any) -> list[Response]:
    with inspect_session(app) as session, tenancy.every_partnership(session):
        return list(session.scalars(select(Response).order_by(Response.id)))


def test_a_police_lead_answers_one_shared_section_11_that_two_partnerships_see(
    live_server, region, page
) -> None:
    problems = watch(page)

    sign_in(page, region.url, region.admin_b)  # B joins the shared cycle and adds a question
    page.get_by_role("link", name="Forms and cycles", exact=True).first.click()
    visit(page)
    expect(page.locator("main")).to_contain_text("Shared cycles offered to you")
    page.get_by_role("link", name="Regional Section 11 2026").click()
    visit(page)
    page.get_by_label("Shire Police (Agency)").check()
    page.get_by_role("button", name="Join this shared cycle").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have joined")
    visit(page)
    add_local_question(page, "Regional Section 11 2026", B_QUESTION)
    sign_out(page)

    sign_in(page, region.url, region.admin_a)  # A adds its own
    add_local_question(page, "Regional Section 11 2026", A_QUESTION)
    sign_out(page)

    answer_the_form_earlier(live_server.app, region)
    sign_in(page, region.url, region.lead)
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    visit(page)
    page.get_by_role("link", name="Regional Section 11 2026").click()
    visit(page)
    expect(page.locator(".govuk-inset-text").first).to_contain_text(
        "you answer it once, and your senior lead signs it off once"
    )
    page.get_by_role("link", name="Questions from Test Partnership").click()  # its own first
    visit(page)
    page.get_by_label(A_QUESTION).fill(A_ANSWER)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Questions from Neighbouring Partnership"
    )
    visit(page)
    page.get_by_label(B_QUESTION).fill(B_ANSWER)
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page)
    summary = page.locator("main")
    expect(summary).to_contain_text(A_ANSWER)
    expect(summary).to_contain_text(B_ANSWER)
    page.get_by_label(re.compile(r"I am the senior lead for Shire Police")).check()
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Return submitted")
    visit(page)
    sign_out(page)
    assert [copy.status for copy in copies(live_server.app)] == [ResponseStatus.SUBMITTED] * 2

    for admin, mine, theirs in (
        (region.admin_a, A_ANSWER, B_ANSWER),
        (region.admin_b, B_ANSWER, A_ANSWER),
    ):
        sign_in(page, region.url, admin)
        page.get_by_role("link", name="Forms and cycles", exact=True).first.click()
        visit(page)
        page.get_by_role("link", name="Regional Section 11 2026").first.click()
        expect(page.locator("main")).to_contain_text("Returns: 1 of 1 submitted")
        visit(page)
        page.get_by_role("link", name=re.compile(r"^Submitted")).click()
        visit(page)
        expect(page.locator("main")).to_contain_text("A shared return: answered once for")
        expect(page.locator("main")).to_contain_text(mine)
        expect(page.locator("main")).not_to_contain_text(theirs)
        sign_out(page)
    assert problems == []
