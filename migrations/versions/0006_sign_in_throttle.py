"""sign-in throttling per client address; password reset requests

Revision ID: 0006_sign_in_throttle
Revises: 0005_safeguarding
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_sign_in_throttle"
down_revision = "0005_safeguarding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index(
            batch_op.f("ix_sign_in_attempts_client_hash"), ["client_hash"], unique=False
        )

    op.create_table(
        "password_reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_sent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_requests")),
    )
    with op.batch_alter_table("password_reset_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_reset_requests_client_hash"), ["client_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_password_reset_requests_email_hash"), ["email_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_password_reset_requests_requested_at"), ["requested_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("password_reset_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_requests_requested_at"))
        batch_op.drop_index(batch_op.f("ix_password_reset_requests_email_hash"))
        batch_op.drop_index(batch_op.f("ix_password_reset_requests_client_hash"))
    op.drop_table("password_reset_requests")

    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempts_client_hash"))
        batch_op.drop_column("client_hash")
