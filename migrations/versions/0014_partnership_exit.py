"""leaving cleanly: each partnership has its own embeddings cache; evidence files may be shared

- `embeddings` is made again with `partnership_id` (a partnership-owned table, with the
  row-level security policy of 0011 on PostgreSQL): a cached vector is found only by the
  partnership whose text it is, so no partnership can learn from a cache hit that another
  holds the same words. The old cache cannot say whose text each vector was, so it starts
  empty: each partnership's next run embeds its text again.
- `evidence_files.stored_name` is no longer unique (copies of one shared return in several
  partnerships name the same stored file); it keeps an index, so deleting a partnership can
  ask cheaply whether anyone else still needs a file.

Revision ID: 0014_partnership_exit
Revises: 0012_shared_cycles
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_partnership_exit"
down_revision = "0012_shared_cycles"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)


def _is_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    op.drop_table("embeddings")  # a cache: re-made per partnership by the next runs
    _create_embeddings(partnership_owned=True)
    if op.get_context().as_sql and op.get_context().dialect.name == "sqlite":
        # offline SQLite cannot copy a table: the file name stays unique there until an
        # online upgrade (harmless until one stored file is shared)
        op.create_index("ix_evidence_files_stored_name", "evidence_files", ["stored_name"])
    else:
        with op.batch_alter_table("evidence_files", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("uq_evidence_files_stored_name"), type_="unique")
            batch_op.create_index(
                batch_op.f("ix_evidence_files_stored_name"), ["stored_name"], unique=False
            )
    if _is_postgresql():
        op.execute("ALTER TABLE embeddings ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE embeddings FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON embeddings USING {IN_SCOPE} WITH CHECK {IN_SCOPE}")


def downgrade() -> None:
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_files_stored_name"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_evidence_files_stored_name"), ["stored_name"]
        )
    op.drop_table("embeddings")  # its policy goes with it
    _create_embeddings(partnership_owned=False)


def _create_embeddings(*, partnership_owned: bool) -> None:
    owned = [
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_embeddings_partnership_id_partnerships"),
        ),
        sa.UniqueConstraint(
            "partnership_id", "model", "text_hash", name=op.f("uq_embeddings_partnership_id")
        ),
    ]
    shared = [sa.UniqueConstraint("model", "text_hash", name=op.f("uq_embeddings_model"))]
    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
        *(owned if partnership_owned else shared),
    )
    if partnership_owned:
        op.create_index(
            op.f("ix_embeddings_partnership_id"), "embeddings", ["partnership_id"], unique=False
        )
