"""Emails the service sends, built here and sent through the job queue.

Links are built from BASE_URL, never from the request's Host header.
"""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.models import Cycle, Role, User
from surveys.responses import Submitted
from webapp.database import get_session
from webapp.jobs import enqueue
from webapp.wording import plural


def _link(endpoint: str, **values: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def send_invitation(user: User, token: str, *, invited_by: User | None = None) -> None:
    """Email a new user the link to set their password: who asked, for what and as what."""
    days = current_app.config["INVITATION_LIFETIME"].days
    partnership = current_app.config["PARTNERSHIP_NAME"]
    inviter = invited_by.name if invited_by else "The partnership admin"
    place = f" at {user.organisation.name}" if user.organisation else ""
    body = (
        f"{inviter} has invited you to join {partnership} on Learning Loop, "
        f"as {_with_article(user.role.label.lower())}{place}.\n\n"
        f"Learning Loop is where the partnership collects self-assessments and feedback, "
        f"and learns from them.\n\n"
        f"Create your password to get started:\n"
        f"{_link('auth.accept_invitation', token=token)}\n\n"
        f"This link works once and expires in {plural(days, 'day')}. "
        "You will be signed in once you have created your password.\n"
    )
    enqueue("send_email", user.email, f"You have been invited to {partnership}", body)


def _with_article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


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


def send_reminder(user: User, cycle: Cycle) -> None:
    """Remind someone whose organisation has not yet submitted a cycle."""
    body = (
        f"{cycle.title} has not yet been submitted by your organisation.\n\n"
        f"The deadline is {cycle.closes_at:%-d %B %Y}. Continue it here:\n"
        f"{_link('assessments.overview', cycle_id=str(cycle.id))}\n"
    )
    enqueue("send_email", user.email, f"Reminder: {cycle.title}", body)


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
