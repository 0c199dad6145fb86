"""Themers: find themes in embedded statements (BERTopic with our cluster model by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from nlp.clustering import MicroClusterMerge
from nlp.labels import theme_keywords


@dataclass
class ThemeAssignment:
    """Which theme (and sub-theme) each statement belongs to; -1 is an outlier."""

    labels: NDArray[np.int64]
    keywords: dict[int, list[str]]
    sub_labels: NDArray[np.int64] | None = None
    sub_parent: dict[int, int] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


class Themer(Protocol):
    """Group embedded statements into themes."""

    name: str

    def find_themes(
        self, texts: Sequence[str], vectors: NDArray[np.float32], *, seed: int
    ) -> ThemeAssignment: ...


class _Passthrough:
    """Dimensionality "reduction" that keeps the vectors (tiny corpora, tests)."""

    def fit(self, x: NDArray[Any], y: object = None) -> _Passthrough:
        return self

    def transform(self, x: NDArray[Any]) -> NDArray[Any]:
        return x


def make_reducer(n: int, dims: int, n_components: int, seed: int) -> Any:
    """Return a seeded PCA, or a passthrough when the corpus is too small to reduce."""
    from sklearn.decomposition import PCA

    if n_components <= 0 or min(n - 1, dims) <= n_components:
        return _Passthrough()
    # covariance_eigh is exact and seed-free; sklearn's "auto" goes randomized below
    # 10 x n_features rows, which made themes move between seeds (BBC: ARI 0.83).
    return PCA(n_components=n_components, svd_solver="covariance_eigh", random_state=seed)


class SklearnThemer:
    """PCA + micro-cluster merge + c-TF-IDF keywords, without importing BERTopic (fast tests)."""

    name = "sklearn"

    def __init__(self, *, n_components: int = 50, sub_themes: bool = True) -> None:
        self.n_components = n_components
        self.sub_themes = sub_themes

    def find_themes(
        self, texts: Sequence[str], vectors: NDArray[np.float32], *, seed: int
    ) -> ThemeAssignment:
        """Cluster the vectors and take keywords from the texts."""
        reducer = make_reducer(len(vectors), vectors.shape[1], self.n_components, seed)
        reduced = reducer.fit(vectors).transform(vectors)
        model = MicroClusterMerge(seed=seed, sub_themes=self.sub_themes, full=vectors).fit(reduced)
        return ThemeAssignment(
            labels=model.labels_,
            keywords=theme_keywords(texts, model.labels_),
            sub_labels=model.sub_labels_,
            sub_parent=model.sub_parent_,
            params=self.params(model),
        )

    def params(self, model: MicroClusterMerge) -> dict[str, Any]:
        """Describe the settings and the silhouette curve behind the theme count."""
        return {
            "n_components": self.n_components,
            "sub_themes": self.sub_themes,
            "silhouette": {str(k): round(v, 4) for k, v in model.scores_.items()},
        }


class BertopicThemer(SklearnThemer):
    """BERTopic with PCA in the UMAP slot and MicroClusterMerge in the HDBSCAN slot."""

    name = "bertopic"

    def find_themes(
        self, texts: Sequence[str], vectors: NDArray[np.float32], *, seed: int
    ) -> ThemeAssignment:
        """Fit BERTopic on precomputed vectors; keep its c-TF-IDF keywords."""
        from bertopic import BERTopic
        from sklearn.feature_extraction.text import CountVectorizer

        from nlp.labels import TOKEN_PATTERN, _stop_words

        cluster = MicroClusterMerge(seed=seed, sub_themes=self.sub_themes, full=vectors)
        model = BERTopic(
            umap_model=make_reducer(len(vectors), vectors.shape[1], self.n_components, seed),
            hdbscan_model=cluster,
            vectorizer_model=CountVectorizer(
                stop_words=sorted(_stop_words()), token_pattern=TOKEN_PATTERN
            ),
            top_n_words=10,
            calculate_probabilities=False,
        )
        try:
            topics, _ = model.fit_transform(list(texts), embeddings=vectors)
        except ValueError:  # no words left after stop words: keep the clusters, no keywords
            return super().find_themes(texts, vectors, seed=seed)
        labels = np.asarray(topics, dtype=np.int64)
        # BERTopic renumbers clusters by size; carry the sub-theme parents across.
        theme_of = {int(c): int(t) for c, t in zip(cluster.labels_, labels, strict=True)}
        keywords = {t: [w for w, s in model.get_topic(t) or [] if w and s > 0] for t in set(labels)}
        return ThemeAssignment(
            labels=labels,
            keywords={int(t): words for t, words in keywords.items()},
            sub_labels=cluster.sub_labels_,
            sub_parent={s: theme_of[p] for s, p in cluster.sub_parent_.items()},
            params=self.params(cluster),
        )
