"""A partnership admin manages only the organisations serving their partnership and the people
in it: changes there leave the person's and the organisation's other partnerships alone.
Each partnership's pages and forms carry its own name and front door."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from sqlalchemy import select

from surveys import accounts, cycles, tenancy
from surveys.loader import load_definitions
from surveys.models import (
    Membership,
    OrganisationPartnership,
    Partnership,
    Role,
    User,
    UserSession,
    utcnow,
)
from tests import factories
from tests.integration.webapp.test_switching_partnership import join


@pytest.fixture
def other(db_session) -> Partnership:
    partnership = Partnership(
        name="Neighbouring Partnership",
        front_door_name="Neighbour Front Door",
        front_door_phone="01632 960 999",
    )
    db_session.add(partnership)
    db_session.commit()
    return partnership


@pytest.fixture
def theirs(db_session, other):
    """An organisation and a person that only partnership B has."""
    with tenancy.working_in(db_session, other.id):
        police = factories.OrganisationFactory(name="Neighbour Constabulary")
        person = factories.UserFactory(
            name="Bo Neighbour", role=Role.ORGANISATION_LEAD, organisation=police
        )
    return police, person


def _membership(session, user, partnership_id) -> Membership:
    session.expire_all()
    return session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.partnership_id == partnership_id
        )
    )


def test_lists_hold_only_this_partnerships_organisations_and_people(
    client, db_session, admin, login_as, theirs
):
    mine = factories.OrganisationFactory(name="Home Agency")
    factories.UserFactory(name="Hana Home", organisation=mine)
    login_as(admin)
    people = client.get("/admin/users").text
    assert "Hana Home" in people and "Bo Neighbour" not in people
    organisations = client.get("/admin/organisations").text
    assert "Home Agency" in organisations and "Neighbour Constabulary" not in organisations
    choices = client.get("/admin/users/new").text
    assert "Home Agency" in choices and "Neighbour Constabulary" not in choices


def test_inviting_someone_with_an_account_adds_a_membership_here(
    client, db_session, admin, login_as, post_form, theirs, other
):
    police, person = theirs
    mine = factories.OrganisationFactory(name="Home Agency")
    login_as(admin)
    invited = post_form(
        "/admin/users/new",
        {
            "name": "Typed Name",
            "email": person.email.upper(),
            "roles": "organisation_contributor",
            "organisation_id": str(mine.id),
        },
    )
    assert invited.status_code == 302
    here = _membership(db_session, person, tenancy.partnership_of(db_session))
    assert (here.role, here.organisation_id) == (Role.ORGANISATION_CONTRIBUTOR, mine.id)
    there = _membership(db_session, person, other.id)
    assert (there.role, there.organisation_id) == (Role.ORGANISATION_LEAD, police.id)
    assert db_session.get(User, person.id).name == "Bo Neighbour"
    assert "Bo Neighbour" in client.get("/admin/users").text

    again = post_form(
        "/admin/users/new",
        {"name": "Bo", "email": person.email, "roles": "quality_group", "organisation_id": ""},
    )
    assert again.status_code == 400
    assert "This person already works in this partnership" in again.text


def test_changing_and_deactivating_a_person_changes_only_this_partnerships_membership(
    client, db_session, admin, login_as, post_form, theirs, other
):
    _, person = theirs
    join(
        db_session,
        person,
        db_session.get(Partnership, tenancy.partnership_of(db_session)),
        Role.SAFEGUARDING_LEAD,
    )
    accounts.start_session(db_session, person)
    login_as(admin)
    form = client.get(f"/admin/users/{person.id}").text
    checked = lxml.html.fromstring(form).xpath("//input[@checked]")
    assert [(box.get("name"), box.get("value")) for box in checked] == [
        ("roles", "safeguarding_lead"),  # their role here, not in B
        ("is_active", "y"),
    ]
    assert 'name="name"' not in form  # their name is theirs in both partnerships
    assert "also works in another partnership" in form
    changed = post_form(
        f"/admin/users/{person.id}",
        {"name": "Renamed", "roles": "quality_group", "organisation_id": ""},
    )  # is_active unticked: deactivated here
    assert changed.status_code == 302
    here = _membership(db_session, person, tenancy.partnership_of(db_session))
    assert (here.role, here.is_active) == (Role.QUALITY_GROUP, False)
    there = _membership(db_session, person, other.id)
    assert (there.role, there.is_active) == (Role.ORGANISATION_LEAD, True)
    account = db_session.get(User, person.id)
    assert account.is_active and account.name == "Bo Neighbour"
    assert db_session.scalars(select(UserSession).where(UserSession.user_id == person.id)).all()


def test_a_person_deactivated_in_their_only_partnership_cannot_sign_in(
    client, db_session, admin, login_as, post_form
):
    person = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    login_as(admin)
    post_form(
        f"/admin/users/{person.id}",
        {"name": person.name, "roles": "quality_group", "organisation_id": ""},
    )
    db_session.expire_all()
    assert db_session.get(User, person.id).is_active is False


def test_adding_an_organisation_already_on_the_service_makes_it_serve_here_too(
    client, db_session, admin, login_as, post_form, theirs, other
):
    police, _ = theirs
    login_as(admin)
    added = post_form(
        "/admin/organisations/new",
        {"name": "neighbour  constabulary", "kind": "school", "sector": "education"},
    )
    assert added.status_code == 302
    listed = client.get("/admin/organisations", follow_redirects=True).text
    assert "Neighbour Constabulary" in listed
    assert "already on Learning Loop: it now serves your partnership too" in listed
    db_session.expire_all()
    served = db_session.scalars(
        select(OrganisationPartnership.partnership_id).where(
            OrganisationPartnership.organisation_id == police.id
        )
    ).all()
    assert sorted(served) == sorted([other.id, tenancy.partnership_of(db_session)])
    assert police.sector.value == "health"  # a public body's details stay as they are


def test_deactivating_a_shared_organisation_here_leaves_the_other_partnership(
    client, db_session, admin, login_as, post_form, theirs, other
):
    police, person = theirs
    here = tenancy.partnership_of(db_session)
    db_session.add(OrganisationPartnership(organisation_id=police.id, partnership_id=here))
    db_session.commit()
    join(db_session, person, db_session.get(Partnership, here), Role.ORGANISATION_LEAD, police)
    login_as(admin)
    post_form(
        f"/admin/organisations/{police.id}",
        {"name": police.name, "kind": "agency", "sector": "police"},
    )  # is_active unticked
    db_session.expire_all()
    active = dict(
        db_session.execute(
            select(OrganisationPartnership.partnership_id, OrganisationPartnership.is_active).where(
                OrganisationPartnership.organisation_id == police.id
            )
        ).all()
    )
    assert active == {here: False, other.id: True}
    assert _membership(db_session, person, here).is_active is False
    assert _membership(db_session, person, other.id).is_active is True
    assert db_session.get(User, person.id).is_active is True


def _link_in(session, partnership_id: int):
    now = utcnow()
    with tenancy.working_in(session, partnership_id):
        cycle = cycles.publish_cycle(
            session,
            load_definitions().latest("child-voice-under-11"),
            cycles.NewCycle("Voice", now - timedelta(days=1), now + timedelta(days=7)),
            created_by=None,
        )
        return cycle.links[0].token


def test_each_links_pages_carry_its_own_partnerships_name_and_front_door(client, db_session, other):
    home = db_session.get(Partnership, tenancy.partnership_of(db_session))
    home.front_door_name, home.front_door_phone = "Home Front Door", "01632 960 111"
    db_session.commit()
    for partnership, door, phone in (
        (home, "Home Front Door", "01632 960 111"),
        (other, "Neighbour Front Door", "01632 960 999"),
    ):
        page = client.get(f"/f/{_link_in(db_session, partnership.id)}").text
        header = page[page.index("<header") : page.index("</header>")]
        assert partnership.name in header
        assert f"{door} helps keep children safe" in page and phone in page
        stranger = other if partnership is home else home
        assert stranger.front_door_phone not in page and stranger.name not in header


def test_the_persons_own_role_columns_mirror_their_first_membership(
    client, db_session, admin, login_as, post_form
):
    first, second = factories.OrganisationFactory(), factories.OrganisationFactory()
    person = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=first)
    login_as(admin)
    post_form(
        f"/admin/users/{person.id}",
        {
            "name": person.name,
            "roles": "organisation_contributor",
            "organisation_id": str(second.id),
            "is_active": "y",
        },
    )
    db_session.expire_all()
    mirrored = db_session.get(User, person.id)
    assert (mirrored.role, mirrored.organisation_id) == (Role.ORGANISATION_CONTRIBUTOR, second.id)
