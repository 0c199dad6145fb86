"""Contributors send for sign-off without the lead's declaration; only the lead attests and
signs off what they saw; emails at "sent for sign-off" and "submitted" carry no answers."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import Response, ResponseStatus, Role, utcnow
from tests import factories
from tests.conftest import csrf_from
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import (
    SECTION_11,
    SIGN_OFF,
    as_user,
    declare,
    fill_every_page,
    page_data,
    post_page,
    sign_off_form,
    start,
)

team = test_assessments.team  # the fixture: an organisation's lead, contributor and a cycle
DECLARATION = [q for q in SIGN_OFF.questions if q.declaration]
SECRET_EVIDENCE = "Minutes of the board meeting that nobody should email"


def stored(db_session) -> Response:
    found = db_session.scalar(select(Response))
    db_session.refresh(found)
    return found


def test_contributors_never_answer_the_declaration_and_send_without_it(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    start(cass, cycle)
    page = cass.get(f"/assessments/{cycle.id}/sign_off").text
    assert "What is the role of the person who completed this assessment?" in page
    assert all(question.label not in page for question in DECLARATION)
    assert "Your organisation lead answers the senior lead’s declaration" in page
    fill_every_page(cass, cycle)  # posts the declaration's answers too: they are ignored
    assert all(stored(db_session).answers.get(q.id) is None for q in DECLARATION)
    check = cass.get(f"/assessments/{cycle.id}/check").text
    assert "They answer the senior lead’s declaration when they sign it off" in check
    assert "Some required questions are not answered yet" not in check
    cass.post(f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(check)})
    assert stored(db_session).status is ResponseStatus.AWAITING_SIGN_OFF


def test_the_lead_must_answer_the_declaration_and_confirm_it(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    fill_every_page(cass, cycle)
    check = lee.get(f"/assessments/{cycle.id}/check").text
    assert "Full name of the senior lead signing off" in check  # listed as missing, linked
    assert f'href="/assessments/{cycle.id}/sign_off?back=check#senior_lead_name"' in check
    refused = lee.post(
        f"/assessments/{cycle.id}/submit",
        data={"csrf_token": csrf_from(check), "confirm": "yes", "version": "2"},
    )
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert "Answer ‘Full name of the senior lead signing off’" in refused.text
    declare(lee, cycle)
    check = lee.get(f"/assessments/{cycle.id}/check").text
    unconfirmed = lee.post(
        f"/assessments/{cycle.id}/submit", data={**sign_off_form(check), "confirm": ""}
    )
    assert unconfirmed.status_code == 400
    assert 'href="#confirm"' in unconfirmed.text
    assert "govuk-error-message" in unconfirmed.text  # on the declaration's checkbox
    assert stored(db_session).status is not ResponseStatus.SUBMITTED
    lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(check))
    done = stored(db_session)
    assert done.status is ResponseStatus.SUBMITTED and done.signed_off_by_id == lead.id
    assert done.answers["senior_lead_name"] == page_data(SIGN_OFF)["senior_lead_name"]


def test_a_schools_sign_off_page_is_the_leads_alone(app, db_session):
    section_175 = load_definitions().latest("section-175")
    school = factories.OrganisationFactory(name="Meadowbank Primary")
    dsl = factories.UserFactory(organisation=school, role=Role.ORGANISATION_LEAD)
    teacher = factories.UserFactory(organisation=school, role=Role.ORGANISATION_CONTRIBUTOR)
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        section_175,
        cycles.NewCycle(
            "S175 2026", now - timedelta(days=1), now + timedelta(days=9), (school.id,)
        ),
        created_by=None,
    )
    teaching = as_user(app, db_session, teacher)
    start(teaching, cycle)
    assert "Sign-off" not in teaching.get(f"/assessments/{cycle.id}").text
    assert teaching.get(f"/assessments/{cycle.id}/sign_off").status_code == 404
    assert "Sign-off" in as_user(app, db_session, dsl).get(f"/assessments/{cycle.id}").text


def test_emails_at_sent_for_sign_off_and_submitted_carry_no_answers(
    app, db_session, team, admin, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    other_lead = factories.UserFactory(
        organisation=organisation, role=Role.ORGANISATION_LEAD, name="Another Lead"
    )
    elsewhere = factories.UserFactory(organisation=factories.OrganisationFactory())
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    fill_every_page(cass, cycle)
    first = {**page_data(SECTION_11.pages[0]), "s1_evidence": SECRET_EVIDENCE}
    assert post_page(cass, cycle, SECTION_11.pages[0], first).status_code == 302
    check = cass.get(f"/assessments/{cycle.id}/check").text
    for _ in range(2):  # a double click sends one email to each lead
        cass.post(f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(check)})
    sent = smtp_server.wait_for(2)
    assert {m["To"] for m in sent} == {lead.email, other_lead.email}
    assert all(m["Subject"] == "Ready for you to sign off: Section 11 2026" for m in sent)
    body = sent[0].get_content()
    assert "Cass Contributor has sent" in body and f"/assessments/{cycle.id}/check" in body

    declare(lee, cycle)
    check = lee.get(f"/assessments/{cycle.id}/check").text
    for _ in range(2):
        lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(check))
    emails = smtp_server.wait_for(6)[2:]
    reference = stored(db_session).reference
    receipts = [m for m in emails if m["Subject"] == "Submitted: Section 11 2026"]
    assert {m["To"] for m in receipts} == {lead.email, other_lead.email, contributor.email}
    [notice] = [m for m in emails if m["To"] == admin.email]
    assert notice["Subject"] == "Return submitted: Riverside Police, Section 11 2026"
    assert reference in notice.get_content() and reference in receipts[0].get_content()
    assert f"/assessments/{cycle.id}/return" in receipts[0].get_content()
    assert elsewhere.email not in {m["To"] for m in smtp_server.messages}
    assert len(smtp_server.messages) == 6
    for message in smtp_server.messages:
        assert SECRET_EVIDENCE not in message.get_content()


def test_the_check_page_shows_each_standards_answers_under_its_title(app, db_session, team):
    """Every standard asks the same questions: the check page must say which standard each
    answer belongs to, in a card per page, and each Change link names its standard."""
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    start(cass, cycle)
    fill_every_page(cass, cycle)
    check = cass.get(f"/assessments/{cycle.id}/check").text
    titles = re.findall(r'govuk-summary-card__title">([^<]+)<', check)
    standards = [page for page in SECTION_11.pages if page.standard]
    assert len(standards) > 1
    for page in standards:
        (title,) = [title for title in titles if title.endswith(page.title)]
        assert f"({title})</span>" in check
