"""Sign-in security (issue 8): safe redirects, no enumeration, throttling that cannot lock
the owner out, limited reset emails, and password hashing outside any transaction."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from surveys import accounts, throttling
from surveys.models import SignInAttempt, TokenPurpose, utcnow
from tests import factories
from tests.conftest import csrf_from, write_lock_is_free

ADDRESS_A = "192.0.2.10"
ADDRESS_B = "198.51.100.20"


def sign_in(client, email, password=factories.PASSWORD, *, address=ADDRESS_A, query=""):
    environ = {"REMOTE_ADDR": address}
    page = client.get("/sign-in", environ_base=environ)
    return client.post(
        f"/sign-in{query}",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        environ_base=environ,
    )


# 1. Open redirect ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_value",
    [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "%5C%5Cevil.example",
        "https://evil.example",
        "/%0d%0aSet-Cookie:x",
        "javascript:alert(1)",
        "%20//evil.example",
        "/%E3%80%80/evil.example",
    ],
)
def test_next_cannot_send_the_user_off_site(client, db_session, next_value):
    factories.UserFactory(email="lead@agency.org")
    response = sign_in(client, "lead@agency.org", query=f"?next={next_value}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_returns_the_user_to_the_page_they_asked_for(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    response = sign_in(client, "lead@agency.org", query="?next=/assessments?cycle%3D2")
    assert response.headers["Location"] == "/assessments?cycle=2"


# 2. No account enumeration by timing -------------------------------------------------------


class HasherSpy:
    """The app's real argon2 hasher (at its configured cost), recording each call and running a
    check during it."""

    def __init__(self, check=lambda: True):
        self.real = accounts._hasher
        self.check = check
        self.calls: list[tuple[str, object]] = []

    def verify(self, password_hash, password):
        self.calls.append(("verify", self.check()))
        return self.real.verify(password_hash, password)

    def hash(self, password):
        self.calls.append(("hash", self.check()))
        return self.real.hash(password)


def _without_echo(html: str, email: str) -> str:
    """The page without what differs between any two requests: tokens, nonces, the email."""
    html = re.sub(r'(value|nonce)="[^"]*"', r'\1=""', html)
    return html.replace(email, "EMAIL")


def test_unknown_inactive_and_real_accounts_cost_and_answer_the_same(
    client, db_session, monkeypatch
):
    factories.UserFactory(email="real@agency.org")
    factories.UserFactory(email="gone@agency.org", is_active=False)
    factories.UserFactory(email="invited@agency.org", password_hash=None)
    spy = HasherSpy()
    monkeypatch.setattr(accounts, "_hasher", spy)
    pages = []
    for email, password in [
        ("real@agency.org", "a wrong password"),
        ("nobody@agency.org", "a wrong password"),
        ("gone@agency.org", factories.PASSWORD),  # the right password of a deactivated account
        ("invited@agency.org", "a wrong password"),
    ]:
        spy.calls.clear()
        response = sign_in(client, email, password, address=f"192.0.2.{len(pages) + 1}")
        assert response.status_code == 400
        assert [name for name, _ in spy.calls] == ["verify"], email
        pages.append(_without_echo(response.text, email))
    assert "Enter a correct email address and password" in pages[0]
    assert pages[1:] == pages[:1] * 3


# 3. Throttling that cannot lock the owner out -----------------------------------------------


def test_owner_signs_in_from_another_address_while_one_address_is_guessing(client, db_session):
    factories.UserFactory(email="dsl@example.org")
    statuses = [sign_in(client, "dsl@example.org", "a guess!!!!").status_code for _ in range(10)]
    assert statuses == [400] * 5 + [429] * 5
    still_refused = sign_in(client, "dsl@example.org", address=ADDRESS_A)
    assert still_refused.status_code == 429
    assert "You have tried to sign in too many times" in still_refused.text
    assert sign_in(client, "dsl@example.org", address=ADDRESS_B).status_code == 302


def test_one_address_trying_many_accounts_is_refused(app, client, db_session):
    factories.UserFactory(email="lead@agency.org")
    for number in range(throttling.CLIENT_LIMIT):
        response = sign_in(client, f"person{number}@agency.org", "Summer2026!")
        assert response.status_code == 400
    refused = sign_in(client, "lead@agency.org")  # a real account, the right password
    assert refused.status_code == 429
    assert "There is a problem" in refused.text
    assert "too many failed attempts to sign in from your network" in refused.text
    assert "Wait 15 minutes, then try again" in refused.text
    assert sign_in(app.test_client(), "lead@agency.org", address=ADDRESS_B).status_code == 302
    with freeze_time(timedelta(minutes=16)):
        assert sign_in(client, "lead@agency.org").status_code == 302


def _record_failures(session, email: str, count: int) -> None:
    """Record failures for an account as if from `count` different addresses."""
    session.add_all(
        SignInAttempt(
            email_hash=throttling.keys_for(email, "").account,
            client_hash=f"client-{n}",
            attempted_at=utcnow(),
        )
        for n in range(count)
    )
    session.commit()


def test_many_addresses_guessing_one_account_hit_the_account_backstop(client, db_session):
    factories.UserFactory(email="lead@agency.org")
    _record_failures(db_session, "lead@agency.org", throttling.ACCOUNT_LIMIT - 1)
    assert sign_in(client, "lead@agency.org", "a guess!!!!", address=ADDRESS_A).status_code == 400
    refused = sign_in(client, "lead@agency.org", address=ADDRESS_B)
    assert refused.status_code == 429
    assert "too many failed attempts to sign in to this account" in refused.text


def test_a_browser_that_signed_in_before_gets_past_the_account_backstop(app, client, db_session):
    factories.UserFactory(email="dsl@example.org")
    assert sign_in(client, "dsl@example.org", address=ADDRESS_B).status_code == 302
    client.delete_cookie("session")  # signed out; the browser is still the owner's
    _record_failures(db_session, "dsl@example.org", throttling.ACCOUNT_LIMIT)
    stranger = app.test_client()
    assert sign_in(stranger, "dsl@example.org", address=ADDRESS_A).status_code == 429
    forged = app.test_client()
    forged.set_cookie("known-browser", "[1]")
    assert sign_in(forged, "dsl@example.org", address=ADDRESS_A).status_code == 429
    assert sign_in(client, "dsl@example.org", address=ADDRESS_A).status_code == 302


def test_a_busy_shared_address_does_not_lock_out_browsers_known_to_their_account(
    app, client, db_session
):
    factories.UserFactory(email="lead@agency.org")
    assert sign_in(client, "lead@agency.org", address=ADDRESS_A).status_code == 302
    client.delete_cookie("session")
    colleagues = app.test_client()
    for number in range(throttling.CLIENT_LIMIT):
        sign_in(colleagues, f"person{number}@agency.org", "a typo!!!!!", address=ADDRESS_A)
    assert sign_in(colleagues, "lead@agency.org", address=ADDRESS_A).status_code == 429
    assert sign_in(client, "lead@agency.org", address=ADDRESS_A).status_code == 302


def test_signing_in_clears_only_this_addresss_failures(app, client, db_session):
    factories.UserFactory(email="lead@agency.org")
    owner = app.test_client()
    for _ in range(4):
        sign_in(client, "lead@agency.org", "a guess!!!!", address=ADDRESS_A)
        sign_in(owner, "lead@agency.org", "a typo!!!!!", address=ADDRESS_B)
    assert sign_in(owner, "lead@agency.org", address=ADDRESS_B).status_code == 302
    assert sign_in(client, "lead@agency.org", "a guess!!!!", address=ADDRESS_A).status_code == 400
    assert sign_in(client, "lead@agency.org", "a guess!!!!", address=ADDRESS_A).status_code == 429


# 4. Password reset emails are limited ------------------------------------------------------


def ask_for_reset(client, email, *, address=ADDRESS_A):
    environ = {"REMOTE_ADDR": address}
    page = client.get("/forgot-password", environ_base=environ)
    response = client.post(
        "/forgot-password",
        data={"email": email, "csrf_token": csrf_from(page.text)},
        environ_base=environ,
    )
    assert response.status_code == 200
    assert "Check your email" in response.text
    return response


def _recipients(smtp_server, count):
    return [message["To"] for message in smtp_server.wait_for(count)]


def test_at_most_three_reset_emails_an_hour_go_to_one_account(client, db_session, smtp_server, app):
    app.config.update(MAIL_PORT=smtp_server.port)
    factories.UserFactory(email="lead@agency.org")
    factories.UserFactory(email="other@agency.org")
    for _ in range(5):
        ask_for_reset(client, "lead@agency.org")
    ask_for_reset(client, "lead@agency.org", address=ADDRESS_B)  # another address: still held
    ask_for_reset(client, "other@agency.org", address=ADDRESS_B)  # arrives after all the above
    assert _recipients(smtp_server, 4) == ["lead@agency.org"] * 3 + ["other@agency.org"]
    with freeze_time(timedelta(minutes=61)):
        ask_for_reset(client, "lead@agency.org")
        assert _recipients(smtp_server, 5)[-1] == "lead@agency.org"


def test_one_address_cannot_send_reset_emails_to_every_account(
    client, db_session, smtp_server, app
):
    app.config.update(MAIL_PORT=smtp_server.port)
    limit = throttling.RESET_REQUESTS_PER_CLIENT
    for number in range(limit + 2):
        factories.UserFactory(email=f"person{number}@agency.org")
    for number in range(limit + 1):
        ask_for_reset(client, f"person{number}@agency.org")
    ask_for_reset(client, f"person{limit + 1}@agency.org", address=ADDRESS_B)
    recipients = _recipients(smtp_server, limit + 1)
    assert f"person{limit}@agency.org" not in recipients
    assert recipients[-1] == f"person{limit + 1}@agency.org"


# 6. Password hashing never holds the database's write lock ---------------------------------


@pytest.fixture
def lock_spy(app, monkeypatch):
    """A hasher spy that records whether another connection could write while it runs."""
    spy = HasherSpy(lambda: write_lock_is_free(app.config["DATABASE_URL"]))
    monkeypatch.setattr(accounts, "_hasher", spy)
    return spy


def test_sign_in_verifies_the_password_with_no_transaction_open(client, db_session, lock_spy):
    factories.UserFactory(email="lead@agency.org")
    assert sign_in(client, "lead@agency.org", "a wrong password").status_code == 400
    assert sign_in(client, "lead@agency.org").status_code == 302
    assert lock_spy.calls == [("verify", True), ("verify", True)]


@pytest.mark.parametrize(
    ("purpose", "path"),
    [
        (TokenPurpose.PASSWORD_RESET, "/reset-password"),
        (TokenPurpose.INVITATION, "/accept-invitation"),
    ],
)
def test_setting_a_password_hashes_with_no_transaction_open(
    client, db_session, lock_spy, purpose, path
):
    user = factories.UserFactory()
    token = accounts.issue_token(db_session, user, purpose, lifetime=timedelta(hours=1))
    page = client.get(f"{path}/{token}", follow_redirects=True)
    response = client.post(
        path,
        data={
            "password": "a new long password",
            "confirm": "a new long password",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 302
    assert lock_spy.calls == [("hash", True)]


def test_create_user_command_hashes_with_no_transaction_open(app, db_session, lock_spy):
    factories.OrganisationFactory(name="Riverside Academy")
    with app.app_context():  # as `flask --app webapp create-user` runs it
        result = app.test_cli_runner().invoke(
            args=[
                "create-user",
                "--email=new@riverside.example",
                "--name=New Person",
                "--role=organisation_lead",
                "--organisation=Riverside Academy",
            ],
            input="a long enough password\n",
        )
    assert result.exit_code == 0, result.output
    assert lock_spy.calls == [("hash", True)]
