"""Email over real SMTP. Messages carry links and ids; never safeguarding free text."""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)
# Line breaks and other control characters: in a header they would end it (or be refused).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line_subject(subject: str) -> str:
    """Return the subject on one line, so a title with a line break never stops the email."""
    return " ".join(_CONTROL.sub(" ", subject).split())


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def send(settings: dict[str, Any], email: Email) -> None:
    """Send one email through the configured SMTP server (errors propagate for a retry)."""
    message = EmailMessage()
    message["From"] = settings["MAIL_SENDER"]
    message["To"] = email.to
    message["Subject"] = one_line_subject(email.subject)
    message.set_content(email.body)
    with smtplib.SMTP(settings["MAIL_HOST"], int(settings["MAIL_PORT"]), timeout=30) as smtp:
        if settings.get("MAIL_USE_TLS"):
            smtp.starttls()
        if settings.get("MAIL_USERNAME"):
            smtp.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    log.info("email sent", extra={"subject_len": len(email.subject)})
