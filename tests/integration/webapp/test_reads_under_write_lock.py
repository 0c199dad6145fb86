"""Pages keep answering while another connection holds the SQLite write lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select, update

from surveys.database import make_engine, make_session_factory, reading_engine
from surveys.models import Role, UserSession, utcnow
from tests import factories


@contextmanager
def write_lock(app, *, seconds: float | None = None) -> Iterator[sqlite3.Connection]:
    """Hold BEGIN IMMEDIATE on the app's database (for `seconds`, or for the block)."""
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    raw = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    raw.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(seconds, raw.rollback) if seconds is not None else None
    if timer:
        timer.start()
    try:
        yield raw
    finally:
        if timer:
            timer.join()
        else:
            raw.rollback()
        raw.close()


def test_pages_load_while_another_connection_writes(app, client, db_session, login_as):
    organisation = factories.OrganisationFactory()
    ids = factories.collection_world(db_session, organisation)
    login_as(factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None))
    anonymous = app.test_client()
    public = ["/accessibility", "/privacy", "/sign-in", f"/f/{ids['token']}", "/healthz"]
    signed_in = ["/", "/quality"]
    with write_lock(app):
        statuses = [anonymous.get(page).status_code for page in public]
        statuses += [client.get(page).status_code for page in signed_in]
    assert statuses == [200] * (len(public) + len(signed_in))


def test_a_page_that_writes_waits_for_the_lock_instead_of_failing(
    app, client, db_session, login_as
):
    """Opening a flag writes an audit row and an idle session is touched: both still work."""
    organisation = factories.OrganisationFactory()
    ids = factories.collection_world(db_session, organisation)
    login_as(factories.UserFactory(role=Role.SAFEGUARDING_LEAD, organisation=None))
    db_session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
    db_session.commit()
    with write_lock(app, seconds=0.5):
        page = client.get(f"/safeguarding/responses/{ids['response_id']}")
    assert page.status_code == 200
    touched = db_session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - touched.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)


def test_a_reading_transaction_can_write_after_another_commit(tmp_path):
    """A read then a write in one deferred transaction: no "database is locked"."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE visits (id INTEGER PRIMARY KEY, n INTEGER)")
        connection.exec_driver_sql("INSERT INTO visits VALUES (1, 0)")
    reader = make_session_factory(reading_engine(engine))()
    writer = make_session_factory(engine)()
    assert reader.execute(select(1)).scalar() == 1  # the read snapshot starts here
    reader.connection().exec_driver_sql("SELECT n FROM visits").all()
    writer.connection().exec_driver_sql("UPDATE visits SET n = n + 1")
    writer.commit()  # now the reader's snapshot is out of date
    reader.connection().exec_driver_sql("UPDATE visits SET n = n + 10")
    reader.commit()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM visits").scalar() == 11
    reader.close(), writer.close()
    engine.dispose()


def test_posts_still_take_the_write_lock_when_they_begin(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    session = make_session_factory(engine)()
    session.execute(select(1))
    raw = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None, timeout=0)
    started = time.monotonic()
    try:
        raw.execute("BEGIN IMMEDIATE")
        raise AssertionError("a writing session's transaction should hold the lock")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
    assert time.monotonic() - started < 1
    raw.close(), session.close()
    engine.dispose()


def test_a_savepoint_in_a_reading_transaction_survives_its_first_write(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE visits (id INTEGER PRIMARY KEY, n INTEGER)")
    reader = make_session_factory(reading_engine(engine))()
    reader.execute(select(1))
    with reader.begin_nested():
        reader.connection().exec_driver_sql("INSERT INTO visits VALUES (1, 1)")
    reader.commit()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM visits").scalar() == 1
    reader.close()
    engine.dispose()


def test_a_post_that_cannot_get_the_lock_in_time_is_told_to_send_again(
    app, client, db_session, monkeypatch
):
    """On a machine too busy for the lock to come free in time: a GOV.UK 503 saying nothing
    was saved and when to try again, never a 500; sending again then works, once."""
    from surveys import database
    from tests.conftest import csrf_from

    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)
    person = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    form = {
        "email": person.email,
        "password": factories.PASSWORD,
        "csrf_token": csrf_from(client.get("/sign-in").text),
    }
    with write_lock(app):
        busy = client.post("/sign-in", data=form)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert "The service is busy" in busy.text and "Nothing you sent has been saved" in busy.text
    assert "govuk-heading-l" in busy.text
    assert db_session.scalar(select(UserSession.id)) is None  # not signed in: nothing saved
    again = client.post("/sign-in", data=form)
    assert again.status_code == 302
    assert len(db_session.scalars(select(UserSession.id)).all()) == 1
