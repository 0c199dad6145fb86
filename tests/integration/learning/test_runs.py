"""Theming runs against a real SQLite database and the real (fast) pipeline."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from learning import run_results, runs
from learning.embedding_cache import DatabaseEmbeddingCache
from learning.errors import RunNotReady
from learning.models import Embedding, RunStatus, Theme, ThemeStatement
from learning.selection import Selection, collect_statements
from nlp.non_answers import EXEMPLARS
from nlp.pipeline import _EXEMPLAR_VECTORS

from .conftest import ESCALATION, SUPERVISION, TRAINING, SpyPipeline

CONSULTATION = Selection(streams=("consultation",))


def _run(world, pipeline, selection=CONSULTATION, **kwargs):
    run = runs.start_run(world.session, selection, started_by=world.quality)
    return runs.execute_run(
        world.session, run.id, pipeline=pipeline, registry=world.registry, **kwargs
    )


def _count(session, model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def test_start_run_queues_with_selection(world):
    run = runs.start_run(world.session, CONSULTATION, started_by=world.quality)
    assert run.status is RunStatus.QUEUED
    assert Selection.from_json(run.selection) == CONSULTATION
    assert run.streams_key == "consultation"


def test_flagged_answers_never_reach_the_pipeline(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_answer(
        {"what_works": "Flag-free praise of the MASH team", "barriers": "SECRET disclosure one"},
        flagged_question="barriers",
    )
    world.consultation_answer(
        {"what_works": "SECRET unknown flag text", "barriers": "SECRET unknown flag barrier"},
        flagged=True,  # flagged but its flags are missing: everything withheld
    )
    run = _run(world, pipeline)
    assert run.status is RunStatus.FINISHED
    assert not [t for t in pipeline.texts if "SECRET" in t]
    assert "Flag-free praise of the MASH team" in pipeline.texts
    stored = world.session.scalars(select(ThemeStatement.text)).all()
    assert stored and not [t for t in stored if "SECRET" in t]
    assert run.coverage["withheld_answers"] == 3


def test_collect_statements_filters_by_sector_and_reads_ratings(world):
    low = {"value": "not_met", "scale_version": 1}
    world.section_11_answer(
        world.police, {"s1_rating": low, "s1_development": "Board reports lack detail"}
    )
    world.section_11_answer(
        world.school,
        {"s1_rating": {"value": "met", "scale_version": 1}, "s1_evidence": "Governor minutes"},
    )
    found = collect_statements(world.session, Selection(sectors=("police",)), world.registry)
    assert [(a.question_id, a.sector, a.rating_is_low) for a in found] == [
        ("s1_development", "police", True)
    ]
    assert found[0].polarity_hint == "areas_for_development"
    assert found[0].standard == "S11-1"
    everything = collect_statements(world.session, Selection(), world.registry)
    assert {a.rating_is_low for a in everything} == {True, False}


def test_finished_run_saves_themes_statements_config_and_coverage(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, ["n/a"] * 10)
    run = _run(world, pipeline)
    themes = runs.visible_themes(world.session, run.id)
    assert len(themes) >= 2
    assert sum(t.size for t in themes) == run.coverage["statements"] == 30
    assert run.coverage["non_answers"] == 10
    assert run.coverage["answers_by_stream"] == {"consultation": 40}
    assert run.config["embedder"]["model_id"] == "hashing-512"
    assert all(t.lineage_key and t.quote_ids for t in themes)
    assert runs.run_progress(world.session, run.id).percent == 100
    assert run.attempts == 1


def test_failure_mid_run_leaves_no_themes_and_a_readable_reason(world):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    with pytest.raises(RuntimeError):
        _run(world, SpyPipeline(fail_at="cluster"))
    run = world.session.scalars(select(runs.ThemingRun)).one()
    assert run.status is RunStatus.FAILED
    assert "grouping statements into themes" in run.failure_reason
    assert "SECRET" not in run.failure_reason
    assert _count(world.session, Theme) == 0
    assert runs.visible_themes(world.session, run.id) == []
    retried = runs.execute_run(
        world.session, run.id, pipeline=SpyPipeline(), registry=world.registry
    )
    assert retried.status is RunStatus.FINISHED and retried.attempts == 2
    assert retried.failure_reason == ""


def test_failure_while_saving_rolls_back_every_row(world, pipeline, monkeypatch):
    world.consultation_corpus(SUPERVISION, ESCALATION)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(run_results, "apply_lineage", broken)
    with pytest.raises(OSError):
        _run(world, pipeline)
    run = world.session.scalars(select(runs.ThemingRun)).one()
    assert run.status is RunStatus.FAILED
    assert "saving the themes" in run.failure_reason
    assert _count(world.session, Theme) == 0
    assert _count(world.session, ThemeStatement) == 0


def test_rerun_embeds_only_new_text(world, session_factory):
    class CountingEmbedder:
        def __init__(self, inner):
            self.inner, self.model_id, self.is_cacheable = inner, inner.model_id, True
            self.embedded = 0

        def embed(self, texts, progress=None):
            self.embedded += len(texts)
            return self.inner.embed(texts, progress)

    cache = DatabaseEmbeddingCache(session_factory)
    pipeline = SpyPipeline(cache)
    counter = CountingEmbedder(pipeline.inner.embedder)
    pipeline.inner.embedder = counter
    world.consultation_corpus(SUPERVISION, ESCALATION)
    _EXEMPLAR_VECTORS.clear()
    _run(world, pipeline)
    first = counter.embedded
    # the twenty answers, and once per process the known non-answers it compares them with
    assert first == 20 + len(EXEMPLARS) and cache.count("hashing-512") == 20
    world.consultation_corpus(TRAINING, ["Staff need time to attend strategy meetings"])
    _run(world, pipeline)
    assert counter.embedded - first == 11  # ten new responses: eleven new answers
    assert _count(world.session, Embedding) == 31


def test_cancelled_run_stops_and_saves_nothing(world, pipeline, session_factory):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    run = runs.start_run(world.session, CONSULTATION, started_by=world.quality)

    def cancel_when_embedding(stage, done, total):
        if stage == "embed":
            with session_factory() as other:
                runs.cancel_run(other, run.id)

    result = runs.execute_run(
        world.session,
        run.id,
        pipeline=pipeline,
        registry=world.registry,
        progress=cancel_when_embedding,
    )
    assert result.status is RunStatus.CANCELLED
    assert _count(world.session, Theme) == 0
    with pytest.raises(RunNotReady):
        runs.cancel_run(world.session, run.id)


def test_empty_selection_fails_with_a_reason_and_is_not_retried(world, pipeline):
    run = _run(world, pipeline, Selection(streams=("child_voice",)))
    assert run.status is RunStatus.FAILED
    assert run.failure_reason == "No submitted free-text answers match this selection."
    assert pipeline.texts == []


def test_previous_comparable_run_needs_the_same_streams(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    first = _run(world, pipeline)
    second = _run(world, pipeline)
    world.section_11_answer(world.police, {"s1_development": "Board reports lack detail"})
    other = _run(world, pipeline, Selection(streams=("section_11",)))
    assert second.previous_run_id == first.id
    # Another selection is matched to the latest run only to ask the group, never to carry.
    assert other.status is RunStatus.FINISHED and other.previous_run_id == second.id
    assert second.comparable is True and other.comparable is False
    assert runs.latest_finished_run(world.session).id == other.id
