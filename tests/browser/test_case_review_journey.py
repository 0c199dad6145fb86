"""A case review officer records a serious incident, two agencies send information returns,
the rapid review decides on a local review, and its recommendations become actions and its
learning a learning log entry: every page checked with axe."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning.models import Action, LearningEntry, SourceKind
from surveys.models import CaseDetails, CaseReview, Response, ResponseStatus, Role, utcnow
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.browser.test_trainee_journey import watch
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

REFERENCE = "RR-2026-031"
RECOMMENDATIONS = (
    "Health visitors share concerns about a baby's safety with children's social care the same day",
    "The police check for previous call-outs to the family before closing a domestic incident",
)


@pytest.fixture
def people(live_server: Any) -> dict[str, str]:
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        police = factories.OrganisationFactory(name="Riverside Police")
        health = factories.OrganisationFactory(name="Riverside Health")
        found = {
            "officer": factories.UserFactory(
                role=Role.CASE_REVIEWER, organisation=None, name="Olu Officer"
            ),
            "police": factories.UserFactory(
                role=Role.ORGANISATION_LEAD, organisation=police, name="Pat Police"
            ),
            "health": factories.UserFactory(
                role=Role.ORGANISATION_LEAD, organisation=health, name="Hana Health"
            ),
        }
        return {name: person.email for name, person in found.items()}


def visit(page: Any) -> None:
    page.wait_for_load_state()
    check_accessibility(page)


def sign_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def sign_out(page: Any) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)


def fill_date(page: Any, legend: str, day: Any) -> None:
    group = page.get_by_role("group", name=re.compile(rf"^{re.escape(legend)}"))
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        group.get_by_label(part, exact=True).fill(str(value))


def submit(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def record_notification(page: Any, url: str) -> None:
    page.get_by_role("link", name="Case reviews").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case reviews")
    visit(page)
    page.get_by_role("link", name="Record a serious incident notification").click()
    visit(page)
    submit(page, "Record notification")  # nothing entered
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the review reference")
    visit(page)
    page.get_by_label("Review reference").fill(REFERENCE)
    fill_date(page, "Date the partnership became aware", utcnow().date() - timedelta(days=1))
    page.get_by_label("What happened").fill(
        "A baby was admitted to hospital with serious injuries."
    )
    submit(page, "Record notification")
    expect(page.get_by_role("heading", level=1)).to_have_text(REFERENCE)
    expect(page.locator("#due-next")).to_contain_text("Notify the national panel by")
    visit(page)
    page.get_by_role("link", name="Change the notification").click()
    visit(page)
    fill_date(page, "Date the national panel was notified", utcnow().date())
    submit(page, "Save notification")
    expect(page.locator("#due-next")).to_contain_text("Complete the rapid review by")


def record_case_details(page: Any) -> None:
    page.get_by_role("link", name=re.compile(r"^Case details \(restricted")).click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Restricted")
    visit(page)
    page.get_by_label("Child’s name").fill("Ada Example")
    fill_date(page, "Date of birth", utcnow().date() - timedelta(days=200))
    fill_date(page, "Remove these details on", utcnow().date() + timedelta(days=365 * 7))
    submit(page, "Save case details")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "case details have been saved"
    )
    expect(page.locator("main")).not_to_contain_text("Ada Example")
    page.get_by_role("link", name=re.compile(r"^Case details \(restricted")).click()
    expect(page.get_by_label("Child’s name")).to_have_value("Ada Example")
    visit(page)  # the details as a case review officer reads them again
    page.get_by_role("link", name=f"Back to case review {REFERENCE}").click()


def ask_agencies_and_meet(page: Any) -> None:
    page.get_by_role("link", name="Ask agencies for information").click()
    visit(page)
    page.get_by_label("Riverside Police").check()
    page.get_by_label("Riverside Health").check()
    submit(page, "Ask for information")
    expect(page.locator("main")).to_contain_text("Information returns, due by")
    page.get_by_role("link", name="Record a meeting").click()
    visit(page)
    fill_date(page, "Date of the meeting", utcnow().date())
    page.get_by_label("Who attended").fill("Police, health, children's social care, education")
    submit(page, "Record meeting")
    expect(page.locator("main")).to_contain_text("Police, health, children's social care")
    visit(page)


def answer_information_return(page: Any, url: str, email: str, organisation: str) -> None:
    sign_in(page, url, email)
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    page.get_by_role("link", name=f"Rapid review information: {REFERENCE}").click()
    visit(page)
    submit(page, "Start the assessment")
    page.get_by_role("link", name="Your agency's involvement").click()
    visit(page)
    page.get_by_role("group", name=re.compile("Was your agency involved")).get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label(re.compile("What was your agency's involvement")).fill(
        f"{organisation} saw the family twice in the last year."
    )
    page.get_by_label(re.compile("What went well")).fill("Concerns were shared late.")
    submit(page, "Save and continue")
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page)
    page.get_by_label(re.compile(rf"I am the senior lead for {organisation}")).check()
    submit(page, "Sign off and submit")
    expect(page.locator(".govuk-panel")).to_contain_text("Return submitted")
    visit(page)
    sign_out(page)


def decide_and_run_local_review(page: Any) -> None:
    page.get_by_role("link", name=re.compile(r"Read the return\s*from Riverside Health")).click()
    expect(page.locator("main")).to_contain_text("Riverside Health saw the family twice")
    visit(page)
    page.get_by_role("link", name=f"Back to case review {REFERENCE}").click()
    page.get_by_role("link", name="Record the decision").click()
    visit(page)
    page.get_by_label("Carry out a local child safeguarding practice review").check()
    submit(page, "Record decision")  # no reasons
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reasons")
    visit(page)
    page.get_by_label("Reasons for the decision").fill("Agencies did not share what they knew.")
    fill_date(page, "Date of the decision", utcnow().date())
    page.get_by_label("Peer challenge").fill("A neighbouring partnership agreed.")
    submit(page, "Record decision")
    expect(page.locator("#due-next")).to_contain_text("Publish the local review by")
    visit(page)
    page.get_by_role("link", name="Change the local review").click()
    visit(page)
    page.get_by_label("Terms of reference").fill("How agencies shared information about the baby.")
    page.get_by_label("Lead reviewer").fill("An independent reviewer")
    page.get_by_role("group", name=re.compile("Is the lead reviewer independent")).get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("How the family was involved").fill("The parents met the lead reviewer.")
    submit(page, "Save local review")
    expect(page.locator("main")).to_contain_text("An independent reviewer (independent)")


def recommendations_into_actions_and_learning(page: Any) -> None:
    for text in RECOMMENDATIONS:
        page.get_by_role("link", name="Add a recommendation").click()
        visit(page)
        page.get_by_label("Recommendation").fill(text)
        submit(page, "Add recommendation")
    for number, organisation in ((1, "Riverside Health"), (2, "Riverside Police")):
        page.get_by_role("link", name=f"Turn recommendation {number} into an action").click()
        visit(page)
        page.get_by_label("Organisation responsible").select_option(label=organisation)
        fill_date(page, "Due date", utcnow().date() + timedelta(days=90))
        submit(page, "Create action")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"Recommendation {number} is now an action"
        )
    visit(page)
    page.get_by_role("link", name="Add learning to the learning log").click()
    visit(page)
    page.get_by_label("Title").fill("Share concerns about babies the same day")
    page.get_by_label("What has been learnt").fill("Delays in sharing left the baby unseen.")
    submit(page, "Add to the learning log")
    expect(page.locator("main")).to_contain_text("Share concerns about babies the same day")
    visit(page)


def test_a_rapid_review_runs_from_notification_to_actions_and_learning(
    live_server, people, page
) -> None:
    problems = watch(page)
    url = live_server.url
    sign_in(page, url, people["officer"])
    record_notification(page, url)
    record_case_details(page)
    ask_agencies_and_meet(page)
    sign_out(page)
    answer_information_return(page, url, people["police"], "Riverside Police")
    answer_information_return(page, url, people["health"], "Riverside Health")
    sign_in(page, url, people["officer"])
    page.get_by_role("link", name="Case reviews").click()
    expect(page.locator("main")).to_contain_text("Complete the rapid review by")
    visit(page)  # the list with a review in it
    page.get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_role("link", name=re.compile("^Read the return"))).to_have_count(2)
    decide_and_run_local_review(page)
    recommendations_into_actions_and_learning(page)
    assert problems == []

    with inspect_session(live_server.app) as session:
        review = session.scalars(select(CaseReview)).one()
        assert review.decision.value == "local_review" and review.lead_reviewer_is_independent
        returns = session.scalars(
            select(Response).where(Response.cycle_id == review.information_cycle_id)
        ).all()
        assert sorted(r.status for r in returns) == [ResponseStatus.SUBMITTED] * 2
        actions = session.scalars(select(Action).order_by(Action.id)).all()
        assert [a.description for a in actions] == list(RECOMMENDATIONS)
        assert [a.recommendation_id for a in actions] == [r.id for r in review.recommendations]
        assert [a.owner_organisation.name for a in actions] == [
            "Riverside Health",
            "Riverside Police",
        ]
        entry = session.scalars(select(LearningEntry)).one()
        assert (entry.case_review_id, entry.source_kind) == (review.id, SourceKind.CASE_REVIEW)
        assert entry.source_detail == f"Case review {REFERENCE}"
        assert session.scalars(select(CaseDetails)).one().child_name == "Ada Example"
