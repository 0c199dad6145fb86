"""The theming job's pipeline: the product's default steps, with the database embedding cache."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from learning.embedding_cache import DatabaseEmbeddingCache


def build_pipeline(sessions: sessionmaker[Session], *, embedder: str = "minilm") -> Any:
    """Return the ThemingPipeline a theming run uses.

    MiniLM (offline) embeddings cached in the database, BERTopic with the deterministic
    micro-cluster merge, rule + NER redaction, lexicon polarity that honours each
    question's declared polarity. `embedder="tfidf"` is the light path for tests.
    """
    from nlp.pipeline import STEPS, ThemingPipeline
    from nlp.sentiment import LexiconPolarity, score_function

    return ThemingPipeline(
        embedder=STEPS["embedder"][embedder](),
        themer=STEPS["themer"]["bertopic" if embedder == "minilm" else "sklearn"](),
        cache=DatabaseEmbeddingCache(sessions),
        polarity=score_function(LexiconPolarity()),
    )
