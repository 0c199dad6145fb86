"""The sections the quality group writes into a period report, and the chair's sign-off.

Public API:
    SECTIONS: (field, heading) of the four written sections, in report order
    Narrative (what a report shows), NarrativeText, SignOff, WrittenReport
    narrative_of(session, kind, period) -> Narrative
    save_narrative(session, kind, period, text, *, edited_by) -> ReportNarrative
    sign_off(session, kind, period, signed, *, recorded_by) -> ReportNarrative
    reopen(session, kind, period, *, reopened_by) -> ReportNarrative
    written_reports(session) -> list[WrittenReport]

Once the chair's sign-off is recorded the sections are locked: saving raises NarrativeLocked
until the report is reopened, which clears the sign-off. Saving, signing off and reopening
are audited by id and code only: the group's words and the chair's name are never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.errors import InvalidInput, LearningError
from learning.period import Period
from learning.report_models import ReportKind, ReportNarrative
from surveys.audit import record_audit
from surveys.models import User, utcnow

log = logging.getLogger(__name__)
SECTIONS = (
    ("summary", "Summary"),
    ("learned", "What we learned"),
    ("will_do", "What we will do"),
    ("changed", "What changed since last time"),
)


class NarrativeLocked(LearningError):
    """The report is signed off: reopen it before changing what it says."""


@dataclass(frozen=True)
class NarrativeText:
    summary: str = ""
    learned: str = ""
    will_do: str = ""
    changed: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name).strip() for name, _ in SECTIONS)


@dataclass(frozen=True)
class SignOff:
    chair_name: str
    chair_role: str
    signed_on: date


@dataclass(frozen=True)
class Narrative:
    """What a report shows of the group's sections and the sign-off (all empty if unwritten)."""

    text: NarrativeText
    sign_off: SignOff | None

    @property
    def sections(self) -> tuple[tuple[str, str], ...]:
        """Return (heading, text) of each section, in report order."""
        return tuple((heading, getattr(self.text, name)) for name, heading in SECTIONS)


@dataclass(frozen=True)
class WrittenReport:
    kind: ReportKind
    period: Period
    is_signed_off: bool
    updated_on: date


def _find(session: Session, kind: ReportKind, period: Period) -> ReportNarrative | None:
    return session.scalars(
        select(ReportNarrative).where(
            ReportNarrative.kind == kind,
            ReportNarrative.period_start == period.start,
            ReportNarrative.period_end == period.end,
        )
    ).first()


def narrative_of(session: Session, kind: ReportKind, period: Period) -> Narrative:
    """Return what the group wrote for this report, and its sign-off, if any."""
    found = _find(session, kind, period)
    if found is None:
        return Narrative(NarrativeText(), None)
    text = _text_of(found)
    signed = None
    if found.signed_off_on is not None:
        signed = SignOff(found.chair_name or "", found.chair_role or "", found.signed_off_on)
    return Narrative(text, signed)


def save_narrative(
    session: Session, kind: ReportKind, period: Period, text: NarrativeText, *, edited_by: User
) -> ReportNarrative:
    """Save the group's sections; raise NarrativeLocked once the report is signed off."""
    found = _find(session, kind, period)
    if found is not None and found.is_signed_off:
        raise NarrativeLocked("The chair has signed off this report. Reopen it to make changes.")
    if text.is_empty:
        raise InvalidInput("Write at least one section")
    if found is None:
        found = ReportNarrative(kind=kind, period_start=period.start, period_end=period.end)
        session.add(found)
    for name, _ in SECTIONS:
        setattr(found, name, getattr(text, name).strip())
    found.updated_at, found.updated_by_id = utcnow(), edited_by.id
    return _recorded(session, found, "report.narrative_saved", edited_by)


def sign_off(
    session: Session, kind: ReportKind, period: Period, signed: SignOff, *, recorded_by: User
) -> ReportNarrative:
    """Record the chair's sign-off, which locks the sections."""
    found = _find(session, kind, period)
    if found is None or _text_of(found).is_empty:
        raise InvalidInput("Write the group's sections before the chair signs off")
    if found.is_signed_off:
        raise NarrativeLocked("The chair has already signed off this report")
    if signed.signed_on > utcnow().date():
        raise InvalidInput("The date of sign-off must be today or in the past")
    found.chair_name, found.chair_role = signed.chair_name.strip(), signed.chair_role.strip()
    found.signed_off_on = signed.signed_on
    found.signed_off_recorded_by_id, found.signed_off_recorded_at = recorded_by.id, utcnow()
    return _recorded(session, found, "report.signed_off", recorded_by)


def reopen(
    session: Session, kind: ReportKind, period: Period, *, reopened_by: User
) -> ReportNarrative:
    """Clear the chair's sign-off so the group may change the sections again."""
    found = _find(session, kind, period)
    if found is None or not found.is_signed_off:
        raise InvalidInput("This report is not signed off")
    found.chair_name = found.chair_role = None
    found.signed_off_on = found.signed_off_recorded_at = None
    found.signed_off_recorded_by_id = None
    return _recorded(session, found, "report.reopened", reopened_by)


def _recorded(session: Session, found: ReportNarrative, action: str, by: User) -> ReportNarrative:
    """Audit the change (ids only, never the text), commit it and log it."""
    session.flush()
    record_audit(
        session,
        user_id=by.id,
        action=action,
        object_type="report_narrative",
        object_id=found.id,
        detail=found.kind.value,
    )
    session.commit()
    log.info("%s id=%s kind=%s", action, found.id, found.kind.value)
    return found


def _text_of(found: ReportNarrative) -> NarrativeText:
    return NarrativeText(**{name: getattr(found, name) for name, _ in SECTIONS})


def written_reports(session: Session) -> list[WrittenReport]:
    """Return the reports the group has written, newest period first."""
    query = select(ReportNarrative).order_by(
        ReportNarrative.period_end.desc(), ReportNarrative.id.desc()
    )
    return [
        WrittenReport(
            n.kind, Period(n.period_start, n.period_end), n.is_signed_off, n.updated_at.date()
        )
        for n in session.scalars(query)
    ]
