"""Jobs hold no database transaction while a model works; stale theming runs are retried once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from learning import runs, selection
from learning.models import RunStatus, ThemingRun
from nlp.screening import Screening
from surveys import accounts, cycles, responses
from surveys.loader import load_definitions
from surveys.models import DisclosureFlag, Role, utcnow
from tests import factories
from tests.conftest import inspect_session, make_app, write_lock_is_free
from webapp import tasks


def _lock_is_free(app) -> bool:
    return write_lock_is_free(app.config["DATABASE_URL"])


def _submitted_child_voice(session, text: str) -> int:
    definition = load_definitions().latest("child-voice-11-plus")
    now = utcnow()
    link = cycles.publish_cycle(
        session,
        definition,
        cycles.NewCycle("Voice", now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    ).links[0]
    question = next(
        q
        for p in definition.pages
        for q in p.questions
        if q.analysis and q.analysis.screen_for_disclosure
    )
    response = responses.start_anonymous_response(session, link, str(uuid.uuid4()))
    response.answers = {question.id: text}
    response.status = responses.ResponseStatus.SUBMITTED
    response.submitted_at = now
    session.commit()
    return response.id


def test_semantic_screen_holds_no_transaction_while_the_model_works(smtp_server, monkeypatch):
    import nlp.disclosure_model

    app = make_app(MAIL_PORT=smtp_server.port, SEMANTIC_SCREEN=True)
    session = inspect_session(app)
    factories.bind(session)
    factories.UserFactory(role=Role.SAFEGUARDING_LEAD, organisation=None, email="dsl@x.org")
    response_id = _submitted_child_voice(session, "i dont want to go home when he is there")
    seen: list[str] = []
    real_send = tasks.mail.send

    def model(texts, *, writer="unknown"):
        seen.append("model" if _lock_is_free(app) else "model under a lock")
        return [Screening(flagged=True, reasons=("fear_of_home",)) for _ in texts]

    def send(settings, email):
        seen.append("email" if _lock_is_free(app) else "email under a lock")
        real_send(settings, email)

    monkeypatch.setattr(nlp.disclosure_model, "screen_semantic", model)
    monkeypatch.setattr(tasks.mail, "send", send)
    assert tasks.screen_response_semantically(app, response_id) == 1
    assert seen == ["model", "email"]
    flag = session.scalar(select(DisclosureFlag))
    assert flag.response_id == response_id and flag.reasons == "fear_of_home"
    assert smtp_server.wait_for(1)[0]["To"] == "dsl@x.org"
    assert tasks.screen_response_semantically(app, response_id) == 0  # once only


def test_a_stale_run_is_requeued_once_then_failed_and_its_page_says_why():
    app = make_app(QUEUE_IMMEDIATE=False)  # a memory queue that keeps jobs
    session = inspect_session(app)
    factories.bind(session)
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    run = runs.start_run(session, selection.Selection(), started_by=quality)

    def worker_stopped(attempt: int) -> None:
        session.refresh(run)
        run.status, run.attempts = RunStatus.RUNNING, attempt
        run.heartbeat_at = utcnow() - timedelta(minutes=2, seconds=5)
        session.commit()

    worker_stopped(1)
    assert tasks.recover_stale_runs(app) == [run.id]
    assert tasks.get_queue(app).pending_count() == 1  # run_theming again, as a new attempt
    assert session.scalar(select(ThemingRun.status)) is RunStatus.QUEUED

    worker_stopped(2)
    assert tasks.recover_stale_runs(app) == []
    assert tasks.get_queue(app).pending_count() == 1  # not a third time
    assert session.scalar(select(ThemingRun.status)) is RunStatus.FAILED

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, quality)
    page = client.get(f"/quality/runs/{run.id}")
    assert page.status_code == 200
    assert "The worker stopped while finding themes." in page.text
    assert "tried a second time" in page.text


def test_stale_runs_are_looked_for_every_minute():
    app = make_app()
    task = app.extensions["tasks"]["recover_stale_runs"].task_class
    minutes = [utcnow().replace(minute=m, second=0, microsecond=0) for m in range(60)]
    assert all(task().validate_datetime(minute) for minute in minutes)


def test_the_worker_command_warms_up_with_the_configured_models(monkeypatch):
    import huey.consumer

    from learning import theming_job

    calls: list[object] = []
    monkeypatch.setattr(
        theming_job,
        "start_warm_up",
        lambda on_ready, **kw: calls.append(kw) or on_ready("semantic screen", 1.5),
    )
    monkeypatch.setattr(huey.consumer.Consumer, "run", lambda self: calls.append("consume"))
    app = make_app(THEMING_EMBEDDER="minilm", SEMANTIC_SCREEN=True)
    with app.app_context():  # the `flask` command pushes one for every command
        result = app.test_cli_runner().invoke(args=["worker", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert calls == [{"embedder": "minilm", "semantic_screen": True}, "consume"]
    assert "Worker: semantic screen ready after 1.5 s" in result.output


def test_jobs_wait_longer_for_the_write_lock_than_pages_do():
    """A job that gave up after 5 s would wait its whole retry delay; a page should not hang."""
    from webapp.database import job_session_factory, session_factory

    app = make_app()

    def busy_timeout(sessions) -> int:
        with sessions(app)() as session:
            return session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()

    assert busy_timeout(job_session_factory) == 60_000
    assert busy_timeout(session_factory) == 5_000  # the same pooled connection, set back
    assert busy_timeout(job_session_factory) == 60_000
