"""theme summary: a one-sentence summary and quotes for each tone on every theme

- `themes.summary`: the theme's most central readable statement (nlp.summaries), shown as
  suggested until a person confirms the theme's name; `summary_statement_id` the statement it
  is, so it is shown only while that statement may be shared.
- `themes.tone_quote_ids`: quotes of what works well and of what must change, by statement id.

Revision ID: 0028_theme_summary
Revises: 0027_training_courses
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_theme_summary"
down_revision = "0027_training_courses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("themes", sa.Column("summary", sa.String(400), nullable=False, server_default=""))
    op.add_column("themes", sa.Column("summary_statement_id", sa.Integer(), nullable=True))
    op.add_column(
        "themes", sa.Column("tone_quote_ids", sa.JSON(), nullable=False, server_default="{}")
    )


def downgrade() -> None:
    with op.batch_alter_table("themes", schema=None) as batch:
        batch.drop_column("tone_quote_ids")
        batch.drop_column("summary_statement_id")
        batch.drop_column("summary")
