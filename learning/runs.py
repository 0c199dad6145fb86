"""Theming runs: choose answers, run the NLP pipeline, save its themes in one transaction.

Public API:
    Selection, SourceAnswer, RunProgress
    start_run(session, selection, *, started_by) -> ThemingRun
    collect_statements(session, selection, registry) -> list[SourceAnswer]
    execute_run(session, run_id, *, pipeline, registry, progress=None) -> ThemingRun
    cancel_run(session, run_id) -> ThemingRun
    get_run / run_progress / latest_finished_run / previous_comparable_run / visible_themes

Only submitted responses are read; any answer flagged as a possible disclosure (or every
free-text answer of a response flagged without known flags) is left out before the pipeline
sees it. The pipeline redacts; we store only its redacted statements, and log ids and counts.
No transaction stays open while the pipeline works (see learning.heartbeat for the
heartbeat it writes meanwhile and for runs whose worker stopped).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.errors import NotFound, RunCancelled, RunNotReady
from learning.heartbeat import Heartbeat
from learning.lineage import apply_lineage
from learning.models import RunStatus, Theme, ThemeState, ThemeStatement, ThemingRun
from nlp.report import ThemeReport
from surveys import tenancy
from surveys.definition import FREE_TEXT_TYPES, QuestionType, SurveyDefinition
from surveys.loader import DefinitionRegistry
from surveys.models import Organisation, Response, ResponseStatus, User, utcnow
from surveys.responses import answers_of
from surveys.safeguarding import flagged_questions, withheld_questions

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
    ) -> ThemeReport: ...


@dataclass(frozen=True)
class Selection:
    """What to analyse; an empty list means "all"."""

    streams: tuple[str, ...] = ()
    cycle_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    question_ids: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat() if self.date_from else None
        data["date_to"] = self.date_to.isoformat() if self.date_to else None
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Selection:
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            streams=tuple(sorted(data.get("streams") or ())),
            cycle_ids=tuple(data.get("cycle_ids") or ()),
            date_from=day(data.get("date_from")),
            date_to=day(data.get("date_to")),
            question_ids=tuple(data.get("question_ids") or ()),
            sectors=tuple(data.get("sectors") or ()),
        )

    @property
    def streams_key(self) -> str:
        return ",".join(sorted(set(self.streams)))


@dataclass(frozen=True)
class SourceAnswer:
    """One free-text answer that may be themed, and where it came from."""

    response_id: int
    question_id: str
    text: str
    polarity_hint: str | None
    stream: str
    sector: str | None
    organisation_id: int | None
    cycle_id: int
    standard: str | None = None
    rating_is_low: bool | None = None


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


@dataclass
class _Collected:
    answers: list[SourceAnswer] = field(default_factory=list)
    withheld: int = 0


def start_run(session: Session, selection: Selection, *, started_by: User | None) -> ThemingRun:
    """Queue a theming run over the selection; the job calls `execute_run` with its id."""
    run = ThemingRun(
        selection=selection.to_json(),
        streams_key=selection.streams_key,
        started_by_id=started_by.id if started_by else None,
        status=RunStatus.QUEUED,
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


def collect_statements(
    session: Session, selection: Selection, registry: DefinitionRegistry
) -> list[SourceAnswer]:
    """Return the free-text answers the selection covers, flagged answers left out."""
    return _collect(session, selection, registry).answers


def _collect(session: Session, selection: Selection, registry: DefinitionRegistry) -> _Collected:
    responses = _selected_responses(session, selection)
    flags = flagged_questions(session, [r.id for r in responses])
    collected = _Collected()
    for response, sector in responses_with_sector(responses):
        try:
            definition = registry.get(response.definition_key, response.definition_version)
        except KeyError:
            log.warning("no definition for response_id=%s; skipped", response.id)
            continue
        withheld = withheld_questions(response, definition, flags.get(response.id, frozenset()))
        for answer in _answers_of(response, definition, sector, selection):
            if answer.question_id in withheld:
                collected.withheld += 1
            else:
                collected.answers.append(answer)
    return collected


def responses_with_sector(responses: Sequence[Response]) -> list[tuple[Response, str | None]]:
    """Pair each response with its organisation's sector (None for anonymous answers)."""
    return [(r, str(r.organisation.sector) if r.organisation else None) for r in responses]


def _selected_responses(session: Session, selection: Selection) -> list[Response]:
    query = select(Response).where(Response.status == ResponseStatus.SUBMITTED)
    if selection.cycle_ids:
        query = query.where(Response.cycle_id.in_(selection.cycle_ids))
    if selection.date_from:
        start = datetime.combine(selection.date_from, time.min).replace(tzinfo=UTC)
        query = query.where(Response.submitted_at >= start)
    if selection.date_to:
        end = datetime.combine(selection.date_to + timedelta(days=1), time.min)
        query = query.where(Response.submitted_at < end.replace(tzinfo=UTC))
    if selection.sectors:
        query = query.join(Organisation, Response.organisation_id == Organisation.id).where(
            Organisation.sector.in_(selection.sectors)
        )
    return list(session.scalars(query.order_by(Response.id)))


def _answers_of(
    response: Response, definition: SurveyDefinition, sector: str | None, selection: Selection
) -> list[SourceAnswer]:
    answers = answers_of(response)
    found = []
    for page in definition.pages:
        for question in page.questions:
            analysis = question.analysis
            if question.type not in FREE_TEXT_TYPES or analysis is None:
                continue
            stream = (analysis.stream or definition.stream).value
            text = answers.get(question.id)
            if not isinstance(text, str) or not text.strip():
                continue
            if selection.streams and stream not in selection.streams:
                continue
            if selection.question_ids and question.id not in selection.question_ids:
                continue
            found.append(
                SourceAnswer(
                    response_id=response.id,
                    question_id=question.id,
                    text=text,
                    polarity_hint=analysis.polarity.value,
                    stream=stream,
                    sector=sector,
                    organisation_id=response.organisation_id,
                    cycle_id=response.cycle_id,
                    standard=analysis.standard,
                    rating_is_low=_rating_is_low(definition, answers, analysis.standard),
                )
            )
    return found


def _rating_is_low(
    definition: SurveyDefinition, answers: dict[str, Any], standard: str | None
) -> bool | None:
    """Say whether the response rated this standard below its scale's best level."""
    if standard is None:
        return None
    for page in definition.pages:
        if page.standard is None or page.standard.ref != standard:
            continue
        for question in page.questions:
            if question.type is not QuestionType.COMPLIANCE_RATING or question.scale is None:
                continue
            answer = answers.get(question.id)
            if not isinstance(answer, dict):
                return None  # unanswered or "not_applicable"
            levels = [level.value for level in question.scale.levels]
            value = answer.get("value")
            return value in levels and levels.index(value) > 0
    return None


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
            collected = _collect(session, Selection.from_json(run.selection), registry)
            session.commit()  # hold no transaction while the model works
            if not collected.answers:
                reason = "No submitted free-text answers match this selection."
                return _fail(session, run_id, reason, attempt=attempt)
            report = pipeline.run(
                [a.text for a in collected.answers],
                answer_ids=list(range(len(collected.answers))),
                polarity_hints=[a.polarity_hint for a in collected.answers],
                progress=tracker,
            )
            tracker("save", 0, 1)
            run = _still_ours(session, run_id, attempt)  # locks the run until the commit
            save_report(session, run, collected.answers, report, withheld=collected.withheld)
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
    log.info("theming run finished run_id=%s themes=%s", run_id, len(report.themes))
    return run


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


def previous_comparable_run(session: Session, run: ThemingRun) -> ThemingRun | None:
    """Return the latest finished run before this one over the same streams and model."""
    query = select(ThemingRun).where(
        ThemingRun.status == RunStatus.FINISHED,
        ThemingRun.id != run.id,
        ThemingRun.streams_key == run.streams_key,
        ThemingRun.embedder_model == run.embedder_model,
    )
    if run.finished_at is not None:
        query = query.where(ThemingRun.finished_at <= run.finished_at)
    return session.scalars(
        query.order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc()).limit(1)
    ).first()


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


def coverage_of(answers: Sequence[SourceAnswer], report: ThemeReport) -> dict[str, Any]:
    """Count answers and statements per stream and sector, and the pipeline's totals."""
    kept = [s for s in report.statements if not s.is_non_answer]
    statements_by = Counter(answers[int(s.answer_id)].stream for s in kept)
    sectors_by = Counter(answers[int(s.answer_id)].sector or "anonymous" for s in kept)
    return {
        "answers": len(answers),
        "responses": len({a.response_id for a in answers}),
        "organisations": len({a.organisation_id for a in answers if a.organisation_id}),
        "statements": len(kept),
        "non_answers": report.non_answer_count,
        "outliers": report.outlier_count,
        "answers_by_stream": dict(Counter(a.stream for a in answers)),
        "answers_by_sector": dict(Counter(a.sector or "anonymous" for a in answers)),
        "statements_by_stream": dict(statements_by),
        "statements_by_sector": dict(sectors_by),
        "timings": dict(report.timings),
    }


def save_report(
    session: Session,
    run: ThemingRun,
    answers: Sequence[SourceAnswer],
    report: ThemeReport,
    *,
    withheld: int = 0,
) -> None:
    """Write themes, sub-themes, statements, lineage and coverage, and mark the run finished.

    Does not commit: the caller commits once, so a run is saved whole or not at all.
    """
    run.config = report.config
    run.embedder_model = str(report.config.get("embedder", {}).get("model_id", ""))[:200]
    run.coverage = {**coverage_of(answers, report), "withheld_answers": withheld}
    themes = _add_themes(session, run, report)
    rows = _add_statements(session, run, answers, report, themes)
    for theme in [*report.themes, *report.sub_themes]:
        themes[(theme.parent, theme.id)].quote_ids = [
            rows[i].id for i in theme.quote_indices if i in rows
        ]
    now = utcnow()
    run.status = RunStatus.FINISHED
    run.finished_at = now
    run.heartbeat_at = now
    run.stage, run.done, run.total = "save", 1, 1
    previous = previous_comparable_run(session, run)
    run.previous_run_id = previous.id if previous else None
    apply_lineage(session, run, previous)


def _add_themes(
    session: Session, run: ThemingRun, report: ThemeReport
) -> dict[tuple[int | None, int], Theme]:
    """Add theme rows keyed by (parent number, number): (None, n) for top-level themes."""
    added: dict[tuple[int | None, int], Theme] = {}
    for level in (report.themes, report.sub_themes):
        for item in level:
            parent = added[(None, item.parent)] if item.parent is not None else None
            theme = Theme(
                run_id=run.id,
                parent_id=parent.id if parent else None,
                number=item.id,
                label=item.label[:200],
                machine_label=item.label[:200],
                keywords=list(item.keywords),
                size=item.size,
                share=item.share,
                polarity=item.polarity,
                centroid=list(item.centroid),
            )
            session.add(theme)
            added[(item.parent, item.id)] = theme
        session.flush()
    return added


def _add_statements(
    session: Session,
    run: ThemingRun,
    answers: Sequence[SourceAnswer],
    report: ThemeReport,
    themes: dict[tuple[int | None, int], Theme],
) -> dict[int, ThemeStatement]:
    """Add one row per clustered statement; return them by report index."""
    subs = {item.id: item.parent for item in report.sub_themes}
    rows: dict[int, ThemeStatement] = {}
    for index, result in enumerate(report.statements):
        if result.is_non_answer:
            continue  # only a canonical form like "n a": nothing to theme or quote
        source = answers[int(result.answer_id)]
        theme = themes.get((None, result.theme)) if result.theme is not None else None
        sub = result.sub_theme
        sub_theme = themes.get((subs.get(sub), sub)) if sub is not None else None
        rows[index] = ThemeStatement(
            run_id=run.id,
            theme_id=theme.id if theme else None,
            sub_theme_id=sub_theme.id if sub_theme else None,
            response_id=source.response_id,
            question_id=source.question_id,
            text=result.text,
            polarity=result.polarity,
            polarity_hint=source.polarity_hint,
            stream=source.stream,
            sector=source.sector,
            organisation_id=source.organisation_id,
            cycle_id=source.cycle_id,
            standard=source.standard,
            rating_is_low=source.rating_is_low,
        )
    session.add_all(rows.values())
    session.flush()
    return rows
