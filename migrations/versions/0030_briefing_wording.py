"""learning briefing: the quality group's wording of an entry's one-page briefing

- `learning_entries.briefing_why`, `briefing_do`, `briefing_questions`, `briefing_more`: why it
  matters, what practitioners should do differently, the questions to reflect on (one a line)
  and where to find out more, as the quality group worded them; empty means the briefing words
  them from the entry itself.

No new table: `learning_entries` is partnership-owned with its policy already.

Revision ID: 0030_briefing
Revises: 0029_reports
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_briefing"
down_revision = "0029_reports"
branch_labels = None
depends_on = None

COLUMNS = ("briefing_why", "briefing_do", "briefing_questions", "briefing_more")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column(
            "learning_entries", sa.Column(name, sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_entries", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
