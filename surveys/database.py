"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scaled), without Flask."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from surveys import tenancy  # noqa: F401 - every session is scoped to a partnership

SQLITE_BUSY_TIMEOUT_MS = 5000  # a page waits this long for the write lock, then fails
JOB_BUSY_TIMEOUT_MS = 60_000  # a background job has no one waiting on it: it waits longer
BEGIN_OPTION = "sqlite_begin"  # execution option: "immediate" (default) or "deferred"
BUSY_TIMEOUT_OPTION = "sqlite_busy_timeout_ms"  # execution option: how long BEGIN may wait
_IS_READING = "learning_loop_is_reading"  # connection.info: a deferred transaction, no write yet
_BUSY_TIMEOUT = "learning_loop_busy_timeout_ms"  # connection.info: the timeout last set
# A savepoint too: ending the read after it would drop the savepoint SQLAlchemy releases later.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT")


def make_engine(url: str, *, immediate: bool = True, **kwargs: Any) -> Engine:
    """Create an engine with the settings each back-end needs to be safe under concurrency.

    On SQLite every transaction takes the write lock up front (`immediate`), unless the
    engine is derived with `reading_engine`. With `immediate=False` statements autocommit:
    tests use that to inspect the database without holding a lock the app is waiting for.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _make_sqlite_safe(engine, immediate=immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def reading_engine(engine: Engine) -> Engine:
    """Return the engine for work that mostly reads (GET pages): SQLite transactions deferred.

    Readers then proceed under WAL while another connection writes. Its first write turns the
    transaction into a write transaction (see `_make_sqlite_safe`).
    """
    return engine.execution_options(**{BEGIN_OPTION: "deferred"})


def job_engine(engine: Engine) -> Engine:
    """Return the engine for background jobs: on SQLite they wait up to a minute for the lock.

    A job that gives up after 5 s goes back on the queue for its retry delay (30 s for the
    semantic screen), so waiting is quicker; its transactions are short either way.
    """
    return engine.execution_options(**{BUSY_TIMEOUT_OPTION: JOB_BUSY_TIMEOUT_MS})


def _make_sqlite_safe(engine: Engine, *, immediate: bool) -> None:
    """Use WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE on writing transactions.

    pysqlite's own deferred BEGIN lets a read-then-write transaction fail with SQLITE_BUSY
    despite the timeout: SQLite does not wait when a reader asks for the write lock, and a
    reader whose snapshot is older than the last commit can never write. So a transaction
    takes the write lock up front (BEGIN IMMEDIATE), except on a `reading_engine`: there it
    begins deferred, and just before its first INSERT, UPDATE, DELETE or SAVEPOINT it ends
    the read and begins again IMMEDIATE, waiting for the lock like any writer. That write is
    based on what the transaction read a moment before: fine for what pages write while they
    are read (a session's last-seen time, an audit row), not for a form's read-check-write,
    which POST requests do under BEGIN IMMEDIATE.
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

    if not immediate:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        timeout = int(options.get(BUSY_TIMEOUT_OPTION, SQLITE_BUSY_TIMEOUT_MS))
        if connection.info.get(_BUSY_TIMEOUT, SQLITE_BUSY_TIMEOUT_MS) != timeout:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={timeout}")
            connection.info[_BUSY_TIMEOUT] = timeout
        is_reading = options.get(BEGIN_OPTION) == "deferred"
        connection.exec_driver_sql("BEGIN" if is_reading else "BEGIN IMMEDIATE")
        connection.info[_IS_READING] = is_reading

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(
        connection: Any, cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if not connection.info.get(_IS_READING) or not _is_write(statement):
            return
        connection.info[_IS_READING] = False
        dbapi_connection = connection.connection.driver_connection
        dbapi_connection.execute("COMMIT")  # only reads so far: nothing to lose
        dbapi_connection.execute("BEGIN IMMEDIATE")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        connection.info.pop(_IS_READING, None)


def _is_write(statement: str) -> bool:
    return statement.lstrip().upper().startswith(_WRITES)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
