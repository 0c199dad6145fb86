"""Pages made for a child (and a family): plain titles, skippable questions, help in their words."""

from __future__ import annotations

import re
from datetime import timedelta

import lxml.html
import pytest
from sqlalchemy import select

from surveys import cycles, engine
from surveys.loader import load_definitions
from surveys.models import Partnership, PublicLink, Response, utcnow
from tests.conftest import csrf_from
from tests.integration.webapp.test_respond import start, submit

INTERNAL_TITLE = "Children’s voice (under 11) 2026"
REFERENCE = re.compile(r"LL-[A-Z0-9]{4}-[A-Z0-9]{4}")
CHILD_HELP = (
    "call 999",
    "Childline on 0800 1111",
    "Tell a grown-up you trust",
    "Riverside Front Door helps keep children safe.",
    "You or a grown-up can call them on 01632 960 000.",
    "a grown-up whose job is to keep children safe will read it",
)
PROMISES = re.compile(r"confidential|won.t tell|will not tell|nobody will know", re.IGNORECASE)


def publish(db_session, key: str, title: str) -> PublicLink:
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        load_definitions().latest(key),
        cycles.NewCycle(title, now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    )
    return cycle.links[0]


@pytest.fixture
def front_door(db_session) -> Partnership:
    partnership = db_session.scalar(select(Partnership)) or Partnership(name="Riverside SCP")
    partnership.front_door_name = "Riverside Front Door"
    partnership.front_door_phone = "01632 960 000"
    db_session.add(partnership)
    db_session.commit()
    return partnership


def text(html: str) -> str:
    return " ".join(lxml.html.fromstring(html).text_content().split())


def answer_nothing(client, link) -> None:
    """Start the form, press Next on every page without choosing anything, and send it."""
    submission_id = start(client, link)
    definition = load_definitions().latest(link.cycle.definition_key)
    for page in engine.visible_pages(definition, {}):
        shown = client.get(f"/f/{link.token}/{page.id}")
        posted = client.post(
            f"/f/{link.token}/{page.id}", data={"csrf_token": csrf_from(shown.text)}
        )
        assert posted.status_code == 302, (page.id, posted.text[:300])
    submitted = submit(client, link, submission_id)
    assert submitted.headers["Location"].endswith("/done")


def test_child_start_page_shows_no_internal_title_and_links_a_child_privacy_notice(
    client, db_session, front_door
):
    link = publish(db_session, "child-voice-under-11", INTERNAL_TITLE)
    page = client.get(f"/f/{link.token}")
    words = text(page.text)
    assert INTERNAL_TITLE not in page.text and "Children’s voice" not in words
    assert "Tell us how things are for you" in words
    for line in CHILD_HELP:
        assert line in words
    assert "NSPCC" not in words  # a number for adults
    assert f'href="/f/{link.token}/privacy"' in page.text

    privacy = text(client.get(f"/f/{link.token}/privacy").text)
    assert "What happens to your answers" in privacy
    assert "If you write that someone is hurting you" in privacy
    assert "a grown-up whose job is to keep children safe will read it" in privacy
    assert "We cannot keep that a secret" in privacy
    assert not PROMISES.search(privacy)


def test_family_start_page_shows_no_internal_title_and_keeps_the_adult_notice(
    client, db_session, front_door
):
    link = publish(db_session, "family-voice", "Family voice 2026 (Riverside locality)")
    words = text(client.get(f"/f/{link.token}").text)
    assert "Riverside locality" not in words and "Family voice 2026" not in words
    assert "NSPCC on 0808 800 5000 or Riverside Front Door on 01632 960 000." in words
    assert client.get(f"/f/{link.token}/privacy").headers["Location"] == "/privacy"


def test_a_trainee_still_sees_what_the_link_is_about(client, db_session):
    link = publish(db_session, "training-evaluation", "Neglect course, 3 March")
    assert "This is about: Neglect course, 3 March" in text(client.get(f"/f/{link.token}").text)


@pytest.mark.parametrize("key", ["child-voice-under-11", "child-voice-11-plus", "family-voice"])
def test_every_question_can_be_skipped(client, db_session, key):
    link = publish(db_session, key, "Voice")
    answer_nothing(client, link)
    stored = db_session.scalar(select(Response))
    assert stored.is_submitted
    questions = [q.id for page in load_definitions().latest(key).pages for q in page.questions]
    assert [stored.answers.get(q) for q in questions if stored.answers.get(q)] == []


@pytest.mark.parametrize("key", ["child-voice-under-11", "child-voice-11-plus", "family-voice"])
def test_every_single_choice_offers_i_dont_want_to_say(key):
    definition = load_definitions().latest(key)
    for page in definition.pages:
        for question in page.questions:
            assert not question.required, question.id
            if question.type in ("radios", "scale", "emoji_scale"):
                last = question.options[-1]
                assert (last.value, last.label) == ("dont_want_to_say", "I don't want to say")


def test_a_child_is_thanked_and_told_who_reads_without_a_reference(client, db_session, front_door):
    link = publish(db_session, "child-voice-under-11", INTERNAL_TITLE)
    answer_nothing(client, link)
    done = client.get(f"/f/{link.token}/done")
    words = text(done.text)
    assert "Thank you for telling us" in words
    assert "Who will read your answers" in words
    assert "A few grown-ups who work for" in words
    assert not REFERENCE.search(words) and "reference" not in words.lower()
    assert "Fill in the form again" not in words
    for line in CHILD_HELP:  # the last page has the whole notice
        assert line in words
    assert not PROMISES.search(words)


def test_a_family_is_thanked_without_a_reference_and_may_answer_again(
    client, db_session, front_door
):
    link = publish(db_session, "family-voice", "Family voice 2026")
    answer_nothing(client, link)
    words = text(client.get(f"/f/{link.token}/done").text)
    assert "Who will read your answers" in words
    assert not REFERENCE.search(words)
    assert "NSPCC on 0808 800 5000" in words  # the adult notice, in full
    assert "Fill in the form again for someone else" in words


@pytest.mark.parametrize("key", ["child-voice-under-11", "family-voice"])
def test_between_first_and_last_pages_a_short_link_keeps_the_place(
    client, db_session, front_door, key
):
    link = publish(db_session, key, "Voice")
    start(client, link)
    definition = load_definitions().latest(key)
    second = definition.pages[1].id
    page = client.get(f"/f/{link.token}/{second}")
    words = text(page.text)
    assert "Need help now?" in words
    assert "0800 1111" not in words  # not the whole notice again
    href = f"/f/{link.token}/help?return_to={second}"
    assert f'href="{href}"' in page.text
    check = client.get(f"/f/{link.token}/check")
    assert f'href="/f/{link.token}/help?return_to=check"' in check.text
    assert "0800 1111" not in text(check.text)

    help_page = client.get(href)
    assert help_page.status_code == 200
    doc = lxml.html.fromstring(help_page.text)
    assert doc.xpath("//a[contains(@class, 'govuk-back-link')]/@href") == [
        f"/f/{link.token}/{second}"
    ]
    assert "999" in text(help_page.text) and "0800 1111" in text(help_page.text)
    if key == "child-voice-under-11":
        assert "Go back to the questions" in text(help_page.text)
        assert "Tell a grown-up you trust" in text(help_page.text)
    else:
        assert "NSPCC on 0808 800 5000" in text(help_page.text)
    tricked = client.get(f"/f/{link.token}/help?return_to=//evil.example")
    assert f'href="/f/{link.token}"' in tricked.text and "evil.example" not in tricked.text
