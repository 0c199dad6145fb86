"""Every route × every role against one declared table; undeclared routes fail the build."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
import yaml
from flask import Flask

from surveys.models import Organisation, Role
from tests import factories
from tests.conftest import make_app
from webapp.access import rule_for

MATRIX = yaml.safe_load((Path(__file__).parent / "access_matrix.yaml").read_text())
ROLES: list[str] = MATRIX["roles"]
# A reviewer who works for the organisation whose return the world holds: refused what is
# that return's (`same_organisation_reviewer` in the YAML), otherwise as any reviewer.
SAME_ORGANISATION = "reviewer_same_organisation"
SAME_ORGANISATION_REVIEWER: dict[str, str] = MATRIX.get("same_organisation_reviewer") or {}
CASES = [
    (route, role, expected)
    for route, outcomes in MATRIX["routes"].items()
    for role, expected in zip(ROLES, outcomes, strict=True)
] + [
    (
        route,
        SAME_ORGANISATION,
        SAME_ORGANISATION_REVIEWER.get(route, outcomes[ROLES.index("reviewer")]),
    )
    for route, outcomes in MATRIX["routes"].items()
]


def test_every_row_has_a_value_per_role():
    short = [route for route, outcomes in MATRIX["routes"].items() if len(outcomes) != len(ROLES)]
    assert short == [], f"rows without one value per column {ROLES}"


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
    objects.update(factories.scrutiny_world(session, home, stored_name="s" * 32))
    people[SAME_ORGANISATION] = factories.person_holding(session, {Role.REVIEWER}, home)
    objects.update(factories.review_world(session, home, people["case_reviewer"]))
    objects.update(factories.audit_world(session, home, people["quality_group"]))
    objects.update(factories.national_world(session, home, people["quality_group"]))
    objects.update(factories.training_world(session, home))
    data = Path(app.config["DATA_FOLDER"])
    (data / "evidence").mkdir(parents=True, exist_ok=True)
    (data / "evidence" / ("x" * 32)).write_bytes(b"%PDF-1.4")
    (data / "evidence" / ("s" * 32)).write_bytes(b"%PDF-1.4")
    (data / "imports").mkdir(parents=True, exist_ok=True)
    (data / "imports" / f"{objects['upload_id']}.csv").write_bytes(b"sector\npolice\n")
    ids = {
        "organisation_id": home.id,
        "user_id": invited.id,
        "partnership_id": tenancy.partnership_of(session),
        "filename": "images/favicon.svg",
        "kind": "csv",
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


# -- people holding several roles: exactly the union of what each role may use -------------

SINGLE_ROLES = [role.value for role in Role]
PAIRS = [
    (a, b)
    for a, b in combinations(SINGLE_ROLES, 2)
    if not (Role(a).belongs_to_organisation and Role(b).belongs_to_organisation)
]
# A reviewer who also holds an organisation role works for that organisation (the home one,
# whose objects the world holds): as that part of them, they are a reviewer from the same
# organisation, refused the home organisation's returns.
ENDS_THE_SIGN_IN = {"auth.sign_out POST"}


def _depends_on_role(route: str) -> bool:
    outcomes = dict(zip(ROLES, MATRIX["routes"][route], strict=True))
    return len({outcomes[role] for role in SINGLE_ROLES}) > 1


# Every pair asks the pages (GET) whose answer depends on the role (those its two roles answer
# differently: `pages_between`), and two pages that show what the roles held allow (home and
# the choice of partnership: every page's navigation); files made on request (PDF, Word,
# Excel, downloads), slow to make and reading no role, are left to the check of every pair
# against every route's declared rule below; the two pairs named in the tests below ask every
# route.
FILES = (
    "_pdf GET",
    "_docx GET",
    "_xlsx GET",
    "download_answers GET",
    "qr_code GET",
    "session_qr_svg GET",
    "dashboard_export GET",
)
ROLE_PAGES = sorted(
    {
        route
        for route in MATRIX["routes"]
        if _depends_on_role(route) and route.endswith(" GET") and not route.endswith(FILES)
    }
    | {"main.home GET", "partnerships.choose GET"}
)


def expected_for(route: str, held: tuple[str, ...]) -> str:
    """What someone holding these roles gets: allowed if any of them is, else refused."""
    outcomes = dict(zip(ROLES, MATRIX["routes"][route], strict=True))
    of_organisation = any(Role(role).belongs_to_organisation for role in held)
    each = [
        SAME_ORGANISATION_REVIEWER.get(route, outcomes[role])
        if role == Role.REVIEWER.value and of_organisation
        else outcomes[role]
        for role in held
    ]
    return "allow" if "allow" in each else each[0]


def person_of(session, held: tuple[str, ...], home):
    roles = frozenset(Role(role) for role in held)
    of_organisation = any(role.belongs_to_organisation for role in roles)
    return factories.person_holding(session, roles, home if of_organisation else None)


def check_routes_as(world, person, held: tuple[str, ...], routes=None) -> list[str]:
    """Ask routes (every one by default) as a person holding `held`; return those answering
    otherwise than the union of the roles."""
    app, session, _, ids = world
    from surveys import accounts

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, person)
    wrong = []
    for route in sorted(set(routes or MATRIX["routes"]) - ENDS_THE_SIGN_IN):
        endpoint, method = route.split()
        answer = _outcome(client.open(_url(app, endpoint, ids), method=method, data={}))
        if answer != expected_for(route, held):
            wrong.append(f"{route}: {answer}, expected {expected_for(route, held)}")
    return wrong


def pages_between(held: tuple[str, ...]) -> list[str]:
    """The role pages that answer the pair's roles differently, and the two every page's
    navigation reads: where both roles get the same answer, the rule-level check below
    already holds the pair to it, and the view reads no role to refuse one of them."""
    return [
        route
        for route in ROLE_PAGES
        if route in ("main.home GET", "partnerships.choose GET")
        or len({expected_for(route, (role,)) for role in held}) > 1
    ]


@pytest.mark.parametrize("held", PAIRS, ids=["+".join(pair) for pair in PAIRS])
def test_two_roles_give_exactly_the_union_of_their_routes(world, held):
    app, session, people, ids = world
    home = session.get(Organisation, ids["organisation_id"])
    assert check_routes_as(world, person_of(session, held, home), held, pages_between(held)) == []


def _client_of(app, session, person):
    from surveys import accounts

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, person)
    return client


def test_an_organisation_lead_in_the_quality_group_may_use_both_roles_routes(world):
    app, session, _, ids = world
    held = ("organisation_lead", "quality_group")
    person = person_of(session, held, session.get(Organisation, ids["organisation_id"]))
    assert check_routes_as(world, person, held) == []  # every route: exactly the union
    client = _client_of(app, session, person)
    assert client.get("/quality").status_code == 200  # the quality group's themes
    assert client.get(f"/assessments/{ids['cycle_id']}").status_code == 200  # the lead's return
    assert client.get("/admin/users").status_code == 404  # neither role's


def test_an_organisation_lead_who_reviews_never_reviews_their_own_organisation(world):
    app, session, _, ids = world
    held = ("organisation_lead", "reviewer")
    home = session.get(Organisation, ids["organisation_id"])
    person = person_of(session, held, home)
    assert check_routes_as(world, person, held) == []  # every route: exactly the union
    other = factories.OrganisationFactory(name="Neighbouring Health Trust")
    theirs = factories.submitted_return(session, other, title="S11 2025 (health)")
    client = _client_of(app, session, person)
    assert client.get(f"/scrutiny/returns/{theirs.id}").status_code == 200
    assert client.get(f"/scrutiny/returns/{ids['return_id']}").status_code == 404  # own
    assert client.get(f"/scrutiny/your-returns/{ids['return_id']}").status_code == 200


def test_each_routes_rule_lets_in_a_pair_of_roles_when_it_lets_in_either():
    from dataclasses import replace
    from types import SimpleNamespace

    app = make_app()
    wrong = []
    for endpoint in {rule.endpoint for rule in app.url_map.iter_rules()}:
        # The roles part of the rule (a rule's `or_when` reads the database for one cycle).
        rule = replace(rule_for(app, endpoint), or_when=None)
        for pair in PAIRS:

            def member(*held):
                return SimpleNamespace(roles=frozenset(Role(r) for r in held), user_id=0)

            each = [rule.lets_in(member(role)) for role in pair]
            if rule.lets_in(member(*pair)) != any(each):
                wrong.append(f"{endpoint} {pair}")
    assert wrong == []


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
        "fate_id",
        "entry_id",
        "item_id",
        "action_id",
        "return_id",
        "challenge_id",
        "meeting_id",
        "evidence_id",
        "review_id",
        "programme_id",
        "day_id",
        "case_id",
        "finding_id",
        "concern_id",
        "information_id",
        "recommendation_id",
        "national_id",
        "national_finding_id",
        "course_id",
        "session_id",
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
    ids.update(factories.scrutiny_world(session, away, stored_name="t" * 32))
    ids.update(factories.review_world(session, away, quality))
    ids.update(factories.audit_world(session, away, quality))
    ids.update(factories.national_world(session, away, quality))
    ids.update(factories.training_world(session, away))
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


def isolation_cases(app: Flask) -> list[tuple[str, str, str]]:
    """Each route naming a partnership's rows, with each role the matrix lets use it (and
    the admin of both partnerships): a role refused the route answers 404 "Page not found"
    whatever the id (the matrix above asks it), so only a role let in could tell another
    partnership's row from a row that does not exist."""
    return [
        (endpoint, method, role)
        for endpoint, method in owned_routes(app)
        if not endpoint.startswith("api.")  # bearer tokens, not people: see the API test below
        for role in [*SIGNED_IN_ROLES, ADMIN_OF_BOTH]
        if role == ADMIN_OF_BOTH
        or MATRIX["routes"][f"{endpoint} {method}"][ROLES.index(role)] == "allow"
    ]


ISOLATION_CASES = isolation_cases(make_app())
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
