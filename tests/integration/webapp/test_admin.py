"""The partnership admin manages organisations and users; others cannot see each other's."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveys.models import Organisation, Role, User, UserSession
from tests import factories


def test_admin_adds_an_organisation(client, db_session, admin, login_as, post_form):
    login_as(admin)
    response = post_form(
        "/admin/organisations/new",
        {"name": "  Riverside   Youth Service ", "kind": "agency", "sector": "youth_justice"},
    )
    assert response.status_code == 302
    organisation = db_session.scalar(
        select(Organisation).where(Organisation.name == "Riverside Youth Service")
    )
    assert organisation is not None and organisation.sector.value == "youth_justice"
    assert "Riverside Youth Service" in client.get("/admin/organisations").text


def test_missing_organisation_fields_show_govuk_errors(
    client, db_session, admin, login_as, post_form
):
    login_as(admin)
    response = post_form("/admin/organisations/new", {"name": "", "sector": "police"})
    assert response.status_code == 400
    assert "Enter the organisation’s name" in response.text
    assert "Select the type of organisation" in response.text
    assert "<title>Error: Add an organisation" in response.text


def test_duplicate_organisation_name_is_refused(client, db_session, admin, login_as, post_form):
    factories.OrganisationFactory(name="Riverside Police")
    login_as(admin)
    response = post_form(
        "/admin/organisations/new",
        {"name": "riverside police", "kind": "agency", "sector": "police"},
    )
    assert response.status_code == 400
    assert "already exists" in response.text


def test_invalid_sector_is_a_validation_error_not_a_crash(
    client, db_session, admin, login_as, post_form
):
    login_as(admin)
    response = post_form(
        "/admin/organisations/new", {"name": "X", "kind": "agency", "sector": "<script>"}
    )
    assert response.status_code == 400
    assert "<script>" not in response.text.split("</form>")[0].split("<form")[0]


def test_deactivating_an_organisation_ends_its_peoples_sessions(
    client, db_session, admin, login_as, post_form, app
):
    organisation = factories.OrganisationFactory(name="Closing Agency")
    member = factories.UserFactory(organisation=organisation)
    from surveys import accounts

    accounts.start_session(db_session, member)
    login_as(admin)
    response = post_form(
        f"/admin/organisations/{organisation.id}",
        {"name": "Closing Agency", "kind": "agency", "sector": "health"},
    )  # is_active unticked
    assert response.status_code == 302
    db_session.expire_all()
    assert member.is_active is False
    other = app.test_client()
    token = accounts.start_session(db_session, member)
    with other.session_transaction() as cookie:
        cookie["token"] = token
    assert other.get("/").status_code == 302


def test_admin_invites_a_user_who_receives_an_email(
    client, db_session, admin, login_as, post_form, smtp_server, app
):
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation = factories.OrganisationFactory(name="Invite Agency")
    login_as(admin)
    response = post_form(
        "/admin/users/new",
        {
            "name": "Nia Newcomer",
            "email": "Nia@Agency.org",
            "roles": "organisation_lead",
            "organisation_id": str(organisation.id),
        },
    )
    assert response.status_code == 302
    user = db_session.scalar(select(User).where(User.email == "nia@agency.org"))
    assert user is not None and user.password_hash is None
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "nia@agency.org"
    assert re.search(r"/accept-invitation/\S{40,}", message.get_content())


def test_organisation_roles_need_an_organisation(client, db_session, admin, login_as, post_form):
    login_as(admin)
    response = post_form(
        "/admin/users/new",
        {
            "name": "No Org",
            "email": "no@org.org",
            "roles": "organisation_contributor",
            "organisation_id": "",
        },
    )
    assert response.status_code == 400
    assert "Select the organisation this person belongs to" in response.text


def test_mass_assignment_fields_are_ignored(client, db_session, admin, login_as, post_form):
    target = factories.UserFactory(role=Role.ORGANISATION_CONTRIBUTOR)
    login_as(admin)
    post_form(
        f"/admin/users/{target.id}",
        {
            "name": "Renamed",
            "roles": "organisation_contributor",
            "organisation_id": str(target.organisation_id),
            "is_active": "y",
            "password_hash": "x",
            "email": "stolen@evil.org",
            "id": "999",
        },
    )
    db_session.expire_all()
    assert target.name == "Renamed"
    assert target.email != "stolen@evil.org" and target.password_hash != "x"


def test_deactivating_a_user_ends_their_sessions(client, db_session, admin, login_as, post_form):
    target = factories.UserFactory()
    from surveys import accounts

    accounts.start_session(db_session, target)
    login_as(admin)
    post_form(
        f"/admin/users/{target.id}",
        {
            "name": target.name,
            "roles": "organisation_lead",
            "organisation_id": str(target.organisation_id),
        },
    )
    assert (
        db_session.scalars(select(UserSession).where(UserSession.user_id == target.id)).all() == []
    )


def test_lead_cannot_see_another_organisations_page(client, db_session, login_as):
    mine, theirs = factories.OrganisationFactory(), factories.OrganisationFactory()
    lead = login_as(factories.UserFactory(organisation=mine))
    assert client.get(f"/organisations/{mine.id}").status_code == 200
    for probe in (theirs.id, theirs.id + 1, 999999):
        assert client.get(f"/organisations/{probe}").status_code == 404
    assert lead.organisation_id == mine.id


def test_names_with_markup_are_escaped(client, db_session, admin, login_as):
    factories.UserFactory(name='<img src=x onerror="alert(1)">')
    login_as(admin)
    page = client.get("/admin/users").text
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x" in page
    assert '<a class="govuk-link" href="/admin/users/' in page  # real links, not escaped markup
