"""A finished run's results: saving the pipeline's themes, statements, coverage and lineage.

Public API:
    save_result(session, run, answers, result, *, withheld=0)
    write_result(session, run, answers, result, *, withheld=0) -> themes by (parent, number)
    coverage_of(answers, result) -> dict
    previous_comparable_run(session, run) -> ThemingRun | None
    previous_run(session, run) -> (ThemingRun | None, comparable)
    comparable(run_a, run_b) -> bool (same streams and questions)

We store only the pipeline's redacted statements. `save_result` does not commit: the caller
commits once, so a run is saved whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.lineage import apply_lineage
from learning.models import RunStatus, Theme, ThemeStatement, ThemingRun
from learning.selection import Selection, SourceAnswer
from nlp.result import ThemingResult
from surveys.models import utcnow


def comparable(a: ThemingRun, b: ThemingRun) -> bool:
    """Say whether two runs read the same streams and questions (so trends mean something)."""
    questions = [sorted(Selection.from_json(r.selection).question_ids) for r in (a, b)]
    return a.streams_key == b.streams_key and questions[0] == questions[1]


def _earlier_runs(session: Session, run: ThemingRun) -> list[ThemingRun]:
    query = select(ThemingRun).where(
        ThemingRun.status == RunStatus.FINISHED,
        ThemingRun.id != run.id,
        ThemingRun.embedder_model == run.embedder_model,
    )
    if run.finished_at is not None:
        query = query.where(ThemingRun.finished_at <= run.finished_at)
    return list(
        session.scalars(query.order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc()))
    )


def previous_comparable_run(session: Session, run: ThemingRun) -> ThemingRun | None:
    """Return the latest finished run before this one over the same streams and questions."""
    return next((r for r in _earlier_runs(session, run) if comparable(r, run)), None)


def previous_run(session: Session, run: ThemingRun) -> tuple[ThemingRun | None, bool]:
    """Return the run to match against and whether it is comparable.

    The latest comparable run if there is one; otherwise the latest run over another
    selection, whose themes are offered to the group to confirm, never carried on their own.
    """
    earlier = _earlier_runs(session, run)
    same = next((r for r in earlier if comparable(r, run)), None)
    if same is not None:
        return same, True
    return (earlier[0], False) if earlier else (None, True)


def coverage_of(answers: Sequence[SourceAnswer], result: ThemingResult) -> dict[str, Any]:
    """Count answers and statements per stream and sector, and the pipeline's totals."""
    kept = [s for s in result.statements if not s.is_non_answer]
    heard = {int(s.answer_id) for s in kept}
    statements_by = Counter(answers[int(s.answer_id)].stream for s in kept)
    sectors_by = Counter(answers[int(s.answer_id)].sector or "anonymous" for s in kept)
    return {
        "answers": len(answers),
        "responses": len({a.response_id for a in answers}),
        "organisations": len({a.organisation_id for a in answers if a.organisation_id}),
        "statements": len(kept),
        "non_answers": result.non_answer_count,
        "outliers": result.outlier_count,
        "answers_by_stream": dict(Counter(a.stream for a in answers)),
        "answers_by_sector": dict(Counter(a.sector or "anonymous" for a in answers)),
        "statements_by_stream": dict(statements_by),
        "statements_by_sector": dict(sectors_by),
        "timings": dict(result.timings),
        # answers read that gave no statement to theme ("n/a"): an update knows them as read
        "quiet_answers": [a.key for i, a in enumerate(answers) if i not in heard],
    }


def save_result(
    session: Session,
    run: ThemingRun,
    answers: Sequence[SourceAnswer],
    result: ThemingResult,
    *,
    withheld: int = 0,
) -> None:
    """Write themes, sub-themes, statements, lineage and coverage, and mark the run finished.

    Does not commit: the caller commits once, so a run is saved whole or not at all.
    """
    write_result(session, run, answers, result, withheld=withheld)
    previous, same_selection = previous_run(session, run)
    run.previous_run_id = previous.id if previous else None
    run.comparable = same_selection if previous else None
    apply_lineage(session, run, previous, comparable=same_selection)


def write_result(
    session: Session,
    run: ThemingRun,
    answers: Sequence[SourceAnswer],
    result: ThemingResult,
    *,
    withheld: int = 0,
) -> dict[tuple[int | None, int], Theme]:
    """Write the rows of a result and mark the run finished; return its themes by number."""
    run.config = result.config
    run.embedder_model = str(result.config.get("embedder", {}).get("model_id", ""))[:200]
    run.coverage = {**coverage_of(answers, result), "withheld_answers": withheld}
    themes = _add_themes(session, run, result)
    rows = _add_statements(session, run, answers, result, themes)
    for theme in [*result.themes, *result.sub_themes]:
        saved = themes[(theme.parent, theme.id)]
        saved.quote_ids = [rows[i].id for i in theme.quote_indices if i in rows]
        if theme.summary_index in rows:
            saved.summary_statement_id = rows[theme.summary_index].id
        saved.tone_quote_ids = {
            tone: [rows[i].id for i in found if i in rows]
            for tone, found in theme.tone_quote_indices.items()
        }
    now = utcnow()
    run.status = RunStatus.FINISHED
    run.finished_at = now
    run.heartbeat_at = now
    run.stage, run.done, run.total = "save", 1, 1
    return themes


def _add_themes(
    session: Session, run: ThemingRun, result: ThemingResult
) -> dict[tuple[int | None, int], Theme]:
    """Add theme rows keyed by (parent number, number): (None, n) for top-level themes."""
    added: dict[tuple[int | None, int], Theme] = {}
    for level in (result.themes, result.sub_themes):
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
                summary=item.summary[:400],
            )
            session.add(theme)
            added[(item.parent, item.id)] = theme
        session.flush()
    return added


def _add_statements(
    session: Session,
    run: ThemingRun,
    answers: Sequence[SourceAnswer],
    result: ThemingResult,
    themes: dict[tuple[int | None, int], Theme],
) -> dict[int, ThemeStatement]:
    """Add one row per clustered statement; return them by index in the result."""
    subs = {item.id: item.parent for item in result.sub_themes}
    rows: dict[int, ThemeStatement] = {}
    for index, statement in enumerate(result.statements):
        if statement.is_non_answer:
            continue  # only a canonical form like "n a": nothing to theme or quote
        source = answers[int(statement.answer_id)]
        theme = themes.get((None, statement.theme)) if statement.theme is not None else None
        sub = statement.sub_theme
        sub_theme = themes.get((subs.get(sub), sub)) if sub is not None else None
        rows[index] = ThemeStatement(
            run_id=run.id,
            theme_id=theme.id if theme else None,
            sub_theme_id=sub_theme.id if sub_theme else None,
            response_id=source.response_id,
            question_id=source.question_id,
            text=statement.text,
            polarity=statement.polarity,
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
