"""A theming worker killed half-way leaves no partial themes; the stale run is retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from learning import heartbeat, runs, selection
from learning.models import RunStatus, Theme, ThemeStatement, ThemingRun
from surveys.loader import load_definitions
from surveys.models import utcnow
from tests.conftest import in_first_partnership, inspect_session, make_app

ROOT = Path(__file__).resolve().parents[3]
WORKER = """
import sys, time
from learning import heartbeat, runs, selection
from learning.theming_job import build_pipeline
from surveys.database import make_engine, make_session_factory
from surveys.loader import load_definitions
from surveys.models import utcnow
from surveys import tenancy
from learning.models import ThemingRun

every = make_session_factory(make_engine(sys.argv[1]))
with every() as session:  # a job works in the partnership of the run it acts for
    partnership_id = tenancy.owner_of(session, ThemingRun, int(sys.argv[2]))
sessions = tenancy.sessions_in(every, partnership_id)
pipeline = build_pipeline(sessions, embedder="tfidf")
real = pipeline.themer.find_themes

def slow(*args, **kwargs):
    print("clustering", flush=True)
    time.sleep(60)  # the test kills the worker here, after redaction and embedding
    return real(*args, **kwargs)

pipeline.themer.find_themes = slow
with sessions() as session:
    runs.execute_run(session, int(sys.argv[2]), pipeline=pipeline, registry=load_definitions())
"""


def test_killed_worker_leaves_nothing_partial_and_the_run_can_be_retried(tmp_path):
    from learning.theming_job import build_pipeline
    from webapp.database import session_factory

    app = make_app(demo=True)
    session = inspect_session(app)
    run = runs.start_run(session, selection.Selection(streams=("training",)), started_by=None)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, app.config["DATABASE_URL"], str(run.id)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert worker.stdout is not None
        deadline = time.monotonic() + 120
        while worker.stdout.readline().strip() != "clustering":
            assert time.monotonic() < deadline, "the worker never reached clustering"
        session.expire_all()
        assert session.get(ThemingRun, run.id).status is RunStatus.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    session.expire_all()
    assert session.scalar(select(func.count(Theme.id))) == 0
    assert session.scalar(select(func.count(ThemeStatement.id))) == 0
    assert runs.visible_themes(session, run.id) == []
    later = utcnow() + heartbeat.STALE_AFTER + timedelta(seconds=1)
    assert heartbeat.recover_stale_runs(session, now=later).retried == [run.id]
    queued = session.get(ThemingRun, run.id)
    assert queued.status is RunStatus.QUEUED and "worker stopped" in queued.failure_reason

    retried = queued
    with in_first_partnership(session_factory(app)()) as worker_session:
        runs.execute_run(
            worker_session,
            retried.id,
            pipeline=build_pipeline(session_factory(app), embedder="tfidf"),
            registry=load_definitions(),
        )
    session.expire_all()
    assert session.get(ThemingRun, retried.id).status is RunStatus.FINISHED
    assert runs.visible_themes(session, retried.id)
