"""Emails the service sends, built here and sent through the job queue.

Links are built from BASE_URL, never from the request's Host header.
"""

from __future__ import annotations

import logging

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Cycle, Role, User
from surveys.responses import Submitted
from webapp.database import get_session
from webapp.jobs import enqueue
from webapp.mail import one_line_subject

log = logging.getLogger(__name__)


def _link(endpoint: str, **values: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def send_invitation(user: User, token: str) -> None:
    """Email a new user the link to set their password."""
    days = current_app.config["INVITATION_LIFETIME"].days
    partnership = current_app.config["PARTNERSHIP_NAME"]
    body = (
        f"You have been invited to use Learning Loop for {partnership}.\n\n"
        f"Set your password to get started:\n{_link('auth.accept_invitation', token=token)}\n\n"
        f"This link works once and expires in {days} days.\n"
    )
    enqueue("send_email", user.email, "You have been invited to Learning Loop", body)


def send_password_reset(user: User, token: str) -> None:
    """Email a user the link to reset their password."""
    hours = int(current_app.config["PASSWORD_RESET_LIFETIME"].total_seconds() // 3600)
    body = (
        "Someone asked to reset the password for your Learning Loop account.\n\n"
        f"Reset your password:\n{_link('auth.reset_password', token=token)}\n\n"
        f"This link works once and expires in {hours} hours. If you did not ask for this, "
        "you can ignore this email: your password has not changed.\n"
    )
    enqueue("send_email", user.email, "Reset your Learning Loop password", body)


def send_reminder(user: User, cycle: Cycle) -> bool:
    """Queue a reminder for someone whose organisation has not submitted; False if not queued."""
    title = one_line_subject(cycle.title)
    body = (
        f"{title} has not yet been submitted by your organisation.\n\n"
        f"The deadline is {cycle.closes_at:%-d %B %Y}. Continue it here:\n"
        f"{_link('assessments.overview', cycle_id=str(cycle.id))}\n"
    )
    try:
        enqueue("send_email", user.email, f"Reminder: {title}", body)
    except Exception:  # noqa: BLE001 - the queue (or, run at once, the mail server) failed
        log.warning(
            "reminder not queued", extra={"user_id": user.id, "cycle_id": cycle.id}, exc_info=True
        )
        return False
    return True


def disclosure_alert(
    session: Session, base_url: str, response_id: int
) -> list[tuple[str, str, str]]:
    """Return (to, subject, body) for each active DSL: a link and an id, never the text."""
    leads = session.scalars(
        select(User).where(User.role == Role.SAFEGUARDING_LEAD, User.is_active.is_(True))
    )
    body = (
        "A response submitted to Learning Loop may contain a disclosure of harm and needs "
        "review within one working day.\n\n"
        f"Review it here (sign-in required):\n{base_url.rstrip('/')}/safeguarding\n\n"
        f"Response number: {response_id}\n"
    )
    return [(lead.email, "A response needs safeguarding review", body) for lead in leads]


def after_submit(outcome: Submitted) -> None:
    """Alert the DSLs about rule-based flags now; queue the semantic second screen."""
    if not outcome.is_new:
        return
    if outcome.response.is_flagged:
        for to, subject, body in disclosure_alert(
            get_session(), current_app.config["BASE_URL"], outcome.response.id
        ):
            enqueue("send_email", to, subject, body)
    if current_app.config["SEMANTIC_SCREEN"]:
        enqueue("screen_semantic", outcome.response.id)
