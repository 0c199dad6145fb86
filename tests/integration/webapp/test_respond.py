"""Anonymous respondents: a trainee answers from a link, once, and is told their reference."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import DisclosureFlag, FollowUpRequest, Response, Role, utcnow
from tests import factories
from tests.conftest import csrf_from

TRAINING_PAGES = {
    "about_you": {"sector": "police"},
    "the_course": {"relevance": "4", "quality": "5", "learnt_new": "4"},
    "confidence": {"confidence-before": "2", "confidence-after": "4"},
    "your_practice": {
        "do_differently": "Use the escalation policy sooner",
        "improve": "More case studies please",
    },
    "follow_up": {"follow_up_consent": "yes", "follow_up_email": "trainee@example.org"},
}


@pytest.fixture
def training_link(db_session):
    definition = load_definitions().latest("training-evaluation")
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        definition,
        cycles.NewCycle("Neglect course", now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    )
    return cycle.links[0]


def start(client, link) -> str:
    page = client.get(f"/f/{link.token}")
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1)
    response = client.post(
        f"/f/{link.token}",
        data={"csrf_token": csrf_from(page.text), "submission_id": submission_id},
    )
    assert response.status_code == 302
    return submission_id


def answer(client, link, page_id: str, data: dict[str, str]):
    page = client.get(f"/f/{link.token}/{page_id}")
    return client.post(
        f"/f/{link.token}/{page_id}", data={**data, "csrf_token": csrf_from(page.text)}
    )


def complete(client, link) -> str:
    submission_id = start(client, link)
    for page_id, data in TRAINING_PAGES.items():
        assert answer(client, link, page_id, data).status_code == 302, page_id
    return submission_id


def submit(client, link, submission_id: str):
    page = client.get(f"/f/{link.token}/check")
    return client.post(
        f"/f/{link.token}/check",
        data={"csrf_token": csrf_from(page.text), "submission_id": submission_id},
    )


def test_trainee_submits_and_sees_a_reference(client, db_session, training_link):
    submission_id = complete(client, training_link)
    check = client.get(f"/f/{training_link.token}/check")
    assert "Use the escalation policy sooner" in check.text
    done = submit(client, training_link, submission_id)
    assert done.headers["Location"].endswith("/done")
    confirmation = client.get(done.headers["Location"]).text
    reference = re.search(r"LL-[A-Z0-9]{4}-[A-Z0-9]{4}", confirmation).group(0)
    stored = db_session.scalar(select(Response).where(Response.reference == reference))
    assert stored.is_submitted and stored.answers["confidence"] == {"before": 2, "after": 4}
    assert stored.organisation_id is None


def test_follow_up_email_is_kept_apart_from_the_answers(client, db_session, training_link):
    submit(client, training_link, complete(client, training_link))
    stored = db_session.scalar(select(Response))
    assert "follow_up_email" not in stored.answers
    assert "trainee@example.org" not in str(stored.answers)
    request = db_session.scalar(select(FollowUpRequest))
    assert request.email == "trainee@example.org"
    assert timedelta(weeks=5) < request.due_at - stored.submitted_at < timedelta(weeks=9)


def test_double_submit_and_replays_make_one_response(client, db_session, training_link):
    submission_id = complete(client, training_link)
    first = submit(client, training_link, submission_id)
    page = client.get(f"/f/{training_link.token}")  # a fresh CSRF token, as a browser would have
    again = client.post(
        f"/f/{training_link.token}/check",
        data={"csrf_token": csrf_from(page.text), "submission_id": submission_id},
    )
    assert again.headers["Location"] == first.headers["Location"]
    assert db_session.scalar(select(func.count(Response.id))) == 1


def test_replayed_start_does_not_make_a_second_draft(client, db_session, training_link):
    page = client.get(f"/f/{training_link.token}")
    data = {
        "csrf_token": csrf_from(page.text),
        "submission_id": re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1),
    }
    client.post(f"/f/{training_link.token}", data=data)
    client.post(f"/f/{training_link.token}", data=data)
    assert db_session.scalar(select(func.count(Response.id))) == 1


def test_invalid_page_shows_errors_and_keeps_earlier_answers(client, db_session, training_link):
    start(client, training_link)
    answer(client, training_link, "about_you", TRAINING_PAGES["about_you"])
    response = answer(client, training_link, "the_course", {"relevance": "9"})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Select how you would rate the course overall" in response.text
    stored = db_session.scalar(select(Response))
    assert stored.answers["sector"] == "police"


def test_nul_and_huge_text_are_refused_clearly(client, db_session, training_link):
    start(client, training_link)
    for page_id in ("about_you", "the_course", "confidence"):
        answer(client, training_link, page_id, TRAINING_PAGES[page_id])
    response = answer(
        client,
        training_link,
        "your_practice",
        {"do_differently": "bad\x00text", "improve": "x" * 3000},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "\x00" not in response.text


def test_back_button_after_submit_cannot_reopen_the_response(client, db_session, training_link):
    submit(client, training_link, complete(client, training_link))
    response = client.get(f"/f/{training_link.token}/your_practice")
    assert response.headers["Location"].endswith(f"/f/{training_link.token}")
    stored = db_session.scalar(select(Response))
    assert stored.answers["do_differently"] == "Use the escalation policy sooner"


def test_closed_cycle_shows_a_closed_page(client, db_session, training_link):
    training_link.cycle.closes_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    response = client.get(f"/f/{training_link.token}")
    assert response.status_code == 410
    assert "This form is closed" in response.text


def test_unknown_link_is_not_found(client, db_session):
    assert client.get("/f/not-a-token").status_code == 404


@pytest.mark.parametrize(
    "form", ["child-voice-under-11", "family-voice", "practitioner-consultation"]
)
def test_possible_disclosure_goes_to_the_safeguarding_lead_without_text(
    client, db_session, smtp_server, app, form
):
    import random

    from demo.answers import formdata_for, generate_answers
    from surveys import engine

    app.config.update(MAIL_PORT=smtp_server.port)
    factories.UserFactory(role=Role.SAFEGUARDING_LEAD, organisation=None, email="dsl@x.org")
    definition = load_definitions().latest(form)
    now = utcnow()
    link = cycles.publish_cycle(
        db_session,
        definition,
        cycles.NewCycle("Voice", now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    ).links[0]
    answers = generate_answers(definition, rng=random.Random(1))
    screened = next(
        q
        for q in engine.visible_questions(definition, answers)
        if q.analysis and q.analysis.screen_for_disclosure
    )
    answers[screened.id] = "my mums boyfriend hurts me and i dont want to go home"
    submission_id = start(client, link)
    for page in engine.visible_pages(definition, answers):
        posted = answer(client, link, page.id, dict(formdata_for(page, answers)))
        assert posted.status_code == 302, page.id
    submit(client, link, submission_id)
    flag = db_session.scalar(select(DisclosureFlag).filter_by(question_id=screened.id))
    assert flag is not None and flag.alerted_at is not None
    (email,) = smtp_server.wait_for(1)  # one email per response, however many answers flagged
    assert email["To"] == "dsl@x.org"
    body = email.get_content()
    assert "/safeguarding" in body and "hurts me" not in body and "go home" not in body


def test_training_feedback_is_not_screened(client, db_session, training_link):
    submission_id = start(client, training_link)
    pages = {
        **TRAINING_PAGES,
        "your_practice": {
            "do_differently": "Recognise when a child says they are scared to go home",
            "improve": "",
        },
        "follow_up": {"follow_up_consent": "no"},
    }
    for page_id, data in pages.items():
        answer(client, training_link, page_id, data)
    submit(client, training_link, submission_id)
    assert db_session.scalar(select(func.count(DisclosureFlag.id))) == 0


def test_posting_to_a_link_too_fast_is_slowed_with_429(db_session):
    from tests.conftest import make_app

    app = make_app(RESPOND_RATE_LIMIT="3 per minute")
    from tests.conftest import inspect_session

    session = inspect_session(app)
    definition = load_definitions().latest("training-evaluation")
    now = utcnow()
    link = cycles.publish_cycle(
        session,
        definition,
        cycles.NewCycle("Course", now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    ).links[0]
    client = app.test_client()
    statuses = []
    for _ in range(5):
        page = client.get(f"/f/{link.token}")
        statuses.append(
            client.post(
                f"/f/{link.token}",
                data={
                    "csrf_token": csrf_from(page.text),
                    "submission_id": re.search(
                        r'name="submission_id" value="([^"]+)"', page.text
                    ).group(1),
                },
            ).status_code
        )
    assert statuses[:3] == [302, 302, 302] and statuses[3:] == [429, 429]
    assert "Too many attempts" in client.post(f"/f/{link.token}", data={}).text


@pytest.mark.nlp
def test_worker_second_screen_catches_what_the_rules_miss(db_session, smtp_server):
    """Rules pass an indirect disclosure; the semantic screen in the worker flags it."""
    from surveys import responses
    from surveys.safeguarding import screen_answers
    from tests.conftest import inspect_session, make_app
    from webapp.tasks import screen_response_semantically

    app = make_app(MAIL_PORT=smtp_server.port, SEMANTIC_SCREEN=True)
    session = inspect_session(app)
    factories.bind(session)
    factories.UserFactory(role=Role.SAFEGUARDING_LEAD, organisation=None, email="dsl@x.org")
    definition = load_definitions().latest("child-voice-11-plus")
    now = utcnow()
    link = cycles.publish_cycle(
        session,
        definition,
        cycles.NewCycle("Voice", now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    ).links[0]
    text = "when the front door goes i run upstairs and put my headphones in and hope"
    question = next(
        q
        for p in definition.pages
        for q in p.questions
        if q.analysis and q.analysis.screen_for_disclosure
    )
    assert screen_answers(definition, {question.id: text}) == []  # the rules miss it
    response = responses.start_anonymous_response(session, link, str(__import__("uuid").uuid4()))
    response.answers = {question.id: text}
    response.status = responses.ResponseStatus.SUBMITTED
    response.submitted_at = now
    session.commit()
    assert screen_response_semantically(app, response.id) == 1
    assert screen_response_semantically(app, response.id) == 0  # once only
    flag = session.scalar(select(DisclosureFlag))
    assert flag.question_id == question.id and flag.reasons
    body = smtp_server.wait_for(1)[0].get_content()
    assert "headphones" not in body and "/safeguarding" in body


def test_each_page_works_out_the_journey_once(client, training_link, monkeypatch):
    """Pages shown, previous and progress come from one Journey; a save needs one more."""
    from surveys import journey

    worked_out = []
    real = journey._visibility
    monkeypatch.setattr(journey, "_visibility", lambda *args: worked_out.append(1) or real(*args))
    start(client, training_link)
    page = client.get(f"/f/{training_link.token}/about_you")
    assert page.status_code == 200 and len(worked_out) == 1
    worked_out.clear()
    saved = client.post(
        f"/f/{training_link.token}/about_you",
        data={"sector": "police", "csrf_token": csrf_from(page.text)},
    )
    assert saved.headers["Location"].endswith("/the_course")
    assert len(worked_out) == 2  # the page's answers, then the saved answers for "next"
    worked_out.clear()
    assert client.get(f"/f/{training_link.token}/check").status_code == 200
    assert len(worked_out) == 1
