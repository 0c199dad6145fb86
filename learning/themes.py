"""Reading and editing a finished run's themes: rename, merge, split, move, discard, undo.

Every edit writes a ThemeEdit holding what it changed (theme snapshots, statement moves,
lineage decisions), so `undo_edit` restores exactly; edits are undone newest first. Names and
discards are also written on the theme's lineage, so a later run that finds the theme again
keeps them (see learning.lineage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from learning.errors import EditRefused, InvalidInput, NotFound, RunNotReady
from learning.models import (
    EditKind,
    LabelSource,
    RunStatus,
    Theme,
    ThemeEdit,
    ThemeLineage,
    ThemeState,
    ThemeStatement,
    ThemingRun,
)
from nlp.labels import theme_keywords
from surveys.models import User, utcnow
from surveys.safeguarding import shareable

log = logging.getLogger(__name__)
N_QUOTES = 4
MIN_SPLIT = 4
MUST_CHANGE_BELOW = -0.05  # nlp.sentiment's neutral band
WORKS_WELL_ABOVE = 0.05
_SNAPSHOT = ("label", "label_source", "keywords", "size", "share", "polarity", "centroid")


@dataclass(frozen=True)
class PolaritySplit:
    """How a theme's statements divide between what works well and what must change."""

    works_well: int
    must_change: int
    neutral: int

    @property
    def total(self) -> int:
        return self.works_well + self.must_change + self.neutral

    @property
    def must_change_share(self) -> float:
        return self.must_change / self.total if self.total else 0.0

    @property
    def works_well_share(self) -> float:
        return self.works_well / self.total if self.total else 0.0


def polarity_of(statement: ThemeStatement) -> str:
    """Say whether a statement works well, must change or is neutral (hint when unscored)."""
    if statement.polarity is not None:
        if statement.polarity <= MUST_CHANGE_BELOW:
            return "must_change"
        return "works_well" if statement.polarity >= WORKS_WELL_ABOVE else "neutral"
    hint = statement.polarity_hint
    return {"areas_for_development": "must_change", "strengths": "works_well"}.get(
        hint or "", "neutral"
    )


def polarity_split(statements: Iterable[ThemeStatement]) -> PolaritySplit:
    """Count statements that work well, must change, or neither."""
    counts = {"works_well": 0, "must_change": 0, "neutral": 0}
    for statement in statements:
        counts[polarity_of(statement)] += 1
    return PolaritySplit(**counts)


def is_shareable() -> ColumnElement[bool]:
    """SQL condition: the statement's answer is not (or may not be) a flagged disclosure."""
    return shareable(ThemeStatement.response_id, ThemeStatement.question_id)


def get_theme(session: Session, theme_id: int) -> Theme:
    """Return a theme of a finished run, or raise NotFound."""
    theme = session.scalars(
        select(Theme)
        .join(ThemingRun, Theme.run_id == ThemingRun.id)
        .where(Theme.id == theme_id, ThemingRun.status == RunStatus.FINISHED)
    ).first()
    if theme is None:
        raise NotFound("There is no theme with that number in a finished run.")
    return theme


def statements_of(session: Session, theme: Theme) -> list[ThemeStatement]:
    """Return the shareable statements of a theme (or sub-theme)."""
    column = ThemeStatement.sub_theme_id if theme.parent_id else ThemeStatement.theme_id
    return list(
        session.scalars(
            select(ThemeStatement)
            .where(column == theme.id, is_shareable())
            .order_by(ThemeStatement.id)
        )
    )


def quotes_of(session: Session, theme: Theme) -> list[ThemeStatement]:
    """Return the theme's quotes (redacted statements), flagged answers never included."""
    if not theme.quote_ids:
        return []
    found = session.scalars(
        select(ThemeStatement).where(ThemeStatement.id.in_(theme.quote_ids), is_shareable())
    )
    by_id = {s.id: s for s in found}
    return [by_id[i] for i in theme.quote_ids if i in by_id]


def breakdown(statements: Sequence[ThemeStatement], field: str) -> dict[str, int]:
    """Count statements by "stream" or "sector" (anonymous answers have no sector)."""
    counts: dict[str, int] = {}
    for statement in statements:
        key = getattr(statement, field) or "anonymous"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _editable(session: Session, theme_id: int) -> Theme:
    theme = get_theme(session, theme_id)
    if theme.parent_id is not None:
        raise EditRefused("Sub-themes cannot be edited on their own: edit the theme.")
    if theme.state in (ThemeState.MERGED, ThemeState.SPLIT):
        raise EditRefused(f"“{theme.label}” has already been merged or split.")
    return theme


def _snapshot(theme: Theme) -> dict[str, Any]:
    snap = {name: getattr(theme, name) for name in _SNAPSHOT}
    snap.update(
        label_source=theme.label_source.value,
        quote_ids=list(theme.quote_ids),
        state=theme.state.value,
        merged_into_id=theme.merged_into_id,
    )
    return snap


def _lineage_snapshot(lineage: ThemeLineage | None) -> dict[str, dict[str, Any]]:
    if lineage is None:
        return {}
    return {
        lineage.key: {
            "human_label": lineage.human_label,
            "is_discarded": lineage.is_discarded,
            "merged_into_key": lineage.merged_into_key,
        }
    }


def _record(
    session: Session,
    theme: Theme,
    kind: EditKind,
    *,
    user: User | None,
    summary: str,
    before: dict[str, Any],
    created: Sequence[int] = (),
) -> ThemeEdit:
    edit = ThemeEdit(
        run_id=theme.run_id,
        kind=kind,
        theme_id=theme.id,
        edited_by_id=user.id if user else None,
        summary=summary[:300],
        before=before,
        after={"created": list(created)},
    )
    session.add(edit)
    session.flush()
    log.info("theme edit kind=%s edit_id=%s theme_id=%s", kind.value, edit.id, theme.id)
    return edit


def rename_theme(session: Session, theme_id: int, label: str, *, edited_by: User) -> ThemeEdit:
    """Give a theme a human name, kept by the same theme in later runs."""
    label = " ".join(label.split())
    if not label:
        raise InvalidInput("Enter a name for the theme")
    if len(label) > 200:
        raise InvalidInput("The theme name must be 200 characters or fewer")
    theme = _editable(session, theme_id)
    before = {"themes": {str(theme.id): _snapshot(theme)}}
    before["lineages"] = _lineage_snapshot(theme.lineage)
    summary = f"Renamed “{theme.label}” to “{label}”"
    theme.label, theme.label_source = label, LabelSource.HUMAN
    if theme.lineage:
        theme.lineage.human_label = label
        theme.lineage.updated_at = utcnow()
    edit = _record(session, theme, EditKind.RENAME, user=edited_by, summary=summary, before=before)
    session.commit()
    return edit


def discard_theme(session: Session, theme_id: int, *, edited_by: User) -> ThemeEdit:
    """Set a theme aside (it stays discarded when later runs find it again)."""
    theme = _editable(session, theme_id)
    if theme.state is ThemeState.DISCARDED:
        raise EditRefused(f"“{theme.label}” is already discarded.")
    before = {"themes": {str(theme.id): _snapshot(theme)}}
    before["lineages"] = _lineage_snapshot(theme.lineage)
    theme.state = ThemeState.DISCARDED
    if theme.lineage:
        theme.lineage.is_discarded = True
    summary = f"Discarded “{theme.label}”"
    edit = _record(session, theme, EditKind.DISCARD, user=edited_by, summary=summary, before=before)
    session.commit()
    return edit


def merge_themes(
    session: Session, target_id: int, other_ids: Sequence[int], *, edited_by: User
) -> ThemeEdit:
    """Move the statements of `other_ids` into the target theme and recount it."""
    target = _editable(session, target_id)
    others = [_editable(session, i) for i in dict.fromkeys(other_ids) if i != target_id]
    if not others:
        raise InvalidInput("Select at least one other theme to merge")
    if any(o.run_id != target.run_id for o in others):
        raise EditRefused("Only themes of the same run can be merged.")
    edit = apply_merge(session, target, others, user=edited_by)
    session.commit()
    return edit


def apply_merge(
    session: Session, target: Theme, others: Sequence[Theme], *, user: User | None
) -> ThemeEdit:
    """Merge without committing (used by merge_themes and by lineage carrying a merge)."""
    moves = _move_rows(session, [o.id for o in others], target)
    before: dict[str, Any] = {"themes": {str(t.id): _snapshot(t) for t in [target, *others]}}
    before["moves"] = moves
    before["lineages"] = {k: v for o in others for k, v in _lineage_snapshot(o.lineage).items()}
    total = target.size + sum(o.size for o in others)
    weights = [target.size, *(o.size for o in others)]
    vectors = [target.centroid, *(o.centroid for o in others)]
    if total and all(len(v) == len(target.centroid) and v for v in vectors):
        mean = np.average(np.asarray(vectors, dtype=np.float64), axis=0, weights=weights)
        target.centroid = [round(float(x), 6) for x in mean / (np.linalg.norm(mean) or 1.0)]
    for other in others:
        other.state, other.merged_into_id, other.size, other.share = (
            ThemeState.MERGED,
            target.id,
            0,
            0.0,
        )
        if other.lineage:
            other.lineage.merged_into_key = target.lineage_key
    target.quote_ids = list(target.quote_ids) + [q for o in others for q in o.quote_ids]
    recount(session, target.run_id, [target])
    names = ", ".join(f"“{o.label}”" for o in others)
    summary = f"Merged {names} into “{target.label}”"
    return _record(session, target, EditKind.MERGE, user=user, summary=summary, before=before)


def _move_rows(session: Session, from_ids: Sequence[int], to: Theme) -> dict[str, list[Any]]:
    """Move every statement of these themes to `to`; return {statement id: [theme, sub]}."""
    rows = session.scalars(select(ThemeStatement).where(ThemeStatement.theme_id.in_(from_ids)))
    return _reassign(list(rows), to)


def _reassign(rows: Sequence[ThemeStatement], to: Theme) -> dict[str, list[Any]]:
    moves = {str(r.id): [r.theme_id, r.sub_theme_id] for r in rows}
    for row in rows:
        row.theme_id, row.sub_theme_id = to.id, None
    return moves


def move_statements(
    session: Session, statement_ids: Sequence[int], to_theme_id: int, *, edited_by: User
) -> ThemeEdit:
    """Move statements into another theme of the same run and recount both sides."""
    target = _editable(session, to_theme_id)
    rows = list(session.scalars(select(ThemeStatement).where(ThemeStatement.id.in_(statement_ids))))
    if not rows or len(rows) != len(set(statement_ids)):
        raise NotFound("Some of the selected statements no longer exist.")
    if any(r.run_id != target.run_id for r in rows):
        raise EditRefused("Statements can only move between themes of the same run.")
    sources = [session.get(Theme, i) for i in {r.theme_id for r in rows} if i is not None]
    touched = [target, *(t for t in sources if t is not None and t.id != target.id)]
    before: dict[str, Any] = {"themes": {str(t.id): _snapshot(t) for t in touched}}
    before["moves"] = _reassign(rows, target)
    recount(session, target.run_id, touched)
    summary = f"Moved {len(rows)} statement(s) to “{target.label}”"
    edit = _record(session, target, EditKind.MOVE, user=edited_by, summary=summary, before=before)
    session.commit()
    return edit


def recount(session: Session, run_id: int, themes: Sequence[Theme]) -> None:
    """Recompute size, share, polarity, keywords and quotes of themes from their statements."""
    session.flush()
    rows = list(
        session.scalars(
            select(ThemeStatement).where(
                ThemeStatement.run_id == run_id, ThemeStatement.theme_id.is_not(None)
            )
        )
    )
    keywords = theme_keywords([r.text for r in rows], np.array([r.theme_id for r in rows]))
    total = len(rows)
    for theme in themes:
        members = [r for r in rows if r.theme_id == theme.id]
        scores = [r.polarity for r in members if r.polarity is not None]
        theme.size = len(members)
        theme.share = round(len(members) / total, 4) if total else 0.0
        theme.polarity = round(float(np.mean(scores)), 4) if scores else None
        theme.keywords = keywords.get(theme.id, [])[:10]
        theme.quote_ids = pick_quotes(members, theme.keywords, keep=theme.quote_ids)


def pick_quotes(
    members: Sequence[ThemeStatement], keywords: Sequence[str], *, keep: Sequence[int] = ()
) -> list[int]:
    """Keep earlier quotes still in the theme, then add statements richest in its keywords."""
    by_id = {m.id: m for m in members}
    chosen = [i for i in dict.fromkeys(keep) if i in by_id][:N_QUOTES]
    seen = {by_id[i].text.lower() for i in chosen}
    words = {k.lower() for k in keywords}

    def richness(row: ThemeStatement) -> tuple[int, int, int]:
        tokens = row.text.lower().split()
        return (len(tokens) >= 4, sum(t.strip(".,;:!?") in words for t in tokens), -row.id)

    for row in sorted(members, key=richness, reverse=True):
        if len(chosen) >= N_QUOTES:
            break
        if row.text.lower() not in seen:
            seen.add(row.text.lower())
            chosen.append(row.id)
    return chosen


def undo_edit(session: Session, edit_id: int, *, undone_by: User) -> ThemeEdit:
    """Undo the most recent edit of a run still in force (edits are undone newest first)."""
    edit = session.get(ThemeEdit, edit_id)
    if edit is None or edit.undone_at is not None:
        raise NotFound("That edit does not exist or has already been undone.")
    latest = session.scalars(
        select(ThemeEdit)
        .where(ThemeEdit.run_id == edit.run_id, ThemeEdit.undone_at.is_(None))
        .order_by(ThemeEdit.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.id != edit.id:
        raise EditRefused("Undo the later edits first: edits are undone newest first.")
    _restore(session, edit.before, created=edit.after.get("created", []))
    edit.undone_at, edit.undone_by_id = utcnow(), undone_by.id
    session.commit()
    log.info("theme edit undone edit_id=%s", edit.id)
    return edit


def _restore(session: Session, before: dict[str, Any], *, created: Sequence[int]) -> None:
    for statement_id, (theme_id, sub_id) in before.get("moves", {}).items():
        row = session.get(ThemeStatement, int(statement_id))
        if row is not None:
            row.theme_id, row.sub_theme_id = theme_id, sub_id
    for theme_id, snap in before.get("themes", {}).items():
        theme = session.get(Theme, int(theme_id))
        if theme is None:
            continue
        for name in _SNAPSHOT:
            setattr(theme, name, snap[name])
        theme.label_source = LabelSource(snap["label_source"])
        theme.state = ThemeState(snap["state"])
        theme.quote_ids, theme.merged_into_id = snap["quote_ids"], snap["merged_into_id"]
    for key, values in before.get("lineages", {}).items():
        lineage = session.get(ThemeLineage, key)
        if lineage is not None:
            for name, value in values.items():
                setattr(lineage, name, value)
    session.flush()
    for theme_id in created:
        theme = session.get(Theme, theme_id)
        if theme is not None:
            session.delete(theme)


def edits_of(session: Session, run_id: int) -> list[ThemeEdit]:
    """Return a run's edits, newest first."""
    return list(
        session.scalars(
            select(ThemeEdit).where(ThemeEdit.run_id == run_id).order_by(ThemeEdit.id.desc())
        )
    )


def require_finished(session: Session, run_id: int) -> ThemingRun:
    """Return the run if it has finished, else raise RunNotReady."""
    run = session.get(ThemingRun, run_id)
    if run is None or run.status is not RunStatus.FINISHED:
        raise RunNotReady("This theming run has not finished yet.")
    return run


def next_number(session: Session, run_id: int) -> int:
    """Return a theme number not yet used in the run."""
    top = session.scalar(select(func.max(Theme.number)).where(Theme.run_id == run_id))
    return int(top or 0) + 1


def split_theme(
    session: Session,
    theme_id: int,
    *,
    pipeline_factory: Callable[[], Any],
    edited_by: User,
) -> ThemeEdit:
    """Re-cluster one theme's statements into two or more themes with the run's kind of model."""
    theme = _editable(session, theme_id)
    rows = list(
        session.scalars(
            select(ThemeStatement)
            .where(ThemeStatement.theme_id == theme.id)
            .order_by(ThemeStatement.id)
        )
    )
    if len(rows) < MIN_SPLIT:
        raise EditRefused(f"A theme needs at least {MIN_SPLIT} statements to be split.")
    texts = [r.text for r in rows]
    session.commit()  # hold no lock while embedding: the cache writes in its own transaction
    labels, vectors, keywords = _recluster(pipeline_factory(), texts)
    theme = _editable(session, theme_id)
    before: dict[str, Any] = {"themes": {str(theme.id): _snapshot(theme)}}
    before["moves"] = {str(r.id): [r.theme_id, r.sub_theme_id] for r in rows}
    children = _add_children(session, theme, rows, labels, vectors, keywords)
    theme.state, theme.size, theme.share = ThemeState.SPLIT, 0, 0.0
    recount(session, theme.run_id, children)
    for child, group in zip(children, sorted(set(labels.tolist())), strict=True):
        members = [rows[int(i)] for i in np.flatnonzero(labels == group)]
        child.quote_ids = _central_quotes(members, vectors[labels == group], child.centroid)
    summary = f"Split “{theme.label}” into {len(children)} themes"
    created = [c.id for c in children]
    edit = _record(
        session,
        theme,
        EditKind.SPLIT,
        user=edited_by,
        summary=summary,
        before=before,
        created=created,
    )
    session.commit()
    return edit


def _recluster(pipeline: Any, texts: list[str]) -> tuple[Any, Any, dict[int, list[str]]]:
    """Embed (through the cache) and cluster a small corpus; refuse when it stays one group."""
    from nlp.embedding import CachedEmbedder

    embedder = pipeline.embedder
    if getattr(pipeline, "cache", None) is not None:
        embedder = CachedEmbedder(embedder, pipeline.cache)
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    assignment = pipeline.themer.find_themes(texts, vectors, seed=getattr(pipeline, "seed", 0))
    labels = np.asarray(assignment.labels, dtype=np.int64)
    if (labels >= 0).any():  # outliers join the largest group: a split never loses statements
        labels[labels < 0] = np.bincount(labels[labels >= 0]).argmax()
    if len(set(labels.tolist())) < 2:
        raise EditRefused("These statements are too alike to split into separate themes.")
    return labels, vectors, assignment.keywords


def _add_children(
    session: Session,
    theme: Theme,
    rows: Sequence[ThemeStatement],
    labels: Any,
    vectors: Any,
    keywords: dict[int, list[str]],
) -> list[Theme]:
    from uuid import uuid4

    from nlp.labels import PhraseIndex

    names = PhraseIndex([r.text for r in rows]).name_themes(labels, keywords)
    number = next_number(session, theme.run_id)
    children = []
    for offset, group in enumerate(sorted(set(labels.tolist()))):
        mean = vectors[labels == group].mean(0)
        lineage = ThemeLineage(key=str(uuid4()))
        session.add(lineage)
        child = Theme(
            run_id=theme.run_id,
            number=number + offset,
            lineage_key=lineage.key,
            label=names.get(group, theme.label)[:200],
            machine_label=names.get(group, theme.label)[:200],
            keywords=keywords.get(group, [])[:10],
            centroid=[round(float(x), 6) for x in mean / (np.linalg.norm(mean) or 1.0)],
            split_from_id=theme.id,
            trend=theme.trend,
        )
        session.add(child)
        children.append(child)
    session.flush()
    for child, group in zip(children, sorted(set(labels.tolist())), strict=True):
        _reassign([rows[int(i)] for i in np.flatnonzero(labels == group)], child)
    return children


def _central_quotes(
    members: Sequence[ThemeStatement], vectors: Any, centroid: Sequence[float]
) -> list[int]:
    from nlp.labels import representative_quotes

    picks = representative_quotes(
        vectors, [m.text for m in members], np.asarray(centroid, dtype=np.float32), n=N_QUOTES
    )
    return [members[i].id for i in picks]
