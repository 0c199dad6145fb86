"""The training lead: runs the training programme and sees training data only."""

from __future__ import annotations

import re

import pytest

from surveys.models import Role
from tests import factories
from tests.conftest import inspect_session, make_app


@pytest.fixture(scope="module")
def world():
    """A partnership with a Section 11 return, a theming run, a flagged response and a course."""
    from learning import runs, selection

    app = make_app(WTF_CSRF_ENABLED=False)
    session = inspect_session(app)
    factories.bind(session)
    home = factories.OrganisationFactory(name="Riverside Police")
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    ids = factories.collection_world(session, home)
    ids.update(factories.training_world(session, home))
    ids["s11_return_id"] = factories.submitted_return(session, home).id
    run = runs.start_run(session, selection.Selection(streams=("section_11",)), started_by=quality)
    session.commit()
    ids["run_id"] = run.id
    people = {
        role: factories.UserFactory(role=role, organisation=None)
        for role in (Role.TRAINING_LEAD, Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
    }
    yield app, session, people, ids
    session.close()


def _client(world, role: Role):
    from surveys import accounts

    app, session, people, _ = world
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, people[role])
    return client


def _training_cycle_id(session) -> int:
    from sqlalchemy import select

    from surveys.models import Cycle

    return session.scalar(
        select(Cycle.id).where(Cycle.definition_key == "training-evaluation").order_by(Cycle.id)
    )


def test_a_training_lead_cannot_open_a_return_a_theme_run_or_the_safeguarding_queue(world):
    _, _, _, ids = world
    client = _client(world, Role.TRAINING_LEAD)
    refused = [
        f"/admin/cycles/responses/{ids['s11_return_id']}",  # a Section 11 return
        f"/admin/cycles/{ids['cycle_id']}",  # the Section 11 cycle's returns list
        f"/admin/cycles/{ids['cycle_id']}/export.csv",  # and its answers
        f"/scrutiny/returns/{ids['s11_return_id']}",
        f"/quality/runs/{ids['run_id']}",  # a theming run over another stream
        "/quality",
        "/safeguarding",
        f"/safeguarding/responses/{ids['response_id']}",
        "/log",
        "/reviews",
    ]
    answers = {url: client.get(url).status_code for url in refused}
    assert answers == dict.fromkeys(refused, 404)


def test_a_training_lead_runs_the_programme_and_reads_the_training_forms_answers(world):
    _, session, _, ids = world
    client = _client(world, Role.TRAINING_LEAD)
    training_cycle = _training_cycle_id(session)
    listed = client.get("/admin/cycles")
    assert listed.status_code == 200
    assert "Training forms" in listed.text
    assert "S11 2026" not in listed.text and "Training 2026" in listed.text
    detail = client.get(f"/admin/cycles/{training_cycle}")
    assert detail.status_code == 200 and "Download as CSV" in detail.text
    export = client.get(f"/admin/cycles/{training_cycle}/export.csv")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    assert client.get(f"/admin/cycles/{training_cycle}/import").status_code == 200
    assert client.get("/training/dashboard").status_code == 200
    page = client.get("/training/courses/new")
    assert page.status_code == 200
    added = client.post(
        "/training/courses/new",
        data={"title": "Working with fathers", "outcomes": "Involve fathers", "level": "Level 2"},
    )
    assert added.status_code == 302


def test_the_navigation_shows_a_training_lead_the_training_links_only(world):
    client = _client(world, Role.TRAINING_LEAD)
    home = client.get("/").text
    nav = re.findall(
        r'govuk-service-navigation__link"[^>]*>\s*(?:<strong[^>]*>)?\s*([^<]*?)\s*<', home
    )
    assert nav[1:] == ["Home", "Training forms", "Training", "Sign out"]  # after the service


@pytest.mark.parametrize(
    ("role", "sees_names"),
    [(Role.TRAINING_LEAD, True), (Role.PARTNERSHIP_ADMIN, True), (Role.QUALITY_GROUP, False)],
)
def test_attendees_names_are_seen_by_the_training_lead_and_admins_only(world, role, sees_names):
    _, _, _, ids = world
    page = _client(world, role).get(f"/training/sessions/{ids['session_id']}")
    assert page.status_code == 200
    assert ("Pat Doe" in page.text) is sees_names
    assert ("pat@example.org" in page.text) is sees_names
    if not sees_names:
        assert "1 attendee recorded" in page.text


def test_an_admin_may_give_someone_the_training_lead_role(world):
    page = _client(world, Role.PARTNERSHIP_ADMIN).get("/admin/users/new")
    assert 'value="training_lead"' in page.text and "Training lead" in page.text
