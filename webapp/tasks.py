"""What the job worker runs: emails, theming, the semantic screen, safeguarding alerts and
the periodic safety nets (unalerted flags, unscreened responses, stale runs, follow-ups), and
the case reviews' deadline flags and the removal of case details on their date, and the
erasure of training attendees' names and emails on theirs.

The same task code runs on the SQLite queue and on Redis (see `webapp.queue`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from flask import Flask
from huey import Huey, crontab
from sqlalchemy.orm import Session, sessionmaker

from surveys import tenancy
from surveys.models import PartnershipOwned, Role, utcnow
from webapp import mail
from webapp.notifications import (
    course_follow_up,
    disclosure_alert,
    review_deadline_alert,
    training_follow_up,
)
from webapp.queue import enqueue, get_queue

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the tasks on the app's queue (after `webapp.queue.init_app`)."""
    app.extensions["tasks"] = _register_tasks(get_queue(app), app)


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

    @huey.periodic_task(crontab(minute="5"), name="send_review_deadline_alerts")
    def send_review_deadline_alerts() -> int:
        return send_review_alerts(app)

    @huey.periodic_task(crontab(hour="1", minute="30"), name="remove_due_case_details")
    def remove_due_case_details() -> int:
        return remove_case_details(app)

    @huey.periodic_task(crontab(hour="1", minute="40"), name="erase_due_attendance")
    def erase_due_attendance() -> int:
        return erase_attendance(app)

    return {
        "send_review_deadline_alerts": send_review_deadline_alerts,
        "remove_due_case_details": remove_due_case_details,
        "send_email": send_email,
        "send_follow_ups": send_follow_ups,
        "screen_semantic": screen_semantic,
        "send_safeguarding_alerts": send_safeguarding_alerts,
        "alert_unalerted_flags": alert_unalerted_flags,
        "screen_unscreened_responses": screen_unscreened_responses,
        "run_theming": run_theming,
        "recover_stale_runs": recover_stale_runs_task,
    }


def _sessions_of(
    app: Flask, sessions: sessionmaker[Session], model: type[PartnershipOwned], row_id: int
) -> sessionmaker[Session] | None:
    """Return sessions in the partnership of the row a job acts for (None: the row is gone)."""
    with sessions() as session:
        partnership_id = tenancy.owner_of(session, model, row_id)
    return None if partnership_id is None else tenancy.sessions_in(sessions, partnership_id)


def execute_theming_run(app: Flask, run_id: int) -> None:
    """Run a theming job: results are saved in one transaction, or the run is marked failed."""
    from learning import runs
    from learning.models import ThemingRun
    from learning.theming_job import EMBEDDER, build_pipeline, wait_for_model
    from webapp.database import job_session_factory

    wait_for_model(EMBEDDER)  # a worker that has just started may still be loading MiniLM
    sessions = _sessions_of(app, job_session_factory(app), ThemingRun, run_id)
    if sessions is None:
        return
    pipeline = build_pipeline(sessions, embedder=app.config["THEMING_EMBEDDER"])
    with sessions() as session:
        runs.execute_run(session, run_id, pipeline=pipeline, registry=app.extensions["definitions"])


def recover_stale_runs(app: Flask) -> list[int]:
    """Requeue once, or fail, the theming runs whose worker stopped; return the requeued ids."""
    from learning import heartbeat
    from webapp.database import job_session_factory

    with job_session_factory(app)() as session, tenancy.every_partnership(session):
        found = heartbeat.recover_stale_runs(session)
    for run_id in found.retried:
        enqueue("run_theming", run_id, app=app)
    return found.retried


def screen_response_semantically(app: Flask, response_id: int) -> int:
    """Second, semantic disclosure screen of one response; alert the DSLs about new flags."""
    from learning.theming_job import SCREEN, wait_for_model
    from surveys import safeguarding
    from surveys.models import Response
    from webapp.database import job_session_factory

    if not app.config["SEMANTIC_SCREEN"]:
        return 0
    wait_for_model(SCREEN)  # a worker that has just started is still loading it
    registry = app.extensions["definitions"]
    sessions = _sessions_of(app, job_session_factory(app), Response, response_id)
    if sessions is None:
        return 0
    added = safeguarding.screen_semantically(
        sessions,
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
    with job_session_factory(app)() as session, tenancy.every_partnership(session):
        pending = safeguarding.responses_to_screen(session, limit=limit)
    return sum(screen_response_semantically(app, response_id) for response_id in pending)


def send_pending_alerts(app: Flask) -> int:
    """Email the DSLs about every flag not yet alerted (a link and an id, never the text).

    An alert is marked sent only after its emails went, so a mail or queue outage delays
    an alert but never loses it; returns how many responses were alerted.
    """
    from surveys import safeguarding
    from webapp.database import job_session_factory

    settings, sent = mail_settings(app), 0
    with job_session_factory(app)() as session:
        alerts = []
        for partnership_id in tenancy.partnership_ids(session):  # each one's flags, its DSLs
            tenancy.work_in(session, partnership_id)
            leads = tenancy.member_emails(session, partnership_id, Role.SAFEGUARDING_LEAD)
            alerts += [
                (partnership_id, replace(alert, recipients=_only(alert.recipients, leads)))
                for alert in safeguarding.pending_alerts(session)
            ]
        session.rollback()  # hold no transaction while talking to the mail server
        for partnership_id, alert in alerts:
            if not alert.recipients:
                continue
            tenancy.work_in(session, partnership_id)
            subject, body = disclosure_alert(app.config["BASE_URL"], alert.response_id)
            for to in alert.recipients:
                mail.send(settings, mail.Email(to, subject, body))
            safeguarding.mark_alerted(session, alert)
            sent += 1
    if sent:
        log.info("safeguarding alerts sent", extra={"responses": sent})
    return sent


def _only(recipients: tuple[str, ...], members: set[str]) -> tuple[str, ...]:
    return tuple(email for email in recipients if email in members)


def send_due_follow_ups(app: Flask) -> int:
    """Email each trainee whose 6–8 week follow-up (or its one reminder, 14 days on, unless
    answered) is due; return how many were sent."""
    from surveys import follow_ups
    from webapp.database import session_factory

    base = app.config["BASE_URL"].rstrip("/")
    settings = mail_settings(app)
    sent = 0
    with session_factory(app)() as session:
        due = []
        for partnership_id in tenancy.partnership_ids(session):
            tenancy.work_in(session, partnership_id)
            due += [
                (partnership_id, item)
                for item in follow_ups.due_follow_ups(session, app.extensions["definitions"])
            ]
        for partnership_id, item in due:
            tenancy.work_in(session, partnership_id)
            subject, body = training_follow_up(base, item)
            mail.send(settings, mail.Email(item.to, subject, body))
            follow_ups.mark_sent(session, item.request_id, reminder=item.is_reminder)
            sent += 1
    sent += send_course_follow_ups(app)
    log.info("follow-ups sent", extra={"count": sent})
    return sent


def send_course_follow_ups(app: Flask) -> int:
    """Email each session's trainee their own follow-up link when due, and one reminder."""
    from surveys.training import chain
    from webapp.database import session_factory

    base = app.config["BASE_URL"].rstrip("/")
    settings, sent = mail_settings(app), 0
    with session_factory(app)() as session:
        for partnership_id in tenancy.partnership_ids(session):
            tenancy.work_in(session, partnership_id)
            now = utcnow()
            for item in chain.due_course_follow_ups(session, now):
                token = chain.open_personal_link(session, item.chain_id, now)
                if token is None:  # no open follow-up cycle yet: tried again next time
                    session.rollback()
                    continue
                subject, body = course_follow_up(base, item, token)
                mail.send(settings, mail.Email(item.to, subject, body))
                chain.mark_sent(session, item.chain_id, reminder=item.is_reminder, now=now)
                sent += 1
    return sent


def send_review_alerts(app: Flask, today: date | None = None) -> int:
    """Email each case review's owners the deadline flags it has newly reached; return how many.

    Each flag is recorded before it is sent, so none is ever emailed twice; one that reached
    nobody is released to be tried again at the next run.
    """
    from surveys.case_reviews import alerts
    from webapp.database import job_session_factory

    today = today or utcnow().date()
    settings, sent = mail_settings(app), 0
    with job_session_factory(app)() as session:
        for partnership_id in tenancy.partnership_ids(session):
            tenancy.work_in(session, partnership_id)
            for alert in alerts.claim_due_alerts(session, today):
                subject, body = review_deadline_alert(app.config["BASE_URL"], alert)
                reached = 0
                for to in alert.recipients:
                    try:
                        mail.send(settings, mail.Email(to, subject, body))
                        reached += 1
                    except Exception:  # noqa: BLE001 - one address failing must not stop the rest
                        log.warning("review alert not sent", extra={"review_id": alert.review_id})
                if reached == 0 and alert.recipients:
                    alerts.release(session, alert)
                sent += bool(reached)
    if sent:
        log.info("review deadline alerts sent", extra={"alerts": sent})
    return sent


def remove_case_details(app: Flask, today: date | None = None) -> int:
    """Delete the case details whose removal date has come, in every partnership."""
    from surveys.case_reviews import details
    from webapp.database import job_session_factory

    today = today or utcnow().date()
    removed = 0
    with job_session_factory(app)() as session:
        for partnership_id in tenancy.partnership_ids(session):
            tenancy.work_in(session, partnership_id)
            removed += details.remove_due_details(session, today)
    return removed


def erase_attendance(app: Flask, today: date | None = None) -> int:
    """Erase the names and emails of training attendees past their date, in every partnership."""
    from surveys.training import programme
    from webapp.database import job_session_factory

    today = today or utcnow().date()
    erased = 0
    with job_session_factory(app)() as session:
        for partnership_id in tenancy.partnership_ids(session):
            tenancy.work_in(session, partnership_id)
            erased += programme.erase_due_attendance(session, today)
    return erased
