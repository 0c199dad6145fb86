"""An update run keeps the earlier run's themes, with every decision on the same theme, and
adds only the new answers; a changed selection is a full run that asks the group to confirm."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from learning import actions, board, carries, log, runs, theme_edits, themes
from learning.lineage import current_theme
from learning.models import (
    Action,
    BoardItem,
    EntryTheme,
    LabelSource,
    RunStatus,
    Theme,
    ThemeStatement,
    Trend,
)
from learning.selection import Selection
from learning.update_runs import suggests_full_run

from .conftest import ESCALATION, SUPERVISION, TRAINING

CONSULTATION = Selection(streams=("consultation",))
SAFEGUARDING_APPS = [
    "The new safeguarding phone app crashes when logging a concern",
    "Logging a concern in the phone app keeps crashing",
    "The phone app for safeguarding concerns crashes and loses data",
    "Our phone app crashes before the concern is logged",
    "The concern logging app on phones crashes often",
    "Phone app crashes whenever we log a safeguarding concern",
    "The safeguarding app crashes on older phones when logging",
    "Concern logging phone app crashes, data lost",
    "App crashes on phones mid concern, very frustrating",
    "The phone app crashes so concerns are logged late",
    "Logging concerns on the phone app crashes every week",
]


def _run(world, pipeline, selection=CONSULTATION, mode="update"):
    run = runs.start_run(world.session, selection, started_by=None, mode=mode)
    return runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)


def _theme_with(world, run, word):
    for theme in runs.visible_themes(world.session, run.id, include_discarded=True):
        texts = " ".join(s.text.lower() for s in themes.statements_of(world.session, theme))
        if texts.count(word) >= 3:
            return theme
    raise AssertionError(f"no theme about {word}")


def _decide(world, first):
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


def _corpus(world):
    world.consultation_corpus(SUPERVISION, ESCALATION)
    world.consultation_corpus(TRAINING, [])


def test_an_update_keeps_every_decision_on_the_same_theme_with_nothing_to_confirm(world, pipeline):
    _corpus(world)
    first = _run(world, pipeline, mode="full")
    assert first.mode == "full" and first.based_on_id is None
    supervision, escalation, training, item, entry, action = _decide(world, first)

    world.consultation_corpus(["Supervision gives us time to reflect on each case"], [])
    second = _run(world, pipeline)

    assert (second.mode, second.based_on_id, second.comparable) == ("update", first.id, True)
    assert pipeline.texts == ["Supervision gives us time to reflect on each case"]  # new only
    assert second.coverage["update"]["added_answers"] == 1
    assert second.coverage["update"]["removed_answers"] == 0
    again = _theme_with(world, second, "supervision")
    assert again.lineage_key == supervision.lineage_key
    assert again.size == supervision.size + 1  # the new statement joined its theme
    assert current_theme(world.session, item.lineage_key).id == again.id  # board place
    action_item = world.session.get(BoardItem, world.session.get(Action, action.id).board_item_id)
    assert current_theme(world.session, action_item.lineage_key).id == again.id  # actions
    link = world.session.scalars(select(EntryTheme).where(EntryTheme.entry_id == entry.id)).one()
    assert current_theme(world.session, link.lineage_key).id == (
        _theme_with(world, second, "escalat").id  # log link
    )
    courses = _theme_with(world, second, "training")
    assert (courses.lineage_key, courses.label) == (training.lineage_key, "Courses")
    assert courses.label_source is LabelSource.HUMAN
    assert carries.pending_carries(world.session, second.id) == []
    listed = runs.visible_themes(world.session, second.id)
    assert {t.lineage_key for t in listed} == {
        t.lineage_key for t in runs.visible_themes(world.session, first.id)
    }
    assert not any(t.is_emerging for t in listed)
    assert all(t.trend in set(Trend) for t in listed)
    assert suggests_full_run(second) == ""


def test_withdrawn_answers_leave_their_themes_and_a_new_group_emerges(world, pipeline):
    _corpus(world)
    first = _run(world, pipeline, mode="full")
    gone = world.responses[0]  # its supervision answer and its escalation answer
    gone.status = type(gone.status)("in_progress")  # reopened: no longer submitted
    world.session.commit()
    world.consultation_corpus([], SAFEGUARDING_APPS)
    second = _run(world, pipeline)

    assert second.mode == "update"
    assert second.coverage["update"]["removed_answers"] == 2
    kept = world.session.scalars(
        select(ThemeStatement.response_id).where(ThemeStatement.run_id == second.id)
    ).all()
    assert gone.id not in kept
    emerging = [t for t in runs.visible_themes(world.session, second.id) if t.is_emerging]
    assert len(emerging) == 1 and emerging[0].trend is Trend.NEW
    texts = [s.text for s in themes.statements_of(world.session, emerging[0])]
    assert sum("app" in t for t in texts) >= 10
    earlier = {t.label for t in runs.visible_themes(world.session, first.id)}
    assert emerging[0].label not in earlier  # named apart from the existing themes
    assert "more than 20%" in suggests_full_run(second)  # 11 new answers on 20 read before


def test_a_changed_selection_is_a_full_run_that_asks_to_confirm(world, pipeline):
    _corpus(world)
    first = _run(world, pipeline, mode="full")
    supervision, escalation, training, item, *_ = _decide(world, first)

    other = Selection(streams=("consultation",), question_ids=("what_works",))
    second = _run(world, pipeline, other)  # asked for an update: no run over this selection

    assert (second.mode, second.based_on_id, second.comparable) == ("full", None, False)
    assert current_theme(world.session, item.lineage_key).id == supervision.id  # nothing moved
    pending = {c.old.id for c in carries.pending_carries(world.session, second.id)}
    assert supervision.id in pending


def test_an_update_after_a_full_rerun_starts_from_the_latest_run(world, pipeline):
    _corpus(world)
    _run(world, pipeline, mode="full")
    second = _run(world, pipeline, mode="full")
    world.consultation_corpus(["Reflective supervision time is valued"], [])
    third = _run(world, pipeline)
    assert third.based_on_id == second.id
    assert (
        world.session.scalars(
            select(Theme).where(Theme.run_id == third.id, Theme.is_emerging)
        ).all()
        == []
    )


def test_an_update_stopped_half_way_saves_nothing_and_can_be_retried(world, pipeline):
    _corpus(world)
    first = _run(world, pipeline, mode="full")
    world.consultation_corpus(["Supervision gives us time to reflect on each case"], [])
    run = runs.start_run(world.session, CONSULTATION, started_by=None, mode="update")
    pipeline.fail_at = "embed"
    with pytest.raises(RuntimeError):
        runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)
    world.session.expire_all()
    assert runs.get_run(world.session, run.id).status is RunStatus.FAILED
    for table in (Theme, ThemeStatement):
        assert world.session.scalars(select(table).where(table.run_id == run.id)).all() == []
    assert len(runs.visible_themes(world.session, first.id)) >= 3  # the earlier run untouched

    pipeline.fail_at = None
    again = runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)
    assert (again.status, again.mode, again.based_on_id) == (RunStatus.FINISHED, "update", first.id)
    assert again.coverage["update"]["added_answers"] == 1
