"""The scaled configuration: PostgreSQL, a Redis queue and gunicorn workers, as the README says."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from surveys import accounts, migration, throttling
from surveys.models import Partnership, Role
from tests import factories
from tests.conftest import (
    POSTGRES_URL,
    REDIS_URL,
    csrf_from,
    free_port,
    in_first_partnership,
    require_service,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def postgres_url():
    """A fresh, migrated schema in the test database."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    schema = f"scaled_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(POSTGRES_URL)
    with admin_engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    migration.upgrade(url)
    yield url
    with admin_engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin_engine.dispose()


def test_admin_journey_on_postgres_with_redis_queue(postgres_url, smtp_server):
    require_service("Redis", "127.0.0.1", 6379)
    from tests.conftest import make_app
    from webapp.database import session_factory
    from webapp.queue import get_queue

    app = make_app(
        DATABASE_URL=postgres_url,
        QUEUE_URL=REDIS_URL,
        QUEUE_IMMEDIATE=False,
        MAIL_PORT=smtp_server.port,
    )
    get_queue(app).flush()
    with in_first_partnership(session_factory(app)()) as session:
        factories.bind(session)
        admin = factories.UserFactory(
            role=Role.PARTNERSHIP_ADMIN, organisation=None, email="admin@pg.example"
        )
        assert session.query(Partnership).count() >= 1
    client = app.test_client()
    page = client.get("/sign-in")
    client.post(
        "/sign-in",
        data={
            "email": admin.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    page = client.get("/admin/organisations/new")
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "Postgres Agency",
            "kind": "agency",
            "sector": "police",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 302
    # NUL is refused by PostgreSQL text columns; the form must not 500.
    page = client.get("/admin/organisations/new")
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "Bad\x00Name",
            "kind": "agency",
            "sector": "police",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code in (302, 400)
    page = client.get("/admin/users/new")
    client.post(
        "/admin/users/new",
        data={
            "name": "Pat Postgres",
            "email": "pat@pg.example",
            "roles": "quality_group",
            "organisation_id": "",
            "csrf_token": csrf_from(page.text),
        },
    )
    consumer = get_queue(app).create_consumer(workers=1, periodic=False)
    consumer.start()
    try:
        assert smtp_server.wait_for(1, timeout=20)[0]["To"] == "pat@pg.example"
    finally:
        consumer.stop(graceful=True)


def test_gunicorn_serves_the_scaled_configuration(postgres_url):
    require_service("Redis", "127.0.0.1", 6379)
    port = free_port()
    env = {
        **os.environ,
        "LEARNING_LOOP_ENV": "production",
        "LEARNING_LOOP_SECRET_KEY": "s" * 48,
        "LEARNING_LOOP_DATABASE_URL": postgres_url,
        "LEARNING_LOOP_QUEUE_URL": REDIS_URL,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "webapp:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/healthz")
        assert body == b'{"database":"ok","queue":"ok","status":"ok"}\n'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in") as response:
            assert b"Sign in to Learning Loop" in response.read()
            cookie = response.headers["Set-Cookie"]
            assert cookie.startswith("__Host-session=")
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_postgres_sign_in_throttle_counts_across_connections(postgres_url):
    from surveys.database import make_engine, make_session_factory

    engine = make_engine(postgres_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        factories.bind(session)
        factories.UserFactory(email="t@pg.example")
    for _ in range(throttling.ACCOUNT_AND_CLIENT_LIMIT):
        with sessions() as session, pytest.raises(accounts.SignInFailed):
            accounts.authenticate(
                session, "t@pg.example", "wrong password", client_address="192.0.2.1"
            )
    with sessions() as session, pytest.raises(accounts.SignInThrottled):
        accounts.authenticate(
            session, "t@pg.example", factories.PASSWORD, client_address="192.0.2.1"
        )
    engine.dispose()
