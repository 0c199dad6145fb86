"""Case reviews: a serious incident's notification, rapid review, decision and local review.

The child's name, date of birth, address and ethnicity live apart, in `CaseDetails`, which
only case review officers open (each view audited) and which is deleted on its removal date.
A review itself is known by its reference (e.g. RR-2026-003), never by the child's name.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, PartnershipOwned, str_enum, utcnow
from surveys.models.collection import Cycle
from surveys.models.people import User


class ReviewDecision(enum.StrEnum):
    """What the rapid review decided (Working Together 2023)."""

    LOCAL_REVIEW = "local_review"
    NO_LOCAL_REVIEW = "no_local_review"
    OTHER_LEARNING = "other_learning"

    @property
    def label(self) -> str:
        return {
            "local_review": "Carry out a local child safeguarding practice review",
            "no_local_review": "No local review",
            "other_learning": "Another kind of learning review",
        }[self.value]


class PublicationDecision(enum.StrEnum):
    PUBLISH_REPORT = "publish_report"
    PUBLISH_SUMMARY = "publish_summary"
    NOT_PUBLISHED = "not_published"

    @property
    def label(self) -> str:
        return {
            "publish_report": "Publish the report",
            "publish_summary": "Publish a summary of the learning",
            "not_published": "Do not publish",
        }[self.value]


class CaseReview(PartnershipOwned, Base):
    """One serious incident, from notification to the published local review."""

    __tablename__ = "case_reviews"
    __table_args__ = (UniqueConstraint("partnership_id", "reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30))
    incident_summary: Mapped[str] = mapped_column(Text, default="")
    became_aware_on: Mapped[date]
    panel_notified_on: Mapped[date | None]
    ofsted_notified_on: Mapped[date | None]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The agencies' information returns: a cycle of the rapid-review-information form.
    information_cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycles.id", ondelete="SET NULL")
    )
    decision: Mapped[ReviewDecision | None] = mapped_column(
        str_enum(ReviewDecision, "review_decision")
    )
    decision_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None]
    peer_challenge: Mapped[str] = mapped_column(Text, default="")
    panel_view: Mapped[str] = mapped_column(Text, default="")
    terms_of_reference: Mapped[str] = mapped_column(Text, default="")
    lead_reviewer: Mapped[str] = mapped_column(String(200), default="")
    lead_reviewer_is_independent: Mapped[bool | None]
    agencies_involved: Mapped[str] = mapped_column(Text, default="")
    practitioners_involved: Mapped[str] = mapped_column(Text, default="")
    family_involvement: Mapped[str] = mapped_column(Text, default="")
    publication_decision: Mapped[PublicationDecision | None] = mapped_column(
        str_enum(PublicationDecision, "publication_decision")
    )
    publication_reasons: Mapped[str] = mapped_column(Text, default="")
    publication_decided_on: Mapped[date | None]
    published_on: Mapped[date | None]
    published_until: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    information_cycle: Mapped[Cycle | None] = relationship()
    meetings: Mapped[list[RapidReviewMeeting]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="RapidReviewMeeting.held_on"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Recommendation.number"
    )


class RapidReviewMeeting(PartnershipOwned, Base):
    """A rapid review meeting: when, who came (agencies and roles) and what it concluded."""

    __tablename__ = "rapid_review_meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date]
    attended_by: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[CaseReview] = relationship(back_populates="meetings")


class Recommendation(PartnershipOwned, Base):
    """A review's recommendation; it becomes an action (`actions.recommendation_id`)."""

    __tablename__ = "review_recommendations"
    __table_args__ = (UniqueConstraint("review_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[CaseReview] = relationship(back_populates="recommendations")


class CaseDetails(PartnershipOwned, Base):
    """RESTRICTED: the child's name, date of birth, address and ethnicity for one case review.

    Only case review officers see these; every view is audited; they are never logged,
    themed, reported or exported with answers, and are deleted on `remove_on`.
    """

    __tablename__ = "case_details"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="CASCADE"), unique=True
    )
    child_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None]
    address: Mapped[str] = mapped_column(Text, default="")
    ethnicity: Mapped[str] = mapped_column(String(100), default="")
    remove_on: Mapped[date] = mapped_column(index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewDeadlineAlert(PartnershipOwned, Base):
    """A deadline flag emailed to a review's owners: one row per clock and flag, never twice."""

    __tablename__ = "review_deadline_alerts"
    __table_args__ = (UniqueConstraint("review_id", "clock", "flag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="CASCADE"), index=True
    )
    clock: Mapped[str] = mapped_column(String(20))
    flag: Mapped[str] = mapped_column(String(10))
    due_on: Mapped[date]
    emailed: Mapped[bool] = mapped_column(default=False)  # False: a lower flag passed silently
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
