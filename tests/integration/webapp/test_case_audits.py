"""Case audits and practice concerns through the pages: each agency involved completes the
audit tool once per case (several per audit day), an agency not involved cannot open it and
no other organisation sees it, references that look like names or dates of birth are refused,
the combined view shows every agency, findings reach the learning log; an anonymous concern
keeps no name or email, a disclosure in one is flagged, and the triage keeps its rules."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from learning.models import LearningEntry
from surveys import concerns
from surveys.case_audits import cases, programmes
from surveys.loader import load_definitions
from surveys.models import (
    AuditCase,
    ConcernTriage,
    DisclosureFlag,
    Response,
    Role,
    TriageStatus,
    utcnow,
)
from tests import factories
from tests.conftest import csrf_from, date_fields, post_with_csrf

REGISTRY = load_definitions()
TOOL = {
    "identification": "good",
    "child_voice": "requires_improvement",
    "working_together": "outstanding",
    "overall": "good",
    "strengths": "Health and school shared worries quickly",
    "areas_for_improvement": "The child's own words were not recorded",
    "lessons": "",
}


@pytest.fixture
def quality(db_session):
    return factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None, name="Quinn Quality")


@pytest.fixture
def agencies(db_session):
    found = {}
    for name in ("Riverside Police", "Riverside Health", "Riverside School"):
        organisation = factories.OrganisationFactory(name=name)
        lead = factories.UserFactory(
            organisation=organisation, role=Role.ORGANISATION_LEAD, email=f"{name[10:]}@ex.org"
        )
        found[name] = (organisation, lead)
    return found


@pytest.fixture
def day(db_session, quality):
    programme = programmes.create_programme(
        db_session, title="Audits 2026", topics="Neglect\nExploitation", by=quality
    )
    return programmes.add_day(
        db_session, programme.id, held_on=utcnow().date(), topic="Neglect", by=quality
    )


def _client_as(app, session, user):
    from surveys import accounts

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, user)
    return client


def _complete_tool(client, cycle_id: int, answers: dict) -> None:
    """Fill in and submit the audit tool as an organisation lead, page by page."""
    html = client.get(f"/assessments/{cycle_id}").text
    client.post(f"/assessments/{cycle_id}/start", data={"csrf_token": csrf_from(html)})
    definition = REGISTRY.latest(cases.AUDIT_TOOL)
    for page in definition.pages:
        html = client.get(f"/assessments/{cycle_id}/{page.id}").text
        data = {q.id: answers[q.id] for q in page.questions}
        data.update(_hidden(html), csrf_token=csrf_from(html))
        assert client.post(f"/assessments/{cycle_id}/{page.id}", data=data).status_code == 302
    check = client.get(f"/assessments/{cycle_id}/check").text
    data = {**_hidden(check), "csrf_token": csrf_from(check), "confirm": "yes"}
    assert client.post(f"/assessments/{cycle_id}/submit", data=data).status_code == 302


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _add_case(client, day_id: int, reference: str, organisation_ids):
    return post_with_csrf(
        client,
        f"/audits/days/{day_id}/cases/new",
        {"reference": reference, "organisations": [str(i) for i in organisation_ids]},
    )


def test_each_agency_audits_each_of_its_cases_once_and_sees_only_its_own(
    app, client, login_as, db_session, quality, agencies, day, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    (police, police_lead), (health, health_lead), (school, school_lead) = agencies.values()
    login_as(quality)
    assert _add_case(client, day.id, "NEG-2026-01", [police.id, health.id]).status_code == 302
    assert _add_case(client, day.id, "NEG-2026-02", [police.id]).status_code == 302
    first, second = db_session.scalars(select(AuditCase).order_by(AuditCase.id)).all()
    told = {e["To"] for e in smtp_server.wait_for(3)}  # each agency's lead, once per case
    assert told == {police_lead.email, health_lead.email}

    police_client = _client_as(app, db_session, police_lead)
    _complete_tool(police_client, first.cycle_id, TOOL)
    _complete_tool(police_client, second.cycle_id, {**TOOL, "overall": "inadequate"})
    again = police_client.post(
        f"/assessments/{first.cycle_id}/start",
        data={"csrf_token": csrf_from(police_client.get("/assessments").text)},
    )
    assert again.status_code in (302, 400, 404, 409)
    counted = db_session.scalar(
        select(func.count(Response.id)).where(
            Response.organisation_id == police.id, Response.definition_key == cases.AUDIT_TOOL
        )
    )
    assert counted == 2  # two cases on one audit day: one audit tool each, never a second

    school_client = _client_as(app, db_session, school_lead)  # not involved in either case
    assert school_client.get(f"/assessments/{first.cycle_id}").status_code == 404
    assert school_client.get(f"/assessments/{first.cycle_id}/start").status_code in (404, 405)
    assert "NEG-2026-01" not in school_client.get("/assessments").text
    health_client = _client_as(app, db_session, health_lead)  # involved, sees only its own
    assert (
        "Health and school shared worries"
        not in health_client.get(f"/assessments/{first.cycle_id}").text
    )
    assert school_client.get(f"/audits/cases/{first.id}").status_code == 404

    page = client.get(f"/audits/cases/{first.id}").text
    assert "Riverside Police" in page and "Riverside Health" in page
    assert "Requires improvement" in page and "Outstanding" in page
    assert "Health and school shared worries quickly" in page


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("Olivia-04", "looks like it contains a name"),
        ("jayden-smith-7", "looks like it contains a name"),
        ("NEG-12032015", "looks like it contains a date of birth"),
        ("12/03/2015", "looks like it contains a date of birth"),
        ("Amelia", "not a name"),
        ("Jo Bloggs", "letters, numbers, hyphens or slashes"),
    ],
)
def test_a_reference_that_may_identify_the_child_is_refused(
    client, login_as, db_session, quality, agencies, day, reference, message
):
    login_as(quality)
    (police, _), *_ = agencies.values()
    answer = _add_case(client, day.id, reference, [police.id])
    assert answer.status_code == 400
    assert message in answer.text and "govuk-error-summary" in answer.text
    assert db_session.scalar(select(func.count(AuditCase.id))) == 0


def test_a_case_needs_agencies_and_a_reference_used_once(
    client, login_as, db_session, quality, agencies, day
):
    login_as(quality)
    (police, _), *_ = agencies.values()
    answer = _add_case(client, day.id, "NEG-2026-09", [])
    assert answer.status_code == 400 and "Select the agencies involved" in answer.text
    assert _add_case(client, day.id, "NEG-2026-09", [police.id]).status_code == 302
    answer = _add_case(client, day.id, "neg-2026-09", [police.id])
    assert answer.status_code == 400 and "already being audited" in answer.text
    assert db_session.scalar(select(func.count(AuditCase.id))) == 1


def test_voices_and_findings_reach_the_case_and_the_learning_log(
    client, login_as, db_session, quality, agencies, day
):
    login_as(quality)
    (police, _), *_ = agencies.values()
    _add_case(client, day.id, "NEG-2026-03", [police.id])
    case = db_session.scalars(select(AuditCase)).one()
    post_with_csrf(
        client,
        f"/audits/cases/{case.id}/voices",
        {"forum_notes": "Workers felt unheard", "family_views": "Mum felt judged"},
    )
    page = client.get(f"/audits/cases/{case.id}").text
    assert "Workers felt unheard" in page and "Mum felt judged" in page
    answer = post_with_csrf(
        client,
        f"/audits/programmes/{day.programme_id}/findings/new",
        {"kind": "lesson", "day_id": str(day.id), "text": "Hear the child"},
    )
    assert answer.status_code == 302
    finding = day.programme.findings[0] if day.programme.findings else None
    db_session.expire_all()
    finding = programmes.get_programme(db_session, day.programme_id).findings[0]
    answer = post_with_csrf(
        client, f"/audits/findings/{finding.id}/learning", {"title": "Hear the child"}
    )
    assert answer.status_code == 302
    entry = db_session.scalars(select(LearningEntry)).one()
    assert entry.audit_finding_id == finding.id and entry.source_stream == "case_audit"
    assert "Neglect" in entry.source_detail
    post_with_csrf(client, f"/audits/findings/{finding.id}/learning", {"title": "Again"})
    assert db_session.scalar(select(func.count(LearningEntry.id))) == 1  # never twice
    assert "Hear the child" in client.get(f"/audits/programmes/{day.programme_id}").text


def _raise_concern(client, token: str, about_you: dict, what_happened: str) -> None:
    page = client.get(f"/f/{token}")
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', page.text).group(1)
    client.post(
        f"/f/{token}", data={"csrf_token": csrf_from(page.text), "submission_id": submission_id}
    )
    pages = {
        "concern": {"kind": "near_miss", "what_happened": what_happened, "what_would_help": ""},
        "about_you": about_you,
    }
    for page_id, data in pages.items():
        html = client.get(f"/f/{token}/{page_id}").text
        answer = client.post(f"/f/{token}/{page_id}", data={**data, "csrf_token": csrf_from(html)})
        assert answer.status_code == 302, page_id
    check = client.get(f"/f/{token}/check").text
    done = client.post(
        f"/f/{token}/check", data={"csrf_token": csrf_from(check), "submission_id": submission_id}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/done")


def test_an_anonymous_concern_keeps_no_name_or_email(app, db_session, quality):
    link = concerns.open_concern_link(
        db_session, REGISTRY.latest(concerns.CONCERN_FORM), by=quality
    )
    client = app.test_client()
    # the name was typed, then "stay anonymous" chosen: the hidden answers are not kept
    _raise_concern(
        client,
        link.token,
        {"named": "no", "your_name": "Pat Practitioner", "your_email": "pat@example.org"},
        "A referral form was nearly lost between teams",
    )
    response = db_session.scalars(
        select(Response).where(Response.definition_key == concerns.CONCERN_FORM)
    ).one()
    stored = json.dumps(response.answers)
    assert response.is_submitted and "Pat" not in stored and "pat@example.org" not in stored
    assert response.organisation_id is None and response.submitted_by_id is None


def test_a_named_concern_keeps_the_name_and_a_disclosure_is_flagged(
    app, db_session, quality, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    factories.UserFactory(role=Role.SAFEGUARDING_LEAD, organisation=None, email="dsl@ex.org")
    link = concerns.open_concern_link(
        db_session, REGISTRY.latest(concerns.CONCERN_FORM), by=quality
    )
    _raise_concern(
        app.test_client(),
        link.token,
        {"named": "yes", "your_name": "Pat Practitioner", "your_email": "pat@example.org"},
        "The girl told her teacher that her stepdad hits her and she is scared to go home",
    )
    response = db_session.scalars(
        select(Response).where(Response.definition_key == concerns.CONCERN_FORM)
    ).one()
    assert response.answers["your_name"] == "Pat Practitioner"
    assert response.is_flagged
    assert (
        db_session.scalar(
            select(DisclosureFlag).where(DisclosureFlag.response_id == response.id)
        ).question_id
        == "what_happened"
    )
    emails = smtp_server.wait_for(1)
    assert any(e["To"] == "dsl@ex.org" for e in emails)
    assert all("stepdad" not in e.get_content() for e in emails)


def test_triage_needs_a_reason_to_close_and_a_review_to_refer(
    app, client, login_as, db_session, quality
):
    link = concerns.open_concern_link(
        db_session, REGISTRY.latest(concerns.CONCERN_FORM), by=quality
    )
    _raise_concern(app.test_client(), link.token, {"named": "no"}, "Nearly missed a referral")
    concern = db_session.scalars(
        select(Response).where(Response.definition_key == concerns.CONCERN_FORM)
    ).one()
    login_as(quality)
    queue = client.get("/concerns").text
    assert concern.reference in queue and "New" in queue
    url = f"/concerns/{concern.id}"
    answer = post_with_csrf(client, url, {"status": "closed", "reason": "", "case_review_id": "0"})
    assert answer.status_code == 400 and "reason for closing" in answer.text
    answer = post_with_csrf(
        client, url, {"status": "referred", "reason": "", "case_review_id": "0"}
    )
    assert answer.status_code == 400 and "Select the case review" in answer.text
    assert db_session.scalar(select(func.count(ConcernTriage.id))) == 0  # nothing half-saved
    answer = post_with_csrf(
        client, url, {"status": "closed", "reason": "Shared at the forum", "case_review_id": "0"}
    )
    assert answer.status_code == 302
    triage = db_session.scalars(select(ConcernTriage)).one()
    assert (triage.status, triage.reason) == (TriageStatus.CLOSED, "Shared at the forum")


def test_concern_text_is_themed_and_case_references_only_are_kept(db_session, quality):
    from learning.selection import Selection, collect_statements

    link = concerns.open_concern_link(
        db_session, REGISTRY.latest(concerns.CONCERN_FORM), by=quality
    )
    from surveys import responses

    responses.record_submitted_response(
        db_session,
        link.cycle,
        REGISTRY.latest(concerns.CONCERN_FORM),
        responses.CompleteResponse(
            {
                "kind": "near_miss",
                "what_happened": "Handover notes went missing",
                "named": "yes",
                "your_name": "Pat Practitioner",
                "your_email": "pat@example.org",
            },
            submitted_at=utcnow(),
            public_link_id=link.id,
        ),
    )
    found = collect_statements(db_session, Selection(streams=("practice_concern",)), REGISTRY)
    assert [a.text for a in found] == ["Handover notes went missing"]  # never the name


def test_a_day_takes_one_of_the_programmes_topics(client, login_as, db_session, quality, day):
    login_as(quality)
    form = {**date_fields("held_on", date(2026, 3, 12)), "topic": "Domestic abuse"}
    answer = post_with_csrf(client, f"/audits/programmes/{day.programme_id}/days/new", form)
    assert answer.status_code == 400 and "topic from the programme" in answer.text
    form["topic"] = "Exploitation"
    assert (
        post_with_csrf(client, f"/audits/programmes/{day.programme_id}/days/new", form).status_code
        == 302
    )
    assert "Exploitation" in client.get(f"/audits/programmes/{day.programme_id}").text


def test_a_named_concerns_name_and_email_never_leave_the_service(app, db_session, quality):
    """Asked so the quality group can reply: not in answer downloads or the API."""
    import io

    from openpyxl import load_workbook

    from surveys.api_tokens import create_api_token

    link = concerns.open_concern_link(
        db_session, REGISTRY.latest(concerns.CONCERN_FORM), by=quality
    )
    _raise_concern(
        app.test_client(),
        link.token,
        {"named": "yes", "your_name": "Pat Practitioner", "your_email": "pat@example.org"},
        "The referral form timed out twice before it saved",
    )
    response = db_session.scalars(
        select(Response).where(Response.definition_key == concerns.CONCERN_FORM)
    ).one()
    admin = _client_as(
        app, db_session, factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    )
    downloads = [
        admin.get(f"/admin/cycles/{response.cycle_id}/export.csv?layout={layout}").text
        for layout in ("wide", "long")
    ]
    book = load_workbook(
        io.BytesIO(admin.get(f"/admin/cycles/{response.cycle_id}/export.xlsx").data)
    )
    downloads.append(
        " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    )
    _, raw = create_api_token(db_session, "Dashboard", created_by=None)
    served = app.test_client().get(
        f"/api/v1/responses/{response.id}", headers={"Authorization": f"Bearer {raw}"}
    )
    downloads.append(served.text)
    for text in downloads:
        assert "timed out twice" in text  # the concern itself is there
        assert "Pat Practitioner" not in text and "pat@example.org" not in text
        assert "your_email" not in text


def test_findings_words_are_themed_with_the_case_audits_by_their_kind(
    client, login_as, db_session, quality, day
):
    from learning.selection import Selection, collect

    login_as(quality)
    url = f"/audits/programmes/{day.programme_id}/findings/new"
    for kind, text in (
        ("strength", "Schools recorded neglect early"),
        ("area_to_improve", "Missed health appointments were not shared"),
    ):
        data = {"kind": kind, "day_id": str(day.id), "text": text}
        assert post_with_csrf(client, url, data).status_code == 302
    refused = post_with_csrf(client, url, {"kind": "lesson", "day_id": str(day.id), "text": ""})
    assert refused.status_code == 400
    themed = collect(db_session, Selection(streams=["case_audit"]), REGISTRY).answers
    by_text = {a.text: a for a in themed}
    assert by_text["Schools recorded neglect early"].polarity_hint == "strengths"
    improve = by_text["Missed health appointments were not shared"]
    assert improve.polarity_hint == "areas_for_development" and improve.stream == "case_audit"
    programme = programmes.get_programme(db_session, day.programme_id)
    assert {f.response_id for f in programme.findings} == {a.response_id for a in themed}
    assert len({f.response.cycle_id for f in programme.findings}) == 1  # the programme's cycle
    # a theming run over other streams leaves them out
    assert not collect(db_session, Selection(streams=["training"]), REGISTRY).answers
