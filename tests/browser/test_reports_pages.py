"""A quality group member reads both reports, downloads the PDF, and mistypes a date."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from surveys.loader import load_definitions
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from tests.integration.reports.test_reports import CANARY, build_world
from webapp.database import session_factory

pytestmark = pytest.mark.browser


def test_quality_group_reads_and_downloads_the_reports(live_server, page):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        world = build_world(session, load_definitions())
        email = world.quality.email

    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Reports"))
    check_accessibility(page)

    page.get_by_role("link", name=f"Theme report of run {world.run_id}").click()
    expect(page).to_have_title(re.compile(rf"^Theme report: run {world.run_id}"))
    chart = page.get_by_role("img", name=re.compile("Number of statements in each"))
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name="Themes by size")).to_be_visible()
    expect(page.locator("main")).to_contain_text("fewer than 5")
    expect(page.locator("main")).not_to_contain_text(CANARY)
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF (PDF)").click()
    assert download.value.suggested_filename == f"theme-report-run-{world.run_id}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.goto(f"{live_server.url}/reports/six-monthly")
    expect(page).to_have_title(re.compile(r"^Six-monthly quality group report"))
    expect(page.locator("main")).to_contain_text("2 of 3")
    expect(page.locator("main")).to_contain_text(world.action_text)
    expect(page.get_by_role("img", name=re.compile("Ratings by standard"))).to_be_visible()
    check_accessibility(page)

    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("31")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show report").click()
    expect(page).to_have_title(re.compile(r"^Error: Six-monthly"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Start date must be a real date")
    check_accessibility(page)
