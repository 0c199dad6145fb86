"""people across partnerships: platform admins, the partnership a sign-in works in, activity
per partnership

- `users.is_platform_admin`: may create partnerships and invite their first admins;
- `users.last_partnership_id`: where the person's next sign-in starts;
- `users.role` may be empty: a person in no partnership (a platform admin) has no role;
- `user_sessions.working_partnership_id`: the partnership chosen for one sign-in;
- `memberships.is_active`: deactivating a person in one partnership leaves the others;
- `organisation_partnerships.is_active` replaces `organisations.is_active`: an organisation
  is active or not in each partnership it serves (filled from the old flag).

No new partnership-owned table, so no new row-level security policy.

Revision ID: 0013_people_across_partnerships
Revises: 0016_cycle_deadlines
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_people_across_partnerships"
down_revision = "0016_cycle_deadlines"
branch_labels = None
depends_on = None

ROLES = (
    "partnership_admin",
    "quality_group",
    "organisation_lead",
    "organisation_contributor",
    "safeguarding_lead",
)
ROLE = sa.Enum(*ROLES, name="role", native_enum=False)


def _offline_sqlite() -> bool:
    context = op.get_context()
    return bool(context.as_sql) and context.dialect.name == "sqlite"


def upgrade() -> None:
    active = sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
    op.add_column("memberships", active.copy())
    op.add_column("organisation_partnerships", active.copy())
    if not op.get_context().as_sql:  # offline SQL: the backfill needs the rows
        op.execute(
            "UPDATE memberships SET is_active = "
            "(SELECT users.is_active FROM users WHERE users.id = memberships.user_id)"
        )
        op.execute(
            "UPDATE organisation_partnerships SET is_active = (SELECT organisations.is_active "
            "FROM organisations WHERE organisations.id = organisation_partnerships.organisation_id)"
        )
    if _offline_sqlite():  # offline SQLite cannot copy tables: the rest comes online
        return
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_platform_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("last_partnership_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_last_partnership_id_partnerships"),
            "partnerships",
            ["last_partnership_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.alter_column("role", existing_type=ROLE, nullable=True)
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("working_partnership_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_user_sessions_working_partnership_id_partnerships"),
            "partnerships",
            ["working_partnership_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("is_active")


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(  # active everywhere it serves, as the one old flag said
        "UPDATE organisations SET is_active = NOT EXISTS (SELECT 1 FROM "
        "organisation_partnerships p WHERE p.organisation_id = organisations.id "
        "AND NOT p.is_active)"
    )
    op.execute("DELETE FROM users WHERE role IS NULL")  # platform admins in no partnership
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_user_sessions_working_partnership_id_partnerships"), type_="foreignkey"
        )
        batch_op.drop_column("working_partnership_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("role", existing_type=ROLE, nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_users_last_partnership_id_partnerships"), type_="foreignkey"
        )
        batch_op.drop_column("last_partnership_id")
        batch_op.drop_column("is_platform_admin")
    with op.batch_alter_table("organisation_partnerships", schema=None) as batch_op:
        batch_op.drop_column("is_active")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("is_active")
