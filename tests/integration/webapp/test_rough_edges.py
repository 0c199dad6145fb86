"""Rough edges users noticed: the invitation, the header, the privacy page, plurals."""

from __future__ import annotations

import re
from datetime import timedelta

from surveys import accounts, tenancy
from surveys.models import Partnership, Role, TokenPurpose
from tests import factories
from tests.conftest import csrf_from
from webapp.wording import plural


def test_invitation_names_partnership_organisation_role_and_inviter(
    client, db_session, admin, login_as, post_form, smtp_server, app
):
    app.config.update(MAIL_PORT=smtp_server.port)
    db_session.get(Partnership, tenancy.partnership_of(db_session)).name = "Northshire Partnership"
    admin.name = "Ada Admin"
    organisation = factories.OrganisationFactory(name="Northshire Police")
    login_as(admin)
    post_form(
        "/admin/users/new",
        {
            "name": "Nia Newcomer",
            "email": "nia@agency.org",
            "roles": "organisation_contributor",
            "organisation_id": str(organisation.id),
        },
    )
    (message,) = smtp_server.wait_for(1)
    body = " ".join(message.get_content().split())
    assert "Learning Loop for Learning Loop" not in body
    assert message["Subject"] == "You have been invited to Northshire Partnership"
    assert (
        "Ada Admin has invited you to join Northshire Partnership on Learning Loop, "
        "as an organisation contributor at Northshire Police." in body
    )


def test_accepting_an_invitation_signs_the_person_in(client, db_session):
    user = factories.UserFactory(name="Nia Newcomer", role=Role.ORGANISATION_LEAD)
    token = accounts.issue_token(
        db_session, user, TokenPurpose.INVITATION, lifetime=timedelta(days=1)
    )
    page = client.get(f"/accept-invitation/{token}", follow_redirects=True)
    password = "a long enough password"
    response = client.post(
        "/accept-invitation",
        data={"password": password, "confirm": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "you are signed in" in response.text
    assert "Welcome, Nia Newcomer" in response.text
    assert client.get("/").status_code == 200


def test_a_password_reset_still_asks_the_person_to_sign_in(client, db_session):
    user = factories.UserFactory()
    token = accounts.issue_token(
        db_session, user, TokenPurpose.PASSWORD_RESET, lifetime=timedelta(hours=1)
    )
    page = client.get(f"/reset-password/{token}", follow_redirects=True)
    password = "a long enough password"
    response = client.post(
        "/reset-password",
        data={"password": password, "confirm": password, "csrf_token": csrf_from(page.text)},
    )
    assert response.headers["Location"].startswith("/sign-in")


def test_privacy_and_accessibility_pages_name_the_partnership_and_its_contacts(client, app):
    app.config.update(
        PARTNERSHIP_NAME="Northshire Partnership",
        PARTNERSHIP_EMAIL="help@northshire.example",
        DATA_PROTECTION_OFFICER="Data Protection Officer, Northshire Council",
        DATA_PROTECTION_OFFICER_EMAIL="dpo@northshire.example",
        RETENTION_ANSWERS="7 years after the cycle closes",
    )
    privacy = client.get("/privacy").text
    for expected in (
        "Northshire Partnership uses Learning Loop",
        "help@northshire.example",
        "Data Protection Officer, Northshire Council",
        "dpo@northshire.example",
        "Answers to forms: 7 years after the cycle closes",
    ):
        assert expected in privacy
    accessibility = client.get("/accessibility").text
    assert "is run by Northshire Partnership" in accessibility
    assert "help@northshire.example" in accessibility


def test_the_service_name_appears_once_in_the_header(client, db_session, login_as, admin):
    login_as(admin)
    page = client.get("/").text
    header = page[page.index("<header") : page.index("</header>")]
    assert header.count("Learning Loop") == 1
    assert "Test Partnership" in header  # the partnership the person works in
    signed_out = client.application.test_client().get("/sign-in").text
    assert "Riverside Safeguarding Children Partnership" in signed_out  # who runs the service
    title = re.search(r"<title[^>]*>(.*?)</title>", page, re.S).group(1)
    assert title.strip().endswith("– Learning Loop")


def test_plural_counts_read_as_english():
    assert plural(1, "action") == "1 action"
    assert plural(2, "problem") == "2 problems"
    assert plural(0, "entry") == "0 entries"
    assert plural(3, "day") == "3 days"
    assert plural(1, "child", "children") == "1 child"
    assert plural(4, "child", "children") == "4 children"
    assert plural(1200, "statement") == "1,200 statements"


def test_wide_tables_scroll_in_a_labelled_focusable_region(client, db_session, login_as, admin):
    login_as(admin)
    page = client.get("/admin/users").text
    assert (
        '<div class="app-table-wrapper" tabindex="0" role="region" '
        'aria-label="Everyone in Test Partnership">' in page
    )


def test_cycle_form_picker_names_each_form_and_its_audience(client, db_session, login_as, admin):
    login_as(admin)
    page = client.get("/admin/cycles/new").text
    assert "Child voice, under 11 — anonymous link, children (version" in page
    assert "Child voice, 11 and over — anonymous link, children (version" in page
    assert "Family voice — anonymous link, families (version" in page
    assert "Section 11 self-assessment — organisations, signed in (version" in page
    assert ">Tell us what you think" not in page
