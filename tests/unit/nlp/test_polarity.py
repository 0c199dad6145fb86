"""Tests for statement polarity: lexicon rules, question hints, anchors and the hybrid."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from nlp.polarity import (
    EmbeddingPolarity,
    HybridPolarity,
    LexiconPolarity,
    Polarity,
    PolarityLabel,
    score_function,
)

WORKS_WELL = PolarityLabel.WORKS_WELL
MUST_CHANGE = PolarityLabel.MUST_CHANGE
NEUTRAL = PolarityLabel.NEUTRAL


@pytest.fixture(scope="module")
def lexicon() -> LexiconPolarity:
    return LexiconPolarity()


def labels(results: list[Polarity]) -> list[PolarityLabel]:
    return [r.label for r in results]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The trainer was excellent and the session really useful.", WORKS_WELL),
        ("Staff were kind, caring and supportive.", WORKS_WELL),
        ("The venue was awful and the speaker was rude.", MUST_CHANGE),
        ("The training took place in the main hall on Tuesday.", NEUTRAL),
        ("The trainer was not helpful.", MUST_CHANGE),
        ("Would be good to have more case studies", MUST_CHANGE),
        ("It would be helpful to get the slides in advance.", MUST_CHANGE),
        ("More time for group discussion.", MUST_CHANGE),
        ("I would have liked more examples from schools.", MUST_CHANGE),
        ("The afternoon session was too long.", MUST_CHANGE),
        ("There is a lack of supervision for new staff.", MUST_CHANGE),
        ("Not enough time to finish the exercises.", MUST_CHANGE),
        ("Referrals could be improved.", MUST_CHANGE),
        ("Nothing to improve, it was all great.", WORKS_WELL),
        ("Nothing, all good", WORKS_WELL),
        ("Nothing was too much trouble for the team.", WORKS_WELL),
        ("I don't think anything needs to change.", WORKS_WELL),
        ("Staff couldn't do enough for us.", WORKS_WELL),
        ("Better than expected!", WORKS_WELL),
        ("Better communication with parents.", MUST_CHANGE),
    ],
)
def test_lexicon_labels_clear_feedback(
    lexicon: LexiconPolarity, text: str, expected: PolarityLabel
) -> None:
    (result,) = lexicon.classify([text])
    assert result.label is expected
    assert -1.0 <= result.score <= 1.0


def test_negated_cue_is_cancelled_but_negated_praise_is_negative(lexicon: LexiconPolarity) -> None:
    helpful, unhelpful = lexicon.classify(["It was helpful.", "It was not helpful."])
    assert helpful.score > 0 > unhelpful.score
    (no_wait,) = lexicon.classify(["I didn't have to wait long"])
    assert no_wait.label is not MUST_CHANGE


def test_not_feeling_listened_to_or_safe_is_a_need_for_change(lexicon: LexiconPolarity) -> None:
    texts = ["I do not feel listened to", "I don’t feel heard by my worker", "I never felt safe"]
    assert all(r.label is MUST_CHANGE for r in lexicon.classify(texts))
    (heard,) = lexicon.classify(["I felt listened to"])
    assert heard.label is not MUST_CHANGE


def test_suggestion_frame_outweighs_the_positive_word_in_it(lexicon: LexiconPolarity) -> None:
    (suggestion,) = lexicon.classify(["It would be really nice to have more breaks."])
    (praise,) = lexicon.classify(["It was really nice to have breaks."])
    assert suggestion.label is MUST_CHANGE
    assert praise.label is WORKS_WELL


def test_bare_nothing_depends_on_the_question(lexicon: LexiconPolarity) -> None:
    texts = ["Nothing really.", "Nothing really.", "Nothing really."]
    hints = [None, "areas_for_development", "strengths"]
    assert labels(lexicon.classify(texts, hints=hints)) == [NEUTRAL, WORKS_WELL, MUST_CHANGE]


def test_non_answer_stays_neutral_whatever_the_question(lexicon: LexiconPolarity) -> None:
    results = lexicon.classify(["n/a", "Don't know"], hints=["areas_for_development", "strengths"])
    assert labels(results) == [NEUTRAL, NEUTRAL]
    assert [r.score for r in results] == [0.0, 0.0]


def test_areas_for_development_hint_dominates(lexicon: LexiconPolarity) -> None:
    texts = ["Timing of meetings with health.", "The room."]
    assert labels(lexicon.classify(texts)) == [NEUTRAL, NEUTRAL]
    hinted = lexicon.classify(texts, hints=["areas_for_development"] * 2)
    assert labels(hinted) == [MUST_CHANGE, MUST_CHANGE]
    assert all(r.score <= -0.3 for r in hinted)


def test_areas_for_development_keeps_plain_non_criticism(lexicon: LexiconPolarity) -> None:
    texts = ["None, all good.", "Can't think of anything, the course was excellent and useful."]
    hinted = lexicon.classify(texts, hints=["areas_for_development"] * 2)
    assert labels(hinted) == [WORKS_WELL, WORKS_WELL]


def test_strengths_hint_dominates_unless_a_change_is_asked(lexicon: LexiconPolarity) -> None:
    texts = ["The case studies.", "Would have liked more time for questions."]
    hinted = lexicon.classify(texts, hints=["strengths", "strengths"])
    assert labels(hinted) == [WORKS_WELL, MUST_CHANGE]


def test_neutral_hint_lets_the_classifier_decide(lexicon: LexiconPolarity) -> None:
    texts = ["The session was too long.", "Brilliant trainer."]
    assert labels(lexicon.classify(texts, hints=["neutral", None])) == [MUST_CHANGE, WORKS_WELL]


def test_hints_must_match_texts(lexicon: LexiconPolarity) -> None:
    with pytest.raises(ValueError, match="hints"):
        lexicon.classify(["a", "b"], hints=["strengths"])
    with pytest.raises(ValueError):
        lexicon.classify(["a"], hints=["praise"])


def test_score_function_returns_the_scores(lexicon: LexiconPolarity) -> None:
    score = score_function(lexicon)
    texts = ["Excellent trainer.", "The room.", "Too long."]
    values = score(texts, [None, "areas_for_development", None])
    assert values[0] > 0 > values[2]
    assert values[1] <= -0.3


def fake_embed(texts: Sequence[str]) -> NDArray[np.float64]:
    """Embed by counting words in a fixed vocabulary, so similarity means shared words."""
    vocabulary = ["sunny", "calm", "bright", "stormy", "grey", "cold", "weather", "today"]
    rows = []
    for text in texts:
        words = re.findall(r"[a-z]+", text.lower())
        rows.append([words.count(v) for v in vocabulary] + [1e-3])
    return np.asarray(rows, dtype=np.float64)


def anchored(*, swap: bool = False) -> EmbeddingPolarity:
    good = ["sunny and calm", "bright weather"]
    bad = ["stormy and grey", "cold weather"]
    works, must = (bad, good) if swap else (good, bad)
    return EmbeddingPolarity(fake_embed, works_well_anchors=works, must_change_anchors=must)


def test_embedding_polarity_follows_the_anchors() -> None:
    texts = ["bright and sunny today", "grey cold and stormy today", "weather today"]
    assert labels(anchored().classify(texts)) == [WORKS_WELL, MUST_CHANGE, NEUTRAL]
    assert labels(anchored(swap=True).classify(texts)) == [MUST_CHANGE, WORKS_WELL, NEUTRAL]


def test_embedding_polarity_accepts_precomputed_vectors() -> None:
    texts = ["bright and sunny today", "stormy"]
    classifier = anchored()
    from_vectors = classifier.classify_vectors(texts, fake_embed(texts))
    assert from_vectors == classifier.classify(texts)
    assert from_vectors[0].score > 0.5 and from_vectors[1].score < -0.5


def test_embedding_polarity_applies_hints() -> None:
    results = anchored().classify(["weather today"], hints=["areas_for_development"])
    assert labels(results) == [MUST_CHANGE]


def test_default_anchors_are_loaded() -> None:
    classifier = EmbeddingPolarity(fake_embed)
    assert len(classifier.works_well_anchors) >= 10
    assert len(classifier.must_change_anchors) >= 10


def test_hybrid_without_embed_is_the_lexicon(lexicon: LexiconPolarity) -> None:
    texts = ["Would be good to have more case studies", "Excellent trainer", "Tuesday"]
    assert HybridPolarity().classify(texts) == lexicon.classify(texts)


def test_hybrid_lets_the_embedding_decide_what_the_lexicon_cannot() -> None:
    def embed(texts: Sequence[str]) -> NDArray[np.float64]:
        # Anchors about changes -> axis 1; everything else (incl. the statement) -> axis 0 or 1.
        must_change = {"still no appointment after six weeks"}
        return np.asarray(
            [
                [0.0, 1.0] if t.lower() in must_change or "need" in t.lower() else [1.0, 0.0]
                for t in texts
            ]
        )

    hybrid = HybridPolarity(embed)
    (result,) = hybrid.classify(["Still no appointment after six weeks"])
    (lexical,) = LexiconPolarity().classify(["Still no appointment after six weeks"])
    assert result.label is MUST_CHANGE
    assert result.score < lexical.score


@pytest.mark.nlp
def test_hybrid_with_minilm_on_clear_statements(minilm) -> None:
    def embed(texts: Sequence[str]) -> NDArray[np.float32]:
        return np.asarray(minilm.embed(list(texts)))  # unit vectors, as the model's encode gives

    texts = [
        "The trainer was brilliant and I learnt a lot.",
        "Referrals to children's social care take far too long to get a response.",
        "Would be good to have more case studies.",
        "Information is shared quickly between the school and the police.",
    ]
    expected = [WORKS_WELL, MUST_CHANGE, MUST_CHANGE, WORKS_WELL]
    assert labels(HybridPolarity(embed).classify(texts)) == expected
    assert labels(EmbeddingPolarity(embed).classify(texts)) == expected
