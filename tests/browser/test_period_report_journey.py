"""The quality group reads the six-monthly report of a period with three finished runs over
different streams, writes its sections, the chair signs off, and the PDF carries it all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from surveys.loader import load_definitions
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from tests.integration.reports.period_world import build_period_world
from tests.integration.reports.test_reports import normal, pdf_text
from webapp.database import session_factory

pytestmark = pytest.mark.browser
SUMMARY = "Escalation between agencies is our first priority for the next six months."
LEARNED = "Practitioners and agencies both told us escalation is unclear."


def test_group_writes_the_six_monthly_report_and_the_chair_signs_it_off(live_server, page):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        world = build_period_world(session, load_definitions())
        email = world.quality.email
        streams = (world.practitioners_run, world.section_11_run, world.children_run)
        labels = [world.labels[run_id] for run_id in streams]

    page.goto(f"{live_server.url}/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    expect(page).to_have_title(re.compile(r"^Reports"))
    check_accessibility(page)

    page.get_by_role("link", name="View the report for the last 6 months").click()
    expect(page).to_have_title(re.compile(r"^Six-monthly quality group report"))
    main = page.locator("main")
    for name in ("Children and families", "Practitioners", "Section 11 and Section 175"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    for run_labels in labels:
        for label in run_labels:
            expect(main).to_contain_text(label)
    expect(main).to_contain_text("Subjects that recur across streams")
    expect(main).to_contain_text("Draft — not signed off")
    check_accessibility(page)

    page.get_by_role("link", name="Write the quality group’s sections").click()
    page.get_by_label("Summary").fill("")
    page.get_by_role("button", name="Save sections").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write at least one section")
    check_accessibility(page)
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("What we learned").fill(LEARNED)
    page.get_by_role("button", name="Save sections").click()
    expect(main).to_contain_text(SUMMARY)

    page.get_by_role("link", name="Record the chair’s sign-off").click()
    check_accessibility(page)
    page.get_by_label("Chair's name").fill("Sam Chair")
    page.get_by_label("Role or title").fill("Independent Chair")
    page.get_by_role("button", name="Record sign-off").click()
    expect(main).to_contain_text("Signed off by Sam Chair, Independent Chair, on")
    expect(main).not_to_contain_text("Draft — not signed off")
    check_accessibility(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        text = normal(pdf_text(pdf.read()))
    for run_labels in labels:
        for label in run_labels:
            assert normal(label) in text, label
    assert normal(SUMMARY) in text and normal(LEARNED) in text
    assert "Signed off by Sam Chair, Independent Chair, on" in text
    assert "Draft — not signed off" not in text

    page.goto(f"{live_server.url}/reports/yearly")
    expect(page).to_have_title(re.compile(r"^Yearly report of the safeguarding partnership"))
    check_accessibility(page)
