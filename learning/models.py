"""ORM models of the learning domain: theming runs, themes, lineage, log, board and actions
(the actions in `learning.action_models`, re-exported here).

A run's themes and statements are written in the same transaction that marks it finished,
so readers filter on `ThemingRun.status == finished` and never see a half-saved run. Human
decisions (a theme's name, its discarding, board places, log links) attach to the theme's
`lineage_key`, which persists across runs, not to one run's theme row.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.action_models import Action, ActionSource, ActionStatus, ActionUpdate  # noqa: F401
from learning.report_models import ReportKind, ReportNarrative  # noqa: F401
from surveys.models import Base, Organisation, User, utcnow
from surveys.models.base import PartnershipOwned, str_enum


class RunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_active(self) -> bool:
        return self in (RunStatus.QUEUED, RunStatus.RUNNING)


class ThemeState(enum.StrEnum):
    ACTIVE = "active"
    DISCARDED = "discarded"
    MERGED = "merged"  # its statements were moved into `merged_into`
    SPLIT = "split"  # replaced by the themes whose `split_from` is this one


class LabelSource(enum.StrEnum):
    MACHINE = "machine"
    HUMAN = "human"


class Trend(enum.StrEnum):
    NEW = "new"
    GROWING = "growing"
    STABLE = "stable"
    DECLINING = "declining"


class EditKind(enum.StrEnum):
    RENAME = "rename"
    MERGE = "merge"
    SPLIT = "split"
    MOVE = "move"
    DISCARD = "discard"


class BoardColumn(enum.StrEnum):
    CREATED = "created"
    STABILISED = "stabilised"
    CHANGED = "changed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SourceKind(enum.StrEnum):
    STREAM = "stream"
    CASE_REVIEW = "case_review"
    NATIONAL_REVIEW = "national_review"
    OTHER = "other"


class EntryStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ThemingRun(PartnershipOwned, Base):
    """One theming job: what was chosen, how far it got, and how it was configured."""

    __tablename__ = "theming_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[RunStatus] = mapped_column(
        str_enum(RunStatus, "run_status"), default=RunStatus.QUEUED, index=True
    )
    selection: Mapped[dict[str, Any]] = mapped_column(JSON)
    streams_key: Mapped[str] = mapped_column(String(300), index=True)  # sorted, comma-joined
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    stage: Mapped[str] = mapped_column(String(32), default="")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    failure_reason: Mapped[str] = mapped_column(String(500), default="")
    embedder_model: Mapped[str] = mapped_column(String(200), default="")
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    coverage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    previous_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("theming_runs.id", ondelete="SET NULL")
    )
    # Same streams and questions as the previous run: only then trends and automatic carries.
    comparable: Mapped[bool | None]
    # "full" re-themes everything; "update" keeps `based_on`'s themes and adds new answers.
    mode: Mapped[str] = mapped_column(String(16), default="full")
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("theming_runs.id", ondelete="SET NULL")
    )

    started_by: Mapped[User | None] = relationship()


class ThemeLineage(PartnershipOwned, Base):
    """A theme's identity across runs, and the human decisions that follow it."""

    __tablename__ = "theme_lineages"
    key: Mapped[str] = mapped_column(String(36), primary_key=True)
    human_label: Mapped[str | None] = mapped_column(String(200))
    is_discarded: Mapped[bool] = mapped_column(default=False)
    merged_into_key: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Theme(PartnershipOwned, Base):
    """A theme (or sub-theme, with `parent_id`) of one run."""

    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("theming_runs.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    number: Mapped[int]  # the pipeline's theme id within the run
    lineage_key: Mapped[str | None] = mapped_column(ForeignKey("theme_lineages.key"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    machine_label: Mapped[str] = mapped_column(String(200))
    label_source: Mapped[LabelSource] = mapped_column(
        str_enum(LabelSource, "label_source"), default=LabelSource.MACHINE
    )
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(default=0)
    share: Mapped[float] = mapped_column(default=0.0)
    polarity: Mapped[float | None]
    centroid: Mapped[list[float]] = mapped_column(JSON, default=list)
    quote_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # statement ids
    # quotes for each tone: {"works_well": [statement ids], "must_change": [...]}
    tone_quote_ids: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(String(400), default="")  # suggested, a statement
    summary_statement_id: Mapped[int | None]  # the statement it is: shown while shareable
    state: Mapped[ThemeState] = mapped_column(
        str_enum(ThemeState, "theme_state"), default=ThemeState.ACTIVE
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    trend: Mapped[Trend | None] = mapped_column(str_enum(Trend, "theme_trend"))
    previous_theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL")
    )
    previous_share: Mapped[float | None]
    similarity: Mapped[float | None]
    # Found by an update run among answers no earlier theme took ("Emerging").
    is_emerging: Mapped[bool] = mapped_column(default=False)

    run: Mapped[ThemingRun] = relationship()
    lineage: Mapped[ThemeLineage | None] = relationship()

    @property
    def is_visible(self) -> bool:
        return self.state in (ThemeState.ACTIVE, ThemeState.DISCARDED)


class ThemeStatement(PartnershipOwned, Base):
    """One redacted statement of a run, where it came from and which theme holds it."""

    __tablename__ = "theme_statements"
    __table_args__ = (Index("ix_theme_statements_source", "response_id", "question_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("theming_runs.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )
    sub_theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # redacted by the pipeline
    polarity: Mapped[float | None]
    polarity_hint: Mapped[str | None] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(32))
    sector: Mapped[str | None] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    standard: Mapped[str | None] = mapped_column(String(64))
    rating_is_low: Mapped[bool | None]


class ThemeFate(PartnershipOwned, Base):
    """A previous run's theme no theme of this run confidently continues, and where it went.

    `status` is changed, split, merged or gone (nlp.lineage.ThemeStatus); `candidate_ids` the
    themes of this run it probably went to. When its lineage carries decisions (a human name,
    a board place, log links) the group confirms a target (`resolution` "moved", the decisions
    follow) or leaves them with the old theme ("left").
    """

    __tablename__ = "theme_fates"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("theming_runs.id", ondelete="CASCADE"), index=True
    )
    previous_theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    lineage_key: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16))  # changed, split, merged or gone
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    candidate_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    similarity: Mapped[float | None]
    needs_confirmation: Mapped[bool] = mapped_column(default=False)
    resolution: Mapped[str | None] = mapped_column(String(16))  # "moved" or "left"
    moved_to_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]

    previous_theme: Mapped[Theme] = relationship(foreign_keys=[previous_theme_id])
    moved_to: Mapped[Theme | None] = relationship(foreign_keys=[moved_to_id])


class ThemeEdit(PartnershipOwned, Base):
    """A human edit of a run's themes, with what it changed so it can be undone."""

    __tablename__ = "theme_edits"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("theming_runs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EditKind] = mapped_column(str_enum(EditKind, "theme_edit_kind"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(String(300))  # labels and counts, never statements
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])


class Embedding(PartnershipOwned, Base):
    """A cached sentence vector (float32 bytes) by partnership, model id and sha256 of the text.

    Each partnership has its own cache (see `learning.embedding_cache` for why).
    """

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("partnership_id", "model", "text_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LearningEntry(PartnershipOwned, Base):
    """One lesson in the partnership's learning log."""

    __tablename__ = "learning_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    lesson: Mapped[str] = mapped_column(Text, default="")
    source_kind: Mapped[SourceKind] = mapped_column(
        str_enum(SourceKind, "learning_source_kind"), default=SourceKind.STREAM
    )
    source_stream: Mapped[str | None] = mapped_column(String(32), index=True)
    source_cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycles.id", ondelete="SET NULL")
    )
    source_detail: Mapped[str] = mapped_column(String(300), default="")
    entry_date: Mapped[date]
    recommended_action: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[EntryStatus] = mapped_column(
        str_enum(EntryStatus, "learning_entry_status"), default=EntryStatus.OPEN, index=True
    )
    review_date: Mapped[date | None]
    # The case review the learning came from (source_kind case_review).
    case_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="SET NULL"), index=True
    )
    # The case audit finding the learning came from (source_kind stream, case_audit).
    audit_finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_findings.id", ondelete="SET NULL"), index=True
    )
    # The learning briefing's wording for practitioners, when the quality group changed it
    # (empty: the briefing words it from the entry; see `learning.briefing`).
    briefing_why: Mapped[str] = mapped_column(Text, default="")
    briefing_do: Mapped[str] = mapped_column(Text, default="")
    briefing_questions: Mapped[str] = mapped_column(Text, default="")
    briefing_more: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    themes: Mapped[list[EntryTheme]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryTheme.id"
    )
    organisations: Mapped[list[Organisation]] = relationship(
        secondary="learning_entry_organisations", order_by="Organisation.name"
    )


class EntryOrganisation(Base):
    """An organisation a learning entry concerns.

    Two ids and no partnership of its own: it is written and read only through its entry.
    """

    __tablename__ = "learning_entry_organisations"
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("learning_entries.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )


class EntryTheme(PartnershipOwned, Base):
    """A theme linked to a learning entry, with its evidence as it stood when linked."""

    __tablename__ = "learning_entry_themes"
    __table_args__ = (UniqueConstraint("entry_id", "lineage_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("learning_entries.id", ondelete="CASCADE"))
    lineage_key: Mapped[str] = mapped_column(ForeignKey("theme_lineages.key"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("theming_runs.id", ondelete="SET NULL"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    share: Mapped[float]
    must_change: Mapped[int] = mapped_column(default=0)
    works_well: Mapped[int] = mapped_column(default=0)
    quotes: Mapped[list[str]] = mapped_column(JSON, default=list)  # redacted
    quote_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[LearningEntry] = relationship(back_populates="themes")


class BoardItem(PartnershipOwned, Base):
    """A theme (by lineage) or a learning entry placed on the Created/Stabilised/Changed board."""

    __tablename__ = "board_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    lineage_key: Mapped[str | None] = mapped_column(ForeignKey("theme_lineages.key"), unique=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_entries.id", ondelete="CASCADE"), unique=True
    )
    column: Mapped[BoardColumn] = mapped_column(str_enum(BoardColumn, "board_column"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # 1 is the column's top priority
    suggested_column: Mapped[BoardColumn | None] = mapped_column(
        str_enum(BoardColumn, "board_suggested_column")
    )
    suggested_reason: Mapped[str] = mapped_column(String(500), default="")
    why: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[LearningEntry | None] = relationship()
    decided_by: Mapped[User | None] = relationship()


class BoardMove(PartnershipOwned, Base):
    """One placement or move of a board item: the quality group's decision trail."""

    __tablename__ = "board_moves"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("board_items.id", ondelete="CASCADE"), index=True
    )
    from_column: Mapped[str | None] = mapped_column(String(16))
    to_column: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    why: Mapped[str] = mapped_column(Text, default="")
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)

    moved_by: Mapped[User | None] = relationship()
