"""A person holds several roles in a partnership: at most one organisation role (for the
membership's own organisation) and any partnership roles; everything reads `member.roles`."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest
from sqlalchemy import select

from learning import actions
from surveys import accounts, memberships, tenancy
from surveys.models import Membership, MembershipRole, Role, User
from surveys.users import NewUser, create_user
from tests import factories


def _roles_of(db_session, user: User) -> frozenset[Role]:
    db_session.expire_all()
    membership = memberships.membership_here(db_session, user.id, include_inactive=True)
    assert membership is not None
    return membership.roles


def test_an_admin_gives_and_removes_roles_with_checkboxes(client, db_session, admin, login_as):
    from tests.conftest import post_with_csrf

    police = factories.OrganisationFactory(name="Riverside Police")
    person = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=police)
    login_as(admin)
    url = f"/admin/users/{person.id}"
    given = post_with_csrf(
        client,
        url,
        {
            "name": person.name,
            "roles": ["organisation_lead", "quality_group", "reviewer"],
            "organisation_id": str(police.id),
            "is_active": "y",
        },
    )
    assert given.status_code == 302
    assert _roles_of(db_session, person) == {
        Role.ORGANISATION_LEAD,
        Role.QUALITY_GROUP,
        Role.REVIEWER,
    }
    page = client.get(url).text
    checked = lxml.html.fromstring(page).xpath("//input[@name='roles'][@checked]/@value")
    assert checked == ["quality_group", "organisation_lead", "reviewer"]  # the form's order
    listed = client.get("/admin/users").text
    assert "Quality group member, Organisation lead, Return reviewer" in listed
    removed = post_with_csrf(
        client,
        url,
        {"name": person.name, "roles": ["reviewer"], "organisation_id": str(police.id)},
    )
    assert removed.status_code == 302
    assert _roles_of(db_session, person) == {Role.REVIEWER}
    membership = memberships.membership_here(db_session, person.id, include_inactive=True)
    assert membership.organisation_id == police.id  # a reviewer works for it: never reviews it
    assert membership.organisation_role is None
    assert db_session.scalars(select(MembershipRole)).all() == []  # the main role is `role`


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (
            ["organisation_lead", "organisation_contributor"],
            "Select either organisation lead or organisation contributor, not both",
        ),
        ([], "Select at least one role"),
    ],
)
def test_roles_that_cannot_be_held_together_are_refused_with_a_message(
    client, db_session, admin, login_as, roles, message
):
    from tests.conftest import post_with_csrf

    police = factories.OrganisationFactory(name="Riverside Police")
    login_as(admin)
    response = post_with_csrf(
        client,
        "/admin/users/new",
        {
            "name": "Dana",
            "email": "dana@example.org",
            "roles": roles,
            "organisation_id": str(police.id),
        },
    )
    assert response.status_code == 400
    assert message in response.text and "govuk-error-summary" in response.text
    assert '<a href="#roles">' in response.text  # the summary links to the checkboxes
    assert db_session.scalar(select(User).where(User.email == "dana@example.org")) is None


def test_an_invitation_gives_several_roles(client, db_session, admin, login_as):
    from tests.conftest import post_with_csrf

    login_as(admin)
    post_with_csrf(
        client,
        "/admin/users/new",
        {
            "name": "Kim",
            "email": "kim@example.org",
            "roles": ["safeguarding_lead", "case_reviewer"],
            "organisation_id": "",
        },
    )
    kim = db_session.scalar(select(User).where(User.email == "kim@example.org"))
    assert _roles_of(db_session, kim) == {Role.SAFEGUARDING_LEAD, Role.CASE_REVIEWER}
    assert kim.role is Role.SAFEGUARDING_LEAD  # the mirror holds the main role


def test_the_command_line_creates_someone_with_several_roles(app, db_session):
    police = factories.OrganisationFactory(name="Riverside Police")
    with app.app_context():  # the commands run in the app, as `flask` runs them
        result, both = (
            app.test_cli_runner().invoke(
                args=[
                    "create-user",
                    "--email",
                    email,
                    "--name",
                    "Sam",
                    *roles,
                    "--organisation",
                    police.name,
                ],
                input="a long enough password\n",
            )
            for email, roles in (
                ("sam@example.org", ["--role", "organisation_lead", "--role", "reviewer"]),
                (
                    "x@example.org",
                    ["--role", "organisation_lead", "--role", "organisation_contributor"],
                ),
            )
        )
    assert result.exit_code == 0, result.output
    sam = db_session.scalar(select(User).where(User.email == "sam@example.org"))
    assert _roles_of(db_session, sam) == {Role.ORGANISATION_LEAD, Role.REVIEWER}
    assert both.exit_code != 0
    assert "not both" in both.output


def test_home_and_navigation_show_what_every_role_held_allows(client, db_session, login_as):
    police = factories.OrganisationFactory(name="Riverside Police")
    person = factories.person_holding(
        db_session, {Role.ORGANISATION_LEAD, Role.QUALITY_GROUP}, police
    )
    login_as(person)
    home = client.get("/").text
    assert "Quality group member, Organisation lead, Test Partnership" in home
    links = [a.text_content().strip() for a in lxml.html.fromstring(home).xpath("//nav//a")]
    for name in ("Themes", "Learning log", "Board", "Actions", "Assessments", "Your organisation"):
        assert name in links, name
    assert "Safeguarding queue" not in links and "Users" not in links
    assert "Fill in your organisation’s assessments" in home
    assert "Find the themes in what people said" in home


def test_a_reviewer_who_works_for_an_organisation_holds_no_organisation_role(
    client, db_session, login_as
):
    police = factories.OrganisationFactory(name="Riverside Police")
    reviewer = factories.person_holding(db_session, {Role.REVIEWER}, police)
    login_as(reviewer)
    assert client.get("/assessments").status_code == 404
    assert client.get(f"/organisations/{police.id}").status_code == 404
    home = client.get("/").text
    assert "You are signed in for" not in home and "Your organisation" not in home


def test_a_second_role_is_found_when_the_service_looks_for_who_holds_it(db_session):
    police = factories.OrganisationFactory(name="Riverside Police")
    person = factories.person_holding(
        db_session, {Role.ORGANISATION_LEAD, Role.SAFEGUARDING_LEAD}, police
    )
    partnership = tenancy.partnership_of(db_session)
    assert person.email in tenancy.member_emails(db_session, partnership, Role.SAFEGUARDING_LEAD)
    assert person.email in tenancy.member_emails(db_session, partnership, Role.ORGANISATION_LEAD)
    assert person.email not in tenancy.member_emails(db_session, partnership, Role.REVIEWER)


def test_the_quality_group_part_sees_every_action_and_the_lead_part_its_own(db_session):
    police, health = (factories.OrganisationFactory(name=n) for n in ("Police", "Health"))
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    for organisation in (police, health):
        actions.create_action(
            db_session,
            description="Refresh training",
            owner_organisation_id=organisation.id,
            due_date=date(2027, 1, 31),
            created_by=quality,
        )
    both = factories.person_holding(
        db_session, {Role.ORGANISATION_LEAD, Role.QUALITY_GROUP}, police
    )
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=police)

    def seen(user):
        member = memberships.membership_here(db_session, user.id)
        return {a.owner_organisation_id for a in actions.actions_visible_to(db_session, member)}

    assert seen(both) == {police.id, health.id}
    assert seen(lead) == {police.id}


def test_roles_are_checked_in_the_service_too(db_session):
    with pytest.raises(accounts.AccountError, match="not both"):
        create_user(
            db_session,
            NewUser(
                "x@example.org",
                "X",
                Role.ORGANISATION_LEAD,
                None,
                frozenset({Role.ORGANISATION_CONTRIBUTOR}),
            ),
        )
    assert db_session.scalar(select(Membership).where(Membership.role == Role.REVIEWER)) is None
