"""Two colleagues edit the same Section 11 standard in two browsers, without JavaScript tricks:
the second sees the first's answer beside theirs and chooses which to keep."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from surveys.models import Response
from tests.browser.test_assessment_journey import (
    SECTION_11,
    open_assessment,
    sign_in,
    stored,
    team,  # noqa: F401 - fixture
    visit,
)
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser
FIRST = SECTION_11.pages[0]
EVIDENCE = "What evidence shows how you meet this standard?"


def open_first_standard(page: Any, url: str, email: str) -> None:
    sign_in(page, url, email)
    open_assessment(page)
    page.get_by_role("link", name=FIRST.title).click()
    visit(page)


def test_second_editor_compares_answers_and_keeps_theirs(live_server, team, browser) -> None:  # noqa: F811
    with inspect_session(live_server.app) as session:
        from surveys import cycles, responses

        cycle = session.get(cycles.Cycle, team.cycle_id)
        responses.start_organisation_response(session, cycle, team.organisation_id)
    cass = browser.new_context(bypass_csp=True).new_page()
    lee = browser.new_context(bypass_csp=True).new_page()
    open_first_standard(cass, team.url, team.contributor)
    open_first_standard(lee, team.url, team.lead)

    cass.get_by_label(EVIDENCE).fill("Cass: the board minutes")
    cass.get_by_role("button", name="Save and come back later").click()
    visit(cass)
    lee.get_by_label(EVIDENCE).fill("Lee: the annual report")
    lee.get_by_role("button", name="Save and come back later").click()
    visit(lee)

    expect(lee.get_by_role("heading", name="Compare your answers with theirs")).to_be_visible()
    expect(lee.locator(".govuk-summary-card")).to_contain_text("Cass: the board minutes")
    expect(lee.locator(".govuk-summary-card")).to_contain_text("saved by Cass Contributor")
    if os.environ.get("SCREENSHOTS"):
        lee.screenshot(path=os.environ["SCREENSHOTS"] + "/conflict.png", full_page=True)
    lee.get_by_role("button", name="Save my choices").click()  # nothing chosen yet
    visit(lee)
    expect(lee.locator(".govuk-error-summary")).to_contain_text("Choose whether to keep")
    lee.get_by_label("Keep their answer").check()
    lee.get_by_role("button", name="Save my choices").click()
    visit(lee)
    expect(lee.get_by_role("heading", level=1)).to_have_text("Section 11 2026")
    answers: dict[str, Any] = stored(live_server.app).answers
    assert answers["s1_evidence"] == "Cass: the board minutes"
    assert isinstance(stored(live_server.app), Response)
