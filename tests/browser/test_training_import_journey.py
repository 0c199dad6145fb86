"""An admin imports last year's training evaluations from a spreadsheet, the before/after
confidence pair mapped from two columns, then a malformed file is refused whole with its
problems by row and column (axe on every page)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import Response, Role, utcnow
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from tests.integration.webapp.test_training_import import LAST_YEAR, MALFORMED
from webapp.database import session_factory

pytestmark = pytest.mark.browser


def _upload(page, url: str, cycle_id: int, name: str, text: str) -> None:
    page.goto(f"{url}/admin/cycles/{cycle_id}")
    page.get_by_role("link", name="Import answers collected in another tool").click()
    expect(page).to_have_title(re.compile(r"^Import answers"))
    check_accessibility(page)
    page.get_by_label("Upload a file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Continue").click()


def test_admin_imports_last_years_evaluations_and_a_malformed_file_is_refused(live_server, page):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        factories.bind(session)
        factories.UserFactory(
            email="admin@example.org", role=Role.PARTNERSHIP_ADMIN, organisation=None
        )
        now = utcnow()
        cycle = cycles.publish_cycle(
            session,
            load_definitions().latest("training-evaluation"),
            cycles.NewCycle(
                "Training feedback 2025", now - timedelta(days=400), now - timedelta(days=30)
            ),
            created_by=None,
        )
        session.commit()
        cycle_id = cycle.id

    page.goto(f"{live_server.url}/")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    _upload(page, live_server.url, cycle_id, "evaluations-2025.csv", LAST_YEAR)
    expect(page).to_have_title(re.compile(r"^Check the import"))
    before = page.get_by_label("Column “Confidence before”")
    after = page.get_by_label("Column “Confidence after”")
    expect(before.locator("option:checked")).to_contain_text("(Before the course)")
    expect(after.locator("option:checked")).to_contain_text("(After the course)")
    expect(page.locator("main")).to_contain_text("3 rows ready, 0 problems")
    expect(page.locator("main")).to_contain_text("left unanswered")
    check_accessibility(page)
    page.get_by_role("button", name="Import 3 responses").click()
    expect(page.locator("main")).to_contain_text("3 responses imported")
    check_accessibility(page)

    _upload(page, live_server.url, cycle_id, "evaluations-2024.csv", MALFORMED)
    expect(page).to_have_title(re.compile(r"^Error: Check the import"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 3: 'Maybe' is not an option")
    expect(summary).to_contain_text("Row 4: '9' is not an option")
    problems = page.get_by_role("table", name=re.compile(r"^Problems to fix in the file"))
    expect(problems.get_by_role("row")).to_have_count(4)  # the header and 3 problems
    expect(problems.get_by_role("row").nth(2)).to_contain_text("Confidence after")
    expect(page.get_by_role("button", name=re.compile(r"^Import"))).to_have_count(0)
    check_accessibility(page)

    with in_first_partnership(session_factory(live_server.app)()) as session:
        total = session.scalar(select(func.count()).where(Response.cycle_id == cycle_id))
    assert total == 3  # the malformed file's good row was not imported
