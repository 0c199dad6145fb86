"""Multi-agency case audits and practice concerns.

An audit programme (topics the quality group chose) holds audit days; each day audits cases,
known by a pseudonymous reference only (never a child's name or date of birth). Each case asks
the agencies involved for the audit tool in a cycle of its own (`AuditCase.cycle`), so every
agency answers each of its cases once. The practitioner forum's notes and the family's views
stay with the case; findings (strengths, areas to improve, lessons) belong to a day or to the
whole programme and may become learning log entries (`learning_entries.audit_finding_id`).

A practice concern or near miss is a response to a link cycle of the `practice-concern` form;
`ConcernTriage` holds where the quality group's triage has got to.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, PartnershipOwned, str_enum, utcnow
from surveys.models.case_reviews import CaseReview
from surveys.models.collection import Cycle, Response


class FindingKind(enum.StrEnum):
    STRENGTH = "strength"
    AREA_TO_IMPROVE = "area_to_improve"
    LESSON = "lesson"

    @property
    def label(self) -> str:
        return {
            "strength": "Strength",
            "area_to_improve": "Area to improve",
            "lesson": "Lesson",
        }[self.value]


class TriageStatus(enum.StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    REFERRED = "referred"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "new": "New",
            "under_review": "Under review",
            "referred": "Referred to a review",
            "closed": "Closed",
        }[self.value]


class AuditProgramme(PartnershipOwned, Base):
    """A year's (or a cycle's) multi-agency case audits, on topics the quality group chose."""

    __tablename__ = "audit_programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topics: Mapped[str] = mapped_column(Text, default="")  # one topic a line
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The findings' words, kept as responses to theme (surveys.case_audits.finding_texts).
    findings_cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycles.id", ondelete="SET NULL")
    )

    findings_cycle: Mapped[Cycle | None] = relationship()
    days: Mapped[list[AuditDay]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="AuditDay.held_on"
    )
    findings: Mapped[list[AuditFinding]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="AuditFinding.id"
    )

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.splitlines() if t.strip()]


class AuditDay(PartnershipOwned, Base):
    """One audit day: the cases audited on it share a topic."""

    __tablename__ = "audit_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("audit_programmes.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date]
    topic: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[AuditProgramme] = relationship(back_populates="days")
    cases: Mapped[list[AuditCase]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="AuditCase.id"
    )
    findings: Mapped[list[AuditFinding]] = relationship(
        back_populates="day", order_by="AuditFinding.id", overlaps="findings"
    )


class AuditCase(PartnershipOwned, Base):
    """A case audited on a day, known only by its pseudonymous reference."""

    __tablename__ = "audit_cases"
    __table_args__ = (UniqueConstraint("partnership_id", "reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("audit_days.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(30))
    # The agencies involved and their audit tools: a cycle of the case-audit form.
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    forum_notes: Mapped[str] = mapped_column(Text, default="")
    family_views: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    day: Mapped[AuditDay] = relationship(back_populates="cases")
    cycle: Mapped[Cycle | None] = relationship()


class AuditFinding(PartnershipOwned, Base):
    """A strength, area to improve or lesson from one audit day, or from the whole programme."""

    __tablename__ = "audit_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("audit_programmes.id", ondelete="CASCADE"), index=True
    )
    day_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_days.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FindingKind] = mapped_column(str_enum(FindingKind, "audit_finding_kind"))
    text: Mapped[str] = mapped_column(Text)
    # The same words as a response of the case-audit-finding form: what theming reads.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response | None] = relationship()
    programme: Mapped[AuditProgramme] = relationship(back_populates="findings")
    day: Mapped[AuditDay | None] = relationship(back_populates="findings", overlaps="findings")


class ConcernTriage(PartnershipOwned, Base):
    """Where the quality group's triage of one practice concern has got to."""

    __tablename__ = "concern_triage"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[TriageStatus] = mapped_column(
        str_enum(TriageStatus, "concern_triage_status"), default=TriageStatus.NEW
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    case_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship()
    case_review: Mapped[CaseReview | None] = relationship()
