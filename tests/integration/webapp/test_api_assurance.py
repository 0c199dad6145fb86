"""The API's returns (self and moderated ratings per standard), challenges and actions: paged
like the other lists, described by the OpenAPI document (each answer checked against its
schema), scoped to the token's partnership, and free of what people wrote."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from learning import actions
from learning.models import Action
from surveys import tenancy
from surveys.api_tokens import create_api_token
from surveys.models import (
    Challenge,
    ChallengeKind,
    Partnership,
    Role,
    StandardReview,
    utcnow,
)
from tests import factories
from tests.conftest import inspect_session, make_app

BASE_URL = "https://loop.example.gov.uk"
SECRET = "CONFIDENTIAL-TEXT-7"  # written in every free-text field: never served


@pytest.fixture
def api_app():
    return make_app(BASE_URL=BASE_URL)


@pytest.fixture
def session(api_app):
    with inspect_session(api_app) as found:
        factories.bind(found)
        yield found


def _token(session) -> dict[str, str]:
    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    _, raw = create_api_token(session, "Power BI", created_by=admin.id)
    return {"Authorization": f"Bearer {raw}"}


def _assurance_world(session, name: str) -> dict[str, Any]:
    """An organisation's return (S11-1 met, the rest partially met), S11-2 moderated down
    to not met, a challenge, an action from the return, one from the challenge, one overdue
    from the quality group."""
    organisation = factories.OrganisationFactory(name=name)
    response = factories.submitted_return(
        session,
        organisation,
        title=f"{name} S11",
        answers={"s1_rating": {"value": "met", "scale_version": 1}, "s1_evidence": SECRET},
    )
    session.add(
        StandardReview(
            response_id=response.id,
            standard_ref="S11-2",
            moderated_rating={"value": "not_met", "scale_version": 1},
            moderation_reason=SECRET,
            moderated_at=utcnow(),
        )
    )
    challenge = Challenge(
        response_id=response.id,
        organisation_id=organisation.id,
        standard_ref="S11-3",
        kind=ChallengeKind.EVIDENCE,
        question=SECRET,
        answer=SECRET,
    )
    session.add(challenge)
    session.commit()
    due = date.today() + timedelta(days=60)
    for ref, challenge_id in (("S11-2", None), ("S11-3", challenge.id)):
        session.add(
            Action(
                description=SECRET,
                owner=SECRET,
                owner_organisation_id=organisation.id,
                due_date=due,
                response_id=response.id,
                standard_ref=ref,
                challenge_id=challenge_id,
                agreed_at=utcnow() if challenge_id else None,
            )
        )
    session.commit()
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    late = actions.create_action(
        session,
        description=SECRET,
        owner_organisation_id=organisation.id,
        due_date=date.today() - timedelta(days=3),
        created_by=quality,
    )
    late.evidence_of_impact = SECRET
    session.commit()
    return {"organisation": organisation, "response": response, "challenge": challenge}


# -- a small JSON Schema check: the keywords the OpenAPI document uses ------------------------


def _resolve(document: dict, ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _check(document: dict, schema: dict, value: Any, where: str = "$") -> list[str]:
    if "$ref" in schema:
        return _check(document, _resolve(document, schema["$ref"]), value, where)
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    python = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "boolean": bool,
        "null": type(None),
    }
    if kinds and not any(
        isinstance(value, python[k]) and not (k == "integer" and isinstance(value, bool))
        for k in kinds
    ):
        return [f"{where}: {value!r} is not {kinds}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        problems += [
            f"{where}: {key} missing" for key in schema.get("required", ()) if key not in value
        ]
        properties = schema.get("properties", {})
        problems += [
            f"{where}: {key} not described" for key in value if properties and key not in properties
        ]
        for key, item in value.items():
            if key in properties:
                problems += _check(document, properties[key], item, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            problems += _check(document, schema["items"], item, f"{where}[{n}]")
    if schema.get("format") == "date" and isinstance(value, str):
        date.fromisoformat(value)
    return problems


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if "$ref" in node else [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_openapi_document_describes_returns_challenges_and_actions(api_app):
    document = api_app.test_client().get("/api/openapi.json").json
    assert {"/returns", "/returns/{return_id}", "/challenges", "/actions"} <= set(document["paths"])
    for ref in _refs(document):
        assert _resolve(document, ref) is not None  # every $ref resolves
    operation_ids = [item["get"]["operationId"] for item in document["paths"].values()]
    assert len(operation_ids) == len(set(operation_ids))
    for path, item in document["paths"].items():
        assert set(item) == {"get"}  # read-only
        parameters = [_resolve(document, p["$ref"]) for p in item["get"]["parameters"]]
        in_path = {p["name"] for p in parameters if p["in"] == "path"}
        assert in_path == set(re.findall(r"{(\w+)}", path)), path
        assert all(p["required"] for p in parameters if p["in"] == "path")
        if path in ("/returns", "/challenges", "/actions"):
            assert {"page", "per_page"} <= {p["name"] for p in parameters}
        ok = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert _resolve(document, ok["$ref"])["type"] == "object"


def test_returns_challenges_and_actions_match_their_schemas_and_hold_no_free_text(api_app, session):
    world = _assurance_world(session, "Shire Police")
    bearer = _token(session)
    client = api_app.test_client()
    document = client.get("/api/openapi.json").json
    pages = {
        "/api/v1/returns": "ReturnPage",
        "/api/v1/challenges": "ChallengePage",
        "/api/v1/actions": "ActionPage",
        f"/api/v1/returns/{world['response'].id}": "Return",
    }
    answers = {}
    for url, schema in pages.items():
        answer = client.get(url, headers=bearer)
        assert answer.status_code == 200, url
        assert SECRET not in answer.get_data(as_text=True), url
        problems = _check(document, {"$ref": f"#/components/schemas/{schema}"}, answer.json)
        assert problems == [], problems
        answers[url] = answer.json
    (served,) = answers["/api/v1/returns"]["data"]
    assert served == answers[f"/api/v1/returns/{world['response'].id}"]
    standards = {s["ref"]: s for s in served["standards"]}
    assert standards["S11-1"]["self_rating"] == {"value": "met", "label": "Met"}
    assert standards["S11-1"]["is_below_met"] is False
    assert standards["S11-2"]["self_rating"]["value"] == "partially_met"
    assert standards["S11-2"]["moderated_rating"] == {"value": "not_met", "label": "Not met"}
    assert standards["S11-3"]["state"] == "challenged"
    assert served["organisation"]["name"] == "Shire Police" and served["is_assured"] is False
    (challenge,) = answers["/api/v1/challenges"]["data"]
    assert (challenge["standard_ref"], challenge["status"], challenge["kind"]) == (
        "S11-3",
        "open",
        "evidence",
    )
    by_source = {a["source"]: a for a in answers["/api/v1/actions"]["data"]}
    assert set(by_source) == {"return", "challenge", "quality_group"}
    assert (
        by_source["return"]["is_agreed"] is False and by_source["return"]["standard_ref"] == "S11-2"
    )
    assert by_source["challenge"]["challenge_id"] == world["challenge"].id
    assert by_source["quality_group"]["is_overdue"] is True  # by its date: it says not started
    assert by_source["quality_group"]["has_evidence_of_impact"] is True
    assert by_source["return"]["is_overdue"] is False


def test_the_lists_are_paged_like_the_others(api_app, session):
    _assurance_world(session, "Shire Police")
    bearer = _token(session)
    client = api_app.test_client()
    first = client.get("/api/v1/actions?per_page=2", headers=bearer).json
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert first["links"]["next"] == f"{BASE_URL}/api/v1/actions?page=2&per_page=2"
    second = client.get(first["links"]["next"], headers=bearer).json
    ids = [a["id"] for a in first["data"] + second["data"]]
    assert len(ids) == len(set(ids)) == 3
    bad = client.get("/api/v1/returns?per_page=0", headers=bearer)
    assert bad.status_code == 400 and bad.content_type == "application/problem+json"
    bad_cycle = client.get("/api/v1/returns?cycle_id=x", headers=bearer)
    assert bad_cycle.status_code == 400 and "cycle_id" in bad_cycle.json["detail"]
    assert client.get("/api/v1/challenges").status_code == 401  # no token


def test_a_token_sees_only_its_own_partnerships_returns_challenges_and_actions(api_app, session):
    ours = _assurance_world(session, "Shire Police")
    first = tenancy.partnership_of(session)
    other = Partnership(name="Neighbouring Partnership")
    session.add(other)
    session.commit()
    tenancy.work_in(session, other.id)
    theirs = _assurance_world(session, "Vale Police")
    their_token = _token(session)
    tenancy.work_in(session, first)
    bearer = _token(session)
    client = api_app.test_client()
    for url in ("/api/v1/returns", "/api/v1/challenges", "/api/v1/actions"):
        served = client.get(url, headers=bearer).get_data(as_text=True)
        assert "Vale Police" not in served and str(theirs["response"].reference) not in served
        listed = client.get(url, headers=bearer).json
        assert listed["meta"]["total"] == {"/api/v1/returns": 1, "/api/v1/challenges": 1}.get(
            url, 3
        )
    assert client.get(f"/api/v1/returns/{theirs['response'].id}", headers=bearer).status_code == 404
    seen = client.get("/api/v1/returns", headers=their_token).json["data"]
    assert [r["id"] for r in seen] == [theirs["response"].id]
    filtered = client.get(
        f"/api/v1/returns?cycle_id={ours['response'].cycle_id}", headers=their_token
    ).json
    assert filtered["data"] == []


def test_the_action_schema_names_every_source_and_status_an_action_can_have():
    from learning.models import ActionSource, ActionStatus
    from surveys import api_assurance

    assert set(api_assurance.ACTION_SOURCES) == {source.value for source in ActionSource}
    assert set(api_assurance.ACTION_STATUSES) == {status.value for status in ActionStatus}
