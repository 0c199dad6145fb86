"""Which answers a theming run reads: the selection, and the free-text answers it covers.

Public API:
    Selection, SourceAnswer, Collected
    collect_statements(session, selection, registry) -> list[SourceAnswer]
    collect(session, selection, registry) -> Collected (answers, and how many were withheld)
    responses_with_sector(responses) -> list[(Response, sector)]

Only submitted responses are read, never a stream of `KEPT_WITH_REVIEWS` (agencies' accounts of one
child's case for a rapid review); any answer flagged as a possible disclosure (or every
free-text answer of a response flagged without known flags) is left out before the pipeline
sees it. Logs ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import ratings
from surveys.definition import FREE_TEXT_TYPES, SurveyDefinition
from surveys.loader import DefinitionRegistry
from surveys.models import Organisation, Response, ResponseStatus
from surveys.responses import answers_of
from surveys.safeguarding import flagged_questions, withheld_questions
from surveys.streams import KEPT_WITH_REVIEWS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selection:
    """What to analyse; an empty list means "all"."""

    streams: tuple[str, ...] = ()
    cycle_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    question_ids: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat() if self.date_from else None
        data["date_to"] = self.date_to.isoformat() if self.date_to else None
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Selection:
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            streams=tuple(sorted(data.get("streams") or ())),
            cycle_ids=tuple(data.get("cycle_ids") or ()),
            date_from=day(data.get("date_from")),
            date_to=day(data.get("date_to")),
            question_ids=tuple(data.get("question_ids") or ()),
            sectors=tuple(data.get("sectors") or ()),
        )

    @property
    def streams_key(self) -> str:
        return ",".join(sorted(set(self.streams)))


@dataclass(frozen=True)
class SourceAnswer:
    """One free-text answer that may be themed, and where it came from."""

    response_id: int
    question_id: str
    text: str
    polarity_hint: str | None
    stream: str
    sector: str | None
    organisation_id: int | None
    cycle_id: int
    standard: str | None = None
    rating_is_low: bool | None = None
    submitted_at: datetime | None = None

    @property
    def key(self) -> str:
        """The answer's id across runs: "response:question"."""
        return f"{self.response_id}:{self.question_id}"


@dataclass
class Collected:
    """The answers a selection covers, and how many flagged answers were left out."""

    answers: list[SourceAnswer] = field(default_factory=list)
    withheld: int = 0


def collect_statements(
    session: Session, selection: Selection, registry: DefinitionRegistry
) -> list[SourceAnswer]:
    """Return the free-text answers the selection covers, flagged answers left out."""
    return collect(session, selection, registry).answers


def collect(session: Session, selection: Selection, registry: DefinitionRegistry) -> Collected:
    """Return the answers the selection covers and the count of flagged answers left out."""
    responses = _selected_responses(session, selection)
    flags = flagged_questions(session, [r.id for r in responses])
    collected = Collected()
    for response, sector in responses_with_sector(responses):
        try:
            definition = registry.get(response.definition_key, response.definition_version)
        except KeyError:
            log.warning("no definition for response_id=%s; skipped", response.id)
            continue
        withheld = withheld_questions(response, definition, flags.get(response.id, frozenset()))
        for answer in _answers_of(response, definition, sector, selection):
            if answer.question_id in withheld:
                collected.withheld += 1
            else:
                collected.answers.append(answer)
    return collected


def responses_with_sector(responses: Sequence[Response]) -> list[tuple[Response, str | None]]:
    """Pair each response with its organisation's sector (None for anonymous answers)."""
    return [(r, str(r.organisation.sector) if r.organisation else None) for r in responses]


def _selected_responses(session: Session, selection: Selection) -> list[Response]:
    query = select(Response).where(Response.status == ResponseStatus.SUBMITTED)
    if selection.cycle_ids:
        query = query.where(Response.cycle_id.in_(selection.cycle_ids))
    if selection.date_from:
        start = datetime.combine(selection.date_from, time.min).replace(tzinfo=UTC)
        query = query.where(Response.submitted_at >= start)
    if selection.date_to:
        end = datetime.combine(selection.date_to + timedelta(days=1), time.min)
        query = query.where(Response.submitted_at < end.replace(tzinfo=UTC))
    if selection.sectors:
        query = query.join(Organisation, Response.organisation_id == Organisation.id).where(
            Organisation.sector.in_(selection.sectors)
        )
    return list(session.scalars(query.order_by(Response.id)))


def _answers_of(
    response: Response, definition: SurveyDefinition, sector: str | None, selection: Selection
) -> list[SourceAnswer]:
    answers = answers_of(response)
    found = []
    for page in definition.pages:
        for question in page.questions:
            analysis = question.analysis
            if question.type not in FREE_TEXT_TYPES or analysis is None:
                continue
            stream = (analysis.stream or definition.stream).value
            if stream in KEPT_WITH_REVIEWS:
                continue
            text = answers.get(question.id)
            if not isinstance(text, str) or not text.strip():
                continue
            if selection.streams and stream not in selection.streams:
                continue
            if selection.question_ids and question.id not in selection.question_ids:
                continue
            found.append(
                SourceAnswer(
                    response_id=response.id,
                    question_id=question.id,
                    text=text,
                    polarity_hint=analysis.polarity.value,
                    stream=stream,
                    sector=sector,
                    organisation_id=response.organisation_id,
                    cycle_id=response.cycle_id,
                    standard=analysis.standard,
                    rating_is_low=_rating_is_low(definition, answers, analysis.standard),
                    submitted_at=response.submitted_at,
                )
            )
    return found


def _rating_is_low(
    definition: SurveyDefinition, answers: dict[str, Any], standard: str | None
) -> bool | None:
    """Say whether the response rated this standard below its scale's best level."""
    if standard is None:
        return None
    for page in definition.pages:
        if page.standard is None or page.standard.ref != standard:
            continue
        question = ratings.rating_question(page.questions)
        if question is not None:
            return ratings.is_low_rating(question, answers.get(question.id))
    return None
