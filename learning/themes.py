"""Reading a finished run's themes: their shareable statements, quotes and polarity split.

Public API:
    PolaritySplit, polarity_of(statement), polarity_split(statements)
    polarity_splits(session, themes) -> dict[int, PolaritySplit]: many themes' splits at once
    is_shareable() -> SQL condition
    get_theme(session, theme_id) -> Theme
    statements_of(session, theme) / quotes_of(session, theme) -> list[ThemeStatement]
    summary_of(session, theme) -> str: the one-sentence summary, "" while its statement may
        not be shared
    tone_quotes_of(session, theme) -> dict[str, list[ThemeStatement]]: quotes of what works
        well and of what must change (a theme is a subject; tone sits beside it)
    statements_by_theme(session, themes) / quotes_by_theme(session, themes): many at once
    breakdown(statements, field) -> dict[str, int]
    require_finished(session, run_id) -> ThemingRun

Editing themes is learning.theme_edits (rename, merge, move, discard, undo) and
learning.theme_split (split one theme by re-clustering it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from learning.errors import NotFound, RunNotReady
from learning.models import RunStatus, Theme, ThemeStatement, ThemingRun
from surveys.safeguarding import shareable

MUST_CHANGE_BELOW = -0.05  # nlp.polarity's neutral band
WORKS_WELL_ABOVE = 0.05


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
    return _polarity(statement.polarity, statement.polarity_hint)


def _polarity(polarity: float | None, hint: str | None) -> str:
    if polarity is not None:
        if polarity <= MUST_CHANGE_BELOW:
            return "must_change"
        return "works_well" if polarity >= WORKS_WELL_ABOVE else "neutral"
    return {"areas_for_development": "must_change", "strengths": "works_well"}.get(
        hint or "", "neutral"
    )


def polarity_split(statements: Iterable[ThemeStatement]) -> PolaritySplit:
    """Count statements that work well, must change, or neither."""
    counts = {"works_well": 0, "must_change": 0, "neutral": 0}
    for statement in statements:
        counts[polarity_of(statement)] += 1
    return PolaritySplit(**counts)


def polarity_splits(session: Session, themes: Sequence[Theme]) -> dict[int, PolaritySplit]:
    """Return each theme's polarity split, as `polarity_split(statements_of(...))` would.

    One read for the themes and one for the sub-themes, not one per theme: a run's theme
    list shows every theme's split.
    """
    counts = {theme.id: {"works_well": 0, "must_change": 0, "neutral": 0} for theme in themes}
    for column, ids in (
        (ThemeStatement.theme_id, [t.id for t in themes if not t.parent_id]),
        (ThemeStatement.sub_theme_id, [t.id for t in themes if t.parent_id]),
    ):
        if not ids:
            continue
        rows = session.execute(
            select(column, ThemeStatement.polarity, ThemeStatement.polarity_hint).where(
                column.in_(ids), is_shareable()
            )
        )
        for theme_id, polarity, hint in rows:
            counts[theme_id][_polarity(polarity, hint)] += 1
    return {theme_id: PolaritySplit(**split) for theme_id, split in counts.items()}


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


def statements_by_theme(
    session: Session, themes: Sequence[Theme]
) -> dict[int, list[ThemeStatement]]:
    """Return each theme's shareable statements, as `statements_of` would, in one read for the
    themes and one for the sub-themes (a report shows every theme's)."""
    found: dict[int, list[ThemeStatement]] = {theme.id: [] for theme in themes}
    for column, ids in (
        (ThemeStatement.theme_id, [t.id for t in themes if not t.parent_id]),
        (ThemeStatement.sub_theme_id, [t.id for t in themes if t.parent_id]),
    ):
        if not ids:
            continue
        query = select(ThemeStatement).where(column.in_(ids), is_shareable())
        for statement in session.scalars(query.order_by(ThemeStatement.id)):
            found[getattr(statement, column.key)].append(statement)
    return found


def quotes_by_theme(session: Session, themes: Sequence[Theme]) -> dict[int, list[ThemeStatement]]:
    """Return each theme's quotes, as `quotes_of` would, in one read."""
    wanted = {quote_id for theme in themes for quote_id in theme.quote_ids or ()}
    by_id = {}
    if wanted:
        query = select(ThemeStatement).where(ThemeStatement.id.in_(wanted), is_shareable())
        by_id = {statement.id: statement for statement in session.scalars(query)}
    return {theme.id: [by_id[i] for i in theme.quote_ids or () if i in by_id] for theme in themes}


def quotes_of(session: Session, theme: Theme) -> list[ThemeStatement]:
    """Return the theme's quotes (redacted statements), flagged answers never included."""
    if not theme.quote_ids:
        return []
    found = session.scalars(
        select(ThemeStatement).where(ThemeStatement.id.in_(theme.quote_ids), is_shareable())
    )
    by_id = {s.id: s for s in found}
    return [by_id[i] for i in theme.quote_ids if i in by_id]


def summary_of(session: Session, theme: Theme) -> str:
    """Return the theme's suggested summary sentence if its statement may be shared."""
    if not theme.summary or theme.summary_statement_id is None:
        return ""
    found = session.scalar(
        select(ThemeStatement.id).where(
            ThemeStatement.id == theme.summary_statement_id, is_shareable()
        )
    )
    return theme.summary if found is not None else ""


def tone_quotes_of(session: Session, theme: Theme) -> dict[str, list[ThemeStatement]]:
    """Return the theme's quotes for each tone ("works_well", "must_change"), shareable only."""
    wanted = {tone: list(ids) for tone, ids in (theme.tone_quote_ids or {}).items()}
    every = {i for ids in wanted.values() for i in ids}
    by_id = {}
    if every:
        query = select(ThemeStatement).where(ThemeStatement.id.in_(every), is_shareable())
        by_id = {s.id: s for s in session.scalars(query)}
    return {
        tone: [by_id[i] for i in wanted.get(tone, []) if i in by_id]
        for tone in ("works_well", "must_change")
    }


def breakdown(statements: Sequence[ThemeStatement], field: str) -> dict[str, int]:
    """Count statements by "stream" or "sector" (anonymous answers have no sector)."""
    counts: dict[str, int] = {}
    for statement in statements:
        key = getattr(statement, field) or "anonymous"
        counts[key] = counts.get(key, 0) + 1
    return counts


def require_finished(session: Session, run_id: int) -> ThemingRun:
    """Return the run if it has finished, else raise RunNotReady."""
    run = session.get(ThemingRun, run_id)
    if run is None or run.status is not RunStatus.FINISHED:
        raise RunNotReady("This theming run has not finished yet.")
    return run
