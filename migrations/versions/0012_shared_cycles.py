"""shared cycles: one return answered once for several partnerships, and local questions

A cycle may belong to a shared round (`cycles.shared_round`): the cycles of several
partnerships with the same round are one shared cycle, and an organisation that serves
several of them answers one return (a copy in each partnership, kept identical). Each copy of
an evidence file names the upload it copies (`evidence_files.copied_from_id`). A cycle
may add its partnership's own questions (`cycles.local_questions`). A partnership is
invited to join a round by a `shared_cycle_offers` row it owns (row-level security on).

Revision ID: 0012_shared_cycles
Revises: 0011_row_level_security
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_shared_cycles"
down_revision = "0011_row_level_security"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)


def upgrade() -> None:
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("shared_round", sa.String(36), nullable=True))
        batch.add_column(
            sa.Column("local_questions", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.create_index("ix_cycles_shared_round", ["shared_round"])
    with op.batch_alter_table("evidence_files") as batch:
        batch.add_column(sa.Column("copied_from_id", sa.Integer(), nullable=True))
    op.create_table(
        "shared_cycle_offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("partnership_id", sa.Integer(), sa.ForeignKey("partnerships.id"), nullable=False),
        sa.Column("shared_round", sa.String(36), nullable=False),
        sa.Column(
            "from_partnership_id",
            sa.Integer(),
            sa.ForeignKey("partnerships.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("definition_key", sa.String(64), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("joined_cycle_id", sa.Integer(), sa.ForeignKey("cycles.id", ondelete="SET NULL")),
        sa.Column("declined_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("partnership_id", "shared_round"),
    )
    op.create_index(
        "ix_shared_cycle_offers_partnership_id", "shared_cycle_offers", ["partnership_id"]
    )
    op.create_index("ix_shared_cycle_offers_shared_round", "shared_cycle_offers", ["shared_round"])
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE shared_cycle_offers ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE shared_cycle_offers FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {POLICY} ON shared_cycle_offers USING {IN_SCOPE} WITH CHECK {IN_SCOPE}"
        )


def downgrade() -> None:
    op.drop_table("shared_cycle_offers")
    with op.batch_alter_table("evidence_files") as batch:
        batch.drop_column("copied_from_id")
    with op.batch_alter_table("cycles") as batch:
        batch.drop_index("ix_cycles_shared_round")
        batch.drop_column("local_questions")
        batch.drop_column("shared_round")
