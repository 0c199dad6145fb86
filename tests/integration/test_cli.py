"""The command line as the README uses it: migrate, seed the demo, create a user from a script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]


def _flask(args: list[str], db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LEARNING_LOOP_ENV": "development",
        "LEARNING_LOOP_DATABASE_URL": f"sqlite:///{db}",
        "LEARNING_LOOP_QUEUE_URL": f"sqlite:///{db.parent / 'queue.db'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_upgrade_seed_and_create_user(tmp_path):
    db = tmp_path / "ll.db"
    assert _flask(["db", "upgrade"], db).returncode == 0
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
    assert orgs >= 12 and sectors.scalar() >= 6 and roles == 6
    assert forms.scalar() == 10 and submitted >= 400 and flagged >= 4  # 9 forms + a review's
    assert reviews == 2
    assert themes >= 5 and all(count >= 1 for count in loop)
    assert hashed.startswith("$argon2id$") and "a long enough password" not in hashed


def test_create_user_refuses_bad_input_clearly(tmp_path):
    db = tmp_path / "ll.db"
    _flask(["db", "upgrade"], db)
    nowhere = _flask(
        ["create-user", "--email", "x@example.org", "--name", "X", "--role", "quality_group"],
        db,
        stdin="a long enough password\n",
    )
    assert "No partnership yet: add one with create-partnership" in nowhere.stderr
    _flask(["create-partnership", "--name", "Riverside"], db)
    result = _flask(
        ["create-user", "--email", "x@example.org", "--name", "X", "--role", "organisation_lead"],
        db,
        stdin="a long enough password\n",
    )
    assert result.returncode != 0
    assert "Select the organisation this person belongs to" in result.stderr
    weak = _flask(
        ["create-user", "--email", "y@example.org", "--name", "Y", "--role", "quality_group"],
        db,
        stdin="short\n",
    )
    assert "Password must be 10 characters or more" in weak.stderr


def test_seed_demo_refuses_production(tmp_path):
    env_db = tmp_path / "ll.db"
    env = {
        **os.environ,
        "LEARNING_LOOP_ENV": "production",
        "LEARNING_LOOP_SECRET_KEY": "k" * 40,
        "LEARNING_LOOP_DATABASE_URL": f"sqlite:///{env_db}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "seed-demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "development only" in result.stderr


def test_partnerships_and_their_people_from_the_command_line(tmp_path):
    db = tmp_path / "ll.db"
    _flask(["db", "upgrade"], db)
    for name in ("Northshire Partnership", "Southshire Partnership"):
        made = _flask(
            ["create-partnership", "--name", name, "--front-door-phone", "01632 960 000"], db
        )
        assert made.returncode == 0 and "Partnership" in made.stdout, made.stderr
    twice = _flask(["create-partnership", "--name", "northshire partnership"], db)
    assert "A partnership with this name already exists" in twice.stderr
    person = ["--email", "a@example.org", "--name", "Ada", "--role", "partnership_admin"]
    which = _flask(["create-user", *person], db, stdin="a long enough password\n")
    assert which.returncode != 0 and "--partnership" in which.stderr  # two: say which
    unknown = _flask(["create-user", *person, "--partnership", "Westshire"], db, stdin="\n")
    assert "No partnership is called 'Westshire'" in unknown.stderr
    made = _flask(
        ["create-user", *person, "--partnership", "Southshire Partnership"],
        db,
        stdin="a long enough password\n",
    )
    assert made.returncode == 0, made.stderr
    platform = _flask(
        ["create-user", "--email", "p@example.org", "--name", "Pat", "--platform-admin"],
        db,
        stdin="a long enough password\n",
    )
    assert platform.returncode == 0, platform.stderr
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
