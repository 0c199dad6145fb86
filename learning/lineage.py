"""Give a new run's themes their identity: match them to the previous run's, safely.

A theme continues an earlier theme's `lineage_key` (and with it every human decision: its
human name, its being discarded, a merge, its board place, log links and, through the board
item, actions) only when nlp.lineage calls the match confident AND the two runs read the same
streams and questions (`comparable`). Every other theme starts a new lineage, and each earlier
theme it may continue is recorded as a ThemeFate (changed, split, merged or gone, with the
themes it probably went to). When the earlier lineage carries decisions the fate needs the
group's confirmation (learning.carries): nothing moves until then. Trend words are set only
between comparable runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import uuid4

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.models import (
    BoardItem,
    EditKind,
    EntryTheme,
    LabelSource,
    Theme,
    ThemeEdit,
    ThemeFate,
    ThemeLineage,
    ThemeState,
    ThemeStatement,
    ThemingRun,
    Trend,
)
from learning.theme_edits import apply_merge
from nlp.lineage import PreviousTheme, ThemeSnapshot, ThemeStatus, match_themes

log = logging.getLogger(__name__)
# Previous themes that take part in matching: split themes are replaced by their parts.
_MATCHABLE = (ThemeState.ACTIVE, ThemeState.DISCARDED, ThemeState.MERGED)


def apply_lineage(
    session: Session, run: ThemingRun, previous: ThemingRun | None, *, comparable: bool = True
) -> None:
    """Match the run's themes to `previous`'s, set keys and trends, carry confident decisions.

    Does not commit: runs inside the transaction that saves the run.
    """
    current = _top_level(session, run.id, (ThemeState.ACTIVE,))
    before = _top_level(session, previous.id, _MATCHABLE) if previous else []
    before = [t for t in before if t.lineage_key and t.centroid]
    members = _members(session, [t.id for t in [*before, *current]])
    result = match_themes(
        [_snapshot(t, members) for t in before], [_snapshot(t, members) for t in current]
    )
    by_key = {_key(t): t for t in [*before, *current]}
    decided = lineages_with_decisions(session, [t.lineage_key for t in before if t.lineage_key])
    fates = list(result.previous)
    for match in result.matches:
        theme = by_key[match.key]
        if match.previous_key is not None and match.confident and comparable:
            earlier = by_key[match.previous_key]
            theme.lineage_key = earlier.lineage_key
            theme.previous_theme_id = earlier.id
            theme.previous_share = match.previous_share
            theme.similarity = round(match.similarity or 0.0, 4)
            theme.trend = Trend(match.status.value)
            continue
        unknown = match.previous_key is None and not any(match.key in f.candidates for f in fates)
        _start_lineage(session, theme, Trend.NEW if comparable and unknown else None)
        # Another selection, or a pairing too weak to carry decisions on its own: the earlier
        # theme is reported as changed into this one, and the group asked if it holds decisions.
        reported = any(f.key == match.previous_key for f in fates)
        if match.previous_key is not None and not reported:
            fates.append(
                PreviousTheme(
                    match.previous_key,
                    ThemeStatus.CHANGED,
                    similarity=match.similarity,
                    candidates=(match.key,),
                )
            )
    session.flush()
    for fate in fates:
        earlier = by_key[fate.key]
        _record_fate(session, run, earlier, fate, by_key, earlier.lineage_key in decided)
    carry_decisions(session, current)
    log.info(
        "lineage run_id=%s previous=%s comparable=%s carried=%s to_confirm=%s",
        run.id,
        previous.id if previous else None,
        comparable,
        sum(m.confident and comparable for m in result.matches),
        sum(1 for f in fates if by_key[f.key].lineage_key in decided),
    )


def _members(session: Session, theme_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Each theme's answers, as "response:question" ids (comparable across runs).

    A statement a person merged into another theme counts for the theme the pipeline gave
    it: matching compares what the pipeline found, and carry_decisions re-applies the merge.
    """
    found: dict[int, set[str]] = {i: set() for i in theme_ids}
    if not theme_ids:
        return {}
    rows = session.execute(
        select(
            ThemeStatement.id,
            ThemeStatement.theme_id,
            ThemeStatement.response_id,
            ThemeStatement.question_id,
        ).where(ThemeStatement.theme_id.in_(list(theme_ids)))
    ).all()
    merges = session.scalars(
        select(ThemeEdit).where(
            ThemeEdit.theme_id.in_(list(theme_ids)),
            ThemeEdit.kind == EditKind.MERGE,
            ThemeEdit.undone_at.is_(None),
        )
    )
    origin: dict[int, int] = {}
    for edit in merges:
        for statement_id, (theme_id, _sub) in (edit.before.get("moves") or {}).items():
            origin[int(statement_id)] = int(theme_id)
    for statement_id, theme_id, response_id, question_id in rows:
        owner = origin.get(statement_id, theme_id)
        found.setdefault(owner, set()).add(f"{response_id}:{question_id}")
    return {k: frozenset(v) for k, v in found.items()}


def lineages_with_decisions(session: Session, keys: Sequence[str]) -> set[str]:
    """Return the lineages among `keys` that carry a human decision of any kind."""
    if not keys:
        return set()
    wanted = set(keys)
    decided = set(
        session.scalars(
            select(ThemeLineage.key).where(
                ThemeLineage.key.in_(wanted),
                (ThemeLineage.human_label.is_not(None))
                | ThemeLineage.is_discarded
                | ThemeLineage.merged_into_key.is_not(None),
            )
        )
    )
    decided |= set(
        session.scalars(select(BoardItem.lineage_key).where(BoardItem.lineage_key.in_(wanted)))
    )
    decided |= set(
        session.scalars(select(EntryTheme.lineage_key).where(EntryTheme.lineage_key.in_(wanted)))
    )
    return {k for k in decided if k}


def _top_level(session: Session, run_id: int, states: tuple[ThemeState, ...]) -> list[Theme]:
    return list(
        session.scalars(
            select(Theme)
            .where(Theme.run_id == run_id, Theme.parent_id.is_(None), Theme.state.in_(states))
            .order_by(Theme.id)
        )
    )


def _key(theme: Theme) -> str:
    return f"theme-{theme.id}"


def _snapshot(theme: Theme, members: dict[int, frozenset[str]]) -> ThemeSnapshot:
    return ThemeSnapshot(
        key=_key(theme),
        centroid=np.asarray(theme.centroid or [0.0], dtype=np.float64),
        keywords=list(theme.keywords),
        size=theme.size,
        members=members.get(theme.id, frozenset()),
    )


def _start_lineage(session: Session, theme: Theme, trend: Trend | None) -> None:
    lineage = ThemeLineage(key=str(uuid4()))
    session.add(lineage)
    theme.lineage_key = lineage.key
    theme.trend = trend


def _record_fate(
    session: Session,
    run: ThemingRun,
    earlier: Theme,
    fate: PreviousTheme,
    by_key: dict[str, Theme],
    decided: bool,
) -> None:
    if earlier.state is ThemeState.MERGED:
        return  # a human merged it away already: nothing new to report
    into = by_key.get(fate.merged_into or "")
    session.add(
        ThemeFate(
            run_id=run.id,
            previous_theme_id=earlier.id,
            lineage_key=earlier.lineage_key,
            status=fate.status.value,
            merged_into_id=into.id if into else None,
            candidate_ids=[by_key[k].id for k in fate.candidates],
            similarity=round(fate.similarity, 4) if fate.similarity is not None else None,
            needs_confirmation=decided,
        )
    )


def carry_decisions(session: Session, themes: list[Theme]) -> None:
    """Apply each lineage's human name, discard and merge to this run's themes."""
    session.flush()
    by_lineage = {t.lineage_key: t for t in themes if t.lineage_key}
    for theme in themes:
        lineage = session.get(ThemeLineage, theme.lineage_key) if theme.lineage_key else None
        if lineage is None:
            continue
        if lineage.human_label:
            theme.label, theme.label_source = lineage.human_label, LabelSource.HUMAN
        if lineage.is_discarded:
            theme.state = ThemeState.DISCARDED
    for theme in themes:
        lineage = theme.lineage
        target = by_lineage.get(lineage.merged_into_key or "") if lineage else None
        if target is not None and target is not theme and target.state is ThemeState.ACTIVE:
            if theme.state is ThemeState.ACTIVE:
                apply_merge(session, target, [theme], user=None)


def lineage_history(session: Session, lineage_key: str) -> list[Theme]:
    """Return the theme of each finished run that carried this identity, oldest first."""
    from learning.models import RunStatus

    return list(
        session.scalars(
            select(Theme)
            .join(ThemingRun, Theme.run_id == ThemingRun.id)
            .where(Theme.lineage_key == lineage_key, ThemingRun.status == RunStatus.FINISHED)
            .order_by(ThemingRun.finished_at, Theme.id)
        )
    )


def current_theme(session: Session, lineage_key: str) -> Theme | None:
    """Return the most recent finished run's theme with this identity, if any."""
    history = lineage_history(session, lineage_key)
    return history[-1] if history else None


def current_themes(session: Session, lineage_keys: Sequence[str]) -> dict[str, Theme]:
    """Return `current_theme` of each identity that has one, in one read."""
    from learning.models import RunStatus

    if not lineage_keys:
        return {}
    found = session.scalars(
        select(Theme)
        .join(ThemingRun, Theme.run_id == ThemingRun.id)
        .where(Theme.lineage_key.in_(set(lineage_keys)), ThemingRun.status == RunStatus.FINISHED)
        .order_by(ThemingRun.finished_at, Theme.id)
    )
    return {theme.lineage_key: theme for theme in found if theme.lineage_key}  # latest wins


def gone_themes(session: Session, run_id: int) -> list[ThemeFate]:
    """Return the previous run's themes that this run no longer finds, or found merged."""
    return list(
        session.scalars(select(ThemeFate).where(ThemeFate.run_id == run_id).order_by(ThemeFate.id))
    )


def fate_wording(status: str, names: Sequence[str]) -> str:
    """Say in words where an earlier theme went: "probably Y", "split into Y and Z", "gone"."""
    quoted = [f"“{n}”" for n in names]
    if status == ThemeStatus.SPLIT and len(quoted) > 1:
        return "split into " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
    if status == ThemeStatus.MERGED and quoted:
        return "merged into " + quoted[0]
    if quoted:
        return "probably " + quoted[0]
    return "did not come back"
