"""Leaving cleanly on PostgreSQL, as the ordinary app role with row-level security on.

The schema is migrated by the superuser; the app, the export and the deletion run as
`learning_loop_app` (see test_tenancy_postgres.py), which the policies bind.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import make_app
from tests.integration import test_partnership_exit as exit_checks
from tests.integration.test_tenancy_postgres import app_url  # noqa: F401 - a fixture

pytestmark = pytest.mark.postgres


def test_every_owned_table_has_row_level_security_forced(app_url):  # noqa: F811
    engine = create_engine(app_url)
    with engine.connect() as connection:
        forced = set(
            connection.scalars(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
                    "WHERE c.relrowsecurity AND c.relforcerowsecurity "
                    "AND p.polname = 'partnership_isolation'"
                )
            )
        )
    engine.dispose()
    owned = {model.__tablename__ for model in exit_checks.owned_in_registry()}
    assert owned - forced == set(), "owned tables without the partnership policy"


def test_export_then_delete_a_leaves_b_whole_under_row_level_security(app_url, tmp_path):  # noqa: F811
    worlds = exit_checks.build_worlds(make_app(WTF_CSRF_ENABLED=False, DATABASE_URL=app_url))
    try:
        exit_checks.check_export_holds_a_and_none_of_b(worlds, tmp_path)
        exit_checks.check_delete_a_leaves_b_whole(worlds)
    finally:
        worlds.session.close()
