"""Disclosure screening at submission: which free-text answers may disclose harm.

Runs synchronously inside the submit transaction (never in the theming queue), so a
response cannot be submitted unscreened. Returns question ids and reason codes, no text.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.screening import screen
from surveys.definition import JSONValue, SurveyDefinition
from surveys.loader import DefinitionRegistry
from surveys.models import DisclosureFlag, Response, utcnow
from surveys.responses import DISCLOSURE_REVIEW_TIME, answers_of


def screen_answers(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> list[tuple[str, tuple[str, ...]]]:
    """Return (question id, reason codes) for each screened answer that is flagged."""
    hits = []
    for question_id, text in screened_texts(definition, answers):
        result = screen(text)
        if result.flagged:
            hits.append((question_id, result.reasons))
    return hits


def screened_texts(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> list[tuple[str, str]]:
    """Return (question id, text) of each non-empty answer its question says to screen."""
    return [
        (q.id, value)
        for page in definition.pages
        for q in page.questions
        if q.analysis is not None
        and q.analysis.screen_for_disclosure
        and isinstance(value := answers.get(q.id), str)
        and value.strip()
    ]


def second_screen(session: Session, response_id: int, registry: DefinitionRegistry) -> int:
    """Run the semantic screen (MiniLM, in the worker) over a submitted response.

    Catches indirect and euphemistic disclosures the rules miss. New hits join the same
    restricted queue; returns how many answers were newly flagged. Reads in one short
    transaction, screens with none open (the model may take seconds to load), then writes
    the flags in another short one.
    """
    from nlp.disclosure_model import screen_semantic

    pending = _unscreened_texts(session, response_id, registry)
    session.commit()  # hold no transaction (nor SQLite's write lock) while the model works
    if not pending:
        return 0
    results = screen_semantic([text for _, text in pending])
    hits = [
        (question_id, result.reasons)
        for (question_id, _), result in zip(pending, results, strict=True)
        if result.flagged
    ]
    return _add_flags(session, response_id, hits) if hits else 0


def _unscreened_texts(
    session: Session, response_id: int, registry: DefinitionRegistry
) -> list[tuple[str, str]]:
    """Return (question id, text) of the response's screened answers not yet flagged."""
    response = session.get(Response, response_id)
    if response is None or not response.is_submitted:
        return []
    definition = registry.get(response.definition_key, response.definition_version)
    texts = screened_texts(definition, answers_of(response))
    already = _flagged_question_ids(session, response_id)
    return [(qid, text) for qid, text in texts if qid not in already]


def _flagged_question_ids(session: Session, response_id: int) -> set[str]:
    return set(
        session.scalars(
            select(DisclosureFlag.question_id).where(DisclosureFlag.response_id == response_id)
        )
    )


def _add_flags(session: Session, response_id: int, hits: list[tuple[str, tuple[str, ...]]]) -> int:
    """Flag these answers in one transaction (skipping any flagged meanwhile); return how many."""
    response = session.get(Response, response_id)
    if response is None:
        session.commit()
        return 0
    already = _flagged_question_ids(session, response_id)
    now = utcnow()
    added = 0
    for question_id, reasons in hits:
        if question_id in already:
            continue
        session.add(
            DisclosureFlag(
                response_id=response_id,
                question_id=question_id,
                reasons=",".join(reasons),
                flagged_at=now,
                review_due_at=now + DISCLOSURE_REVIEW_TIME,
            )
        )
        response.is_flagged = True
        added += 1
    session.commit()
    return added
