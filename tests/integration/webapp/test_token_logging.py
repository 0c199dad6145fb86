"""Reset, invitation and form-link tokens never appear in logged URLs (issue 8, item 5)."""

from __future__ import annotations

import http.client
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_gunicorn_access_log_masks_link_tokens():
    reset, invitation, form = (secrets.token_urlsafe(32) for _ in range(3))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["--access-logfile", "-", "webapp:create_app()"],
        cwd=ROOT,  # where gunicorn finds gunicorn.conf.py, as bin/run-local and the README run it
        env={**os.environ, "LEARNING_LOOP_ENV": "test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = _get(port, f"/reset-password/{reset}")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert status == 302
        referer = f"http://127.0.0.1:{port}/f/{form}/page-2"
        assert _get(port, f"/accept-invitation/{invitation}", {"Referer": referer}) == 302
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "GET /reset-password/[token] HTTP/1.1" in output
    assert "GET /accept-invitation/[token] HTTP/1.1" in output
    assert "/f/[token]/page-2" in output
    for token in (reset, invitation, form):
        assert token not in output


def test_development_server_log_masks_link_tokens(app, caplog):
    token = secrets.token_urlsafe(32)
    server = make_server("127.0.0.1", free_port(), app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            assert _get(server.port, f"/reset-password/{token}") == 302
            _get(server.port, f"/f/{token}")
    finally:
        server.shutdown()
    assert "/reset-password/[token]" in caplog.text
    assert "/f/[token]" in caplog.text
    assert token not in caplog.text


def test_the_token_reaches_the_log_at_most_once_then_leaves_the_address(client, db_session):
    from datetime import timedelta

    from surveys import accounts
    from surveys.models import TokenPurpose
    from tests import factories

    user = factories.UserFactory()
    token = accounts.issue_token(
        db_session, user, TokenPurpose.INVITATION, lifetime=timedelta(days=1)
    )
    first = client.get(f"/accept-invitation/{token}")
    page = client.get(first.headers["Location"])
    assert first.headers["Location"] == "/accept-invitation"
    assert page.status_code == 200
    assert token not in page.text
    assert (
        'method="post"' in page.text and "action=" not in page.text
    )  # posts to /accept-invitation
