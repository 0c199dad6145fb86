"""Several evidence files per standard: add some, add another, remove one; the partnership's
admins and quality group open a return's evidence from its returns table, each opening
audited; an organisation opens only its own."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from surveys.models import AuditEvent, EvidenceFile, Response, Role
from tests import factories
from tests.conftest import csrf_from
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import (
    FIRST,
    as_user,
    declare,
    fill_every_page,
    page_data,
    sign_off_form,
    start,
)

team = test_assessments.team  # the fixture: an organisation's lead, contributor and a cycle
FILES = "s1_evidence_file"


def upload(client, cycle, files, **extra):
    url = f"/assessments/{cycle.id}/{FIRST.id}"
    html = client.get(url).text
    return client.post(
        url,
        data={
            **page_data(FIRST),
            **extra,
            "csrf_token": csrf_from(html),
            FILES: [(io.BytesIO(content), name) for name, content in files],
        },
        content_type="multipart/form-data",
    )


def listed(db_session) -> list[str]:
    response = db_session.scalar(select(Response))
    db_session.refresh(response)
    return [file["filename"] for file in response.answers.get(FILES) or []]


def test_files_are_added_together_then_one_more_and_one_removed(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    start(cass, cycle)
    two = [("minutes.pdf", b"%PDF-1.4 minutes"), ("policy.pdf", b"%PDF-1.4 policy")]
    assert upload(cass, cycle, two, save_and_return="1").status_code == 302
    assert listed(db_session) == ["minutes.pdf", "policy.pdf"]
    page = cass.get(f"/assessments/{cycle.id}/{FIRST.id}").text
    assert "Remove minutes.pdf" in page and "Remove policy.pdf" in page
    assert upload(cass, cycle, [("plan.txt", b"an action plan")]).status_code == 302
    assert listed(db_session) == ["minutes.pdf", "policy.pdf", "plan.txt"]

    [minutes] = db_session.scalars(
        select(EvidenceFile).where(EvidenceFile.filename == "minutes.pdf")
    )
    removed = upload(
        cass, cycle, [], **{f"{FILES}-remove": str(minutes.id), "save_and_return": "1"}
    )
    assert removed.status_code == 302
    assert listed(db_session) == ["policy.pdf", "plan.txt"]
    assert "Removed minutes.pdf" in cass.get(removed.location).text
    refused = upload(cass, cycle, [("ok.pdf", b"%PDF-1.4 ok"), ("bad.pdf", b"MZ not a pdf")])
    assert refused.status_code == 400 and "do not match its type" in refused.text
    assert listed(db_session) == ["policy.pdf", "plan.txt"]  # nothing of a refused post


def submitted_with_evidence(app, db_session, team) -> Response:
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    fill_every_page(lee, cycle)
    upload(lee, cycle, [("minutes.pdf", b"%PDF-1.4 minutes"), ("plan.pdf", b"%PDF-1.4 plan")])
    declare(lee, cycle)
    lee.post(
        f"/assessments/{cycle.id}/submit",
        data=sign_off_form(lee.get(f"/assessments/{cycle.id}/check").text),
    )
    response = db_session.scalar(select(Response))
    db_session.refresh(response)
    assert response.is_submitted
    return response


def test_admins_and_the_quality_group_open_evidence_from_the_returns_table(
    app, db_session, team, admin
):
    organisation, lead, contributor, cycle = team
    response = submitted_with_evidence(app, db_session, team)
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    for person in (admin, quality):
        client = as_user(app, db_session, person)
        table = client.get(f"/admin/cycles/{cycle.id}").text
        assert f'href="/admin/cycles/responses/{response.id}"' in table
        page = client.get(f"/admin/cycles/responses/{response.id}").text
        for file in response.answers[FILES]:
            url = f"/admin/cycles/responses/{response.id}/evidence/{file['file_id']}"
            assert f'href="{url}">{file["filename"]}' in page
            opened = client.get(url)
            assert opened.status_code == 200 and opened.data.startswith(b"%PDF-1.4")
        opened_by = select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "evidence.opened", AuditEvent.user_id == person.id
        )
        assert db_session.scalar(opened_by) == 2
    quality_view = as_user(app, db_session, quality)
    table = quality_view.get(f"/admin/cycles/{cycle.id}").text
    assert "Close this cycle now" not in table and "Email a reminder" not in table
    assert (
        "Reopen for changes" not in quality_view.get(f"/admin/cycles/responses/{response.id}").text
    )
    assert quality_view.post(f"/admin/cycles/{cycle.id}/close").status_code in (400, 404)


def test_an_organisation_opens_only_its_own_evidence(app, db_session, team):
    organisation, lead, contributor, cycle = team
    response = submitted_with_evidence(app, db_session, team)
    [first, _] = response.answers[FILES]
    outsider = factories.UserFactory(organisation=factories.OrganisationFactory(name="Other"))
    client = as_user(app, db_session, outsider)
    assert client.get(f"/assessments/{cycle.id}/evidence/{first['file_id']}").status_code == 404
    url = f"/admin/cycles/responses/{response.id}/evidence/{first['file_id']}"
    assert client.get(url).status_code == 404
    assert as_user(app, db_session, lead).get(url).status_code == 404
