"""Every route × every role against one declared table; undeclared routes fail the build."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask import Flask

from surveys.models import Role
from tests import factories
from tests.conftest import make_app
from webapp.access import rule_for

MATRIX = yaml.safe_load((Path(__file__).parent / "access_matrix.yaml").read_text())
ROLES: list[str] = MATRIX["roles"]
CASES = [
    (route, role, expected)
    for route, outcomes in MATRIX["routes"].items()
    for role, expected in zip(ROLES, outcomes, strict=True)
]


def _routes(app: Flask) -> set[str]:
    return {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix_and_declares_a_rule():
    app = make_app()
    routes = _routes(app)
    assert routes - set(MATRIX["routes"]) == set(), "routes missing from access_matrix.yaml"
    assert set(MATRIX["routes"]) - routes == set(), "matrix rows for routes that do not exist"
    undeclared = {r.endpoint for r in app.url_map.iter_rules() if rule_for(app, r.endpoint) is None}
    assert undeclared == set()


def build_world(app: Flask):
    """An organisation, a user of every role, an invited user and every kind of object."""
    from surveys import tenancy
    from tests.conftest import inspect_session

    session = inspect_session(app)
    factories.bind(session)
    home = factories.OrganisationFactory(name="Home Agency")
    people = {
        role.value: factories.UserFactory(
            role=role, organisation=home if role.belongs_to_organisation else None
        )
        for role in Role
    }
    people["platform_admin"] = factories.UserFactory(
        role=None, organisation=None, is_platform_admin=True
    )  # in no partnership: it sees none of their data
    invited = factories.UserFactory(password_hash=None, organisation=home)
    objects = factories.collection_world(session, home)
    objects.update(factories.learning_world(session, home, people["quality_group"]))
    objects.update(factories.review_world(session, home, people["case_reviewer"]))
    data = Path(app.config["DATA_FOLDER"])
    (data / "evidence").mkdir(parents=True, exist_ok=True)
    (data / "evidence" / ("x" * 32)).write_bytes(b"%PDF-1.4")
    (data / "imports").mkdir(parents=True, exist_ok=True)
    (data / "imports" / f"{objects['upload_id']}.csv").write_bytes(b"sector\npolice\n")
    ids = {
        "organisation_id": home.id,
        "user_id": invited.id,
        "partnership_id": tenancy.partnership_of(session),
        "filename": "images/favicon.svg",
        **objects,
    }
    return app, session, people, ids


@pytest.fixture(scope="module")
def world():
    """One app with an organisation, a user of every role and an invited user."""
    app, session, people, ids = build_world(make_app(WTF_CSRF_ENABLED=False))
    yield app, session, people, ids
    session.close()


def _url(app: Flask, endpoint: str, ids: dict[str, object]) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if endpoint == "static":
        return "/static/app.css"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{arg: ids[arg] for arg in rule.arguments})


@pytest.mark.parametrize(
    ("route", "role", "expected"), CASES, ids=[f"{r}-{o}" for r, o, _ in CASES]
)
def test_route_answers_each_role_as_declared(world, route, role, expected):
    app, session, people, ids = world
    from surveys import accounts

    endpoint, method = route.split()
    client = app.test_client()
    if role != "anonymous":
        token = accounts.start_session(session, people[role])
        with client.session_transaction() as cookie:
            cookie["token"] = token
    response = client.open(_url(app, endpoint, ids), method=method, data={})
    assert _outcome(response) == expected


def _outcome(response) -> str:
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next="):
        return "login"
    if response.status_code == 404 and "Page not found" in response.text:
        return "deny"
    assert response.status_code < 500
    return "allow"


# -- a second partnership: its objects answer 404 to every role of the first ---------------

# Route arguments that name a partnership's own rows, or an organisation or person that only
# the other partnership has. Link tokens are public capabilities, uploads are files, and a
# partnership's id is the platform admin's to see: those are not checked here.
OWNED_ARGUMENTS = frozenset(
    {
        "organisation_id",
        "user_id",
        "cycle_id",
        "file_id",
        "link_id",
        "offer_id",
        "response_id",
        "token_id",
        "run_id",
        "theme_id",
        "edit_id",
        "entry_id",
        "item_id",
        "action_id",
        "review_id",
        "return_id",
        "recommendation_id",
    }
)
SIGNED_IN_ROLES = [role for role in ROLES if role != "anonymous"]


def build_second_partnership(session) -> dict[str, object]:
    """Partnership B with its own organisation, people, cycle, link, response, flag, run,
    theme, log entry, action and token; the session works in partnership A again afterwards."""
    from surveys import tenancy
    from surveys.models import Partnership

    first = tenancy.partnership_of(session)
    other = Partnership(name="Neighbouring Partnership")
    session.add(other)
    session.commit()
    tenancy.work_in(session, other.id)
    away = factories.OrganisationFactory(name="Away Agency")
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    ids = factories.collection_world(session, away, stored_name="y" * 32)
    ids.update(factories.learning_world(session, away, quality, lineage_key="lineage-b"))
    ids.update(factories.review_world(session, away, quality))
    invited = factories.UserFactory(password_hash=None, organisation=away)
    ids.update(organisation_id=away.id, user_id=invited.id, partnership_id=other.id)
    tenancy.work_in(session, first)
    ids[ADMIN_OF_BOTH] = admin_of_both(session, other.id)
    return ids


ADMIN_OF_BOTH = "admin_of_both"  # a partnership admin in A and in B, working in A


def admin_of_both(session, other_id: int):
    from surveys.models import Membership

    person = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)  # in A
    session.add(Membership(user=person, partnership_id=other_id, role=Role.PARTNERSHIP_ADMIN))
    session.commit()
    return person


@pytest.fixture(scope="module")
def two_partnerships(world):
    app, session, people, ids = world
    return app, session, people, ids, build_second_partnership(session)


def owned_routes(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.arguments & OWNED_ARGUMENTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ISOLATION_CASES = [
    (endpoint, method, role)
    for endpoint, method in owned_routes(make_app())
    if not endpoint.startswith("api.")  # bearer tokens, not people: see the API test below
    for role in [*SIGNED_IN_ROLES, ADMIN_OF_BOTH]
]
NO_SUCH_ID = 2**31 - 1


@pytest.mark.parametrize(
    ("endpoint", "method", "role"),
    ISOLATION_CASES,
    ids=[f"{e} {m}-{r}" for e, m, r in ISOLATION_CASES],
)
def test_another_partnerships_objects_answer_404(two_partnerships, endpoint, method, role):
    check_other_partnership_is_unseen(two_partnerships, endpoint, method, role)


def check_other_partnership_is_unseen(worlds, endpoint: str, method: str, role: str) -> None:
    """As `role` of partnership A, B's ids answer exactly as ids that do not exist (404)."""
    app, session, people, ids, other_ids = worlds
    from surveys import accounts

    client = app.test_client()
    person = people[role] if role in people else other_ids[role]
    token = accounts.start_session(session, person)  # a new sign-in works in its first: A
    with client.session_transaction() as cookie:
        cookie["token"] = token
    theirs = {**ids, **{key: other_ids[key] for key in OWNED_ARGUMENTS}}
    missing = {**ids, **dict.fromkeys(OWNED_ARGUMENTS, NO_SUCH_ID)}
    response = client.open(_url(app, endpoint, theirs), method=method, data={})
    unknown = client.open(_url(app, endpoint, missing), method=method, data={})
    # Exactly as for an id that does not exist: 404 everywhere but two forms that answer
    # an unknown id with their own message (undo: back to themes; move: the board, 400).
    answer = (response.status_code, response.headers.get("Location"))
    assert answer == (unknown.status_code, unknown.headers.get("Location"))
    if (endpoint, method) not in {("themes.undo", "POST"), ("board.move", "POST")}:
        assert response.status_code == 404, f"{endpoint} {method} as {role}"


def test_nothing_of_the_other_partnership_changed(two_partnerships):
    from learning.models import BoardItem, ThemeEdit
    from surveys import tenancy

    _, session, _, _, other_ids = two_partnerships
    with tenancy.every_partnership(session):
        session.expire_all()
        assert session.get(ThemeEdit, other_ids["edit_id"]).undone_at is None
        assert session.get(BoardItem, other_ids["item_id"]).column.value == "changed"


def test_an_api_token_sees_only_its_own_partnership(two_partnerships):
    app, session, _, ids, other_ids = two_partnerships
    from surveys.api_tokens import create_api_token

    _, raw = create_api_token(session, "Ours", created_by=None)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    ours = client.get(f"/api/v1/cycles/{ids['cycle_id']}/responses", headers=headers)
    assert ours.status_code == 200
    listed = {cycle["id"] for cycle in client.get("/api/v1/cycles", headers=headers).json["data"]}
    assert ids["cycle_id"] in listed and other_ids["cycle_id"] not in listed
    for path in (
        f"/api/v1/responses/{other_ids['response_id']}",
        f"/api/v1/cycles/{other_ids['cycle_id']}/responses",
    ):
        assert client.get(path, headers=headers).status_code == 404, path


def test_a_link_opens_its_own_partnership_only(two_partnerships):
    app, _, _, ids, other_ids = two_partnerships
    client = app.test_client()
    assert client.get(f"/f/{other_ids['token']}").status_code == 200  # anyone with the link
    assert client.get(f"/f/{ids['token']}").status_code == 200
    assert client.get("/f/" + "z" * 43).status_code == 404


def test_someone_in_both_reaches_the_other_partnerships_objects_only_after_switching(
    two_partnerships,
):
    app, session, _, _, other_ids = two_partnerships
    from surveys import accounts

    client = app.test_client()
    person = admin_of_both(session, other_ids["partnership_id"])  # the shared one stays in A
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, person)
    theirs = [
        f"/admin/organisations/{other_ids['organisation_id']}",
        f"/admin/users/{other_ids['user_id']}",
        f"/admin/cycles/{other_ids['cycle_id']}",
        f"/actions/{other_ids['action_id']}",
    ]
    assert [client.get(url).status_code for url in theirs] == [404] * len(theirs)
    switched = client.post("/choose-partnership", data={"partnership": other_ids["partnership_id"]})
    assert switched.status_code == 302
    assert [client.get(url).status_code for url in theirs] == [200] * len(theirs)
