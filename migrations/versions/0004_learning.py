"""learning: theming runs, themes, lineage, embeddings cache, learning log, board, actions

Revision ID: 0004_learning
Revises: 0003_api_tokens
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_learning"
down_revision = "0003_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
        sa.UniqueConstraint("model", "text_hash", name=op.f("uq_embeddings_model")),
    )
    op.create_table(
        "theme_lineages",
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("human_label", sa.String(length=200), nullable=True),
        sa.Column("is_discarded", sa.Boolean(), nullable=False),
        sa.Column("merged_into_key", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_theme_lineages")),
    )
    op.create_table(
        "theming_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "finished",
                "failed",
                "cancelled",
                name="run_status",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("streams_key", sa.String(length=300), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.String(length=500), nullable=False),
        sa.Column("embedder_model", sa.String(length=200), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.Column("previous_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["previous_run_id"],
            ["theming_runs.id"],
            name=op.f("fk_theming_runs_previous_run_id_theming_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"],
            ["users.id"],
            name=op.f("fk_theming_runs_started_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theming_runs")),
    )
    with op.batch_alter_table("theming_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theming_runs_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_theming_runs_streams_key"), ["streams_key"], unique=False
        )

    op.create_table(
        "learning_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("lesson", sa.Text(), nullable=False),
        sa.Column(
            "source_kind",
            sa.Enum(
                "stream",
                "case_review",
                "national_review",
                "other",
                name="learning_source_kind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("source_stream", sa.String(length=32), nullable=True),
        sa.Column("source_cycle_id", sa.Integer(), nullable=True),
        sa.Column("source_detail", sa.String(length=300), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("recommended_action", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "in_progress", "done", name="learning_entry_status", native_enum=False),
            nullable=False,
        ),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_learning_entries_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_cycle_id"],
            ["cycles.id"],
            name=op.f("fk_learning_entries_source_cycle_id_cycles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_entries")),
    )
    with op.batch_alter_table("learning_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_entries_source_stream"), ["source_stream"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_learning_entries_status"), ["status"], unique=False)

    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("lineage_key", sa.String(length=36), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("machine_label", sa.String(length=200), nullable=False),
        sa.Column(
            "label_source",
            sa.Enum("machine", "human", name="label_source", native_enum=False),
            nullable=False,
        ),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("polarity", sa.Double(), nullable=True),
        sa.Column("centroid", sa.JSON(), nullable=False),
        sa.Column("quote_ids", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "active", "discarded", "merged", "split", name="theme_state", native_enum=False
            ),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("split_from_id", sa.Integer(), nullable=True),
        sa.Column(
            "trend",
            sa.Enum("new", "growing", "stable", "declining", name="theme_trend", native_enum=False),
            nullable=True,
        ),
        sa.Column("previous_theme_id", sa.Integer(), nullable=True),
        sa.Column("previous_share", sa.Double(), nullable=True),
        sa.Column("similarity", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lineage_key"],
            ["theme_lineages.key"],
            name=op.f("fk_themes_lineage_key_theme_lineages"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["themes.id"],
            name=op.f("fk_themes_merged_into_id_themes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["themes.id"],
            name=op.f("fk_themes_parent_id_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_theme_id"],
            ["themes.id"],
            name=op.f("fk_themes_previous_theme_id_themes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["theming_runs.id"],
            name=op.f("fk_themes_run_id_theming_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["split_from_id"],
            ["themes.id"],
            name=op.f("fk_themes_split_from_id_themes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_themes_lineage_key"), ["lineage_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_themes_run_id"), ["run_id"], unique=False)

    op.create_table(
        "board_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lineage_key", sa.String(length=36), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column(
            "column",
            sa.Enum("created", "stabilised", "changed", name="board_column", native_enum=False),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "suggested_column",
            sa.Enum(
                "created", "stabilised", "changed", name="board_suggested_column", native_enum=False
            ),
            nullable=True,
        ),
        sa.Column("suggested_reason", sa.String(length=500), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_board_items_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["learning_entries.id"],
            name=op.f("fk_board_items_entry_id_learning_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lineage_key"],
            ["theme_lineages.key"],
            name=op.f("fk_board_items_lineage_key_theme_lineages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_items")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_board_items_entry_id")),
        sa.UniqueConstraint("lineage_key", name=op.f("uq_board_items_lineage_key")),
    )
    with op.batch_alter_table("board_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_items_column"), ["column"], unique=False)

    op.create_table(
        "learning_entry_organisations",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["learning_entries.id"],
            name=op.f("fk_learning_entry_organisations_entry_id_learning_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_learning_entry_organisations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "entry_id", "organisation_id", name=op.f("pk_learning_entry_organisations")
        ),
    )
    op.create_table(
        "learning_entry_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("lineage_key", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("must_change", sa.Integer(), nullable=False),
        sa.Column("works_well", sa.Integer(), nullable=False),
        sa.Column("quotes", sa.JSON(), nullable=False),
        sa.Column("quote_ids", sa.JSON(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["learning_entries.id"],
            name=op.f("fk_learning_entry_themes_entry_id_learning_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lineage_key"],
            ["theme_lineages.key"],
            name=op.f("fk_learning_entry_themes_lineage_key_theme_lineages"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["theming_runs.id"],
            name=op.f("fk_learning_entry_themes_run_id_theming_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_learning_entry_themes_theme_id_themes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_entry_themes")),
        sa.UniqueConstraint(
            "entry_id", "lineage_key", name=op.f("uq_learning_entry_themes_entry_id")
        ),
    )
    with op.batch_alter_table("learning_entry_themes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_entry_themes_lineage_key"), ["lineage_key"], unique=False
        )

    op.create_table(
        "theme_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "rename",
                "merge",
                "split",
                "move",
                "discard",
                name="theme_edit_kind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("edited_by_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["edited_by_id"],
            ["users.id"],
            name=op.f("fk_theme_edits_edited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["theming_runs.id"],
            name=op.f("fk_theme_edits_run_id_theming_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_edits_theme_id_themes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["users.id"],
            name=op.f("fk_theme_edits_undone_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_edits")),
    )
    with op.batch_alter_table("theme_edits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_edits_run_id"), ["run_id"], unique=False)

    op.create_table(
        "theme_fates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("previous_theme_id", sa.Integer(), nullable=False),
        sa.Column("lineage_key", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["themes.id"],
            name=op.f("fk_theme_fates_merged_into_id_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_fates_previous_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["theming_runs.id"],
            name=op.f("fk_theme_fates_run_id_theming_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_fates")),
    )
    with op.batch_alter_table("theme_fates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_fates_run_id"), ["run_id"], unique=False)

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("not_started", "in_progress", "done", name="action_status", native_enum=False),
            nullable=False,
        ),
        sa.Column("board_item_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("evidence_of_impact", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_item_id"],
            ["board_items.id"],
            name=op.f("fk_actions_board_item_id_board_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_actions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["learning_entries.id"],
            name=op.f("fk_actions_entry_id_learning_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_actions_owner_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actions_owner_organisation_id"), ["owner_organisation_id"], unique=False
        )

    op.create_table(
        "board_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("from_column", sa.String(length=16), nullable=True),
        sa.Column("to_column", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("moved_by_id", sa.Integer(), nullable=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["board_items.id"],
            name=op.f("fk_board_moves_item_id_board_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moved_by_id"],
            ["users.id"],
            name=op.f("fk_board_moves_moved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_moves")),
    )
    with op.batch_alter_table("board_moves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_moves_item_id"), ["item_id"], unique=False)

    op.create_table(
        "theme_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("sub_theme_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("polarity", sa.Double(), nullable=True),
        sa.Column("polarity_hint", sa.String(length=32), nullable=True),
        sa.Column("stream", sa.String(length=32), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("standard", sa.String(length=64), nullable=True),
        sa.Column("rating_is_low", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_theme_statements_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_theme_statements_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_theme_statements_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["theming_runs.id"],
            name=op.f("fk_theme_statements_run_id_theming_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sub_theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_statements_sub_theme_id_themes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_statements_theme_id_themes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_statements")),
    )
    with op.batch_alter_table("theme_statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_statements_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            "ix_theme_statements_source", ["response_id", "question_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_theme_statements_theme_id"), ["theme_id"], unique=False
        )

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started", "in_progress", "done", name="action_update_status", native_enum=False
            ),
            nullable=False,
        ),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_updates_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["users.id"],
            name=op.f("fk_action_updates_written_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    with op.batch_alter_table("theme_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_statements_theme_id"))
        batch_op.drop_index("ix_theme_statements_source")
        batch_op.drop_index(batch_op.f("ix_theme_statements_run_id"))

    op.drop_table("theme_statements")
    with op.batch_alter_table("board_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_moves_item_id"))

    op.drop_table("board_moves")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_owner_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_actions_due_date"))

    op.drop_table("actions")
    with op.batch_alter_table("theme_fates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_fates_run_id"))

    op.drop_table("theme_fates")
    with op.batch_alter_table("theme_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_edits_run_id"))

    op.drop_table("theme_edits")
    with op.batch_alter_table("learning_entry_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_entry_themes_lineage_key"))

    op.drop_table("learning_entry_themes")
    op.drop_table("learning_entry_organisations")
    with op.batch_alter_table("board_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_items_column"))

    op.drop_table("board_items")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_run_id"))
        batch_op.drop_index(batch_op.f("ix_themes_lineage_key"))

    op.drop_table("themes")
    with op.batch_alter_table("learning_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_entries_status"))
        batch_op.drop_index(batch_op.f("ix_learning_entries_source_stream"))

    op.drop_table("learning_entries")
    with op.batch_alter_table("theming_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theming_runs_streams_key"))
        batch_op.drop_index(batch_op.f("ix_theming_runs_status"))

    op.drop_table("theming_runs")
    op.drop_table("theme_lineages")
    op.drop_table("embeddings")
