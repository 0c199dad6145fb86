"""case reviews: serious incident notifications, rapid reviews, local reviews and their clocks

- `case_reviews`: the notification (reference, when the partnership became aware, when the
  national panel and Ofsted were told), the rapid review's decision with its reasons, peer
  challenge and the panel's view, and the local review (terms of reference, lead reviewer,
  agencies, practitioners and family involvement, the publication decision and dates);
- `rapid_review_meetings`, `review_recommendations`;
- `case_details`: the child's name, date of birth, address and ethnicity, restricted to case
  review officers and deleted on `remove_on`;
- `review_deadline_alerts`: each deadline flag emailed once;
- `actions.recommendation_id` and `learning_entries.case_review_id`: the learning board's
  actions and log entries that come from a review.

Each new table is partnership-owned, with the row-level security policy of 0011.
The `case_reviewer` role needs no schema change (roles are stored as text).

Revision ID: 0022_cases
Revises: 0021_scrutiny
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_cases"
down_revision = "0021_scrutiny"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)
OWNED_TABLES = (
    "case_reviews",
    "case_details",
    "rapid_review_meetings",
    "review_deadline_alerts",
    "review_recommendations",
)


def _offline_sqlite() -> bool:
    context = op.get_context()
    return bool(context.as_sql) and context.dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table('case_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=30), nullable=False),
    sa.Column('incident_summary', sa.Text(), nullable=False),
    sa.Column('became_aware_on', sa.Date(), nullable=False),
    sa.Column('panel_notified_on', sa.Date(), nullable=True),
    sa.Column('ofsted_notified_on', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('information_cycle_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Enum('local_review', 'no_local_review', 'other_learning', name='review_decision', native_enum=False), nullable=True),
    sa.Column('decision_reasons', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('peer_challenge', sa.Text(), nullable=False),
    sa.Column('panel_view', sa.Text(), nullable=False),
    sa.Column('terms_of_reference', sa.Text(), nullable=False),
    sa.Column('lead_reviewer', sa.String(length=200), nullable=False),
    sa.Column('lead_reviewer_is_independent', sa.Boolean(), nullable=True),
    sa.Column('agencies_involved', sa.Text(), nullable=False),
    sa.Column('practitioners_involved', sa.Text(), nullable=False),
    sa.Column('family_involvement', sa.Text(), nullable=False),
    sa.Column('publication_decision', sa.Enum('publish_report', 'publish_summary', 'not_published', name='publication_decision', native_enum=False), nullable=True),
    sa.Column('publication_reasons', sa.Text(), nullable=False),
    sa.Column('publication_decided_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_until', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_reviews_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['information_cycle_id'], ['cycles.id'], name=op.f('fk_case_reviews_information_cycle_id_cycles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_case_reviews_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_case_reviews_partnership_id_partnerships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reviews')),
    sa.UniqueConstraint('partnership_id', 'reference', name=op.f('uq_case_reviews_partnership_id'))
    )
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_reviews_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('case_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('child_name', sa.String(length=200), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('ethnicity', sa.String(length=100), nullable=False),
    sa.Column('remove_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_case_details_partnership_id_partnerships')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_details_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['case_reviews.id'], name=op.f('fk_case_details_review_id_case_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_details')),
    sa.UniqueConstraint('review_id', name=op.f('uq_case_details_review_id'))
    )
    with op.batch_alter_table('case_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_details_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_details_remove_on'), ['remove_on'], unique=False)

    op.create_table('rapid_review_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attended_by', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_rapid_review_meetings_partnership_id_partnerships')),
    sa.ForeignKeyConstraint(['review_id'], ['case_reviews.id'], name=op.f('fk_rapid_review_meetings_review_id_case_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rapid_review_meetings'))
    )
    with op.batch_alter_table('rapid_review_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rapid_review_meetings_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rapid_review_meetings_review_id'), ['review_id'], unique=False)

    op.create_table('review_deadline_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=20), nullable=False),
    sa.Column('flag', sa.String(length=10), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_review_deadline_alerts_partnership_id_partnerships')),
    sa.ForeignKeyConstraint(['review_id'], ['case_reviews.id'], name=op.f('fk_review_deadline_alerts_review_id_case_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_deadline_alerts')),
    sa.UniqueConstraint('review_id', 'clock', 'flag', name=op.f('uq_review_deadline_alerts_review_id'))
    )
    with op.batch_alter_table('review_deadline_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_deadline_alerts_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_deadline_alerts_review_id'), ['review_id'], unique=False)

    op.create_table('review_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_review_recommendations_partnership_id_partnerships')),
    sa.ForeignKeyConstraint(['review_id'], ['case_reviews.id'], name=op.f('fk_review_recommendations_review_id_case_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_recommendations')),
    sa.UniqueConstraint('review_id', 'number', name=op.f('uq_review_recommendations_review_id'))
    )
    with op.batch_alter_table('review_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_recommendations_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_recommendations_review_id'), ['review_id'], unique=False)

    if op.get_context().dialect.name == "postgresql":
        for table in OWNED_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {POLICY} ON {table} USING {IN_SCOPE} WITH CHECK {IN_SCOPE}")
    if _offline_sqlite():  # offline SQLite cannot copy tables: the links come online
        return
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recommendation_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_actions_recommendation_id'), ['recommendation_id'])
        batch_op.create_foreign_key(batch_op.f('fk_actions_recommendation_id_review_recommendations'), 'review_recommendations', ['recommendation_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('learning_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_review_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_learning_entries_case_review_id'), ['case_review_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_learning_entries_case_review_id_case_reviews'), 'case_reviews', ['case_review_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('learning_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_learning_entries_case_review_id_case_reviews'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_learning_entries_case_review_id'))
        batch_op.drop_column('case_review_id')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_actions_recommendation_id_review_recommendations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_actions_recommendation_id'), type_='unique')
        batch_op.drop_column('recommendation_id')

    with op.batch_alter_table('review_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_recommendations_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_recommendations_partnership_id'))

    op.drop_table('review_recommendations')
    with op.batch_alter_table('review_deadline_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_deadline_alerts_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_deadline_alerts_partnership_id'))

    op.drop_table('review_deadline_alerts')
    with op.batch_alter_table('rapid_review_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rapid_review_meetings_review_id'))
        batch_op.drop_index(batch_op.f('ix_rapid_review_meetings_partnership_id'))

    op.drop_table('rapid_review_meetings')
    with op.batch_alter_table('case_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_details_remove_on'))
        batch_op.drop_index(batch_op.f('ix_case_details_partnership_id'))

    op.drop_table('case_details')
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reviews_partnership_id'))

    op.drop_table('case_reviews')
