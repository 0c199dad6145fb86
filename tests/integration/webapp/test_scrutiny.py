"""Scrutiny of a submitted Section 11 return through the pages: accept, challenge, answer,
moderate, assured, feedback; a reviewer never reviews their own organisation's return, nor
another partnership's; the returns table shows the returns still waiting for feedback."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from surveys import tenancy
from surveys.loader import load_definitions
from surveys.models import (
    AuditEvent,
    Challenge,
    ChallengeStatus,
    CycleReviewer,
    EvidenceFile,
    MeetingOutcome,
    Partnership,
    Response,
    ReturnReview,
    ReviewMeeting,
    Role,
    StandardReview,
    User,
)
from tests import factories
from tests.conftest import post_with_csrf
from tests.integration.webapp.test_assessments import as_user

STANDARDS = [f"S11-{n}" for n in range(1, 15)]


@dataclass
class World:
    police: object
    health: object
    response: Response
    reviewer: User  # works for the police
    lead: User  # the health trust's
    contributor: User
    admin: User


@pytest.fixture
def world(db_session) -> World:
    return make_world(db_session)


def make_world(db_session) -> World:
    """The trust's submitted return (every standard partially met) and the people around it."""
    police = factories.OrganisationFactory(name="Shire Police")
    health = factories.OrganisationFactory(name="Shire Health Trust")
    return World(
        police,
        health,
        factories.submitted_return(db_session, health, title="Section 11 2026"),
        factories.person_holding(db_session, {Role.REVIEWER}, police),
        factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=health),
        factories.UserFactory(role=Role.ORGANISATION_CONTRIBUTOR, organisation=health),
        factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None),
    )


def _standard_url(world: World, ref: str) -> str:
    return f"/scrutiny/returns/{world.response.id}/standards/{ref}"


def accept(client, world: World, ref: str):
    return post_with_csrf(
        client, _standard_url(world, ref), {}, action=_standard_url(world, ref) + "/accept"
    )


def challenge(client, world: World, ref: str, question: str, kind: str = "question"):
    return post_with_csrf(
        client,
        _standard_url(world, ref),
        {"challenge-kind": kind, "challenge-question": question},
        action=_standard_url(world, ref) + "/challenge",
    )


def agree_an_action_on_each(db_session, world: World, refs: list[str]) -> None:
    """The organisation proposes an action on each standard and the reviewer agrees it."""
    from datetime import date

    from learning import action_plans
    from surveys import memberships

    definition = load_definitions().get(world.response.definition_key, 1)
    lead = memberships.membership_here(db_session, world.lead.id)
    reviewer = memberships.membership_here(db_session, world.reviewer.id)
    for ref in refs:
        proposed = action_plans.propose_action(
            db_session,
            world.response,
            definition,
            ref,
            action_plans.Proposal(f"Improve {ref}", "Head of Safeguarding", date(2027, 3, 31)),
            member=lead,
            today=date(2026, 12, 1),
        )
        action_plans.agree_action(db_session, world.response, proposed.id, member=reviewer)


def _reviews(db_session, world: World) -> dict[str, StandardReview]:
    db_session.expire_all()
    rows = db_session.scalars(
        select(StandardReview).where(StandardReview.response_id == world.response.id)
    )
    return {row.standard_ref: row for row in rows}


def test_accepting_a_standard_settles_it_and_goes_on_to_the_next(app, db_session, world):
    reviewer = as_user(app, db_session, world.reviewer)
    page = reviewer.get(_standard_url(world, "S11-1")).text
    assert "Board minutes" in page and "Partially met" in page  # what the organisation said
    accepted = accept(reviewer, world, "S11-1")
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith(_standard_url(world, "S11-2"))
    assert _reviews(db_session, world)["S11-1"].accepted_by_id == world.reviewer.id
    listed = reviewer.get(f"/scrutiny/returns/{world.response.id}").text
    assert "1 of 14 standards settled" in listed and "Accepted" in listed


def test_a_challenge_is_answered_with_evidence_and_closed(app, db_session, world):
    reviewer = as_user(app, db_session, world.reviewer)
    accept(reviewer, world, "S11-3")
    sent = challenge(reviewer, world, "S11-3", "Send the training matrix", kind="evidence")
    assert sent.status_code == 302
    challenge(reviewer, world, "S11-3", "Send the training matrix", kind="evidence")  # twice
    (raised,) = db_session.scalars(select(Challenge)).all()  # a double click makes one
    assert raised.status is ChallengeStatus.OPEN and raised.organisation_id == world.health.id
    assert (
        "S11-3" not in _reviews(db_session, world)
        or not _reviews(db_session, world)["S11-3"].accepted_at
    )  # challenging it takes back the acceptance

    contributor = as_user(app, db_session, world.contributor)
    ours = contributor.get(f"/scrutiny/your-returns/{world.response.id}").text
    assert "Send the training matrix" in ours and "Answer challenge" in ours
    url = f"/scrutiny/challenges/{raised.id}/answer"
    empty = post_with_csrf(contributor, url, {"answer": ""})
    assert empty.status_code == 400 and "Enter your answer" in empty.text
    answered = post_with_csrf(
        contributor,
        url,
        {"answer": "Attached: the 2026 matrix", "evidence": (io.BytesIO(b"%PDF-1.4 x"), "m.pdf")},
    )
    assert answered.status_code == 302
    db_session.expire_all()
    assert (
        raised.status is ChallengeStatus.ANSWERED and raised.answered_by_id == world.contributor.id
    )
    (file,) = db_session.scalars(
        select(EvidenceFile).where(EvidenceFile.question_id == raised.evidence_question_id)
    ).all()
    again = post_with_csrf(contributor, url, {"answer": "A second answer"})
    assert again.status_code == 400 and "has been answered" in again.text  # nothing overwritten

    page = reviewer.get(_standard_url(world, "S11-3")).text
    assert "Attached: the 2026 matrix" in page and "m.pdf" in page
    opened = reviewer.get(f"/scrutiny/returns/{world.response.id}/evidence/{file.id}")
    assert opened.status_code == 200 and opened.data == b"%PDF-1.4 x"
    assert db_session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "evidence.opened", AuditEvent.object_id == str(file.id)
        )
    )
    close_url = f"/scrutiny/challenges/{raised.id}/close"
    no_outcome = post_with_csrf(reviewer, _standard_url(world, "S11-3"), {}, action=close_url)
    assert no_outcome.status_code == 400 and "Enter the outcome of the challenge" in no_outcome.text
    closed = post_with_csrf(
        reviewer,
        _standard_url(world, "S11-3"),
        {f"close-{raised.id}-outcome": "The matrix shows 92% trained"},
        action=close_url,
    )
    assert closed.status_code == 302
    db_session.expire_all()
    assert raised.status is ChallengeStatus.CLOSED
    assert "Settled after challenge" in reviewer.get(f"/scrutiny/returns/{world.response.id}").text


def test_a_moderated_rating_needs_a_reason_and_keeps_the_ratings_stored_shape(
    app, db_session, world
):
    reviewer = as_user(app, db_session, world.reviewer)
    url = _standard_url(world, "S11-5")
    missing = post_with_csrf(
        reviewer, url, {"moderation-rating": "not_met"}, action=url + "/moderation"
    )
    assert missing.status_code == 400
    assert "Enter why the rating is moderated" in missing.text
    assert 'href="#moderation-reason"' in missing.text  # the error summary links to the box
    off_scale = post_with_csrf(
        reviewer,
        url,
        {"moderation-rating": "brilliant", "moderation-reason": "x"},
        action=url + "/moderation",
    )
    assert off_scale.status_code == 400
    saved = post_with_csrf(
        reviewer,
        url,
        {"moderation-rating": "not_met", "moderation-reason": "No whistleblowing policy seen"},
        action=url + "/moderation",
    )
    assert saved.status_code == 302
    row = _reviews(db_session, world)["S11-5"]
    assert row.moderated_rating == {"value": "not_met", "scale_version": 1}
    assert row.moderation_reason == "No whistleblowing policy seen"
    page = reviewer.get(url).text
    assert "Not met (lower than the self-rating)" in page
    ours = as_user(app, db_session, world.lead).get(f"/scrutiny/your-returns/{world.response.id}")
    assert "No whistleblowing policy seen" in ours.text  # the organisation sees why


def test_a_return_is_assured_only_once_every_standard_is_settled(app, db_session, world):
    reviewer = as_user(app, db_session, world.reviewer)
    assure = f"/scrutiny/returns/{world.response.id}/assure"
    review = f"/scrutiny/returns/{world.response.id}"
    early = post_with_csrf(reviewer, review, {}, action=assure, follow_redirects=True)
    assert "Settle every standard before you mark the return assured" in early.text
    for ref in STANDARDS[:-1]:
        accept(reviewer, world, ref)
    challenge(reviewer, world, "S11-14", "How is impact measured?")
    raised = db_session.scalar(select(Challenge))
    still = post_with_csrf(reviewer, review, {}, action=assure, follow_redirects=True)
    assert "Not settled: S11-14" in still.text
    post_with_csrf(
        reviewer,
        _standard_url(world, "S11-14"),
        {f"close-{raised.id}-outcome": "Discussed at the challenge meeting"},
        action=f"/scrutiny/challenges/{raised.id}/close",
    )
    # every standard is rated partially met: each needs an action agreed with the organisation
    missing = post_with_csrf(reviewer, review, {}, action=assure, follow_redirects=True)
    assert "No agreed action: " + ", ".join(STANDARDS) in missing.text
    agree_an_action_on_each(db_session, world, STANDARDS)
    done = post_with_csrf(reviewer, review, {}, action=assure, follow_redirects=True)
    assert "The return has been marked as assured" in done.text
    db_session.expire_all()
    assert db_session.scalar(select(ReturnReview)).assured_by_id == world.reviewer.id
    late = challenge(reviewer, world, "S11-2", "One more question")
    assert late.status_code == 400 and "has been assured" in late.text


def test_a_reviewer_never_reviews_their_own_organisations_return(app, db_session, world):
    own = factories.person_holding(db_session, {Role.REVIEWER}, world.health)
    lead_reviewer = factories.person_holding(
        db_session, {Role.ORGANISATION_LEAD, Role.REVIEWER}, world.health
    )
    raised = Challenge(
        response_id=world.response.id,
        organisation_id=world.health.id,
        standard_ref="S11-1",
        kind="question",
        question="Why?",
    )
    db_session.add(raised)
    db_session.commit()
    file = EvidenceFile(
        response_id=world.response.id,
        question_id="s1_evidence_file",
        stored_name="f" * 32,
        filename="a.pdf",
        content_type="application/pdf",
        size=1,
    )
    db_session.add(file)
    db_session.commit()
    base = f"/scrutiny/returns/{world.response.id}"
    for person in (own, lead_reviewer):
        client = as_user(app, db_session, person)
        for url in (
            base,
            f"{base}/standards/S11-1",
            f"{base}/feedback",
            f"{base}/evidence/{file.id}",
        ):
            assert client.get(url).status_code == 404, url
        listed = client.get(f"/scrutiny/cycles/{world.response.cycle_id}").text
        assert "Your organisation’s: reviewed by others" in listed
    app.config["WTF_CSRF_ENABLED"] = False  # the refusal comes before any form is read
    client = as_user(app, db_session, own)
    for url in (
        f"{base}/standards/S11-1/accept",
        f"{base}/standards/S11-1/challenge",
        f"{base}/assure",
        f"/scrutiny/challenges/{raised.id}/close",
    ):
        assert client.post(url, data={}).status_code == 404, url
    assert _reviews(db_session, world) == {}


def test_another_partnerships_reviewer_is_refused(app, db_session, world):
    first = tenancy.partnership_of(db_session)
    other = Partnership(name="Neighbouring Partnership")
    db_session.add(other)
    db_session.commit()
    tenancy.work_in(db_session, other.id)
    theirs = factories.person_holding(db_session, {Role.REVIEWER})
    tenancy.work_in(db_session, first)
    client = as_user(app, db_session, theirs)
    assert client.get(f"/scrutiny/returns/{world.response.id}").status_code == 404
    assert client.get(f"/scrutiny/cycles/{world.response.cycle_id}").status_code == 404
    assert "Section 11 2026" not in client.get("/scrutiny").text


def test_a_person_named_for_one_cycle_reviews_that_cycles_returns_only(app, db_session, world):
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None, name="Quinn")
    later = factories.submitted_return(db_session, world.health, title="Section 11 2027")
    client = as_user(app, db_session, quality)
    assert client.get("/scrutiny").status_code == 404  # not yet named
    admin = as_user(app, db_session, world.admin)
    url = f"/scrutiny/cycles/{world.response.cycle_id}/reviewers"
    assert "Quinn" in admin.get(url).text
    named = post_with_csrf(admin, url, {"people": str(quality.id)})
    assert named.status_code == 302
    assert db_session.scalar(select(CycleReviewer.user_id)) == quality.id
    assert "Scrutinise Section 11 and 175 returns" in client.get("/").text
    assert client.get(f"/scrutiny/returns/{world.response.id}").status_code == 200
    assert client.get(f"/scrutiny/returns/{later.id}").status_code == 404
    assert "Section 11 2027" not in client.get("/scrutiny").text


def test_feedback_is_recorded_once_and_the_leads_are_told_without_its_words(
    app, db_session, world, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    waiting = as_user(app, db_session, world.admin).get(f"/admin/cycles/{world.response.cycle_id}")
    assert "No feedback" in waiting.text and "waiting 10 days" in waiting.text
    reviewer = as_user(app, db_session, world.reviewer)
    url = f"/scrutiny/returns/{world.response.id}/feedback"
    empty = post_with_csrf(reviewer, url, {"feedback": " "})
    assert empty.status_code == 400 and "Enter your feedback to the organisation" in empty.text
    given = post_with_csrf(reviewer, url, {"feedback": "Strong board oversight; CONFIDENTIAL-9"})
    assert given.status_code == 302
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == world.lead.email and "Feedback given" in message["Subject"]
    assert "CONFIDENTIAL-9" not in message.get_content()
    assert f"/scrutiny/your-returns/{world.response.id}" in message.get_content()
    post_with_csrf(reviewer, url, {"feedback": "Again"})
    db_session.expire_all()
    assert (
        db_session.scalar(select(ReturnReview)).feedback == "Strong board oversight; CONFIDENTIAL-9"
    )
    table = as_user(app, db_session, world.admin).get(f"/admin/cycles/{world.response.cycle_id}")
    assert "No feedback" not in table.text and "Given" in table.text
    ours = as_user(app, db_session, world.lead).get(f"/scrutiny/your-returns/{world.response.id}")
    assert "Strong board oversight" in ours.text


def test_the_cycle_page_shows_returns_without_feedback_and_how_long_they_have_waited(
    app, db_session, world
):
    reviewer = as_user(app, db_session, world.reviewer)
    page = reviewer.get(f"/scrutiny/cycles/{world.response.cycle_id}").text
    assert "1 submitted return has no feedback yet" in page
    assert "None yet: waiting 10 days" in page
    assert "0 of 14 standards settled" in page


def test_an_organisation_sees_only_its_own_challenges(app, db_session, world):
    raised = Challenge(
        response_id=world.response.id,
        organisation_id=world.health.id,
        standard_ref="S11-1",
        kind="question",
        question="Which board?",
    )
    db_session.add(raised)
    db_session.commit()
    police_lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=world.police)
    client = as_user(app, db_session, police_lead)
    assert client.get(f"/scrutiny/challenges/{raised.id}/answer").status_code == 404
    assert client.get(f"/scrutiny/your-returns/{world.response.id}").status_code == 404
    assert "Which board?" not in client.get("/scrutiny/your-returns").text


def test_meetings_record_who_attended_and_an_outcome_per_organisation(app, db_session, world):
    reviewer = as_user(app, db_session, world.reviewer)
    form = {
        "kind": "peer_challenge",
        "held_on-day": "14",
        "held_on-month": "3",
        "held_on-year": "2027",
        "attendees": "Chair of the panel\nHealth safeguarding lead",
        "cycle": str(world.response.cycle_id),
    }
    none_covered = post_with_csrf(reviewer, "/scrutiny/meetings/new", form)
    assert none_covered.status_code == 400
    assert "Select the organisations the meeting covered" in none_covered.text
    assert "Health safeguarding lead" in none_covered.text  # nothing typed is lost
    made = post_with_csrf(
        reviewer,
        "/scrutiny/meetings/new",
        {**form, "organisations": [str(world.health.id), str(world.police.id)]},
    )
    assert made.status_code == 302
    meeting = db_session.scalar(select(ReviewMeeting))
    url = f"/scrutiny/meetings/{meeting.id}"
    saved = post_with_csrf(
        reviewer,
        url,
        {f"outcome-{world.health.id}-outcome": "Agreed to evidence supervision audits"},
        action=f"{url}/outcomes/{world.health.id}",
    )
    assert saved.status_code == 302
    db_session.expire_all()
    outcomes = {o.organisation_id: o.outcome for o in db_session.scalars(select(MeetingOutcome))}
    assert outcomes == {
        world.health.id: "Agreed to evidence supervision audits",
        world.police.id: "",
    }
    stranger = factories.OrganisationFactory(name="Not Covered")
    refused = post_with_csrf(
        reviewer,
        url,
        {f"outcome-{stranger.id}-outcome": "x"},
        action=f"{url}/outcomes/{stranger.id}",
    )
    assert refused.status_code == 404
    listed = reviewer.get("/scrutiny/meetings").text
    assert "Peer challenge event" in listed and "1 of 2" in listed


def test_each_partnership_reviews_its_own_copy_of_a_shared_return(app, db_session):
    from tests.integration.webapp.test_assessments import sign_off_form
    from tests.integration.webapp.test_shared_returns import (
        answer_everything,
        copies,
        local_ids,
        make_region,
        publish_shared,
    )

    region = make_region(db_session)
    cycle_a, cycle_b = publish_shared(app, db_session, region)
    (a_question,), (b_question,) = local_ids(db_session, cycle_a), local_ids(db_session, cycle_b)
    lee = as_user(app, db_session, region.lead)
    answer_everything(lee, cycle_a, {a_question: "Daily", b_question: "Weekly"})
    check = lee.get(f"/assessments/{cycle_a.id}/check").text
    assert (
        lee.post(f"/assessments/{cycle_a.id}/submit", data=sign_off_form(check)).status_code == 302
    )
    a_copy, b_copy = sorted(copies(db_session), key=lambda c: c.partnership_id != region.a.id)
    reviewer_a = factories.person_holding(db_session, {Role.REVIEWER})
    tenancy.work_in(db_session, region.b.id)
    reviewer_b = factories.person_holding(db_session, {Role.REVIEWER})
    tenancy.work_in(db_session, region.a.id)

    a_client, b_client = as_user(app, db_session, reviewer_a), as_user(app, db_session, reviewer_b)
    a_url = f"/scrutiny/returns/{a_copy.id}/standards/S11-2"
    post_with_csrf(
        a_client,
        a_url,
        {"challenge-kind": "question", "challenge-question": "Which contracts?"},
        action=a_url + "/challenge",
    )
    b_url = f"/scrutiny/returns/{b_copy.id}/standards/S11-2"
    assert post_with_csrf(b_client, b_url, {}, action=b_url + "/accept").status_code == 302
    with tenancy.every_partnership(db_session):
        challenges = db_session.scalars(select(Challenge)).all()
        reviews = db_session.scalars(select(StandardReview)).all()
    assert [(c.response_id, c.partnership_id) for c in challenges] == [(a_copy.id, region.a.id)]
    assert [(r.response_id, r.partnership_id) for r in reviews] == [(b_copy.id, region.b.id)]
    assert "Which contracts?" not in b_client.get(b_url).text
    assert b_client.get(f"/scrutiny/returns/{a_copy.id}").status_code == 404
    assert a_client.get(f"/scrutiny/returns/{b_copy.id}").status_code == 404
    assert (
        "Each partnership reviews its own copy"
        in a_client.get(f"/scrutiny/returns/{a_copy.id}").text
    )


@pytest.mark.demo
def test_in_the_demo_the_police_lead_reviews_other_agencies_returns(app, db_session):
    sam = db_session.scalar(select(User).where(User.email == "lead@police.example.org"))
    nadia = db_session.scalar(select(User).where(User.email == "lead@health.example.org"))
    trusts = db_session.scalar(
        select(Response).where(
            Response.organisation_id == nadia.organisation_id,
            Response.definition_key == "section-11",
        )
    )
    police = db_session.scalar(
        select(Response.id).where(
            Response.organisation_id == sam.organisation_id,
            Response.cycle_id == trusts.cycle_id,
        )
    )
    client = as_user(app, db_session, sam)
    home = client.get("/").text
    assert "Organisation lead, Return reviewer" in home and "Scrutinise Section 11" in home
    assert f'href="/scrutiny/cycles/{trusts.cycle_id}"' in client.get("/scrutiny").text
    listed = client.get(f"/scrutiny/cycles/{trusts.cycle_id}").text
    assert f'href="/scrutiny/returns/{trusts.id}"' in listed
    assert client.get(f"/scrutiny/returns/{trusts.id}").status_code == 200
    assert client.get(f"/scrutiny/returns/{police}").status_code == 404  # his own: a draft
