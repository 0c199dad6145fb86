"""One SQLAlchemy Session per request, closed on teardown."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from surveys.database import make_engine, make_session_factory


def init_app(app: Flask) -> None:
    """Create the engine for DATABASE_URL and close each request's session at teardown."""
    url = app.config["DATABASE_URL"]
    kwargs = {"poolclass": StaticPool} if url in ("sqlite://", "sqlite:///:memory:") else {}
    engine = make_engine(url, **kwargs)
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = make_session_factory(engine)
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask) -> Engine:
    return app.extensions["db_engine"]  # type: ignore[no-any-return]


def session_factory(app: Flask) -> sessionmaker[Session]:
    return app.extensions["db_sessions"]  # type: ignore[no-any-return]


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        from flask import current_app

        g.db_session = session_factory(current_app)()
    return g.db_session  # type: ignore[no-any-return]


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
