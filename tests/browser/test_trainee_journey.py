"""A trainee gives feedback on a phone, and again with the keyboard only, from a course link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import FollowUpRequest, Response, utcnow
from tests.browser.conftest import check_accessibility
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
REFERENCE = re.compile(r"LL-[A-Z0-9]{4}-[A-Z0-9]{4}")
EMAIL = "trainee@example.org"
# The element that shows focus: a GOV.UK radio or checkbox draws it on its label's ::before.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', visible: false, shown: false};
  const box = el.matches('.govuk-radios__input, .govuk-checkboxes__input')
    ? [document.querySelector(`label[for="${el.id}"]`), '::before'] : [el, null];
  const style = getComputedStyle(box[0], box[1]);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  // WCAG 2.4.11: some of the focused control is on screen and not covered by other content.
  const rect = (box[1] ? box[0] : el).getBoundingClientRect();
  const top = Math.max(rect.top, 0), bottom = Math.min(rect.bottom, innerHeight);
  const left = Math.max(rect.left, 0), right = Math.min(rect.right, innerWidth);
  const inView = bottom > top && right > left;
  const hit = inView && document.elementFromPoint(left + Math.min((right - left) / 2, 10),
                                                  (top + bottom) / 2);
  const onTop = !!hit && (el.contains(hit) || box[0].contains(hit));
  return {tag: el.tagName.toLowerCase(), type: el.type || '', id: el.id, name: el.name || '',
          text: (el.innerText || '').trim().slice(0, 40), visible: outline || shadow,
          shown: inView && onTop};
}"""


@pytest.fixture
def training_link(live_server: Any) -> str:
    """Publish an open training-evaluation cycle and return its public link's URL."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        cycle = cycles.publish_cycle(
            session,
            load_definitions().latest("training-evaluation"),
            cycles.NewCycle("Neglect course", now - timedelta(days=1), now + timedelta(days=7)),
            created_by=None,
        )
        token = cycle.links[0].token
        session.commit()
    return f"{live_server.url}/f/{token}"


def watch(page: Any) -> list[str]:
    """Collect console errors, uncaught exceptions and dialogs on this page."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        # A question page re-shown with errors is a 400 by design; Chromium logs that.
        is_form_error = "status of 400" in message.text and message.location["url"] == page.url
        if message.type == "error" and not is_form_error:
            problems.append(f"console: {message.text} at {message.location['url']}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    return problems


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page in a phone-sized touch context (axe needs bypass_csp)."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def visit(page: Any, *, width: int | None = None) -> None:
    """Check the page that just loaded: axe, and no horizontal scroll at `width`."""
    page.wait_for_load_state()
    check_accessibility(page)
    if width is not None:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"horizontal scroll on {page.url}: {scroll}px > {width}px"


def group(page: Any, legend: str) -> Any:
    return page.get_by_role("group", name=legend, exact=True)


def stored_responses(app: Any) -> list[Response]:
    with inspect_session(app) as session:
        return list(session.scalars(select(Response)))


def test_trainee_gives_feedback_on_a_phone(live_server, training_link, phone) -> None:
    page, problems = phone, watch(phone)
    page.goto(training_link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell us what you thought of the course"
    )
    visit(page, width=375)
    page.get_by_role("button", name="Start").tap()

    expect(page).to_have_title(re.compile(r"^About you"))
    visit(page, width=375)
    page.get_by_label("Police", exact=True).check()
    page.get_by_role("button", name="Continue").tap()

    expect(page).to_have_title(re.compile(r"^The course"))
    visit(page, width=375)
    group(page, "How relevant was the course to your role?").get_by_label("Very relevant").check()
    page.get_by_role("button", name="Continue").tap()  # two required questions skipped
    expect(page).to_have_title(re.compile(r"^Error: The course"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select how you would rate the course overall")
    visit(page, width=375)
    summary.get_by_role("link", name="Select how you would rate the course overall").tap()
    expect(page.locator("#quality")).to_be_focused()
    relevance = group(page, "How relevant was the course to your role?")
    expect(relevance.get_by_label("Very relevant")).to_be_checked()  # kept after the error
    group(page, "How would you rate the course overall?").get_by_label("Good").check()
    learnt = "How much do you agree: I learnt something I can use in my work"
    group(page, learnt).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Continue").tap()

    expect(page).to_have_title(re.compile(r"^Your confidence"))
    visit(page, width=375)
    group(page, "Before the course").get_by_label("Slightly confident").check()
    group(page, "After the course").get_by_label("Very confident").check()
    page.get_by_role("button", name="Continue").tap()

    expect(page).to_have_title(re.compile(r"^Your practice"))
    visit(page, width=375)
    page.get_by_label("What will you do differently").fill("Escalate concerns about neglect sooner")
    page.get_by_label("What could we improve about the course?").fill("More case studies")
    page.get_by_role("button", name="Continue").tap()

    expect(page).to_have_title(re.compile(r"^Follow-up in 6 to 8 weeks"))
    visit(page, width=375)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Email address").fill(EMAIL)
    visit(page, width=375)  # the revealed email question, too
    page.get_by_role("button", name="Continue").tap()

    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page, width=375)
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text("Escalate concerns about neglect sooner")
    expect(answers).to_contain_text("Very confident")
    page.get_by_role("button", name="Send feedback").tap()

    expect(page.locator(".govuk-panel")).to_contain_text("Your reference")
    visit(page, width=375)
    reference = REFERENCE.search(page.locator(".govuk-panel").inner_text()).group(0)
    page.reload()  # a refresh of the confirmation sends nothing again
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    (stored,) = stored_responses(live_server.app)
    assert stored.reference == reference and stored.is_submitted
    assert stored.answers["confidence"] == {"before": 2, "after": 4}
    assert EMAIL not in str(stored.answers)  # kept apart, for the follow-up only
    with inspect_session(live_server.app) as session:
        assert session.scalar(select(func.count(FollowUpRequest.id))) == 1
    assert problems == []


# ---- keyboard only -------------------------------------------------------------------------


def focus(page: Any) -> dict[str, Any]:
    """Return what has focus; fail unless it is visibly focused and not hidden."""
    state = page.evaluate(FOCUS_STATE)
    assert state["visible"], f"focus not visible on {page.url}: {state}"
    assert state["shown"], f"focused element hidden or off screen on {page.url}: {state}"
    return state


def tab_to(page: Any, matches: Any, *, limit: int = 40) -> dict[str, Any]:
    """Press Tab until `matches(state)`; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focus(page)
        if matches(state):
            return state
    raise AssertionError(f"never reached the control with Tab on {page.url}")


def named(name: str) -> Any:
    return lambda state: state["name"] == name


def button(text: str) -> Any:
    return lambda state: state["tag"] == "button" and state["text"].startswith(text)


def press_and_wait(page: Any, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def choose_first(page: Any, name: str) -> None:
    """Tab into a radio group (first option when none is chosen) and choose it with Space."""
    tab_to(page, named(name))
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")


def test_trainee_completes_the_form_with_the_keyboard_only(live_server, training_link, page):
    problems = watch(page)
    page.goto(training_link)
    visit(page)
    tab_to(page, button("Start"))
    press_and_wait(page, "Enter")

    expect(page).to_have_title(re.compile(r"^About you"))
    visit(page)
    choose_first(page, "sector")
    tab_to(page, button("Continue"))
    press_and_wait(page, "Enter")

    expect(page).to_have_title(re.compile(r"^The course"))
    for name in ("relevance", "quality", "learnt_new"):
        choose_first(page, name)
    page.keyboard.press("Shift+Tab")  # back to the previous group: still visibly focused
    assert focus(page)["name"] == "quality"
    page.keyboard.press("Tab")
    tab_to(page, button("Continue"))
    press_and_wait(page, "Enter")

    expect(page).to_have_title(re.compile(r"^Your confidence"))
    choose_first(page, "confidence-before")
    choose_first(page, "confidence-after")
    tab_to(page, button("Continue"))
    press_and_wait(page, "Enter")

    expect(page).to_have_title(re.compile(r"^Your practice"))
    tab_to(page, named("do_differently"))
    page.keyboard.type("Share information with the school earlier")
    tab_to(page, button("Continue"))
    press_and_wait(page, "Enter")

    expect(page).to_have_title(re.compile(r"^Follow-up"))
    choose_first(page, "follow_up_consent")  # "Yes" reveals the email question
    tab_to(page, named("follow_up_email"))
    page.keyboard.type(EMAIL)
    visit(page)
    tab_to(page, button("Continue"))
    press_and_wait(page, "Enter")

    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page)
    tab_to(page, button("Send feedback"))
    press_and_wait(page, "Enter")

    expect(page.locator(".govuk-panel")).to_contain_text(REFERENCE)
    visit(page)
    (stored,) = stored_responses(live_server.app)
    assert stored.is_submitted and stored.answers["sector"] == "police"
    assert stored.answers["do_differently"] == "Share information with the school earlier"
    assert problems == []
