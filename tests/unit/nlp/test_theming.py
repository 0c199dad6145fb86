"""Tests for the clustering maths and the themers (TF-IDF vectors, no UMAP)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_mutual_info_score, silhouette_score

from nlp.clustering import (
    MicroClusterMerge,
    cosine_silhouette,
    principal_splits,
    theme_range,
    unit_rows,
    ward_tree,
)
from nlp.embedding import TfidfEmbedder
from nlp.theming import BertopicThemer, SklearnThemer

FIXTURE = Path(__file__).parents[2] / "fixtures" / "feedback_small.csv"


def single_label_rows() -> tuple[list[str], list[str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] and "|" not in r["label"]]
    return [r["text"] for r in rows], [r["label"] for r in rows]


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str], np.ndarray]:
    texts, gold = single_label_rows()
    return texts, gold, TfidfEmbedder().embed(texts)


def test_ward_tree_merges_nearest_weighted_groups() -> None:
    centroids = np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5]])
    tree = ward_tree(centroids, np.array([1, 1, 1, 1]), k_max=4)
    assert tree.cuts[2].tolist() == [0, 0, 1, 1]
    assert tree.costs == sorted(tree.costs)


def test_principal_splits_separate_blobs_deterministically() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.1, (20, 3)), rng.normal(3, 0.1, (20, 3))])
    labels = principal_splits(x, 2)
    assert len(set(labels[:20])) == 1 and len(set(labels[20:])) == 1
    assert np.array_equal(labels, principal_splits(x, 2))


def test_cosine_silhouette_matches_sklearn() -> None:
    rng = np.random.default_rng(1)
    x = unit_rows(rng.normal(size=(120, 6)))
    labels = rng.integers(0, 4, 120)
    assert cosine_silhouette(x, labels) == pytest.approx(
        silhouette_score(x, labels, metric="cosine")
    )


def test_theme_range_grows_with_corpus_and_stays_readable() -> None:
    assert theme_range(20)[0] == 2
    low, high = theme_range(10_000)
    assert 8 <= low <= high <= 40


def test_fixture_topics_are_recovered(corpus: tuple[list[str], list[str], np.ndarray]) -> None:
    texts, gold, vectors = corpus
    found = SklearnThemer().find_themes(texts, vectors, seed=0)
    assert (found.labels >= 0).all()
    assert adjusted_mutual_info_score(gold, found.labels) > 0.5


def test_same_seed_gives_identical_themes(corpus: tuple[list[str], list[str], np.ndarray]) -> None:
    texts, _, vectors = corpus
    first = SklearnThemer().find_themes(texts, vectors, seed=3)
    again = SklearnThemer().find_themes(texts, vectors, seed=3)
    assert np.array_equal(first.labels, again.labels)
    assert first.keywords == again.keywords


def test_other_seed_gives_the_same_partition(
    corpus: tuple[list[str], list[str], np.ndarray],
) -> None:
    texts, _, vectors = corpus
    first = SklearnThemer().find_themes(texts, vectors, seed=0)
    other = SklearnThemer().find_themes(texts, vectors, seed=1)
    assert adjusted_mutual_info_score(first.labels, other.labels) == pytest.approx(1.0)


@pytest.mark.parametrize("size", [2, 10, 30])
def test_small_corpus_assigns_every_statement(
    corpus: tuple[list[str], list[str], np.ndarray], size: int
) -> None:
    texts, _, _ = corpus
    picked = texts[::6][:size]
    vectors = TfidfEmbedder().embed(picked)
    found = SklearnThemer().find_themes(picked, vectors, seed=0)
    assert len(found.labels) == size and (found.labels >= 0).all()
    assert 1 <= len(set(found.labels.tolist())) <= max(2, size // 2)


def test_sub_themes_nest_inside_their_theme() -> None:
    rng = np.random.default_rng(2)
    blobs = [rng.normal(c, 0.05, (30, 4)) for c in ([1, 0, 0, 0], [1, 0.4, 0, 0], [0, 0, 1, 0])]
    model = MicroClusterMerge(seed=0).fit(np.vstack(blobs))
    assert model.sub_labels_ is not None and model.sub_parent_
    for sub, parent in model.sub_parent_.items():
        assert set(model.labels_[model.sub_labels_ == sub].tolist()) == {parent}


@pytest.mark.slow
def test_bertopic_themer_keeps_the_partition(
    corpus: tuple[list[str], list[str], np.ndarray],
) -> None:
    texts, _, vectors = corpus
    ours = SklearnThemer().find_themes(texts, vectors, seed=0)
    bertopic = BertopicThemer().find_themes(texts, vectors, seed=0)
    assert adjusted_mutual_info_score(ours.labels, bertopic.labels) == pytest.approx(1.0)
    assert all(bertopic.keywords[t] for t in set(bertopic.labels.tolist()))
    for sub, parent in bertopic.sub_parent.items():
        assert set(bertopic.labels[bertopic.sub_labels == sub].tolist()) == {parent}


def test_parsimonious_k_prefers_fewer_themes_near_the_best() -> None:
    from nlp.clustering import parsimonious_k

    assert parsimonious_k({5: 0.100, 8: 0.1025, 12: 0.080}) == 5
    assert parsimonious_k({5: 0.050, 8: 0.1025, 12: 0.080}) == 8
