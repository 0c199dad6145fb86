"""Update runs: add new answers to the earlier run's themes instead of re-theming everything.

Public API:
    update_base(session, selection) -> ThemingRun | None
    plan_update(session, run, answers, *, model_id) -> UpdatePlan | None
    save_update(session, run, answers, plan, updated, *, withheld=0)
    suggests_full_run(run) -> str   (why a full re-theme is suggested, or "")

An update starts from the latest finished run over the SAME selection (every field of
learning.selection.Selection equal: streams, questions, cycles, dates, sectors) made with the
same embedding model. It copies that run's themes as they stand after the group's edits (a
moved statement stays moved, a merged theme stays merged), each keeping its lineage key, so
its human name, discarding, board place, log links and actions stay with it: it is the same
theme by construction, and nothing asks the group to confirm. The statements of answers no
longer selected (withdrawn, reopened, newly flagged) leave their themes; answers submitted
since the earlier run read its answers (or never read) go through the same split, redaction,
screening and embedding (cache) as any run, and join a theme, an emerging theme or none
(nlp.update). Otherwise it is a full run, today's behaviour.

Like a full run: `plan_update` only reads (inside the job's read transaction), the pipeline
works with no transaction open, and `save_update` writes everything in the caller's one
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.lineage import carry_decisions
from learning.models import (
    RunStatus,
    Theme,
    ThemeFate,
    ThemeLineage,
    ThemeState,
    ThemeStatement,
    ThemingRun,
    Trend,
)
from learning.run_results import write_result
from learning.selection import Selection, SourceAnswer
from nlp.lineage import trend_of
from nlp.result import FoundTheme, StatementResult, ThemingResult

UPDATE, FULL = "update", "full"
# Suggest re-theming everything when an update has grown the earlier run's answers by more
# than this share, or its leftovers formed this many emerging themes or more.
GROWTH_FOR_FULL_RUN = 0.2
EMERGING_FOR_FULL_RUN = 3
_COPIED = (ThemeState.ACTIVE, ThemeState.DISCARDED)


@dataclass
class UpdatePlan:
    """What an update starts from, and which answers are new or gone."""

    base: ThemingRun
    previous: ThemingResult
    theme_ids: dict[tuple[int | None, int], int]  # (parent, number) in `previous` -> Theme id
    new_rows: list[int]  # positions in the answers read now
    removed: set[str]  # answer ids of `previous` statements whose answers are gone
    removed_answers: int


def update_base(session: Session, selection: Selection) -> ThemingRun | None:
    """Return the latest finished run over exactly this selection, if any."""
    finished = session.scalars(
        select(ThemingRun)
        .where(ThemingRun.status == RunStatus.FINISHED)
        .order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc())
    )
    return next((r for r in finished if Selection.from_json(r.selection) == selection), None)


def plan_update(
    session: Session, run: ThemingRun, answers: Sequence[SourceAnswer], *, model_id: str
) -> UpdatePlan | None:
    """Read what an update needs; None when it must be a full run."""
    base = session.get(ThemingRun, run.based_on_id) if run.based_on_id else None
    if base is None or base.status is not RunStatus.FINISHED or base.embedder_model != model_id:
        return None
    if Selection.from_json(base.selection) != Selection.from_json(run.selection):
        return None
    top = list(
        session.scalars(
            select(Theme)
            .where(Theme.run_id == base.id, Theme.parent_id.is_(None), Theme.state.in_(_COPIED))
            .order_by(Theme.id)
        )
    )
    subs = list(
        session.scalars(
            select(Theme)
            .where(Theme.parent_id.in_([t.id for t in top]), Theme.state.in_(_COPIED))
            .order_by(Theme.id)
        )
    )
    rows = list(
        session.scalars(
            select(ThemeStatement)
            .where(ThemeStatement.run_id == base.id)
            .order_by(ThemeStatement.id)
        )
    )
    return _plan(base, top, subs, rows, answers)


def _plan(
    base: ThemingRun,
    top: list[Theme],
    subs: list[Theme],
    rows: list[ThemeStatement],
    answers: Sequence[SourceAnswer],
) -> UpdatePlan:
    """Match the earlier statements to the answers read now; list what is new and gone."""
    read_at = base.started_at
    now = {a.key: i for i, a in enumerate(answers)}
    fresh = {
        a.key
        for a in answers
        if read_at is not None and a.submitted_at is not None and a.submitted_at >= read_at
    }
    number = {t.id: i for i, t in enumerate(top)}
    sub_number = {t.id: i for i, t in enumerate(subs)}
    statements, removed, earlier = [], set(), set(base.coverage.get("quiet_answers") or [])
    for row in rows:
        key = f"{row.response_id}:{row.question_id}"
        earlier.add(key)
        gone = key not in now or key in fresh
        answer_id: str | int = f"gone:{key}" if gone else now[key]
        if gone:
            removed.add(str(answer_id))
        statements.append(
            StatementResult(
                text=row.text,
                answer_index=0,
                answer_id=answer_id,
                theme=number.get(row.theme_id or 0),
                sub_theme=sub_number.get(row.sub_theme_id or 0),
                polarity=row.polarity,
            )
        )
    themes = [_found(number[t.id], t, None) for t in top]
    themes += [_found(sub_number[t.id], t, number.get(t.parent_id or 0)) for t in subs]
    previous = ThemingResult(
        themes=[t for t in themes if t.parent is None],
        sub_themes=[t for t in themes if t.parent is not None],
        statements=statements,
        n_answers=len(answers),
        non_answer_count=0,
        non_answers={},
        outlier_count=0,
        config=dict(base.config or {}),
    )
    theme_ids = {(None, number[t.id]): t.id for t in top}
    theme_ids.update({(number.get(t.parent_id or 0), sub_number[t.id]): t.id for t in subs})
    new_rows = [i for i, a in enumerate(answers) if a.key not in earlier or a.key in fresh]
    gone_answers = {k for k in earlier if k not in now or k in fresh}
    return UpdatePlan(base, previous, theme_ids, new_rows, removed, len(gone_answers))


def _found(number: int, theme: Theme, parent: int | None) -> FoundTheme:
    return FoundTheme(
        id=number,
        label=theme.label,
        keywords=list(theme.keywords),
        size=theme.size,
        share=theme.share,
        statement_indices=[],
        quotes=[],
        quote_indices=[],
        centroid=list(theme.centroid),
        parent=parent,
    )


def save_update(
    session: Session,
    run: ThemingRun,
    answers: Sequence[SourceAnswer],
    plan: UpdatePlan,
    updated: Any,
    *,
    withheld: int = 0,
) -> None:
    """Write the updated themes with the earlier themes' identity; mark the run finished.

    Does not commit: the caller commits once, so a run is saved whole or not at all.
    """
    themes = write_result(session, run, answers, updated.result, withheld=withheld)
    base = plan.base
    counts = updated.summary.to_dict()
    counts.update(added_answers=len(plan.new_rows), removed_answers=plan.removed_answers)
    run.coverage = {**run.coverage, "update": counts, "based_on_answers": _answers(base)}
    run.mode, run.previous_run_id, run.comparable = UPDATE, base.id, True
    current = []
    for found in updated.result.themes:
        theme = themes[(None, found.id)]
        current.append(theme)
        origin = updated.summary.origin.get(found.id)
        if origin is None:
            _emerging(session, theme)
            continue
        _continue(session.get(Theme, plan.theme_ids[(None, origin)]), theme)
    for (parent, number), theme_id in plan.theme_ids.items():
        if parent is None and (None, number) not in themes:
            _record_gone(session, run, session.get(Theme, theme_id))
    carry_decisions(session, current)


def _answers(run: ThemingRun) -> int:
    return int((run.coverage or {}).get("answers", 0))


def _continue(earlier: Theme | None, theme: Theme) -> None:
    """The same theme as `earlier`: its identity, names and state, and a trend."""
    if earlier is None:  # pragma: no cover - read in the same transaction's snapshot
        return
    theme.lineage_key = earlier.lineage_key
    theme.previous_theme_id = earlier.id
    theme.previous_share = earlier.share
    theme.label, theme.machine_label = earlier.label, earlier.machine_label
    theme.label_source, theme.state = earlier.label_source, earlier.state
    a, b = np.asarray(earlier.centroid or [0.0]), np.asarray(theme.centroid or [0.0])
    if a.shape == b.shape:
        theme.similarity = round(float(a @ b / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1)), 4)
    theme.trend = Trend(trend_of(earlier.share, theme.share).value)


def _emerging(session: Session, theme: Theme) -> None:
    lineage = ThemeLineage(key=str(uuid4()))
    session.add(lineage)
    theme.lineage_key = lineage.key
    theme.trend = Trend.NEW
    theme.is_emerging = True


def _record_gone(session: Session, run: ThemingRun, earlier: Theme | None) -> None:
    """An earlier theme all of whose answers were withdrawn: reported, nothing to move."""
    if earlier is None:  # pragma: no cover
        return
    session.add(
        ThemeFate(
            run_id=run.id,
            previous_theme_id=earlier.id,
            lineage_key=earlier.lineage_key,
            status="gone",
            candidate_ids=[],
            needs_confirmation=False,
        )
    )


def suggests_full_run(run: ThemingRun) -> str:
    """Say why re-theming everything is worth it after this update ("" when it is not)."""
    counts = (run.coverage or {}).get("update")
    if run.mode != UPDATE or not counts:
        return ""
    before = int((run.coverage or {}).get("based_on_answers", 0))
    if before and counts.get("added_answers", 0) > GROWTH_FOR_FULL_RUN * before:
        return (
            f"This update added more than {int(GROWTH_FOR_FULL_RUN * 100)}% to the answers of "
            "the earlier run."
        )
    if counts.get("emerging_themes", 0) >= EMERGING_FOR_FULL_RUN:
        return f"This update found {counts['emerging_themes']} emerging themes."
    return ""
