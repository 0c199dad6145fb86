"""Platform admins create partnerships and invite their first admins, and see none of their data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveys.models import Membership, Partnership, Role, User
from tests import factories
from tests.conftest import csrf_from

NEW_PARTNERSHIP = {
    "name": "Northshire Safeguarding Children Partnership",
    "front_door_name": "Northshire Front Door",
    "front_door_phone": "01632 960 123",
    "admin_name": "Nia Newcomer",
    "admin_email": "Nia@Northshire.example",
}


@pytest.fixture
def platform_admin(db_session) -> User:
    return factories.UserFactory(role=None, organisation=None, is_platform_admin=True)


def test_a_platform_admin_adds_a_partnership_and_invites_its_first_admin(
    client, app, db_session, login_as, platform_admin, post_form, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    login_as(platform_admin)
    added = post_form("/platform/partnerships/new", NEW_PARTNERSHIP)
    assert added.headers["Location"] == "/platform/partnerships"
    partnership = db_session.scalar(
        select(Partnership).where(Partnership.name == NEW_PARTNERSHIP["name"])
    )
    assert (partnership.front_door_name, partnership.front_door_phone) == (
        "Northshire Front Door",
        "01632 960 123",
    )
    admin = db_session.scalar(select(User).where(User.email == "nia@northshire.example"))
    (membership,) = db_session.scalars(select(Membership).where(Membership.user_id == admin.id))
    assert (membership.partnership_id, membership.role) == (partnership.id, Role.PARTNERSHIP_ADMIN)
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == f"You have been invited to {NEW_PARTNERSHIP['name']}"
    link = re.search(r"http://\S+(/accept-invitation/\S{40,})", message.get_content()).group(1)
    assert NEW_PARTNERSHIP["name"] in client.get("/platform/partnerships").text

    newcomer = app.test_client()  # the new admin accepts and runs only their partnership
    page = newcomer.get(link, follow_redirects=True)
    password = "a long enough password"
    newcomer.post(
        "/accept-invitation",
        data={"password": password, "confirm": password, "csrf_token": csrf_from(page.text)},
    )
    people = newcomer.get("/admin/users").text
    assert "Nia Newcomer" in people and platform_admin.name not in people
    assert "Partnership: <strong>Northshire" in newcomer.get("/").text


def test_a_partnership_name_is_used_once(client, db_session, login_as, platform_admin, post_form):
    login_as(platform_admin)
    again = post_form("/platform/partnerships/new", {**NEW_PARTNERSHIP, "name": "test partnership"})
    assert again.status_code == 400
    assert "A partnership with this name already exists" in again.text
    missing = post_form("/platform/partnerships/new", {"name": ""})
    assert missing.status_code == 400
    for message in (
        "Enter the partnership’s name",
        "Enter the partnership admin’s full name",
        "Enter the partnership admin’s email address",
    ):
        assert message in missing.text


def test_someone_with_an_account_is_added_as_admin_not_invited_again(
    client, app, db_session, login_as, platform_admin, post_form, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    existing = factories.UserFactory(
        name="Sam Existing", role=Role.QUALITY_GROUP, organisation=None
    )
    login_as(platform_admin)
    post_form("/platform/partnerships/new", {**NEW_PARTNERSHIP, "admin_email": existing.email})
    roles = db_session.scalars(
        select(Membership.role).where(Membership.user_id == existing.id).order_by(Membership.id)
    ).all()
    assert roles == [Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN]
    db_session.refresh(existing)
    assert existing.name == "Sam Existing"  # their own name, not the one typed
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == f"You have been added to {NEW_PARTNERSHIP['name']}"
    assert "/accept-invitation/" not in message.get_content()


def test_a_platform_admin_invites_another_admin_to_an_existing_partnership(
    client, db_session, login_as, platform_admin, post_form, smtp_server, app
):
    app.config.update(MAIL_PORT=smtp_server.port)
    theirs = Partnership(name="Eastshire Partnership")
    db_session.add(theirs)
    db_session.commit()
    login_as(platform_admin)
    url = f"/platform/partnerships/{theirs.id}/admins/new"
    sent = post_form(url, {"admin_name": "Eve East", "admin_email": "eve@east.example"})
    assert sent.status_code == 302
    eve = db_session.scalar(select(User).where(User.email == "eve@east.example"))
    assert (
        db_session.scalar(select(Membership.partnership_id).where(Membership.user_id == eve.id))
        == theirs.id
    )
    twice = post_form(url, {"admin_name": "Eve East", "admin_email": "eve@east.example"})
    assert twice.status_code == 400 and "already works in this partnership" in twice.text
    assert client.get("/platform/partnerships/999999/admins/new").status_code == 404


def test_a_platform_admin_sees_no_partnerships_data(client, db_session, login_as, platform_admin):
    login_as(platform_admin)
    home = client.get("/").text
    assert "You do not work in any partnership" in home
    assert "Partnership: <strong>none</strong>" in home
    assert 'href="/platform/partnerships"' in home
    for page in ("/admin/users", "/admin/organisations", "/admin/cycles", "/quality/", "/actions"):
        assert client.get(page).status_code == 404, page


def test_only_platform_admins_reach_the_platform_pages(client, db_session, login_as, admin):
    login_as(admin)
    assert client.get("/platform/partnerships").status_code == 404
    assert 'href="/platform/partnerships"' not in client.get("/").text
