"""The demo's responses: who answered each built-in form, when, and which are drafts.

Public API:
    DemoResponse, DEFAULT_COUNTS, demo_responses(registry, *, n_per_form=None, seed=7,
        today=None) -> list[DemoResponse]: the demo's responses to every built-in form.
    AGE_GROUPS, ages_for(sentence), fit_case_to_age(answers, rng): an audited case's age
        fits what is written about the child.

The answers themselves come from demo.answers (generate_answers, random_persona).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from demo.answers import Persona, generate_answers, random_persona, text_values
from demo.people import ORGANISATIONS
from demo.text import load_extras
from surveys.definition import (
    Audience,
    JSONValue,
    Stream,
    SurveyDefinition,
)
from surveys.loader import DefinitionRegistry
from surveys.models import OrganisationKind, Sector

DEFAULT_COUNTS: dict[str, int] = {
    "training-evaluation": 220,
    "training-follow-up": 60,
    "practitioner-consultation": 70,
    "child-voice-under-11": 40,
    "child-voice-11-plus": 40,
    "family-voice": 40,
    "case-audit": 16,
    "rapid-review-information": 0,  # asked by each case review: see demo.reviews
    "case-audit-tool": 0,  # asked by each audit case: see demo.audits
    "practice-concern": 0,  # raised from the concern link: see demo.audits
    "case-audit-finding": 0,  # each audit finding's words: see demo.audits
    "national-review-finding": 0,  # asked by each national review: see demo.national_reviews
}
_FALLBACK_COUNT = 10  # a built-in form added later still gets some demo answers
# Which response of a form carries the fictional possible disclosure (four in all).
_DISCLOSURE_AT = {
    "child-voice-under-11": 11,
    "child-voice-11-plus": 23,
    "family-voice": 17,
    "practitioner-consultation": 41,
}
# Positions among the agencies with a Section 11 draft in progress: the police's is the one
# the README sends the demo's organisation lead and contributor to finish.
_DRAFT_AGENCIES = (0, 3)
_UNSTARTED_AGENCIES = (5, 7)  # positions among the agencies: no Section 11 started yet
_DRAFT_SCHOOLS = (2,)


@dataclass(frozen=True)
class DemoResponse:
    """One demo response; for drafts, `submitted_days_ago` is when it was last saved."""

    definition_key: str
    version: int
    organisation_name: str | None
    answers: dict[str, JSONValue]
    submitted_days_ago: int
    is_submitted: bool
    expects_disclosure: bool = False
    has_personal_data: bool = False


def demo_responses(
    registry: DefinitionRegistry,
    *,
    n_per_form: Mapping[str, int] | None = None,
    seed: int = 7,
    today: date | None = None,
) -> list[DemoResponse]:
    """Return demo responses to the latest version of every form in the registry.

    Section 11 gets one return per agency (two not started, two in progress), Section 175
    one per school (one in progress); `n_per_form` overrides counts (for the organisation
    forms: how many organisations to consider).
    """
    counts = {**DEFAULT_COUNTS, **(n_per_form or {})}
    responses: list[DemoResponse] = []
    for key in sorted(registry.keys()):
        definition = registry.latest(key)
        rng = random.Random(f"{seed}:{key}")  # one form's count never shifts another's answers
        if key in ("section-11", "section-175"):
            responses.extend(_organisation_returns(definition, rng, counts.get(key), today))
        else:
            count = counts.get(key, _FALLBACK_COUNT)
            responses.extend(_anonymous_responses(definition, rng, count, today))
    return responses


def _anonymous_responses(
    definition: SurveyDefinition, rng: random.Random, count: int, today: date | None
) -> list[DemoResponse]:
    days = _answer_days(definition, rng, count)
    disclosure_at = _DISCLOSURE_AT.get(definition.key)
    if disclosure_at is not None and count:
        disclosure_at = min(disclosure_at, count - 1)
    agencies = [name for name, _, kind in ORGANISATIONS if kind is OrganisationKind.AGENCY]
    responses = []
    for index in range(count):
        persona = random_persona(definition, rng)
        is_disclosure = index == disclosure_at
        if is_disclosure:  # someone disclosing rarely feels things are going well
            persona = replace(persona, mood=min(persona.mood, 0.2), include_disclosure=True)
        persona = replace(persona, answered_days_ago=days[index])
        answers = generate_answers(definition, rng=rng, persona=persona, today=today)
        if definition.stream is Stream.CASE_AUDIT:
            answers = fit_case_to_age(answers, rng)
        organisation = (
            rng.choice(agencies) if definition.audience is Audience.ORGANISATION else None
        )
        responses.append(_response(definition, organisation, answers, persona, is_submitted=True))
    return responses


AGE_GROUPS = ("under_1", "1_to_4", "5_to_10", "11_to_15", "16_plus")
# Words in a case audit sentence that say how old the child is, and the ages they fit.
AGE_CUES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("baby", "birth", "midwi", "health visitor"), frozenset({"under_1", "1_to_4"})),
    (("nursery",), frozenset({"1_to_4"})),
    (
        ("young person", "exploitation", "missing episode", "return home"),
        frozenset({"11_to_15", "16_plus"}),
    ),
    (("school", "encompass", "dsl"), frozenset({"5_to_10", "11_to_15", "16_plus"})),
)
CASE_TEXTS = ("strengths", "areas_for_improvement")  # about this child; lessons are general
NEUTRAL_SENTENCE = "Agencies shared what they knew when asked."


def ages_for(sentence: str) -> frozenset[str]:
    """Return the age groups a case audit sentence can be about."""
    allowed = frozenset(AGE_GROUPS)
    lowered = sentence.lower()
    for words, ages in AGE_CUES:
        if any(word in lowered for word in words):
            allowed &= ages
    return allowed


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text) if part.strip()]


def fit_case_to_age(answers: dict[str, JSONValue], rng: random.Random) -> dict[str, JSONValue]:
    """Give an audited case one age that every sentence written about the child fits."""
    sentences = [
        sentence
        for key in CASE_TEXTS
        if isinstance(answers.get(key), str)
        for sentence in _sentences(str(answers[key]))
    ]
    fits = {age: sum(age in ages_for(s) for s in sentences) for age in AGE_GROUPS}
    best = max(fits.values(), default=0)
    current = str(answers.get("age_group") or "")
    if fits.get(current) != best:
        current = rng.choice([age for age in AGE_GROUPS if fits[age] == best])
    fitted: dict[str, JSONValue] = {**answers, "age_group": current}
    for key in CASE_TEXTS:
        if isinstance(answers.get(key), str):
            kept = [s for s in _sentences(str(answers[key])) if current in ages_for(s)]
            fitted[key] = " ".join(kept) or NEUTRAL_SENTENCE
    return fitted


def _answer_days(definition: SurveyDefinition, rng: random.Random, count: int) -> list[int]:
    """Return how many days ago each response came, clustered as real streams are."""
    stream = definition.stream
    if stream is Stream.TRAINING:  # feedback arrives in batches, one per course session
        sessions = rng.sample(range(2, 360), 18)
        return [rng.choice(sessions) + (rng.random() < 0.2) for _ in range(count)]
    if stream is Stream.CASE_AUDIT:  # a few audit days a year
        return [rng.choice((38, 38, 151, 151, 262)) for _ in range(count)]
    if stream is Stream.CONSULTATION:  # a six-week consultation window
        return [rng.randint(60, 102) for _ in range(count)]
    if stream is Stream.TRAINING_FOLLOW_UP:
        return [rng.randint(20, 320) for _ in range(count)]
    return [rng.randint(0, 330) for _ in range(count)]


def _organisation_returns(
    definition: SurveyDefinition, rng: random.Random, limit: int | None, today: date | None
) -> list[DemoResponse]:
    kind = OrganisationKind.SCHOOL if definition.key == "section-175" else OrganisationKind.AGENCY
    members = [(name, sector) for name, sector, k in ORGANISATIONS if k is kind][:limit]
    drafts = _DRAFT_SCHOOLS if kind is OrganisationKind.SCHOOL else _DRAFT_AGENCIES
    unstarted = () if kind is OrganisationKind.SCHOOL else _UNSTARTED_AGENCIES
    responses = []
    for position, (name, sector) in enumerate(members):
        if position in unstarted:
            continue
        is_draft = position in drafts
        persona = Persona(
            mood=rng.betavariate(4, 2.5),
            sector=sector.value,
            is_small_organisation=sector is Sector.VOLUNTARY,
            answered_days_ago=rng.randint(1, 12) if is_draft else rng.randint(6, 70),
            include_personal_data=rng.random() < 0.1,
        )
        answers = generate_answers(definition, rng=rng, persona=persona, today=today)
        if is_draft:
            answers = _first_pages(definition, answers, rng.randint(3, len(definition.pages) - 2))
        responses.append(_response(definition, name, answers, persona, is_submitted=not is_draft))
    return responses


def _first_pages(
    definition: SurveyDefinition, answers: dict[str, JSONValue], pages: int
) -> dict[str, JSONValue]:
    """Return only the answers on the first pages: a draft saved part of the way through."""
    kept = {question.id for page in definition.pages[:pages] for question in page.questions}
    return {key: value for key, value in answers.items() if key in kept}


def _response(
    definition: SurveyDefinition,
    organisation: str | None,
    answers: dict[str, JSONValue],
    persona: Persona,
    *,
    is_submitted: bool,
) -> DemoResponse:
    texts = text_values(answers)
    return DemoResponse(
        definition_key=definition.key,
        version=definition.version,
        organisation_name=organisation,
        answers=answers,
        submitted_days_ago=persona.answered_days_ago,
        is_submitted=is_submitted,
        expects_disclosure=_mentions(texts, "_disclosures"),
        has_personal_data=_mentions(texts, "_personal_data"),
    )


def _mentions(texts: list[str], extras: str) -> bool:
    lines = {str(line) for group in load_extras(extras).values() for line in group}
    return any(line in text for text in texts for line in lines)
