"""Alembic environment: the URL comes from the caller or LEARNING_LOOP_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

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


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
