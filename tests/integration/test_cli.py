"""The command line as the README uses it: migrate, seed the demo, create a user from a script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, text

from webapp import create_app
from webapp.config import TestConfig
from webapp.database import get_engine

ROOT = Path(__file__).resolve().parents[2]
# The development settings with TestConfig's two light choices: TF-IDF themes (loading MiniLM
# and embedding the demo took ~20 s of this file's subprocess time; MiniLM theming is checked
# in tests/unit/nlp) and argon2 at the test cost. Hashes are argon2id either way.
LIGHT = {
    "LEARNING_LOOP_THEMING_EMBEDDER": "tfidf",
    "LEARNING_LOOP_PASSWORD_HASH_COST": json.dumps(TestConfig.PASSWORD_HASH_COST),
}


def _development(db: Path) -> dict[str, str]:
    return {
        **LIGHT,
        "LEARNING_LOOP_ENV": "development",
        "LEARNING_LOOP_DATABASE_URL": f"sqlite:///{db}",
        "LEARNING_LOOP_QUEUE_URL": f"sqlite:///{db.parent / 'queue.db'}",
    }


def _flask(args: list[str], db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `python -m flask --app webapp ARGS` as the README does, in its own interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", *args],
        cwd=ROOT,
        env={**os.environ, **_development(db)},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory) -> Path:
    """A database `flask db upgrade` made, once for this file; tests work on copies."""
    db = tmp_path_factory.mktemp("upgraded") / "ll.db"
    upgrade = _flask(["db", "upgrade"], db)
    assert upgrade.returncode == 0, upgrade.stderr
    return db


def _copy(upgraded: Path, folder: Path) -> Path:
    return Path(shutil.copyfile(upgraded, folder / "ll.db"))


def _command(monkeypatch, env: dict[str, str], args: list[str], stdin: str = "") -> Result:
    """Run a command in this process on the app the same LEARNING_LOOP_* variables build.

    The commands' own messages and exit codes, as `flask --app webapp` runs them; starting an
    interpreter for each (~3 s) is checked once, by the README flow below.
    """
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    try:
        with app.app_context():
            return app.test_cli_runner().invoke(args=args, input=stdin)
    finally:
        get_engine(app).dispose()


def test_upgrade_seed_and_create_user(upgraded, tmp_path):
    db = _copy(upgraded, tmp_path)
    seeded = _flask(["seed-demo"], db)
    assert seeded.returncode == 0, seeded.stderr
    assert "admin@example.org" in seeded.stdout and "Demo data loaded" in seeded.stdout
    again = _flask(["seed-demo", "--quiet"], db)
    assert "already has data" in again.stdout
    created = _flask(
        [
            "create-user",
            "--email",
            "new@example.org",
            "--name",
            "New Person",
            "--role",
            "organisation_contributor",
            "--organisation",
            "Riverside Constabulary",
            "--partnership",  # the demo has two partnerships
            "Riverside Safeguarding Children Partnership",
        ],
        db,
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        orgs = connection.execute(text("SELECT count(*) FROM organisations")).scalar()
        sectors = connection.execute(text("SELECT count(DISTINCT sector) FROM organisations"))
        roles = connection.execute(text("SELECT count(DISTINCT role) FROM users")).scalar()
        forms = connection.execute(text("SELECT count(DISTINCT definition_key) FROM cycles"))
        submitted = connection.execute(
            text("SELECT count(*) FROM responses WHERE status = 'submitted'")
        ).scalar()
        flagged = connection.execute(text("SELECT count(*) FROM disclosure_flags")).scalar()
        themes = connection.execute(text("SELECT count(*) FROM themes")).scalar()
        loop = [
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
            for table in ("learning_entries", "board_items", "actions")
        ]
        hashed = connection.execute(
            text("SELECT password_hash FROM users WHERE email='new@example.org'")
        ).scalar()
        reviews = connection.execute(text("SELECT count(*) FROM case_reviews")).scalar()
    assert orgs >= 12 and sectors.scalar() >= 6 and roles == 7  # with the training lead
    # 9 forms, a review's information returns, the audit tool, the practice concern form and
    # a national review's finding, and the audit findings kept for theming
    assert forms.scalar() == 14 and submitted >= 400 and flagged >= 4
    assert reviews == 2
    assert themes >= 5 and all(count >= 1 for count in loop)
    assert hashed.startswith("$argon2id$") and "a long enough password" not in hashed


def test_create_user_refuses_bad_input_clearly(upgraded, tmp_path, monkeypatch):
    env = _development(_copy(upgraded, tmp_path))
    quality = ["create-user", "--email", "x@example.org", "--name", "X", "--role", "quality_group"]
    nowhere = _command(monkeypatch, env, quality, stdin="a long enough password\n")
    assert nowhere.exit_code != 0
    assert "No partnership yet: add one with create-partnership" in nowhere.stderr
    _command(monkeypatch, env, ["create-partnership", "--name", "Riverside"])
    result = _command(
        monkeypatch,
        env,
        ["create-user", "--email", "x@example.org", "--name", "X", "--role", "organisation_lead"],
        stdin="a long enough password\n",
    )
    assert result.exit_code != 0
    assert "Select the organisation this person belongs to" in result.stderr
    weak = _command(
        monkeypatch,
        env,
        ["create-user", "--email", "y@example.org", "--name", "Y", "--role", "quality_group"],
        stdin="short\n",
    )
    assert weak.exit_code != 0 and "Password must be 10 characters or more" in weak.stderr


def test_seed_demo_refuses_production(tmp_path, monkeypatch):
    env = {
        "LEARNING_LOOP_ENV": "production",
        "LEARNING_LOOP_SECRET_KEY": "k" * 40,
        "LEARNING_LOOP_DATABASE_URL": f"sqlite:///{tmp_path / 'll.db'}",
    }
    result = _command(monkeypatch, env, ["seed-demo"])
    assert result.exit_code != 0 and "development only" in result.stderr


def test_partnerships_and_their_people_from_the_command_line(upgraded, tmp_path, monkeypatch):
    db = _copy(upgraded, tmp_path)
    env = _development(db)
    for name in ("Northshire Partnership", "Southshire Partnership"):
        made = _command(
            monkeypatch,
            env,
            ["create-partnership", "--name", name, "--front-door-phone", "01632 960 000"],
        )
        assert made.exit_code == 0 and "Partnership" in made.stdout, made.stderr
    twice = _command(monkeypatch, env, ["create-partnership", "--name", "northshire partnership"])
    assert "A partnership with this name already exists" in twice.stderr
    person = ["--email", "a@example.org", "--name", "Ada", "--role", "partnership_admin"]
    which = _command(monkeypatch, env, ["create-user", *person], stdin="a long enough password\n")
    assert which.exit_code != 0 and "--partnership" in which.stderr  # two: say which
    unknown = _command(
        monkeypatch, env, ["create-user", *person, "--partnership", "Westshire"], stdin="\n"
    )
    assert "No partnership is called 'Westshire'" in unknown.stderr
    made = _command(
        monkeypatch,
        env,
        ["create-user", *person, "--partnership", "Southshire Partnership"],
        stdin="a long enough password\n",
    )
    assert made.exit_code == 0, made.stderr
    platform = _command(
        monkeypatch,
        env,
        ["create-user", "--email", "p@example.org", "--name", "Pat", "--platform-admin"],
        stdin="a long enough password\n",
    )
    assert platform.exit_code == 0, platform.stderr
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        memberships = connection.execute(
            text(
                "SELECT u.email, p.name, m.role FROM memberships m "
                "JOIN users u ON u.id = m.user_id JOIN partnerships p ON p.id = m.partnership_id"
            )
        ).all()
        admins = (
            connection.execute(text("SELECT email FROM users WHERE is_platform_admin"))
            .scalars()
            .all()
        )
    engine.dispose()
    assert memberships == [("a@example.org", "Southshire Partnership", "partnership_admin")]
    assert admins == ["p@example.org"]
