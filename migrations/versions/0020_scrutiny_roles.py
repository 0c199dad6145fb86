"""several roles per person: `membership_roles`, and the reviewer and case reviewer roles

A membership keeps its main role in `memberships.role` (its organisation role when it holds
one) and holds any other partnership roles as `membership_roles` rows, deleted with it.
Two roles are new: `reviewer` (scrutinises organisations' Section 11 / 175 returns) and
`case_reviewer` (case reviews); role columns are strings, so no column changes type.

`membership_roles` belongs to a membership, which belongs to no single partnership's data
(a person's memberships are read before any partnership is chosen), so like `memberships`
it is not partnership-owned and has no row-level security policy.

Revision ID: 0020_scrutiny_roles
Revises: 0017_escalation
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_scrutiny_roles"
down_revision = "0017_escalation"
branch_labels = None
depends_on = None

ROLES = (
    "partnership_admin",
    "quality_group",
    "organisation_lead",
    "organisation_contributor",
    "safeguarding_lead",
    "reviewer",
    "case_reviewer",
)


def upgrade() -> None:
    op.create_table(
        "membership_roles",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum(*ROLES, name="other_role", native_enum=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_membership_roles_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("membership_id", "role", name=op.f("pk_membership_roles")),
    )


def downgrade() -> None:
    op.drop_table("membership_roles")
    # Before this revision no one held the two new roles: those memberships go with them.
    op.execute("DELETE FROM memberships WHERE role IN ('reviewer', 'case_reviewer')")
    op.execute("UPDATE users SET role = NULL WHERE role IN ('reviewer', 'case_reviewer')")
