"""case audits: audit programmes, days, cases and findings; practice concerns' triage

- `audit_programmes` (topics the quality group chose), `audit_days`, `audit_cases` (a
  pseudonymous reference, the forum's notes, the family's views, and the cycle in which the
  agencies involved complete the audit tool for that case), `audit_findings` (strengths, areas
  to improve, lessons, for a day or the programme);
- `concern_triage`: the quality group's triage of a practice concern (a response);
- `learning_entries.audit_finding_id`: the learning log entry a finding became.

Each new table is partnership-owned, with the row-level security policy of 0011.

Revision ID: 0024_case_audits
Revises: 0023_action_plans
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_case_audits"
down_revision = "0023_action_plans"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)
OWNED_TABLES = (
    "audit_programmes",
    "audit_days",
    "audit_cases",
    "audit_findings",
    "concern_triage",
)


def _offline_sqlite() -> bool:
    context = op.get_context()
    return bool(context.as_sql) and context.dialect.name == "sqlite"


def _owned(name: str) -> list[sa.SchemaItem]:
    return [
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f(f'fk_{name}_partnership_id_partnerships')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    ]


def upgrade() -> None:
    op.create_table('audit_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_audit_programmes_created_by_id_users'), ondelete='SET NULL'),
    *_owned('audit_programmes'),
    )
    op.create_table('audit_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['audit_programmes.id'], name=op.f('fk_audit_days_programme_id_audit_programmes'), ondelete='CASCADE'),
    *_owned('audit_days'),
    )
    op.create_table('audit_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('forum_notes', sa.Text(), nullable=False),
    sa.Column('family_views', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_audit_cases_cycle_id_cycles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['day_id'], ['audit_days.id'], name=op.f('fk_audit_cases_day_id_audit_days'), ondelete='CASCADE'),
    *_owned('audit_cases'),
    sa.UniqueConstraint('partnership_id', 'reference', name=op.f('uq_audit_cases_partnership_id'))
    )
    op.create_table('audit_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('strength', 'area_to_improve', 'lesson', name='audit_finding_kind', native_enum=False), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_audit_findings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['day_id'], ['audit_days.id'], name=op.f('fk_audit_findings_day_id_audit_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['audit_programmes.id'], name=op.f('fk_audit_findings_programme_id_audit_programmes'), ondelete='CASCADE'),
    *_owned('audit_findings'),
    )
    op.create_table('concern_triage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('new', 'under_review', 'referred', 'closed', name='concern_triage_status', native_enum=False), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('case_review_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_review_id'], ['case_reviews.id'], name=op.f('fk_concern_triage_case_review_id_case_reviews'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_concern_triage_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_concern_triage_updated_by_id_users'), ondelete='SET NULL'),
    *_owned('concern_triage'),
    sa.UniqueConstraint('response_id', name=op.f('uq_concern_triage_response_id'))
    )
    for table in OWNED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_partnership_id'), ['partnership_id'], unique=False)
    with op.batch_alter_table('audit_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_days_programme_id'), ['programme_id'], unique=False)
    with op.batch_alter_table('audit_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_cases_day_id'), ['day_id'], unique=False)
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_findings_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_findings_day_id'), ['day_id'], unique=False)

    if op.get_context().dialect.name == "postgresql":
        for table in OWNED_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {POLICY} ON {table} USING {IN_SCOPE} WITH CHECK {IN_SCOPE}")
    if _offline_sqlite():  # offline SQLite cannot copy tables: the link comes online
        return
    with op.batch_alter_table('learning_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_finding_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_learning_entries_audit_finding_id'), ['audit_finding_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_learning_entries_audit_finding_id_audit_findings'), 'audit_findings', ['audit_finding_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('learning_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_learning_entries_audit_finding_id_audit_findings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_learning_entries_audit_finding_id'))
        batch_op.drop_column('audit_finding_id')
    for table in reversed(OWNED_TABLES):
        op.drop_table(table)
