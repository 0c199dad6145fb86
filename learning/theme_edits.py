"""Editing a finished run's themes: rename, merge, move statements, discard, undo.

Public API:
    rename_theme / discard_theme / merge_themes / move_statements -> ThemeEdit
    undo_edit(session, edit_id, *, undone_by) -> ThemeEdit
    edits_of(session, run_id) -> list[ThemeEdit]
    apply_merge(session, target, others, *, user) -> ThemeEdit (no commit; lineage uses it)
    recount(session, run_id, themes), pick_quotes(members, keywords, *, keep=())
    editable_theme, snapshot, record_edit, reassign, next_number (for learning.theme_split)

Every edit writes a ThemeEdit holding what it changed (theme snapshots, statement moves,
lineage decisions), so `undo_edit` restores exactly; edits are undone newest first. Names and
discards are also written on the theme's lineage, so a later run that finds the theme again
keeps them (see learning.lineage).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.errors import EditRefused, InvalidInput, NotFound
from learning.models import (
    EditKind,
    LabelSource,
    Theme,
    ThemeEdit,
    ThemeLineage,
    ThemeState,
    ThemeStatement,
)
from learning.themes import get_theme
from nlp.labels import theme_keywords
from surveys.models import User, utcnow

log = logging.getLogger(__name__)
N_QUOTES = 4
_SNAPSHOT = ("label", "label_source", "keywords", "size", "share", "polarity", "centroid")


def editable_theme(session: Session, theme_id: int) -> Theme:
    """Return a top-level theme that is neither merged nor split, or raise EditRefused."""
    theme = get_theme(session, theme_id)
    if theme.parent_id is not None:
        raise EditRefused("Sub-themes cannot be edited on their own: edit the theme.")
    if theme.state in (ThemeState.MERGED, ThemeState.SPLIT):
        raise EditRefused(f"“{theme.label}” has already been merged or split.")
    return theme


def snapshot(theme: Theme) -> dict[str, Any]:
    """Return what undo needs to restore the theme."""
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


def record_edit(
    session: Session,
    theme: Theme,
    kind: EditKind,
    *,
    user: User | None,
    summary: str,
    before: dict[str, Any],
    created: Sequence[int] = (),
) -> ThemeEdit:
    """Write the edit with what it changed (no commit)."""
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
    theme = editable_theme(session, theme_id)
    before = {"themes": {str(theme.id): snapshot(theme)}}
    before["lineages"] = _lineage_snapshot(theme.lineage)
    summary = f"Renamed “{theme.label}” to “{label}”"
    theme.label, theme.label_source = label, LabelSource.HUMAN
    if theme.lineage:
        theme.lineage.human_label = label
        theme.lineage.updated_at = utcnow()
    edit = record_edit(
        session, theme, EditKind.RENAME, user=edited_by, summary=summary, before=before
    )
    session.commit()
    return edit


def discard_theme(session: Session, theme_id: int, *, edited_by: User) -> ThemeEdit:
    """Set a theme aside (it stays discarded when later runs find it again)."""
    theme = editable_theme(session, theme_id)
    if theme.state is ThemeState.DISCARDED:
        raise EditRefused(f"“{theme.label}” is already discarded.")
    before = {"themes": {str(theme.id): snapshot(theme)}}
    before["lineages"] = _lineage_snapshot(theme.lineage)
    theme.state = ThemeState.DISCARDED
    if theme.lineage:
        theme.lineage.is_discarded = True
    summary = f"Discarded “{theme.label}”"
    edit = record_edit(
        session, theme, EditKind.DISCARD, user=edited_by, summary=summary, before=before
    )
    session.commit()
    return edit


def merge_themes(
    session: Session, target_id: int, other_ids: Sequence[int], *, edited_by: User
) -> ThemeEdit:
    """Move the statements of `other_ids` into the target theme and recount it."""
    target = editable_theme(session, target_id)
    others = [editable_theme(session, i) for i in dict.fromkeys(other_ids) if i != target_id]
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
    before: dict[str, Any] = {"themes": {str(t.id): snapshot(t) for t in [target, *others]}}
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
    return record_edit(session, target, EditKind.MERGE, user=user, summary=summary, before=before)


def _move_rows(session: Session, from_ids: Sequence[int], to: Theme) -> dict[str, list[Any]]:
    """Move every statement of these themes to `to`; return {statement id: [theme, sub]}."""
    rows = session.scalars(select(ThemeStatement).where(ThemeStatement.theme_id.in_(from_ids)))
    return reassign(list(rows), to)


def reassign(rows: Sequence[ThemeStatement], to: Theme) -> dict[str, list[Any]]:
    """Move statements to `to`; return {statement id: [theme, sub]} as they were."""
    moves = {str(r.id): [r.theme_id, r.sub_theme_id] for r in rows}
    for row in rows:
        row.theme_id, row.sub_theme_id = to.id, None
    return moves


def move_statements(
    session: Session, statement_ids: Sequence[int], to_theme_id: int, *, edited_by: User
) -> ThemeEdit:
    """Move statements into another theme of the same run and recount both sides."""
    target = editable_theme(session, to_theme_id)
    rows = list(session.scalars(select(ThemeStatement).where(ThemeStatement.id.in_(statement_ids))))
    if not rows or len(rows) != len(set(statement_ids)):
        raise NotFound("Some of the selected statements no longer exist.")
    if any(r.run_id != target.run_id for r in rows):
        raise EditRefused("Statements can only move between themes of the same run.")
    sources = [session.get(Theme, i) for i in {r.theme_id for r in rows} if i is not None]
    touched = [target, *(t for t in sources if t is not None and t.id != target.id)]
    before: dict[str, Any] = {"themes": {str(t.id): snapshot(t) for t in touched}}
    before["moves"] = reassign(rows, target)
    recount(session, target.run_id, touched)
    summary = f"Moved {len(rows)} statement(s) to “{target.label}”"
    edit = record_edit(
        session, target, EditKind.MOVE, user=edited_by, summary=summary, before=before
    )
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


def next_number(session: Session, run_id: int) -> int:
    """Return a theme number not yet used in the run."""
    top = session.scalar(select(func.max(Theme.number)).where(Theme.run_id == run_id))
    return int(top or 0) + 1
