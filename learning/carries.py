"""Carries to confirm: an old theme with decisions that a new run did not confidently continue.

Public API:
    pending_carries(session, run_id) -> list[Carry]
    latest_pending_run(session) -> ThemingRun | None
    confirm_carry(session, fate_id, theme_id, *, user) -> ThemeFate
    leave_carry(session, fate_id, *, user) -> ThemeFate

learning.lineage records a ThemeFate (changed, split, merged or gone, and the themes it
probably went to) and marks it `needs_confirmation` when the old lineage carries decisions.
Nothing moves until a person confirms. Confirming a target theme:
- whose lineage is new in this run: the target takes the old lineage (so its human name,
  discarding, board place, log links and, through the board item, actions follow it), and any
  decisions already made on the target's new lineage join it;
- that continues another lineage: the old lineage is merged into it (its log links and, if the
  target has none, its board place move to it).
"Leave" keeps every decision with the old theme. Both are audited (ids only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learning.errors import EditRefused, NotFound
from learning.lineage import carry_decisions
from learning.models import (
    BoardItem,
    EntryTheme,
    LabelSource,
    RunStatus,
    Theme,
    ThemeFate,
    ThemeLineage,
    ThemeState,
    ThemingRun,
)
from surveys.audit import record_audit
from surveys.models import User, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Carry:
    """One old theme to confirm: what it was, what probably happened, where it may have gone."""

    fate: ThemeFate
    old: Theme
    status: str
    candidates: list[Theme]
    board_place: str | None
    log_links: int


def _fate(session: Session, fate_id: int) -> ThemeFate:
    fate = session.get(ThemeFate, fate_id)
    if fate is None or not fate.needs_confirmation:
        raise NotFound("There is no theme to confirm with that number.")
    if fate.resolution is not None:
        raise EditRefused("Where this theme went has already been decided.")
    return fate


def pending_carries(session: Session, run_id: int) -> list[Carry]:
    """Return the run's old themes whose decisions wait for the group to confirm."""
    fates = session.scalars(
        select(ThemeFate)
        .where(
            ThemeFate.run_id == run_id,
            ThemeFate.needs_confirmation.is_(True),
            ThemeFate.resolution.is_(None),
        )
        .order_by(ThemeFate.id)
    )
    carries = []
    for fate in fates:
        themes = [session.get(Theme, i) for i in fate.candidate_ids]
        key = fate.lineage_key or ""
        item = session.scalars(select(BoardItem).where(BoardItem.lineage_key == key)).first()
        links = session.scalars(select(EntryTheme.id).where(EntryTheme.lineage_key == key)).all()
        carries.append(
            Carry(
                fate=fate,
                old=fate.previous_theme,
                status=fate.status,
                candidates=[t for t in themes if t is not None and t.state is ThemeState.ACTIVE],
                board_place=item.column.value if item else None,
                log_links=len(links),
            )
        )
    return carries


def latest_pending_run(session: Session) -> ThemingRun | None:
    """Return the latest finished run with carries still to confirm, if any."""
    return session.scalars(
        select(ThemingRun)
        .join(ThemeFate, ThemeFate.run_id == ThemingRun.id)
        .where(
            ThemingRun.status == RunStatus.FINISHED,
            ThemeFate.needs_confirmation.is_(True),
            ThemeFate.resolution.is_(None),
        )
        .order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc())
        .limit(1)
    ).first()


def _resolve(session: Session, fate: ThemeFate, resolution: str, user: User | None) -> None:
    fate.resolution = resolution
    fate.resolved_by_id = user.id if user else None
    fate.resolved_at = utcnow()
    record_audit(
        session,
        user_id=user.id if user else None,
        action=f"theme_carry_{resolution}",
        object_type="theme_fate",
        object_id=fate.id,
        detail=f"moved_to={fate.moved_to_id}" if fate.moved_to_id else "",
    )


def _continues_earlier(session: Session, theme: Theme) -> bool:
    """Say whether the theme's lineage was already held by a theme of another run."""
    return (
        session.scalars(
            select(Theme.id).where(
                Theme.lineage_key == theme.lineage_key, Theme.run_id != theme.run_id
            )
        ).first()
        is not None
    )


def _move_links(session: Session, old_key: str, new_key: str) -> None:
    """Point log links and (when free) the board place of `old_key` at `new_key`."""
    linked = set(
        session.scalars(select(EntryTheme.entry_id).where(EntryTheme.lineage_key == new_key))
    )
    for link in session.scalars(select(EntryTheme).where(EntryTheme.lineage_key == old_key)):
        if link.entry_id in linked:
            session.delete(link)
        else:
            link.lineage_key = new_key
    has_place = session.scalars(select(BoardItem.id).where(BoardItem.lineage_key == new_key))
    if has_place.first() is None:
        session.execute(
            update(BoardItem).where(BoardItem.lineage_key == old_key).values(lineage_key=new_key)
        )
    session.flush()


def confirm_carry(session: Session, fate_id: int, theme_id: int, *, user: User | None) -> ThemeFate:
    """Move the old theme's decisions to `theme_id` (a theme of the fate's run); commit."""
    fate = _fate(session, fate_id)
    target = session.get(Theme, theme_id)
    if (
        target is None
        or target.run_id != fate.run_id
        or target.parent_id is not None
        or target.state is not ThemeState.ACTIVE
        or not target.lineage_key
    ):
        raise EditRefused("Choose one of this run's themes.")
    old_key = fate.lineage_key or ""
    old = session.get(ThemeLineage, old_key)
    if old is None:
        raise NotFound("The old theme's decisions are no longer there.")
    if _continues_earlier(session, target):
        _move_links(session, old_key, target.lineage_key)
        old.merged_into_key = target.lineage_key
    else:
        fresh = session.get(ThemeLineage, target.lineage_key)
        _move_links(session, target.lineage_key, old_key)
        if fresh is not None:
            old.human_label = old.human_label or fresh.human_label
            old.is_discarded = old.is_discarded or fresh.is_discarded
        if target.label_source is LabelSource.HUMAN and old.human_label != target.label:
            target.label_source = LabelSource.MACHINE
        target.lineage_key = old_key
        target.previous_theme_id = fate.previous_theme_id
        target.similarity = fate.similarity
        carry_decisions(session, [target])
    old.updated_at = utcnow()
    fate.moved_to_id = target.id
    _resolve(session, fate, "moved", user)
    session.commit()
    log.info("theme carry confirmed fate_id=%s theme_id=%s", fate.id, target.id)
    return fate


def leave_carry(session: Session, fate_id: int, *, user: User | None) -> ThemeFate:
    """Keep every decision with the old theme; commit."""
    fate = _fate(session, fate_id)
    _resolve(session, fate, "left", user)
    session.commit()
    log.info("theme carry left fate_id=%s", fate.id)
    return fate
