"""Start-up settings, health check, security headers and error pages."""

from __future__ import annotations

import pytest

from tests import factories
from webapp import create_app
from webapp.config import Config, ConfigError


def test_production_refuses_to_start_without_settings(monkeypatch):
    monkeypatch.delenv("LEARNING_LOOP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="LEARNING_LOOP_SECRET_KEY"):
        create_app(Config)


def test_production_refuses_a_weak_secret_key(monkeypatch):
    monkeypatch.setenv("LEARNING_LOOP_SECRET_KEY", "secret")
    monkeypatch.setenv("LEARNING_LOOP_DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="32 characters"):
        create_app(Config)


def test_settings_come_from_prefixed_environment(monkeypatch):
    monkeypatch.setenv("LEARNING_LOOP_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("LEARNING_LOOP_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("LEARNING_LOOP_QUEUE_URL", "memory://")
    monkeypatch.setenv("LEARNING_LOOP_MAIL_PORT", "2525")
    app = create_app(Config)
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["QUEUE_URL"] == "memory://"


def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "queue": "ok"}


def test_healthz_reports_an_unreachable_queue(app, client):
    from webapp.queue import make_queue

    app.extensions["huey"] = make_queue("redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["queue"] == "unavailable"


@pytest.mark.parametrize("path", ["/sign-in", "/healthz", "/no-such-page", "/accessibility"])
def test_security_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_a_charset(client):
    assert client.get("/sign-in").headers["Content-Type"] == "text/html; charset=utf-8"


def test_unknown_page_is_a_govuk_404(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "Page not found" in response.text and "govuk-heading-l" in response.text


def test_oversized_request_is_refused_with_413(client, db_session):
    response = client.post("/sign-in", data={"email": "x" * (13 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.text


def test_too_many_form_fields_are_refused(client):
    response = client.post("/sign-in", data={f"f{i}": "1" for i in range(5000)})
    assert response.status_code == 413


def test_unexpected_error_shows_a_friendly_page(app, client, db_session, login_as):
    @app.get("/boom")
    def boom():  # pragma: no cover - body raises
        raise RuntimeError("kaboom")

    boom.access_rule = __import__("webapp.access", fromlist=["AccessRule"]).AccessRule(
        is_public=True
    )
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "kaboom" not in response.text and "Traceback" not in response.text


def test_signed_in_pages_show_the_timeout_warning_dialog(client, db_session, login_as):
    login_as(factories.UserFactory())
    page = client.get("/").text
    assert 'id="timeout-warning"' in page and 'data-idle-seconds="1800"' in page
