"""Signing in on PostgreSQL as the ordinary app role, with row-level security on.

Sign-in writes an audit event of no partnership from a request that works in none yet: the
row-level security policies must let it be written without reading it back.
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import inspect_session, make_app
from tests.integration.test_tenancy_postgres import app_url  # noqa: F401 - a fixture

pytestmark = pytest.mark.postgres


def test_a_person_signs_in_and_a_wrong_password_is_refused(app_url):  # noqa: F811
    app = make_app(WTF_CSRF_ENABLED=False, DATABASE_URL=app_url)
    with inspect_session(app) as session:
        factories.bind(session)
        factories.UserFactory(email="lead@example.org")
    client = app.test_client()
    wrong = client.post("/sign-in", data={"email": "lead@example.org", "password": "not it"})
    assert wrong.status_code == 400 and "Enter a correct email address" in wrong.text
    right = client.post(
        "/sign-in", data={"email": "lead@example.org", "password": factories.PASSWORD}
    )
    assert right.status_code == 302
    assert client.get("/assessments").status_code == 200
