"""The quality group's loop: theme the answers, edit, log, board, action; the lead sees it."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from learning.models import Action, BoardItem, LearningEntry, RunStatus, Theme, ThemingRun
from surveys.models import Role, User
from tests.conftest import csrf_from

pytestmark = pytest.mark.demo  # the app's database holds the seeded demo


@pytest.fixture
def demo(db_session):
    return db_session


def user(session, role):
    return session.scalar(select(User).where(User.role == role).limit(1))


def test_quality_group_runs_theming_and_closes_the_loop(client, demo, login_as, app):
    login_as(user(demo, Role.QUALITY_GROUP))
    page = client.get("/quality").text
    started = client.post(
        "/quality/runs", data={"csrf_token": csrf_from(page), "streams": ["training"]}
    )
    assert started.status_code == 302
    run = demo.scalar(select(ThemingRun))
    assert run.status is RunStatus.FINISHED, run.failure_reason
    listing = client.get(started.headers["Location"]).text
    themes = demo.scalars(
        select(Theme).where(Theme.run_id == run.id, Theme.parent_id.is_(None))
    ).all()
    assert len(themes) >= 2 and all(t.label in listing for t in themes[:3])

    first, second = themes[0], themes[1]
    html = client.get(f"/quality/themes/{first.id}").text
    assert "Suggested:" in html
    client.post(
        f"/quality/themes/{first.id}/merge",
        data={"csrf_token": csrf_from(html), "others": [str(second.id)]},
    )
    client.post(
        f"/quality/themes/{first.id}/rename",
        data={"csrf_token": csrf_from(html), "label": "Escalation and challenge"},
    )
    demo.expire_all()
    assert demo.get(Theme, first.id).label == "Escalation and challenge"
    assert demo.get(Theme, first.id).size == first.size + second.size

    logged = client.post(f"/quality/themes/{first.id}/log", data={"csrf_token": csrf_from(html)})
    entry = demo.scalar(select(LearningEntry).order_by(LearningEntry.id.desc()))  # the newest
    assert entry is not None and logged.headers["Location"].endswith(f"/learning-log/{entry.id}")
    client.post(
        f"/quality/themes/{first.id}/board",
        data={
            "csrf_token": csrf_from(html),
            "column": "changed",
            "why": "Practitioners ask for it",
        },
    )
    item = demo.scalar(select(BoardItem))
    assert item.column.value == "changed"
    board = client.get("/board").text
    assert "Escalation and challenge" in board

    police = demo.scalar(select(User).where(User.email == "lead@police.example.org"))
    client.post(
        "/actions",
        data={
            "csrf_token": csrf_from(board),
            "board_item": str(item.id),
            "description": "Refresh escalation policy training",
            "organisation": str(police.organisation_id),
            "due_date-day": "31",
            "due_date-month": "12",
            "due_date-year": "2026",
        },
    )
    action = demo.scalar(select(Action).order_by(Action.id.desc()))  # the newest
    assert action.owner_organisation_id == police.organisation_id

    lead = app.test_client()
    from surveys import accounts

    with lead.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(demo, police)
    mine = lead.get("/actions").text
    assert "Refresh escalation policy training" in mine
    page = lead.get(f"/actions/{action.id}").text
    lead.post(
        f"/actions/{action.id}",
        data={"csrf_token": csrf_from(page), "text": "Sessions booked", "status": "in_progress"},
    )
    demo.expire_all()
    assert demo.get(Action, action.id).status.value == "in_progress"
    other = demo.scalar(select(User).where(User.email == "lead@health.example.org"))
    with lead.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(demo, other)
    assert lead.get(f"/actions/{action.id}").status_code == 404
    assert "Refresh escalation" not in lead.get("/actions").text


def test_flagged_answers_never_reach_themes(client, demo, login_as):
    from surveys.models import DisclosureFlag

    login_as(user(demo, Role.QUALITY_GROUP))
    page = client.get("/quality").text
    client.post("/quality/runs", data={"csrf_token": csrf_from(page)})
    flagged = {(f.response_id, f.question_id) for f in demo.scalars(select(DisclosureFlag))}
    assert flagged
    from learning.models import ThemeStatement

    stored = {(s.response_id, s.question_id) for s in demo.scalars(select(ThemeStatement))}
    assert stored and not (stored & flagged)
    planted = "my mum's boyfriend hits me"
    assert not any(planted in s.text for s in demo.scalars(select(ThemeStatement)))


def test_learning_log_search_and_export(client, demo, login_as):
    login_as(user(demo, Role.QUALITY_GROUP))
    page = client.get("/learning-log/new").text
    saved = client.post(
        "/learning-log/new",
        data={
            "csrf_token": csrf_from(page),
            "title": '=HYPERLINK("x")',
            "lesson": "Voice of baby",
            "source_kind": "case_review",
            "entry_date-day": "1",
            "entry_date-month": "3",
            "entry_date-year": "2026",
        },
    )
    assert saved.status_code == 302
    assert "HYPERLINK" in client.get("/learning-log?q=baby").text
    csv = client.get("/learning-log?format=csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    bad = client.post(
        "/learning-log/new",
        data={
            "csrf_token": csrf_from(page),
            "title": "",
            "entry_date-day": "31",
            "entry_date-month": "2",
            "entry_date-year": "2026",
        },
    )
    assert bad.status_code == 400 and "There is a problem" in bad.text
    assert "Date must be a real date" in bad.text


def test_board_shows_the_history_of_moves(client, demo, login_as):
    from learning import board, log
    from learning.models import BoardItem

    quality = login_as(user(demo, Role.QUALITY_GROUP))
    entry = log.create_entry(
        demo,
        log.EntryDetails(title="Information sharing with GPs", source_stream="consultation"),
        created_by=quality,
    )
    item = board.place_on_board(demo, entry_id=entry.id, column="created", decided_by=quality)
    page = client.get("/board").text
    client.post(
        f"/board/{item.id}/move",
        data={"csrf_token": csrf_from(page), "column": "changed", "why": "Not improving"},
    )
    demo.expire_all()
    assert demo.get(BoardItem, item.id).column.value == "changed"
    html = client.get("/board").text
    assert "History of moves" in html and "Created → Changed" in html and "Not improving" in html


def test_a_suggested_name_is_marked_until_a_person_keeps_or_changes_it(client, demo, login_as):
    from learning.models import LabelSource

    login_as(user(demo, Role.QUALITY_GROUP))
    page = client.get("/quality").text
    client.post("/quality/runs", data={"csrf_token": csrf_from(page), "streams": ["training"]})
    run = demo.scalar(select(ThemingRun).where(ThemingRun.status == RunStatus.FINISHED))
    theme = demo.scalars(
        select(Theme)
        .where(Theme.run_id == run.id, Theme.parent_id.is_(None))
        .where(Theme.label_source == LabelSource.MACHINE)
        .order_by(Theme.size.desc())
    ).first()
    assert "Suggested name" in client.get(f"/quality/runs/{run.id}").text
    report = client.get(f"/reports/runs/{run.id}").text
    assert f"{theme.label} (suggested name)" in report

    page = client.get(f"/quality/themes/{theme.id}").text
    assert "suggested name: keep it or rename it" in page
    kept = client.post(
        f"/quality/themes/{theme.id}/rename",
        data={"csrf_token": csrf_from(page), "label": theme.label},
    )
    assert kept.status_code == 302
    demo.expire_all()
    assert demo.get(Theme, theme.id).label_source is LabelSource.HUMAN
    assert "named by the quality group" in client.get(f"/quality/themes/{theme.id}").text
    report = client.get(f"/reports/runs/{run.id}").text
    assert theme.label in report and f"{theme.label} (suggested name)" not in report


def test_a_theme_shows_a_suggested_summary_and_quotes_for_each_tone(client, demo, login_as):
    from learning.models import ThemeStatement
    from learning.themes import polarity_of
    from surveys.models import Response

    login_as(user(demo, Role.QUALITY_GROUP))
    page = client.get("/quality").text
    client.post("/quality/runs", data={"csrf_token": csrf_from(page), "streams": ["training"]})
    run = demo.scalar(select(ThemingRun).where(ThemingRun.status == RunStatus.FINISHED))
    themes = demo.scalars(
        select(Theme).where(Theme.run_id == run.id, Theme.parent_id.is_(None))
    ).all()
    theme = max((t for t in themes if t.summary), key=lambda t: t.size)
    said = demo.get(ThemeStatement, theme.summary_statement_id)
    assert said.theme_id == theme.id
    assert theme.summary.rstrip(".").lower() in said.text.lower()

    shown = html.unescape(client.get(f"/quality/themes/{theme.id}").text)
    assert "In one sentence (suggested)" in shown and theme.summary in shown
    for tone, ids in theme.tone_quote_ids.items():
        for statement in demo.scalars(select(ThemeStatement).where(ThemeStatement.id.in_(ids))):
            assert polarity_of(statement) == tone
            assert statement.text in shown
    report = html.unescape(client.get(f"/reports/runs/{run.id}").text)
    assert f"In one sentence (suggested): “{theme.summary}”" in report

    # A summary whose answer is later flagged as a possible disclosure is no longer shown.
    demo.get(Response, said.response_id).is_flagged = True
    demo.commit()
    assert theme.summary not in html.unescape(client.get(f"/quality/themes/{theme.id}").text)
    assert theme.summary not in html.unescape(client.get(f"/reports/runs/{run.id}").text)
