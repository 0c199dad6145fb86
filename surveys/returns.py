"""Returns of the Section 11 / 175 cycles: who returned each and how each standard was rated.

Public API:
    StandardRatings, CycleReturns
    cycle_returns(session, start, end, registry) -> Iterable[CycleReturns]

Each organisation's rating of each standard, side by side: `surveys.partnership_view`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import ratings
from surveys.cycles import returns
from surveys.definition import Question, SurveyDefinition
from surveys.models import Cycle, Response
from surveys.responses import answers_of
from surveys.streams import stream_label

RATED_STREAMS = frozenset({"section_11", "section_175"})
NOT_APPLICABLE, NOT_ANSWERED = "N/A", "Not answered"


@dataclass(frozen=True)
class StandardRatings:
    """How the organisations that returned a cycle rated one standard."""

    ref: str
    title: str
    counts: tuple[int, ...]  # in the order of CycleReturns.levels


@dataclass(frozen=True)
class CycleReturns:
    """One Section 11 / 175 cycle: who returned it and how each standard was rated."""

    title: str
    stream: str
    opens_on: date
    closes_on: date
    returned: int
    in_progress: int
    expected: int
    levels: tuple[str, ...]
    standards: tuple[StandardRatings, ...]


def cycle_returns(
    session: Session, start: datetime, end: datetime, registry: Any
) -> Iterable[CycleReturns]:
    """Yield the returns and ratings of each rated cycle open at some point in [start, end)."""
    cycles = session.scalars(
        select(Cycle)
        .where(Cycle.opens_at < end, Cycle.closes_at >= start)
        .order_by(Cycle.opens_at, Cycle.id)
    )
    for cycle in cycles:
        try:
            definition = registry.get(cycle.definition_key, cycle.definition_version)
        except KeyError:
            continue
        if definition.stream.value in RATED_STREAMS:
            yield _cycle_returns(session, cycle, definition)


def _cycle_returns(session: Session, cycle: Cycle, definition: SurveyDefinition) -> CycleReturns:
    rows = returns(session, cycle)
    submitted = [r.response for r in rows if r.status == "submitted" and r.response]
    rated = [
        (page.standard, question)
        for page in definition.pages
        if page.standard and (question := ratings.rating_question(page.questions))
    ]
    labels = [level.label for _, q in rated for level in q.scale.levels]  # type: ignore[union-attr]
    levels = (*dict.fromkeys(labels), NOT_APPLICABLE, NOT_ANSWERED)
    return CycleReturns(
        title=cycle.title,
        stream=stream_label(definition.stream.value),
        opens_on=cycle.opens_at.date(),
        closes_on=cycle.closes_at.date(),
        returned=len(submitted),
        in_progress=sum(r.status in ("in_progress", "awaiting_sign_off") for r in rows),
        expected=len(rows),
        levels=levels,
        standards=tuple(
            StandardRatings(standard.ref, standard.title, _rating_counts(q, submitted, levels))
            for standard, q in rated
        ),
    )


def _rating_counts(
    question: Question, responses: Sequence[Response], levels: Sequence[str]
) -> tuple[int, ...]:
    """Count ratings by level label, not applicable and not answered."""
    counts = dict.fromkeys(levels, 0)
    for response in responses:
        choice = ratings.rating_choice(answers_of(response).get(question.id))
        label = ratings.rating_label(question, choice) if choice else None
        if choice == ratings.NOT_APPLICABLE:
            counts[NOT_APPLICABLE] += 1
        elif label:
            counts[label] += 1
        else:
            counts[NOT_ANSWERED] += 1
    return tuple(counts.values())
