"""The partnership's view of Section 11 / 175 ratings: organisations by standards for a cycle,
and one standard across the partnership.

Each cell sets an organisation's self-rating beside the moderated rating a reviewer recorded
(if any) and the change since its return in the previous cycle of the same form (its last
submitted return of that form in a cycle that opened earlier, as carry forward finds it):
the self-rating compared with the self-rating then. Summaries count the organisations shown
under the small-number rule of `surveys.small_groups`.

Reads a fixed number of times however many organisations a cycle has (test_page_queries).

Public API:
    Filters; Change; Cell; GridRow; StandardSummary; RatingsGrid
    rated_standards(definition) -> [(ref, title, rating question)]
    ratings_grid(session, cycle, definition, registry, *, filters) -> RatingsGrid
    StandardRow; StandardView; standard_view(session, cycle, definition, registry, ref, *,
        filters) -> StandardView (KeyError: no such rated standard)
    rating_words(question, answer) -> str; moderated_ratings(session, response_ids)
    (one organisation across cycles: surveys.rating_history)
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import carry_forward, ratings
from surveys.cycles import ReturnRow, returns
from surveys.definition import Question, SurveyDefinition
from surveys.models import (
    Cycle,
    OrganisationKind,
    Response,
    Sector,
    StandardReview,
)
from surveys.responses import answers_of
from surveys.small_groups import SUPPRESSED, Shown, is_small_group, shown

NOT_APPLICABLE, NOT_ANSWERED = "N/A", "Not answered"
Rated = tuple[str, str, Question]  # a standard's ref, title and rating question


class Change(enum.StrEnum):
    """How a self-rating differs from the organisation's in the previous cycle."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"  # no rating last cycle (no return, or the standard was not rated)
    CHANGED = "changed"  # to or from "not applicable"

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self]


CHANGE_LABELS = {
    Change.UP: "Up",
    Change.DOWN: "Down",
    Change.SAME: "Same",
    Change.NEW: "New",
    Change.CHANGED: "Changed to or from N/A",
}


@dataclass(frozen=True)
class Filters:
    """Which organisations to show: one sector, one kind, or every one ("")."""

    sector: str = ""
    kind: str = ""

    @classmethod
    def read(cls, sector: str | None, kind: str | None) -> Filters:
        """Keep only values that are a sector or kind; anything else means every one."""
        return cls(
            sector if sector in {s.value for s in Sector} else "",
            kind if kind in {k.value for k in OrganisationKind} else "",
        )

    def as_args(self) -> dict[str, str]:
        return {
            name: value for name, value in (("sector", self.sector), ("kind", self.kind)) if value
        }


@dataclass(frozen=True)
class Cell:
    self_rating: str  # a level's words, N/A or Not answered; "" with no submitted return
    moderated: str | None  # the reviewer's moderated rating, if one was recorded
    change: Change | None  # None with no submitted return or no rating now
    previous: str | None  # the self-rating last cycle, if there was one


@dataclass(frozen=True)
class GridRow:
    organisation_id: int
    organisation: str
    sector: str
    kind: str
    status: str  # the return's status label ("Not started", "Submitted", ...)
    is_submitted: bool
    cells: tuple[Cell, ...]  # per standard


@dataclass(frozen=True)
class StandardSummary:
    """How the organisations shown rated one standard, counted under the small-number rule."""

    ref: str
    title: str
    self_counts: tuple[Shown, ...]  # in the order of RatingsGrid.columns
    moderated_counts: tuple[Shown, ...]  # the same columns
    changes: tuple[Shown, ...]  # in the order of Change


@dataclass(frozen=True)
class RatingsGrid:
    """A cycle's organisations (rows) by its standards (columns), from submitted returns."""

    standards: tuple[tuple[str, str], ...]  # (ref, title)
    levels: tuple[str, ...]  # the scale's labels, best first as the form lists them
    rows: tuple[GridRow, ...]
    returned: int  # submitted returns among the rows shown
    summaries: tuple[StandardSummary, ...]  # empty when suppressed
    suppressed: str  # why the summaries are not shown, or ""
    has_previous: bool  # some organisation shown has a return in an earlier cycle

    @property
    def columns(self) -> tuple[str, ...]:
        """The summary's columns: each level, then N/A, then Not answered."""
        return (*self.levels, NOT_APPLICABLE, NOT_ANSWERED)


def rated_standards(definition: SurveyDefinition) -> list[Rated]:
    """Return each standard with a rating question, in the form's order."""
    return [
        (page.standard.ref, page.standard.title, question)
        for page in definition.pages
        if page.standard and (question := ratings.rating_question(page.questions))
    ]


def rating_words(question: Question, answer: Any) -> str:
    choice = ratings.rating_choice(answer)
    if choice == ratings.NOT_APPLICABLE:
        return NOT_APPLICABLE
    return (ratings.rating_label(question, choice) if choice else None) or NOT_ANSWERED


def _change(question: Question, answer: Any, before: tuple[Question, Any] | None) -> Change | None:
    now = ratings.rating_choice(answer)
    if now is None:
        return None
    then = ratings.rating_choice(before[1]) if before else None
    if before is None or then is None:
        return Change.NEW
    if ratings.NOT_APPLICABLE in (now, then):
        return Change.SAME if now == then else Change.CHANGED
    was, is_now = ratings.rating_level(before[0], before[1]), ratings.rating_level(question, answer)
    if was is None or is_now is None:
        return Change.NEW
    return Change.UP if is_now < was else Change.DOWN if is_now > was else Change.SAME


def moderated_ratings(session: Session, response_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Return each return's moderated ratings by standard ref (one read)."""
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    if response_ids:
        rows = session.execute(
            select(
                StandardReview.response_id,
                StandardReview.standard_ref,
                StandardReview.moderated_rating,
            ).where(
                StandardReview.response_id.in_(response_ids),
                StandardReview.moderated_rating.is_not(None),
            )
        )
        for response_id, ref, rating in rows:
            found[response_id][ref] = rating
    return found


def _before(registry: Any, previous: Response | None) -> dict[str, tuple[Question, Any]]:
    """Return last cycle's rating of each standard (by ref) with the question it answered."""
    if previous is None:
        return {}
    try:
        definition = registry.get(previous.definition_key, previous.definition_version)
    except KeyError:
        return {}
    answers = answers_of(previous)
    return {
        ref: (question, answers.get(question.id))
        for ref, _, question in rated_standards(definition)
    }


def _shows(row: ReturnRow, filters: Filters) -> bool:
    organisation = row.organisation
    return (not filters.sector or organisation.sector.value == filters.sector) and (
        not filters.kind or organisation.kind.value == filters.kind
    )


def ratings_grid(
    session: Session,
    cycle: Cycle,
    definition: SurveyDefinition,
    registry: Any,
    *,
    filters: Filters = Filters(),  # noqa: B008 (frozen)
) -> RatingsGrid:
    """Return how each organisation shown rated each standard, moderated and compared."""
    rated = rated_standards(definition)
    rows = [row for row in returns(session, cycle) if _shows(row, filters)]
    submitted = {
        row.organisation.id: row.response
        for row in rows
        if row.response is not None and row.status == "submitted"
    }
    moderated = moderated_ratings(session, [response.id for response in submitted.values()])
    previous = carry_forward.previous_returns(session, cycle, list(submitted))
    grid_rows = []
    for row in rows:
        response = submitted.get(row.organisation.id)
        cells: tuple[Cell, ...] = ()
        if response is not None:
            answers = answers_of(response)
            before = _before(registry, previous.get(row.organisation.id))
            cells = tuple(
                _cell(
                    question,
                    answers.get(question.id),
                    moderated[response.id].get(ref),
                    before.get(ref),
                )
                for ref, _, question in rated
            )
        else:
            cells = tuple(Cell("", None, None, None) for _ in rated)
        grid_rows.append(
            GridRow(
                row.organisation.id,
                row.organisation.name,
                row.organisation.sector.label,
                row.organisation.kind.label,
                row.status_label,
                response is not None,
                cells,
            )
        )
    labels = [level.label for _, _, q in rated for level in q.scale.levels]  # type: ignore[union-attr]
    levels = tuple(dict.fromkeys(labels))
    counted = [r for r in grid_rows if r.is_submitted]
    schools = {r.organisation.id for r in rows if r.organisation.kind is OrganisationKind.SCHOOL}
    has_school = any(r.organisation_id in schools for r in counted)
    small = is_small_group(len(counted), has_school=has_school)
    columns = (*levels, NOT_APPLICABLE, NOT_ANSWERED)
    return RatingsGrid(
        standards=tuple((ref, title) for ref, title, _ in rated),
        levels=levels,
        rows=tuple(grid_rows),
        returned=len(counted),
        summaries=()
        if small
        else tuple(
            _summary(ref, title, [r.cells[index] for r in counted], columns, has_school)
            for index, (ref, title, _) in enumerate(rated)
        ),
        suppressed=SUPPRESSED if small else "",
        has_previous=bool(previous),
    )


def _cell(
    question: Question, answer: Any, moderated: Any, before: tuple[Question, Any] | None
) -> Cell:
    return Cell(
        rating_words(question, answer),
        rating_words(question, moderated) if moderated is not None else None,
        _change(question, answer, before),
        rating_words(before[0], before[1]) if before and ratings.rating_choice(before[1]) else None,
    )


def _summary(
    ref: str, title: str, cells: Sequence[Cell], columns: Sequence[str], has_school: bool
) -> StandardSummary:
    def counted(values: Sequence[str | None]) -> tuple[Shown, ...]:
        return tuple(shown(sum(v == c for v in values), has_school=has_school) for c in columns)

    return StandardSummary(
        ref,
        title,
        counted([cell.self_rating for cell in cells]),
        counted([cell.moderated for cell in cells]),
        tuple(
            shown(sum(cell.change is c for cell in cells), has_school=has_school) for c in Change
        ),
    )


@dataclass(frozen=True)
class StandardRow:
    organisation_id: int
    organisation: str
    sector: str
    kind: str
    cell: Cell


@dataclass(frozen=True)
class StandardView:
    """One standard across the partnership: its summary and each organisation's ratings."""

    ref: str
    title: str
    columns: tuple[str, ...]
    summary: StandardSummary | None  # None when suppressed
    suppressed: str
    returned: int
    rows: tuple[StandardRow, ...]  # organisations with a submitted return, by name


def standard_view(
    session: Session,
    cycle: Cycle,
    definition: SurveyDefinition,
    registry: Any,
    ref: str,
    *,
    filters: Filters = Filters(),  # noqa: B008 (frozen)
) -> StandardView:
    """Return one standard across the organisations shown; KeyError if it is not rated."""
    grid = ratings_grid(session, cycle, definition, registry, filters=filters)
    index = [r for r, _ in grid.standards].index(ref) if ref in dict(grid.standards) else None
    if index is None:
        raise KeyError(ref)
    return StandardView(
        ref=ref,
        title=grid.standards[index][1],
        columns=grid.columns,
        summary=grid.summaries[index] if grid.summaries else None,
        suppressed=grid.suppressed,
        returned=grid.returned,
        rows=tuple(
            StandardRow(r.organisation_id, r.organisation, r.sector, r.kind, r.cells[index])
            for r in grid.rows
            if r.is_submitted
        ),
    )
