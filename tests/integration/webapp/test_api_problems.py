"""The API answers errors as RFC 9457 problem documents and builds links from BASE_URL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import abort

from surveys import cycles
from surveys.api_tokens import create_api_token
from surveys.loader import load_definitions
from surveys.models import utcnow
from tests.conftest import make_app

BASE_URL = "https://loop.example.gov.uk"
EVIL_HOST = {"Host": "evil.example"}


@pytest.fixture
def api_app():
    app = make_app(BASE_URL=BASE_URL)
    from webapp.access import public

    @public
    def fail_with(code: int) -> None:
        if code == 500:
            raise RuntimeError("a bug")
        abort(code)

    app.add_url_rule("/api/v1/test-fail/<int:code>", "fail_with", fail_with)
    return app


@pytest.fixture
def bearer(api_app, db_session_for):
    from surveys.models import Role
    from tests import factories

    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    _, raw = create_api_token(db_session_for, "Dashboard", created_by=admin.id)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def db_session_for(api_app):
    from tests import factories
    from tests.conftest import inspect_session

    with inspect_session(api_app) as session:
        factories.bind(session)
        yield session


def _assert_problem(answer, status: int) -> dict:
    assert answer.status_code == status
    assert answer.content_type == "application/problem+json"
    document = answer.get_json(force=True)
    assert set(document) == {"type", "title", "status", "detail"}
    assert document["status"] == status and document["type"] == "about:blank"
    assert document["title"] and document["detail"]
    assert "<html" not in answer.text
    return document


def test_every_api_error_is_a_problem_document(api_app, bearer):
    client = api_app.test_client()
    assert _assert_problem(client.get("/api/v1/cycles"), 401)["title"] == "Unauthorized"
    assert client.get("/api/v1/cycles").headers["WWW-Authenticate"].startswith("Bearer")
    missing = _assert_problem(client.get("/api/v1/cycles/1/responses?page=x", headers=bearer), 404)
    assert "cycle" in missing["detail"]
    _assert_problem(client.get("/api/v1/responses/999", headers=bearer), 404)
    _assert_problem(client.get(f"/api/v1/responses/{2**64}", headers=bearer), 404)
    _assert_problem(client.get("/api/v1/no-such-thing", headers=bearer), 404)
    not_allowed = client.post("/api/v1/cycles", headers=bearer)
    _assert_problem(not_allowed, 405)
    assert "GET" in not_allowed.headers["Allow"]
    for code in (400, 403, 429, 500):
        _assert_problem(client.get(f"/api/v1/test-fail/{code}", headers=bearer), code)


def test_a_bad_query_parameter_is_a_400_problem_naming_it(api_app, bearer, db_session_for):
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session_for,
        load_definitions().latest("training-evaluation"),
        cycles.NewCycle("Neglect training", now - timedelta(days=1), now + timedelta(days=9)),
        created_by=None,
    )
    answer = api_app.test_client().get(
        f"/api/v1/cycles/{cycle.id}/responses?per_page=abc", headers=bearer
    )
    assert "per_page" in _assert_problem(answer, 400)["detail"]


def test_pages_outside_the_api_stay_gov_uk_html(api_app):
    answer = api_app.test_client().get("/no-such-page")
    assert answer.status_code == 404 and answer.content_type.startswith("text/html")


def test_openapi_names_the_configured_server_once(api_app):
    spec = api_app.test_client().get("/api/openapi.json", headers=EVIL_HOST).json
    assert spec["servers"] == [{"url": f"{BASE_URL}/api/v1"}]
    problem = spec["paths"]["/cycles"]["get"]["responses"]["401"]
    assert problem == {"$ref": "#/components/responses/Unauthorized"}
    assert "application/problem+json" in spec["components"]["responses"]["Unauthorized"]["content"]


def test_links_use_the_configured_address_not_the_host_header(api_app, bearer, db_session_for):
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session_for,
        load_definitions().latest("training-evaluation"),
        cycles.NewCycle("Neglect training", now - timedelta(days=1), now + timedelta(days=9)),
        created_by=None,
    )
    answer = api_app.test_client().get(
        f"/api/v1/cycles/{cycle.id}/responses", headers={**bearer, **EVIL_HOST}
    )
    assert answer.status_code == 200
    links = [link for link in answer.json["links"].values() if link]
    assert links and all(
        link.startswith(f"{BASE_URL}/api/v1/cycles/{cycle.id}/responses?") for link in links
    )
    assert "evil.example" not in answer.text
