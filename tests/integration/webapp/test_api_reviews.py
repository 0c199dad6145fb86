"""The API's case reviews, national reviews and case audit findings: each page matches its
OpenAPI schema, is paged like the other lists and scoped to the token's partnership; a case
review carries its stage, decision, dates and whether each deadline was met, and never the
child's details, the incident summary or the decision's reasons; agencies' answers to a
national review's finding are served as ratings, never their words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from learning.actions import create_action
from learning.models import LearningEntry
from surveys import tenancy
from surveys.models import Partnership, Role, utcnow
from tests import factories
from tests.conftest import inspect_session, make_app
from tests.integration.webapp.test_api_assurance import BASE_URL, _check, _token


@pytest.fixture
def api_app():
    return make_app(BASE_URL=BASE_URL)


@pytest.fixture
def session(api_app):
    with inspect_session(api_app) as found:
        factories.bind(found)
        yield found


NEVER_SERVED = (
    "Child Name",  # review_world's restricted case details
    "2020-01-01",  # the child's date of birth
    "A serious incident",  # the incident summary
    "Learning for the partnership",  # the decision's reasons
    "Seen twice",  # an agency's information return
    "No weekend cover",  # an agency's answer to a national finding: its words
    "A daily meeting",
)


def _world(session, name: str, reference: str) -> dict:
    organisation = factories.OrganisationFactory(name=name)
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    ids = factories.review_world(session, organisation, quality, reference=reference)
    ids.update(factories.audit_world(session, organisation, quality, reference=f"NEG-{reference}"))
    ids.update(factories.national_world(session, organisation, quality))
    entry = session.query(LearningEntry).filter_by(audit_finding_id=ids["finding_id"]).one()
    ids["action_id"] = create_action(
        session,
        description="Audit again",
        owner_organisation_id=organisation.id,
        due_date=utcnow().date() + timedelta(days=30),
        created_by=quality,
        entry_id=entry.id,
    ).id
    ids["entry_id"] = entry.id
    return ids


def test_reviews_and_audit_findings_match_their_schemas_and_hold_no_case_details(api_app, session):
    ids = _world(session, "Shire Police", "RR-2026-041")
    bearer = _token(session)
    client = api_app.test_client()
    document = client.get("/api/openapi.json").json
    assert {"/case-reviews", "/national-reviews", "/audit-findings"} <= set(document["paths"])
    pages = {
        "/api/v1/case-reviews": "CaseReviewPage",
        "/api/v1/national-reviews": "NationalReviewPage",
        "/api/v1/audit-findings": "AuditFindingPage",
        "/api/v1/actions": "ActionPage",
    }
    answers = {}
    for url, schema in pages.items():
        answer = client.get(url, headers=bearer)
        assert answer.status_code == 200, url
        served = answer.get_data(as_text=True)
        assert not [text for text in NEVER_SERVED if text in served], url
        assert _check(document, {"$ref": f"#/components/schemas/{schema}"}, answer.json) == []
        answers[url] = answer.json
    (review,) = answers["/api/v1/case-reviews"]["data"]
    assert review["reference"] == "RR-2026-041" and review["stage"] == "Local review"
    assert review["decision"] == "local_review" and review["recommendations"] == 1
    clocks = {d["clock"]: d for d in review["deadlines"]}
    assert clocks["rapid_review"]["met_in_time"] is True  # decided within 15 working days
    assert clocks["notify_panel"]["met_in_time"] is None  # not yet notified
    assert clocks["publish"]["met_on"] is None
    (national,) = answers["/api/v1/national-reviews"]["data"]
    (finding,) = national["findings"]
    assert finding["statement"] == "Agencies share information about risk at once"
    assert finding["answers"] == [
        {
            "organisation": {
                "id": finding["answers"][0]["organisation"]["id"],
                "name": "Shire Police",
            },
            "status": "submitted",
            "rating": "partly_in_place",
        }
    ]
    (audit,) = answers["/api/v1/audit-findings"]["data"]
    assert (audit["kind"], audit["text"]) == ("lesson", "Hear the child")
    assert audit["learning_entry_id"] == ids["entry_id"]
    assert audit["action_ids"] == [ids["action_id"]]


def test_the_review_lists_are_paged_and_each_token_sees_its_own_partnership(api_app, session):
    _world(session, "Shire Police", "RR-2026-041")
    factories.review_world(
        session,
        factories.OrganisationFactory(name="Shire Health"),
        factories.UserFactory(role=Role.CASE_REVIEWER, organisation=None),
        reference="RR-2026-042",
    )
    first = tenancy.partnership_of(session)
    other = Partnership(name="Neighbouring Partnership")
    session.add(other)
    session.commit()
    tenancy.work_in(session, other.id)
    _world(session, "Vale Police", "RR-2026-099")
    their_token = _token(session)
    tenancy.work_in(session, first)
    bearer = _token(session)
    client = api_app.test_client()
    page = client.get("/api/v1/case-reviews?per_page=1", headers=bearer).json
    assert page["meta"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    second = client.get(page["links"]["next"], headers=bearer).json
    references = [r["reference"] for r in page["data"] + second["data"]]
    assert references == ["RR-2026-041", "RR-2026-042"]
    for url in ("/api/v1/case-reviews", "/api/v1/national-reviews", "/api/v1/audit-findings"):
        ours = client.get(url, headers=bearer).get_data(as_text=True)
        assert "Vale Police" not in ours and "RR-2026-099" not in ours
        theirs = client.get(url, headers=their_token).json
        assert theirs["meta"]["total"] == 1
        assert "Shire" not in str(theirs)
    bad = client.get("/api/v1/national-reviews?page=0", headers=bearer)
    assert bad.status_code == 400 and bad.content_type == "application/problem+json"
    assert client.get("/api/v1/audit-findings").status_code == 401  # no token
