"""At 320 CSS pixels wide, wide tables scroll inside their own region, not the whole page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from surveys.models import Role
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from webapp.database import session_factory

pytestmark = pytest.mark.browser


def test_users_list_is_usable_at_320_pixels(live_server, browser):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        factories.bind(session)
        factories.UserFactory(
            email="admin@example.org", role=Role.PARTNERSHIP_ADMIN, organisation=None
        )
        for number in range(3):
            factories.UserFactory(
                email=f"a.very.long.email.address.{number}@riverside-community-health.example.org"
            )
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/admin/users")
    region = page.get_by_role("region", name="Everyone in Test Partnership")
    expect(region).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # the table scrolls inside
    region.focus()
    expect(region).to_be_focused()
    check_accessibility(page)
    context.close()
