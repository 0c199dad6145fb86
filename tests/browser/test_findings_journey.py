"""A quality group member reads the partnership's ratings: the grid, filtered, one standard,
one organisation's history, and the findings report downloaded as PDF and read back."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from tests.integration.webapp.findings_world import OUTCOME, THEME, build_world
from webapp.database import session_factory

pytestmark = pytest.mark.browser


def test_quality_group_reads_ratings_across_the_partnership_and_the_findings_report(
    live_server, page
):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        world = build_world(session, with_schools=False, with_themes=True)
        email, title = world.quality.email, world.this_year.title

    page.goto(f"{live_server.url}/findings")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Ratings across the partnership"))
    check_accessibility(page)

    page.get_by_role("link", name=title, exact=True).click()
    expect(page).to_have_title(re.compile(r"^Ratings by organisation and standard"))
    grid = page.get_by_role("table", name="Each organisation’s rating of each standard")
    police = grid.get_by_role("row").filter(has_text="Shire Police")
    expect(police).to_contain_text("Moderated: Partially met")
    expect(police).to_contain_text("Up")
    expect(police).to_contain_text("Down")
    expect(page.get_by_role("table", name="Self-ratings of each standard")).to_be_visible()
    check_accessibility(page)

    page.get_by_label("Sector").select_option(label="Police")
    page.get_by_role("button", name="Show organisations").click()
    expect(page).to_have_url(re.compile(r"sector=police"))
    expect(grid.get_by_role("row")).to_have_count(2)  # the header and the police
    expect(page.get_by_role("table", name="Change since last cycle")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name=re.compile(r"^S11-1: ")).click()
    expect(page.locator("h1")).to_contain_text("Senior leadership")
    rows = page.get_by_role("table", name="Each organisation’s rating of S11-1")
    expect(rows.get_by_role("row").filter(has_text="Shire Police")).to_contain_text("Up")
    check_accessibility(page)

    page.get_by_role("link", name="Shire Police").click()
    expect(page).to_have_title(re.compile(r"^Shire Police: ratings across cycles"))
    expect(page.locator("main")).to_contain_text("Section 11 2025")
    expect(page.locator("main")).to_contain_text("Section 11 2026")
    check_accessibility(page)

    page.goto(f"{live_server.url}/findings/cycles/{world.this_year.id}")
    page.get_by_role("link", name=f"Read the findings report for {title}").click()
    expect(page).to_have_title(re.compile(r"^Section 11 self-assessment findings report"))
    expect(page.locator("main")).to_contain_text(OUTCOME)
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF (PDF)").click()
    assert download.value.suggested_filename == f"findings-report-cycle-{world.this_year.id}.pdf"
    from pypdf import PdfReader

    with open(download.value.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    text = " ".join(text.split())
    assert "Moderated ratings by standard" in text
    assert "Change in self-rating since last cycle" in text
    assert "Returned late 1" in text
    assert OUTCOME in text and THEME in text
