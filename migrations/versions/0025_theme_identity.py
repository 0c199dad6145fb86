"""theme identity: where an old theme probably went, and the group's confirmation

- `theme_fates`: the new themes it probably went to (`candidate_ids`), the best similarity,
  whether the group must confirm (its lineage carries decisions), and the confirmation: moved
  to a theme or left with the old lineage, by whom and when;
- `theming_runs.comparable`: whether the run read the same streams and questions as the run
  it was matched to (trend words and automatic carries only when it did).

No new table: `theme_fates` is partnership-owned with its policy already.

Revision ID: 0025_theme_identity
Revises: 0024_case_audits
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_theme_identity"
down_revision = "0024_case_audits"
branch_labels = None
depends_on = None


def _offline_sqlite() -> bool:
    context = op.get_context()
    return bool(context.as_sql) and context.dialect.name == "sqlite"


def upgrade() -> None:
    op.add_column(
        "theme_fates", sa.Column("candidate_ids", sa.JSON(), nullable=False, server_default="[]")
    )
    op.add_column("theme_fates", sa.Column("similarity", sa.Double(), nullable=True))
    op.add_column(
        "theme_fates",
        sa.Column("needs_confirmation", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("theme_fates", sa.Column("resolution", sa.String(16), nullable=True))
    op.add_column(
        "theme_fates", sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("theming_runs", sa.Column("comparable", sa.Boolean(), nullable=True))
    if _offline_sqlite():  # offline SQLite cannot copy tables: the links come online
        return
    with op.batch_alter_table("theme_fates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moved_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_theme_fates_moved_to_id_themes"),
            "themes",
            ["moved_to_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_theme_fates_resolved_by_id_users"),
            "users",
            ["resolved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("theming_runs", schema=None) as batch_op:
        batch_op.drop_column("comparable")
    with op.batch_alter_table("theme_fates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_theme_fates_resolved_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_theme_fates_moved_to_id_themes"), type_="foreignkey")
        for column in (
            "resolved_at",
            "resolved_by_id",
            "moved_to_id",
            "resolution",
            "needs_confirmation",
            "similarity",
            "candidate_ids",
        ):
            batch_op.drop_column(column)
