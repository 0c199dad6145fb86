"""The Created / Stabilised / Changed board: suggested placements, decisions, order, history.

Suggestion rules (DESIGN.md section 5; the quality group decides, the platform says why).
"Must change" and "works well" are shares of the theme's statements (scored polarity, or the
question's declared polarity when unscored); a rating is "low" when the organisation rated
the statement's standard below the best level of its scale. In order, the first rule wins:

1. New this run and at least half its statements say what must change (an unmet need or a
   gap) -> Created.
2. At least half of its rated statements come from standards rated low -> Changed.
3. At least half its statements say what must change -> Changed (the reason says when it is
   also growing).
4. At least half say what works well -> Stabilised (a persisting theme is kept; a new one
   "has potential").
5. Otherwise (mixed views): growing -> Changed; else the side with more statements.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning.errors import InvalidInput, NotFound
from learning.lineage import current_theme, current_themes
from learning.models import (
    BoardColumn,
    BoardItem,
    BoardMove,
    EntryTheme,
    LearningEntry,
    Theme,
    ThemeLineage,
    Trend,
)
from learning.themes import PolaritySplit, polarity_split, statements_of
from surveys.models import User, utcnow
from surveys.streams import stream_label

log = logging.getLogger(__name__)
MAJORITY = 0.5
CONCERN = 0.2


@dataclass(frozen=True)
class Suggestion:
    """Where the platform suggests placing an item, and why, in a sentence."""

    column: BoardColumn
    reason: str


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"


def suggest_placement(session: Session, theme: Theme) -> Suggestion:
    """Suggest a column for a theme from its novelty, polarity, trend, linked ratings and the
    evidence streams it is heard in."""
    statements = statements_of(session, theme)
    split = polarity_split(statements)
    rated = [s.rating_is_low for s in statements if s.rating_is_low is not None]
    low_share = sum(rated) / len(rated) if rated else 0.0
    streams = tuple(sorted({s.stream for s in statements}))
    return suggest(split, theme.trend, low_share=low_share, rated=len(rated), streams=streams)


def suggest(
    split: PolaritySplit,
    trend: Trend | None,
    *,
    low_share: float = 0.0,
    rated: int = 0,
    streams: tuple[str, ...] = (),
) -> Suggestion:
    """Apply the documented rules to a theme's counts (pure, for tests and reports).

    A theme mostly about what works well is still suggested as Stabilised, but when at least
    CONCERN of its statements say what must change the reason says so ("stop changing my
    worker" inside a theme of praise for workers). A theme heard in two or more evidence
    streams says which: the same subject from children, practitioners and agencies is
    stronger evidence than one stream alone.
    """
    found = _suggest(split, trend, low_share=low_share, rated=rated)
    reason = found.reason
    must = split.must_change_share
    if found.column is BoardColumn.STABILISED and CONCERN <= must < MAJORITY:
        reason += f" But {_pct(must)} say what must change: read those before keeping it as it is."
    if len(streams) >= 2:
        heard = ", ".join(stream_label(s) for s in streams)
        reason += f" Heard in {len(streams)} evidence streams: {heard}."
    return Suggestion(found.column, reason)


def _suggest(
    split: PolaritySplit, trend: Trend | None, *, low_share: float, rated: int
) -> Suggestion:
    must, well = split.must_change_share, split.works_well_share
    if trend is Trend.NEW and must >= MAJORITY:
        return Suggestion(
            BoardColumn.CREATED,
            f"New this run; {_pct(must)} of its statements say what must change.",
        )
    if rated and low_share >= MAJORITY:
        return Suggestion(
            BoardColumn.CHANGED,
            f"{_pct(low_share)} of its {rated} rated statements come from standards "
            "that organisations rated below fully met.",
        )
    if must >= MAJORITY:
        growing = "Growing since the last run and " if trend is Trend.GROWING else ""
        lead = (
            f"{growing}{_pct(must)}" if growing else f"Mostly about what must change: {_pct(must)}"
        )
        return Suggestion(
            BoardColumn.CHANGED,
            f"{lead} of its {split.total} statement{'' if split.total == 1 else 's'} "
            "say what must change.",
        )
    if well >= MAJORITY:
        if trend is Trend.NEW:
            reason = (
                f"New this run; {_pct(well)} of its statements say what works well, "
                "so it may have potential."
            )
        elif trend is None:  # not compared with an earlier run
            reason = f"{_pct(well)} of its statements say what works well."
        else:
            reason = f"Seen in earlier runs and {_pct(well)} of its statements say what works well."
        return Suggestion(BoardColumn.STABILISED, reason)
    views = f"Mixed views: {_pct(must)} say what must change and {_pct(well)} what works well"
    if trend is Trend.GROWING:
        return Suggestion(BoardColumn.CHANGED, f"{views}, and it is growing since the last run.")
    column = BoardColumn.CHANGED if must >= well else BoardColumn.STABILISED
    return Suggestion(column, f"{views}.")


def suggest_for_entry(session: Session, entry: LearningEntry) -> Suggestion | None:
    """Suggest a column for a learning entry from its first linked theme that still exists."""
    for link in entry.themes:
        theme = current_theme(session, link.lineage_key)
        if theme is not None:
            return suggest_placement(session, theme)
    return None


def place_on_board(
    session: Session,
    *,
    lineage_key: str | None = None,
    entry_id: int | None = None,
    column: BoardColumn | str,
    decided_by: User,
    why: str = "",
    priority: int | None = None,
) -> BoardItem:
    """Put a theme (by lineage key) or a learning entry on the board, or move it if there."""
    column = _column(column)
    if (lineage_key is None) == (entry_id is None):
        raise InvalidInput("Choose a theme or a learning entry to place on the board")
    existing = session.scalars(
        select(BoardItem).where(
            BoardItem.lineage_key == lineage_key if lineage_key else BoardItem.entry_id == entry_id
        )
    ).first()
    if existing is not None:
        return move_item(
            session, existing.id, column=column, moved_by=decided_by, why=why, priority=priority
        )
    suggestion = _suggestion_for(session, lineage_key, entry_id)
    item = BoardItem(
        lineage_key=lineage_key,
        entry_id=entry_id,
        column=column,
        position=_end_of(session, column),
        suggested_column=suggestion.column if suggestion else None,
        suggested_reason=suggestion.reason if suggestion else "",
        why=why.strip(),
        decided_by_id=decided_by.id,
    )
    session.add(item)
    session.flush()
    _insert_at(session, item, priority)
    session.add(
        BoardMove(
            item_id=item.id,
            to_column=column.value,
            position=item.position,
            why=item.why,
            moved_by_id=decided_by.id,
        )
    )
    session.commit()
    log.info("board placement item_id=%s column=%s", item.id, column.value)
    return item


def _column(value: BoardColumn | str) -> BoardColumn:
    try:
        return BoardColumn(value)
    except ValueError:
        raise InvalidInput("Choose Created, Stabilised or Changed") from None


def _suggestion_for(
    session: Session, lineage_key: str | None, entry_id: int | None
) -> Suggestion | None:
    if lineage_key is not None:
        if session.get(ThemeLineage, lineage_key) is None:
            raise NotFound("There is no theme with that identity.")
        theme = current_theme(session, lineage_key)
        return suggest_placement(session, theme) if theme else None
    entry = session.get(LearningEntry, entry_id)
    if entry is None:
        raise NotFound("There is no learning log entry with that number.")
    return suggest_for_entry(session, entry)


def _end_of(session: Session, column: BoardColumn) -> int:
    top = session.scalar(select(func.max(BoardItem.position)).where(BoardItem.column == column))
    return int(top or 0) + 1


def column_items(session: Session, column: BoardColumn) -> list[BoardItem]:
    """Return a column's items in priority order (1 first)."""
    return list(
        session.scalars(
            select(BoardItem)
            .where(BoardItem.column == column)
            .order_by(BoardItem.position, BoardItem.id)
        )
    )


def board(session: Session) -> dict[BoardColumn, list[BoardItem]]:
    """Return the three columns and their items in priority order (one read)."""
    columns: dict[BoardColumn, list[BoardItem]] = {column: [] for column in BoardColumn}
    for item in session.scalars(select(BoardItem).order_by(BoardItem.position, BoardItem.id)):
        columns[item.column].append(item)
    return columns


def _insert_at(session: Session, item: BoardItem, priority: int | None) -> None:
    """Renumber the item's column 1..n with the item at `priority` (the end when None)."""
    others = [i for i in column_items(session, item.column) if i.id != item.id]
    slot = len(others) if priority is None else max(0, min(priority - 1, len(others)))
    others.insert(slot, item)
    for position, member in enumerate(others, start=1):
        member.position = position


def move_item(
    session: Session,
    item_id: int,
    *,
    column: BoardColumn | str,
    moved_by: User,
    why: str = "",
    priority: int | None = None,
) -> BoardItem:
    """Move an item to a column (and a priority), recording who, when and why."""
    item = _item(session, item_id)
    column = _column(column)
    source = item.column
    item.column = column
    session.flush()
    _insert_at(session, item, priority)
    if source is not column:
        for position, member in enumerate(column_items(session, source), start=1):
            member.position = position
    item.why = why.strip() or item.why
    item.decided_by_id, item.decided_at = moved_by.id, utcnow()
    session.add(
        BoardMove(
            item_id=item.id,
            from_column=source.value,
            to_column=column.value,
            position=item.position,
            why=why.strip(),
            moved_by_id=moved_by.id,
        )
    )
    session.commit()
    return item


def reorder_column(
    session: Session, column: BoardColumn | str, item_ids: Sequence[int], *, moved_by: User
) -> list[BoardItem]:
    """Set a column's priority order to `item_ids` (items not named keep their order after)."""
    column = _column(column)
    items = column_items(session, column)
    known = {i.id: i for i in items}
    if not set(item_ids) <= set(known):
        raise InvalidInput("Only items in this column can be reordered")
    ordered = [known[i] for i in dict.fromkeys(item_ids)]
    ordered += [i for i in items if i.id not in set(item_ids)]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            session.add(
                BoardMove(
                    item_id=item.id,
                    from_column=column.value,
                    to_column=column.value,
                    position=position,
                    why="Priority changed",
                    moved_by_id=moved_by.id,
                )
            )
        item.position = position
    session.commit()
    return ordered


def remove_item(session: Session, item_id: int) -> None:
    """Take an item off the board (its history goes with it)."""
    item = _item(session, item_id)
    column = item.column
    session.delete(item)
    session.flush()
    for position, member in enumerate(column_items(session, column), start=1):
        member.position = position
    session.commit()


def history_of(session: Session, item_id: int) -> list[BoardMove]:
    """Return an item's placements and moves, oldest first."""
    _item(session, item_id)
    return list(
        session.scalars(
            select(BoardMove).where(BoardMove.item_id == item_id).order_by(BoardMove.id)
        )
    )


def _item(session: Session, item_id: int) -> BoardItem:
    item = session.get(BoardItem, item_id)
    if item is None:
        raise NotFound("That item is not on the board.")
    return item


def item_title(session: Session, item: BoardItem) -> str:
    """Return what the board card shows as its title."""
    return item_titles(session, [item])[item.id]


def item_titles(session: Session, items: Sequence[BoardItem]) -> dict[int, str]:
    """Return each card's title: its entry's, else its theme's latest label, else the label
    a learning log entry gave the theme. One read of each kind, not one per card."""
    entry_ids = {item.entry_id for item in items if item.entry_id}
    entries = {}
    if entry_ids:
        query = select(LearningEntry).where(LearningEntry.id.in_(entry_ids))
        entries = {entry.id: entry.title for entry in session.scalars(query)}
    keys = [i.lineage_key for i in items if i.entry_id not in entries and i.lineage_key]
    labels = {key: theme.label for key, theme in current_themes(session, keys).items()}
    if missing := set(keys) - set(labels):
        query = select(EntryTheme).where(EntryTheme.lineage_key.in_(missing))
        for link in session.scalars(query.order_by(EntryTheme.id)):
            labels.setdefault(link.lineage_key, link.label)
    return {
        item.id: entries[item.entry_id]
        if item.entry_id in entries
        else labels.get(item.lineage_key or "", "A theme no longer found")
        for item in items
    }
