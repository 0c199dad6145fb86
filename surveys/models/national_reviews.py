"""Nationally significant reviews (e.g. the national panel's) and their findings.

The quality group records a review (title, publisher, date published, link) and its findings,
each a short statement. Each finding asks agencies how local services measure against it, in a
cycle of its own of the `national-review-finding` form (`NationalFinding.cycle`): each agency
answers every finding once (a rating, what is in place, the gap). A gap may become an action
(`actions.national_finding_id`, one per finding and agency).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, PartnershipOwned, utcnow
from surveys.models.collection import Cycle


class NationalReview(PartnershipOwned, Base):
    """A nationally significant review the partnership tests local services against."""

    __tablename__ = "national_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[date]
    link: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    findings: Mapped[list[NationalFinding]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="NationalFinding.number"
    )


class NationalFinding(PartnershipOwned, Base):
    """One finding of a national review, and the cycle in which agencies answer it."""

    __tablename__ = "national_findings"
    __table_args__ = (UniqueConstraint("review_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("national_reviews.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    statement: Mapped[str] = mapped_column(Text)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[NationalReview] = relationship(back_populates="findings")
    cycle: Mapped[Cycle | None] = relationship()
