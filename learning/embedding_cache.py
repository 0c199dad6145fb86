"""Sentence vectors cached in the database by partnership, model id and text hash.

Each call uses its own short transaction from the session factory, so vectors survive a
failed run (the retry embeds nothing twice) and the run's own session never holds a lock
while the model is working.

Each partnership has its own cache. `Embedding` is partnership-owned, so the factory's
sessions must work in the run's partnership (`tenancy.sessions_like` / `sessions_in`; an
unscoped factory fails closed) and they read and write only that partnership's vectors.
A cache shared by text hash would not leak words (a vector is keyed by a sha256 and nobody
reads vectors), but it would leak *membership*: a run that hits the cache does less work, and
a run's page shows its progress and duration. A quality group member in partnership B who
can submit a guessed sentence through B's own anonymous link and then theme it could tell,
by how quickly the embedding step passes (or by its done/total counts), whether partnership
A already holds exactly that sentence ("the boy at Hill School said ..."). Guessable short
texts are exactly the risky ones in safeguarding. Scoping the cache costs one embedding per
partnership for a text two of them share (milliseconds each); it closes the oracle outright.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from learning.models import Embedding

BATCH = 500  # keeps IN (...) lists small for every back-end


class DatabaseEmbeddingCache:
    """Read and write float32 vectors in the `embeddings` table, in the sessions' partnership."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """Return the vectors stored for these hashes."""
        unique = list(dict.fromkeys(hashes))
        found: dict[str, NDArray[np.float32]] = {}
        with self.session_factory() as session:
            for start in range(0, len(unique), BATCH):
                rows = session.execute(
                    select(Embedding.text_hash, Embedding.vector).where(
                        Embedding.model == model,
                        Embedding.text_hash.in_(unique[start : start + BATCH]),
                    )
                )
                found.update({h: np.frombuffer(blob, dtype=np.float32).copy() for h, blob in rows})
            session.commit()
        return found

    def put_many(self, model: str, items: Mapping[str, NDArray[np.float32]]) -> None:
        """Store vectors by hash, skipping hashes already stored (another worker's)."""
        if not items:
            return
        with self.session_factory() as session:
            known: set[str] = set()
            hashes = list(items)
            for start in range(0, len(hashes), BATCH):
                known.update(
                    session.scalars(
                        select(Embedding.text_hash).where(
                            Embedding.model == model,
                            Embedding.text_hash.in_(hashes[start : start + BATCH]),
                        )
                    )
                )
            session.add_all(
                Embedding(
                    model=model,
                    text_hash=h,
                    vector=np.asarray(v, dtype=np.float32).tobytes(),
                )
                for h, v in items.items()
                if h not in known
            )
            try:
                session.commit()
            except IntegrityError:  # another worker stored the same text first: keep theirs
                session.rollback()

    def count(self, model: str | None = None) -> int:
        """Return how many vectors are stored (for one model, or all)."""
        from sqlalchemy import func

        query = select(func.count(Embedding.id))
        if model is not None:
            query = query.where(Embedding.model == model)
        with self.session_factory() as session:
            return int(session.scalar(query) or 0)
