"""The board, the learning log and actions, built on a real finished run."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from learning import actions, board, log, runs, theme_edits, themes
from learning.errors import InvalidInput, NotAllowed
from learning.log import EntryDetails
from learning.models import ActionStatus, BoardColumn, EntryStatus, SourceKind
from learning.selection import Selection
from surveys import memberships
from tests import factories

from .conftest import ESCALATION, SUPERVISION, TRAINING

LOW = {"value": "not_met", "scale_version": 1}
MET = {"value": "met", "scale_version": 1}


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


def test_suggestions_use_novelty_and_declared_polarity(world, run):
    escalation = board.suggest_placement(world.session, _about(world, run, "escalation"))
    training = board.suggest_placement(world.session, _about(world, run, "training"))
    assert escalation.column is BoardColumn.CREATED
    assert escalation.reason == "New this run; 100% of its statements say what must change."
    assert training.column is BoardColumn.STABILISED


def test_low_compliance_ratings_suggest_changed(world, pipeline):
    for n in range(10):
        organisation = factories.OrganisationFactory(name=f"Trust {n}")
        world.section_11_answer(
            organisation,
            {"s1_rating": LOW if n < 7 else MET, "s1_evidence": SUPERVISION[n]},
        )
    run = runs.start_run(world.session, Selection(streams=("section_11",)), started_by=None)
    run = runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)
    theme = runs.visible_themes(world.session, run.id)[0]
    suggestion = board.suggest_placement(world.session, theme)
    assert suggestion.column is BoardColumn.CHANGED
    assert "rated below fully met" in suggestion.reason


def test_placing_moving_and_reordering_keeps_a_history(world, run):
    keys = [t.lineage_key for t in runs.visible_themes(world.session, run.id)]
    first = board.place_on_board(
        world.session, lineage_key=keys[0], column="changed", decided_by=world.quality, why="Gap"
    )
    second = board.place_on_board(
        world.session, lineage_key=keys[1], column="changed", decided_by=world.quality, priority=1
    )
    assert [i.id for i in board.column_items(world.session, BoardColumn.CHANGED)] == [
        second.id,
        first.id,
    ]
    assert first.suggested_reason and first.suggested_column is not None
    board.move_item(
        world.session, first.id, column="stabilised", moved_by=world.quality, why="Works now"
    )
    board.reorder_column(world.session, "changed", [second.id], moved_by=world.quality)
    moves = board.history_of(world.session, first.id)
    assert [(m.from_column, m.to_column, m.why) for m in moves] == [
        (None, "changed", "Gap"),
        ("changed", "stabilised", "Works now"),
    ]
    assert board.board(world.session)[BoardColumn.STABILISED] == [first]
    assert second.position == 1
    with pytest.raises(InvalidInput):
        board.place_on_board(
            world.session, lineage_key=keys[2], column="later", decided_by=world.quality
        )


def test_entry_from_theme_snapshots_redacted_quotes(world, pipeline):
    for n in range(6):
        world.consultation_answer(
            {"barriers": f"Call Mrs Jane Smith on 07700 900{n:03d} about the escalation policy"}
        )
    run = runs.start_run(world.session, Selection(streams=("consultation",)), started_by=None)
    run = runs.execute_run(world.session, run.id, pipeline=pipeline, registry=world.registry)
    theme = runs.visible_themes(world.session, run.id)[0]
    entry = log.create_entry_from_theme(world.session, theme.id, created_by=world.quality)
    link = entry.themes[0]
    assert entry.title == theme.label and entry.source_stream == "consultation"
    assert link.lineage_key == theme.lineage_key and link.run_id == run.id
    assert link.size == 6 and link.must_change == 6
    assert 1 <= len(link.quotes) <= 5
    assert not [q for q in link.quotes if "07700" in q or "Jane Smith" in q]
    theme_edits.rename_theme(world.session, theme.id, "Something else", edited_by=world.quality)
    assert link.label == entry.title  # the snapshot does not follow later edits


def test_search_filters_and_exports_neutralise_formulas(world, run):
    log.create_entry(
        world.session,
        EntryDetails(
            title="=cmd|' /C calc'!A0",
            lesson="Escalation policy is not known",
            source_kind=SourceKind.CASE_REVIEW,
            source_detail="Child A review",
            organisation_ids=[world.police.id],
            status=EntryStatus.IN_PROGRESS,
        ),
        created_by=world.quality,
    )
    log.create_entry(
        world.session,
        EntryDetails(title="Supervision works", source_stream="consultation"),
        created_by=world.quality,
    )
    assert [e.title for e in log.search_entries(world.session, text="escalation")] == [
        "=cmd|' /C calc'!A0"
    ]
    assert len(log.search_entries(world.session, organisation_id=world.police.id)) == 1
    assert len(log.search_entries(world.session, status="open")) == 1
    assert len(log.search_entries(world.session, stream="consultation")) == 1
    entries = log.search_entries(world.session)
    csv_text = log.export_csv(entries).decode("utf-8-sig")
    assert "'=cmd" in csv_text
    sheet = load_workbook(io.BytesIO(log.export_xlsx(entries))).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in titles
    with pytest.raises(InvalidInput):
        log.create_entry(world.session, EntryDetails(title=" "), created_by=world.quality)


def test_actions_belong_to_their_organisation_and_go_overdue(world, run):
    entry = log.create_entry(
        world.session,
        EntryDetails(title="Escalation", source_stream="consultation"),
        created_by=world.quality,
    )
    today = date(2026, 6, 1)
    late = actions.create_action(
        world.session,
        description="Relaunch the escalation policy",
        owner_organisation_id=world.police.id,
        due_date=today - timedelta(days=1),
        created_by=world.quality,
        entry_id=entry.id,
    )
    actions.create_action(
        world.session,
        description="Brief governors",
        owner_organisation_id=world.school.id,
        due_date=today + timedelta(days=30),
        created_by=world.quality,
    )
    assert [a.id for a in actions.overdue_actions(world.session, today)] == [late.id]
    police_lead = memberships.membership_here(world.session, world.police_lead.id)
    quality = memberships.membership_here(world.session, world.quality.id)
    assert [a.id for a in actions.actions_visible_to(world.session, police_lead)] == [late.id]
    assert len(actions.actions_visible_to(world.session, quality)) == 2
    update = actions.add_progress_update(
        world.session, late.id, text="Policy drafted", member=police_lead, status="done"
    )
    assert update.status is ActionStatus.DONE and late.completed_at is not None
    assert actions.overdue_actions(world.session, today) == []
    school_action = actions.actions_for_organisation(world.session, world.school.id)[0]
    with pytest.raises(NotAllowed):
        actions.add_progress_update(
            world.session, school_action.id, text="Not mine", member=police_lead
        )
