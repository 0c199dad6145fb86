"""The follow-up a definition declares: keep the address apart, send one link, then forget it.

Public API:
    FollowUpEmail: one follow-up link due to be sent (request id, address, link token).
    email_question(definition) -> str | None: the question whose answer is a follow-up address.
    split_email(definition, answers) -> (answers without it, the address or None)
    due(definition, answered_at) -> datetime: when that link is sent.
    open_follow_up_link(session, form_key, now) -> PublicLink | None
    due_follow_ups(session, definitions, now=None) -> list[FollowUpEmail]
    mark_sent(session, request_id): record the link as sent and erase the address.

The training evaluation declares `follow_up: {form: training-follow-up, after_weeks: 6,
email_question: follow_up_email}`; the loader checks that form and question exist.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.definition import JSONValue, SurveyDefinition
from surveys.errors import UnknownDefinition
from surveys.models import Cycle, FollowUpRequest, PublicLink, Response, utcnow

if TYPE_CHECKING:
    from surveys.loader import DefinitionRegistry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FollowUpEmail:
    request_id: int
    to: str
    link_token: str


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
    """Return follow-ups due now whose form has an open cycle to send them to.

    Each request goes to the follow-up form its response's definition declares.
    """
    now = now or utcnow()
    due = session.execute(
        select(FollowUpRequest, Response.definition_key, Response.definition_version)
        .join(Response, FollowUpRequest.response_id == Response.id)
        .where(FollowUpRequest.due_at <= now, FollowUpRequest.sent_at.is_(None))
        .order_by(FollowUpRequest.id)
    )
    links: dict[str, PublicLink | None] = {}
    emails = []
    for request, key, version in due:
        form = _follow_up_form(definitions, key, version)
        if form is None:
            log.warning("follow-up with no declared form", extra={"request_id": request.id})
            continue
        if form not in links:
            links[form] = open_follow_up_link(session, form, now)
        link = links[form]
        if link is not None:
            emails.append(FollowUpEmail(request.id, request.email, link.token))
    return emails


def _follow_up_form(definitions: DefinitionRegistry, key: str, version: int) -> str | None:
    try:
        follow_up = definitions.get(key, version).follow_up
    except UnknownDefinition:
        return None
    return follow_up.form if follow_up else None


def mark_sent(session: Session, request_id: int) -> None:
    """Record a follow-up as sent and erase the address: it was kept only for this."""
    request = session.get(FollowUpRequest, request_id)
    if request is not None:
        request.sent_at = utcnow()
        request.email = ""
        session.commit()


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
