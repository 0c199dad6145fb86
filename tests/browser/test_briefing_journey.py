"""The quality group words an entry's learning briefing for practitioners, fixes a refused
question list from the error summary, and downloads the briefing: every page checked with axe."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from learning import log
from surveys.models import Role
from tests import factories
from tests.browser.test_case_review_journey import sign_in, submit, visit
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser


@pytest.fixture
def entry(live_server: Any) -> tuple[int, str]:
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
        found = log.create_entry(
            session,
            log.EntryDetails(
                title="Escalating unmet needs at weekends",
                lesson="Practitioners did not escalate when needs went unmet at weekends.",
                source_stream="consultation",
            ),
            created_by=quality,
        )
        return found.id, quality.email


def test_the_quality_group_words_and_downloads_a_briefing(page, live_server, entry):
    entry_id, email = entry
    sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/learning-log/{entry_id}")
    page.get_by_role("link", name="Read the briefing and change its wording").click()
    visit(page)
    expect(page.get_by_role("heading", name="The briefing as it reads now")).to_be_visible()

    page.get_by_label("Questions to reflect on").fill("\n".join(f"Question {n}?" for n in range(5)))
    submit(page, "Save the wording")
    visit(page)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Write 4 questions or fewer, one on each line")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Questions to reflect on")).to_be_focused()

    page.get_by_label("Questions to reflect on").fill("Who is on call this weekend?")
    page.get_by_label("What to do differently").fill("Call the on-call manager the same day.")
    submit(page, "Save the wording")
    visit(page)
    expect(page.get_by_text("The briefing’s wording has been saved")).to_be_visible()
    expect(page.locator(".app-briefing-preview")).to_contain_text("1. Who is on call this weekend?")

    for name, kind in (("PDF", "application/pdf"), ("Word", "wordprocessingml")):
        link = page.get_by_role("link", name=f"Download learning briefing ({name})")
        answer = page.request.get(live_server.url + link.get_attribute("href"))
        assert answer.ok and kind in answer.headers["content-type"]
