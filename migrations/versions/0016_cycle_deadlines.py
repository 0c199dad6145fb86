"""cycles that can be run: one organisation's own, later deadline

Revision ID: 0016_cycle_deadlines
Revises: 0014_partnership_exit
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_cycle_deadlines"
down_revision = "0014_partnership_exit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cycle_assignments") as batch:
        batch.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cycle_assignments") as batch:
        batch.drop_column("deadline")
