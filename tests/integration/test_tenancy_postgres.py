"""Partnership isolation on PostgreSQL with row-level security on, as an ordinary role.

Superusers skip row-level security, so these tests migrate as the superuser and then run the
app as `learning_loop_app` (created here if missing), which only holds table privileges.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from surveys import migration, tenancy
from surveys.models import Cycle
from tests.conftest import POSTGRES_URL, make_app, require_service
from tests.integration.webapp import test_access_matrix as matrix

pytestmark = pytest.mark.postgres
APP_ROLE = "learning_loop_app"


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """A fresh migrated schema, and a URL that reaches it as the ordinary app role."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    schema = f"tenancy_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        exists = connection.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        )
        if not exists:
            connection.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
    migration.upgrade(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    with admin.begin() as connection:
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {APP_ROLE}'))
        connection.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA "{schema}" TO {APP_ROLE}'))
        connection.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA "{schema}" TO {APP_ROLE}'))
    user_url = POSTGRES_URL.replace("://postgres@", f"://{APP_ROLE}@", 1)
    yield f"{user_url}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def two_partnerships(app_url):
    app, session, people, ids = matrix.build_world(
        make_app(WTF_CSRF_ENABLED=False, DATABASE_URL=app_url)
    )
    worlds = (app, session, people, ids, matrix.build_second_partnership(session))
    yield worlds
    session.close()


def test_the_app_role_is_subject_to_row_level_security(app_url):
    engine = create_engine(app_url)
    with engine.connect() as connection:
        is_super, bypasses = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        forced = connection.scalar(
            text("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'responses'")
        )
    engine.dispose()
    assert (is_super, bypasses, forced) == (False, False, True)


CASES = matrix.ISOLATION_CASES  # each route naming a partnership's rows × roles let in


@pytest.mark.parametrize(
    ("endpoint", "method", "role"), CASES, ids=[f"{e} {m}-{r}" for e, m, r in CASES]
)
def test_another_partnerships_objects_answer_404_on_postgres(
    two_partnerships, endpoint, method, role
):
    matrix.check_other_partnership_is_unseen(two_partnerships, endpoint, method, role)


def test_api_and_links_keep_to_their_partnership_on_postgres(two_partnerships):
    matrix.test_an_api_token_sees_only_its_own_partnership(two_partnerships)
    matrix.test_a_link_opens_its_own_partnership_only(two_partnerships)


def test_row_level_security_alone_blocks_a_cross_partnership_read(two_partnerships, app_url):
    """Raw SQL on a plain connection: no ORM criteria, only the database's policy."""
    _, session, _, ids, other_ids = two_partnerships
    mine = tenancy.partnership_of(session)
    theirs = other_ids["partnership_id"]
    engine = create_engine(app_url)
    count = "SELECT count(*) FROM cycles WHERE id IN (:a, :b)"
    both = {"a": ids["cycle_id"], "b": other_ids["cycle_id"]}
    with engine.connect() as connection:
        assert connection.scalar(text(count), both) == 0  # no partnership: nothing
        connection.execute(
            text("SELECT set_config('app.partnership_id', :p, true)"), {"p": str(mine)}
        )
        assert connection.scalar(text("SELECT id FROM cycles WHERE id = :b"), both) is None
        assert connection.scalar(text(count), both) == 1
        with pytest.raises(DBAPIError, match="row-level security"):
            connection.execute(
                text("UPDATE responses SET partnership_id = :p WHERE id = :r"),
                {"p": theirs, "r": ids["response_id"]},
            )
        connection.rollback()
        connection.execute(text("SELECT set_config('app.every_partnership', 'on', true)"))
        assert connection.scalar(text(count), both) == 2
        connection.rollback()
    engine.dispose()


def test_a_sessions_transactions_carry_its_partnership_to_the_database(two_partnerships):
    _, session, _, ids, other_ids = two_partnerships
    raw = "SELECT id FROM cycles WHERE id IN ({}, {})".format(  # noqa: S608 - two ints
        int(ids["cycle_id"]), int(other_ids["cycle_id"])
    )
    session.rollback()
    found = session.connection().exec_driver_sql(raw).scalars().all()  # around the ORM
    assert found == [ids["cycle_id"]]
    with tenancy.every_partnership(session):
        assert len(session.connection().exec_driver_sql(raw).all()) == 2
        assert session.scalar(select(Cycle.id).where(Cycle.id == other_ids["cycle_id"]))
    assert session.connection().exec_driver_sql(raw).scalars().all() == [ids["cycle_id"]]
    session.rollback()
