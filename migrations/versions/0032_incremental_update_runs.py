"""update runs: add new answers to the earlier run's themes instead of re-theming everything

- `theming_runs.mode`: "full" (re-theme everything, lineage and confirmation as before) or
  "update" (the earlier run's themes kept with their identity, new answers assigned);
- `theming_runs.based_on_id`: the finished run an update started from;
- `themes.is_emerging`: a theme an update found among answers no earlier theme took.

No new table.

Revision ID: 0032_incremental
Revises: 0031_training
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032_incremental"
down_revision = "0031_training"
branch_labels = None
depends_on = None


def _offline_sqlite() -> bool:
    context = op.get_context()
    return bool(context.as_sql) and context.dialect.name == "sqlite"


def upgrade() -> None:
    op.add_column(
        "theming_runs", sa.Column("mode", sa.String(16), nullable=False, server_default="full")
    )
    op.add_column(
        "themes", sa.Column("is_emerging", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    if _offline_sqlite():  # offline SQLite cannot copy tables: the link comes online
        return
    with op.batch_alter_table("theming_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("based_on_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_theming_runs_based_on_id_theming_runs"),
            "theming_runs",
            ["based_on_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("theming_runs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_theming_runs_based_on_id_theming_runs"), type_="foreignkey"
        )
        batch_op.drop_column("based_on_id")
        batch_op.drop_column("mode")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_column("is_emerging")
