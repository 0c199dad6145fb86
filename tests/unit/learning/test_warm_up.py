"""The worker loads its models as it starts; jobs that need them wait, light settings skip it."""

from __future__ import annotations

import threading

import pytest

from learning import theming_job


@pytest.fixture(autouse=True)
def _ready_after():
    yield
    for event in theming_job._ready.values():
        event.set()


def test_light_settings_load_nothing_and_never_wait():
    assert theming_job.start_warm_up(embedder="tfidf", semantic_screen=False) is None
    theming_job.wait_for_model(theming_job.SCREEN, timeout=0)
    assert all(event.is_set() for event in theming_job._ready.values())


def test_jobs_wait_until_the_semantic_screen_has_loaded(monkeypatch):
    import nlp.disclosure_model

    loading = threading.Event()
    screened: list[list[str]] = []

    class SlowScreen:
        def screen(self, texts):
            loading.wait(timeout=10)
            screened.append(list(texts))
            return []

    monkeypatch.setattr(nlp.disclosure_model, "default_screen", SlowScreen)
    ready: list[str] = []
    thread = theming_job.start_warm_up(
        embedder="tfidf", semantic_screen=True, on_ready=lambda model, _s: ready.append(model)
    )
    assert thread is not None
    assert not theming_job._ready[theming_job.SCREEN].is_set()  # a screening job waits here
    assert theming_job._ready[theming_job.EMBEDDER].is_set()  # tfidf: theming never waits
    loading.set()
    theming_job.wait_for_model(theming_job.SCREEN, timeout=10)
    thread.join(timeout=10)
    assert ready == [theming_job.SCREEN] and len(screened) == 1


def test_a_failed_warm_up_does_not_block_jobs_for_ever(monkeypatch):
    import nlp.disclosure_model

    def broken():
        raise OSError("model files missing")

    monkeypatch.setattr(nlp.disclosure_model, "default_screen", broken)
    thread = theming_job.start_warm_up(embedder="tfidf", semantic_screen=True)
    thread.join(timeout=10)
    assert theming_job._ready[theming_job.SCREEN].is_set()


def test_minilm_embedder_is_shared_by_the_process():
    assert theming_job.shared_embedder("minilm") is theming_job.shared_embedder("minilm")
    assert theming_job.shared_embedder("tfidf") is not theming_job.shared_embedder("tfidf")
