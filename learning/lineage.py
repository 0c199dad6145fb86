"""Give a new run's themes their identity: match them to the previous comparable run's.

A matched theme inherits the previous theme's `lineage_key` and, through it, every human
decision: its human name, its being discarded, and a merge into another theme (carried out
again when both reappear). An unmatched theme gets a new key and the trend "new". Previous
themes no theme continues are recorded as ThemeFate rows ("gone" or "merged").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import uuid4

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.models import (
    LabelSource,
    Theme,
    ThemeFate,
    ThemeLineage,
    ThemeState,
    ThemingRun,
    Trend,
)
from learning.theme_edits import apply_merge
from nlp.lineage import ThemeSnapshot, ThemeStatus, match_themes

log = logging.getLogger(__name__)
# Previous themes that take part in matching: split themes are replaced by their parts.
_MATCHABLE = (ThemeState.ACTIVE, ThemeState.DISCARDED, ThemeState.MERGED)


def apply_lineage(session: Session, run: ThemingRun, previous: ThemingRun | None) -> None:
    """Match the run's themes to `previous`'s, set keys and trends, carry human edits.

    Does not commit: runs inside the transaction that saves the run.
    """
    current = _top_level(session, run.id, (ThemeState.ACTIVE,))
    before = _top_level(session, previous.id, _MATCHABLE) if previous else []
    before = [t for t in before if t.lineage_key and t.centroid]
    result = match_themes([_snapshot(t) for t in before], [_snapshot(t) for t in current])
    by_key = {_key(t): t for t in [*before, *current]}
    for match in result.matches:
        theme = by_key[match.key]
        if match.previous_key is None:
            _start_lineage(session, theme)
            continue
        earlier = by_key[match.previous_key]
        theme.lineage_key = earlier.lineage_key
        theme.previous_theme_id = earlier.id
        theme.previous_share = match.previous_share
        theme.similarity = round(match.similarity or 0.0, 4)
        theme.trend = Trend(match.status.value)
    session.flush()
    for fate in result.previous:
        _record_fate(
            session, run, by_key[fate.key], fate.status, by_key.get(fate.merged_into or "")
        )
    carry_decisions(session, current)
    log.info(
        "lineage run_id=%s previous=%s matched=%s",
        run.id,
        previous.id if previous else None,
        sum(m.previous_key is not None for m in result.matches),
    )


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


def _snapshot(theme: Theme) -> ThemeSnapshot:
    return ThemeSnapshot(
        key=_key(theme),
        centroid=np.asarray(theme.centroid or [0.0], dtype=np.float64),
        keywords=list(theme.keywords),
        size=theme.size,
    )


def _start_lineage(session: Session, theme: Theme) -> None:
    lineage = ThemeLineage(key=str(uuid4()))
    session.add(lineage)
    theme.lineage_key = lineage.key
    theme.trend = Trend.NEW


def _record_fate(
    session: Session,
    run: ThemingRun,
    earlier: Theme,
    status: ThemeStatus,
    into: Theme | None,
) -> None:
    if earlier.state is ThemeState.MERGED:
        return  # a human merged it away already: nothing new to report
    session.add(
        ThemeFate(
            run_id=run.id,
            previous_theme_id=earlier.id,
            lineage_key=earlier.lineage_key,
            status=status.value,
            merged_into_id=into.id if into else None,
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
