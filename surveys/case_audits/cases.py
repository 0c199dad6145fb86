"""The cases of an audit day: a pseudonymous reference, the agencies involved, each agency's
audit tool for that case, the practitioner forum's notes and the family's views, and the
combined view of the case across agencies.

Each case asks its agencies for the audit tool in a cycle of its own (`surveys.own_cycles`,
as a rapid review asks for information returns): an agency answers once per case, several
times per audit day, and an agency not involved in a case cannot open it. A reference is
refused if it looks like a name or a date of birth (`nlp` finds them as it does to redact).

Public API:
    AUDIT_TOOL, CaseGrid, GradeRow
    add_case(session, day_id, *, reference, organisation_ids, definition, by) -> (case, newly)
    ask_agencies(session, case_id, organisation_ids, *, definition, by) -> set[int] (newly)
    record_voices(session, case_id, *, forum_notes, family_views, by) -> AuditCase
    get_case(session, case_id) -> AuditCase
    agency_returns(session, case) -> list[ReturnRow]
    combined_view(session, case, definition) -> CaseGrid
    reference_problem(reference) -> str | None
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nlp.identifiers import find_dates
from nlp.names import NameFinder
from surveys import cycles, organisations
from surveys.audit import record_audit
from surveys.case_audits.programmes import get_day
from surveys.cycles import ReturnRow
from surveys.definition import QuestionType, SurveyDefinition
from surveys.errors import AuditError, AuditNotFound
from surveys.models import AuditCase, User, utcnow
from surveys.own_cycles import ask_in_own_cycle
from surveys.responses import answers_of

log = logging.getLogger(__name__)
AUDIT_TOOL = "case-audit-tool"
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]{1,29}")
DIGIT_RUN = re.compile(r"\d{6,8}")
OPEN_DAYS = 28  # agencies may complete the tool until four weeks after the audit day
_names = NameFinder()


def reference_problem(reference: str) -> str | None:
    """Say why a case reference may not be used (it may identify the child), or None."""
    text = reference.strip()
    if not REFERENCE.fullmatch(text):
        return "Enter a reference of 2 to 30 letters, numbers, hyphens or slashes"
    if not any(c.isdigit() for c in text):
        return "Enter a reference with a number in it, for example NEG-2026-01, not a name"
    spaced = re.sub(r"[/\-]", " ", text)
    words = " ".join(w.capitalize() for w in spaced.split())
    if _names.find(words) or _names.find(spaced):
        return "The reference looks like it contains a name: use the audit reference only"
    if list(find_dates(spaced)) or list(find_dates(text)) or _looks_like_birth_date(text):
        return "The reference looks like it contains a date of birth: use the audit reference only"
    return None


def _looks_like_birth_date(text: str) -> bool:
    for run in DIGIT_RUN.findall(text):
        for fmt in ("%d%m%Y", "%d%m%y", "%Y%m%d"):
            try:
                datetime.strptime(run, fmt)  # noqa: DTZ007 - only whether it parses
            except ValueError:
                continue
            return True
    return False


def _check_agencies(session: Session, organisation_ids: set[int]) -> None:
    if not organisation_ids:
        raise AuditError("Select the agencies involved in the case", field="organisations")
    if not organisation_ids <= {o.id for o in organisations.list_organisations(session)}:
        raise AuditError("Select agencies from the list", field="organisations")


def _closes_at(case: AuditCase) -> datetime:
    return datetime.combine(case.day.held_on + timedelta(days=OPEN_DAYS), time.min, tzinfo=UTC)


def add_case(
    session: Session,
    day_id: int,
    *,
    reference: str,
    organisation_ids: set[int],
    definition: SurveyDefinition,
    by: User,
) -> tuple[AuditCase, set[int]]:
    """Add a case to an audit day and ask the agencies involved for the audit tool."""
    day = get_day(session, day_id)
    problem = reference_problem(reference)
    if problem:
        raise AuditError(problem, field="reference")
    wanted = reference.strip().upper()
    taken = session.scalar(
        select(func.count(AuditCase.id)).where(func.upper(AuditCase.reference) == wanted)
    )
    if taken:
        raise AuditError("A case with this reference is already being audited", field="reference")
    _check_agencies(session, organisation_ids)
    case = AuditCase(reference=wanted)
    day.cases.append(case)
    session.flush()
    newly = _ask(session, case, organisation_ids, definition, by)
    record_audit(
        session,
        user_id=by.id,
        action="audit_case.added",
        object_type="audit_case",
        object_id=case.id,
        detail=f"organisations={len(organisation_ids)}",
    )
    session.commit()
    log.info("audit case added case_id=%s day_id=%s", case.id, day.id)
    return case, newly


def _ask(
    session: Session,
    case: AuditCase,
    organisation_ids: set[int],
    definition: SurveyDefinition,
    by: User,
) -> set[int]:
    cycle, newly = ask_in_own_cycle(
        session,
        case.cycle,
        definition,
        title=f"Case audit {case.reference} ({case.day.topic}, {case.day.held_on:%-d %B %Y})",
        closes_at=_closes_at(case),
        organisation_ids=organisation_ids,
        by=by,
    )
    case.cycle = cycle
    return newly


def ask_agencies(
    session: Session,
    case_id: int,
    organisation_ids: set[int],
    *,
    definition: SurveyDefinition,
    by: User,
) -> set[int]:
    """Add agencies involved in a case; return those newly asked for the audit tool."""
    case = get_case(session, case_id)
    _check_agencies(session, organisation_ids)
    newly = _ask(session, case, organisation_ids, definition, by)
    record_audit(
        session,
        user_id=by.id,
        action="audit_case.agencies_asked",
        object_type="audit_case",
        object_id=case.id,
        detail=f"organisations={len(newly)}",
    )
    session.commit()
    return newly


def record_voices(
    session: Session, case_id: int, *, forum_notes: str, family_views: str, by: User
) -> AuditCase:
    """Keep the practitioner forum's notes and the family's views with the case."""
    case = get_case(session, case_id)
    if len(forum_notes) > 20000 or len(family_views) > 20000:
        raise AuditError("Enter 20,000 characters or fewer", field="forum_notes")
    case.forum_notes = forum_notes.strip()
    case.family_views = family_views.strip()
    case.updated_at = utcnow()
    record_audit(
        session,
        user_id=by.id,
        action="audit_case.voices_changed",
        object_type="audit_case",
        object_id=case.id,
    )
    session.commit()
    return case


def get_case(session: Session, case_id: int) -> AuditCase:
    found = session.get(AuditCase, case_id)
    if found is None:
        raise AuditNotFound("There is no audit case with that number")
    return found


def agency_returns(session: Session, case: AuditCase) -> list[ReturnRow]:
    """Each agency involved, with where its audit tool for this case has got to."""
    return [] if case.cycle is None else cycles.returns(session, case.cycle)


@dataclass(frozen=True)
class GradeRow:
    """One question of the audit tool, with each agency's answer in the agencies' order."""

    label: str
    cells: tuple[str, ...]
    is_grade: bool


@dataclass(frozen=True)
class CaseGrid:
    """The case across agencies: agencies (columns) and the tool's questions (rows)."""

    agencies: tuple[str, ...]
    statuses: tuple[str, ...]
    rows: tuple[GradeRow, ...]


def combined_view(session: Session, case: AuditCase, definition: SurveyDefinition) -> CaseGrid:
    """Put the agencies' graded judgements and what they wrote side by side.

    Only submitted audit tools are shown; an agency yet to submit has empty cells.
    """
    returns = agency_returns(session, case)
    answers = [
        answers_of(r.response) if r.response is not None and r.response.is_submitted else None
        for r in returns
    ]
    rows = []
    for page in definition.pages:
        for question in page.questions:
            labels = {o.value: o.label for o in question.options or ()}
            cells = []
            for given in answers:
                value = None if given is None else given.get(question.id)
                cells.append(labels.get(value, value) if isinstance(value, str) else "")
            rows.append(
                GradeRow(
                    question.label,
                    tuple(cells),
                    is_grade=question.type is QuestionType.RADIOS,
                )
            )
    return CaseGrid(
        agencies=tuple(r.organisation.name for r in returns),
        statuses=tuple(r.status_label for r in returns),
        rows=tuple(rows),
    )
