"""The theming job's pipeline and the worker's models, loaded once per process.

Public API:
    build_pipeline(sessions, *, embedder) -> ThemingPipeline
    start_warm_up(*, embedder, semantic_screen, on_ready=None) -> Thread | None
    wait_for_model(SCREEN | EMBEDDER) -> None
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from learning.embedding_cache import DatabaseEmbeddingCache

log = logging.getLogger(__name__)
SHARED_EMBEDDERS = frozenset({"minilm"})  # stateless and slow to load: one per process
_embedders: dict[str, Any] = {}
_embedders_lock = threading.Lock()
SCREEN, EMBEDDER = "semantic screen", "theming embedder"
_ready = {SCREEN: threading.Event(), EMBEDDER: threading.Event()}
for _event in _ready.values():
    _event.set()  # nothing to wait for until a worker starts warming up


def build_pipeline(
    sessions: sessionmaker[Session], *, embedder: str = "minilm", stored_vectors_only: bool = False
) -> Any:
    """Return the ThemingPipeline a theming run uses.

    MiniLM (offline) embeddings cached in the database, BERTopic with the deterministic
    micro-cluster merge, rule + NER redaction, lexicon polarity that honours each
    question's declared polarity. `embedder="tfidf"` is the light path for tests.
    `stored_vectors_only` is for web processes: MiniLM vectors come only from the cache and
    no model is loaded (``nlp.embedding.StoredVectors``).
    """
    from nlp.embedding import StoredVectors
    from nlp.pipeline import STEPS, ThemingPipeline
    from nlp.polarity import LexiconPolarity, score_function

    is_model = embedder in SHARED_EMBEDDERS
    return ThemingPipeline(
        embedder=StoredVectors() if stored_vectors_only and is_model else shared_embedder(embedder),
        themer=STEPS["themer"]["bertopic" if is_model else "sklearn"](),
        cache=DatabaseEmbeddingCache(sessions),
        polarity=score_function(LexiconPolarity()),
    )


def shared_embedder(name: str) -> Any:
    """Return this process's embedder of that name (a new one for corpus-fitted embedders)."""
    from nlp.pipeline import STEPS

    if name not in SHARED_EMBEDDERS:
        return STEPS["embedder"][name]()
    with _embedders_lock:
        if name not in _embedders:
            _embedders[name] = STEPS["embedder"][name]()
        return _embedders[name]


def start_warm_up(
    *,
    embedder: str,
    semantic_screen: bool,
    on_ready: Callable[[str, float], None] | None = None,
) -> threading.Thread | None:
    """Load the worker's models in a thread; jobs that need one wait (holding no transaction).

    The semantic screen loads first: a possible disclosure must not wait behind theming.
    `on_ready` gets each model's name and the seconds since the warm-up began. Nothing to
    load (the light test settings) returns None and jobs never wait.
    """
    models = [SCREEN] * semantic_screen + [EMBEDDER] * (embedder in SHARED_EMBEDDERS)
    if not models:
        return None
    for model in models:
        _ready[model].clear()
    thread = threading.Thread(
        target=_warm_up, args=(models, embedder, on_ready), name="warm-up", daemon=True
    )
    thread.start()
    return thread


def _warm_up(
    models: list[str], embedder: str, on_ready: Callable[[str, float], None] | None
) -> None:
    started = time.monotonic()
    for model in models:
        try:
            if model == SCREEN:
                from nlp.disclosure_model import default_screen

                default_screen().screen(["Warming up the model."])  # loads it, embeds exemplars
            else:
                shared_embedder(embedder).embed(["Warming up the model."])
            seconds = time.monotonic() - started
            log.info("model ready model=%s seconds=%.1f", model, seconds)
            if on_ready:
                on_ready(model, seconds)
        except Exception:  # noqa: BLE001 - the job loads the model itself and reports its error
            log.error("model warm-up failed model=%s", model, exc_info=True)
        finally:
            _ready[model].set()


def wait_for_model(model: str, timeout: float = 600) -> None:
    """Block until the worker's warm-up has loaded this model (at once when there was none)."""
    _ready[model].wait(timeout)
