"""row-level security: on PostgreSQL a partnership's rows are visible only inside it

Enables and forces row-level security on every partnership-owned table, with one policy:
a row is visible, and may be written, when its `partnership_id` is the transaction's
`app.partnership_id`, or when the transaction works in every partnership
(`app.every_partnership = 'on'`). `surveys.tenancy` sets both at each transaction's begin.
An audit event naming no partnership (an account's own) may be written by anyone and read
only system-wide. Superusers and BYPASSRLS roles skip the policies: run the app as an
ordinary role. Nothing happens on SQLite.

Revision ID: 0011_row_level_security
Revises: 0010_partnerships
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0011_row_level_security"
down_revision = "0010_partnerships"
branch_labels = None
depends_on = None

OWNED_TABLES = (
    "cycles",
    "cycle_assignments",
    "public_links",
    "responses",
    "response_versions",
    "evidence_files",
    "disclosure_flags",
    "follow_up_requests",
    "response_changes",
    "audit_events",
    "api_tokens",
    "theming_runs",
    "theme_lineages",
    "themes",
    "theme_statements",
    "theme_fates",
    "theme_edits",
    "learning_entries",
    "learning_entry_themes",
    "board_items",
    "board_moves",
    "actions",
    "action_updates",
)
POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)


def _is_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    if not _is_postgresql():
        return
    for table in OWNED_TABLES:
        check = f"({IN_SCOPE} OR partnership_id IS NULL)" if table == "audit_events" else IN_SCOPE
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {table} USING {IN_SCOPE} WITH CHECK {check}")


def downgrade() -> None:
    if not _is_postgresql():
        return
    for table in OWNED_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
