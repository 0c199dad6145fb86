"""An action plan from a return: the organisation proposes an action for the standard it rated
below met (filled in from its return's own action plan), the reviewer agrees it during
scrutiny, the organisation posts a progress update with evidence of impact, and the action
sits in the organisation's one list beside the quality group's. axe runs on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from learning import actions
from surveys.models import Role
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.browser.test_scrutiny_journey import sign_in
from tests.conftest import in_first_partnership
from webapp.database import session_factory

pytestmark = pytest.mark.browser
PLANNED = "Survey practitioners on the impact of training"


def test_an_action_is_proposed_agreed_and_tracked_with_the_others(live_server, page):
    due = date.today() + timedelta(days=90)
    with in_first_partnership(session_factory(live_server.app)()) as session:
        factories.bind(session)
        police = factories.OrganisationFactory(name="Shire Police")
        health = factories.OrganisationFactory(name="Shire Health Trust")
        answers: dict[str, object] = {
            f"s{n}_rating": {"value": "met", "scale_version": 1} for n in range(1, 14)
        }
        answers["s14_actions"] = [
            {"action": PLANNED, "owner": "Training lead", "due_date": due.isoformat(),
             "status": "not_started", "progress_note": None}
        ]  # fmt: skip
        response = factories.submitted_return(
            session, health, title="Section 11 2026", answers=answers
        )
        reviewer_email = factories.person_holding(session, {Role.REVIEWER}, police).email
        lead_email = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=health).email
        quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
        actions.create_action(
            session,
            description="Refresh neglect training for front-line staff",
            owner_organisation_id=health.id,
            due_date=date.today() - timedelta(days=2),
            created_by=quality,
        )
        return_id = response.id

    sign_in(page, live_server.url, lead_email)
    page.get_by_role("link", name="Challenge and feedback").click()
    check_accessibility(page)
    page.get_by_role("link", name="Section 11 2026").click()
    main = page.locator("main")
    expect(main).to_contain_text("1 standard rated below met has no agreed action: S11-14")
    expect(main).to_contain_text("Action needed")
    check_accessibility(page)
    page.get_by_role("link", name="Propose an action for standard S11-14").click()
    expect(page.get_by_label("What will you do?")).to_have_value(PLANNED)  # from the return
    expect(page.get_by_label("Who will lead it?")).to_have_value("Training lead")
    check_accessibility(page)
    page.get_by_label("Who will lead it?").fill("")
    page.get_by_role("button", name="Propose the action").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter who will lead the action")
    check_accessibility(page)
    page.get_by_label("Who will lead it?").fill("Head of Workforce Development")
    page.get_by_role("button", name="Propose the action").click()
    expect(main).to_contain_text("has been sent to the partnership’s reviewer to agree")
    expect(main).to_contain_text("Action proposed")
    check_accessibility(page)

    reviewer = page.context.browser.new_context(bypass_csp=True).new_page()
    sign_in(reviewer, live_server.url, reviewer_email)
    reviewer.goto(f"{live_server.url}/scrutiny/returns/{return_id}")
    expect(reviewer.locator("main")).to_contain_text("No agreed action yet: S11-14")
    check_accessibility(reviewer)
    reviewer.get_by_role("link", name=re.compile(r"^S11-14\b")).click()
    expect(reviewer.locator("main")).to_contain_text(PLANNED)
    expect(reviewer.locator("main")).to_contain_text("Head of Workforce Development")
    check_accessibility(reviewer)
    reviewer.get_by_role("button", name=re.compile(r"Agree action \d+")).click()
    expect(reviewer.locator("main")).to_contain_text(
        "The action on standard S11-14 has been agreed"
    )
    check_accessibility(reviewer)
    reviewer.context.close()

    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.locator("h1")).to_have_text("Shire Health Trust’s actions")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    ours = rows.filter(has_text=PLANNED)
    expect(ours).to_contain_text("Return: Section 11 2026, standard S11-14")
    expect(ours).not_to_contain_text("Overdue")
    theirs = rows.filter(has_text="Refresh neglect training")
    expect(theirs).to_contain_text("Quality group")
    expect(theirs).to_contain_text("Overdue")  # its due date has passed
    check_accessibility(page)
    page.get_by_role("link", name=PLANNED).click()
    expect(page.locator("main")).to_contain_text("Head of Workforce Development")
    check_accessibility(page)
    page.get_by_label("Progress update").fill("Survey sent to 240 practitioners")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Evidence of impact (optional)").fill("Referral quality audit up 12 points")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator("main")).to_contain_text("Your update has been saved")
    expect(page.locator("main")).to_contain_text("Survey sent to 240 practitioners")
    expect(page.locator("main")).to_contain_text("Referral quality audit up 12 points")
    check_accessibility(page)
    page.get_by_role("link", name="All actions").click()
    expect(page.locator("tbody tr").filter(has_text=PLANNED)).to_contain_text("In progress")
    check_accessibility(page)
