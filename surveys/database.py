"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scaled), without Flask."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, *, immediate: bool = True, **kwargs: Any) -> Engine:
    """Create an engine with the settings each back-end needs to be safe under concurrency.

    On SQLite every transaction takes the write lock up front (`immediate`). With
    `immediate=False` statements autocommit: tests use that to inspect the database
    without holding a lock the app is waiting for.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _make_sqlite_safe(engine, immediate=immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _make_sqlite_safe(engine: Engine, *, immediate: bool) -> None:
    """Use WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE on every transaction.

    pysqlite's own deferred BEGIN lets a read-then-write transaction fail with
    SQLITE_BUSY despite the timeout; taking the write lock up front avoids that. Our
    transactions are short, so serialising them costs little on one machine.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    if immediate:

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
