"""Two runs over growing data keep theme identities and human edits."""

from __future__ import annotations

from sqlalchemy import select

from learning import runs, theme_edits, themes
from learning.lineage import current_theme, gone_themes, lineage_history
from learning.models import LabelSource, ThemeState, Trend
from learning.selection import Selection

from .conftest import ESCALATION, SUPERVISION, TRAINING

MORE_SUPERVISION = [
    "Supervision helps us reflect on how cases are going",
    "Regular reflective supervision is valued",
    "Supervision gives us time to reflect on plans",
    "We reflect on cases in monthly supervision",
    "Reflective group supervision is really valued",
    "Protected supervision time to reflect matters",
]


def _run(world, pipeline):
    run = runs.start_run(world.session, Selection(streams=("consultation",)), started_by=None)
    return runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)


def _theme_with(world, run, word):
    for theme in runs.visible_themes(world.session, run.id, include_discarded=True):
        texts = " ".join(s.text.lower() for s in themes.statements_of(world.session, theme))
        if texts.count(word) >= 3:
            return theme
    raise AssertionError(f"no theme about {word}")


def test_first_run_themes_are_all_new(world, pipeline):
    world.consultation_corpus(TRAINING, ESCALATION)
    run = _run(world, pipeline)
    found = runs.visible_themes(world.session, run.id)
    assert found and {t.trend for t in found} == {Trend.NEW}
    assert len({t.lineage_key for t in found}) == len(found)


def test_two_runs_over_growing_data_keep_identities_and_human_edits(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])
    first = _run(world, pipeline)
    supervision = _theme_with(world, first, "supervision")
    escalation = _theme_with(world, first, "escalat")
    training = _theme_with(world, first, "training")
    theme_edits.rename_theme(
        world.session, supervision.id, "Reflective supervision", edited_by=world.quality
    )
    theme_edits.discard_theme(world.session, training.id, edited_by=world.quality)

    world.consultation_corpus(MORE_SUPERVISION, [])
    second = _run(world, pipeline)
    again = _theme_with(world, second, "supervision")
    assert again.lineage_key == supervision.lineage_key
    assert again.label == "Reflective supervision"
    assert again.label_source is LabelSource.HUMAN
    assert again.trend is Trend.GROWING
    assert again.previous_theme_id == supervision.id
    assert _theme_with(world, second, "escalat").lineage_key == escalation.lineage_key
    training_again = _theme_with(world, second, "training")
    assert training_again.lineage_key == training.lineage_key
    assert training_again.state is ThemeState.DISCARDED
    assert training_again not in runs.visible_themes(world.session, second.id)
    assert [t.run_id for t in lineage_history(world.session, supervision.lineage_key)] == [
        first.id,
        second.id,
    ]
    assert current_theme(world.session, supervision.lineage_key).id == again.id


def test_a_theme_missing_from_the_next_run_is_recorded_as_gone(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])
    first = _run(world, pipeline)
    training = _theme_with(world, first, "training")
    for response in world.responses:
        if "training" in str(response.answers.get("what_works", "")).lower():
            response.answers = {"what_works": "n/a"}  # the training answers are withdrawn
    world.session.commit()
    second = _run(world, pipeline)
    fates = {f.previous_theme_id: f.status for f in gone_themes(world.session, second.id)}
    assert fates.get(training.id) == "gone"


def test_a_human_merge_is_carried_into_the_next_run(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])
    first = _run(world, pipeline)
    supervision = _theme_with(world, first, "supervision")
    training = _theme_with(world, first, "training")
    theme_edits.merge_themes(world.session, supervision.id, [training.id], edited_by=world.quality)
    world.consultation_corpus(MORE_SUPERVISION, [])
    second = _run(world, pipeline)
    merged = runs.visible_themes(world.session, second.id)
    target = next(t for t in merged if t.lineage_key == supervision.lineage_key)
    texts = " ".join(s.text.lower() for s in themes.statements_of(world.session, target))
    assert "training" in texts and "supervision" in texts
    assert training.lineage_key not in {t.lineage_key for t in merged}
    assert world.session.scalars(select(runs.ThemingRun)).all()[-1].id == second.id
