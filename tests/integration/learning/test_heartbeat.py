"""A running job beats; a run whose worker stopped is retried once, then failed with a reason."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from learning import heartbeat, runs
from learning.models import RunStatus, Theme, ThemingRun
from learning.selection import Selection
from surveys.models import utcnow
from tests.conftest import write_lock_is_free

from .conftest import ESCALATION, SUPERVISION, SpyPipeline

CONSULTATION = Selection(streams=("consultation",))
NOW = utcnow()


def _running(world, *, beat_ago: timedelta, attempts: int = 1) -> ThemingRun:
    run = runs.start_run(world.session, CONSULTATION, started_by=world.quality)
    run.status, run.attempts = RunStatus.RUNNING, attempts
    run.started_at = run.heartbeat_at = NOW - beat_ago
    world.session.commit()
    return run


def test_a_run_whose_heartbeat_is_old_is_put_back_on_the_queue_once(world):
    run = _running(world, beat_ago=timedelta(minutes=2, seconds=1))
    found = heartbeat.recover_stale_runs(world.session, now=NOW)
    assert found.retried == [run.id] and found.failed == []
    world.session.refresh(run)
    assert run.status is RunStatus.QUEUED
    assert run.failure_reason.startswith("The worker stopped while finding themes.")


def test_a_run_whose_heartbeat_is_fresh_is_left_alone(world):
    run = _running(world, beat_ago=timedelta(seconds=90))
    found = heartbeat.recover_stale_runs(world.session, now=NOW)
    assert found.retried == found.failed == []
    world.session.refresh(run)
    assert run.status is RunStatus.RUNNING and run.failure_reason == ""


def test_a_retried_run_that_stops_again_stays_failed_with_its_reason(world):
    run = _running(world, beat_ago=timedelta(minutes=3), attempts=heartbeat.MAX_ATTEMPTS)
    found = heartbeat.recover_stale_runs(world.session, now=NOW)
    assert found.failed == [run.id] and found.retried == []
    world.session.refresh(run)
    assert run.status is RunStatus.FAILED and run.finished_at is not None
    assert "The worker stopped while finding themes" in run.failure_reason
    assert "second time" in run.failure_reason
    assert heartbeat.recover_stale_runs(world.session, now=NOW + timedelta(hours=1)).failed == []


def _lock_is_free(session_factory) -> bool:
    """True if no connection holds the write lock for long (the heartbeat's own writes are brief).

    A transaction the job kept open through the model step would hold it throughout.
    """
    return write_lock_is_free(session_factory.kw["bind"].url.database, wait=2)


def _heartbeat_of(session_factory, run_id: int):
    with session_factory() as session:
        return session.scalar(select(ThemingRun.heartbeat_at).where(ThemingRun.id == run_id))


def test_the_job_beats_and_holds_no_transaction_while_it_embeds_and_clusters(
    world, session_factory, monkeypatch
):
    monkeypatch.setattr(heartbeat, "HEARTBEAT_EVERY", timedelta(milliseconds=50))
    world.consultation_corpus(SUPERVISION, ESCALATION)
    run = runs.start_run(world.session, CONSULTATION, started_by=world.quality)
    pipeline = SpyPipeline()
    seen: dict[str, object] = {}
    embed, cluster = pipeline.inner.embedder.embed, pipeline.inner.themer.find_themes

    def spy_embed(texts, *args, **kwargs):
        seen["lock free while embedding"] = _lock_is_free(session_factory)
        return embed(texts, *args, **kwargs)

    def slow_cluster(*args, **kwargs):
        seen["lock free while clustering"] = _lock_is_free(session_factory)
        first = _heartbeat_of(session_factory, run.id)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # no progress is reported in here
            time.sleep(0.05)
            if _heartbeat_of(session_factory, run.id) != first:
                seen["beat while clustering"] = True
                break
        return cluster(*args, **kwargs)

    pipeline.inner.embedder.embed = spy_embed
    pipeline.inner.themer.find_themes = slow_cluster
    done = runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)
    assert done.status is RunStatus.FINISHED
    assert seen == {
        "lock free while embedding": True,
        "lock free while clustering": True,
        "beat while clustering": True,
    }


def test_an_old_attempt_that_comes_back_saves_nothing(world, session_factory):
    """A run failed as stale and retried belongs to its new attempt, not to the slow worker."""
    world.consultation_corpus(SUPERVISION, ESCALATION)
    run = runs.start_run(world.session, CONSULTATION, started_by=world.quality)

    def taken_over(stage, done, total):
        if stage == "cluster":
            with session_factory() as other:
                later = utcnow() + heartbeat.STALE_AFTER + timedelta(seconds=1)
                heartbeat.recover_stale_runs(other, now=later)
                retry = other.get(ThemingRun, run.id)
                retry.status, retry.attempts = RunStatus.RUNNING, retry.attempts + 1
                other.commit()

    result = runs.execute_run(
        world.session, run.id, pipeline=SpyPipeline(), registry=world.registry, progress=taken_over
    )
    assert result.status is RunStatus.RUNNING and result.attempts == 2
    assert world.session.scalar(select(func.count(Theme.id))) == 0
