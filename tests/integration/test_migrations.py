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
