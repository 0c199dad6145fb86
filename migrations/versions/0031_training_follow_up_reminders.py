"""the one-link training follow-up: a trainee's own link and one reminder

`follow_up_requests` (a trainee's address for the follow-up of an evaluation that came through
a cycle's shared link, not a course's session) gains `link_id` (the trainee's own follow-up
link, so an answer through it is known) and `reminded_at` (its one reminder). The address is
now kept until the follow-up is answered or the reminder has gone, as for a course's trainee.

Revision ID: 0031_training
Revises: 0030_briefing
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031_training"
down_revision = "0030_briefing"
branch_labels = None
depends_on = None


def _offline_sqlite() -> bool:
    context = op.get_context()
    return bool(context.as_sql) and context.dialect.name == "sqlite"


def upgrade() -> None:
    if _offline_sqlite():  # offline SQLite cannot copy tables: the columns come online
        return
    with op.batch_alter_table("follow_up_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_follow_up_requests_link_id_public_links"),
            "public_links",
            ["link_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_follow_up_requests_link_id"), ["link_id"]
        )


def downgrade() -> None:
    if _offline_sqlite():
        return
    with op.batch_alter_table("follow_up_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_follow_up_requests_link_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_follow_up_requests_link_id_public_links"), type_="foreignkey"
        )
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("link_id")
