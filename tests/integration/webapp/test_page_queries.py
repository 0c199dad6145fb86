"""Busy pages read the database as often for many rows as for few: the returns table and the
ratings view for 9 organisations as for 2 (benchmarks/partnerships_scale.py measures them at
scale), the run report and the six-monthly report for more themes, board cards, log entries
and actions (benchmarks/load_mixed.py)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from demo.answers import generate_answers
from demo.learning import seed_learning
from learning import actions, board, log, runs, theme_edits
from learning.models import BoardItem, ThemingRun
from learning.theming_job import build_pipeline
from surveys import cycles, responses, tenancy
from surveys.loader import load_definitions
from surveys.models import Organisation, Role, User, utcnow
from tests import factories
from tests.integration.webapp.test_assessments import as_user
from webapp.database import get_engine

DEFINITIONS = load_definitions()
SECTION_11 = DEFINITIONS.latest("section-11")


def _cycle_of(session, size: int) -> int:
    """A Section 11 cycle with `size` organisations, all but one of which have submitted."""
    now = utcnow()
    organisations = [factories.OrganisationFactory() for _ in range(size)]
    cycle = cycles.publish_cycle(
        session,
        SECTION_11,
        cycles.NewCycle(
            f"S11 of {size}",
            now - timedelta(days=2),
            now + timedelta(days=9),
            tuple(o.id for o in organisations),
        ),
        created_by=None,
    )
    for organisation in organisations[1:]:
        responses.record_submitted_response(
            session,
            cycle,
            SECTION_11,
            responses.CompleteResponse(
                generate_answers(SECTION_11, rng=random.Random(organisation.id)),
                submitted_at=now,
                organisation_id=organisation.id,
            ),
        )
    session.commit()
    return cycle.id


def test_the_returns_table_and_ratings_view_read_as_often_for_many_organisations(
    app, db_session, admin
):
    small, large = _cycle_of(db_session, 2), _cycle_of(db_session, 9)
    client = as_user(app, db_session, admin)
    statements: list[str] = []
    engine = get_engine(app)

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        reads = {}
        for cycle_id in (small, large):
            for path in (f"/admin/cycles/{cycle_id}", f"/findings/cycles/{cycle_id}"):
                statements.clear()
                page = client.get(path)
                assert page.status_code == 200
                reads[path.replace(str(cycle_id), "<id>"), cycle_id] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    for path in ("/admin/cycles/<id>", "/findings/cycles/<id>"):
        assert reads[path, small] == reads[path, large]


@pytest.mark.demo
def test_the_run_report_and_six_monthly_report_read_as_often_for_more_themes_cards_and_actions(
    app, db_session
):
    """Each kind of row is read once, not once per theme, board card, log entry or action."""
    pipeline = build_pipeline(tenancy.sessions_like(db_session), embedder="tfidf")
    run = db_session.get(ThemingRun, seed_learning(db_session, DEFINITIONS, pipeline=pipeline))
    quality = db_session.scalar(select(User).where(User.role == Role.QUALITY_GROUP).limit(1))
    client = as_user(app, db_session, quality)
    paths = (f"/reports/runs/{run.id}", "/reports/six-monthly")
    themes = runs.visible_themes(db_session, run.id)
    on_board = set(db_session.scalars(select(BoardItem.lineage_key)))
    assert len(themes) >= 6 and run.finished_at >= utcnow() - timedelta(days=30)
    reads = _statements_per_page(app, client, paths)

    for theme in [t for t in themes if t.lineage_key not in on_board][:3]:
        suggestion = board.suggest_placement(db_session, theme)
        item = board.place_on_board(
            db_session,
            lineage_key=theme.lineage_key,
            column=suggestion.column,
            decided_by=quality,
            why=suggestion.reason,
        )
        log.create_entry_from_theme(db_session, theme.id, created_by=quality)
        actions.create_action(
            db_session,
            description=f"Plan for {theme.label}",
            owner_organisation_id=db_session.scalar(select(Organisation.id).limit(1)),
            due_date=utcnow().date() + timedelta(days=30),
            created_by=quality,
            board_item_id=item.id,
        )
    assert _statements_per_page(app, client, paths) == reads

    for theme in themes[: len(themes) // 2]:
        theme_edits.discard_theme(db_session, theme.id, edited_by=quality)
    assert len(runs.visible_themes(db_session, run.id)) < len(themes)
    assert _statements_per_page(app, client, paths) == reads


def _statements_per_page(app, client, paths) -> dict[str, int]:
    """Open each page twice and count the SQL statements of the second opening."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = get_engine(app)
    reads = {}
    for path in paths:
        assert client.get(path).status_code == 200
        event.listen(engine, "before_cursor_execute", count)
        try:
            statements.clear()
            assert client.get(path).status_code == 200
            reads[path] = len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return reads
