"""A person in several partnerships works in one at a time: role and organisation come from
that membership, the header says which, and the choice is checked on every request."""

from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import select

from surveys import tenancy
from surveys.models import Membership, Partnership, Role, UserSession
from tests import factories
from tests.conftest import csrf_from
from tests.integration.webapp.test_auth import sign_in


@pytest.fixture
def other(db_session) -> Partnership:
    """Partnership B beside the test's own partnership A ("Test Partnership")."""
    partnership = Partnership(name="Neighbouring Partnership")
    db_session.add(partnership)
    db_session.commit()
    return partnership


def join(session, user, partnership, role: Role, organisation=None) -> Membership:
    membership = Membership(
        user=user, partnership_id=partnership.id, role=role, organisation=organisation
    )
    session.add(membership)
    session.commit()
    return membership


def working_in(client) -> str:
    """The partnership bar's words on the home page, e.g. 'Partnership: A Switch partnership'."""
    page = lxml.html.fromstring(client.get("/").text)
    return " ".join(page.get_element_by_id("working-partnership").text_content().split())


def choose(client, partnership_id: int):
    page = client.get("/choose-partnership")
    return client.post(
        "/choose-partnership",
        data={"partnership": str(partnership_id), "csrf_token": csrf_from(page.text)},
    )


@pytest.fixture
def quality_here_contributor_there(db_session, other):
    """Quality group in A; an organisation contributor for a police force in B."""
    person = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    with tenancy.working_in(db_session, other.id):
        police = factories.OrganisationFactory(name="Shared Constabulary")
    join(db_session, person, other, Role.ORGANISATION_CONTRIBUTOR, police)
    return person


def test_quality_pages_only_while_working_where_one_is_in_the_quality_group(
    client, db_session, login_as, other, quality_here_contributor_there
):
    login_as(quality_here_contributor_there)
    assert working_in(client) == "Partnership: Test Partnership Switch partnership"
    assert client.get("/quality").status_code == 200
    assert client.get("/learning-log").status_code == 200
    assert client.get("/assessments").status_code == 404

    assert choose(client, other.id).headers["Location"] == "/"
    assert working_in(client) == "Partnership: Neighbouring Partnership Switch partnership"
    for quality_page in ("/quality/", "/learning-log", "/board", "/reports/"):
        assert client.get(quality_page).status_code == 404, quality_page
    assessments = client.get("/assessments")
    assert assessments.status_code == 200 and "Shared Constabulary" in assessments.text
    home = client.get("/").text
    assert "Organisation contributor, Neighbouring Partnership" in home
    assert "Neighbouring Partnership" in home[home.index("<header") : home.index("</header>")]

    choose(client, tenancy.partnership_of(db_session))
    assert client.get("/quality").status_code == 200


def test_the_choice_page_lists_each_partnership_with_the_role_in_it(
    client, db_session, login_as, other, quality_here_contributor_there
):
    login_as(quality_here_contributor_there)
    page = lxml.html.fromstring(client.get("/choose-partnership").text)
    items = page.xpath("//div[contains(@class, 'govuk-radios__item')]")
    options = [" ".join(item.text_content().split()) for item in items]
    assert options == [
        "Test Partnership Quality group member",
        "Neighbouring Partnership Organisation contributor, Shared Constabulary",
    ]
    assert page.xpath("//input[@name='partnership'][@checked]")[0].get("value") == str(
        tenancy.partnership_of(db_session)
    )


def test_one_partnership_is_shown_without_a_switch(client, db_session, login_as, admin):
    login_as(admin)
    assert working_in(client) == "Partnership: Test Partnership"


def test_a_partnership_one_is_not_in_cannot_be_chosen(client, db_session, login_as, admin, other):
    login_as(admin)
    refused = choose(client, other.id)
    assert refused.status_code == 400
    assert "Select a partnership you work in" in refused.text
    assert "<title>Error: Choose a partnership" in refused.text
    for nonsense in ("", "abc", "99999999999999"):
        page = client.get("/choose-partnership")
        answer = client.post(
            "/choose-partnership",
            data={"partnership": nonsense, "csrf_token": csrf_from(page.text)},
        )
        assert answer.status_code == 400
    no_csrf = client.post("/choose-partnership", data={"partnership": str(other.id)})
    assert no_csrf.status_code == 400
    assert working_in(client) == "Partnership: Test Partnership"


def test_each_sign_in_remembers_its_choice_and_the_next_starts_in_the_last_chosen(
    client, app, db_session, other, quality_here_contributor_there
):
    person = quality_here_contributor_there
    sign_in(client, person.email)
    assert working_in(client).startswith("Partnership: Test Partnership")  # the first
    elsewhere = app.test_client()  # the same person in another browser
    sign_in(elsewhere, person.email)
    choose(client, other.id)
    assert working_in(client).startswith("Partnership: Neighbouring Partnership")
    assert working_in(elsewhere).startswith("Partnership: Test Partnership")  # its own choice
    stored = db_session.scalars(
        select(UserSession.working_partnership_id).where(UserSession.user_id == person.id)
    ).all()
    assert set(stored) == {other.id, None}  # kept with each sign-in, on the server

    page = client.get("/sign-out")
    client.post("/sign-out", data={"csrf_token": csrf_from(page.text)})
    sign_in(client, person.email)
    assert working_in(client).startswith("Partnership: Neighbouring Partnership")


def test_a_removed_membership_falls_back_to_another_then_to_none(
    client, db_session, login_as, other, quality_here_contributor_there
):
    person = quality_here_contributor_there
    login_as(person)
    choose(client, other.id)
    there = db_session.scalar(
        select(Membership).where(
            Membership.user_id == person.id, Membership.partnership_id == other.id
        )
    )
    there.is_active = False
    db_session.commit()
    assert working_in(client) == "Partnership: Test Partnership"  # no Switch: one left
    assert client.get("/assessments").status_code == 404

    db_session.delete(there)
    here = db_session.scalar(select(Membership).where(Membership.user_id == person.id))
    here.is_active = False
    db_session.commit()
    assert working_in(client) == "Partnership: none"
    assert "You do not work in any partnership" in client.get("/").text
    assert client.get("/quality").status_code == 404
    assert "You do not work in any partnership" in client.get("/choose-partnership").text
