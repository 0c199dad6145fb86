"""Ids too big for the database and stray line breaks answer 404 or 400, never a 500."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from surveys import accounts, api_tokens
from tests.conftest import make_app

HUGE_IDS = (2**63, 2**64)
ARGUMENT = re.compile(r"<(?:(?P<converter>[^:>]+):)?(?P<name>[^>]+)>")


@pytest.fixture(scope="module")
def world():
    """One app with a signed-in admin client, an anonymous client and an API token."""
    from surveys.models import Role
    from tests import factories
    from tests.conftest import inspect_session

    app = make_app()
    session = inspect_session(app)
    factories.bind(session)
    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    signed_in = app.test_client()
    with signed_in.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, admin)
    _, token = api_tokens.create_api_token(session, "walk", created_by=admin.id)
    yield app, signed_in, token
    session.close()


def _paths_with_ids(app: Flask, number: int) -> list[str]:
    """Every GET route with an int argument, that argument replaced by `number`."""
    paths = []
    for rule in app.url_map.iter_rules():
        ids = [name for name, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not ids or "GET" not in (rule.methods or ()):
            continue
        paths.append(
            ARGUMENT.sub(lambda m, ids=ids: str(number) if m["name"] in ids else "x", rule.rule)
        )
    return paths


@pytest.mark.parametrize("number", HUGE_IDS)
def test_an_id_past_64_bits_is_not_found_on_every_route(world, number):
    app, signed_in, token = world
    bearer = {"Authorization": f"Bearer {token}"}
    paths = _paths_with_ids(app, number)
    assert any(p.startswith("/api/") for p in paths) and len(paths) > 20
    errors = {}
    for path in paths:
        for who, answer in (
            ("admin", signed_in.get(path)),
            ("anonymous", app.test_client().get(path)),
            ("api token", app.test_client().get(path, headers=bearer)),
        ):
            if answer.status_code >= 500:
                errors[f"{who} {path}"] = answer.status_code
    assert errors == {}


def test_the_largest_64_bit_id_is_simply_not_found(world):
    app, signed_in, _ = world
    assert signed_in.get(f"/admin/cycles/{2**63 - 1}").status_code == 404
    assert signed_in.get(f"/admin/cycles/{2**63}").status_code == 404


@pytest.mark.parametrize("value", ["/home%0Aevil", "%0D%0ALocation:%20https://evil.example", "%0A"])
def test_a_line_break_in_next_never_gives_a_server_error(world, value):
    """No page but sign-in reads `next`; none of them fails on one carrying a line break."""
    app, signed_in, _ = world
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments
    ]
    failures = {
        f"{who} {path}": answer.status_code
        for path in paths
        for who, answer in (
            ("admin", signed_in.get(f"{path}?next={value}")),
            ("anonymous", app.test_client().get(f"{path}?next={value}")),
        )
        if answer.status_code >= 500
    }
    assert failures == {}
