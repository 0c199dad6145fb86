"""Disclosure screening at submission: which free-text answers may disclose harm.

Runs synchronously inside the submit transaction (never in the theming queue), so a
response cannot be submitted unscreened. Returns question ids and reason codes, no text.
"""

from __future__ import annotations

from collections.abc import Mapping

from nlp.screening import screen
from surveys.definition import JSONValue, SurveyDefinition


def screen_answers(
    definition: SurveyDefinition, answers: Mapping[str, JSONValue]
) -> list[tuple[str, tuple[str, ...]]]:
    """Return (question id, reason codes) for each screened answer that is flagged."""
    hits = []
    for page in definition.pages:
        for question in page.questions:
            if question.analysis is None or not question.analysis.screen_for_disclosure:
                continue
            value = answers.get(question.id)
            if isinstance(value, str) and value.strip():
                result = screen(value)
                if result.flagged:
                    hits.append((question.id, result.reasons))
    return hits
