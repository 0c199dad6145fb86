"""Starting a run: update the latest run over the same choices (the default) or re-theme all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from learning.models import RunStatus, ThemingRun
from surveys.models import Role, User
from tests.conftest import csrf_from

pytestmark = pytest.mark.demo  # the app's database holds the seeded demo (no run yet)


def _quality(session):
    return session.scalar(select(User).where(User.role == Role.QUALITY_GROUP).limit(1))


def _start(client, data):
    page = client.get("/quality").text
    return client.post("/quality/runs", data={"csrf_token": csrf_from(page), **data})


def test_an_update_is_the_default_and_the_run_page_says_what_it_added(client, db_session, login_as):
    login_as(_quality(db_session))
    assert "Re-theme everything" not in client.get("/quality").text  # nothing to update yet
    first = _start(client, {"mode": "update"})
    assert "This run re-themed every answer" in client.get(first.headers["Location"]).text

    home = client.get("/quality").text
    assert "Update the themes with new answers" in home and "Re-theme everything" in home
    assert 'value="update" checked' in home
    started = _start(client, {})  # the same choices as the first run: everything
    assert started.status_code == 302
    run = db_session.scalar(select(ThemingRun).order_by(ThemingRun.id.desc()))
    assert run.status is RunStatus.FINISHED, run.failure_reason
    assert run.mode == "update" and run.based_on_id is not None
    page = client.get(started.headers["Location"]).text
    assert "This run updated the themes of" in page and "0 answers added" in page
    assert "Consider re-theming everything" not in page

    again = _start(client, {"mode": "full"})
    page = client.get(again.headers["Location"]).text
    assert "This run re-themed every answer" in page
    assert "Full" in client.get("/quality").text and "Update" in client.get("/quality").text


def test_an_unknown_way_of_theming_is_refused_with_a_message(client, db_session, login_as):
    login_as(_quality(db_session))
    refused = _start(client, {"mode": "sideways"})
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.text
    assert db_session.scalar(select(ThemingRun).where(ThemingRun.mode == "sideways")) is None
