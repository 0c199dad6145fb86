"""An admin signs in, adds an organisation and invites a user, who sets a password and signs in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from surveys.models import Role
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from webapp.database import session_factory

pytestmark = pytest.mark.browser


def test_admin_invites_a_new_organisation_lead(live_server, page, smtp_server):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        factories.bind(session)
        factories.UserFactory(
            email="admin@example.org",
            role=Role.PARTNERSHIP_ADMIN,
            organisation=None,
            name="Alex Admin",
        )

    page.goto(f"{live_server.url}/")
    expect(page).to_have_title(re.compile(r"^Sign in"))
    check_accessibility(page)
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main")).to_contain_text("Welcome, Alex Admin")
    check_accessibility(page)

    page.get_by_role("link", name="Organisations").first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Add an organisation").click()
    page.get_by_role("button", name="Save organisation").click()  # nothing filled in
    expect(page).to_have_title(re.compile(r"^Error:"))
    check_accessibility(page)
    page.get_by_label("Organisation name").fill("Riverside Family Hub")
    page.get_by_label("Agency").check()
    page.get_by_label("Sector").select_option("voluntary")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.locator("main")).to_contain_text("Riverside Family Hub has been added")
    check_accessibility(page)

    page.get_by_role("link", name="Users").first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Invite a user").click()
    check_accessibility(page)
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Email address").fill("nia@familyhub.example")
    page.get_by_label("Organisation lead").check()
    page.get_by_label("Organisation", exact=True).select_option(label="Riverside Family Hub")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("main")).to_contain_text("An invitation has been sent to Nia Newcomer")

    (email,) = smtp_server.wait_for(1)
    link = re.search(r"http://127\.0\.0\.1:\d+/accept-invitation/\S+", email.get_content()).group(0)
    invitee = page.context.browser.new_context(bypass_csp=True).new_page()
    invitee.goto(link)
    expect(invitee).to_have_title(re.compile(r"^Create your password"))
    check_accessibility(invitee)
    invitee.get_by_label("Create a password").fill("family hub long password")
    invitee.get_by_label("Confirm your password").fill("family hub long password")
    invitee.get_by_role("button", name="Save password").click()
    expect(invitee.locator("main")).to_contain_text("you are signed in")
    expect(invitee.locator("main")).to_contain_text("Welcome, Nia Newcomer")
    expect(invitee.locator("main")).to_contain_text("Riverside Family Hub")
    check_accessibility(invitee)
    invitee.get_by_role("link", name="Your organisation", exact=True).click()
    expect(invitee.locator("main")).to_contain_text("Nia Newcomer")
    check_accessibility(invitee)
    invitee.context.close()


def test_pages_reflow_at_320px_without_horizontal_scroll(live_server, page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/sign-in")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    check_accessibility(page)
