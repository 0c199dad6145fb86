"""A business manager names an agency's senior contact and escalates its overdue return."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import Role, utcnow
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.browser.test_assessment_journey import sign_in, visit
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser


def test_admin_escalates_an_overdue_section_11_to_the_senior_contact(
    live_server, page, smtp_server
):
    now = utcnow()
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        factories.UserFactory(
            email="admin@example.org", role=Role.PARTNERSHIP_ADMIN, organisation=None
        )
        police = factories.OrganisationFactory(name="Riverside Police")
        factories.UserFactory(
            email="lead@police.example.org", organisation=police, role=Role.ORGANISATION_LEAD
        )
        cycle = cycles.publish_cycle(
            session,
            load_definitions().latest("section-11"),
            cycles.NewCycle(
                "Section 11 2026", now - timedelta(days=40), now - timedelta(days=2), (police.id,)
            ),
            created_by=None,
        )
        session.commit()
        cycle_id = cycle.id

    sign_in(page, live_server.url, "admin@example.org")
    page.get_by_role("link", name="Organisations").first.click()
    page.get_by_role("link", name="Change Riverside Police").click()
    visit(page)
    page.get_by_label("Name", exact=True).fill("Dana Director")
    page.get_by_role("button", name="Save organisation").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the senior contact’s email address"
    )
    visit(page)
    page.get_by_label("Job title (optional)").fill("Chief Superintendent")
    page.get_by_label("Email address").fill("dana@police.example.org")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.locator("main")).to_contain_text("Riverside Police has been updated")

    page.goto(f"{live_server.url}/admin/cycles/{cycle_id}")
    expect(page.locator(".govuk-warning-text")).to_contain_text("1 return is overdue")
    visit(page)
    page.get_by_role("link", name="Escalate overdue returns").click()
    expect(page.locator("main")).to_contain_text("Dana Director, Chief Superintendent")
    visit(page)
    page.get_by_role("button", name="Send overdue reminders").click()  # no date
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the new date the return is expected by"
    )
    visit(page)
    until = date.today() + timedelta(days=7)
    page.get_by_label("Day").fill(str(until.day))
    page.get_by_label("Month").fill(str(until.month))
    page.get_by_label("Year").fill(str(until.year))
    page.get_by_role("button", name="Send overdue reminders").click()
    expect(page.locator("main")).to_contain_text("2 emails sent about 1 overdue return")
    expect(page.locator("main")).to_contain_text(f"{until:%-d %b %Y} (extended)")
    check_accessibility(page)
    sent = {email["To"] for email in smtp_server.wait_for(2)}
    assert sent == {"lead@police.example.org", "dana@police.example.org"}
