"""Shared fixtures: the app on a fresh database, clients, sign-in, SMTP and service checks.

Each app gets its own SQLite file, copied from a template built once per test process: an
empty schema with the partnership row, or (tests marked `demo`) the seeded demo. The files
live in memory (/dev/shm) where Linux offers it, so commits do not wait on the disk.
Under pytest-xdist each worker has its own Redis database (REDIS_URL) and names its own
PostgreSQL schemas (`worker_schema`).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from types import CodeType
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import freezegun  # noqa: E402
import pytest  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from jinja2.bccache import Bucket, BytecodeCache  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from surveys import accounts  # noqa: E402
from surveys.models import Base, Partnership, Role, User  # noqa: E402
from tests import factories  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.database import get_engine, session_factory  # noqa: E402

# freeze_time patches every loaded module that holds a clock function, reading each module's
# attributes on first use: with torch and transformers loaded (after a MiniLM test in this
# process) that took 25-60 s, as reading transformers' lazy modules imports ~200 more. These
# libraries never read our clock, so freezegun leaves them alone; calls made from them see
# real time, which no test relies on.
freezegun.configure(
    extend_ignore_list=[
        "torch",
        "transformers",
        "sentence_transformers",
        "huggingface_hub",
        "tokenizers",
        "safetensors",
        "sklearn",
        "scipy",
        "numpy",
        "pandas",
        "sympy",
        "mpmath",
        "narwhals",
        "joblib",
        "spacy",
        "thinc",
        "umap",
        "hdbscan",
        "pynndescent",
        "numba",
        "llvmlite",
    ]
)

IN_CI = os.environ.get("CI") == "true"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"... under pytest-xdist
WORKER_NUMBER = int(WORKER.removeprefix("gw")) if WORKER else 0
POSTGRES_URL = os.environ.get(
    "LEARNING_LOOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _redis_url_of_this_worker(url: str) -> str:
    """Give each xdist worker its own Redis database: 15 for the first, 14 for the next..."""
    base, _, number = url.rpartition("/")
    if not number.isdigit() or int(number) < WORKER_NUMBER:
        raise RuntimeError(f"no Redis database left for xdist worker {WORKER} below {url}")
    return f"{base}/{int(number) - WORKER_NUMBER}"


REDIS_URL = _redis_url_of_this_worker(
    os.environ.get("LEARNING_LOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)


def worker_schema(name: str) -> str:
    """A PostgreSQL schema name of this xdist worker's own, so workers never share one."""
    return f"{name}_{WORKER}" if WORKER else name


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a local service is missing, but fail under CI=true: CI must run these tests."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        message = f"{name} is not reachable on {host}:{port}"
        if IN_CI:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)


_scratch: list[Path] = []
_templates: dict[str, Path] = {}


def scratch_folder() -> Path:
    """This process's folder for app databases and data, in memory if possible; gone at exit."""
    if not _scratch:
        memory = Path("/dev/shm")
        usable = memory.is_dir() and os.access(memory, os.W_OK)
        folder = tempfile.mkdtemp(prefix="learning-loop-tests-", dir=memory if usable else None)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _scratch.append(Path(folder))
    return _scratch[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the scratch folder at the end of the session (xdist workers may skip atexit)."""
    for folder in _scratch:
        shutil.rmtree(folder, ignore_errors=True)


MODEL_MARKERS = ("nlp", "slow")


def _runs_first(item: pytest.Item) -> int:
    """0: loads torch and the models; 1: drives the browser; 2: the rest."""
    if "minilm" in getattr(item, "fixturenames", ()) or any(
        item.get_closest_marker(name) for name in MODEL_MARKERS
    ):
        return 0
    return 1 if item.get_closest_marker("browser") else 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests that load the models, then the browser tests, then the rest.

    Under `--dist worksteal` each worker starts on a contiguous half of this order and an idle
    worker takes the end of a busy one's queue, so the front stays on the first worker: torch,
    MiniLM and BERTopic load in one process, one chromium serves the browser tests, and the
    long tests start early while the short ones even out the end.
    """
    items.sort(key=_runs_first)


def _settings(**settings: object) -> type[TestConfig]:
    class Settings(TestConfig):
        pass

    folder = tempfile.mkdtemp(prefix="app-", dir=scratch_folder())
    Settings.DATA_FOLDER = folder
    Settings.DATABASE_URL = f"sqlite:///{folder}/test.db"
    for key, value in settings.items():
        setattr(Settings, key, value)
    return Settings


def _sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


class _CompiledTemplates(BytecodeCache):
    """Compiled Jinja templates shared by every test app of this process.

    Each app has its own Jinja environment, which compiles each template it renders: that was
    most of the CPU time of a typical view test. The apps all come from `create_app`, so the
    same source compiles to the same code; the key holds the source's checksum and the
    environment's settings that change the compiled code, so a different source or setting
    compiles afresh.
    """

    def __init__(self) -> None:
        self._code: dict[tuple[object, ...], CodeType] = {}

    @staticmethod
    def _key(bucket: Bucket) -> tuple[object, ...]:
        env = bucket.environment
        return (
            bucket.key,
            bucket.checksum,
            env.trim_blocks,
            env.lstrip_blocks,
            env.keep_trailing_newline,
            env.optimized,
            env.is_async,
            env.finalize is not None,
            tuple(sorted(env.extensions)),
        )

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(self._key(bucket))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self._code[self._key(bucket)] = bucket.code


_compiled_templates = _CompiledTemplates()


def make_app(*, demo: bool = False, **settings: object) -> Flask:
    """Create a test app on a fresh database with the partnership row present.

    A SQLite database starts as a copy of a template (see `database_template`); with
    `demo=True` it holds the seeded demo instead of the partnership row. Any other database
    gets the schema from the models. Compiled page templates are shared between the apps of
    one process (`_CompiledTemplates`).
    """
    config = _settings(**settings)
    database = _sqlite_file(config.DATABASE_URL)
    if database is not None and not database.exists():
        shutil.copyfile(database_template("demo" if demo else "empty"), database)
        app = create_app(config)
    else:
        assert not demo, "the demo template is a SQLite file"
        app = create_app(config)
        _add_schema_and_partnership(app)
    app.jinja_env.bytecode_cache = _compiled_templates
    return app


def _add_schema_and_partnership(app: Flask) -> None:
    Base.metadata.create_all(get_engine(app))
    with session_factory(app)() as session:
        session.add(Partnership(name="Test Partnership"))
        session.commit()


def database_template(name: str) -> Path:
    """The SQLite file app databases start from, built once per process.

    "empty": the schema and a partnership row. "demo": the demo partnership, people and
    answers, as `flask seed-demo` loads them into an empty database.
    """
    if name not in _templates:
        app = create_app(_settings())
        _add_schema_and_partnership(app)
        if name == "demo":
            _seed_demo(app)
        get_engine(app).dispose()  # the last connection to close checkpoints the WAL
        path = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        assert not path.with_name(path.name + "-wal").exists(), "template left a WAL file"
        _templates[name] = path
    return _templates[name]


def _seed_demo(app: Flask) -> None:
    from sqlalchemy import delete

    from demo.assurance import seed_last_year, seed_scrutiny
    from demo.audits import seed_audits
    from demo.collection import seed_collection
    from demo.national_reviews import seed_national_reviews
    from demo.neighbour import seed_neighbour
    from demo.people import seed
    from demo.practitioners import seed_practitioners
    from demo.reviews import seed_reviews
    from demo.training import seed_training
    from surveys.loader import load_definitions
    from webapp.form_pages import person_key_secret

    with session_factory(app)() as session:
        session.execute(delete(Partnership))
        session.commit()
        seed(session)
        seed_collection(session, load_definitions())
        seed_last_year(session, load_definitions())
        seed_neighbour(session, load_definitions())
        seed_scrutiny(session, load_definitions())
        seed_practitioners(session)
        seed_reviews(session, load_definitions())
        seed_audits(session, load_definitions())
        seed_national_reviews(session, load_definitions())
        with app.app_context():
            seed_training(session, load_definitions(), secret=person_key_secret())


@pytest.fixture
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A fresh app; on the seeded demo for tests marked `demo`."""
    app = make_app(demo=request.node.get_closest_marker("demo") is not None)
    yield app
    get_engine(app).dispose()
    shutil.rmtree(app.config["DATA_FOLDER"], ignore_errors=True)


@pytest.fixture(scope="session")
def minilm() -> object:
    """The MiniLM embedder the theming jobs share: the model loads once per process."""
    from learning.theming_job import shared_embedder

    return shared_embedder("minilm")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def write_lock_is_free(database: str, *, wait: float = 0) -> bool:
    """True if another connection can take the SQLite write lock (within `wait` seconds)."""
    import sqlite3

    path = database.removeprefix("sqlite:///")
    raw = sqlite3.connect(path, isolation_level=None, timeout=wait)
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        raw.close()


def inspect_session(app: Flask) -> Session:
    """A session on the app's database that never holds a lock the app waits for.

    On SQLite its statements autocommit, so it always reads what requests have committed.
    """
    from surveys.database import make_engine, make_session_factory

    url = app.config["DATABASE_URL"]
    engine = make_engine(url, immediate=False) if url.startswith("sqlite") else get_engine(app)
    return in_first_partnership(make_session_factory(engine)())


def in_first_partnership(session: Session) -> Session:
    """Scope a test's session to the partnership `make_app` created (the first one)."""
    from sqlalchemy import func, select

    from surveys import tenancy

    first = session.scalar(select(func.min(Partnership.id)))
    if first is not None:
        tenancy.work_in(session, first)
    return session


def in_new_partnership(session: Session) -> Session:
    """Add a partnership to a test's empty database and scope the session to it."""
    from surveys import tenancy

    partnership = Partnership(name="Test Partnership")
    session.add(partnership)
    session.commit()
    tenancy.work_in(session, partnership.id)
    return session


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    with inspect_session(app) as session:
        factories.bind(session)
        yield session


@pytest.fixture
def login_as(client: FlaskClient, db_session: Session) -> Callable[[User], User]:
    """Sign a user in on the test client without going through the form."""

    def _login(user: User) -> User:
        token = accounts.start_session(db_session, user)
        with client.session_transaction() as cookie:
            cookie["token"] = token
        return user

    return _login


@pytest.fixture
def admin(db_session: Session) -> User:
    return factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Return the CSRF token in a page."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def post_form(client: FlaskClient) -> Callable[..., object]:
    """GET a page, then POST to it (or to `action`) with its CSRF token."""

    def _post(
        url: str, data: dict[str, str], *, action: str | None = None, follow_redirects: bool = False
    ) -> object:
        return post_with_csrf(client, url, data, action=action, follow_redirects=follow_redirects)

    return _post


def post_with_csrf(
    client: FlaskClient,
    url: str,
    data: dict[str, Any],
    *,
    action: str | None = None,
    follow_redirects: bool = False,
) -> Any:
    """GET a page as `client`, then POST to it (or to `action`) with the page's CSRF token."""
    page = client.get(url)
    return client.post(
        action or url,
        data={**data, "csrf_token": csrf_from(page.text)},
        follow_redirects=follow_redirects,
    )


def date_fields(prefix: str, day: date) -> dict[str, str]:
    """A GOV.UK date input's three boxes, as a form posts them."""
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


@dataclass
class MailBox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Message]:
        """Wait until `count` messages have arrived and return them."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages


@pytest.fixture
def smtp_server() -> Iterator[MailBox]:
    """A real SMTP server on loopback that keeps what it receives."""
    from aiosmtpd.controller import Controller

    box = MailBox(host="127.0.0.1", port=_free_port())

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            box.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[attr-defined]
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=box.host, port=box.port)
    controller.start()
    yield box
    controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


free_port = _free_port
