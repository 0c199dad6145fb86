"""A running theming job's heartbeat, and what happens to a run whose heartbeat stops.

Public API:
    HEARTBEAT_EVERY, STALE_AFTER, MAX_ATTEMPTS, STALE_REASON
    Heartbeat(sessions, run_id, attempt): a context manager that beats in a thread
    beat(session, run_id, attempt, *, now=None) -> bool
    recover_stale_runs(session, *, now=None) -> StaleRuns

A job writes the time on its run at each progress step and, from a thread, at least every
HEARTBEAT_EVERY while a slow step (loading the model, clustering) gives no progress. Each
write is its own short transaction. A periodic job calls `recover_stale_runs`: a run whose
heartbeat is older than STALE_AFTER lost its worker, so it goes back on the queue once
and then stays failed with a reason the quality group can read.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from learning.models import RunStatus, ThemingRun
from surveys.models import utcnow

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 2  # a run whose worker stops is tried once more
STALE_REASON = "The worker stopped while finding themes."
RETRYING = " It is being tried again."
GAVE_UP = " It stopped again when it was tried a second time."


def beat(session: Session, run_id: int, attempt: int, *, now: datetime | None = None) -> bool:
    """Write the heartbeat of this attempt of a running run; False if it is no longer running."""
    result = session.execute(
        update(ThemingRun)
        .where(
            ThemingRun.id == run_id,
            ThemingRun.status == RunStatus.RUNNING,
            ThemingRun.attempts == attempt,
        )
        .values(heartbeat_at=now or utcnow())
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


class Heartbeat:
    """Beat from a thread, in its own sessions, until the block ends."""

    def __init__(self, sessions: sessionmaker[Session], run_id: int, attempt: int) -> None:
        self.sessions, self.run_id, self.attempt = sessions, run_id, attempt
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY.total_seconds()):
            try:
                with self.sessions() as session:
                    if not beat(session, self.run_id, self.attempt):
                        return  # cancelled, or failed as stale: the job stops at its next step
            except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
                log.warning("heartbeat failed run_id=%s", self.run_id, exc_info=True)


@dataclass
class StaleRuns:
    """The runs found stale: put back on the queue, or failed for good."""

    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def recover_stale_runs(session: Session, *, now: datetime | None = None) -> StaleRuns:
    """Requeue (once) or fail each running run whose heartbeat is older than STALE_AFTER.

    The caller puts the `retried` runs back on the job queue after this commits.
    """
    now = now or utcnow()
    cutoff = now - STALE_AFTER
    stale = session.scalars(
        select(ThemingRun)
        .where(
            ThemingRun.status == RunStatus.RUNNING,
            or_(
                ThemingRun.heartbeat_at < cutoff,
                ThemingRun.heartbeat_at.is_(None) & (ThemingRun.started_at < cutoff),
            ),
        )
        .order_by(ThemingRun.id)
    ).all()
    found = StaleRuns()
    for run in stale:
        if run.attempts < MAX_ATTEMPTS:
            run.status, run.failure_reason = RunStatus.QUEUED, STALE_REASON + RETRYING
            found.retried.append(run.id)
        else:
            run.status, run.failure_reason = RunStatus.FAILED, STALE_REASON + GAVE_UP
            run.finished_at = now
            found.failed.append(run.id)
    session.commit()
    if stale:
        log.warning("stale theming runs retried=%s failed=%s", found.retried, found.failed)
    return found
