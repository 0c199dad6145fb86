"""A child under 11 answers the child-voice form on a phone, with help on hand, and is thanked."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import Partnership, Response, Role, utcnow
from tests.browser.conftest import check_accessibility
from tests.browser.test_trainee_journey import watch
from tests.conftest import IN_CI, inspect_session

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
INTERNAL_TITLE = "Children’s voice (under 11) 2026"
REFERENCE = re.compile(r"LL-[A-Z0-9]{4}-[A-Z0-9]{4}")
HELP_TITLE = "If you are not safe or you are worried"
CHILD_HELP = ("call 999", "Childline on 0800 1111", "Tell a grown-up you trust", "01632 960 000")
FACES = ("Yes", "Sometimes", "No", "I don't want to say")
MIN_TARGET = 44  # our bar for a child's tap target; WCAG 2.2 SC 2.5.8 asks 24 CSS px
REFERENCES = Path(__file__).parent / "references"
FACES_REFERENCE = REFERENCES / "under-11-faces-375.png"
UPDATE_REFERENCES = os.environ.get("UPDATE_REFERENCE_SCREENSHOTS") == "1"
# Antialiasing differs a little between runs: a pixel counts as different when one colour
# channel moves by more than CHANNEL_TOLERANCE, and at most MAX_DIFFERENT_SHARE may differ.
# Faces that fail to load change about 7% of the pixels of the question (0% when they match).
CHANNEL_TOLERANCE = 64
MAX_DIFFERENT_SHARE = 0.01


@pytest.fixture
def child_link(live_server: Any) -> str:
    """Publish an open under-11 child-voice cycle with the partnership's front door set."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        partnership = session.scalar(select(Partnership)) or Partnership(name="Riverside SCP")
        partnership.front_door_name = "Riverside Front Door"
        partnership.front_door_phone = "01632 960 000"
        session.add(partnership)
        cycle = cycles.publish_cycle(
            session,
            load_definitions().latest("child-voice-under-11"),
            cycles.NewCycle(INTERNAL_TITLE, now - timedelta(days=1), now + timedelta(days=30)),
            created_by=None,
        )
        token = cycle.links[0].token
        session.commit()
    return f"{live_server.url}/f/{token}"


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A 375 px wide touch page at one device pixel per CSS pixel (axe needs bypass_csp)."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def assert_child_page(page: Any) -> None:
    """No page a child sees names the cycle or shows a reference; axe finds nothing serious."""
    words = page.locator("body").inner_text()
    assert INTERNAL_TITLE not in words and "Children’s voice" not in words
    assert not REFERENCE.search(words)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    check_accessibility(page)


def assert_full_help(page: Any) -> None:
    notice = page.get_by_role("region", name=HELP_TITLE)
    expect(notice).to_be_visible()
    for words in CHILD_HELP:
        expect(notice).to_contain_text(words)
    expect(notice).not_to_contain_text("NSPCC")  # the adults' number
    expect(page.get_by_role("link", name="Need help now?")).to_have_count(0)


def assert_short_help(page: Any) -> None:
    expect(page.get_by_role("region", name=HELP_TITLE)).to_have_count(0)
    expect(page.get_by_text("0800 1111")).to_have_count(0)
    expect(page.get_by_role("link", name="Need help now?")).to_be_visible()


def assert_faces_are_drawn_labelled_targets(page: Any, question: str) -> None:
    """Each face is a loaded picture beside its word; the word names a large, focusable choice."""
    group = page.get_by_role("group", name=re.compile("^" + re.escape(question)))
    choices = group.get_by_role("radio")
    expect(choices).to_have_count(len(FACES))
    for index, word in enumerate(FACES):
        radio = choices.nth(index)
        expect(radio).to_have_accessible_name(word)  # the picture's alt is empty
        label = page.locator(f"label[for='{radio.get_attribute('id')}']")
        expect(label).to_be_visible()
        assert label.inner_text().strip() == word  # the word is on screen, not only read out
        face = label.locator("img")
        loaded = face.evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, f"the face for {word!r} did not load"
        for target in (radio, label, face):
            box = target.bounding_box()
            assert box and box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, (word, box)
    choices.first.focus()
    ring = choices.first.evaluate(
        "input => getComputedStyle(input.nextElementSibling, '::before').boxShadow"
    )
    assert "255, 221, 0" in ring, f"no GOV.UK yellow focus ring: {ring}"  # focus visible


def choose(page: Any, question: str, answer: str) -> None:
    group = page.get_by_role("group", name=re.compile("^" + re.escape(question)))
    group.get_by_role("radio", name=answer, exact=True).check()


def test_child_under_11_completes_the_form_on_a_phone(live_server, child_link, phone) -> None:
    page = phone
    problems = watch(page)
    page.goto(child_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how things are for you")
    assert_full_help(page)  # the first page
    assert_child_page(page)
    page.get_by_role("link", name="What happens to your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What happens to your answers")
    expect(page.locator("main")).to_contain_text(
        "a grown-up whose job is to keep children safe will read it"
    )
    assert_child_page(page)
    page.get_by_role("link", name="Go back to the start").click()
    page.get_by_role("button", name="Start").click()

    expect(page).to_have_title(re.compile(r"^Feeling safe"))
    assert_short_help(page)
    assert_child_page(page)
    for question in ("Do you feel safe at home?", "Do you feel safe at school?"):
        assert_faces_are_drawn_labelled_targets(page, question)
    choose(page, "Do you feel safe at home?", "Yes")
    page.get_by_role("link", name="Need help now?").click()  # the choice is not saved yet
    expect(page.get_by_role("heading", level=1)).to_have_text(HELP_TITLE)
    for words in CHILD_HELP:
        expect(page.locator("main")).to_contain_text(words)
    assert_child_page(page)
    page.get_by_role("button", name="Go back to the questions").click()
    expect(page).to_have_title(re.compile(r"^Feeling safe"))  # back in the same place
    choose(page, "Do you feel safe at home?", "I don't want to say")
    page.get_by_role("button", name="Next").click()  # "safe at school" skipped: allowed

    expect(page).to_have_title(re.compile(r"^Being listened to"))
    assert_short_help(page)
    assert_child_page(page)
    assert_faces_are_drawn_labelled_targets(page, "Do grown-ups listen to you?")
    choose(page, "Do grown-ups listen to you?", "Sometimes")
    choose(page, "Has your worker helped you?", "Yes")
    choose(page, "Do you know who to tell if you are worried?", "I'm not sure")
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title(re.compile(r"^Anything else"))
    assert_short_help(page)
    assert_child_page(page)
    page.get_by_label("Is there anything else you want to tell us?").fill("I like my new school")
    choose(page, "Who helped you answer?", "A worker")
    page.get_by_role("button", name="Next").click()

    expect(page).to_have_title(re.compile(r"^Check your answers"))
    assert_short_help(page)
    assert_child_page(page)
    expect(page.locator(".govuk-summary-list")).to_contain_text("I like my new school")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    expect(page.locator("main")).to_contain_text("Who will read your answers")
    expect(page.get_by_text("Fill in the form again")).to_have_count(0)
    assert_full_help(page)  # the last page
    assert_child_page(page)
    with inspect_session(live_server.app) as session:
        stored = session.scalars(select(Response)).one()
        assert stored.is_submitted
        assert stored.answers["feel_safe_home"] == "dont_want_to_say"
        assert stored.answers.get("feel_safe_school") is None
        assert stored.answers["know_who_to_tell"] == "not_sure"
    assert problems == []


COMPARE = """async ([seen, expected, tolerance]) => {
    const load = src => new Promise((done, fail) => {
        const img = new Image(); img.onload = () => done(img); img.onerror = fail; img.src = src;
    });
    const [a, b] = await Promise.all([load(seen), load(expected)]);
    if (a.width !== b.width || a.height !== b.height) {
        return {size: [a.width, a.height, b.width, b.height], different: 1};
    }
    const pixels = img => {
        const canvas = document.createElement('canvas');
        canvas.width = img.width; canvas.height = img.height;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return context.getImageData(0, 0, img.width, img.height).data;
    };
    const [p, q] = [pixels(a), pixels(b)];
    let different = 0;
    for (let i = 0; i < p.length; i += 4) {
        if (Math.max(Math.abs(p[i] - q[i]), Math.abs(p[i + 1] - q[i + 1]),
                     Math.abs(p[i + 2] - q[i + 2])) > tolerance) different++;
    }
    return {size: [a.width, a.height], different: different / (p.length / 4)};
}"""


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def test_faces_render_as_drawn_in_the_test_browser(live_server, child_link, phone) -> None:
    """The first face question at 375 px looks like the committed reference, faces and all."""
    phone.goto(child_link)
    phone.get_by_role("button", name="Start").click()
    question = phone.locator(".govuk-form-group").filter(has_text="Do you feel safe at home?")
    faces = question.locator("img")
    expect(faces).to_have_count(len(FACES))
    for index in range(len(FACES)):
        assert faces.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    phone.evaluate("document.fonts.ready.then(() => true)")  # the same font on every run
    seen = question.screenshot(animations="disabled", caret="hide")
    if UPDATE_REFERENCES or not FACES_REFERENCE.exists():
        if IN_CI:
            pytest.fail(
                f"{FACES_REFERENCE} is missing: make it with UPDATE_REFERENCE_SCREENSHOTS=1"
            )
        REFERENCES.mkdir(exist_ok=True)
        FACES_REFERENCE.write_bytes(seen)
        pytest.skip(f"wrote {FACES_REFERENCE}: look at it, then commit it")
    expected = _data_url(FACES_REFERENCE.read_bytes())
    blank = phone.context.new_page()
    result = blank.evaluate(COMPARE, [_data_url(seen), expected, CHANNEL_TOLERANCE])
    assert result["different"] <= MAX_DIFFERENT_SHARE, (
        f"the face question differs from {FACES_REFERENCE.name}: {result}; if the change is "
        "meant, look at it and rerun with UPDATE_REFERENCE_SCREENSHOTS=1"
    )
    faces.evaluate_all("images => images.forEach(img => { img.style.visibility = 'hidden'; })")
    without_faces = question.screenshot(animations="disabled", caret="hide")
    missed = blank.evaluate(COMPARE, [_data_url(without_faces), expected, CHANNEL_TOLERANCE])
    blank.close()
    assert missed["different"] > MAX_DIFFERENT_SHARE, f"the tolerance hides missing faces: {missed}"


def test_a_sad_face_with_no_words_reaches_the_safeguarding_lead(
    live_server, child_link, phone, page, smtp_server
) -> None:
    """🙁 No to feeling safe at home, nothing written: the DSL sees it with the other answers."""
    from tests import factories
    from tests.browser.test_assessment_journey import sign_in

    with inspect_session(live_server.app) as session:
        factories.bind(session)
        dsl = factories.UserFactory(
            role=Role.SAFEGUARDING_LEAD, organisation=None, email="dsl@riverside.example.org"
        )
        session.commit()
        dsl_email = dsl.email
    child = phone
    child.goto(child_link)
    child.get_by_role("button", name="Start").click()
    choose(child, "Do you feel safe at home?", "No")
    choose(child, "Do you feel safe at school?", "Yes")
    child.get_by_role("button", name="Next").click()
    choose(child, "Do grown-ups listen to you?", "Sometimes")
    child.get_by_role("button", name="Next").click()
    choose(child, "Who helped you answer?", "Nobody - I did it on my own")
    child.get_by_role("button", name="Next").click()  # nothing written anywhere
    child.get_by_role("button", name="Send").click()
    expect(child.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    (alert,) = smtp_server.wait_for(1)
    assert alert["To"] == dsl_email and "/safeguarding/responses/" in alert.get_content()

    sign_in(page, live_server.url, dsl_email)
    page.goto(f"{live_server.url}/safeguarding")
    queue = page.get_by_role("region", name="Flagged responses")
    expect(queue).to_contain_text("Said they do not feel safe at home")
    expect(queue.get_by_role("link", name=re.compile("^Review"))).to_have_count(1)
    check_accessibility(page)
    queue.get_by_role("link", name=re.compile("^Review")).click()
    answers = page.locator("dl.govuk-summary-list").last
    expect(answers).to_contain_text("Do you feel safe at home?")
    expect(answers).to_contain_text("Flagged")
    expect(answers).to_contain_text("Do you feel safe at school?")
    expect(answers).to_contain_text("Nobody - I did it on my own")
    check_accessibility(page)
    page.get_by_role("radio", name="Referred to early help").check()
    page.get_by_label("Note (optional)").fill("Spoke to the school's DSL")
    page.get_by_role("button", name="Record review").click()
    expect(page.locator("main")).to_contain_text("Nothing is waiting for review")
