"""Question pages in a real browser: axe, target sizes, keyboard use and no-JavaScript rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from surveys.loader import load_definition
from tests.browser.conftest import check_accessibility
from tests.integration.webapp.test_question_macros import UNDER_11, all_types, serve_question_pages

pytestmark = pytest.mark.browser

ALL_TYPES = all_types()
CHILD = load_definition(UNDER_11)
PAGES = [("all", page.id) for page in ALL_TYPES.pages] + [("under-11", p.id) for p in CHILD.pages]
# Controls a keyboard user must reach: one stop per radio group, every other control.
CONTROLS = (
    "input:not([type=hidden]):not([type=radio]), select, textarea, button, "
    "input[type=radio]:checked, .govuk-radios__item:first-child input[type=radio]"
)


def check_page(page: Any) -> list[dict]:
    """Run check_accessibility, setting aside GOV.UK Frontend's one documented axe finding.

    GOV.UK Frontend's JavaScript puts aria-expanded on radios that reveal a question; axe
    calls it critical (aria-allowed-attr). GOV.UK keep it on purpose because screen readers
    announce it (alphagov/govuk-frontend#979, listed as a known issue), so only that
    attribute, on exactly those radios, is removed before axe runs.
    """
    page.evaluate(
        "() => document.querySelectorAll('input.govuk-radios__input[aria-controls][aria-expanded]')"
        ".forEach(radio => radio.removeAttribute('aria-expanded'))"
    )
    return check_accessibility(page)


@pytest.fixture
def site(live_server: Any) -> Iterator[str]:
    """The live server with the question pages added (before its first request)."""
    serve_question_pages(live_server.app, {"all": ALL_TYPES, "under-11": CHILD})
    yield live_server.url


def _continue(page: Any) -> None:
    page.get_by_role("button", name=re.compile(r"^Continue$")).click()
    page.wait_for_load_state()


def test_every_question_page_passes_axe_empty_and_with_errors(site: str, page: Any) -> None:
    definitions = {"all": ALL_TYPES, "under-11": CHILD}
    for key, page_id in PAGES:
        page.goto(f"{site}/_questions/{key}/{page_id}")
        check_page(page)
        _continue(page)
        if not any(q.required for q in definitions[key].page(page_id).questions):
            expect(page).to_have_title(re.compile(r"^Saved"))  # a child may skip every question
            continue
        expect(page).to_have_title(re.compile(r"^Error: "))
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
        check_page(page)


def test_stored_answers_and_check_your_answers_pass_axe(site: str, page: Any) -> None:
    for page_id in ("rating", "facts", "plan"):
        page.goto(f"{site}/_questions/all/{page_id}?stored=1")
        check_page(page)
    page.goto(f"{site}/_summary/all?front_door=Front+Door&phone=01632+960+000")
    expect(page.locator(".govuk-summary-list")).to_be_visible()
    check_page(page)


def test_emoji_choices_are_large_targets_and_reflow_at_320px(site: str, page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{site}/_questions/under-11/safe")
    radios = page.locator(".app-emoji-scale--under-11 input[type=radio]")
    assert radios.count() == 8  # two questions: three faces and "I don't want to say"
    for index in range(radios.count()):
        for target in (
            radios.nth(index),
            page.locator(f"label[for='{radios.nth(index).get_attribute('id')}']"),
        ):
            box = target.bounding_box()
            assert box is not None and box["width"] >= 24 and box["height"] >= 24, box
    expect(page.get_by_role("radio", name="Sometimes", exact=True).first).to_be_visible()
    page.get_by_text("Sometimes").first.click()  # the whole label is a target
    expect(page.locator("#feel_safe_home-2")).to_be_checked()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 320px"


MARK_CONTROLS = """selector => [...document.querySelectorAll(selector)]
    .filter(control => control.closest('form[enctype]') && control.getClientRects().length)
    .map((control, index) => {
        control.dataset.tabKey = index;
        return control.id || control.name || control.textContent.trim();
    })"""


def _tab_through(page: Any, limit: int = 150) -> set[int]:
    """Press Tab from the top until focus leaves the form; return the marked controls reached."""
    reached: set[int] = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        key = page.evaluate(
            "() => document.activeElement.closest('form[enctype]')"
            " ? Number(document.activeElement.dataset.tabKey ?? -1) : null"
        )
        if key is None and reached:
            break
        if key is not None:
            reached.add(key)
    return reached


def test_tab_reaches_every_control_on_every_page(site: str, page: Any) -> None:
    for key, page_id in PAGES:
        page.goto(f"{site}/_questions/{key}/{page_id}")
        controls = page.evaluate(MARK_CONTROLS, CONTROLS)
        assert len(controls) >= 2, page_id
        reached = _tab_through(page)
        missing = [name for index, name in enumerate(controls) if index not in reached]
        assert not missing, f"Tab never reaches {missing} on {page_id}"
        assert -1 not in reached, f"Tab stops on an unexpected control on {page_id}"


def test_a_revealed_question_is_reached_by_keyboard(site: str, page: Any) -> None:
    page.goto(f"{site}/_questions/all/rating")
    expect(page.locator("#lead_role")).to_be_hidden()
    page.locator("#has_lead").focus()
    page.keyboard.press("Space")
    expect(page.locator("#lead_role")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#lead_role")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused input shows no focus ring"


def test_an_error_link_focuses_the_wrong_date_part(site: str, page: Any) -> None:
    page.goto(f"{site}/_questions/all/facts")
    page.locator("#review_date-day").fill("3")
    page.locator("#review_date-year").fill("2020")
    _continue(page)
    page.get_by_role("link", name="Date must include a month").click()
    expect(page.locator("#review_date-month")).to_be_focused()
    expect(page.locator("#review_date-month")).to_have_class(re.compile("govuk-input--error"))
    expect(page.locator("#review_date-day")).not_to_have_class(re.compile("govuk-input--error"))


def test_without_javascript_every_field_and_revealed_question_shows(
    site: str, browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for key, page_id in PAGES:
            page.goto(f"{site}/_questions/{key}/{page_id}")
            definition = ALL_TYPES if key == "all" else CHILD
            for question in definition.page(page_id).questions:
                expect(page.get_by_text(question.label, exact=False).first).to_be_visible()
        page.goto(f"{site}/_questions/all/rating")
        expect(page.locator("#lead_role")).to_be_visible()
        expect(page.get_by_label("What is the lead's role?")).to_be_editable()
        page.goto(f"{site}/_questions/all/text")
        expect(page.get_by_text("You can enter up to 10000 characters")).to_be_visible()
        page.goto(f"{site}/_questions/all/plan")
        page.locator("#actions-0-action").fill("Audit the policy")
        page.get_by_role("button", name=re.compile("^Add another")).click()
        expect(page.locator("#actions-1-action")).to_be_visible()
        expect(page.locator("#actions-0-action")).to_have_value("Audit the policy")
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
    finally:
        context.close()
