"""partnerships as tenants: every partnership-owned row names its partnership; memberships

Adds `partnership_id` to every table a partnership owns, fills it with the one existing
partnership (creating one if rows exist and the table of partnerships is empty), then makes
it required. Organisations join partnerships through `organisation_partnerships`, and people
hold roles in them through `memberships` (filled from `users.role`/`organisation_id`).
Audit events of an account itself (sign-in, password) may name no partnership.

Revision ID: 0010_partnerships
Revises: 0009_returns
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_partnerships"
down_revision = "0009_returns"
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
OPTIONAL = {"audit_events"}  # an account's own events are no partnership's
ROLES = (
    "partnership_admin",
    "quality_group",
    "organisation_lead",
    "organisation_contributor",
    "safeguarding_lead",
)


def upgrade() -> None:
    _create_membership_tables()
    for table in OWNED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("partnership_id", sa.Integer(), nullable=True))
    if not op.get_context().as_sql:  # offline SQL: the backfill needs the rows
        _backfill()
    if op.get_context().as_sql and op.get_context().dialect.name == "sqlite":
        _index_only()  # offline SQLite cannot copy tables: required and FK come online
        return
    for table in OWNED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "partnership_id", existing_type=sa.Integer(), nullable=table in OPTIONAL
            )
            batch_op.create_index(
                batch_op.f(f"ix_{table}_partnership_id"), ["partnership_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_partnership_id_partnerships"),
                "partnerships",
                ["partnership_id"],
                ["id"],
            )


def _index_only() -> None:
    for table in OWNED_TABLES:
        op.create_index(f"ix_{table}_partnership_id", table, ["partnership_id"], unique=False)


def _create_membership_tables() -> None:
    op.create_table(
        "organisation_partnerships",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_partnerships_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_organisation_partnerships_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "partnership_id", name=op.f("pk_organisation_partnerships")
        ),
    )
    with op.batch_alter_table("organisation_partnerships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_partnerships_partnership_id"),
            ["partnership_id"],
            unique=False,
        )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column(
            "role", sa.Enum(*ROLES, name="membership_role", native_enum=False), nullable=False
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f("fk_memberships_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("user_id", "partnership_id", name=op.f("uq_memberships_user_id")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_memberships_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_partnership_id"), ["partnership_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)


def _backfill() -> None:
    """Give every existing row, organisation and person to the one partnership."""
    connection = op.get_bind()
    has_rows = any(
        connection.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first()  # noqa: S608
        for table in (*OWNED_TABLES, "organisations", "users")
    )
    if not has_rows:
        return
    partnership_id = connection.execute(sa.text("SELECT MIN(id) FROM partnerships")).scalar()
    if partnership_id is None:
        partnerships = sa.table(
            "partnerships",
            sa.column("name", sa.String()),
            sa.column("front_door_name", sa.String()),
            sa.column("front_door_phone", sa.String()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        connection.execute(
            partnerships.insert().values(
                name="Partnership",
                front_door_name="",
                front_door_phone="",
                created_at=sa.func.current_timestamp(),
            )
        )
        partnership_id = connection.execute(sa.text("SELECT MIN(id) FROM partnerships")).scalar()
    for table in OWNED_TABLES:
        connection.execute(
            sa.text(f"UPDATE {table} SET partnership_id = :p"),  # noqa: S608 - our names
            {"p": partnership_id},
        )
    connection.execute(
        sa.text(
            "INSERT INTO organisation_partnerships (organisation_id, partnership_id, joined_at) "
            "SELECT id, :p, created_at FROM organisations"
        ),
        {"p": partnership_id},
    )
    connection.execute(
        sa.text(
            "INSERT INTO memberships (user_id, partnership_id, role, organisation_id, created_at) "
            "SELECT id, :p, role, organisation_id, created_at FROM users"
        ),
        {"p": partnership_id},
    )


def downgrade() -> None:
    for table in reversed(OWNED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_partnership_id_partnerships"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_partnership_id"))
            batch_op.drop_column("partnership_id")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_organisation_id"))
    op.drop_table("memberships")
    with op.batch_alter_table("organisation_partnerships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_partnerships_partnership_id"))
    op.drop_table("organisation_partnerships")
