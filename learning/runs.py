"""Theming runs: queue one, run the NLP pipeline over its answers, follow and cancel it.

Public API:
    RunProgress, Pipeline, STAGE_NAMES
    start_run(session, selection, *, started_by) -> ThemingRun
    execute_run(session, run_id, *, pipeline, registry, progress=None) -> ThemingRun
    cancel_run(session, run_id) -> ThemingRun
    get_run / run_progress / latest_finished_run / visible_themes

Which answers a run reads is learning.selection; how its results are saved is
learning.run_results. The pipeline redacts; we log ids and counts only. No transaction stays
open while the pipeline works (see learning.heartbeat for the heartbeat it writes meanwhile
and for runs whose worker stopped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.errors import NotFound, RunCancelled, RunNotReady
from learning.heartbeat import Heartbeat
from learning.models import RunStatus, Theme, ThemeState, ThemingRun
from learning.run_results import save_result
from learning.selection import Selection, SourceAnswer, collect
from learning.update_runs import FULL, UPDATE, UpdatePlan, plan_update, save_update, update_base
from nlp.result import ThemingResult
from surveys import tenancy
from surveys.loader import DefinitionRegistry
from surveys.models import User, utcnow

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
STAGE_NAMES = {
    "collect": "reading the answers",
    "split": "splitting answers into statements",
    "redact": "removing personal details",
    "embed": "reading the meaning of each statement",
    "cluster": "grouping statements into themes",
    "label": "naming the themes",
    "polarity": "scoring what works well and what must change",
    "save": "saving the themes",
}


class Pipeline(Protocol):
    """The part of nlp.pipeline.ThemingPipeline a run uses."""

    def run(
        self,
        texts: Sequence[str],
        *,
        answer_ids: Sequence[str | int] | None = None,
        polarity_hints: Sequence[str | None] | None = None,
        progress: Progress | None = None,
    ) -> ThemingResult: ...


@dataclass(frozen=True)
class RunProgress:
    """What the progress bar shows."""

    status: RunStatus
    stage: str
    stage_name: str
    done: int
    total: int
    percent: int
    failure_reason: str


def start_run(
    session: Session, selection: Selection, *, started_by: User | None, mode: str = FULL
) -> ThemingRun:
    """Queue a theming run over the selection; the job calls `execute_run` with its id.

    `mode` "update" adds new answers to the latest finished run over the same selection
    (learning.update_runs); with no such run it is a full run.
    """
    base = update_base(session, selection) if mode == UPDATE else None
    run = ThemingRun(
        selection=selection.to_json(),
        streams_key=selection.streams_key,
        started_by_id=started_by.id if started_by else None,
        status=RunStatus.QUEUED,
        mode=UPDATE if base else FULL,
        based_on_id=base.id if base else None,
    )
    session.add(run)
    session.commit()
    log.info("theming run queued run_id=%s", run.id)
    return run


def get_run(session: Session, run_id: int) -> ThemingRun:
    """Return the run or raise NotFound."""
    run = session.get(ThemingRun, run_id)
    if run is None:
        raise NotFound("There is no theming run with that number.")
    return run


def execute_run(
    session: Session,
    run_id: int,
    *,
    pipeline: Pipeline,
    registry: DefinitionRegistry,
    progress: Progress | None = None,
) -> ThemingRun:
    """Run the pipeline for a queued (or retried) run and save its themes atomically.

    Reads the answers in one short transaction, runs the pipeline with none open (writing
    progress and a heartbeat in short transactions of their own), then saves the themes in
    one. Raises whatever the pipeline raised, after marking the run failed, so the job
    queue can retry; a finished or cancelled run is returned untouched.
    """
    run = _begin(session, run_id)
    if run.status is not RunStatus.RUNNING:
        return run
    attempt = run.attempts
    tracker = _Tracker(session, run_id, attempt, progress)
    beats = tenancy.sessions_like(session)  # the heartbeat's own sessions, same partnership
    try:
        with Heartbeat(beats, run_id, attempt):
            tracker("collect", 0, 1)
            collected = collect(session, Selection.from_json(run.selection), registry)
            plan = _plan(session, run, collected.answers, pipeline) if collected.answers else None
            session.commit()  # hold no transaction while the model works
            if not collected.answers:
                reason = "No submitted free-text answers match this selection."
                return _fail(session, run_id, reason, attempt=attempt)
            result = _theme(pipeline, plan, collected.answers, tracker)
            tracker("save", 0, 1)
            run = _still_ours(session, run_id, attempt)  # locks the run until the commit
            if plan is None:
                run.mode, run.based_on_id = FULL, None  # no comparable run to update: full
                save_result(session, run, collected.answers, result, withheld=collected.withheld)
            else:
                save_update(
                    session, run, collected.answers, plan, result, withheld=collected.withheld
                )
            session.commit()
    except RunCancelled:
        session.rollback()
        log.info("theming run stopped run_id=%s attempt=%s", run_id, attempt)
        return get_run(session, run_id)
    except Exception as error:
        session.rollback()
        stage = STAGE_NAMES.get(tracker.stage, "preparing the run")
        reason = f"Theming stopped while {stage} ({type(error).__name__})."
        _fail(session, run_id, reason, attempt=attempt)
        log.error("theming run failed run_id=%s stage=%s", run_id, tracker.stage, exc_info=True)
        raise
    log.info("theming run finished run_id=%s mode=%s", run_id, run.mode)
    return run


def _plan(
    session: Session, run: ThemingRun, answers: Sequence[SourceAnswer], pipeline: Pipeline
) -> UpdatePlan | None:
    """Read what an update needs (None: run in full) inside the job's read transaction."""
    embedder = getattr(pipeline, "embedder", None)
    if run.mode != UPDATE or not hasattr(pipeline, "update") or embedder is None:
        return None
    return plan_update(session, run, answers, model_id=str(embedder.model_id)[:200])


def _theme(
    pipeline: Pipeline,
    plan: UpdatePlan | None,
    answers: Sequence[SourceAnswer],
    tracker: Progress,
) -> Any:
    """Theme every answer (a full run), or add the new ones to the earlier themes."""
    if plan is None:
        return pipeline.run(
            [a.text for a in answers],
            answer_ids=list(range(len(answers))),
            polarity_hints=[a.polarity_hint for a in answers],
            progress=tracker,
        )
    new = [answers[i] for i in plan.new_rows]
    return pipeline.update(  # type: ignore[attr-defined]
        plan.previous,
        [a.text for a in new],
        answer_ids=plan.new_rows,
        polarity_hints=[a.polarity_hint for a in new],
        removed=plan.removed,
        progress=tracker,
    )


def _still_ours(session: Session, run_id: int, attempt: int) -> ThemingRun:
    """Return the run for saving, or raise RunCancelled if it was cancelled or taken over.

    A run failed as stale and retried belongs to its new attempt: a slow old worker that
    comes back must not save a second set of themes.
    """
    run = session.scalars(
        select(ThemingRun)
        .where(ThemingRun.id == run_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if run.status is not RunStatus.RUNNING or run.attempts != attempt:
        raise RunCancelled("The run was cancelled or is being run by another worker.")
    return run


def _begin(session: Session, run_id: int) -> ThemingRun:
    """Mark the run running (one more attempt); leave finished or cancelled runs alone."""
    run = get_run(session, run_id)
    if run.status in (RunStatus.FINISHED, RunStatus.CANCELLED):
        session.commit()
        return run
    now = utcnow()
    run.status = RunStatus.RUNNING
    run.attempts += 1
    run.started_at = run.started_at or now
    run.heartbeat_at = now
    run.failure_reason = ""
    run.stage, run.done, run.total = "collect", 0, 0
    session.commit()
    log.info("theming run started run_id=%s attempt=%s", run_id, run.attempts)
    return run


def _fail(session: Session, run_id: int, reason: str, *, attempt: int) -> ThemingRun:
    """Mark this attempt of the run failed (a later attempt or a cancel is left alone)."""
    run = get_run(session, run_id)
    session.refresh(run)
    if run.status is not RunStatus.RUNNING or run.attempts != attempt:
        session.commit()
        return run
    run.status = RunStatus.FAILED
    run.failure_reason = reason[:500]
    run.finished_at = utcnow()
    session.commit()
    return run


class _Tracker:
    """Write the stage, counts and heartbeat (at most once a second) and honour cancelling."""

    def __init__(
        self, session: Session, run_id: int, attempt: int, forward: Progress | None
    ) -> None:
        self.session, self.run_id, self.attempt, self.forward = session, run_id, attempt, forward
        self.stage = ""
        self.last = datetime.min.replace(tzinfo=UTC)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.forward:
            self.forward(stage, done, total)
        now = utcnow()
        if stage == self.stage and done < total and now - self.last < timedelta(seconds=1):
            return
        self.stage, self.last = stage, now
        run = get_run(self.session, self.run_id)
        self.session.refresh(run, ["status", "attempts"])
        if run.status is not RunStatus.RUNNING or run.attempts != self.attempt:
            self.session.commit()
            raise RunCancelled("The run was cancelled or is being run by another worker.")
        run.stage, run.done, run.total, run.heartbeat_at = stage, done, total, now
        self.session.commit()


def cancel_run(session: Session, run_id: int) -> ThemingRun:
    """Cancel a queued or running run; the worker stops at its next progress step."""
    run = get_run(session, run_id)
    if not run.status.is_active:
        raise RunNotReady("Only a queued or running theming run can be cancelled.")
    run.status = RunStatus.CANCELLED
    run.finished_at = utcnow()
    session.commit()
    return run


def run_progress(session: Session, run_id: int) -> RunProgress:
    """Return the run's status and progress for the progress bar."""
    run = get_run(session, run_id)
    stages = list(STAGE_NAMES)
    if run.status is RunStatus.FINISHED:
        percent = 100
    elif run.stage in stages:
        within = run.done / run.total if run.total else 0.0
        percent = int(100 * (stages.index(run.stage) + within) / len(stages))
    else:
        percent = 0
    return RunProgress(
        status=run.status,
        stage=run.stage,
        stage_name=STAGE_NAMES.get(run.stage, ""),
        done=run.done,
        total=run.total,
        percent=percent,
        failure_reason=run.failure_reason,
    )


def latest_finished_run(session: Session, *, before: datetime | None = None) -> ThemingRun | None:
    """Return the most recently finished run (finished before `before`, if given)."""
    query = select(ThemingRun).where(ThemingRun.status == RunStatus.FINISHED)
    if before is not None:
        query = query.where(ThemingRun.finished_at < before)
    return session.scalars(query.order_by(ThemingRun.finished_at.desc()).limit(1)).first()


def visible_themes(
    session: Session, run_id: int, *, include_discarded: bool = False
) -> list[Theme]:
    """Return a finished run's top-level themes, largest first (none if unfinished)."""
    states = [ThemeState.ACTIVE, ThemeState.DISCARDED] if include_discarded else [ThemeState.ACTIVE]
    query = (
        select(Theme)
        .join(ThemingRun, Theme.run_id == ThemingRun.id)
        .where(
            ThemingRun.id == run_id,
            ThemingRun.status == RunStatus.FINISHED,
            Theme.parent_id.is_(None),
            Theme.state.in_(states),
        )
        .order_by(Theme.size.desc(), Theme.id)
    )
    return list(session.scalars(query))
