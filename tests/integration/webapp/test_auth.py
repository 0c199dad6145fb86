"""Signing in and out, throttling, sessions, password reset and invitations."""

from __future__ import annotations

import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from surveys import tenancy
from surveys.models import AuditEvent, Role, UserSession
from tests import factories
from tests.conftest import csrf_from


def sign_in(client, email: str, password: str = factories.PASSWORD):
    page = client.get("/sign-in")
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    )


def test_sign_in_with_correct_details_reaches_home(client, db_session):
    user = factories.UserFactory(email="lead@agency.org", name="Lee Lead")
    response = sign_in(client, "Lead@Agency.org ")
    assert response.status_code == 302
    home = client.get("/")
    assert "Welcome, Lee Lead" in home.text
    assert db_session.scalar(select(UserSession).where(UserSession.user_id == user.id))


def test_wrong_password_shows_error_summary_without_saying_which_part(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    response = sign_in(client, "lead@agency.org", "wrong password here")
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Enter a correct email address and password" in response.text
    assert response.text.count("<title>Error: ") == 1
    unknown = sign_in(client, "nobody@agency.org", "wrong password here")
    assert "Enter a correct email address and password" in unknown.text


def test_sign_in_is_throttled_after_five_failures(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    for _ in range(5):
        assert sign_in(client, "lead@agency.org", "wrong password!").status_code == 400
    blocked = sign_in(client, "lead@agency.org")  # even the right password is refused now
    assert blocked.status_code == 429
    assert "too many times" in blocked.text
    with freeze_time(timedelta(minutes=16)):
        assert sign_in(client, "lead@agency.org").status_code == 302


def test_deactivated_user_cannot_sign_in(client, db_session):
    factories.UserFactory(email="gone@agency.org", is_active=False)
    assert sign_in(client, "gone@agency.org").status_code == 400


def test_sign_out_ends_the_server_session_so_an_old_cookie_stops_working(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    sign_in(client, "lead@agency.org")
    with client.session_transaction() as cookie:
        old = dict(cookie)
    page = client.get("/sign-out")
    client.post("/sign-out", data={"csrf_token": csrf_from(page.text)})
    with client.session_transaction() as cookie:
        cookie.update(old)
    assert client.get("/").headers["Location"].startswith("/sign-in")


def test_idle_timeout_signs_out_after_30_minutes(client, db_session, login_as):
    login_as(factories.UserFactory())
    assert client.get("/").status_code == 200
    with freeze_time(timedelta(minutes=31)):
        response = client.get("/", follow_redirects=True)
    assert "inactive for 30 minutes" in response.text


def test_session_cookie_is_httponly_and_samesite(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    response = sign_in(client, "lead@agency.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_is_secure_with_host_prefix():
    from webapp.config import Config

    assert Config.SESSION_COOKIE_SECURE is True
    assert Config.SESSION_COOKIE_NAME.startswith("__Host-")


def test_post_without_csrf_token_is_refused(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    response = client.post(
        "/sign-in", data={"email": "lead@agency.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "Your session has expired" in response.text


def test_password_reset_by_email_link_works_once(client, db_session, smtp_server, app):
    app.config.update(MAIL_PORT=smtp_server.port)
    factories.UserFactory(email="lead@agency.org")
    page = client.get("/forgot-password")
    response = client.post(
        "/forgot-password", data={"email": "lead@agency.org", "csrf_token": csrf_from(page.text)}
    )
    assert "Check your email" in response.text
    (message,) = smtp_server.wait_for(1)
    link = re.search(r"http://localhost(/reset-password/\S+)", message.get_content()).group(1)
    page = client.get(link, follow_redirects=True)
    data = {
        "password": "a new long password",
        "confirm": "a new long password",
        "csrf_token": csrf_from(page.text),
    }
    assert client.post("/reset-password", data=data).status_code == 302
    assert sign_in(client, "lead@agency.org", "a new long password").status_code == 302
    assert client.get(link, follow_redirects=True).status_code == 404  # used once


def test_emailed_link_moves_its_token_out_of_the_address(client, db_session):
    from surveys import accounts
    from surveys.models import TokenPurpose

    user = factories.UserFactory(email="lead@agency.org")
    token = accounts.issue_token(
        db_session, user, TokenPurpose.PASSWORD_RESET, lifetime=timedelta(hours=2)
    )
    response = client.get(f"/reset-password/{token}")
    assert response.headers["Location"] == "/reset-password"
    page = client.get("/reset-password")
    assert "Choose a new password" in page.text
    assert "For lead@agency.org" in page.text
    assert token not in page.text


def test_unknown_email_gets_the_same_reset_answer_and_no_email(
    client, db_session, smtp_server, app
):
    app.config.update(MAIL_PORT=smtp_server.port)
    page = client.get("/forgot-password")
    response = client.post(
        "/forgot-password", data={"email": "nobody@agency.org", "csrf_token": csrf_from(page.text)}
    )
    assert "Check your email" in response.text
    assert smtp_server.messages == []


def test_reset_link_expires(client, db_session, app):
    from surveys import accounts
    from surveys.models import TokenPurpose

    user = factories.UserFactory()
    token = accounts.issue_token(
        db_session, user, TokenPurpose.PASSWORD_RESET, lifetime=timedelta(hours=2)
    )
    with freeze_time(timedelta(hours=3)):
        assert client.get(f"/reset-password/{token}", follow_redirects=True).status_code == 404


def test_weak_password_is_refused_with_a_clear_message(client, db_session):
    from surveys import accounts
    from surveys.models import TokenPurpose

    user = factories.UserFactory()
    token = accounts.issue_token(
        db_session, user, TokenPurpose.INVITATION, lifetime=timedelta(days=1)
    )
    page = client.get(f"/accept-invitation/{token}", follow_redirects=True)
    response = client.post(
        "/accept-invitation",
        data={"password": "short", "confirm": "short", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 400
    assert "Password must be 10 characters or more" in response.text


def test_failed_sign_in_is_audited_without_the_email(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    sign_in(client, "lead@agency.org", "wrong password!")
    with tenancy.every_partnership(db_session):  # an account's own event: no partnership's
        events = db_session.scalars(select(AuditEvent)).all()
    assert [e.action for e in events] == ["sign_in.failed"]
    assert all("lead@agency.org" not in (e.detail + e.object_id) for e in events)


def test_next_parameter_cannot_redirect_off_site(client, db_session):
    factories.UserFactory(email="lead@agency.org", role=Role.QUALITY_GROUP, organisation=None)
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in?next=//evil.example/",
        data={
            "email": "lead@agency.org",
            "password": factories.PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.headers["Location"] == "/"
