"""The respondent rate limit is counted once for all workers, per real client address."""

from __future__ import annotations

import multiprocessing
import os
import re
import traceback
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import utcnow
from tests.conftest import REDIS_URL, csrf_from, inspect_session, make_app, require_service
from webapp import limits
from webapp.database import get_engine


def _link_token(app) -> str:
    now = utcnow()
    with inspect_session(app) as session:
        return (
            cycles.publish_cycle(
                session,
                load_definitions().latest("training-evaluation"),
                cycles.NewCycle("Course", now - timedelta(days=1), now + timedelta(days=7)),
                created_by=None,
            )
            .links[0]
            .token
        )


def _serve_as_a_worker(settings: dict[str, str], token: str, posts: int, answers) -> None:
    """A worker of its own, as gunicorn starts one: a process forked from one that has imported
    the app, building the app from the same settings (LEARNING_LOOP_* variables)."""
    try:
        from webapp import create_app
        from webapp.config import TestConfig

        os.environ.update({f"LEARNING_LOOP_{key}": value for key, value in settings.items()})
        client = create_app(TestConfig).test_client()
        statuses = []
        for _ in range(posts):
            page = client.get(f"/f/{token}")
            submission = re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1)
            data = {"csrf_token": csrf_from(page.text), "submission_id": submission}
            statuses.append(client.post(f"/f/{token}", data=data).status_code)
        answers.send(statuses)
    except BaseException:
        answers.send(traceback.format_exc())
        raise


def _worker(settings: dict[str, str], token: str, posts: int) -> list[int]:
    # Forked, not a fresh interpreter: importing the app again cost ~3 s a worker.
    fork = multiprocessing.get_context("fork")
    theirs, ours = fork.Pipe(duplex=False)
    process = fork.Process(target=_serve_as_a_worker, args=(settings, token, posts, ours))
    process.start()
    ours.close()
    try:
        assert theirs.poll(120), "the worker answered nothing within 120 s"
        statuses = theirs.recv()
    finally:
        process.join(timeout=30)
    assert isinstance(statuses, list), statuses  # else the worker's traceback
    assert process.exitcode == 0
    return statuses


def _two_workers_share_one_limit(folder: str, **settings: str) -> None:
    shared = {
        "DATABASE_URL": f"sqlite:///{folder}/test.db",
        "DATA_FOLDER": folder,
        "RESPOND_RATE_LIMIT": "4 per minute",
        **settings,
    }
    app = _app_on(shared)
    token = _link_token(app)
    assert _worker(shared, token, 2) == [302, 302]
    assert _worker(shared, token, 3) == [302, 302, 429]  # 4 in all, across both workers
    get_engine(app).dispose()


def _app_on(settings: dict[str, str]):
    """The parent's own app on the shared database (schema and partnership made once)."""
    from surveys.models import Base, Partnership
    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.database import session_factory

    class Settings(TestConfig):
        pass

    for key, value in settings.items():
        setattr(Settings, key, value)
    app = create_app(Settings)
    Base.metadata.create_all(get_engine(app))
    with session_factory(app)() as session:
        if session.scalar(select(func.count(Partnership.id))) == 0:
            session.add(Partnership(name="Test Partnership"))
            session.commit()
    return app


def test_two_workers_on_the_embedded_default_share_one_limit(tmp_path):
    """A SQLite queue, as `make run` has: the counters sit in a file beside it."""
    _two_workers_share_one_limit(str(tmp_path), QUEUE_URL=f"sqlite:///{tmp_path}/queue.db")
    assert (tmp_path / "rate-limits.db").exists()


@pytest.mark.redis
def test_two_workers_share_one_limit_in_the_configured_redis(tmp_path):
    require_service("Redis", "127.0.0.1", 6379)
    _two_workers_share_one_limit(str(tmp_path), RATE_LIMIT_STORAGE=REDIS_URL)


def test_the_storage_follows_the_settings():
    assert limits.storage_uri({"QUEUE_URL": "memory://"}) == "memory://"
    assert limits.storage_uri({"QUEUE_URL": "redis://r:6379/0"}) == "redis://r:6379/0"
    assert (
        limits.storage_uri({"QUEUE_URL": "sqlite:////srv/loop/instance/queue.db"})
        == "sqlite:////srv/loop/instance/rate-limits.db"
    )
    configured = {"QUEUE_URL": "sqlite:///q.db", "RATE_LIMIT_STORAGE": "redis://cache:6379/2"}
    assert limits.storage_uri(configured) == "redis://cache:6379/2"


def _post_from(client, token: str, address: str) -> int:
    headers = {"X-Forwarded-For": address}
    page = client.get(f"/f/{token}", headers=headers)
    submission = page.text.split('name="submission_id" value="', 1)[1].split('"', 1)[0]
    return client.post(
        f"/f/{token}",
        data={"csrf_token": csrf_from(page.text), "submission_id": submission},
        headers=headers,
    ).status_code


def test_behind_one_trusted_proxy_each_forwarded_address_has_its_own_limit():
    app = make_app(TRUSTED_PROXIES=1, RESPOND_RATE_LIMIT="1 per minute")
    token = _link_token(app)
    client = app.test_client()
    assert _post_from(client, token, "198.51.100.7") == 302
    assert _post_from(client, token, "198.51.100.8") == 302  # another person, not slowed
    assert _post_from(client, token, "198.51.100.7") == 429
    # A client's own X-Forwarded-For entry sits left of the proxy's and is not trusted.
    assert _post_from(client, token, "203.0.113.1, 198.51.100.7") == 429


def test_without_trusted_proxies_forwarded_addresses_are_ignored():
    app = make_app(TRUSTED_PROXIES=0, RESPOND_RATE_LIMIT="1 per minute")
    token = _link_token(app)
    client = app.test_client()
    assert _post_from(client, token, "198.51.100.7") == 302
    assert _post_from(client, token, "198.51.100.8") == 429  # a made-up header buys nothing


def test_trusted_proxies_must_be_a_whole_number():
    from webapp.config import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        make_app(TRUSTED_PROXIES=-1)
