"""A national review: the quality group records it with two findings and asks two agencies,
each agency answers the first finding from its Assessments page, the review's grid shows both
answers side by side, and the police's gap becomes the police's action. Every page checked
with axe."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning.models import Action, ActionSource
from surveys.models import Role, utcnow
from tests import factories
from tests.browser.test_case_review_journey import fill_date, sign_in, sign_out, submit, visit
from tests.browser.test_trainee_journey import watch
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

FINDING = "Agencies share new information about risk the same day"
AGENCIES = {
    "police": ("Riverside Police", "Partly in place", "Weekend incidents wait until Monday."),
    "health": ("Riverside Health", "In place", ""),
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
        for key, (name, _, _) in AGENCIES.items():
            found[key] = factories.UserFactory(
                role=Role.ORGANISATION_LEAD,
                organisation=factories.OrganisationFactory(name=name),
                name=f"{name.split()[1]} Lead",
            )
        return {name: person.email for name, person in found.items()}


def record_the_review(page: Any) -> None:
    page.get_by_role("link", name="National reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National reviews")
    visit(page)
    page.get_by_role("link", name="Record a national review").click()
    visit(page)
    submit(page, "Record review")  # nothing entered
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the review's title")
    visit(page)
    page.get_by_label("Title").fill("Child Protection in England")
    page.get_by_label("Published by").fill("Child Safeguarding Practice Review Panel")
    fill_date(page, "Date published", utcnow().date() - timedelta(days=100))
    page.get_by_label("Link to the review").fill("https://www.gov.uk/example-review")
    submit(page, "Record review")
    expect(page.get_by_role("heading", level=1)).to_have_text("Child Protection in England")
    visit(page)
    for statement in (FINDING, "Practitioners record the child's own words"):
        page.get_by_role("link", name="Add a finding").click()
        visit(page)
        page.get_by_label("Finding").fill(statement)
        submit(page, "Add finding")
        expect(page.locator("#findings")).to_contain_text(statement)
    visit(page)
    page.get_by_role("link", name="Ask agencies how they measure up").click()
    visit(page)
    for name, _, _ in AGENCIES.values():
        page.get_by_label(name).check()
    fill_date(page, "Answer by", utcnow().date() + timedelta(days=28))
    submit(page, "Ask agencies")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("asked about every finding")
    visit(page)


def answer_the_finding(page: Any, url: str, email: str, agency: str, rating: str, gap: str) -> None:
    sign_in(page, url, email)
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    page.get_by_role("link", name=f"Finding 1: {FINDING}").click()
    visit(page)
    submit(page, "Start the assessment")
    page.get_by_role("link", name="How your services measure against the finding").click()
    visit(page)
    page.get_by_label(rating, exact=True).check()
    page.get_by_label("What is in place?").fill(f"{agency} has a daily risk meeting.")
    if gap:
        page.get_by_label("What is the gap, if any?").fill(gap)
    submit(page, "Save and continue")
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page)
    page.get_by_label(re.compile(rf"I am the senior lead for {agency}")).check()
    submit(page, "Sign off and submit")
    expect(page.locator(".govuk-panel")).to_contain_text("submitted")
    visit(page)
    sign_out(page)


def read_the_grid_and_act_on_the_gap(page: Any) -> None:
    page.get_by_role("link", name="National reviews").click()
    page.get_by_role("link", name="Child Protection in England").click()
    grid = page.locator("#grid")
    for name, rating, _ in AGENCIES.values():
        expect(grid.get_by_role("columnheader", name=name)).to_be_visible()
        expect(grid).to_contain_text(rating)
    expect(grid).to_contain_text("Weekend incidents wait until Monday.")
    visit(page)
    page.get_by_role(
        "link", name=re.compile("^Turn the gap into an action for Riverside Police")
    ).click()
    visit(page)
    page.get_by_label("What the agency will do").fill("Share weekend incidents the same day.")
    fill_date(page, "Due date", utcnow().date() + timedelta(days=60))
    submit(page, "Create action")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "now an action for Riverside Police"
    )
    expect(page.locator("#grid")).to_contain_text("Action due")
    visit(page)


def test_two_agencies_answer_a_finding_the_grid_shows_both_and_a_gap_becomes_an_action(
    live_server, people, page
) -> None:
    problems = watch(page)
    url = live_server.url
    sign_in(page, url, people["quality"])
    record_the_review(page)
    sign_out(page)
    for key, (agency, rating, gap) in AGENCIES.items():
        answer_the_finding(page, url, people[key], agency, rating, gap)
    sign_in(page, url, people["quality"])
    read_the_grid_and_act_on_the_gap(page)
    sign_out(page)
    sign_in(page, url, people["police"])
    page.get_by_role("link", name="Actions", exact=True).first.click()
    expect(page.locator("main")).to_contain_text("Share weekend incidents the same day.")
    expect(page.locator("main")).to_contain_text("National review")
    visit(page)
    assert problems == []

    with inspect_session(live_server.app) as session:
        action = session.scalars(select(Action)).one()
        assert action.source is ActionSource.NATIONAL_REVIEW
        assert action.owner_organisation.name == "Riverside Police"
