"""The training programme: courses, their sessions, who attended, and each trainee's chain.

A course has its own learning outcomes, which its evaluation asks confidence about. Each
session has its own anonymous link (a PublicLink of an open training-evaluation cycle), so an
evaluation reached from it knows its course and session. Attendance (names, emails and
organisations) is kept apart from answers and erased on the session's retention date.

`TraineeFollowUp` links one evaluation to its 6–8 week follow-up through a pseudonymous
person-course key (an HMAC of the normalised email and the course id, `surveys.training.keys`):
the email is held only until the follow-up link and its one reminder have gone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, PartnershipOwned, utcnow
from surveys.models.collection import PublicLink


class TrainingCourse(PartnershipOwned, Base):
    """A course in the partnership's training programme."""

    __tablename__ = "training_courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    outcomes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # learning outcomes, in order
    level: Mapped[str] = mapped_column(String(100))
    # The learning log entry that asked for it (no foreign key: the log is learning's table).
    learning_entry_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="course", order_by="TrainingSession.held_on"
    )


class TrainingSession(PartnershipOwned, Base):
    """One delivery of a course, with its own evaluation link and QR code."""

    __tablename__ = "training_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200))  # "Online" for an online session
    is_online: Mapped[bool] = mapped_column(default=False)
    trainers: Mapped[str] = mapped_column(String(300))
    capacity: Mapped[int]
    link_id: Mapped[int] = mapped_column(ForeignKey("public_links.id"), unique=True)
    erase_attendance_on: Mapped[date]  # names and emails of attendees are erased on this date
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[TrainingCourse] = relationship(back_populates="sessions")
    link: Mapped[PublicLink] = relationship()


class TrainingAttendance(PartnershipOwned, Base):
    """Someone who attended a session: kept apart from any answers, erased on its date."""

    __tablename__ = "training_attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # "" once erased
    email: Mapped[str] = mapped_column(String(254))  # "" once erased
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    organisation_name: Mapped[str] = mapped_column(String(200))  # as given, when not on the list
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TraineeFollowUp(PartnershipOwned, Base):
    """One trainee's evaluation of a session, linked to their follow-up by a pseudonymous key."""

    __tablename__ = "trainee_follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    person_key: Mapped[str] = mapped_column(String(64), index=True)  # HMAC, never the email
    email: Mapped[str] = mapped_column(String(254))  # "" once the reminder is sent or answered
    due_at: Mapped[datetime] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    link_id: Mapped[int | None] = mapped_column(ForeignKey("public_links.id"), unique=True)
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )

    session: Mapped[TrainingSession] = relationship()
