"""safeguarding: alerts and the semantic screen driven by data, outcomes of DSL reviews

Revision ID: 0005_safeguarding
Revises: 0004_learning
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_safeguarding"
down_revision = "0004_learning"
branch_labels = None
depends_on = None

_SOURCES = ("rules", "semantic", "concern_answer")
_OUTCOMES = (
    "childrens_social_care",
    "police",
    "early_help",
    "already_known",
    "no_further_action",
)


def upgrade() -> None:
    with op.batch_alter_table("disclosure_flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum(*_SOURCES, name="flag_source", native_enum=False),
                nullable=False,
                server_default="rules",
            )
        )
        batch_op.add_column(sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "outcome",
                sa.Enum(*_OUTCOMES, name="review_outcome", native_enum=False),
                nullable=True,
            )
        )
        batch_op.create_index(batch_op.f("ix_disclosure_flags_alerted_at"), ["alerted_at"])
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("semantic_screened_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_responses_semantic_screened_at"), ["semantic_screened_at"]
        )
    # Reviewed flags were dealt with; flags still new are alerted again once (an earlier
    # path could flag without alerting), which is the safe side. Responses submitted
    # before this revision went through the old screens: count them as screened.
    op.execute(
        "UPDATE disclosure_flags SET alerted_at = flagged_at WHERE status = 'reviewed'"
    )
    op.execute(
        "UPDATE responses SET semantic_screened_at = submitted_at "
        "WHERE submitted_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_semantic_screened_at"))
        batch_op.drop_column("semantic_screened_at")
    with op.batch_alter_table("disclosure_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_flags_alerted_at"))
        batch_op.drop_column("outcome")
        batch_op.drop_column("alerted_at")
        batch_op.drop_column("source")
