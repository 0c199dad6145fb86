"""Every route × every role against one declared table; undeclared routes fail the build."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask import Flask

from surveys.models import Role
from tests import factories
from tests.conftest import make_app
from webapp.access import rule_for

MATRIX = yaml.safe_load((Path(__file__).parent / "access_matrix.yaml").read_text())
ROLES: list[str] = MATRIX["roles"]
CASES = [
    (route, role, expected)
    for route, outcomes in MATRIX["routes"].items()
    for role, expected in zip(ROLES, outcomes, strict=True)
]


def _routes(app: Flask) -> set[str]:
    return {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix_and_declares_a_rule():
    app = make_app()
    routes = _routes(app)
    assert routes - set(MATRIX["routes"]) == set(), "routes missing from access_matrix.yaml"
    assert set(MATRIX["routes"]) - routes == set(), "matrix rows for routes that do not exist"
    undeclared = {r.endpoint for r in app.url_map.iter_rules() if rule_for(app, r.endpoint) is None}
    assert undeclared == set()


@pytest.fixture(scope="module")
def world():
    """One app with an organisation, a user of every role and an invited user."""
    app = make_app(WTF_CSRF_ENABLED=False)
    from tests.conftest import inspect_session

    session = inspect_session(app)
    factories.bind(session)
    home = factories.OrganisationFactory(name="Home Agency")
    people = {
        role.value: factories.UserFactory(
            role=role, organisation=home if role.belongs_to_organisation else None
        )
        for role in Role
    }
    invited = factories.UserFactory(password_hash=None, organisation=home)
    objects = factories.collection_world(session, home)
    objects.update(factories.learning_world(session, home, people["quality_group"]))
    data = Path(app.config["DATA_FOLDER"])
    (data / "evidence").mkdir(parents=True, exist_ok=True)
    (data / "evidence" / ("x" * 32)).write_bytes(b"%PDF-1.4")
    (data / "imports").mkdir(parents=True, exist_ok=True)
    (data / "imports" / f"{objects['upload_id']}.csv").write_bytes(b"sector\npolice\n")
    ids = {
        "organisation_id": home.id,
        "user_id": invited.id,
        "filename": "images/favicon.svg",
        **objects,
    }
    yield app, session, people, ids
    session.close()


def _url(app: Flask, endpoint: str, ids: dict[str, object]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if endpoint == "static":
        return "/static/app.css"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{arg: ids[arg] for arg in rule.arguments})


@pytest.mark.parametrize(
    ("route", "role", "expected"), CASES, ids=[f"{r}-{o}" for r, o, _ in CASES]
)
def test_route_answers_each_role_as_declared(world, route, role, expected):
    app, session, people, ids = world
    from surveys import accounts

    endpoint, method = route.split()
    client = app.test_client()
    if role != "anonymous":
        token = accounts.start_session(session, people[role])
        with client.session_transaction() as cookie:
            cookie["token"] = token
    response = client.open(_url(app, endpoint, ids), method=method, data={})
    assert _outcome(response) == expected


def _outcome(response) -> str:
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next="):
        return "login"
    if response.status_code == 404 and "Page not found" in response.text:
        return "deny"
    assert response.status_code < 500
    return "allow"
