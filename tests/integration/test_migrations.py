"""Migrations: one head; upgrade from empty matches the models; downgrade empties the database."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from surveys import migration
from surveys.models import Base
from tests.conftest import POSTGRES_URL, require_service, worker_schema


def test_there_is_exactly_one_head():
    assert len(migration.heads()) == 1


def _check_round_trip(url: str) -> None:
    migration.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    assert "users" in inspect(engine).get_table_names()
    migration.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migration.upgrade(url)
    engine.dispose()


def test_sqlite_upgrade_from_empty_and_downgrade(tmp_path):
    _check_round_trip(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.mark.postgres
def test_postgres_upgrade_from_empty_and_downgrade():
    require_service("PostgreSQL", "127.0.0.1", 5432)
    schema = worker_schema("migration_test")
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    url = POSTGRES_URL + f"?options=-csearch_path%3D{schema}"
    try:
        _check_round_trip(url)
    finally:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def test_offline_sql_can_be_generated(tmp_path, capsys):
    config = migration.alembic_config(f"sqlite:///{tmp_path / 'x.db'}")
    command.upgrade(config, "head", sql=True)
    assert "CREATE TABLE users" in capsys.readouterr().out


def test_existing_rows_move_into_one_partnership_and_nothing_is_lost(tmp_path):
    """0010 gives every row, organisation and person to the one partnership (made if none)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migration.upgrade(url, "0009_returns")
    engine = create_engine(url)
    now = "2026-01-01 00:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, sector, kind, is_active, created_at) "
                "VALUES (1, 'Police', 'police', 'agency', 1, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, role, organisation_id, is_active, created_at)"
                " VALUES (1, 'lead@example.org', 'Lead', 'organisation_lead', 1, 1, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO cycles (id, title, definition_key, definition_version, audience, "
                "opens_at, closes_at, created_at) "
                "VALUES (1, 'S11', 'section-11', 1, 'organisations', :now, :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO responses (id, cycle_id, organisation_id, submission_id, reference, "
                "definition_key, definition_version, status, answers, version, created_at, "
                "last_saved_at, is_flagged) VALUES (1, 1, 1, 's', 'R', 'section-11', 1, "
                "'submitted', '{}', 1, :now, :now, 0)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO response_versions (id, response_id, number, answers, submitted_at, "
                "reopened_at) VALUES (1, 1, 1, '{}', :now, :now)"
            ),
            {"now": now},
        )
    engine.dispose()
    migration.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        partnerships = connection.execute(text("SELECT id FROM partnerships")).scalars().all()
        assert len(partnerships) == 1
        (only,) = partnerships
        for table in ("cycles", "responses", "response_versions"):
            assert connection.execute(
                text(f"SELECT partnership_id FROM {table}")  # noqa: S608
            ).scalars().all() == [only], table
        assert connection.execute(
            text("SELECT user_id, partnership_id, role, organisation_id FROM memberships")
        ).all() == [(1, only, "organisation_lead", 1)]
        assert connection.execute(
            text("SELECT organisation_id, partnership_id FROM organisation_partnerships")
        ).all() == [(1, only)]
    engine.dispose()


def test_activity_moves_to_each_partnership_and_nothing_is_lost(tmp_path):
    """0013: an organisation's and a person's old activity becomes each partnership's own."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migration.upgrade(url, "0011_row_level_security")
    engine = create_engine(url)
    now = "2026-01-01 00:00:00"
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO partnerships (id, name, front_door_name, front_door_phone, created_at) "
            "VALUES (1, 'P', '', '', :now)",
            "INSERT INTO organisations (id, name, sector, kind, is_active, created_at) "
            "VALUES (1, 'Closed', 'police', 'agency', 0, :now), (2, 'Open', 'health', 'agency', "
            "1, :now)",
            "INSERT INTO organisation_partnerships (organisation_id, partnership_id, joined_at) "
            "VALUES (1, 1, :now), (2, 1, :now)",
            "INSERT INTO users (id, email, name, role, organisation_id, is_active, created_at) "
            "VALUES (1, 'gone@example.org', 'Gone', 'organisation_lead', 1, 0, :now), "
            "(2, 'here@example.org', 'Here', 'quality_group', NULL, 1, :now)",
            "INSERT INTO memberships (user_id, partnership_id, role, organisation_id, created_at) "
            "VALUES (1, 1, 'organisation_lead', 1, :now), (2, 1, 'quality_group', NULL, :now)",
        ):
            connection.execute(text(statement), {"now": now})
    engine.dispose()
    migration.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        served = connection.execute(
            text("SELECT organisation_id, is_active FROM organisation_partnerships ORDER BY 1")
        ).all()
        members = connection.execute(
            text("SELECT user_id, is_active FROM memberships ORDER BY 1")
        ).all()
        people = connection.execute(
            text("SELECT email, role, is_platform_admin FROM users ORDER BY id")
        ).all()
    engine.dispose()
    assert served == [(1, 0), (2, 1)]
    assert members == [(1, 0), (2, 1)]
    assert people == [
        ("gone@example.org", "organisation_lead", 0),
        ("here@example.org", "quality_group", 0),
    ]
