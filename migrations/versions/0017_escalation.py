"""escalating overdue returns: each organisation's senior contact per partnership, and when
an organisation's overdue return was escalated

Revision ID: 0017_escalation
Revises: 0013_people_across_partnerships
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_escalation"
down_revision = "0013_people_across_partnerships"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation_partnerships") as batch:
        batch.add_column(
            sa.Column("senior_contact_name", sa.String(200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("senior_contact_job", sa.String(200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("senior_contact_email", sa.String(254), nullable=False, server_default="")
        )
    with op.batch_alter_table("cycle_assignments") as batch:
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cycle_assignments") as batch:
        batch.drop_column("escalated_at")
    with op.batch_alter_table("organisation_partnerships") as batch:
        batch.drop_column("senior_contact_email")
        batch.drop_column("senior_contact_job")
        batch.drop_column("senior_contact_name")
