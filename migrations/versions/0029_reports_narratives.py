"""report narratives: the quality group's sections of a six-monthly or yearly report, and the
chair's sign-off

- `report_narratives` (kind, period, summary, what we learned, what we will do, what changed,
  who last edited it, the chair's name, role and date of sign-off, who recorded it and when).
  One row per partnership, kind and period.

Partnership-owned, with the row-level security policy of 0011.

Revision ID: 0029_reports
Revises: 0028_theme_summary
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import surveys.models.base

revision = "0029_reports"
down_revision = "0028_theme_summary"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)
TABLE = "report_narratives"


def upgrade() -> None:
    when = surveys.models.base.UTCDateTime(timezone=True)
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("six_monthly", "yearly", name="report_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("will_do", sa.Text(), nullable=False),
        sa.Column("changed", sa.Text(), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("chair_name", sa.String(length=200), nullable=True),
        sa.Column("chair_role", sa.String(length=200), nullable=True),
        sa.Column("signed_off_on", sa.Date(), nullable=True),
        sa.Column("signed_off_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_off_recorded_at", when, nullable=True),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_report_narratives_partnership_id_partnerships"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_recorded_by_id"],
            ["users.id"],
            name=op.f("fk_report_narratives_signed_off_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_report_narratives_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_narratives")),
        sa.UniqueConstraint(
            "partnership_id",
            "kind",
            "period_start",
            "period_end",
            name=op.f("uq_report_narratives_partnership_id"),
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_narratives_partnership_id"), ["partnership_id"], unique=False
        )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {TABLE} USING {IN_SCOPE} WITH CHECK {IN_SCOPE}")


def downgrade() -> None:
    op.drop_table(TABLE)
