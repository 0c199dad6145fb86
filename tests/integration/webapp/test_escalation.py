"""Overdue returns escalated: a second reminder to the organisation's people, its named senior
contact told, and a new date by which it can still submit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from surveys.models import AuditEvent, Cycle, CycleAssignment, OrganisationPartnership, utcnow
from tests import factories
from tests.conftest import date_fields, post_with_csrf
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import FIRST, as_user, page_data, post_page, start

team = test_assessments.team  # an organisation's lead and contributor, an open Section 11


def _past_its_deadline(db_session, cycle: Cycle) -> None:
    cycle.opens_at, cycle.closes_at = utcnow() - timedelta(days=40), utcnow() - timedelta(days=3)
    db_session.commit()


def _name_contact(boss, organisation, **fields: str) -> object:
    data = {
        "name": organisation.name,
        "kind": organisation.kind.value,
        "sector": organisation.sector.value,
        "is_active": "y",
        **fields,
    }
    return post_with_csrf(boss, f"/admin/organisations/{organisation.id}", data)


def test_an_overdue_return_is_escalated_to_its_people_and_its_senior_contact(
    app, db_session, team, admin, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    quiet = factories.OrganisationFactory(name="Quiet Trust")
    db_session.add(CycleAssignment(cycle_id=cycle.id, organisation_id=quiet.id))
    db_session.commit()
    boss = as_user(app, db_session, admin)
    named = _name_contact(
        boss,
        organisation,
        senior_contact_name="Dana Director",
        senior_contact_job="Chief Superintendent",
        senior_contact_email="dana@police.example.org",
    )
    assert named.status_code == 302, named.text
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    _past_its_deadline(db_session, cycle)

    returns = boss.get(f"/admin/cycles/{cycle.id}").text
    assert "2 returns are overdue" in returns and "Escalate overdue returns" in returns
    page = boss.get(f"/admin/cycles/{cycle.id}/overdue").text
    assert "Dana Director, Chief Superintendent" in page
    assert page.count("None named") == 1  # Quiet Trust has no senior contact
    assert "Not yet" in page

    until = date.today() + timedelta(days=7)
    done = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/overdue",
        {"organisations": [str(organisation.id)], **date_fields("until", until)},
        follow_redirects=True,
    )
    assert f"3 emails sent about 1 overdue return: {organisation.name}" in done.text
    assert "Escalated " in done.text
    emails = {e["To"]: e for e in smtp_server.wait_for(3)}
    assert set(emails) == {lead.email, contributor.email, "dana@police.example.org"}
    letter = emails["dana@police.example.org"]
    assert letter["Subject"] == f"Overdue from {organisation.name}: Section 11 2026"
    body = letter.get_content()
    assert "Dear Dana Director" in body and f"{until:%-d %B %Y}" in body
    assert "reminded 2 people" in body
    reminder = emails[lead.email].get_content()
    assert reminder.startswith("Section 11 2026 was due from your organisation on")
    assert "Dana Director (Chief Superintendent) has been told" in reminder

    # The organisation can submit again until the new date; the other stays closed.
    assert post_page(lee, cycle, FIRST, page_data(FIRST)).status_code == 302
    db_session.expire_all()
    assignment = db_session.scalar(
        select(CycleAssignment).where(CycleAssignment.organisation_id == organisation.id)
    )
    assert assignment.escalated_at is not None and assignment.deadline.date() == until
    assert "cycle.escalated" in set(db_session.scalars(select(AuditEvent.action)))
    again = boss.get(f"/admin/cycles/{cycle.id}/overdue").text
    assert organisation.name not in again  # no longer overdue: it has until the new date


def test_escalating_refuses_what_is_not_overdue_and_a_date_in_the_past(
    app, db_session, team, admin
):
    organisation, _, _, cycle = team
    boss = as_user(app, db_session, admin)
    open_now = boss.get(f"/admin/cycles/{cycle.id}/overdue").text
    assert "No return is overdue" in open_now
    _past_its_deadline(db_session, cycle)
    nothing = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/overdue",
        {**date_fields("until", date.today() + timedelta(days=7))},
    )
    assert nothing.status_code == 400 and "Select the organisations to escalate" in nothing.text
    past = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/overdue",
        {"organisations": [str(organisation.id)], **date_fields("until", date.today())},
    )
    assert past.status_code == 400 and "The new date must be in the future" in past.text
    db_session.expire_all()
    assert db_session.scalar(select(CycleAssignment.escalated_at)) is None


def test_a_senior_contact_needs_a_name_and_an_email_and_is_this_partnerships_own(
    app, db_session, team, admin
):
    organisation, _, _, _ = team
    boss = as_user(app, db_session, admin)
    half = _name_contact(boss, organisation, senior_contact_name="Dana Director")
    assert half.status_code == 400 and "Enter the senior contact’s email address" in half.text
    bad = _name_contact(
        boss, organisation, senior_contact_name="Dana", senior_contact_email="not-an-email"
    )
    assert bad.status_code == 400 and "Enter an email address in the correct format" in bad.text
    _name_contact(
        boss, organisation, senior_contact_name="Dana", senior_contact_email="dana@example.org"
    )
    db_session.expire_all()
    links = db_session.scalars(
        select(OrganisationPartnership).where(
            OrganisationPartnership.organisation_id == organisation.id
        )
    ).all()
    assert [link.senior_contact_email for link in links] == ["dana@example.org"]
