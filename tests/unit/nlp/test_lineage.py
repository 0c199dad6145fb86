"""Tests for theme lineage across two theming runs."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.lineage import (
    CENTROID_WEIGHT,
    KEYWORD_WEIGHT,
    ThemeSnapshot,
    ThemeStatus,
    match_themes,
    similarity_matrix,
    trend_of,
)

DIM = 8


def axis(i: int, wobble: float = 0.0) -> np.ndarray:
    """Return a unit-ish centroid along axis i, optionally leaning towards the next axis."""
    vector = np.zeros(DIM)
    vector[i] = 1.0
    vector[(i + 1) % DIM] = wobble
    return vector


def theme(key: str, i: int, size: int, words: str = "", wobble: float = 0.0) -> ThemeSnapshot:
    keywords = words.split() if words else [f"w{i}a", f"w{i}b", f"w{i}c"]
    return ThemeSnapshot(key=key, centroid=axis(i, wobble), keywords=keywords, size=size)


PREVIOUS = [
    theme("referrals", 0, 40),
    theme("training", 1, 30),
    theme("supervision", 2, 20),
    theme("parking", 3, 10),
]


def test_identical_runs_are_all_stable_with_the_same_keys() -> None:
    result = match_themes(PREVIOUS, PREVIOUS)
    assert [(m.key, m.previous_key, m.status) for m in result.matches] == [
        (t.key, t.key, ThemeStatus.STABLE) for t in PREVIOUS
    ]
    assert result.previous == []
    assert all(m.similarity == pytest.approx(1.0) for m in result.matches)


def test_more_data_with_the_same_shares_is_stable_not_growing() -> None:
    doubled = [theme(t.key + "-2", i, t.size * 2) for i, t in enumerate(PREVIOUS)]
    result = match_themes(PREVIOUS, doubled)
    assert {m.status for m in result.matches} == {ThemeStatus.STABLE}
    assert [m.previous_key for m in result.matches] == [t.key for t in PREVIOUS]


def test_share_changes_give_growing_and_declining() -> None:
    new = [
        theme("a", 0, 20),  # 40% -> 20%: declining
        theme("b", 1, 50),  # 30% -> 50%: growing
        theme("c", 2, 20),  # 20% -> 20%: stable
        theme("d", 3, 10),  # 10% -> 10%: stable
    ]
    statuses = {m.previous_key: m.status for m in match_themes(PREVIOUS, new).matches}
    assert statuses == {
        "referrals": ThemeStatus.DECLINING,
        "training": ThemeStatus.GROWING,
        "supervision": ThemeStatus.STABLE,
        "parking": ThemeStatus.STABLE,
    }


def test_new_theme_and_gone_theme() -> None:
    new = [theme("referrals", 0, 40), theme("training", 1, 30), theme("online", 5, 30)]
    result = match_themes(PREVIOUS, new)
    by_key = result.by_key()
    assert by_key["online"].status is ThemeStatus.NEW
    assert by_key["online"].previous_key is None
    assert by_key["online"].share == pytest.approx(0.3)
    assert sorted(result.gone) == ["parking", "supervision"]
    assert result.merged == {}


def test_two_previous_themes_becoming_one_are_matched_and_merged() -> None:
    previous = [
        theme("waiting", 0, 30, "waiting list referral delay"),
        theme("delays", 0, 20, "delay referral waiting weeks", wobble=0.5),
        theme("training", 1, 50),
    ]
    new = [theme("access", 0, 50, "waiting referral delay list"), theme("courses", 1, 50)]
    result = match_themes(previous, new)
    access = result.by_key()["access"]
    assert access.previous_key == "waiting"
    assert access.merged_from == ("delays",)
    # Compared with both themes it absorbed (30% + 20%), 50% is stable, not growing.
    assert access.previous_share == pytest.approx(0.5)
    assert access.status is ThemeStatus.STABLE
    assert result.merged == {"delays": "access"}
    assert result.gone == []


def test_permuted_inputs_give_the_same_result() -> None:
    new = [theme("x", 0, 10), theme("y", 1, 60), theme("z", 6, 30)]
    result = match_themes(PREVIOUS, new)
    again = match_themes(list(reversed(PREVIOUS)), [new[2], new[0], new[1]])
    assert again.by_key() == result.by_key()
    assert sorted(again.previous, key=lambda p: p.key) == sorted(
        result.previous, key=lambda p: p.key
    )


def test_tied_candidates_resolve_by_key_in_any_order() -> None:
    twins = [theme("b-twin", 0, 10), theme("a-twin", 0, 10)]
    single = [theme("only", 0, 20)]
    first = match_themes(twins, single)
    second = match_themes(list(reversed(twins)), single)
    assert first.matches[0].previous_key == second.matches[0].previous_key == "a-twin"
    # Two identical old themes: neither is confidently the new one, so both ask where they went.
    assert not first.matches[0].confident
    assert first.previous == second.previous
    assert {(p.key, p.candidates) for p in first.previous} == {
        ("a-twin", ("only",)),
        ("b-twin", ("only",)),
    }


def test_threshold_is_respected() -> None:
    # Cosine 0.6, no shared keywords: similarity 0.7 * 0.6 = 0.42.
    leaning = ThemeSnapshot("leaning", np.array([0.6, 0.8] + [0.0] * (DIM - 2)), ["other"], 10)
    previous = [theme("base", 0, 10, "alpha")]
    assert similarity_matrix(previous, [leaning])[0, 0] == pytest.approx(0.42)
    assert match_themes(previous, [leaning], threshold=0.43).matches[0].status is ThemeStatus.NEW
    assert match_themes(previous, [leaning], threshold=0.43).gone == ["base"]
    loose = match_themes(previous, [leaning], threshold=0.41)
    assert loose.matches[0].previous_key == "base"


def test_similarity_weighs_centroid_and_keywords() -> None:
    a = ThemeSnapshot("a", axis(0), ["one", "two", "three"], 5)
    b = ThemeSnapshot("b", axis(0), ["one", "two", "four"], 5)
    no_words = ThemeSnapshot("c", -axis(0), [], 5)
    sims = similarity_matrix([a], [b, no_words])
    assert sims[0, 0] == pytest.approx(CENTROID_WEIGHT * 1.0 + KEYWORD_WEIGHT * 0.5)
    assert sims[0, 1] == 0.0  # opposite centroid, cosine alone, clipped at 0


def test_empty_runs() -> None:
    assert match_themes([], PREVIOUS).by_key()["parking"].status is ThemeStatus.NEW
    assert sorted(match_themes(PREVIOUS, []).gone) == sorted(t.key for t in PREVIOUS)


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        match_themes([theme("a", 0, 1), theme("a", 1, 1)], [])


@pytest.mark.parametrize(
    ("prev_share", "new_share", "expected"),
    [
        (0.30, 0.30, ThemeStatus.STABLE),
        (0.30, 0.35, ThemeStatus.STABLE),  # +17% relative
        (0.30, 0.37, ThemeStatus.GROWING),  # +23% relative
        (0.30, 0.23, ThemeStatus.DECLINING),
        (0.020, 0.028, ThemeStatus.STABLE),  # +40% relative but under 1 point
        (0.0, 0.05, ThemeStatus.GROWING),
    ],
)
def test_trend_of(prev_share: float, new_share: float, expected: ThemeStatus) -> None:
    assert trend_of(prev_share, new_share) is expected
