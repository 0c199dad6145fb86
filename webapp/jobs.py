"""Background jobs through Huey: SQLite-backed by default, Redis-backed when scaled.

The queue is chosen by QUEUE_URL: `sqlite:///path`, `redis://host:port/db`, or `memory://`
(tests). The same task code runs in every configuration. Workers run with
`flask --app webapp worker`, on this machine or any other that shares the queue and database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from webapp import mail

log = logging.getLogger(__name__)
QUEUE_NAME = "learning-loop"


def make_queue(url: str, *, immediate: bool = False) -> Huey:
    """Create the Huey instance a QUEUE_URL names."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), immediate=immediate)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(QUEUE_NAME, url=url, immediate=immediate)
    if url.startswith("memory://"):
        return MemoryHuey(QUEUE_NAME, immediate=immediate)
    raise ValueError("QUEUE_URL must start with sqlite:///, redis:// or memory://")


def init_app(app: Flask) -> None:
    """Create the app's queue and register its tasks."""
    huey = make_queue(app.config["QUEUE_URL"], immediate=app.config["QUEUE_IMMEDIATE"])
    app.extensions["huey"] = huey
    app.extensions["tasks"] = _register_tasks(huey, app)


def mail_settings(app: Flask) -> dict[str, Any]:
    """Return the MAIL_* settings, read when a job runs so changes take effect."""
    return {key: app.config[key] for key in app.config if key.startswith("MAIL_")}


def _register_tasks(huey: Huey, app: Flask) -> dict[str, Callable[..., Any]]:
    @huey.task(retries=3, retry_delay=20, name="send_email")
    def send_email(to: str, subject: str, body: str) -> None:
        mail.send(mail_settings(app), mail.Email(to=to, subject=subject, body=body))

    @huey.task(retries=2, retry_delay=30, name="screen_semantic")
    def screen_semantic(response_id: int) -> int:
        return screen_response_semantically(app, response_id)

    @huey.task(name="send_safeguarding_alerts")
    def send_safeguarding_alerts() -> int:
        return send_pending_alerts(app)

    # The safety nets: whatever path flagged a response, and whatever happened to the queue
    # when it did, every flag is alerted and every response screened within a minute or two.
    @huey.periodic_task(crontab(minute="*"), name="alert_unalerted_flags")
    def alert_unalerted_flags() -> int:
        return send_pending_alerts(app)

    @huey.periodic_task(crontab(minute="*"), name="screen_unscreened_responses")
    def screen_unscreened_responses() -> int:
        return screen_unscreened(app)

    @huey.task(retries=2, retry_delay=10, name="run_theming")
    def run_theming(run_id: int) -> None:
        execute_theming_run(app, run_id)

    @huey.periodic_task(crontab(minute="*"), name="recover_stale_runs")
    def recover_stale_runs_task() -> list[int]:
        return recover_stale_runs(app)

    @huey.periodic_task(crontab(minute="*/10"), name="send_follow_ups")
    def send_follow_ups() -> int:
        return send_due_follow_ups(app)

    return {
        "send_email": send_email,
        "send_follow_ups": send_follow_ups,
        "screen_semantic": screen_semantic,
        "send_safeguarding_alerts": send_safeguarding_alerts,
        "alert_unalerted_flags": alert_unalerted_flags,
        "screen_unscreened_responses": screen_unscreened_responses,
        "run_theming": run_theming,
        "recover_stale_runs": recover_stale_runs_task,
    }


def execute_theming_run(app: Flask, run_id: int) -> None:
    """Run a theming job: results are saved in one transaction, or the run is marked failed."""
    from learning import runs
    from learning.theming_job import EMBEDDER, build_pipeline, wait_for_model
    from webapp.database import job_session_factory

    wait_for_model(EMBEDDER)  # a worker that has just started may still be loading MiniLM
    sessions = job_session_factory(app)
    pipeline = build_pipeline(sessions, embedder=app.config["THEMING_EMBEDDER"])
    with sessions() as session:
        runs.execute_run(session, run_id, pipeline=pipeline, registry=app.extensions["definitions"])


def recover_stale_runs(app: Flask) -> list[int]:
    """Requeue once, or fail, the theming runs whose worker stopped; return the requeued ids."""
    from learning import heartbeat
    from webapp.database import job_session_factory

    with job_session_factory(app)() as session:
        found = heartbeat.recover_stale_runs(session)
    for run_id in found.retried:
        enqueue("run_theming", run_id, app=app)
    return found.retried


def screen_response_semantically(app: Flask, response_id: int) -> int:
    """Second, semantic disclosure screen of one response; alert the DSLs about new flags."""
    from learning.theming_job import SCREEN, wait_for_model
    from surveys import safeguarding
    from webapp.database import job_session_factory

    if not app.config["SEMANTIC_SCREEN"]:
        return 0
    wait_for_model(SCREEN)  # a worker that has just started is still loading it
    registry = app.extensions["definitions"]
    added = safeguarding.screen_semantically(
        job_session_factory(app),
        response_id,
        lambda response: registry.get(response.definition_key, response.definition_version),
    )
    if added:
        send_pending_alerts(app)
    return added


def screen_unscreened(app: Flask, *, limit: int = 50) -> int:
    """Semantically screen submitted responses not yet screened; return how many flagged."""
    from surveys import safeguarding
    from webapp.database import job_session_factory

    if not app.config["SEMANTIC_SCREEN"]:
        return 0
    with job_session_factory(app)() as session:
        pending = safeguarding.responses_to_screen(session, limit=limit)
    return sum(screen_response_semantically(app, response_id) for response_id in pending)


def send_pending_alerts(app: Flask) -> int:
    """Email the DSLs about every flag not yet alerted (a link and an id, never the text).

    An alert is marked sent only after its emails went, so a mail or queue outage delays
    an alert but never loses it; returns how many responses were alerted.
    """
    from surveys import safeguarding
    from webapp.database import job_session_factory
    from webapp.notifications import disclosure_alert

    settings, sent = mail_settings(app), 0
    with job_session_factory(app)() as session:
        alerts = safeguarding.pending_alerts(session)
        session.rollback()  # hold no transaction while talking to the mail server
        for alert in alerts:
            if not alert.recipients:
                continue
            subject, body = disclosure_alert(app.config["BASE_URL"], alert.response_id)
            for to in alert.recipients:
                mail.send(settings, mail.Email(to, subject, body))
            safeguarding.mark_alerted(session, alert)
            sent += 1
    if sent:
        log.info("safeguarding alerts sent", extra={"responses": sent})
    return sent


def send_due_follow_ups(app: Flask) -> int:
    """Email each trainee whose 6–8 week follow-up is due; return how many were sent."""
    from surveys import follow_ups
    from webapp.database import session_factory

    base = app.config["BASE_URL"].rstrip("/")
    settings = mail_settings(app)
    sent = 0
    with session_factory(app)() as session:
        for item in follow_ups.due_follow_ups(session):
            body = (
                "A few weeks ago you went on a multi-agency safeguarding course and asked us to "
                "follow up.\n\nTell us what has changed in your practice since (about 5 minutes; "
                f"you can do it with your manager):\n{base}/f/{item.link_token}\n\n"
                "We have now deleted your email address.\n"
            )
            mail.send(
                settings, mail.Email(item.to, "How has the course changed your practice?", body)
            )
            follow_ups.mark_sent(session, item.request_id)
            sent += 1
    log.info("follow-ups sent", extra={"count": sent})
    return sent


def get_queue(app: Flask | None = None) -> Huey:
    return (app or current_app).extensions["huey"]  # type: ignore[no-any-return]


def enqueue(name: str, *args: Any, app: Flask | None = None) -> None:
    """Put a job on the queue by task name (runs at once in immediate mode)."""
    task = (app or current_app).extensions["tasks"][name]
    task(*args)
    log.info("job enqueued", extra={"task": name})


def after_submission(app: Flask | None = None) -> None:
    """Ask the worker to alert and screen now: a speed-up, never what safety depends on.

    The periodic jobs alert and screen whatever this misses, so a queue outage at
    submission costs the respondent nothing and loses no alert.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    names = ["send_safeguarding_alerts"]
    if app.config["SEMANTIC_SCREEN"]:
        names.append("screen_unscreened_responses")
    for name in names:
        try:
            enqueue(name, app=app)
        except Exception:  # noqa: BLE001 - the periodic jobs catch up once the queue is back
            log.warning(
                "could not enqueue job; the periodic job will catch up",
                extra={"task": name},
                exc_info=True,
            )


def queue_status(app: Flask) -> str:
    """Return 'ok' if the queue's storage can be written and read, else a short error code.

    Enqueuing is a write, so the check writes too: a read-only or locked store that would
    refuse jobs is reported as unavailable.
    """
    huey = get_queue(app)
    try:
        huey.storage.put_data(b"healthz", b"1")
        huey.storage.pop_data(b"healthz")
        huey.pending_count()
    except Exception:  # noqa: BLE001 - health check reports any failure
        log.warning("queue health check failed", exc_info=True)
        return "unavailable"
    return "ok"
