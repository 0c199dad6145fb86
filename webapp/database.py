"""One SQLAlchemy Session per request, closed on teardown.

GET and HEAD requests read: on SQLite their transactions begin deferred, so pages keep
answering while a job or a form post holds the write lock. Other requests, and everything
outside a request (jobs, commands), take the write lock when their transaction begins;
jobs wait longer for it than requests do (`job_session_factory`).
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from surveys.database import job_engine, make_engine, make_session_factory, reading_engine

READING_METHODS = frozenset({"GET", "HEAD"})


def init_app(app: Flask) -> None:
    """Create the engine for DATABASE_URL and close each request's session at teardown."""
    url = app.config["DATABASE_URL"]
    kwargs = {"poolclass": StaticPool} if url in ("sqlite://", "sqlite:///:memory:") else {}
    engine = make_engine(url, **kwargs)
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = make_session_factory(engine)
    app.extensions["db_reading_sessions"] = make_session_factory(reading_engine(engine))
    app.extensions["db_job_sessions"] = make_session_factory(job_engine(engine))
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask) -> Engine:
    return app.extensions["db_engine"]  # type: ignore[no-any-return]


def session_factory(app: Flask) -> sessionmaker[Session]:
    return app.extensions["db_sessions"]  # type: ignore[no-any-return]


def reading_session_factory(app: Flask) -> sessionmaker[Session]:
    """Sessions whose SQLite transactions begin as reads (see surveys.database)."""
    return app.extensions["db_reading_sessions"]  # type: ignore[no-any-return]


def job_session_factory(app: Flask) -> sessionmaker[Session]:
    """Sessions for background jobs: on SQLite they wait longer for the write lock."""
    return app.extensions["db_job_sessions"]  # type: ignore[no-any-return]


def get_session() -> Session:
    """Return this request's session, opening it on first use (a reading one for GET/HEAD)."""
    if "db_session" not in g:
        from flask import current_app

        is_reading = has_request_context() and request.method in READING_METHODS
        sessions = reading_session_factory if is_reading else session_factory
        g.db_session = sessions(current_app)()
    return g.db_session  # type: ignore[no-any-return]


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
