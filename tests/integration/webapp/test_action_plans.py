"""Action plans on returns through the pages: every standard rated below met needs an action
the organisation proposes and a reviewer agrees; a return is not assured without them; the
actions are tracked with the quality group's in one list per organisation, each saying where
it came from, overdue by due date; an organisation sees and proposes only its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from learning import actions
from learning.models import Action, ActionSource, ActionStatus
from surveys import memberships
from surveys.models import AuditEvent, Challenge, ChallengeKind, Role, utcnow
from tests import factories
from tests.conftest import date_fields, post_with_csrf
from tests.integration.webapp.test_assessments import as_user
from tests.integration.webapp.test_scrutiny import (
    STANDARDS,
    World,
    accept,
    agree_an_action_on_each,
    make_world,
)

MET = {"value": "met", "scale_version": 1}


@pytest.fixture
def world(db_session) -> World:
    return make_world(db_session)


DUE = date.today() + timedelta(days=120)


def _proposal(description: str = "Quarterly board report", owner: str = "Head of Safeguarding"):
    return {"description": description, "owner": owner, **date_fields("due_date", DUE)}


def _propose_url(response_id: int, ref: str, challenge: int | None = None) -> str:
    url = f"/scrutiny/your-returns/{response_id}/standards/{ref}/action"
    return url + (f"?challenge={challenge}" if challenge else "")


def _actions(db_session) -> list[Action]:
    db_session.expire_all()
    return list(db_session.scalars(select(Action).order_by(Action.id)))


def _mostly_met(db_session, world: World, below: tuple[str, ...]):
    """A second return of the trust: every standard met except `below` (partially met)."""
    answers = {
        f"s{n}_rating": MET for n in range(1, 15) if f"S11-{n}" not in below
    } | {
        "s14_actions": [
            {"action": "Survey practitioners on training impact", "owner": "Training lead",
             "due_date": DUE.isoformat(), "status": "overdue", "progress_note": None}
        ]
    }  # fmt: skip
    return factories.submitted_return(
        db_session, world.health, title="Section 11 2027", answers=answers
    )


def test_the_organisation_proposes_from_its_return_and_the_reviewer_agrees(app, db_session, world):
    response = _mostly_met(db_session, world, below=("S11-14",))
    lead = as_user(app, db_session, world.lead)
    own = lead.get(f"/scrutiny/your-returns/{response.id}").text
    assert "1 standard rated below met has no agreed action: S11-14" in own
    assert "Action needed" in own
    listed = lead.get("/scrutiny/your-returns").text  # the 2026 return: all partially met
    assert "1 to agree" in listed and "14 to agree" in listed
    form = lead.get(_propose_url(response.id, "S11-14")).text  # filled from the return's row
    assert "Survey practitioners on training impact" in form and "Training lead" in form
    sent = post_with_csrf(lead, _propose_url(response.id, "S11-14"), _proposal())
    assert sent.status_code == 302
    post_with_csrf(lead, _propose_url(response.id, "S11-14"), _proposal())  # a double click
    (proposed,) = _actions(db_session)
    assert (proposed.response_id, proposed.standard_ref) == (response.id, "S11-14")
    assert proposed.owner_organisation_id == world.health.id and proposed.agreed_at is None
    assert proposed.source is ActionSource.RETURN and proposed.owner == "Head of Safeguarding"
    assert "Action proposed" in lead.get(f"/scrutiny/your-returns/{response.id}").text

    reviewer = as_user(app, db_session, world.reviewer)
    page = f"/scrutiny/returns/{response.id}/standards/S11-14"
    seen = reviewer.get(page).text
    assert "Quarterly board report" in seen and "Agree action" in seen
    agreed = post_with_csrf(
        reviewer, page, {}, action=f"/scrutiny/returns/{response.id}/actions/{proposed.id}/agree"
    )
    assert agreed.status_code == 302
    (proposed,) = _actions(db_session)
    assert proposed.agreed_by_id == world.reviewer.id
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "action.agreed"))
    assert "Action agreed" in lead.get(f"/scrutiny/your-returns/{response.id}").text
    listed = lead.get("/scrutiny/your-returns").text
    assert "1 to agree" not in listed and "Agreed for every standard below met" in listed


def test_a_return_is_not_assured_while_a_below_met_standard_has_no_agreed_action(
    app, db_session, world, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    response = _mostly_met(db_session, world, below=("S11-14",))
    world.response = response
    reviewer = as_user(app, db_session, world.reviewer)
    for ref in STANDARDS:
        accept(reviewer, world, ref)
    moderated = post_with_csrf(
        reviewer,
        f"/scrutiny/returns/{response.id}/standards/S11-13",
        {"moderation-rating": "partially_met", "moderation-reason": "No audit seen"},
        action=f"/scrutiny/returns/{response.id}/standards/S11-13/moderation",
        follow_redirects=True,
    )
    assert "1 of the organisation’s leads were asked for an action" in moderated.text
    (asked,) = smtp_server.wait_for(1)
    assert asked["To"] == world.lead.email and "Action needed" in asked["Subject"]
    assert "No audit seen" not in asked.get_content()  # the reason is read in the product
    review, assure = f"/scrutiny/returns/{response.id}", f"/scrutiny/returns/{response.id}/assure"
    refused = post_with_csrf(reviewer, review, {}, action=assure, follow_redirects=True)
    assert "No agreed action: S11-13, S11-14" in refused.text
    agree_an_action_on_each(db_session, world, ["S11-14"])
    proposed_only = post_with_csrf(
        as_user(app, db_session, world.lead),
        _propose_url(response.id, "S11-13"),
        _proposal("Audit the allegations log"),
    )
    assert proposed_only.status_code == 302
    still = post_with_csrf(reviewer, review, {}, action=assure, follow_redirects=True)
    assert "No agreed action: S11-13" in still.text  # proposed is not agreed
    agree_an_action_on_each(db_session, world, ["S11-13"])
    done = post_with_csrf(reviewer, review, {}, action=assure, follow_redirects=True)
    assert "The return has been marked as assured" in done.text


def test_overdue_comes_from_the_due_date_not_from_a_status(app, db_session, world):
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    today = utcnow().date()
    late = actions.create_action(
        db_session,
        description="Late action",
        owner_organisation_id=world.health.id,
        due_date=today - timedelta(days=1),
        created_by=quality,
    )
    for due, text in ((today, "Due today"), (today + timedelta(days=5), "Due later")):
        actions.create_action(
            db_session,
            description=text,
            owner_organisation_id=world.health.id,
            due_date=due,
            created_by=quality,
        )
    member = memberships.membership_here(db_session, world.lead.id)
    actions.set_action_status(db_session, late.id, ActionStatus.IN_PROGRESS, member=member)
    overdue = [a.description for a in actions.overdue_actions(db_session, today)]
    assert overdue == ["Late action"]  # in progress, but its date has passed
    listed = as_user(app, db_session, world.lead).get("/actions").text
    assert listed.count(">Overdue<") == 1
    actions.set_action_status(db_session, late.id, ActionStatus.DONE, member=member)
    assert actions.overdue_actions(db_session, today) == []
    assert ">Overdue<" not in as_user(app, db_session, world.lead).get("/actions").text


def test_one_list_of_the_organisations_actions_says_where_each_came_from(app, db_session, world):
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    actions.create_action(
        db_session,
        description="Refresh neglect training",
        owner_organisation_id=world.health.id,
        due_date=DUE,
        created_by=quality,
    )
    raised = Challenge(
        response_id=world.response.id,
        organisation_id=world.health.id,
        standard_ref="S11-5",
        kind=ChallengeKind.EVIDENCE,
        question="Send the whistleblowing policy",
    )
    db_session.add(raised)
    db_session.commit()
    lead = as_user(app, db_session, world.lead)
    own = f"/scrutiny/your-returns/{world.response.id}"
    assert _propose_url(world.response.id, "S11-5", raised.id) in lead.get(own).text
    post_with_csrf(lead, _propose_url(world.response.id, "S11-2"), _proposal("Map contracts"))
    post_with_csrf(
        lead,
        _propose_url(world.response.id, "S11-5", raised.id),
        {**_proposal("Publish the whistleblowing policy"), "challenge": str(raised.id)},
    )
    sources = {a.description: a.source for a in _actions(db_session)}
    assert sources == {
        "Refresh neglect training": ActionSource.QUALITY_GROUP,
        "Map contracts": ActionSource.RETURN,
        "Publish the whistleblowing policy": ActionSource.CHALLENGE,
    }
    listed = lead.get("/actions").text
    for text in (
        "Quality group",
        "Return: Section 11 2026, standard S11-2",
        f"Challenge: Section 11 2026, standard S11-5 (challenge {raised.id})",
        "waiting for the partnership to agree",
    ):
        assert text in listed
    quality_list = as_user(app, db_session, quality).get("/actions").text
    assert "Map contracts" in quality_list and "Refresh neglect training" in quality_list


def test_progress_and_evidence_of_impact_on_an_action_from_a_return(app, db_session, world):
    agree_an_action_on_each(db_session, world, ["S11-4"])
    (action,) = _actions(db_session)
    lead = as_user(app, db_session, world.lead)
    saved = post_with_csrf(
        lead,
        f"/actions/{action.id}",
        {"text": "Children's panel set up", "status": "done", "impact": "Two services changed"},
    )
    assert saved.status_code == 302
    (action,) = _actions(db_session)
    assert (
        action.status is ActionStatus.DONE and action.evidence_of_impact == "Two services changed"
    )
    page = lead.get(f"/actions/{action.id}").text
    assert "Children&#39;s panel set up" in page and "Who leads it" in page


def test_bad_proposals_are_refused_with_their_errors_and_nothing_saved(app, db_session, world):
    lead = as_user(app, db_session, world.lead)
    url = _propose_url(world.response.id, "S11-1")
    empty = post_with_csrf(lead, url, {"description": " ", "owner": ""})
    assert empty.status_code == 400 and "govuk-error-summary" in empty.text
    for message in ("Describe the action", "Enter who will lead the action", "Enter the date"):
        assert message in empty.text
    past = post_with_csrf(
        lead, url, {**_proposal(), **date_fields("due_date", date.today() - timedelta(days=1))}
    )
    assert past.status_code == 400 and "The due date must be today or in the future" in past.text
    assert "Quarterly board report" in past.text  # what was typed is kept
    other = factories.submitted_return(db_session, world.police, title="Police S11")
    wrong = post_with_csrf(
        lead,
        url,
        {**_proposal(), "challenge": "999"},
        action=_propose_url(world.response.id, "S11-1", 999),
    )
    assert wrong.status_code == 404
    assert lead.get(_propose_url(world.response.id, "S11-99")).status_code == 404
    assert lead.get(_propose_url(other.id, "S11-1")).status_code == 404
    assert _actions(db_session) == []


def test_an_organisation_sees_and_proposes_only_its_own(app, db_session, world):
    agree_an_action_on_each(db_session, world, ["S11-1"])
    (theirs,) = _actions(db_session)
    police_lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=world.police)
    police = as_user(app, db_session, police_lead)
    assert "Improve S11-1" not in police.get("/actions").text
    assert police.get(f"/actions/{theirs.id}").status_code == 404
    refused = post_with_csrf(
        police, "/actions", _proposal(), action=_propose_url(world.response.id, "S11-2")
    )
    assert refused.status_code == 404
    assert police.get(_propose_url(world.response.id, "S11-2")).status_code == 404
    reviewer = as_user(app, db_session, world.reviewer)  # reviews the trust, not itself
    own_return = factories.submitted_return(db_session, world.police, title="Police S11")
    assert reviewer.get(f"/scrutiny/returns/{own_return.id}/standards/S11-1").status_code == 404
    assert len(_actions(db_session)) == 1
