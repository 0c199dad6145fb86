"""A child under 11 answers the child-voice form from a link and is thanked, with help on hand."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import Response, utcnow
from tests.browser.conftest import check_accessibility
from tests.browser.test_trainee_journey import watch
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

HELP_NUMBERS = ("999", "Childline free on 0800 1111", "NSPCC on 0808 800 5000")
FACES = ("Yes", "Sometimes", "No")
MIN_TARGET = 24  # WCAG 2.2 SC 2.5.8 Target Size (Minimum), CSS pixels


@pytest.fixture
def child_link(live_server: Any) -> str:
    """Publish an open under-11 child-voice cycle and return its public link's URL."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        cycle = cycles.publish_cycle(
            session,
            load_definitions().latest("child-voice-under-11"),
            cycles.NewCycle(
                "Children in need 2026", now - timedelta(days=1), now + timedelta(days=30)
            ),
            created_by=None,
        )
        token = cycle.links[0].token
        session.commit()
    return f"{live_server.url}/f/{token}"


def assert_help_notice(page: Any) -> None:
    notice = page.get_by_role("region", name="If you are not safe or you are worried")
    expect(notice).to_be_visible()
    for words in HELP_NUMBERS:
        expect(notice).to_contain_text(words)


def assert_faces_are_labelled_targets(page: Any, question: str) -> None:
    """Each face has its word as visible text and a target at least 24 by 24 px."""
    choices = page.get_by_role("group", name=question, exact=True).get_by_role("radio")
    expect(choices).to_have_count(len(FACES))
    for index, word in enumerate(FACES):
        radio = choices.nth(index)
        expect(radio).to_have_accessible_name(word)  # the emoji is aria-hidden
        label = page.locator(f"label[for='{radio.get_attribute('id')}']")
        expect(label).to_be_visible()
        assert label.inner_text().strip().endswith(word)  # the word is on screen, not only read
        for target in (radio, label):
            box = target.bounding_box()
            assert box and box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, (word, box)


def choose(page: Any, question: str, answer: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_role(
        "radio", name=answer, exact=True
    ).check()


def test_child_under_11_completes_the_form(live_server, child_link, page) -> None:
    problems = watch(page)
    page.goto(child_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how things are for you")
    assert_help_notice(page)
    check_accessibility(page)
    page.get_by_role("button", name="Start").click()

    expect(page).to_have_title(re.compile(r"^Feeling safe"))
    assert_help_notice(page)  # the first question page
    check_accessibility(page)
    for question in ("Do you feel safe at home?", "Do you feel safe at school?"):
        assert_faces_are_labelled_targets(page, question)
    choose(page, "Do you feel safe at home?", "Yes")
    page.get_by_role("button", name="Next").click()  # one face not chosen
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a face")
    check_accessibility(page)
    choose(page, "Do you feel safe at school?", "Sometimes")
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title(re.compile(r"^Being listened to"))
    check_accessibility(page)
    assert_faces_are_labelled_targets(page, "Do grown-ups listen to you?")
    choose(page, "Do grown-ups listen to you?", "Sometimes")
    choose(page, "Has your worker helped you?", "Yes")
    choose(page, "Do you know who to tell if you are worried?", "I'm not sure")
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title(re.compile(r"^Anything else"))
    check_accessibility(page)
    page.get_by_label("Is there anything else you want to tell us?").fill("I like my new school")
    choose(page, "Who helped you answer?", "A worker")
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title(re.compile(r"^Check your answers"))
    assert_help_notice(page)
    check_accessibility(page)
    expect(page.locator(".govuk-summary-list")).to_contain_text("I like my new school")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    assert_help_notice(page)  # the last page
    check_accessibility(page)
    with inspect_session(live_server.app) as session:
        stored = session.scalars(select(Response)).one()
        assert stored.is_submitted
        assert stored.answers["feel_safe_school"] == "sometimes"
        assert stored.answers["know_who_to_tell"] == "not_sure"
    assert problems == []
