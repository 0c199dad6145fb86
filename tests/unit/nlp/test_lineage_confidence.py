"""Confident identity: a theme's decisions follow it only when the match is sure."""

from __future__ import annotations

import numpy as np

from nlp.lineage import (
    CONFIDENT_SIMILARITY,
    MIN_MARGIN,
    ThemeSnapshot,
    ThemeStatus,
    match_themes,
)

DIM = 8


def vec(*weights: float) -> np.ndarray:
    vector = np.zeros(DIM)
    vector[: len(weights)] = weights
    return vector


def snap(
    key: str, centroid: np.ndarray, words: str, members: range | set[int] = range(0)
) -> ThemeSnapshot:
    ids = frozenset(str(i) for i in members)
    return ThemeSnapshot(key, centroid, words.split(), max(len(ids), 1), ids)


def test_a_clear_match_is_confident() -> None:
    before = [snap("waits", vec(1), "wait long"), snap("staff", vec(0, 1), "staff kind")]
    after = [snap("waits2", vec(1, 0.1), "wait long"), snap("staff2", vec(0, 1), "staff kind")]
    result = match_themes(before, after).by_key()
    assert result["waits2"].previous_key == "waits" and result["waits2"].confident
    assert result["staff2"].confident


def test_a_match_without_a_clear_lead_is_not_confident_and_asks() -> None:
    # The new theme sits between two old ones: similar to both, better than neither by much.
    before = [snap("waits", vec(1, 0.2), "wait long"), snap("queues", vec(1, -0.2), "wait long")]
    after = [snap("waiting", vec(1), "wait long")]
    result = match_themes(before, after)
    match = result.matches[0]
    assert match.previous_key is not None and not match.confident
    assert match.similarity >= CONFIDENT_SIMILARITY and (match.margin or 0.0) < MIN_MARGIN
    assert {p.key for p in result.previous} == {"waits", "queues"}
    assert all(p.candidates == ("waiting",) for p in result.previous)


def test_a_weak_match_is_changed_not_carried() -> None:
    before = [snap("waits", vec(1), "wait long")]
    after = [snap("drift", vec(0.8, 0.6), "queue")]  # cosine 0.8, no word shared: 0.56
    result = match_themes(before, after)
    assert not result.matches[0].confident
    assert result.previous[0].status is ThemeStatus.CHANGED
    assert result.previous[0].candidates == ("drift",)


def test_shared_answers_decide_when_most_answers_are_the_same() -> None:
    # Centroids alike, but the answers say "b" is the old "a".
    before = [snap("a", vec(1), "x", range(0, 50)), snap("other", vec(0, 1), "y", range(50, 100))]
    after = [
        snap("b", vec(1, 0.3), "x", range(0, 49)),
        snap("c", vec(0, 1), "y", range(49, 101)),
    ]
    result = match_themes(before, after).by_key()
    assert result["b"].previous_key == "a" and result["b"].confident
    assert result["b"].overlap is not None and result["b"].overlap > 0.9


def test_a_theme_whose_answers_went_two_ways_is_split() -> None:
    before = [
        snap("all", vec(1), "x", range(0, 100)),
        snap("z", vec(0, 0, 1), "z", range(100, 160)),
    ]
    after = [
        snap("left", vec(1, 0.3), "x", range(0, 55)),
        snap("right", vec(1, -0.3), "x", range(55, 100)),
        snap("z2", vec(0, 0, 1), "z", range(100, 160)),
    ]
    result = match_themes(before, after)
    fate = next(p for p in result.previous if p.key == "all")
    assert fate.status is ThemeStatus.SPLIT
    assert set(fate.candidates) == {"left", "right"}
    assert not any(m.confident for m in result.matches if m.key in ("left", "right"))
    assert result.by_key()["z2"].confident


def test_answers_that_also_speak_to_another_theme_are_no_split() -> None:
    # Every answer of "waits" is still in "waits2"; a third of them also have a sentence in
    # "staff2" (long answers speak to two subjects). The theme went to one place, not two.
    before = [
        snap("waits", vec(1), "wait long", range(0, 60)),
        snap("staff", vec(0, 1), "staff kind", range(60, 120)),
    ]
    after = [
        snap("waits2", vec(1, 0.1), "wait long", range(0, 60)),
        snap("staff2", vec(0, 1), "staff kind", set(range(0, 20)) | set(range(60, 120))),
    ]
    result = match_themes(before, after).by_key()
    assert result["waits2"].previous_key == "waits" and result["waits2"].confident
    assert result["staff2"].previous_key == "staff" and result["staff2"].confident


def test_two_themes_whose_answers_joined_are_merged_into_the_one_that_continues() -> None:
    before = [
        snap("big", vec(1), "x", range(0, 80)),
        snap("small", vec(1, 0.4), "x", range(80, 100)),
        snap("z", vec(0, 0, 1), "z", range(100, 160)),
    ]
    after = [
        snap("joined", vec(1, 0.1), "x", range(0, 100)),
        snap("z2", vec(0, 0, 1), "z", range(100, 160)),
    ]
    result = match_themes(before, after)
    assert result.by_key()["joined"].previous_key == "big"
    assert result.by_key()["joined"].confident
    assert result.merged == {"small": "joined"}


def test_a_theme_with_nowhere_to_go_is_gone() -> None:
    before = [snap("parking", vec(0, 0, 0, 1), "car park"), snap("staff", vec(1), "staff")]
    after = [snap("staff2", vec(1), "staff")]
    result = match_themes(before, after)
    assert result.gone == ["parking"]
    assert result.by_key()["staff2"].confident


def test_themes_embedded_in_two_different_spaces_are_never_matched_by_their_vectors() -> None:
    # A corpus-fitted embedder (TF-IDF) gives each run its own space, even its own size.
    before = [ThemeSnapshot("waits", np.ones(93), ["wait", "long"], 10)]
    after = [ThemeSnapshot("waits2", np.ones(100), ["queue"], 10)]
    result = match_themes(before, after)
    assert not result.matches[0].confident
    assert result.previous[0].status is ThemeStatus.GONE
