"""Cycles that can be run: change dates, close early and reopen, give one organisation more
time, change which organisations are asked."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from surveys.models import AuditEvent, Cycle, CycleAssignment
from tests import factories
from tests.conftest import date_fields, post_with_csrf
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import FIRST, as_user, page_data, post_page, start

team = test_assessments.team  # an organisation's lead and contributor, an open Section 11


def test_closing_early_stops_answers_and_new_dates_reopen_the_cycle(app, db_session, team, admin):
    organisation, lead, contributor, cycle = team
    boss, lee = as_user(app, db_session, admin), as_user(app, db_session, lead)
    start(lee, cycle)
    closed = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}",
        {},
        action=f"/admin/cycles/{cycle.id}/close",
        follow_redirects=True,
    )
    assert "is closed. Change its dates to reopen it" in closed.text
    refused = post_page(lee, cycle, FIRST, page_data(FIRST))
    assert refused.status_code == 409, refused.status_code
    assert "This form is closed and is no longer taking answers" in refused.text

    today = date.today()
    reopened = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/edit",
        {
            "title": "Section 11 2026",
            **date_fields("opens_on", today - timedelta(days=3)),
            **date_fields("closes_on", today + timedelta(days=14)),
        },
    )
    assert reopened.status_code == 302
    db_session.expire_all()
    assert db_session.get(Cycle, cycle.id).closes_at.date() == today + timedelta(days=14)
    assert post_page(lee, cycle, FIRST, page_data(FIRST)).status_code == 302
    actions = set(db_session.scalars(select(AuditEvent.action)))
    assert {"cycle.closed_early", "cycle.changed"} <= actions


def test_the_closing_date_must_follow_the_opening_date(app, db_session, team, admin):
    _, _, _, cycle = team
    today = date.today()
    refused = post_with_csrf(
        as_user(app, db_session, admin),
        f"/admin/cycles/{cycle.id}/edit",
        {"title": "S11", **date_fields("opens_on", today), **date_fields("closes_on", today)},
    )
    assert refused.status_code == 400
    assert "The closing date must be after the opening date" in refused.text


def test_one_organisation_given_more_time_answers_after_the_others_are_closed(
    app, db_session, team, admin
):
    organisation, lead, contributor, cycle = team
    late = factories.OrganisationFactory(name="Late Agency")
    late_lead = factories.UserFactory(organisation=late, role=lead.role)
    boss = as_user(app, db_session, admin)
    post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/organisations",
        {"organisations": [str(organisation.id), str(late.id)]},
    )
    post_with_csrf(boss, f"/admin/cycles/{cycle.id}", {}, action=f"/admin/cycles/{cycle.id}/close")
    later = date.today() + timedelta(days=10)
    given = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/organisations/{late.id}/extend",
        date_fields("until", later),
        follow_redirects=True,
    )
    assert f"Late Agency now has until {later:%-d %B %Y}" in given.text
    assert f"{later:%-d %b %Y} (extended)" in given.text

    latecomer = as_user(app, db_session, late_lead)
    assert "Section 11 2026" in latecomer.get("/assessments").text
    assert f"Deadline: {later:%-d %B %Y}" in latecomer.get(f"/assessments/{cycle.id}").text
    start(latecomer, cycle)
    assert post_page(latecomer, cycle, FIRST, page_data(FIRST)).status_code == 302
    assert "Section 11 2026" not in as_user(app, db_session, lead).get("/assessments").text


def test_organisations_are_added_and_removed_but_never_one_that_has_started(
    app, db_session, team, admin
):
    organisation, lead, contributor, cycle = team
    added = factories.OrganisationFactory(name="Added Agency")
    boss = as_user(app, db_session, admin)
    page = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/organisations",
        {"organisations": [str(organisation.id), str(added.id)]},
        follow_redirects=True,
    )
    assert "Added: Added Agency" in page.text
    start(as_user(app, db_session, lead), cycle)  # the first organisation starts its return
    refused = post_with_csrf(
        boss, f"/admin/cycles/{cycle.id}/organisations", {"organisations": [str(added.id)]}
    )
    assert refused.status_code == 400
    assert "started its return, so cannot be removed" in refused.text
    removed = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/organisations",
        {"organisations": [str(organisation.id)]},
        follow_redirects=True,
    )
    assert "Removed: Added Agency" in removed.text
    assigned = db_session.scalars(
        select(CycleAssignment.organisation_id).where(CycleAssignment.cycle_id == cycle.id)
    ).all()
    assert assigned == [organisation.id]


def test_publishing_and_adding_an_organisation_email_its_leads(app, db_session, admin, smtp_server):
    from surveys.models import Role

    app.config.update(MAIL_PORT=smtp_server.port)
    police = factories.OrganisationFactory(name="Shire Police")
    lead = factories.UserFactory(organisation=police, role=Role.ORGANISATION_LEAD)
    factories.UserFactory(organisation=police, role=Role.ORGANISATION_CONTRIBUTOR)
    trust = factories.OrganisationFactory(name="Shire Trust")
    trust_lead = factories.UserFactory(organisation=trust, role=Role.ORGANISATION_LEAD)
    boss = as_user(app, db_session, admin)
    today = date.today()
    published = post_with_csrf(
        boss,
        "/admin/cycles/new",
        {
            "definition": "section-11",
            "title": "Section 11 2027",
            **date_fields("opens_on", today),
            **date_fields("closes_on", today + timedelta(days=42)),
            "organisations": str(police.id),
        },
        follow_redirects=True,
    )
    assert "1 organisation leads were emailed what is asked and by when" in published.text
    (email,) = smtp_server.wait_for(1)
    assert email["To"] == lead.email
    assert email["Subject"] == "Asked of your organisation: Section 11 2027"
    body = email.get_payload(decode=True).decode()
    assert f"the deadline is {today + timedelta(days=42):%-d %B %Y}" in body
    cycle = db_session.scalar(select(Cycle).where(Cycle.title == "Section 11 2027"))
    assert f"/assessments/{cycle.id}" in body

    added = post_with_csrf(
        boss,
        f"/admin/cycles/{cycle.id}/organisations",
        {"organisations": [str(police.id), str(trust.id)]},
        follow_redirects=True,
    )
    assert "1 leads of the added organisations were emailed" in added.text
    assert smtp_server.wait_for(2)[1]["To"] == trust_lead.email
