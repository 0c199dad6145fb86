"""returns: a log of which questions each page save changed; erase imported trainee emails

Revision ID: 0009_returns
Revises: 0006_sign_in_throttle
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_returns"
down_revision = "0006_sign_in_throttle"
branch_labels = None
depends_on = None

# Imports before this revision kept the trainee's follow-up email inside the answers. No
# course date came with them, so no follow-up can be scheduled: the address is erased.
_IMPORTED_EMAIL = ("training-evaluation", "follow_up_email")


def upgrade() -> None:
    op.create_table(
        "response_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.String(length=64), nullable=False),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_changes_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["users.id"],
            name=op.f("fk_response_changes_saved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_changes")),
    )
    with op.batch_alter_table("response_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_response_changes_response_id"), ["response_id"], unique=False
        )
    _erase_imported_emails()


def _erase_imported_emails() -> None:
    if op.get_context().as_sql:  # offline SQL: a data fix needs the rows, so it is skipped
        return
    key, question_id = _IMPORTED_EMAIL
    responses = sa.table(
        "responses",
        sa.column("id", sa.Integer()),
        sa.column("definition_key", sa.String()),
        sa.column("answers", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(responses.c.id, responses.c.answers).where(responses.c.definition_key == key)
    )
    for response_id, answers in list(rows):
        if (answers or {}).get("_source") == "import" and question_id in answers:
            kept = {k: v for k, v in answers.items() if k != question_id}
            connection.execute(
                responses.update().where(responses.c.id == response_id).values(answers=kept)
            )


def downgrade() -> None:
    with op.batch_alter_table("response_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_changes_response_id"))
    op.drop_table("response_changes")
