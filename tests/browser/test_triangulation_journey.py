"""Triangulation in the demo: the reviewer opens the Family Support Trust's Section 11 return,
sees its "Met" on escalation flagged against what its practitioners say, opens the counts, and
the quality group finds the same flag in the findings report (PDF read back). axe throughout."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from demo.practitioners import DISAGREEING
from tests.browser.conftest import check_accessibility
from tests.browser.test_quality_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.demo]  # the server's database holds the demo
REVIEWER = "lead@police.example.org"  # Sam Taylor also holds the return reviewer role
QUALITY = "quality@example.org"


@pytest.fixture
def demo(live_server):
    return live_server


def test_the_disagreeing_agency_is_flagged_on_its_review_page_and_in_the_report(demo, page):
    sign_in(page, demo.url, REVIEWER, start="/scrutiny")
    page.get_by_role("link", name=re.compile(r"^Section 11 self-assessment 2026")).first.click()
    check_accessibility(page)
    page.get_by_role("link", name=f"Review the return of {DISAGREEING}").click()
    expect(page.locator("h1")).to_have_text(DISAGREEING)
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text("Disagreement: S11-6 Escalation")
    expect(warning).to_contain_text("rated Met")
    expect(warning).to_contain_text("83% of 6 practitioners")
    check_accessibility(page)

    page.get_by_role("link", name="See the ratings beside the practitioners’ answers").click()
    expect(page).to_have_title(re.compile(r"^Ratings beside what practitioners say"))
    escalation = page.get_by_role("table", name=re.compile(r"escalation procedure"))
    expect(escalation).to_contain_text("6 answered")
    expect(escalation.get_by_role("row").filter(has_text="I'm not sure")).to_contain_text(
        "Not met in practice"
    )
    expect(page.locator("main")).to_contain_text("fewer than 5")  # no count under 5 shown
    # its trainees' figures come from the training dashboard (the demo's year of courses)
    expect(page.locator("main")).to_contain_text(
        re.compile(r"\d+ of its staff attended training; \d+ answered the evaluation, confidence")
    )
    check_accessibility(page)

    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, demo.url, QUALITY, start="/findings")
    page.get_by_role("link", name=re.compile(r"^Section 11 self-assessment 2026")).first.click()
    page.get_by_role("link", name=re.compile(r"^Read the findings report")).click()
    section = page.locator("main")
    expect(section).to_contain_text("Triangulation: ratings beside what practitioners say")
    flagged = page.get_by_role("table", name=re.compile(r"^Standards rated met"))
    expect(flagged).to_contain_text(DISAGREEING)
    expect(flagged).to_contain_text("S11-6 Escalation")
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    text = " ".join(text.split())
    assert "Triangulation: ratings beside what practitioners say" in text
    assert DISAGREEING in text.split("Triangulation: ratings beside")[1]
    assert "83%" in text
