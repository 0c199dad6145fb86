"""An audit day: the quality group starts a programme, adds a day and a case, three agencies
each complete the audit tool for that same case, and the combined case view shows all three;
then the forum's notes, the family's views and a finding for the learning log. And a
practitioner raises a practice concern anonymously, which the quality group triages. Every
page checked with axe."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning.models import LearningEntry
from surveys.models import AuditCase, ConcernTriage, Response, ResponseStatus, Role, utcnow
from tests import factories
from tests.browser.test_case_review_journey import fill_date, sign_in, sign_out, submit, visit
from tests.browser.test_trainee_journey import watch
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

REFERENCE = "NEG-2026-04"
AGENCIES = {
    "police": ("Riverside Police", "Good"),
    "health": ("Riverside Health", "Requires improvement"),
    "school": ("Riverside School", "Outstanding"),
}


@pytest.fixture
def people(live_server: Any) -> dict[str, str]:
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        found = {
            "quality": factories.UserFactory(
                role=Role.QUALITY_GROUP, organisation=None, name="Quinn Quality"
            )
        }
        for key, (name, _) in AGENCIES.items():
            found[key] = factories.UserFactory(
                role=Role.ORGANISATION_LEAD,
                organisation=factories.OrganisationFactory(name=name),
                name=f"{name.split()[1]} Lead",
            )
        return {name: person.email for name, person in found.items()}


def plan_the_day(page: Any) -> None:
    page.get_by_role("link", name="Case audits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case audits")
    visit(page)
    page.get_by_role("link", name="Start an audit programme").click()
    visit(page)
    submit(page, "Start programme")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name")
    visit(page)
    page.get_by_label("Name of the audit programme").fill("Multi-agency case audits 2026")
    page.get_by_label("Topics").fill("Neglect\nExploitation")
    submit(page, "Start programme")
    expect(page.get_by_role("heading", level=1)).to_have_text("Multi-agency case audits 2026")
    visit(page)
    page.get_by_role("link", name="Add an audit day").click()
    visit(page)
    fill_date(page, "Date of the audit day", utcnow().date())
    page.get_by_label("Neglect").check()
    submit(page, "Add audit day")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit day")
    visit(page)
    page.get_by_role("link", name="Add a case").click()
    visit(page)
    page.get_by_label("Audit reference").fill("Olivia-04")
    for name, _ in AGENCIES.values():
        page.get_by_label(name).check()
    submit(page, "Add case")
    expect(page.locator(".govuk-error-summary")).to_contain_text("looks like it contains a name")
    visit(page)
    page.get_by_label("Audit reference").fill(REFERENCE)
    submit(page, "Add case")
    expect(page.locator("main")).to_contain_text(f"Case {REFERENCE} has been added")
    visit(page)


def complete_audit_tool(page: Any, url: str, email: str, agency: str, grade: str) -> None:
    sign_in(page, url, email)
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    page.get_by_role("link", name=re.compile(rf"^Case audit {REFERENCE}")).click()
    visit(page)
    submit(page, "Start the assessment")
    page.get_by_role("link", name="Graded judgements").click()
    visit(page)
    for legend in (
        "How well were the child's needs",
        "How well were the child's voice",
        "How well did your agency",
        "Overall",
    ):
        page.get_by_role("group", name=re.compile(re.escape(legend))).get_by_label(
            grade, exact=True
        ).check()
    submit(page, "Save and continue")
    visit(page)
    page.get_by_label("What worked well?").fill(f"{agency} shared its worries quickly.")
    page.get_by_label("What should have been done differently?").fill(
        "The child's own words were not recorded."
    )
    submit(page, "Save and continue")
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page)
    page.get_by_label(re.compile(rf"I am the senior lead for {agency}")).check()
    submit(page, "Sign off and submit")
    expect(page.locator(".govuk-panel")).to_contain_text("submitted")
    visit(page)
    sign_out(page)


def read_the_case_and_record_learning(page: Any) -> None:
    page.get_by_role("link", name="Case audits").click()
    page.get_by_role("link", name="Multi-agency case audits 2026").click()
    page.get_by_role("link", name=re.compile(r"^\d+ \w+ \d{4}$")).click()
    page.get_by_role("link", name=REFERENCE).click()
    table = page.locator("#combined-view")
    for name, grade in AGENCIES.values():
        expect(table.get_by_role("columnheader", name=name)).to_be_visible()
        expect(table).to_contain_text(f"{name} shared its worries quickly.")
        expect(table).to_contain_text(grade)
    visit(page)
    page.get_by_role("link", name="Record the forum’s notes and the family’s views").click()
    visit(page)
    page.get_by_label("The practitioner forum’s notes").fill("Workers felt they were not heard.")
    page.get_by_label("The family’s views").fill("The family felt judged by agencies.")
    submit(page, "Save")
    expect(page.locator("main")).to_contain_text("The family felt judged by agencies.")
    visit(page)
    page.get_by_role("link", name=re.compile("^Back to audit day")).click()
    page.get_by_role("link", name=re.compile("^Back to Multi-agency")).click()
    page.get_by_role("link", name="Record a finding").click()
    visit(page)
    page.get_by_label("Lesson").check()
    page.get_by_label("Which audit day is it from?").select_option(index=1)
    page.get_by_label("Finding").fill("Record the child's own words in every agency's notes.")
    submit(page, "Record finding")
    visit(page)
    page.get_by_role("link", name=re.compile("^Add to the learning log")).click()
    visit(page)
    page.get_by_label("Title for the learning log").fill("Hear the child in every agency")
    submit(page, "Add to log")
    expect(page.locator("main")).to_contain_text("In the learning log: Hear the child")
    visit(page)


def test_three_agencies_audit_one_case_and_the_case_view_shows_all_three(
    live_server, people, page
) -> None:
    problems = watch(page)
    url = live_server.url
    sign_in(page, url, people["quality"])
    plan_the_day(page)
    sign_out(page)
    for key, (agency, grade) in AGENCIES.items():
        complete_audit_tool(page, url, people[key], agency, grade)
    sign_in(page, url, people["quality"])
    read_the_case_and_record_learning(page)
    assert problems == []

    with inspect_session(live_server.app) as session:
        case = session.scalars(select(AuditCase)).one()
        tools = session.scalars(select(Response).where(Response.cycle_id == case.cycle_id)).all()
        assert [t.status for t in tools] == [ResponseStatus.SUBMITTED] * 3
        assert len({t.organisation_id for t in tools}) == 3
        assert case.family_views == "The family felt judged by agencies."
        entry = session.scalars(select(LearningEntry)).one()
        assert entry.source_stream == "case_audit" and entry.audit_finding_id is not None


def test_a_practice_concern_raised_anonymously_is_triaged(live_server, people, page) -> None:
    problems = watch(page)
    url = live_server.url
    sign_in(page, url, people["quality"])
    page.get_by_role("link", name="Practice concerns").click()
    visit(page)
    submit(page, "Open the practice concern form")
    link = page.locator("#concern-link").get_attribute("href")
    visit(page)
    sign_out(page)

    page.goto(link)
    visit(page)
    page.get_by_role("button", name="Start").click()
    page.get_by_label("A near miss (something nearly went wrong)").check()
    page.get_by_label("What happened?").fill("A referral was nearly lost between two teams.")
    visit(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No, I want to stay anonymous").check()
    visit(page)
    page.get_by_role("button", name="Continue").click()
    visit(page)
    page.get_by_role("button", name=re.compile("^(Send|Submit)")).click()
    visit(page)

    sign_in(page, url, people["quality"])
    page.get_by_role("link", name="Practice concerns").click()
    expect(page.locator("main")).to_contain_text("New")
    page.locator("table a.govuk-link").first.click()
    expect(page.locator("main")).to_contain_text("A referral was nearly lost between two teams.")
    visit(page)
    page.get_by_label("Closed").check()
    submit(page, "Save triage")
    expect(page.locator(".govuk-error-summary")).to_contain_text("reason for closing")
    visit(page)
    page.get_by_label("Reason or notes").fill("Shared at the practitioner forum.")
    submit(page, "Save triage")
    expect(page.locator("main")).to_contain_text("Closed")
    visit(page)
    assert problems == []

    with inspect_session(live_server.app) as session:
        concern = session.scalars(
            select(Response).where(Response.definition_key == "practice-concern")
        ).one()
        assert "your_name" not in json.dumps(concern.answers)
        assert session.scalars(select(ConcernTriage)).one().reason.startswith("Shared")
