"""The job queue (Huey): SQLite-backed by default, Redis-backed when scaled.

The queue is chosen by QUEUE_URL: `sqlite:///path`, `redis://host:port/db`, or `memory://`
(tests). What the worker runs is in `webapp.tasks`; views and emails only enqueue, by task
name. Workers run with `flask --app webapp worker`, on this machine or any other that shares
the queue and database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

log = logging.getLogger(__name__)
QUEUE_NAME = "learning-loop"


def make_queue(url: str, *, immediate: bool = False) -> Huey:
    """Create the Huey instance a QUEUE_URL names."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), immediate=immediate)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(QUEUE_NAME, url=url, immediate=immediate)
    if url.startswith("memory://"):
        return MemoryHuey(QUEUE_NAME, immediate=immediate)
    raise ValueError("QUEUE_URL must start with sqlite:///, redis:// or memory://")


def init_app(app: Flask) -> None:
    """Create the app's queue; `webapp.tasks.init_app` registers what it runs."""
    app.extensions["huey"] = make_queue(
        app.config["QUEUE_URL"], immediate=app.config["QUEUE_IMMEDIATE"]
    )


def get_queue(app: Flask | None = None) -> Huey:
    return (app or current_app).extensions["huey"]  # type: ignore[no-any-return]


def enqueue(name: str, *args: Any, app: Flask | None = None) -> None:
    """Put a job on the queue by task name (runs at once in immediate mode)."""
    task = (app or current_app).extensions["tasks"][name]
    task(*args)
    log.info("job enqueued", extra={"task": name})


def after_submission(app: Flask | None = None) -> None:
    """Ask the worker to alert and screen now: a speed-up, never what safety depends on.

    The periodic jobs alert and screen whatever this misses, so a queue outage at
    submission costs the respondent nothing and loses no alert.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    names = ["send_safeguarding_alerts"]
    if app.config["SEMANTIC_SCREEN"]:
        names.append("screen_unscreened_responses")
    for name in names:
        try:
            enqueue(name, app=app)
        except Exception:  # noqa: BLE001 - the periodic jobs catch up once the queue is back
            log.warning(
                "could not enqueue job; the periodic job will catch up",
                extra={"task": name},
                exc_info=True,
            )


def queue_status(app: Flask) -> str:
    """Return 'ok' if the queue's storage can be written and read, else a short error code.

    Enqueuing is a write, so the check writes too: a read-only or locked store that would
    refuse jobs is reported as unavailable.
    """
    huey = get_queue(app)
    try:
        huey.storage.put_data(b"healthz", b"1")
        huey.storage.pop_data(b"healthz")
        huey.pending_count()
    except Exception:  # noqa: BLE001 - health check reports any failure
        log.warning("queue health check failed", exc_info=True)
        return "unavailable"
    return "ok"
