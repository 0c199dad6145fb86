"""What the partnership collects: cycles, public links, responses and their history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, PartnershipOwned, str_enum, utcnow
from surveys.models.people import Organisation, Partnership, User


class CycleAudience(enum.StrEnum):
    ORGANISATIONS = "organisations"  # assigned organisations answer as teams
    LINK = "link"  # anyone with a public link answers anonymously


class ResponseStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return {
            "in_progress": "In progress",
            "awaiting_sign_off": "Awaiting sign-off",
            "submitted": "Submitted",
        }[self.value]


class Cycle(PartnershipOwned, Base):
    """One round of a form, for a definition version, open between two dates."""

    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    definition_key: Mapped[str] = mapped_column(String(64), index=True)
    definition_version: Mapped[int]
    audience: Mapped[CycleAudience] = mapped_column(str_enum(CycleAudience, "cycle_audience"))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Cycles of several partnerships with the same value are one shared cycle: an organisation
    # that serves several of them answers one return (surveys.shared_returns).
    shared_round: Mapped[str | None] = mapped_column(String(36), index=True)
    # The partnership's own questions, answered beside the form's: [{"id", "label", "hint"}].
    local_questions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    assignments: Mapped[list[CycleAssignment]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan"
    )
    links: Mapped[list[PublicLink]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan"
    )

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class SharedCycleOffer(PartnershipOwned, Base):
    """Another partnership's invitation to join a shared cycle (owned by the one invited)."""

    __tablename__ = "shared_cycle_offers"
    __table_args__ = (UniqueConstraint("partnership_id", "shared_round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shared_round: Mapped[str] = mapped_column(String(36), index=True)
    from_partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    definition_key: Mapped[str] = mapped_column(String(64))
    definition_version: Mapped[int]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycles.id", ondelete="SET NULL")
    )
    declined_at: Mapped[datetime | None]

    from_partnership: Mapped[Partnership] = relationship(foreign_keys=[from_partnership_id])


class CycleAssignment(PartnershipOwned, Base):
    """An organisation asked to return a cycle (the returns list)."""

    __tablename__ = "cycle_assignments"
    __table_args__ = (UniqueConstraint("cycle_id", "organisation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    last_reminded_at: Mapped[datetime | None]
    deadline: Mapped[datetime | None]  # this organisation's own, later deadline (an extension)
    escalated_at: Mapped[datetime | None]  # overdue: its people and senior contact were told

    cycle: Mapped[Cycle] = relationship(back_populates="assignments")
    organisation: Mapped[Organisation] = relationship()


class PublicLink(PartnershipOwned, Base):
    """An anonymous link (and QR code) into a cycle, e.g. for one training session."""

    __tablename__ = "public_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # 256-bit capability
    label: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[Cycle] = relationship(back_populates="links")


class Response(PartnershipOwned, Base):
    """One organisation's (or one anonymous respondent's) answers to a cycle.

    An organisation has one shared response per cycle. `version` increases on every save
    that changes answers: a save made against an older version is refused (optimistic
    concurrency), and a lead signs off one version (ResponseChange says what changed since). The
    `submission_id` is issued with the form and is unique, so replays cannot duplicate.
    """

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("cycle_id", "organisation_id", name="uq_responses_cycle_organisation"),
        Index("ix_responses_cycle_status", "cycle_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    public_link_id: Mapped[int | None] = mapped_column(ForeignKey("public_links.id"), index=True)
    submission_id: Mapped[str] = mapped_column(String(36), unique=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    definition_key: Mapped[str] = mapped_column(String(64), index=True)
    definition_version: Mapped[int]
    status: Mapped[ResponseStatus] = mapped_column(
        str_enum(ResponseStatus, "response_status"), default=ResponseStatus.IN_PROGRESS
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_saved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    signed_off_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    signed_off_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_flagged: Mapped[bool] = mapped_column(default=False)
    # When the worker's semantic disclosure screen read this response (None: not yet).
    semantic_screened_at: Mapped[datetime | None] = mapped_column(index=True)

    cycle: Mapped[Cycle] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    public_link: Mapped[PublicLink | None] = relationship()
    last_saved_by: Mapped[User | None] = relationship(foreign_keys=[last_saved_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    history: Mapped[list[ResponseVersion]] = relationship(
        back_populates="response", order_by="ResponseVersion.number", cascade="all, delete-orphan"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status is ResponseStatus.SUBMITTED


class ResponseVersion(PartnershipOwned, Base):
    """A submitted version kept when a response is reopened: never overwritten."""

    __tablename__ = "response_versions"
    __table_args__ = (UniqueConstraint("response_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    number: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime] = mapped_column(default=utcnow)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    response: Mapped[Response] = relationship(back_populates="history")


class EvidenceFile(PartnershipOwned, Base):
    """An uploaded evidence file, stored outside static files under a random name."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    # Not unique: copies of one shared return in several partnerships name the same file.
    stored_name: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # On a shared return each partnership's copy has its own file; this names the first upload.
    copied_from_id: Mapped[int | None]


class DisclosureStatus(enum.StrEnum):
    NEW = "new"
    REVIEWED = "reviewed"


class FlagSource(enum.StrEnum):
    """What raised a flag: the rule screen, the semantic screen or a concern answer."""

    RULES = "rules"
    SEMANTIC = "semantic"
    CONCERN_ANSWER = "concern_answer"


class ReviewOutcome(enum.StrEnum):
    """What the designated safeguarding lead decided about a flagged response."""

    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    POLICE = "police"
    EARLY_HELP = "early_help"
    ALREADY_KNOWN = "already_known"
    NO_FURTHER_ACTION = "no_further_action"

    @property
    def label(self) -> str:
        return {
            "childrens_social_care": "Referred to children's social care",
            "police": "Referred to the police",
            "early_help": "Referred to early help",
            "already_known": "Already known to services",
            "no_further_action": "No further action",
        }[self.value]


class DisclosureFlag(PartnershipOwned, Base):
    """A possible disclosure found in one answer: the restricted queue of the DSL.

    `alerted_at` is set once the DSLs have been emailed: a periodic job emails every
    flag without it, so no submission path (and no queue outage) can lose an alert.
    """

    __tablename__ = "disclosure_flags"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[str] = mapped_column(String(300))  # category codes, never text
    source: Mapped[FlagSource] = mapped_column(
        str_enum(FlagSource, "flag_source"), default=FlagSource.RULES
    )
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_due_at: Mapped[datetime]
    alerted_at: Mapped[datetime | None] = mapped_column(index=True)
    status: Mapped[DisclosureStatus] = mapped_column(
        str_enum(DisclosureStatus, "disclosure_status"), default=DisclosureStatus.NEW
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    outcome: Mapped[ReviewOutcome | None] = mapped_column(str_enum(ReviewOutcome, "review_outcome"))
    action_taken: Mapped[str] = mapped_column(Text, default="")  # the DSL's note

    response: Mapped[Response] = relationship()
    reviewed_by: Mapped[User | None] = relationship()


class FollowUpRequest(PartnershipOwned, Base):
    """A trainee's email, kept only until the 6–8 week follow-up is answered or its one
    reminder has gone (an evaluation through a cycle's shared link, not a course's session:
    those are `TraineeFollowUp`). `link_id`: the trainee's own follow-up link, sent to them."""

    __tablename__ = "follow_up_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(254))  # "" once answered or reminded
    due_at: Mapped[datetime] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    link_id: Mapped[int | None] = mapped_column(ForeignKey("public_links.id"), unique=True)


class ResponseChange(PartnershipOwned, Base):
    """One page save that changed answers: which questions, by whom and when.

    Holds question ids, never answers, so a lead can see what changed since they reviewed
    a return and a colleague can see who saved an answer that conflicts with theirs.
    """

    __tablename__ = "response_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]  # the response version this save made
    page_id: Mapped[str] = mapped_column(String(64))
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    saved_by: Mapped[User | None] = relationship()
