"""scrutiny, challenge and moderation of Section 11 / 175 returns

- `return_reviews`: a partnership's scrutiny of one submitted return (assured, feedback);
- `standard_reviews`: a reviewer's decision on one standard and its moderated rating;
- `challenges`: a question or request for evidence on one standard, the organisation's
  answer and the outcome (never deleted, so an action can name one);
- `cycle_reviewers`: people an admin named to review one cycle's returns;
- `review_meetings` and `meeting_outcomes`: challenge meetings and peer challenge events,
  the organisations they covered and the outcome for each.

Every table is partnership-owned, with row-level security like 0012's: each partnership
reviews its own copy of a shared return.

Revision ID: 0021_scrutiny
Revises: 0020_scrutiny_roles
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_scrutiny"
down_revision = "0020_scrutiny_roles"
branch_labels = None
depends_on = None

POLICY = "partnership_isolation"
IN_SCOPE = (
    "(partnership_id = NULLIF(current_setting('app.partnership_id', true), '')::integer"
    " OR current_setting('app.every_partnership', true) = 'on')"
)
TABLES = (
    "return_reviews",
    "standard_reviews",
    "challenges",
    "cycle_reviewers",
    "review_meetings",
    "meeting_outcomes",
)
TIME = sa.DateTime(timezone=True)


def _user(name: str, table: str) -> sa.Column:
    return sa.Column(
        name,
        sa.Integer(),
        sa.ForeignKey("users.id", name=op.f(f"fk_{table}_{name}_users"), ondelete="SET NULL"),
        nullable=True,
    )


def _response(table: str) -> sa.Column:
    return sa.Column(
        "response_id",
        sa.Integer(),
        sa.ForeignKey(
            "responses.id", name=op.f(f"fk_{table}_response_id_responses"), ondelete="CASCADE"
        ),
        nullable=False,
    )


def _partnership(table: str) -> sa.Column:
    return sa.Column(
        "partnership_id",
        sa.Integer(),
        sa.ForeignKey("partnerships.id", name=op.f(f"fk_{table}_partnership_id_partnerships")),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "return_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        _response("return_reviews"),
        sa.Column("assured_at", TIME, nullable=True),
        _user("assured_by_id", "return_reviews"),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("feedback_at", TIME, nullable=True),
        _user("feedback_by_id", "return_reviews"),
        sa.Column("created_at", TIME, nullable=False),
        _partnership("return_reviews"),
        sa.UniqueConstraint("response_id", name=op.f("uq_return_reviews_response_id")),
    )
    op.create_table(
        "standard_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        _response("standard_reviews"),
        sa.Column("standard_ref", sa.String(32), nullable=False),
        sa.Column("accepted_at", TIME, nullable=True),
        _user("accepted_by_id", "standard_reviews"),
        sa.Column("moderated_rating", sa.JSON(), nullable=True),
        sa.Column("moderation_reason", sa.Text(), nullable=False),
        sa.Column("moderated_at", TIME, nullable=True),
        _user("moderated_by_id", "standard_reviews"),
        _partnership("standard_reviews"),
        sa.UniqueConstraint(
            "response_id", "standard_ref", name=op.f("uq_standard_reviews_response_id")
        ),
    )
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), primary_key=True),
        _response("challenges"),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey(
                "organisations.id", name=op.f("fk_challenges_organisation_id_organisations")
            ),
            nullable=False,
        ),
        sa.Column("standard_ref", sa.String(32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("question", "evidence", name="challenge_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column("question", sa.Text(), nullable=False),
        _user("raised_by_id", "challenges"),
        sa.Column("raised_at", TIME, nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "answered", "closed", name="challenge_status", native_enum=False),
            nullable=False,
        ),
        sa.Column("answer", sa.Text(), nullable=False),
        _user("answered_by_id", "challenges"),
        sa.Column("answered_at", TIME, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        _user("closed_by_id", "challenges"),
        sa.Column("closed_at", TIME, nullable=True),
        _partnership("challenges"),
    )
    op.create_index(op.f("ix_challenges_response_id"), "challenges", ["response_id"])
    op.create_index(op.f("ix_challenges_organisation_id"), "challenges", ["organisation_id"])
    op.create_table(
        "cycle_reviewers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "cycle_id",
            sa.Integer(),
            sa.ForeignKey(
                "cycles.id", name=op.f("fk_cycle_reviewers_cycle_id_cycles"), ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey(
                "users.id", name=op.f("fk_cycle_reviewers_user_id_users"), ondelete="CASCADE"
            ),
            nullable=False,
        ),
        _user("named_by_id", "cycle_reviewers"),
        sa.Column("named_at", TIME, nullable=False),
        _partnership("cycle_reviewers"),
        sa.UniqueConstraint("cycle_id", "user_id", name=op.f("uq_cycle_reviewers_cycle_id")),
    )
    op.create_index(op.f("ix_cycle_reviewers_user_id"), "cycle_reviewers", ["user_id"])
    op.create_table(
        "review_meetings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "kind",
            sa.Enum("challenge", "peer_challenge", name="meeting_kind", native_enum=False),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column(
            "cycle_id",
            sa.Integer(),
            sa.ForeignKey(
                "cycles.id", name=op.f("fk_review_meetings_cycle_id_cycles"), ondelete="SET NULL"
            ),
            nullable=True,
        ),
        _user("recorded_by_id", "review_meetings"),
        sa.Column("recorded_at", TIME, nullable=False),
        _partnership("review_meetings"),
    )
    op.create_table(
        "meeting_outcomes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "meeting_id",
            sa.Integer(),
            sa.ForeignKey(
                "review_meetings.id",
                name=op.f("fk_meeting_outcomes_meeting_id_review_meetings"),
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey(
                "organisations.id", name=op.f("fk_meeting_outcomes_organisation_id_organisations")
            ),
            nullable=False,
        ),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("recorded_at", TIME, nullable=True),
        _partnership("meeting_outcomes"),
        sa.UniqueConstraint(
            "meeting_id", "organisation_id", name=op.f("uq_meeting_outcomes_meeting_id")
        ),
    )
    op.create_index(op.f("ix_meeting_outcomes_meeting_id"), "meeting_outcomes", ["meeting_id"])
    for table in TABLES:
        op.create_index(op.f(f"ix_{table}_partnership_id"), table, ["partnership_id"])
    if op.get_context().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY {POLICY} ON {table} USING {IN_SCOPE} WITH CHECK {IN_SCOPE}")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
