"""Demo answers are valid through the form engine, deterministic, varied and safe to show."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from demo.answers import Persona, formdata_for, generate_answers, text_values
from demo.people import ORGANISATIONS
from demo.responses import DEFAULT_COUNTS, DemoResponse, demo_responses
from demo.text import BANK_DIR, bank_names, load_bank, load_extras
from surveys import engine
from surveys.definition import FREE_TEXT_TYPES, JSONValue, SurveyDefinition
from surveys.loader import load_definition, load_definitions
from surveys.models import OrganisationKind, Sector

FIXTURES = Path(__file__).parents[1] / "surveys" / "fixtures"
TODAY = date(2026, 3, 2)
REGISTRY = load_definitions()
BUILT_IN_KEYS = sorted(REGISTRY.keys())
# Banks for one stream of answers, where theming must find clusters (not per-page evidence).
THEMED_BANKS = [
    name
    for name in bank_names()
    if not load_bank(name).by_page and name not in ("section_11_contributors", "generic")
]
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


@pytest.fixture(scope="module")
def responses() -> list[DemoResponse]:
    return demo_responses(REGISTRY, today=TODAY)


def _assert_pages_round_trip(
    definition: SurveyDefinition, answers: dict[str, JSONValue], *, partial: bool = False
) -> None:
    """Post each visible page as a browser would; it must validate and give the answers back."""
    for page in engine.visible_pages(definition, answers):
        expected = {question.id: answers.get(question.id) for question in page.questions}
        if partial and not any(value is not None for value in expected.values()):
            continue  # a draft has not reached this page yet
        form = engine.build_page_form(page, MultiDict(formdata_for(page, answers)), answers=answers)
        assert form.validate(), (definition.key, page.id, form.errors)
        assert engine.answers_from_form(page, form) == expected, (definition.key, page.id)
        refilled = engine.build_page_form(page, None, answers=answers)
        assert engine.answers_from_form(page, refilled) == expected


def _assert_complete(definition: SurveyDefinition, answers: dict[str, JSONValue]) -> None:
    assert engine.visible_answers(definition, answers) == answers  # nothing hidden is kept
    for question in engine.visible_questions(definition, answers):
        if question.required:
            assert answers.get(question.id) is not None, (definition.key, question.id)


@pytest.mark.parametrize("key", BUILT_IN_KEYS)
def test_generated_answers_are_valid_through_the_engine(key: str) -> None:
    definition = REGISTRY.latest(key)
    for seed in range(20):
        answers = generate_answers(definition, rng=random.Random(seed), today=TODAY)
        _assert_complete(definition, answers)
        _assert_pages_round_trip(definition, answers)


@pytest.mark.parametrize("name", ["all-types.yaml", "minimal.yaml"])
def test_any_definition_gets_valid_answers(name: str) -> None:
    definition = load_definition(FIXTURES / name)
    for seed in range(20):
        answers = generate_answers(definition, rng=random.Random(seed))
        _assert_complete(definition, answers)
        _assert_pages_round_trip(definition, answers)


def test_every_demo_response_is_valid(responses: list[DemoResponse]) -> None:
    for response in responses:
        definition = REGISTRY.get(response.definition_key, response.version)
        if response.is_submitted:
            _assert_complete(definition, response.answers)
        _assert_pages_round_trip(definition, response.answers, partial=not response.is_submitted)


def test_stored_shapes_match_the_engine() -> None:
    training = generate_answers(
        REGISTRY.latest("training-evaluation"), rng=random.Random(1), today=TODAY
    )
    pair = training["confidence"]
    assert isinstance(pair, dict) and set(pair) == {"before", "after"}
    assert pair["after"] >= pair["before"]  # type: ignore[operator]
    section_11 = REGISTRY.latest("section-11")
    answers = generate_answers(section_11, rng=random.Random(3), today=TODAY)
    rating = answers["s1_rating"]
    assert rating == "not_applicable" or set(rating) == {"value", "scale_version"}  # type: ignore[arg-type]
    assert date.fromisoformat(str(answers["sign_off_date"])) <= TODAY
    rows = [row for key, value in answers.items() if key.endswith("_actions") for row in value]  # type: ignore[union-attr]
    assert rows and all(set(row) == {"action", "owner", "due_date", "status", "progress_note"}
                        for row in rows)  # fmt: skip


def test_formdata_uses_the_posted_field_names() -> None:
    definition = REGISTRY.latest("section-11")
    page = definition.page("standard_1")
    answers = {
        "s1_rating": {"value": "partially_met", "scale_version": 1},
        "s1_evidence": "Board minutes.",
        "s1_actions": [
            {"action": "Review", "owner": "Head of Safeguarding", "due_date": "2026-05-04",
             "status": "in_progress", "progress_note": None},
        ],
    }  # fmt: skip
    assert formdata_for(page, answers) == [
        ("s1_rating", "partially_met"),
        ("s1_evidence", "Board minutes."),
        ("s1_actions-0-action", "Review"),
        ("s1_actions-0-owner", "Head of Safeguarding"),
        ("s1_actions-0-due_date-day", "4"),
        ("s1_actions-0-due_date-month", "5"),
        ("s1_actions-0-due_date-year", "2026"),
        ("s1_actions-0-status", "in_progress"),
    ]
    training = REGISTRY.latest("training-evaluation")
    assert formdata_for(training.page("confidence"), {"confidence": {"before": 2, "after": 4}}) == [
        ("confidence-before", "2"),
        ("confidence-after", "4"),
    ]
    family = REGISTRY.latest("family-voice").page("the_help")
    assert formdata_for(family, {"services": ["school", "police"]}) == [
        ("services", "school"),
        ("services", "police"),
    ]


def test_same_seed_gives_the_same_responses() -> None:
    first = demo_responses(REGISTRY, seed=11, today=TODAY)
    assert first == demo_responses(REGISTRY, seed=11, today=TODAY)
    assert first != demo_responses(REGISTRY, seed=12, today=TODAY)
    definition = REGISTRY.latest("family-voice")
    one = generate_answers(definition, rng=random.Random(5), today=TODAY)
    assert one == generate_answers(definition, rng=random.Random(5), today=TODAY)


def test_default_counts(responses: list[DemoResponse]) -> None:
    counts = Counter(response.definition_key for response in responses)
    assert {key: counts[key] for key in DEFAULT_COUNTS} == DEFAULT_COUNTS
    agencies = [name for name, _, kind in ORGANISATIONS if kind is OrganisationKind.AGENCY]
    schools = [name for name, _, kind in ORGANISATIONS if kind is OrganisationKind.SCHOOL]
    section_11 = [r for r in responses if r.definition_key == "section-11"]
    assert len({r.organisation_name for r in section_11}) == len(section_11) == len(agencies) - 2
    assert sum(not r.is_submitted for r in section_11) == 2
    section_175 = [r for r in responses if r.definition_key == "section-175"]
    assert sorted(r.organisation_name for r in section_175) == sorted(schools)  # type: ignore[type-var]
    assert sum(not r.is_submitted for r in section_175) == 1
    anonymous = [r for r in responses if r.definition_key not in ("section-11", "section-175")]
    assert all(r.is_submitted and r.submitted_days_ago >= 0 for r in anonymous)


def test_counts_can_be_overridden() -> None:
    small = demo_responses(REGISTRY, n_per_form={"training-evaluation": 5, "family-voice": 0})
    counts = Counter(response.definition_key for response in small)
    assert counts["training-evaluation"] == 5 and counts["family-voice"] == 0


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _sentence_themes(bank_name: str) -> dict[str, str]:
    bank = load_bank(bank_name)
    return {_key(s): theme.key for theme in bank.themes for s in theme.sentences}


def _themes_of(text: str, bank_name: str) -> set[str]:
    """Return the themes of the bank sentences this answer contains (typos miss a few)."""
    lookup = _sentence_themes(bank_name)
    squashed = _key(text)
    return {theme for sentence, theme in lookup.items() if sentence and sentence in squashed}


def _answers_to(responses: list[DemoResponse], key: str, question: str) -> list[str]:
    picked = (r.answers.get(question) for r in responses if r.definition_key == key)
    return [text for text in picked if isinstance(text, str)]


def test_training_free_text_is_varied(responses: list[DemoResponse]) -> None:
    texts = _answers_to(responses, "training-evaluation", "do_differently")
    assert len(texts) == 220
    assert len(set(texts)) / len(texts) >= 0.6
    non_answers = {_key(text) for text in load_bank("training_do_differently").non_answers}
    sentences = Counter(
        _key(sentence)
        for text in texts
        for sentence in re.split(r"(?<=[.!?])\s+", text)
        if _key(sentence) not in non_answers
    )
    assert max(sentences.values()) <= 0.05 * len(texts)
    themes = Counter(
        theme for text in texts for theme in _themes_of(text, "training_do_differently")
    )
    assert sum(count >= 10 for count in themes.values()) >= 6
    assert sum(_key(text) in non_answers for text in texts) >= 3  # theming must drop some


def test_lower_ratings_come_with_critical_comments() -> None:
    definition = REGISTRY.latest("training-evaluation")
    critical = {t.key for t in load_bank("training_improve").themes if t.tone < 0}
    by_kind: dict[str, list[int]] = {"critical": [], "suggestion": []}
    for seed in range(1500):
        answers = generate_answers(definition, rng=random.Random(seed), today=TODAY)
        themes = _themes_of(str(answers.get("improve", "")), "training_improve")
        if themes:  # among those who commented, complaints come with lower ratings
            kind = "critical" if themes & critical else "suggestion"
            by_kind[kind].append(int(str(answers["quality"])))
    mean = {kind: sum(values) / len(values) for kind, values in by_kind.items()}
    assert mean["critical"] < mean["suggestion"] - 0.15


@pytest.mark.parametrize("name", THEMED_BANKS)
def test_theme_banks_are_rich(name: str) -> None:
    bank = load_bank(name)
    assert 5 <= len(bank.themes) <= 10
    sentences = [sentence for theme in bank.themes for sentence in theme.sentences]
    assert len(sentences) == len(set(sentences))
    for theme in bank.themes:
        assert len(theme.sentences) >= 8, theme.key
        for sentence in theme.sentences:
            assert 3 <= len(sentence.split()) <= 40, sentence


def test_fictional_disclosures_exist_and_are_flagged(responses: list[DemoResponse]) -> None:
    flagged = [r for r in responses if r.expects_disclosure]
    assert sorted(r.definition_key for r in flagged) == [
        "child-voice-11-plus",
        "child-voice-under-11",
        "family-voice",
        "practitioner-consultation",
    ]
    lines = [line for group in load_extras("_disclosures").values() for line in group]
    for response in responses:
        texts = text_values(response.answers)
        carries = any(line in text for text in texts for line in lines)
        assert carries is response.expects_disclosure


def test_a_few_responses_carry_fictional_personal_data(responses: list[DemoResponse]) -> None:
    with_text = [r for r in responses if any(" " in text for text in text_values(r.answers))]
    marked = [r for r in with_text if r.has_personal_data]
    assert 0.01 <= len(marked) / len(with_text) <= 0.06
    assert {r.definition_key for r in marked} - {"training-evaluation"}  # not only one stream
    first_names = "|".join(load_extras("_people")["first_names"])  # "My worker Kwame ..."
    fake = re.compile(
        rf"07700 900\d{{3}}|\bRV\d \d[A-Z]{{2}}\b|@example\.org|[A-Z][a-z]+ [A-Z][a-z]+"
        rf"|\b({first_names})\b|\b(?:worker|called|named|teacher) [A-Z][a-z]+"
    )
    for response in marked:
        assert any(fake.search(text) for text in text_values(response.answers))


def test_emails_only_use_example_domains(responses: list[DemoResponse]) -> None:
    domains = {
        match.group(1).lower()
        for response in responses
        for text in text_values(response.answers)
        for match in _EMAIL.finditer(text)
    }
    assert domains, "the follow-up email addresses should appear"
    assert all(d in ("example.org", "example.com") or d.endswith((".example.org", ".example.com"))
               for d in domains), domains  # fmt: skip
    bank_text = " ".join(path.read_text(encoding="utf-8") for path in BANK_DIR.glob("*.yaml"))
    for match in _EMAIL.finditer(bank_text):
        assert match.group(1).lower().endswith(("example.org", "example.com"))


def test_section_11_ratings_have_a_plausible_spread(responses: list[DemoResponse]) -> None:
    ratings: Counter[str] = Counter()
    small_org_na = 0
    voluntary = {name for name, sector, _ in ORGANISATIONS if sector is Sector.VOLUNTARY}
    for seed in range(6):  # more returns than one demo gives, so the shares are stable
        for response in demo_responses(
            REGISTRY, n_per_form=dict.fromkeys(DEFAULT_COUNTS, 0), seed=seed, today=TODAY
        ):
            if response.definition_key != "section-11":
                continue
            for key, value in response.answers.items():
                if key.endswith("_rating"):
                    level = value if isinstance(value, str) else str(value["value"])  # type: ignore[index]
                    ratings[level] += 1
                    small_org_na += (
                        level == "not_applicable" and response.organisation_name in voluntary
                    )
    total = sum(ratings.values())
    assert (ratings["met"] + ratings["partially_met"]) / total >= 0.75
    assert 0.02 <= ratings["not_met"] / total <= 0.2
    assert small_org_na >= ratings["not_applicable"] / 2


def test_personas_steer_ratings() -> None:
    definition = REGISTRY.latest("child-voice-11-plus")
    happy = [generate_answers(definition, rng=random.Random(s), persona=Persona(mood=0.95))
             for s in range(30)]  # fmt: skip
    unhappy = [generate_answers(definition, rng=random.Random(s), persona=Persona(mood=0.05))
               for s in range(30)]  # fmt: skip
    assert sum(a["listened_to"] in ("always", "mostly") for a in happy) > 20
    assert sum(a["listened_to"] in ("rarely", "never") for a in unhappy) > 20


def test_free_text_questions_all_have_a_bank() -> None:
    """Every built-in free-text question with analysis metadata draws on a written bank."""
    from demo.answers import _bank  # the mapping is private; check it is complete
    from surveys.streams import KEPT_WITH_REVIEWS

    for definition in REGISTRY.latest_definitions():
        if definition.stream.value in KEPT_WITH_REVIEWS:
            continue  # a case review's information returns: written by demo.reviews
        for page in definition.pages:
            for question in page.questions:
                if question.type in FREE_TEXT_TYPES and question.analysis is not None:
                    bank, _ = _bank(question, definition)
                    assert bank.name != "generic", (definition.key, question.id)
