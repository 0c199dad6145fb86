"""National reviews through the pages: the quality group records a review and its findings and
asks agencies; each agency answers every finding from its Assessments page and sees only its
own; the grid sets submitted answers side by side; a gap becomes that agency's action once;
bad input is refused with nothing saved; another partnership's reviews are never seen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from learning.models import Action, ActionSource, LearningEntry, SourceKind
from surveys import national_reviews
from surveys.loader import load_definitions
from surveys.models import NationalFinding, NationalReview, Role, utcnow
from tests import factories
from tests.conftest import csrf_from, date_fields, post_with_csrf

REGISTRY = load_definitions()
TODAY = utcnow().date()


@pytest.fixture
def quality(db_session):
    return factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)


@pytest.fixture
def agencies(db_session):
    found = []
    for name in ("Riverside Police", "Riverside Health", "Riverside School"):
        organisation = factories.OrganisationFactory(name=name)
        lead = factories.UserFactory(organisation=organisation, role=Role.ORGANISATION_LEAD)
        found.append((organisation, lead))
    return found


def _client_as(app, session, user):
    from surveys import accounts

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, user)
    return client


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _answer(client, cycle_id: int, answers: dict) -> None:
    """Answer and submit one finding's form as an organisation lead."""
    html = client.get(f"/assessments/{cycle_id}").text
    client.post(f"/assessments/{cycle_id}/start", data={"csrf_token": csrf_from(html)})
    html = client.get(f"/assessments/{cycle_id}/measure").text
    data = {**answers, **_hidden(html), "csrf_token": csrf_from(html)}
    assert client.post(f"/assessments/{cycle_id}/measure", data=data).status_code == 302
    check = client.get(f"/assessments/{cycle_id}/check").text
    data = {**_hidden(check), "csrf_token": csrf_from(check), "confirm": "yes"}
    assert client.post(f"/assessments/{cycle_id}/submit", data=data).status_code == 302


def _record(client) -> NationalReview:
    data = {
        "title": "Child Protection in England",
        "publisher": "The Child Safeguarding Practice Review Panel",
        "link": "https://www.gov.uk/government/publications/child-protection-in-england",
        **date_fields("published_on", TODAY - timedelta(days=200)),
    }
    assert post_with_csrf(client, "/national-reviews/new", data).status_code == 302


def test_agencies_answer_each_finding_the_grid_shows_them_and_a_gap_becomes_an_action(
    app, client, login_as, db_session, quality, agencies, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    (police, police_lead), (health, health_lead), (school, _) = agencies
    login_as(quality)
    _record(client)
    review = db_session.scalars(select(NationalReview)).one()
    for statement in ("Share information about risk at once", "Hear the child's voice"):
        url = f"/national-reviews/{review.id}/findings/new"
        assert post_with_csrf(client, url, {"statement": statement}).status_code == 302
    data = {
        "organisations": [str(police.id), str(health.id), str(school.id)],
        **date_fields("closes_on", TODAY + timedelta(days=28)),
    }
    assert (
        post_with_csrf(client, f"/national-reviews/{review.id}/agencies", data).status_code == 302
    )
    assert len(smtp_server.wait_for(6)) == 6  # each lead, once per finding
    first, second = db_session.scalars(
        select(NationalFinding).order_by(NationalFinding.number)
    ).all()

    police_client = _client_as(app, db_session, police_lead)
    health_client = _client_as(app, db_session, health_lead)
    assert first.statement in police_client.get("/assessments").text  # the finding is its title
    _answer(
        police_client,
        first.cycle_id,
        {"rating": "partly_in_place", "in_place": "Daily risk meeting", "gap": "No weekend cover"},
    )
    _answer(health_client, first.cycle_id, {"rating": "in_place", "in_place": "Named nurses"})
    # each agency reads only its own answer
    own = police_client.get(f"/assessments/{first.cycle_id}/return").text
    assert "Daily risk meeting" in own and "Named nurses" not in own

    grid = client.get(f"/national-reviews/{review.id}").text
    assert "Partly in place" in grid and "In place" in grid
    assert "No weekend cover" in grid
    assert "Not started" in grid  # the school, and both agencies on the second finding
    assert "Hear the child" in grid

    url = f"/national-reviews/{review.id}/findings/{first.id}/agencies/{police.id}/action"
    data = {"description": "Cover weekends", **date_fields("due_date", TODAY + timedelta(days=60))}
    assert post_with_csrf(client, url, data).status_code == 302
    assert post_with_csrf(client, url, data).status_code == 302  # again: still one action
    action = db_session.scalars(select(Action)).one()
    assert action.owner_organisation_id == police.id
    assert action.source is ActionSource.NATIONAL_REVIEW
    assert "Action due" in client.get(f"/national-reviews/{review.id}").text
    assert "Cover weekends" in police_client.get("/actions").text  # the agency's own list
    assert "Cover weekends" not in health_client.get("/actions").text

    # health named no gap: nothing to turn into an action
    url = f"/national-reviews/{review.id}/findings/{first.id}/agencies/{health.id}/action"
    assert post_with_csrf(client, url, data).status_code == 400
    # the school has not answered: there is no answer to act on
    url = f"/national-reviews/{review.id}/findings/{first.id}/agencies/{school.id}/action"
    assert client.get(url).status_code == 404
    assert db_session.scalar(select(func.count(Action.id))) == 1

    url = f"/national-reviews/{review.id}/learning/new"
    lesson = {"title": "Weekend cover", "lesson": "Risk does not stop at weekends"}
    assert post_with_csrf(client, url, lesson).status_code == 302
    entry = db_session.scalars(select(LearningEntry)).one()
    assert entry.source_kind is SourceKind.NATIONAL_REVIEW


def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, login_as, db_session, quality
):
    login_as(quality)
    future = {
        "title": "A review",
        "publisher": "The panel",
        "link": "not a link",
        **date_fields("published_on", TODAY + timedelta(days=3)),
    }
    page = post_with_csrf(client, "/national-reviews/new", future)
    assert page.status_code == 400 and "govuk-error-summary" in page.text
    assert db_session.scalar(select(func.count(NationalReview.id))) == 0
    _record(client)
    review = db_session.scalars(select(NationalReview)).one()
    url = f"/national-reviews/{review.id}/findings/new"
    assert post_with_csrf(client, url, {"statement": "x" * 181}).status_code == 400
    assert post_with_csrf(client, url, {"statement": "Share information"}).status_code == 302
    again = post_with_csrf(client, url, {"statement": "share  information"})
    assert again.status_code == 400 and "already has that finding" in again.text
    page = post_with_csrf(client, f"/national-reviews/{review.id}/agencies", {})
    assert page.status_code == 400 and "govuk-error-summary" in page.text
    assert db_session.scalar(select(func.count(NationalFinding.id))) == 1
    assert review.findings[0].cycle_id is None


def test_agencies_asked_later_are_asked_every_finding_and_new_findings_ask_everyone(
    db_session, quality, agencies
):
    (police, _), (health, _), _ = agencies
    form = REGISTRY.latest(national_reviews.FINDING_FORM)
    review = national_reviews.record_review(
        db_session,
        national_reviews.NewNationalReview("Review", "Panel", TODAY),
        today=TODAY,
        by=quality,
    )
    first = national_reviews.add_finding(db_session, review.id, "First", by=quality)
    ask = {"definition": form, "closes_on": TODAY + timedelta(days=7), "today": TODAY}
    national_reviews.ask_agencies(db_session, review.id, [police.id], by=quality, **ask)
    second = national_reviews.add_finding(db_session, review.id, "Second", by=quality)
    newly = national_reviews.ask_agencies(db_session, review.id, [health.id], by=quality, **ask)
    assert newly == {first.id: {health.id}, second.id: {police.id, health.id}}
    assert [o.name for o in national_reviews.asked_agencies(review)] == [
        "Riverside Health",
        "Riverside Police",
    ]
    rows = national_reviews.grid(db_session, review).rows
    assert [[c.status for c in r.cells] for r in rows] == [["Not started"] * 2] * 2


def test_another_partnerships_national_reviews_are_not_seen(client, login_as, db_session, quality):
    from surveys import tenancy
    from surveys.models import Partnership

    ours = tenancy.partnership_of(db_session)
    other = Partnership(name="Northvale")
    db_session.add(other)
    db_session.commit()
    tenancy.work_in(db_session, other.id)
    away = factories.OrganisationFactory(name="Away Agency")
    theirs = factories.national_world(
        db_session, away, factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    )
    tenancy.work_in(db_session, ours)
    login_as(quality)
    assert client.get(f"/national-reviews/{theirs['national_id']}").status_code == 404
    assert "Child protection in England" not in client.get("/national-reviews").text
    assert national_reviews.list_reviews(db_session) == []
