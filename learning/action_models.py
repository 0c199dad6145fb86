"""The learning board's actions and their progress updates: what an organisation agreed to do,
where it came from (`ActionSource`), and whether it is overdue (by its due date only).

Re-exported by `learning.models`, where the rest of the learning domain's tables live.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models import Base, Challenge, Organisation, Response, User, utcnow
from surveys.models.base import PartnershipOwned, str_enum


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ActionSource(enum.StrEnum):
    """Where an action came from, as the organisation's one list of actions says."""

    RETURN = "return"  # the organisation's own return: a standard it rated below met
    CHALLENGE = "challenge"  # a reviewer's challenge on a standard of its return
    QUALITY_GROUP = "quality_group"  # the learning board or the learning log
    CASE_REVIEW = "case_review"  # a case review's recommendation
    NATIONAL_REVIEW = "national_review"  # a gap an agency found against a national finding

    @property
    def label(self) -> str:
        return {
            "return": "Return",
            "challenge": "Challenge",
            "quality_group": "Quality group",
            "case_review": "Case review",
            "national_review": "National review",
        }[self.value]


class Action(PartnershipOwned, Base):
    """Something an organisation has agreed to do: from a board decision, a log entry, a case
    review's recommendation, or a standard of its own return (rated or moderated below the
    scale's best level, or challenged), which the organisation proposes and a reviewer agrees.
    """

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("national_finding_id", "owner_organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.NOT_STARTED
    )
    board_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("board_items.id", ondelete="SET NULL")
    )
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_entries.id", ondelete="SET NULL")
    )
    # A case review's recommendation this action carries out (one action each).
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_recommendations.id", ondelete="SET NULL"), unique=True
    )
    # A national review's finding whose gap, in the owner organisation's answer, this closes
    # (one action per finding and organisation).
    national_finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("national_findings.id", ondelete="SET NULL"), index=True
    )
    # A return's action plan: the return and standard it answers, the challenge it came from
    # (if any), who in the organisation leads it, and the reviewer's agreement.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), index=True
    )
    standard_ref: Mapped[str | None] = mapped_column(String(32))
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="SET NULL")
    )
    owner: Mapped[str] = mapped_column(String(200), default="")
    agreed_at: Mapped[datetime | None]
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    evidence_of_impact: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    owner_organisation: Mapped[Organisation] = relationship()
    response: Mapped[Response | None] = relationship()
    challenge: Mapped[Challenge | None] = relationship()
    agreed_by: Mapped[User | None] = relationship(foreign_keys=[agreed_by_id])
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionUpdate.id"
    )

    def is_overdue(self, today: date) -> bool:
        """Overdue: not done and its due date has passed (never a status someone picks)."""
        return self.status is not ActionStatus.DONE and self.due_date < today

    @property
    def source(self) -> ActionSource:
        if self.challenge_id is not None:
            return ActionSource.CHALLENGE
        if self.response_id is not None:
            return ActionSource.RETURN
        if self.recommendation_id is not None:
            return ActionSource.CASE_REVIEW
        if self.national_finding_id is not None:
            return ActionSource.NATIONAL_REVIEW
        return ActionSource.QUALITY_GROUP

    @property
    def is_agreed(self) -> bool:
        """An action a return proposed is agreed once a reviewer agrees it; others always are."""
        return self.response_id is None or self.agreed_at is not None


class ActionUpdate(PartnershipOwned, Base):
    """A progress note on an action, by whom and when."""

    __tablename__ = "action_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_update_status"))
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    written_by: Mapped[User | None] = relationship()
