"""Baselines beside the pipeline: vanilla BERTopic, LDA, TF-IDF + k-means, known-k k-means."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlp.embedding import Embedder
from nlp.metrics import agreement, score_partition
from nlp.statements import normalise

Labeller = Callable[[int], NDArray[np.int64]]  # seed -> one label per text (-1 outlier)


def vanilla_bertopic(texts: list[str], vectors: NDArray[np.float32]) -> Labeller:
    """BERTopic defaults on the same embeddings, UMAP seeded."""

    def fit(seed: int) -> NDArray[np.int64]:
        from bertopic import BERTopic
        from umap import UMAP

        umap = UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
        )
        topics, _ = BERTopic(umap_model=umap).fit_transform(texts, embeddings=vectors)
        return np.asarray(topics, dtype=np.int64)

    return fit


def lda(texts: list[str], k: int) -> Labeller:
    """sklearn LDA on word counts (stop words, min_df=2), k = gold k, label = argmax theta."""

    def fit(seed: int) -> NDArray[np.int64]:
        from sklearn.decomposition import LatentDirichletAllocation
        from sklearn.feature_extraction.text import CountVectorizer

        counts = CountVectorizer(stop_words="english", min_df=2).fit_transform(texts)
        model = LatentDirichletAllocation(
            n_components=k, random_state=seed, learning_method="online"
        )
        return np.asarray(model.fit_transform(counts).argmax(1), dtype=np.int64)

    return fit


def tfidf_kmeans(texts: list[str], k: int) -> Labeller:
    """TF-IDF + k-means with k = gold k."""

    def fit(seed: int) -> NDArray[np.int64]:
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import TfidfVectorizer

        matrix = TfidfVectorizer(stop_words="english", min_df=2).fit_transform(texts)
        return np.asarray(KMeans(k, n_init=1, random_state=seed).fit_predict(matrix), np.int64)

    return fit


def minilm_kmeans(vectors: NDArray[np.float32], k: int) -> Labeller:
    """Embeddings + k-means with the true k: the known-k ceiling."""

    def fit(seed: int) -> NDArray[np.int64]:
        from sklearn.cluster import KMeans

        return np.asarray(KMeans(k, n_init=1, random_state=seed).fit_predict(vectors), np.int64)

    return fit


def score_baseline(
    fit: Labeller, texts: list[str], gold: Sequence[str], *, seed: int
) -> dict[str, Any]:
    """Fit with two seeds; score the first, compare the two."""
    start = time.perf_counter()
    labels = fit(seed)
    seconds = time.perf_counter() - start
    again = fit(seed + 1)
    return {
        **score_partition(texts, gold, labels),
        "stability_ari": agreement(labels, again)["ari"],
        "seconds": round(seconds, 2),
    }


def run_baselines(
    texts: list[str], gold: Sequence[str], embedder: Embedder, *, seed: int
) -> dict[str, dict[str, Any]]:
    """Score every baseline on whole rows (no splitting, no non-answer filter)."""
    rows = [normalise(t) for t in texts]
    vectors = embedder.embed(rows)
    k = len(set(gold))
    labellers = {
        "vanilla_bertopic": vanilla_bertopic(rows, vectors),
        "lda": lda(rows, k),
        "tfidf_kmeans": tfidf_kmeans(rows, k),
        "minilm_kmeans_true_k": minilm_kmeans(vectors, k),
    }
    return {name: score_baseline(fit, rows, gold, seed=seed) for name, fit in labellers.items()}
