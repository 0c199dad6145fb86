"""Theme edits on a finished run: rename, merge, split, move, discard, and undo."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from learning import runs, theme_edits, theme_split, themes
from learning.embedding_cache import DatabaseEmbeddingCache
from learning.errors import EditRefused, InvalidInput, NotFound
from learning.models import (
    Embedding,
    LabelSource,
    Theme,
    ThemeLineage,
    ThemeState,
    ThemeStatement,
)
from learning.selection import Selection
from nlp.embedding import StoredVectors
from nlp.theming import SklearnThemer
from surveys.models import DisclosureFlag, utcnow

from .conftest import ESCALATION, SUPERVISION, TRAINING, SpyPipeline


@pytest.fixture
def run(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])
    run = runs.start_run(world.session, Selection(streams=("consultation",)), started_by=None)
    return runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)


def _about(world, run, word):
    for theme in runs.visible_themes(world.session, run.id):
        if sum(word in s.text.lower() for s in themes.statements_of(world.session, theme)) >= 5:
            return theme
    raise AssertionError(word)


def _members(world, theme):
    return {s.id for s in themes.statements_of(world.session, theme)}


def test_rename_and_undo(world, run):
    theme = _about(world, run, "supervision")
    machine = theme.label
    edit = theme_edits.rename_theme(
        world.session, theme.id, "  Reflective   supervision ", edited_by=world.quality
    )
    assert theme.label == "Reflective supervision" and theme.label_source is LabelSource.HUMAN
    assert world.session.get(ThemeLineage, theme.lineage_key).human_label == theme.label
    assert edit.summary == f"Renamed “{machine}” to “Reflective supervision”"
    theme_edits.undo_edit(world.session, edit.id, undone_by=world.quality)
    assert theme.label == machine and theme.label_source is LabelSource.MACHINE
    assert world.session.get(ThemeLineage, theme.lineage_key).human_label is None
    with pytest.raises(InvalidInput):
        theme_edits.rename_theme(world.session, theme.id, "   ", edited_by=world.quality)


def test_merge_recounts_and_undo_restores(world, run):
    target, other = _about(world, run, "supervision"), _about(world, run, "training")
    before_target, before_other = _members(world, target), _members(world, other)
    edit = theme_edits.merge_themes(world.session, target.id, [other.id], edited_by=world.quality)
    assert _members(world, target) == before_target | before_other
    assert target.size == 20 and target.share == pytest.approx(20 / 30, abs=1e-3)
    assert {"supervision", "training"} <= set(target.keywords)
    assert set(target.quote_ids) <= _members(world, target) and len(target.quote_ids) == 4
    assert other.state is ThemeState.MERGED and other.merged_into_id == target.id
    assert other not in runs.visible_themes(world.session, run.id)
    theme_edits.undo_edit(world.session, edit.id, undone_by=world.quality)
    assert _members(world, target) == before_target and _members(world, other) == before_other
    assert other.state is ThemeState.ACTIVE and target.size == 10 and other.size == 10
    assert world.session.get(ThemeLineage, other.lineage_key).merged_into_key is None


def test_split_reclusters_one_theme_and_undo_removes_the_parts(world, run):
    target, other = _about(world, run, "supervision"), _about(world, run, "escalation")
    merge = theme_edits.merge_themes(world.session, target.id, [other.id], edited_by=world.quality)
    split = theme_split.split_theme(
        world.session, target.id, pipeline_factory=SpyPipeline, edited_by=world.quality
    )
    parts = world.session.scalars(select(Theme).where(Theme.split_from_id == target.id)).all()
    assert len(parts) >= 2 and target.state is ThemeState.SPLIT
    assert sum(p.size for p in parts) == 20
    assert len({p.lineage_key for p in parts}) == len(parts)
    word_sets = [
        {s.text.lower().count("escalat") > 0 for s in themes.statements_of(world.session, p)}
        for p in parts
    ]
    assert {frozenset(w) for w in word_sets} == {frozenset({True}), frozenset({False})}
    with pytest.raises(EditRefused):
        theme_edits.undo_edit(world.session, merge.id, undone_by=world.quality)  # newest first
    theme_edits.undo_edit(world.session, split.id, undone_by=world.quality)
    assert world.session.scalars(select(Theme).where(Theme.split_from_id == target.id)).all() == []
    assert target.state is ThemeState.ACTIVE and target.size == 20


def _web_pipeline(session_factory):
    """What a web process splits with: stored vectors only, no model."""
    cache = DatabaseEmbeddingCache(session_factory)
    return SimpleNamespace(embedder=StoredVectors(), themer=SklearnThemer(), cache=cache, seed=0)


def test_a_web_process_splits_with_the_vectors_the_runs_model_stored(world, run, session_factory):
    assert run.embedder_model == "hashing-512"
    target = _about(world, run, "supervision")
    theme_edits.merge_themes(
        world.session, target.id, [_about(world, run, "escalation").id], edited_by=world.quality
    )
    theme_split.split_theme(
        world.session,
        target.id,
        pipeline_factory=lambda: _web_pipeline(session_factory),
        edited_by=world.quality,
    )
    parts = world.session.scalars(select(Theme).where(Theme.split_from_id == target.id)).all()
    assert len(parts) >= 2 and sum(p.size for p in parts) == 20


def test_a_web_process_refuses_a_split_whose_vectors_are_gone(world, run, session_factory):
    target = _about(world, run, "supervision")
    world.session.execute(delete(Embedding))
    world.session.commit()
    with pytest.raises(EditRefused, match="start a new theming run"):
        theme_split.split_theme(
            world.session,
            target.id,
            pipeline_factory=lambda: _web_pipeline(session_factory),
            edited_by=world.quality,
        )
    assert target.state is ThemeState.ACTIVE


def test_split_refuses_a_tiny_theme(world, run):
    theme = _about(world, run, "training")
    rows = themes.statements_of(world.session, theme)
    keep = _about(world, run, "supervision")
    theme_edits.move_statements(
        world.session, [r.id for r in rows[3:]], keep.id, edited_by=world.quality
    )
    with pytest.raises(EditRefused, match="at least 4 statements"):
        theme_split.split_theme(
            world.session, theme.id, pipeline_factory=SpyPipeline, edited_by=world.quality
        )


def test_move_statements_and_undo(world, run):
    source, target = _about(world, run, "training"), _about(world, run, "escalation")
    moving = sorted(_members(world, source))[:3]
    edit = theme_edits.move_statements(world.session, moving, target.id, edited_by=world.quality)
    assert source.size == 7 and target.size == 13
    assert set(moving) <= _members(world, target)
    assert not set(source.quote_ids) & set(moving)
    theme_edits.undo_edit(world.session, edit.id, undone_by=world.quality)
    assert source.size == 10 and set(moving) <= _members(world, source)


def test_discard_hides_the_theme_until_undone(world, run):
    theme = _about(world, run, "training")
    edit = theme_edits.discard_theme(world.session, theme.id, edited_by=world.quality)
    assert theme not in runs.visible_themes(world.session, run.id)
    assert theme in runs.visible_themes(world.session, run.id, include_discarded=True)
    assert world.session.get(ThemeLineage, theme.lineage_key).is_discarded
    theme_edits.undo_edit(world.session, edit.id, undone_by=world.quality)
    assert theme.state is ThemeState.ACTIVE
    assert [e.summary for e in theme_edits.edits_of(world.session, run.id)][0].startswith(
        "Discarded"
    )


def test_themes_of_an_unfinished_run_cannot_be_edited(world, run):
    theme = _about(world, run, "training")
    run.status = runs.RunStatus.RUNNING
    world.session.commit()
    with pytest.raises(NotFound):
        theme_edits.rename_theme(world.session, theme.id, "Training", edited_by=world.quality)
    assert runs.visible_themes(world.session, run.id) == []


def test_answers_flagged_after_the_run_leave_quotes_and_statements(world, run):
    theme = _about(world, run, "training")
    quoted = world.session.get(ThemeStatement, theme.quote_ids[0])
    world.session.add(
        DisclosureFlag(
            response_id=quoted.response_id,
            question_id=quoted.question_id,
            reasons="late_screen",
            review_due_at=utcnow(),
        )
    )
    world.session.commit()
    assert quoted.id not in {q.id for q in themes.quotes_of(world.session, theme)}
    assert quoted.id not in _members(world, theme)


def test_a_runs_theme_list_reads_every_split_at_once_as_each_theme_would(world, run):
    listed = runs.visible_themes(world.session, run.id)
    theme = _about(world, run, "training")
    statements = themes.statements_of(world.session, theme)
    sub_theme = Theme(
        run_id=run.id, parent_id=theme.id, number=99, label="Part", machine_label="Part"
    )
    world.session.add(sub_theme)
    world.session.flush()
    for statement in statements[:4]:
        statement.sub_theme_id = sub_theme.id
    world.session.add(  # an answer flagged after the run leaves both splits
        DisclosureFlag(
            response_id=statements[0].response_id,
            question_id=statements[0].question_id,
            reasons="late_screen",
            review_due_at=utcnow(),
        )
    )
    world.session.commit()
    splits = themes.polarity_splits(world.session, [*listed, sub_theme])
    assert splits == {
        t.id: themes.polarity_split(themes.statements_of(world.session, t))
        for t in [*listed, sub_theme]
    }
    assert splits[theme.id].total == len(statements) - 1 and splits[sub_theme.id].total == 3
    assert {s.works_well_share for s in splits.values()} == {0.0, 1.0}
