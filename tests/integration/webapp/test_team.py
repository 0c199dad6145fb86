"""An organisation lead invites and deactivates its own people: contributors and other leads
of their organisation, in the partnership they work in, and no one else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys import accounts, tenancy, users
from surveys.models import Membership, Partnership, Role, User
from tests import factories
from tests.conftest import post_with_csrf
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import as_user

team = test_assessments.team  # the fixture: an organisation's lead, contributor and a cycle


def membership_of(db_session, user: User) -> Membership:
    found = db_session.scalar(select(Membership).where(Membership.user_id == user.id))
    db_session.refresh(found)
    return found


def test_a_lead_invites_a_contributor_to_their_own_organisation(app, db_session, team, smtp_server):
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    page = lee.get(f"/organisations/{organisation.id}").text
    assert "Invite someone to your team" in page
    invited = post_with_csrf(
        lee,
        "/organisation/team/invite",
        {
            "name": "Nia New",
            "email": "nia@police.example.org",
            "role": "organisation_contributor",
            "organisation_id": "999",  # not a field of this form: never read
        },
    )
    assert invited.status_code == 302, invited.text
    nia = db_session.scalar(select(User).where(User.email == "nia@police.example.org"))
    membership = membership_of(db_session, nia)
    assert membership.role is Role.ORGANISATION_CONTRIBUTOR
    assert membership.organisation_id == organisation.id
    [email] = smtp_server.wait_for(1)
    assert email["To"] == "nia@police.example.org"
    body = email.get_content()
    assert "Lee Lead has invited you" in body
    assert f"as an organisation contributor at {organisation.name}" in body
    assert "Nia New" in lee.get(f"/organisations/{organisation.id}").text


def test_a_lead_invites_only_leads_and_contributors(app, db_session, team):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    refused = post_with_csrf(
        lee,
        "/organisation/team/invite",
        {"name": "Ann Admin", "email": "ann@example.org", "role": "partnership_admin"},
    )
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert db_session.scalar(select(User).where(User.email == "ann@example.org")) is None
    elsewhere = factories.OrganisationFactory(name="Elsewhere")
    with pytest.raises(accounts.AccountError, match="your own organisation"):
        users.invite_to_team(
            db_session,
            users.NewUser("x@example.org", "X", Role.ORGANISATION_LEAD, elsewhere.id),
            lead=membership_of(db_session, lead),
        )
    again = post_with_csrf(
        lee,
        "/organisation/team/invite",
        {"name": "Cass", "email": contributor.email, "role": "organisation_lead"},
    )
    assert again.status_code == 400 and "already works in this partnership" in again.text


def test_a_lead_deactivates_and_reactivates_a_colleague(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    assert cass.get("/assessments").status_code == 200
    lee = as_user(app, db_session, lead)
    assert (
        f"/organisation/team/{contributor.id}" in lee.get(f"/organisations/{organisation.id}").text
    )
    url = f"/organisation/team/{contributor.id}"
    assert post_with_csrf(lee, url, {}).status_code == 400  # nothing chosen: nothing changes
    assert post_with_csrf(lee, url, {"is_active": "no"}).status_code == 302
    assert not membership_of(db_session, contributor).is_active
    assert cass.get("/assessments").status_code == 302  # signed out: their sessions ended
    assert "Deactivated" in lee.get(f"/organisations/{organisation.id}").text
    assert post_with_csrf(lee, url, {"is_active": "yes"}).status_code == 302
    assert membership_of(db_session, contributor).is_active


def test_a_lead_changes_no_one_outside_their_team(app, db_session, team, admin):
    organisation, lead, contributor, cycle = team
    other = factories.UserFactory(organisation=factories.OrganisationFactory(name="Elsewhere"))
    lee = as_user(app, db_session, lead)
    for person in (other, admin, lead):  # another organisation's, an admin, themselves
        assert lee.get(f"/organisation/team/{person.id}").status_code == 404, person.name
        assert (
            post_with_csrf(lee, "/", {}, action=f"/organisation/team/{person.id}").status_code
            == 404
        )
    cass = as_user(app, db_session, contributor)
    assert cass.get("/organisation/team/invite").status_code == 404
    assert cass.get(f"/organisation/team/{lead.id}").status_code == 404


def test_a_colleague_of_another_partnership_is_not_in_this_team(app, db_session, team):
    organisation, lead, contributor, cycle = team
    first = tenancy.partnership_of(db_session)
    second = Partnership(name="Neighbouring Partnership")
    db_session.add(second)
    db_session.commit()
    db_session.add(
        Membership(
            user_id=contributor.id,
            partnership_id=second.id,
            role=Role.ORGANISATION_CONTRIBUTOR,
            organisation_id=organisation.id,
        )
    )
    db_session.commit()
    lee = as_user(app, db_session, lead)
    assert (
        post_with_csrf(lee, f"/organisation/team/{contributor.id}", {"is_active": "no"}).status_code
        == 302
    )
    both = db_session.scalars(select(Membership).where(Membership.user_id == contributor.id))
    active = {m.partnership_id: m.is_active for m in both}
    assert active == {first: False, second.id: True}  # only the partnership worked in
