"""Someone in two partnerships sees which one they work in and switches, without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from surveys import tenancy
from surveys.models import Membership, Partnership, Role
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from webapp.database import session_factory

pytestmark = pytest.mark.browser


def test_switching_partnership_with_the_header_and_the_choice_page(live_server, browser):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        factories.bind(session)
        person = factories.UserFactory(
            email="priya@example.org", role=Role.QUALITY_GROUP, organisation=None
        )
        other = Partnership(name="Neighbouring Partnership")
        session.add(other)
        session.commit()
        with tenancy.working_in(session, other.id):
            police = factories.OrganisationFactory(name="Shared Constabulary")
        session.add(
            Membership(
                user=person,
                partnership_id=other.id,
                role=Role.ORGANISATION_CONTRIBUTOR,
                organisation=police,
            )
        )
        session.commit()
    context = browser.new_context(java_script_enabled=False)  # it all works without scripts
    page = _signed_in(context, live_server.url)
    bar = page.locator("#working-partnership")
    expect(bar).to_contain_text("Partnership: Test Partnership")
    expect(page.get_by_role("link", name="Themes", exact=True)).to_be_visible()

    page.get_by_role("link", name="Switch partnership").click()
    expect(page.get_by_role("heading", name="Choose a partnership")).to_be_visible()
    page.get_by_label("Neighbouring Partnership").check()
    page.get_by_role("button", name="Continue").click()
    expect(bar).to_contain_text("Partnership: Neighbouring Partnership")
    expect(page.get_by_text("You are now working in Neighbouring Partnership")).to_be_visible()
    expect(page.get_by_role("link", name="Assessments", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Themes", exact=True)).to_have_count(0)
    context.close()

    checked = browser.new_context(bypass_csp=True)  # axe needs scripts
    page = _signed_in(checked, live_server.url)
    check_accessibility(page)  # the header with the partnership bar
    page.goto(f"{live_server.url}/choose-partnership")
    check_accessibility(page)
    checked.close()


def _signed_in(context, url: str):
    page = context.new_page()
    page.goto(f"{url}/sign-in")
    page.get_by_label("Email address").fill("priya@example.org")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page
