"""action plans: a return's below-met standards carry the learning board's own actions

`actions` gains the return and standard an action answers (`response_id`, `standard_ref`),
the challenge it came from (`challenge_id`), who in the organisation leads it (`owner`) and
the reviewer's agreement (`agreed_at`, `agreed_by_id`). No new table: `actions` already has
its row-level security policy (0011).

Revision ID: 0023_action_plans
Revises: 0022_cases
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_action_plans"
down_revision = "0022_cases"
branch_labels = None
depends_on = None


def _offline_sqlite() -> bool:
    context = op.get_context()
    return bool(context.as_sql) and context.dialect.name == "sqlite"


def upgrade() -> None:
    if _offline_sqlite():  # offline SQLite cannot copy tables: the links come online
        return
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("standard_ref", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("challenge_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("owner", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("agreed_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_actions_response_id"), ["response_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_response_id_responses"),
            "responses",
            ["response_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_challenge_id_challenges"),
            "challenges",
            ["challenge_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_agreed_by_id_users"),
            "users",
            ["agreed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.alter_column("owner", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_actions_agreed_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_actions_challenge_id_challenges"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_actions_response_id_responses"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_actions_response_id"))
        batch_op.drop_column("agreed_by_id")
        batch_op.drop_column("agreed_at")
        batch_op.drop_column("owner")
        batch_op.drop_column("challenge_id")
        batch_op.drop_column("standard_ref")
        batch_op.drop_column("response_id")
