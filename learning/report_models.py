"""What the quality group writes into a period report, and the chair's sign-off of it.

One row per partnership, kind of report (six-monthly or yearly) and period. The four sections
are the group's own words (never logged); once the chair's sign-off is recorded the sections
are locked until someone reopens the report, which clears the sign-off.

Re-exported by `learning.models`, where the rest of the learning domain's tables live.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveys.models import Base, utcnow
from surveys.models.base import PartnershipOwned, str_enum


class ReportKind(enum.StrEnum):
    SIX_MONTHLY = "six_monthly"
    YEARLY = "yearly"

    @property
    def label(self) -> str:
        return {"six_monthly": "Six-monthly report", "yearly": "Yearly report"}[self.value]


class ReportNarrative(PartnershipOwned, Base):
    """The group's sections of one report, and who signed it off."""

    __tablename__ = "report_narratives"
    __table_args__ = (UniqueConstraint("partnership_id", "kind", "period_start", "period_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    summary: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    will_do: Mapped[str] = mapped_column(Text, default="")
    changed: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    chair_name: Mapped[str | None] = mapped_column(String(200))
    chair_role: Mapped[str | None] = mapped_column(String(200))
    signed_off_on: Mapped[date | None]
    signed_off_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    signed_off_recorded_at: Mapped[datetime | None]

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_on is not None
