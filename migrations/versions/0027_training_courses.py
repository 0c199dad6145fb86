"""training courses: the programme's courses, sessions, attendance and trainees' follow-ups

- `training_courses` (title, learning outcomes, level, the learning log entry that asked for
  it), `training_sessions` (date, venue or online, trainers, capacity, its own public link,
  the date attendance is erased), `training_attendance` (names, emails and organisations, apart
  from answers), `trainee_follow_ups` (an evaluation linked to its follow-up by a pseudonymous
  person-course key; the email only until the follow-up and its reminder have gone).

Each new table is partnership-owned, with the row-level security policy of 0011.

Revision ID: 0027_training_courses
Revises: 0026_national_reviews
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_training_courses"
down_revision = "0026_national_reviews"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)
OWNED_TABLES = (
    "training_courses",
    "training_sessions",
    "training_attendance",
    "trainee_follow_ups",
)


def _owned(name: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.id"],
            name=op.f(f"fk_{name}_partnership_id_partnerships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]


def upgrade() -> None:
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=100), nullable=False),
        sa.Column("learning_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_owned("training_courses"),
    )
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("trainers", sa.String(length=300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("erase_attendance_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_sessions_course_id_training_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["public_links.id"], name=op.f("fk_training_sessions_link_id_public_links")
        ),
        *_owned("training_sessions"),
        sa.UniqueConstraint("link_id", name=op.f("uq_training_sessions_link_id")),
    )
    op.create_table(
        "training_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_training_attendance_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_training_attendance_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        *_owned("training_attendance"),
    )
    op.create_table(
        "trainee_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["responses.id"],
            name=op.f("fk_trainee_follow_ups_evaluation_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["responses.id"],
            name=op.f("fk_trainee_follow_ups_follow_up_id_responses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["public_links.id"],
            name=op.f("fk_trainee_follow_ups_link_id_public_links"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_trainee_follow_ups_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        *_owned("trainee_follow_ups"),
        sa.UniqueConstraint("evaluation_id", name=op.f("uq_trainee_follow_ups_evaluation_id")),
        sa.UniqueConstraint("follow_up_id", name=op.f("uq_trainee_follow_ups_follow_up_id")),
        sa.UniqueConstraint("link_id", name=op.f("uq_trainee_follow_ups_link_id")),
    )
    for table in OWNED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f(f"ix_{table}_partnership_id"), ["partnership_id"], unique=False
            )
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_courses_learning_entry_id"), ["learning_entry_id"], unique=False
        )
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_sessions_course_id"), ["course_id"], unique=False
        )
    with op.batch_alter_table("training_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_attendance_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_attendance_organisation_id"), ["organisation_id"], unique=False
        )
    with op.batch_alter_table("trainee_follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trainee_follow_ups_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_trainee_follow_ups_person_key"), ["person_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trainee_follow_ups_due_at"), ["due_at"], unique=False)

    if op.get_context().dialect.name == "postgresql":
        for table in OWNED_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {POLICY} ON {table} USING {IN_SCOPE} WITH CHECK {IN_SCOPE}")


def downgrade() -> None:
    for table in reversed(OWNED_TABLES):
        op.drop_table(table)
