"""The training programme: courses, sessions with their own links, attendance and its erasure.

Public API:
    TrainingError: a course, session or attendance list cannot be changed as asked
    EVALUATION_FORM, FOLLOW_UP_FORM, ATTENDANCE_KEPT
    create_course(session, *, title, outcomes, level, learning_entry_id=None, by) -> TrainingCourse
    NewSession; add_session(session, course_id, new, *, by) -> TrainingSession: with a link of
        the open training-evaluation cycle (made for it)
    list_courses, course_or_none, session_or_none, session_of_link
    Attendee; record_attendance(session, session_id, attendee) -> TrainingAttendance
    read_attendance_csv(data) -> list[Attendee]: all rows or AttendanceFileError with row errors
    import_attendance(session, session_id, attendees) -> int (all or nothing)
    erase_due_attendance(session, today) -> int: names and emails past their date, erased
"""

from __future__ import annotations

import csv
import io
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys import organisations
from surveys.audit import record_audit
from surveys.cycles import one_line
from surveys.errors import SurveysError
from surveys.models import (
    Cycle,
    CycleAudience,
    Organisation,
    PublicLink,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
    utcnow,
)

log = logging.getLogger(__name__)
EVALUATION_FORM = "training-evaluation"
FOLLOW_UP_FORM = "training-follow-up"
ATTENDANCE_KEPT = timedelta(days=365)  # names and emails erased a year after the session
MAX_OUTCOMES = 8
MAX_ATTENDEES = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class TrainingError(SurveysError):
    """A course, session or attendance list cannot be changed as asked."""


class AttendanceFileError(TrainingError):
    """An attendance file was refused whole; `problems` says which rows and why."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def create_course(
    session: Session,
    *,
    title: str,
    outcomes: Sequence[str],
    level: str,
    learning_entry_id: int | None = None,
    by: int | None,
) -> TrainingCourse:
    """Add a course with its learning outcomes (one to eight, in order). Commits."""
    kept = [one_line(outcome)[:300] for outcome in outcomes if one_line(outcome)]
    if not one_line(title):
        raise TrainingError("Enter the course title")
    if not kept:
        raise TrainingError("Enter at least one learning outcome")
    if len(kept) > MAX_OUTCOMES:
        raise TrainingError(f"Enter no more than {MAX_OUTCOMES} learning outcomes")
    course = TrainingCourse(
        title=one_line(title)[:200],
        outcomes=kept,
        level=one_line(level)[:100],
        learning_entry_id=learning_entry_id,
    )
    session.add(course)
    session.flush()
    record_audit(
        session,
        user_id=by,
        action="training.course_created",
        object_type="course",
        object_id=course.id,
    )
    session.commit()
    return course


@dataclass(frozen=True)
class NewSession:
    held_on: date
    venue: str  # ignored when online
    is_online: bool
    trainers: str
    capacity: int


def _evaluation_cycle(session: Session) -> Cycle | None:
    """The open link cycle of the training evaluation that stays open longest (its links take
    answers now; a session's evaluation is answered on the day, or soon after)."""
    now = utcnow()
    return session.scalar(
        select(Cycle)
        .where(
            Cycle.definition_key == EVALUATION_FORM,
            Cycle.audience == CycleAudience.LINK,
            Cycle.opens_at <= now,
            Cycle.closes_at > now,
        )
        .order_by(Cycle.closes_at.desc(), Cycle.id.desc())
    )


def add_session(
    session: Session, course_id: int, new: NewSession, *, by: int | None
) -> TrainingSession:
    """Add a session of a course, with its own link of the open training-evaluation cycle."""
    course = course_or_none(session, course_id)
    if course is None:
        raise TrainingError("No such course")
    if new.capacity < 1:
        raise TrainingError("Enter how many people can attend, as a whole number above 0")
    cycle = _evaluation_cycle(session)
    if cycle is None:
        raise TrainingError(
            "There is no open training evaluation cycle: publish one under Forms and cycles, "
            "then add the session"
        )
    label = f"{course.title} – {new.held_on.strftime('%-d %B %Y')}"
    link = PublicLink(cycle_id=cycle.id, token=secrets.token_urlsafe(32), label=label[:200])
    session.add(link)
    session.flush()
    training_session = TrainingSession(
        course_id=course.id,
        held_on=new.held_on,
        venue="Online" if new.is_online else one_line(new.venue)[:200],
        is_online=new.is_online,
        trainers=one_line(new.trainers)[:300],
        capacity=new.capacity,
        link_id=link.id,
        erase_attendance_on=new.held_on + ATTENDANCE_KEPT,
    )
    session.add(training_session)
    session.flush()
    record_audit(
        session,
        user_id=by,
        action="training.session_added",
        object_type="training_session",
        object_id=training_session.id,
    )
    session.commit()
    return training_session


def list_courses(session: Session) -> list[TrainingCourse]:
    return list(session.scalars(select(TrainingCourse).order_by(TrainingCourse.title)))


def course_or_none(session: Session, course_id: int) -> TrainingCourse | None:
    return session.get(TrainingCourse, course_id)


def session_or_none(session: Session, session_id: int) -> TrainingSession | None:
    return session.get(TrainingSession, session_id)


def session_of_link(session: Session, link_id: int) -> TrainingSession | None:
    return session.scalar(select(TrainingSession).where(TrainingSession.link_id == link_id))


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    organisation: str  # as given: matched to the partnership's organisations by name


def _match(listed: dict[str, Organisation], given: str) -> Organisation | None:
    return listed.get(one_line(given).casefold())


def _attendance(
    training_session: TrainingSession, attendee: Attendee, listed: dict[str, Organisation]
) -> TrainingAttendance:
    organisation = _match(listed, attendee.organisation)
    return TrainingAttendance(
        session_id=training_session.id,
        name=one_line(attendee.name)[:200],
        email=one_line(attendee.email)[:254],
        organisation_id=organisation.id if organisation else None,
        organisation_name="" if organisation else one_line(attendee.organisation)[:200],
    )


def _listed(session: Session) -> dict[str, Organisation]:
    return {o.name.casefold(): o for o in organisations.list_organisations(session)}


def _check(attendee: Attendee) -> str | None:
    if not one_line(attendee.name):
        return "Enter the attendee's name"
    if attendee.email and not _EMAIL.match(one_line(attendee.email)):
        return "Enter an email address in the correct format, like name@example.com"
    return None


def record_attendance(session: Session, session_id: int, attendee: Attendee) -> TrainingAttendance:
    """Record one attendee of a session (by hand). Commits."""
    training_session = session_or_none(session, session_id)
    if training_session is None:
        raise TrainingError("No such session")
    if (problem := _check(attendee)) is not None:
        raise TrainingError(problem)
    row = _attendance(training_session, attendee, _listed(session))
    session.add(row)
    session.commit()
    return row


def read_attendance_csv(data: bytes) -> list[Attendee]:
    """Read a CSV with columns name, email, organisation: every row, or every row's problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AttendanceFileError("The file must be a CSV file saved as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text.replace("\x00", "")))
    headers = {(h or "").strip().casefold() for h in reader.fieldnames or []}
    if not {"name", "email", "organisation"} <= headers:
        raise AttendanceFileError("The file must have the columns name, email and organisation")
    attendees, problems = [], []
    for number, row in enumerate(reader, start=2):
        cells = {(k or "").strip().casefold(): (v or "") for k, v in row.items() if k}
        attendee = Attendee(cells["name"], cells["email"], cells["organisation"])
        if (problem := _check(attendee)) is not None:
            problems.append(f"Row {number}: {problem}")
        attendees.append(attendee)
        if len(attendees) > MAX_ATTENDEES:
            raise AttendanceFileError(f"The file has more than {MAX_ATTENDEES} attendees")
    if problems:
        raise AttendanceFileError("The file has problems: nothing was imported", problems)
    if not attendees:
        raise AttendanceFileError("The file has no attendees")
    return attendees


def import_attendance(session: Session, session_id: int, attendees: Sequence[Attendee]) -> int:
    """Record every attendee of a file in one transaction. Commits."""
    training_session = session_or_none(session, session_id)
    if training_session is None:
        raise TrainingError("No such session")
    listed = _listed(session)
    session.add_all(_attendance(training_session, attendee, listed) for attendee in attendees)
    session.commit()
    log.info("attendance imported", extra={"session_id": session_id, "count": len(attendees)})
    return len(attendees)


def attendance_of(session: Session, session_id: int) -> list[TrainingAttendance]:
    return list(
        session.scalars(
            select(TrainingAttendance)
            .where(TrainingAttendance.session_id == session_id)
            .order_by(TrainingAttendance.id)
        )
    )


def attendance_count(session: Session, session_id: int) -> int:
    """How many attendees a session has recorded (for readers who may not see who)."""
    return (
        session.scalar(
            select(func.count(TrainingAttendance.id)).where(
                TrainingAttendance.session_id == session_id
            )
        )
        or 0
    )


def erase_due_attendance(session: Session, today: date) -> int:
    """Erase the names and emails of attendees of sessions past their retention date. Commits."""
    due = session.scalars(
        select(TrainingAttendance)
        .join(TrainingSession, TrainingAttendance.session_id == TrainingSession.id)
        .where(
            TrainingSession.erase_attendance_on <= today,
            TrainingAttendance.erased_at.is_(None),
        )
    ).all()
    now = utcnow()
    for row in due:
        row.name, row.email, row.erased_at = "", "", now
    session.commit()
    log.info("attendance erased", extra={"count": len(due)})
    return len(due)
