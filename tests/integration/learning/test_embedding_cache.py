"""Each partnership has its own embeddings cache: another partnership's texts are never a hit."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

import learning.models  # noqa: F401 - registers the learning tables on Base
from learning.embedding_cache import DatabaseEmbeddingCache
from learning.models import Embedding
from nlp.embedding import CachedEmbedder, HashingEmbedder, text_hash
from surveys import tenancy
from surveys.database import make_engine, make_session_factory
from surveys.models import Base, Partnership

SECRET = "The boy at Hill School said his stepdad hits him"


@pytest.fixture
def two_caches(tmp_path):
    """The caches of partnerships A and B on one database, and a factory of unscoped sessions."""
    engine = make_engine(f"sqlite:///{tmp_path / 'cache.db'}")
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        a, b = Partnership(name="A"), Partnership(name="B")
        session.add_all([a, b])
        session.commit()
    caches = [DatabaseEmbeddingCache(tenancy.sessions_in(sessions, p.id)) for p in (a, b)]
    yield (*caches, sessions)
    engine.dispose()


class CountingEmbedder:
    """The hashing embedder, counting the texts it was asked to embed."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.model_id, self.is_cacheable, self.embedded = self.inner.model_id, True, 0

    def embed(self, texts, progress=None):
        self.embedded += len(texts)
        return self.inner.embed(texts, progress)


def test_a_run_in_b_never_hits_a_vector_cached_for_as_text(two_caches):
    cache_a, cache_b, _ = two_caches
    in_a, in_b = CountingEmbedder(), CountingEmbedder()
    CachedEmbedder(in_a, cache_a).embed([SECRET])
    b_embedder = CachedEmbedder(in_b, cache_b)
    b_embedder.embed([SECRET, "Supervision helps"])
    assert (in_b.embedded, b_embedder.last_hits) == (2, 0)  # B does the work A already did
    CachedEmbedder(in_a, cache_a).embed([SECRET])
    assert in_a.embedded == 1  # A's own cache still serves A


def test_the_same_text_is_kept_once_per_partnership_with_its_own_vector(two_caches):
    cache_a, cache_b, sessions = two_caches
    key = text_hash(SECRET)
    cache_a.put_many("m", {key: np.ones(4, dtype=np.float32)})
    assert cache_b.get_many("m", [key]) == {}
    cache_b.put_many("m", {key: np.zeros(4, dtype=np.float32)})
    assert cache_a.get_many("m", [key])[key].tolist() == [1.0] * 4
    assert cache_b.get_many("m", [key])[key].tolist() == [0.0] * 4
    assert (cache_a.count("m"), cache_b.count("m")) == (1, 1)
    with sessions() as session, tenancy.every_partnership(session):
        owners = session.scalars(select(func.count(func.distinct(Embedding.partnership_id))))
        assert owners.one() == 2


def test_a_cache_whose_sessions_work_in_no_partnership_fails_closed(two_caches):
    *_, sessions = two_caches
    with pytest.raises(tenancy.NoPartnership):
        DatabaseEmbeddingCache(sessions).get_many("m", [text_hash(SECRET)])
