"""One organisation's Section 11 / 175 ratings across cycles: each standard's self-rating and
moderated rating in every return it submitted, form by form, oldest cycle first.

Public API:
    HistoryCell; FormHistory; organisation_history(session, organisation_id, registry)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.definition import SurveyDefinition
from surveys.models import Cycle, Response, ResponseStatus
from surveys.partnership_view import moderated_ratings, rated_standards, rating_words
from surveys.responses import answers_of
from surveys.streams import stream_label


@dataclass(frozen=True)
class HistoryCell:
    self_rating: str
    moderated: str | None


@dataclass(frozen=True)
class FormHistory:
    """An organisation's returns to one form: each standard's ratings, cycle by cycle."""

    form: str
    cycles: tuple[tuple[int, str], ...]  # (cycle id, title), oldest first
    rows: tuple[tuple[str, str, tuple[HistoryCell | None, ...]], ...]  # ref, title, per cycle


def organisation_history(
    session: Session, organisation_id: int, registry: Any
) -> list[FormHistory]:
    """Return an organisation's submitted Section 11 / 175 returns, form by form, oldest first."""
    returned = list(
        session.scalars(
            select(Response)
            .join(Cycle, Cycle.id == Response.cycle_id)
            .where(
                Response.organisation_id == organisation_id,
                Response.status == ResponseStatus.SUBMITTED,
            )
            .order_by(Cycle.opens_at, Cycle.id)
        )
    )
    moderated = moderated_ratings(session, [response.id for response in returned])
    by_form: dict[str, list[tuple[Response, SurveyDefinition]]] = defaultdict(list)
    for response in returned:
        try:
            definition = registry.get(response.definition_key, response.definition_version)
        except KeyError:
            continue
        if rated_standards(definition):
            by_form[response.definition_key].append((response, definition))
    return [_form_history(found, moderated) for found in by_form.values()]


def _form_history(
    found: Sequence[tuple[Response, SurveyDefinition]], moderated: dict[int, dict[str, Any]]
) -> FormHistory:
    latest = found[-1][1]
    titles = {ref: title for _, d in found for ref, title, _ in rated_standards(d)}
    refs = [ref for ref, _, _ in rated_standards(latest)]
    refs += [ref for ref in titles if ref not in refs]
    per_cycle = []
    for response, definition in found:
        answers = answers_of(response)
        cells = {
            ref: HistoryCell(
                rating_words(question, answers.get(question.id)),
                rating_words(question, moderated[response.id][ref])
                if ref in moderated[response.id]
                else None,
            )
            for ref, _, question in rated_standards(definition)
        }
        per_cycle.append(cells)
    return FormHistory(
        form=stream_label(latest.stream.value),
        cycles=tuple((response.cycle_id, response.cycle.title) for response, _ in found),
        rows=tuple(
            (ref, titles[ref], tuple(cells.get(ref) for cells in per_cycle)) for ref in refs
        ),
    )
