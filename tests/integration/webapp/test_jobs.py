"""Email goes through a real job queue: SQLite-backed by default, Redis-backed when scaled."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests import factories
from tests.conftest import REDIS_URL, in_first_partnership, make_app, require_service
from webapp.queue import enqueue, get_queue


def _run_worker(app, until, timeout: float = 20.0) -> None:
    """Run a real Huey consumer in this process until `until()` is true."""
    consumer = get_queue(app).create_consumer(workers=1, periodic=False, worker_type="thread")
    consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)


def test_sqlite_queue_delivers_email_through_a_worker(tmp_path, smtp_server):
    app = make_app(
        QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}",
        QUEUE_IMMEDIATE=False,
        MAIL_PORT=smtp_server.port,
    )
    with app.app_context():
        enqueue("send_email", "a@example.org", "Hello", "Body text")
    assert get_queue(app).pending_count() == 1  # stored, not sent, until a worker runs
    assert smtp_server.messages == []
    _run_worker(app, lambda: bool(smtp_server.messages))
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Hello" and message["To"] == "a@example.org"
    assert get_queue(app).pending_count() == 0


@pytest.mark.redis
def test_redis_queue_delivers_email_through_a_worker(smtp_server):
    require_service("Redis", "127.0.0.1", 6379)
    app = make_app(QUEUE_URL=REDIS_URL, QUEUE_IMMEDIATE=False, MAIL_PORT=smtp_server.port)
    queue = get_queue(app)
    queue.flush()
    subject = f"Hello {uuid.uuid4()}"
    with app.app_context():
        enqueue("send_email", "b@example.org", subject, "Body")
    assert queue.pending_count() == 1
    _run_worker(app, lambda: bool(smtp_server.messages))
    assert smtp_server.wait_for(1)[0]["Subject"] == subject
    queue.flush()


@pytest.mark.redis
def test_healthz_reports_redis_queue(smtp_server):
    require_service("Redis", "127.0.0.1", 6379)
    app = make_app(QUEUE_URL=REDIS_URL, QUEUE_IMMEDIATE=False)
    assert app.test_client().get("/healthz").json["queue"] == "ok"


def test_email_job_is_retried_when_smtp_is_down(tmp_path, smtp_server):
    from tests.conftest import free_port

    app = make_app(
        QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}", QUEUE_IMMEDIATE=False, MAIL_PORT=free_port()
    )  # nothing listens here
    task = app.extensions["tasks"]["send_email"]
    assert task.retries == 3  # a failed send goes back on the queue, not lost


def test_invitation_email_carries_a_link_and_no_other_personal_data(smtp_server):
    app = make_app(MAIL_PORT=smtp_server.port)
    from webapp.database import session_factory

    with in_first_partnership(session_factory(app)()) as session:
        factories.bind(session)
        user = factories.UserFactory(name="Zara Example", email="zara@example.org")
        with app.test_request_context():
            from surveys import accounts, memberships
            from surveys.models import TokenPurpose
            from webapp.notifications import send_invitation

            token = accounts.issue_token(
                session, user, TokenPurpose.INVITATION, lifetime=app.config["INVITATION_LIFETIME"]
            )
            send_invitation(memberships.membership_here(session, user.id), token)
    body = smtp_server.wait_for(1)[0].get_content()
    assert re.search(r"http://localhost/accept-invitation/[\w-]{40,}", body)
    assert "Zara" not in body


def _one_link_follow_up(app, *, title: str = "Multi-agency training 2026"):
    """A training evaluation through a cycle's shared link, with a follow-up address due in
    six weeks, and an open follow-up cycle; return (session, the evaluation's day)."""
    from datetime import timedelta

    from surveys import cycles
    from surveys.loader import load_definitions
    from surveys.models import FollowUpRequest, Response, utcnow
    from tests.conftest import inspect_session

    session = inspect_session(app)
    registry, now = load_definitions(), utcnow()
    training = cycles.publish_cycle(
        session,
        registry.latest("training-evaluation"),
        cycles.NewCycle(title, now, now + timedelta(days=90)),
        created_by=None,
    )
    cycles.publish_cycle(
        session,
        registry.latest("training-follow-up"),
        cycles.NewCycle("Impact", now, now + timedelta(days=120)),
        created_by=None,
    )
    response = Response(
        cycle_id=training.id,
        submission_id="s-1",
        reference="LL-TEST-0001",
        definition_key="training-evaluation",
        definition_version=1,
        answers={},
        submitted_at=now,
    )
    session.add(response)
    session.flush()
    session.add(
        FollowUpRequest(
            response_id=response.id, email="t@example.org", due_at=now + timedelta(weeks=6)
        )
    )
    session.commit()
    return session, now


def test_training_follow_up_is_sent_once_then_reminded_once_then_the_email_is_erased(
    smtp_server, caplog
):
    from datetime import timedelta

    from freezegun import freeze_time
    from sqlalchemy import select

    from surveys.models import FollowUpRequest, PublicLink
    from webapp.tasks import send_due_follow_ups

    app = make_app(MAIL_PORT=smtp_server.port)
    session, now = _one_link_follow_up(app)
    assert send_due_follow_ups(app) == 0  # not due yet
    with freeze_time(now + timedelta(weeks=6, hours=1)):
        assert send_due_follow_ups(app) == 1
        assert send_due_follow_ups(app) == 0  # the job run again: sent once
    (email,) = smtp_server.wait_for(1)
    own = session.scalar(select(PublicLink).where(PublicLink.label.like("A trainee's own%")))
    assert f"/f/{own.token}" in email.get_content()  # their own link, not the shared one
    assert "Multi-agency training 2026" in email["Subject"]
    assert f"On {now:%-d %B %Y} you gave feedback on" in email.get_content()
    assert session.scalar(select(FollowUpRequest.email)) == "t@example.org"  # for the reminder
    with freeze_time(now + timedelta(weeks=6, days=13)):
        assert send_due_follow_ups(app) == 0  # 13 days on: not yet
    with freeze_time(now + timedelta(weeks=6, days=14, hours=2)):
        assert send_due_follow_ups(app) == 1  # the one reminder
        assert send_due_follow_ups(app) == 0  # the job run again: never a second
    with freeze_time(now + timedelta(weeks=20)):
        assert send_due_follow_ups(app) == 0
    reminder = smtp_server.wait_for(2)[1]
    assert "Reminder: how has Multi-agency training 2026" in reminder["Subject"]
    assert f"({now:%-d %B %Y})" in reminder.get_content() and f"/f/{own.token}" in (
        reminder.get_content()
    )
    session.expire_all()
    assert session.scalar(select(FollowUpRequest.email)) == ""  # erased after the reminder
    assert "t@example.org" not in caplog.text  # addresses are never logged


def test_a_one_link_follow_up_answered_gets_no_reminder(smtp_server):
    from datetime import timedelta

    from freezegun import freeze_time
    from sqlalchemy import select

    from surveys import cycles
    from surveys.models import FollowUpRequest, PublicLink
    from tests.integration.webapp.test_respond import answer, start, submit
    from webapp.tasks import send_due_follow_ups

    app = make_app(MAIL_PORT=smtp_server.port)
    session, now = _one_link_follow_up(app)
    with freeze_time(now + timedelta(weeks=6, hours=1)):
        assert send_due_follow_ups(app) == 1
        own = session.scalar(select(PublicLink).where(PublicLink.label.like("A trainee's own%")))
        link = cycles.find_link(session, own.token)
        client = app.test_client()
        submission_id = start(client, link)
        pages = {
            "using_learning": {
                "used_learning": "3",
                "changed_practice": "I refer sooner",
                "confidence_now": "4",
            },
            "barriers": {"barrier_types": "time"},
            "manager": {"with_manager": "no"},
        }
        for page_id, data in pages.items():
            assert answer(client, link, page_id, data).status_code == 302, page_id
        assert submit(client, link, submission_id).status_code == 302
    session.expire_all()
    assert session.scalar(select(FollowUpRequest.email)) == ""  # answered: address erased
    with freeze_time(now + timedelta(weeks=9)):
        assert send_due_follow_ups(app) == 0  # no reminder after an answer
    assert len(smtp_server.wait_for(1)) == 1
