"""national reviews: nationally significant reviews, their findings, actions from gaps;
audit findings themed

- `national_reviews` (title, publisher, date published, link) and `national_findings` (a
  short statement, and the cycle in which agencies answer how local services measure against
  it);
- `actions.national_finding_id`: the finding whose gap, in the owner organisation's answer,
  the action closes;
- `audit_programmes.findings_cycle_id`, `audit_findings.response_id`: a case audit finding's
  words kept as a response of the `case-audit-finding` form, so theming reads them with the
  case audits (stream case_audit).

Each new table is partnership-owned, with the row-level security policy of 0011.

Revision ID: 0026_national_reviews
Revises: 0025_theme_identity
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_national_reviews"
down_revision = "0025_theme_identity"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)
OWNED_TABLES = ("national_reviews", "national_findings")


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
    op.create_table('national_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('publisher', sa.String(length=200), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_national_reviews_created_by_id_users'), ondelete='SET NULL'),
    *_owned('national_reviews'),
    )
    op.create_table('national_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_national_findings_cycle_id_cycles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['national_reviews.id'], name=op.f('fk_national_findings_review_id_national_reviews'), ondelete='CASCADE'),
    *_owned('national_findings'),
    sa.UniqueConstraint('review_id', 'number', name=op.f('uq_national_findings_review_id'))
    )
    for table in OWNED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_partnership_id'), ['partnership_id'], unique=False)
    with op.batch_alter_table('national_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_national_findings_review_id'), ['review_id'], unique=False)

    if op.get_context().dialect.name == "postgresql":
        for table in OWNED_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {POLICY} ON {table} USING {IN_SCOPE} WITH CHECK {IN_SCOPE}")
    if _offline_sqlite():  # offline SQLite cannot copy tables: the link comes online
        return
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_finding_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_actions_national_finding_id'), ['national_finding_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_actions_national_finding_id_national_findings'), 'national_findings', ['national_finding_id'], ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_actions_national_finding_id'), ['national_finding_id', 'owner_organisation_id'])
    with op.batch_alter_table('audit_programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('findings_cycle_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audit_programmes_findings_cycle_id_cycles'), 'cycles', ['findings_cycle_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audit_findings_response_id_responses'), 'responses', ['response_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('audit_findings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_findings_response_id_responses'), type_='foreignkey')
        batch_op.drop_column('response_id')
    with op.batch_alter_table('audit_programmes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_programmes_findings_cycle_id_cycles'), type_='foreignkey')
        batch_op.drop_column('findings_cycle_id')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_actions_national_finding_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_actions_national_finding_id_national_findings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_actions_national_finding_id'))
        batch_op.drop_column('national_finding_id')
    for table in reversed(OWNED_TABLES):
        op.drop_table(table)
