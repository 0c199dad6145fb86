"""The follow-up a definition declares: keep the address apart, send the trainee their own
link, remind them once, then forget the address.

Public API:
    REMINDER_AFTER: how long after the link its one reminder goes (14 days), unless answered.
    FollowUpEmail: one follow-up link (or its reminder) due to be sent.
    email_question(definition) -> str | None: the question whose answer is a follow-up address.
    split_email(definition, answers) -> (answers without it, the address or None)
    due(definition, answered_at) -> datetime: when that link is sent.
    open_follow_up_link(session, form_key, now) -> PublicLink | None
    own_link(session, holder, form, now) -> str | None: a trainee's own link, made on first use
    due_follow_ups(session, definitions, now=None) -> list[FollowUpEmail]
    mark_sent(session, request_id, *, reminder=False): record the link (or, erasing the
        address, its reminder) as sent.
    mark_answered(session, response): a follow-up answered through a trainee's own link
        needs no reminder: its address is erased.

This is the follow-up of an evaluation answered through a cycle's shared link; a course's
session's trainees have their own chain (`surveys.training.chain`) with the same one reminder.
Each trainee gets their own link into the follow-up form's open cycle, so an answer through it
is known and stops the reminder. The reminder goes once: `reminded_at` is set and the address
erased in the same commit, so a re-run of the job never sends it again.

The training evaluation declares `follow_up: {form: training-follow-up, after_weeks: 6,
email_question: follow_up_email}`; the loader checks that form and question exist.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.definition import JSONValue, SurveyDefinition
from surveys.errors import UnknownDefinition
from surveys.models import Cycle, FollowUpRequest, PublicLink, Response, utcnow

if TYPE_CHECKING:
    from surveys.loader import DefinitionRegistry

log = logging.getLogger(__name__)
REMINDER_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class FollowUpEmail:
    request_id: int
    to: str
    link_token: str
    training: str  # the title of the cycle whose evaluation the trainee answered
    evaluated_on: date
    is_reminder: bool = False


def email_question(definition: SurveyDefinition) -> str | None:
    """Return the id of the question that asks for a follow-up address, if there is one."""
    return definition.follow_up.email_question if definition.follow_up else None


def due(definition: SurveyDefinition, answered_at: datetime) -> datetime:
    """Return when to send the follow-up link to someone who answered at `answered_at`."""
    if definition.follow_up is None:
        raise ValueError(f"survey definition {definition.key!r} declares no follow_up")
    return answered_at + definition.follow_up.after


def open_follow_up_link(session: Session, form_key: str, now: datetime) -> PublicLink | None:
    """Return the newest active link of an open cycle of the follow-up form."""
    return session.scalar(
        select(PublicLink)
        .join(Cycle)
        .where(
            Cycle.definition_key == form_key,
            Cycle.opens_at <= now,
            Cycle.closes_at > now,
            PublicLink.is_active.is_(True),
        )
        .order_by(Cycle.opens_at.desc(), PublicLink.id.desc())
    )


def due_follow_ups(
    session: Session, definitions: DefinitionRegistry, now: datetime | None = None
) -> list[FollowUpEmail]:
    """Return follow-up links and reminders due now whose form has an open cycle to send to.

    Each request goes to the follow-up form its response's definition declares, through the
    trainee's own link (made here on first use: flushes, the caller commits with mark_sent).
    """
    now = now or utcnow()
    due = session.execute(
        select(FollowUpRequest, Response, Cycle.title)
        .join(Response, FollowUpRequest.response_id == Response.id)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .where(FollowUpRequest.email != "")
        .where(
            (FollowUpRequest.sent_at.is_(None) & (FollowUpRequest.due_at <= now))
            | (
                FollowUpRequest.sent_at.is_not(None)
                & FollowUpRequest.reminded_at.is_(None)
                & (FollowUpRequest.sent_at <= now - REMINDER_AFTER)
            )
        )
        .order_by(FollowUpRequest.id)
    )
    emails = []
    for request, response, title in due:
        form = _follow_up_form(definitions, response.definition_key, response.definition_version)
        if form is None:
            log.warning("follow-up with no declared form", extra={"request_id": request.id})
            continue
        token = own_link(session, request, form, now)
        if token is not None:
            answered = response.submitted_at or request.due_at
            emails.append(
                FollowUpEmail(
                    request.id,
                    request.email,
                    token,
                    title,
                    answered.date(),
                    is_reminder=request.sent_at is not None,
                )
            )
    return emails


class HoldsOwnLink(Protocol):
    link_id: int | None


def own_link(session: Session, holder: HoldsOwnLink, form: str, now: datetime) -> str | None:
    """The trainee's own link into `form`'s open cycle, made on first use and kept on `holder`
    (a follow-up request or a trainee's course follow-up); None when no cycle is open."""
    if holder.link_id is not None:
        link = session.get(PublicLink, holder.link_id)
        return link.token if link is not None else None
    shared = open_follow_up_link(session, form, now)
    if shared is None:
        return None
    link = PublicLink(
        cycle_id=shared.cycle_id,
        token=secrets.token_urlsafe(32),
        label="A trainee's own follow-up link",
    )
    session.add(link)
    session.flush()
    holder.link_id = link.id
    return link.token


def _follow_up_form(definitions: DefinitionRegistry, key: str, version: int) -> str | None:
    try:
        follow_up = definitions.get(key, version).follow_up
    except UnknownDefinition:
        return None
    return follow_up.form if follow_up else None


def mark_sent(session: Session, request_id: int, *, reminder: bool = False) -> None:
    """Record the link (or its one reminder, erasing the address: no more is sent) as sent."""
    request = session.get(FollowUpRequest, request_id)
    if request is not None:
        if reminder:
            request.reminded_at, request.email = utcnow(), ""
        else:
            request.sent_at = utcnow()
        session.commit()


def mark_answered(session: Session, response: Response) -> None:
    """A follow-up answered through a trainee's own link: no reminder, so erase the address."""
    if response.public_link_id is None:
        return
    request = session.scalar(
        select(FollowUpRequest).where(FollowUpRequest.link_id == response.public_link_id)
    )
    if request is not None:
        request.email = ""


def split_email(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> tuple[dict[str, JSONValue], str | None]:
    """Return the answers without any follow-up email question, and the email if one was given.

    A follow-up email is the answer to the definition's follow_up.email_question. It is removed
    whether or not it is shown, so an address never stays in stored answers.
    """
    email = None
    kept = dict(answers)
    for question in (question for page in definition.pages for question in page.questions):
        if question.id == email_question(definition) and question.id in kept:
            value = kept.pop(question.id)
            if isinstance(value, str) and value.strip() and email is None:
                email = value.strip()
    return kept, email
