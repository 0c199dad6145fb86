"""Safeguarding in one place: every submission path flags, alerts and gets the second screen.

A flagged case audit (organisation path), a flagged import and a flagged child's answer each
reach the designated safeguarding lead (DSL); a queue outage at submission loses no alert;
a choice answer marked as a concern flags with no words; the DSL's queue groups by response.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from demo.answers import formdata_for, generate_answers
from surveys import cycles, engine, importing, safeguarding, tenancy
from surveys.loader import load_definitions
from surveys.models import (
    AuditEvent,
    DisclosureFlag,
    DisclosureStatus,
    FlagSource,
    Response,
    ReviewOutcome,
    Role,
    utcnow,
)
from tests import factories
from tests.conftest import csrf_from, free_port, inspect_session, make_app, write_lock_is_free

REGISTRY = load_definitions()
DISCLOSURE = "The girl told her teacher that her stepdad hits her and she is scared to go home"
CHILD_DISCLOSURE = "my mums boyfriend hurts me and i dont want to go home"


def _client_as(app, session, user):
    from surveys import accounts

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, user)
    return client


def _publish(session, key, *, organisations=()):
    now = utcnow()
    return cycles.publish_cycle(
        session,
        REGISTRY.latest(key),
        cycles.NewCycle(key, now - timedelta(days=1), now + timedelta(days=7), organisations),
        created_by=None,
    )


def _answer_link(client, link, definition, answers) -> None:
    """Answer an anonymous form page by page and submit it, as a respondent would."""
    page = client.get(f"/f/{link.token}")
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1)
    client.post(
        f"/f/{link.token}",
        data={"csrf_token": csrf_from(page.text), "submission_id": submission_id},
    )
    for shown in engine.visible_pages(definition, answers):
        html = client.get(f"/f/{link.token}/{shown.id}").text
        data = {**dict(formdata_for(shown, answers)), "csrf_token": csrf_from(html)}
        assert client.post(f"/f/{link.token}/{shown.id}", data=data).status_code == 302, shown.id
    check = client.get(f"/f/{link.token}/check").text
    done = client.post(
        f"/f/{link.token}/check",
        data={"csrf_token": csrf_from(check), "submission_id": submission_id},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/done")


def _hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


@pytest.fixture
def dsl(db_session):
    return factories.UserFactory(
        role=Role.SAFEGUARDING_LEAD, organisation=None, email="dsl@example.org"
    )


def test_a_flagged_case_audit_alerts_the_dsl(app, db_session, smtp_server, dsl):
    """The organisation path (a lead signs off a case audit) alerts like an anonymous form."""
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation = factories.OrganisationFactory(name="Riverside Police")
    lead = factories.UserFactory(organisation=organisation, role=Role.ORGANISATION_LEAD)
    cycle = _publish(db_session, "case-audit", organisations=(organisation.id,))
    definition = REGISTRY.latest("case-audit")
    answers = generate_answers(definition, rng=random.Random(4))
    screened = next(
        q.id for q, _ in _screened_questions(definition, answers) if answers.get(q.id) is not None
    )
    answers[screened] = DISCLOSURE
    client = _client_as(app, db_session, lead)
    html = client.get(f"/assessments/{cycle.id}").text
    client.post(f"/assessments/{cycle.id}/start", data={"csrf_token": csrf_from(html)})
    for page in engine.visible_pages(definition, answers):
        html = client.get(f"/assessments/{cycle.id}/{page.id}").text
        data = {**_hidden_fields(html), **dict(formdata_for(page, answers))}
        data["csrf_token"] = csrf_from(html)
        assert client.post(f"/assessments/{cycle.id}/{page.id}", data=data).status_code == 302
    check = client.get(f"/assessments/{cycle.id}/check").text
    data = {**_hidden_fields(check), "csrf_token": csrf_from(check), "confirm": "yes"}
    client.post(f"/assessments/{cycle.id}/submit", data=data)
    response = db_session.scalar(select(Response).where(Response.cycle_id == cycle.id))
    assert response.is_submitted and response.is_flagged
    flag = db_session.scalar(
        select(DisclosureFlag).where(DisclosureFlag.response_id == response.id)
    )
    assert flag.question_id == screened and flag.alerted_at is not None
    emails = smtp_server.wait_for(2)  # the DSL's alert, and the lead's receipt for the return
    (email,) = [e for e in emails if e["To"] == "dsl@example.org"]
    body = email.get_content()
    assert f"/safeguarding/responses/{response.id}" in body and "stepdad" not in body
    assert all("stepdad" not in e.get_content() for e in emails)


def _screened_questions(definition, answers):
    return [
        (q, answers.get(q.id))
        for q in engine.visible_questions(definition, answers)
        if q.analysis and q.analysis.screen_for_disclosure
    ]


def test_a_flagged_import_alerts_the_dsl(app, db_session, smtp_server, dsl, admin, login_as):
    app.config.update(MAIL_PORT=smtp_server.port)
    cycle = _publish(db_session, "family-voice")
    definition = REGISTRY.latest("family-voice")
    answers = generate_answers(definition, rng=random.Random(2))
    question = next(q for q, _ in _screened_questions(definition, answers))
    answers[question.id] = CHILD_DISCLOSURE
    rows = [{q.id: _cell(answers.get(q.id)) for q in engine.visible_questions(definition, answers)}]
    preview = importing.preview_import(rows, {key: key for key in rows[0]}, definition)
    assert preview.errors == []
    importing.apply_import(db_session, cycle, preview)
    from webapp.tasks import send_pending_alerts

    assert send_pending_alerts(app) == 1  # the periodic job alerts what the import flagged
    (email,) = smtp_server.wait_for(1)
    assert email["To"] == "dsl@example.org" and "hurts me" not in email.get_content()
    assert send_pending_alerts(app) == 0  # once only
    flag = db_session.scalar(select(DisclosureFlag))
    db_session.refresh(flag)
    assert flag.alerted_at is not None and flag.source is FlagSource.RULES


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def test_a_queue_outage_at_submission_loses_no_alert(smtp_server):
    """The child sees the done page; the flag waits; the alert goes when the queue is back."""
    from webapp.tasks import send_pending_alerts

    down = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = make_app(MAIL_PORT=smtp_server.port, QUEUE_URL=down, QUEUE_IMMEDIATE=False)
    session = inspect_session(app)
    factories.bind(session)
    factories.UserFactory(role=Role.SAFEGUARDING_LEAD, organisation=None, email="dsl@x.org")
    definition = REGISTRY.latest("child-voice-11-plus")
    link = _publish(session, "child-voice-11-plus").links[0]
    answers = generate_answers(definition, rng=random.Random(5))
    question = next(q for q, _ in _screened_questions(definition, answers))
    answers[question.id] = CHILD_DISCLOSURE
    client = app.test_client()
    _answer_link(client, link, definition, answers)  # asserts the done page, not an error
    assert client.get("/healthz").get_json()["queue"] == "unavailable"
    flag = session.scalar(select(DisclosureFlag))
    assert flag is not None and flag.alerted_at is None
    assert smtp_server.messages == []
    assert send_pending_alerts(app) == 1  # what the periodic job runs once the queue is back
    session.refresh(flag)
    assert flag.alerted_at is not None
    assert smtp_server.wait_for(1)[0]["To"] == "dsl@x.org"


def test_healthz_says_the_queue_is_fine_when_it_is(client):
    assert client.get("/healthz").get_json()["queue"] == "ok"


def test_no_then_nothing_else_reaches_the_dsl_with_the_childs_other_answers(
    app, db_session, smtp_server, dsl
):
    """A child under 11 answers 🙁 No to feeling safe at home and writes nothing."""
    app.config.update(MAIL_PORT=smtp_server.port)
    definition = REGISTRY.latest("child-voice-under-11")
    link = _publish(db_session, "child-voice-under-11").links[0]
    answers = generate_answers(definition, rng=random.Random(6))
    answers.update(feel_safe_home="no", feel_safe_school="yes", want_to_talk="no")
    answers["anything_else"] = ""
    _answer_link(app.test_client(), link, definition, answers)
    (flag,) = db_session.scalars(select(DisclosureFlag)).all()
    assert (flag.question_id, flag.source, flag.reasons) == (
        "feel_safe_home",
        FlagSource.CONCERN_ANSWER,
        safeguarding.CONCERN_ANSWER,
    )
    assert smtp_server.wait_for(1)
    dsl_client = _client_as(app, db_session, dsl)
    queue = dsl_client.get("/safeguarding").text
    assert "Said they do not feel safe at home" in queue
    page = dsl_client.get(f"/safeguarding/responses/{flag.response_id}").text
    assert "Do you feel safe at school?" in page and "Who helped you answer?" in page
    assert link.label in page  # the link it came from
    viewed = db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "disclosure.viewed",
            AuditEvent.object_id == str(flag.response_id),
        )
    )
    assert viewed is not None and viewed.user_id == dsl.id


def test_a_happy_child_is_not_flagged(app, db_session, dsl):
    definition = REGISTRY.latest("child-voice-under-11")
    answers = {"feel_safe_home": "yes", "feel_safe_school": "sometimes", "want_to_talk": "no"}
    assert safeguarding.screen_answers(definition, answers) == []
    assert safeguarding.screen_answers(definition, {"want_to_talk": "yes"}) == [
        safeguarding.Finding("want_to_talk", ("concern_answer",), FlagSource.CONCERN_ANSWER)
    ]


def test_the_queue_lists_a_response_once_and_records_an_outcome(app, db_session, dsl):
    definition = REGISTRY.latest("child-voice-11-plus")
    link = _publish(db_session, "child-voice-11-plus").links[0]
    older, newer = [_flagged_response(db_session, link, definition, days) for days in (3, 0)]
    client = _client_as(app, db_session, dsl)
    queue = client.get("/safeguarding").text
    assert queue.count(f"/safeguarding/responses/{newer.id}") == 1  # two flags, one row
    assert queue.index(f"responses/{newer.id}") < queue.index(f"responses/{older.id}")
    assert "Overdue" in queue  # the three-day-old one
    url = f"/safeguarding/responses/{older.id}"
    page = client.get(url).text
    refused = client.post(url, data={"csrf_token": csrf_from(page), "note": "Rang"})
    assert refused.status_code == 400 and "Select what you decided" in refused.text
    done = client.post(
        url,
        data={"csrf_token": csrf_from(page), "outcome": "childrens_social_care", "note": "Ref 42"},
    )
    assert done.status_code == 302
    flags = db_session.scalars(
        select(DisclosureFlag).where(DisclosureFlag.response_id == older.id)
    ).all()
    for flag in flags:
        db_session.refresh(flag)
    assert {(f.status, f.outcome, f.action_taken, f.reviewed_by_id) for f in flags} == {
        (DisclosureStatus.REVIEWED, ReviewOutcome.CHILDRENS_SOCIAL_CARE, "Ref 42", dsl.id)
    }
    waiting = client.get("/safeguarding").text
    assert f"responses/{older.id}" not in waiting and f"responses/{newer.id}" in waiting
    reviewed = client.get("/safeguarding?show=reviewed").text
    assert f"responses/{older.id}" in reviewed and f"responses/{newer.id}" not in reviewed
    assert "Referred to children" in client.get(url).text


def _flagged_response(session, link, definition, days_ago: int) -> Response:
    from surveys import responses

    response = responses.start_anonymous_response(session, link, str(__import__("uuid").uuid4()))
    answers = {"feel_safe_home": "never", "anything_else": CHILD_DISCLOSURE}
    response.answers = answers
    when = utcnow() - timedelta(days=days_ago)
    safeguarding.flag_response(session, response, definition, answers, now=when)
    response.status = responses.ResponseStatus.SUBMITTED
    response.submitted_at = when
    session.commit()
    return response


def test_semantic_screen_runs_once_with_no_transaction_open(app, db_session, dsl):
    """The periodic screen reads, lets go of the database while the model works, then writes."""
    from webapp.database import session_factory

    definition = REGISTRY.latest("child-voice-11-plus")
    link = _publish(db_session, "child-voice-11-plus").links[0]
    response = _flagged_response(db_session, link, definition, 0)
    response.answers = {**response.answers, "make_better": "i hide in my room when he shouts"}
    response.semantic_screened_at = None
    db_session.commit()
    assert safeguarding.responses_to_screen(db_session) == [response.id]
    seen: list[list[str]] = []

    def semantic(texts, writer):
        assert write_lock_is_free(app.config["DATABASE_URL"])  # the screen holds no lock
        seen.append(list(texts))
        return [_screening(text) for text in texts]

    sessions = tenancy.sessions_in(session_factory(app), response.partnership_id)
    of = lambda r: REGISTRY.get(r.definition_key, r.definition_version)  # noqa: E731
    assert safeguarding.screen_semantically(sessions, response.id, of, semantic=semantic) == 1
    assert safeguarding.screen_semantically(sessions, response.id, of, semantic=semantic) == 0
    assert len(seen) == 1 and "i hide in my room when he shouts" in seen[0]
    assert safeguarding.responses_to_screen(db_session) == []
    new = db_session.scalar(
        select(DisclosureFlag).where(DisclosureFlag.source == FlagSource.SEMANTIC)
    )
    assert new.question_id == "make_better" and new.alerted_at is None


def _screening(text: str):
    from nlp.screening import Screening

    flagged = "hide" in text
    return Screening(flagged=flagged, reasons=("fear_of_home",) if flagged else ())


def test_responses_with_nothing_to_read_are_not_queued_for_the_semantic_screen(db_session):
    definition = REGISTRY.latest("training-evaluation")
    link = _publish(db_session, "training-evaluation").links[0]
    from surveys import responses

    response = responses.start_anonymous_response(db_session, link, str(__import__("uuid").uuid4()))
    safeguarding.flag_response(db_session, response, definition, {"do_differently": "x"})
    response.status, response.submitted_at = responses.ResponseStatus.SUBMITTED, utcnow()
    db_session.commit()
    assert response.semantic_screened_at is not None
    assert safeguarding.responses_to_screen(db_session) == []


def test_the_screen_knows_who_is_writing():
    """Practitioners' policy talk stays out of the DSL's queue; a child now does not."""
    consultation = REGISTRY.latest("practitioner-consultation")
    child = REGISTRY.latest("child-voice-11-plus")
    assert safeguarding.writer_of(consultation) == "practitioner"
    assert safeguarding.writer_of(child) == "child"
    assert safeguarding.writer_of(REGISTRY.latest("case-audit")) == "organisation"
    (question, *_) = [q for q, _ in _screened_questions(consultation, {}) if q]
    policy = "Having a neglect champion in each team would help us spot neglect earlier"
    case = "A boy I visited yesterday had bruises on both arms and said his dad hit him"
    assert safeguarding.screen_answers(consultation, {question.id: policy}) == []
    assert [
        f.question_id for f in safeguarding.screen_answers(consultation, {question.id: case})
    ] == [question.id]
    said = "my dad hits me when he is angry"
    assert safeguarding.screen_answers(child, {"anything_else": said})
