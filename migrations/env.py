"""Alembic environment: the URL comes from the caller or LEARNING_LOOP_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

import learning.models  # noqa: F401
from surveys.database import make_engine
from surveys.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("LEARNING_LOOP_DATABASE_URL")
    if not url:
        raise RuntimeError("Set LEARNING_LOOP_DATABASE_URL to migrate")
    return str(url)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Connection) -> None:
    _prepare(connection)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _prepare(connection: Connection) -> None:
    """Set what a migration needs before its transaction begins.

    SQLite: foreign keys off, so a batch table copy that drops the old table does not
    cascade deletes into the rows that refer to it (Alembic's advice; it is a no-op inside a
    transaction, so it goes to the driver before SQLAlchemy begins one). PostgreSQL:
    migrations work on every partnership's rows, past row-level security.
    """
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT set_config('app.every_partnership', 'on', false)")
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
