"""Scrutiny of Section 11 / 175 returns: reviews per standard, challenges, meetings.

Every row belongs to the partnership whose copy of a return it scrutinises: a shared return
(one organisation's answers copied to several partnerships) is reviewed by each partnership
on its own copy, and nothing here is mirrored between copies.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, PartnershipOwned, str_enum, utcnow
from surveys.models.collection import Cycle, Response
from surveys.models.people import Organisation, User


class ReturnReview(PartnershipOwned, Base):
    """The partnership's scrutiny of one submitted return: assurance and feedback."""

    __tablename__ = "return_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    assured_at: Mapped[datetime | None]
    assured_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None]
    feedback_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship()
    assured_by: Mapped[User | None] = relationship(foreign_keys=[assured_by_id])
    feedback_by: Mapped[User | None] = relationship(foreign_keys=[feedback_by_id])


class StandardReview(PartnershipOwned, Base):
    """A reviewer's decision on one standard of a return, and its moderated rating.

    `moderated_rating` has the stored shape of a compliance rating (`surveys.ratings`), on
    the scale of the standard's rating question; it always comes with a reason.
    """

    __tablename__ = "standard_reviews"
    __table_args__ = (UniqueConstraint("response_id", "standard_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    standard_ref: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_rating: Mapped[Any | None] = mapped_column(JSON)
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    moderated_by: Mapped[User | None] = relationship(foreign_keys=[moderated_by_id])


class ChallengeKind(enum.StrEnum):
    QUESTION = "question"
    EVIDENCE = "evidence"

    @property
    def label(self) -> str:
        return "A question" if self is ChallengeKind.QUESTION else "A request for evidence"


class ChallengeStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the organisation's answer
    ANSWERED = "answered"  # answered: the reviewer closes it, or asks again
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "open": "Waiting for an answer",
            "answered": "Answered",
            "closed": "Closed",
        }[self.value]


class Challenge(PartnershipOwned, Base):
    """A reviewer's question, or request for evidence, on one standard of a return.

    Never deleted: it is closed with an outcome, so other records (an agreed action) can
    name it by id. Evidence the organisation attaches with its answer is stored as evidence
    files of the return (`surveys.evidence`), under `evidence_question_id`.
    """

    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    standard_ref: Mapped[str] = mapped_column(String(32))
    kind: Mapped[ChallengeKind] = mapped_column(str_enum(ChallengeKind, "challenge_kind"))
    question: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[ChallengeStatus] = mapped_column(
        str_enum(ChallengeStatus, "challenge_status"), default=ChallengeStatus.OPEN
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]

    response: Mapped[Response] = relationship()
    organisation: Mapped[Organisation] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def evidence_question_id(self) -> str:
        """The question id its evidence files are stored under, on the return."""
        return f"challenge-{self.id}"

    @property
    def is_closed(self) -> bool:
        return self.status is ChallengeStatus.CLOSED


class CycleReviewer(PartnershipOwned, Base):
    """Someone a partnership admin named to review one cycle's returns (no reviewer role)."""

    __tablename__ = "cycle_reviewers"
    __table_args__ = (UniqueConstraint("cycle_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    named_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[Cycle] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class MeetingKind(enum.StrEnum):
    CHALLENGE = "challenge"
    PEER_CHALLENGE = "peer_challenge"

    @property
    def label(self) -> str:
        return "Challenge meeting" if self is MeetingKind.CHALLENGE else "Peer challenge event"


class ReviewMeeting(PartnershipOwned, Base):
    """A challenge meeting or peer challenge event: when, who attended, what was covered."""

    __tablename__ = "review_meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(str_enum(MeetingKind, "meeting_kind"))
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(Text)  # who attended, one a line
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[Cycle | None] = relationship()
    outcomes: Mapped[list[MeetingOutcome]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingOutcome.id"
    )


class MeetingOutcome(PartnershipOwned, Base):
    """An organisation a meeting covered, and the outcome for it (empty until recorded)."""

    __tablename__ = "meeting_outcomes"
    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("review_meetings.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime | None]

    meeting: Mapped[ReviewMeeting] = relationship(back_populates="outcomes")
    organisation: Mapped[Organisation] = relationship()
