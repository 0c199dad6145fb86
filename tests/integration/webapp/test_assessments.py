"""Organisations answer as a team: shared drafts, no silent overwrites, lead sign-off, reopen."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys import accounts, cycles
from surveys.loader import load_definitions
from surveys.models import AuditEvent, Response, ResponseStatus, Role, utcnow
from tests import factories
from tests.conftest import csrf_from

SECTION_11 = load_definitions().latest("section-11")
FIRST = SECTION_11.pages[0]


@pytest.fixture
def team(db_session):
    organisation = factories.OrganisationFactory(name="Riverside Police")
    lead = factories.UserFactory(
        organisation=organisation, role=Role.ORGANISATION_LEAD, name="Lee Lead"
    )
    contributor = factories.UserFactory(
        organisation=organisation, name="Cass Contributor", role=Role.ORGANISATION_CONTRIBUTOR
    )
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        SECTION_11,
        cycles.NewCycle(
            "Section 11 2026", now - timedelta(days=1), now + timedelta(days=30), (organisation.id,)
        ),
        created_by=None,
    )
    return organisation, lead, contributor, cycle


def as_user(app, db_session, user):
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(db_session, user)
    return client


def page_data(page) -> dict[str, str]:
    """Minimal valid answers for a Section 11 standard page."""
    import random

    from surveys.demo_answers import formdata_for, generate_answers

    answers = generate_answers(SECTION_11, rng=random.Random(3))
    return {k: v for k, v in formdata_for(page, answers)}


def post_page(client, cycle, page, data, *, loaded_version=None):
    html = client.get(f"/assessments/{cycle.id}/{page.id}").text
    payload = {**data, "csrf_token": csrf_from(html)}
    if loaded_version is not None:
        payload["loaded_version"] = str(loaded_version)
    return client.post(f"/assessments/{cycle.id}/{page.id}", data=payload)


def start(client, cycle):
    html = client.get(f"/assessments/{cycle.id}").text
    return client.post(f"/assessments/{cycle.id}/start", data={"csrf_token": csrf_from(html)})


def test_contributor_saves_and_lead_sees_who_saved(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    assert "Section 11 2026" in cass.get("/assessments").text
    start(cass, cycle)
    assert post_page(cass, cycle, FIRST, page_data(FIRST)).status_code == 302
    overview = as_user(app, db_session, lead).get(f"/assessments/{cycle.id}").text
    assert "by Cass Contributor" in overview
    assert db_session.scalar(select(func.count(Response.id))) == 1


def test_two_people_saving_the_same_page_do_not_overwrite(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    version = db_session.scalar(select(Response.version))
    data = page_data(FIRST)
    assert post_page(cass, cycle, FIRST, data, loaded_version=version).status_code == 302
    stale = post_page(lee, cycle, FIRST, data, loaded_version=version)
    assert stale.status_code == 409
    assert "Cass Contributor saved this page" in stale.text
    retry = post_page(lee, cycle, FIRST, data)  # reloaded page: saves knowingly
    assert retry.status_code == 302


def test_contributor_asks_for_sign_off_and_lead_submits_once(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    for page in SECTION_11.pages:
        assert post_page(cass, cycle, page, page_data(page)).status_code == 302, page.id
    html = cass.get(f"/assessments/{cycle.id}/check").text
    assert "Send for sign-off" in html and "Sign off and submit" not in html
    cass.post(f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(html)})
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    assert stored.status is ResponseStatus.AWAITING_SIGN_OFF
    html = lee.get(f"/assessments/{cycle.id}/check").text
    for _ in range(2):  # a double click
        lee.post(
            f"/assessments/{cycle.id}/submit",
            data={"csrf_token": csrf_from(html), "confirm": "yes"},
        )
    db_session.refresh(stored)
    assert stored.status is ResponseStatus.SUBMITTED and stored.submitted_by_id == lead.id
    assert db_session.scalar(select(func.count(Response.id))) == 1
    overview = lee.get(f"/assessments/{cycle.id}").text
    assert "Return submitted" in overview and stored.reference in overview
    assert lee.get(f"/assessments/{cycle.id}/{FIRST.id}").status_code == 302  # read-only now
    locked = lee.post(
        f"/assessments/{cycle.id}/{FIRST.id}",
        data={**page_data(FIRST), "csrf_token": csrf_from(overview)},
    )
    assert locked.status_code == 302
    assert db_session.scalar(select(Response.version)) == stored.version


def test_incomplete_return_cannot_be_submitted(app, db_session, team):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    html = lee.get(f"/assessments/{cycle.id}/check").text
    assert "Some required questions are not answered yet" in html
    lee.post(
        f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(html), "confirm": "yes"}
    )
    assert db_session.scalar(select(Response.status)) is ResponseStatus.IN_PROGRESS


def test_admin_reopens_and_the_submitted_version_is_kept(app, db_session, team, admin):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    for page in SECTION_11.pages:
        post_page(lee, cycle, page, page_data(page))
    html = lee.get(f"/assessments/{cycle.id}/check").text
    lee.post(
        f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(html), "confirm": "yes"}
    )
    stored = db_session.scalar(select(Response))
    boss = as_user(app, db_session, admin)
    html = boss.get(f"/admin/cycles/responses/{stored.id}").text
    boss.post(f"/admin/cycles/responses/{stored.id}/reopen", data={"csrf_token": csrf_from(html)})
    db_session.refresh(stored)
    assert stored.status is ResponseStatus.IN_PROGRESS
    assert len(stored.history) == 1 and stored.history[0].answers
    assert post_page(lee, cycle, FIRST, page_data(FIRST)).status_code == 302


def test_other_organisations_get_404_and_it_is_audited(app, db_session, team):
    organisation, lead, contributor, cycle = team
    other = factories.UserFactory(organisation=factories.OrganisationFactory(name="Elsewhere"))
    start(as_user(app, db_session, lead), cycle)
    outsider = as_user(app, db_session, other)
    for path in (
        f"/assessments/{cycle.id}",
        f"/assessments/{cycle.id}/{FIRST.id}",
        f"/assessments/{cycle.id}/check",
        f"/assessments/{cycle.id}/evidence/1",
        f"/assessments/{cycle.id + 1}",
    ):
        assert outsider.get(path).status_code == 404, path
    html = outsider.get("/assessments").text
    assert (
        outsider.post(
            f"/assessments/{cycle.id}/start", data={"csrf_token": csrf_from(html)}
        ).status_code
        == 404
    )
    denied = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied"))
    assert len(list(denied)) >= 5


def test_evidence_upload_is_checked_stored_and_served_to_the_team_only(app, db_session, team):
    organisation, lead, contributor, cycle = team
    file_question = next((q for q in FIRST.questions if q.type.value == "file"), None)
    if file_question is None:
        pytest.skip("the first Section 11 page has no evidence upload")
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    data = page_data(FIRST)
    html = lee.get(f"/assessments/{cycle.id}/{FIRST.id}").text
    bad = lee.post(
        f"/assessments/{cycle.id}/{FIRST.id}",
        data={
            **data,
            "csrf_token": csrf_from(html),
            file_question.id: (io.BytesIO(b"MZ\x90\x00 not a pdf"), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "do not match its type" in bad.text
    good = lee.post(
        f"/assessments/{cycle.id}/{FIRST.id}",
        data={
            **data,
            "csrf_token": csrf_from(html),
            file_question.id: (io.BytesIO(b"%PDF-1.4 board minutes"), "../../board minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    file_id = stored.answers[file_question.id]["file_id"]
    download = lee.get(f"/assessments/{cycle.id}/evidence/{file_id}")
    assert download.data == b"%PDF-1.4 board minutes"
    assert "board minutes.pdf" in download.headers["Content-Disposition"]


def test_admin_reminds_organisations_that_have_not_submitted(
    app, db_session, team, admin, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    boss = as_user(app, db_session, admin)
    html = boss.get(f"/admin/cycles/{cycle.id}").text
    assert "Returns: 0 of 1 submitted" in html and "Not started" in html
    boss.post(f"/admin/cycles/{cycle.id}/reminders", data={"csrf_token": csrf_from(html)})
    emails = smtp_server.wait_for(2)
    assert {e["To"] for e in emails} == {lead.email, contributor.email}
    assert f"/assessments/{cycle.id}" in emails[0].get_content()
