"""Tests for the embedders and the embedding caches."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from nlp.embedding import (
    CachedEmbedder,
    HashingEmbedder,
    MemoryEmbeddingCache,
    SqliteEmbeddingCache,
    TfidfEmbedder,
    Vectors,
    text_hash,
)

TEXTS = [
    "The venue was cold and parking was hard",
    "Parking at the venue was expensive",
    "The trainer was knowledgeable and engaging",
    "An engaging, knowledgeable trainer",
]


class CountingEmbedder:
    """Record which texts it is asked to embed."""

    model_id = "counting"
    is_cacheable = True

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str], progress: object = None) -> Vectors:
        self.seen.extend(texts)
        return HashingEmbedder(64).embed(texts)


def test_text_hash_is_sha256() -> None:
    assert text_hash("abc") == hashlib.sha256(b"abc").hexdigest()


def test_hashing_embedder_is_unit_length_and_deterministic() -> None:
    first = HashingEmbedder().embed(TEXTS)
    assert first.shape == (4, 512) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1)
    assert np.array_equal(first, HashingEmbedder().embed(TEXTS))


@pytest.mark.parametrize("embedder", [HashingEmbedder(), TfidfEmbedder(n_components=3)])
def test_similar_texts_are_closer(embedder: HashingEmbedder | TfidfEmbedder) -> None:
    v = embedder.embed(TEXTS)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert v[2] @ v[3] > v[2] @ v[1]


def test_tfidf_embedder_survives_stop_words_only() -> None:
    vectors = TfidfEmbedder().embed(["the and", "of the"])
    assert vectors.shape[0] == 2
    assert not TfidfEmbedder.is_cacheable


@pytest.mark.parametrize(
    "make_cache", [lambda p: MemoryEmbeddingCache(), lambda p: SqliteEmbeddingCache(p / "e.sqlite")]
)
def test_cache_round_trip(tmp_path: Path, make_cache: object) -> None:
    cache = make_cache(tmp_path)  # type: ignore[operator]
    vector = np.arange(4, dtype=np.float32)
    cache.put_many("m", {"h1": vector})
    assert set(cache.get_many("m", ["h1", "h2"])) == {"h1"}
    assert np.array_equal(cache.get_many("m", ["h1"])["h1"], vector)
    assert cache.get_many("other-model", ["h1"]) == {}


def test_cached_embedder_skips_known_text(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    cache = SqliteEmbeddingCache(tmp_path / "e.sqlite")
    first = CachedEmbedder(inner, cache).embed(TEXTS[:2])
    again = CachedEmbedder(inner, cache).embed(TEXTS[:3])
    assert inner.seen == TEXTS[:3]
    assert np.allclose(first, again[:2])


def test_cached_embedder_bypasses_corpus_fitted_embedders() -> None:
    cache = MemoryEmbeddingCache()
    CachedEmbedder(TfidfEmbedder(n_components=2), cache).embed(TEXTS)
    assert cache.get_many("tfidf-svd-2", [text_hash(t) for t in TEXTS]) == {}


@pytest.mark.slow
def test_minilm_puts_paraphrases_close(minilm) -> None:
    from nlp.embedding import MiniLM

    assert isinstance(minilm, MiniLM)
    v = minilm.embed(
        [
            "The trainer knew the subject well",
            "The trainer was very knowledgeable about the subject",
            "Parking was expensive",
        ]
    )
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > 0.6 > 0.2 > v[0] @ v[2]
