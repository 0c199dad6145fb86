"""A `limits` storage in a SQLite file: rate-limit counters shared by every process on a machine.

`limits` offers memory (one process), Redis, Memcached and MongoDB. The embedded default runs
several gunicorn workers on one machine with no server beside them, so its counters live in
a SQLite file they all open: `sqlite:///path/to/rate-limits.db`. Importing this module
registers the `sqlite` scheme with `limits.storage.storage_from_string`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_limits (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
)
"""
# One statement, so two processes counting the same key never lose an increment.
_INCREMENT = """
INSERT INTO rate_limits (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN :amount ELSE count + :amount END,
    expires_at = CASE WHEN expires_at <= :now THEN :now + :expiry ELSE expires_at END
RETURNING count
"""
_LIVE = "SELECT {column} FROM rate_limits WHERE key = ? AND expires_at > ?"
PURGE_EVERY = 1_000  # increments between deletions of expired counters


class SqliteStorage(Storage):
    """Fixed-window counters in one SQLite table, opened per thread and per process."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(uri.removeprefix("sqlite:///"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._increments = 0
        self._connection().execute(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection; a forked worker opens its own rather than share one."""
        if getattr(self._local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection, self._local.pid = connection, os.getpid()
        return self._local.connection  # type: ignore[no-any-return]

    def _row(self, sql: str, *params: object) -> tuple[object, ...] | None:
        return self._connection().execute(sql, params).fetchone()  # type: ignore[no-any-return]

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        values = {"key": key, "amount": amount, "now": now, "expiry": expiry}
        row = self._connection().execute(_INCREMENT, values).fetchone()
        self._increments += 1
        if self._increments % PURGE_EVERY == 0:
            self._connection().execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._row(_LIVE.format(column="count"), key, time.time())
        return int(row[0]) if row else 0  # type: ignore[call-overload]

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._row(_LIVE.format(column="expires_at"), key, now)
        return float(row[0]) if row else now  # type: ignore[arg-type]

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM rate_limits").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM rate_limits WHERE key = ?", (key,))
