"""A theme's decisions follow it to a later run only when the match is sure; else the group
confirms where it went, and nothing moves until then."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from learning import actions, board, carries, log, runs, theme_edits, themes
from learning.errors import EditRefused
from learning.lineage import current_theme
from learning.models import Action, BoardItem, EntryTheme, LabelSource, ThemeFate, Trend
from learning.selection import Selection
from surveys.audit import AuditEvent

from .conftest import ESCALATION, SUPERVISION, TRAINING


def _run(world, pipeline, selection=None):
    run = runs.start_run(
        world.session, selection or Selection(streams=("consultation",)), started_by=None
    )
    return runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)


def _theme_with(world, run, word):
    for theme in runs.visible_themes(world.session, run.id, include_discarded=True):
        texts = " ".join(s.text.lower() for s in themes.statements_of(world.session, theme))
        if texts.count(word) >= 3:
            return theme
    raise AssertionError(f"no theme about {word}")


def _decide(world, first):
    """The group renames, places, links and acts on the first run's themes."""
    supervision = _theme_with(world, first, "supervision")
    escalation = _theme_with(world, first, "escalat")
    training = _theme_with(world, first, "training")
    theme_edits.rename_theme(world.session, training.id, "Courses", edited_by=world.quality)
    item = board.place_on_board(
        world.session,
        lineage_key=supervision.lineage_key,
        column="stabilised",
        decided_by=world.quality,
    )
    entry = log.create_entry_from_theme(world.session, escalation.id, created_by=world.quality)
    action = actions.create_action(
        world.session,
        description="Keep supervision protected",
        owner_organisation_id=world.police.id,
        due_date=date(2027, 3, 1),
        created_by=world.quality,
        board_item_id=item.id,
    )
    return supervision, escalation, training, item, entry, action


def test_a_run_with_one_more_answer_keeps_every_decision_on_the_same_theme(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])
    first = _run(world, pipeline)
    supervision, escalation, training, item, entry, action = _decide(world, first)

    world.consultation_corpus(["Supervision gives us time to reflect on each case"], [])
    second = _run(world, pipeline)

    assert second.comparable is True
    again = _theme_with(world, second, "supervision")
    assert again.lineage_key == supervision.lineage_key  # the board place followed
    assert current_theme(world.session, item.lineage_key).id == again.id
    assert board.item_title(world.session, item) == again.label
    action_item = world.session.get(BoardItem, world.session.get(Action, action.id).board_item_id)
    assert current_theme(world.session, action_item.lineage_key).id == again.id
    link = world.session.scalars(select(EntryTheme).where(EntryTheme.entry_id == entry.id)).one()
    assert current_theme(world.session, link.lineage_key).id == (
        _theme_with(world, second, "escalat").id
    )
    courses = _theme_with(world, second, "training")
    assert courses.lineage_key == training.lineage_key
    assert (courses.label, courses.label_source) == ("Courses", LabelSource.HUMAN)
    assert carries.pending_carries(world.session, second.id) == []
    assert {t.trend for t in runs.visible_themes(world.session, second.id)} <= set(Trend)
    assert None not in {t.trend for t in runs.visible_themes(world.session, second.id)}


def test_a_run_over_other_questions_moves_nothing_and_asks_to_confirm(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])
    first = _run(world, pipeline)
    supervision, escalation, training, item, entry, action = _decide(world, first)

    other = Selection(streams=("consultation",), question_ids=("what_works",))
    second = _run(world, pipeline, other)

    assert second.comparable is False and second.previous_run_id == first.id
    listed = runs.visible_themes(world.session, second.id)
    kept = {supervision.lineage_key, escalation.lineage_key, training.lineage_key}
    assert not kept & {t.lineage_key for t in listed}  # nothing carried on its own
    assert {t.trend for t in listed} == {None}  # no trend words across selections
    assert all(t.label_source is LabelSource.MACHINE for t in listed)
    assert current_theme(world.session, item.lineage_key).id == supervision.id  # stays put
    assert board.item_title(world.session, item) == supervision.label

    pending = {c.old.id: c for c in carries.pending_carries(world.session, second.id)}
    # Escalation was a barrier, not "what works": it is gone; the others probably came back.
    assert set(pending) == {supervision.id, escalation.id, training.id}
    assert pending[escalation.id].candidates == []
    target = _theme_with(world, second, "supervision")
    assert [t.id for t in pending[supervision.id].candidates] == [target.id]
    assert pending[supervision.id].board_place == "stabilised"

    carries.confirm_carry(
        world.session, pending[supervision.id].fate.id, target.id, user=world.quality
    )
    carries.leave_carry(world.session, pending[escalation.id].fate.id, user=world.quality)

    assert current_theme(world.session, item.lineage_key).id == target.id  # moved on confirming
    assert board.item_title(world.session, item) == target.label
    assert world.session.get(Action, action.id).board_item_id == item.id
    assert current_theme(world.session, escalation.lineage_key).id == escalation.id
    fate = world.session.get(ThemeFate, pending[supervision.id].fate.id)
    assert (fate.resolution, fate.moved_to_id, fate.resolved_by_id) == (
        "moved",
        target.id,
        world.quality.id,
    )
    audited = world.session.scalars(select(AuditEvent.action)).all()
    assert "theme_carry_moved" in audited and "theme_carry_left" in audited
    assert [c.old.id for c in carries.pending_carries(world.session, second.id)] == [training.id]

    courses = _theme_with(world, second, "training")
    carries.confirm_carry(world.session, pending[training.id].fate.id, courses.id, user=None)
    assert world.session.get(type(courses), courses.id).label == "Courses"  # the human name came


def test_a_carry_is_confirmed_once_and_only_to_a_theme_of_its_run(world, pipeline):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])
    first = _run(world, pipeline)
    supervision, *_ = _decide(world, first)
    second = _run(
        world, pipeline, Selection(streams=("consultation",), question_ids=("what_works",))
    )
    carry = next(
        c for c in carries.pending_carries(world.session, second.id) if c.old.id == supervision.id
    )
    with pytest.raises(EditRefused):
        carries.confirm_carry(world.session, carry.fate.id, supervision.id, user=world.quality)
    carries.leave_carry(world.session, carry.fate.id, user=world.quality)
    with pytest.raises(EditRefused):
        carries.leave_carry(world.session, carry.fate.id, user=world.quality)
