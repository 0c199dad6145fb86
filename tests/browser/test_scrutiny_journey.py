"""A reviewer scrutinises a submitted Section 11 return: opens it, accepts most standards,
challenges two; the organisation answers one; the reviewer moderates a rating down to not met
with a reason, and the organisation proposes an action for it, which the reviewer agrees;
the reviewer closes both challenges and marks the return assured. axe runs on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from surveys.models import Role
from tests import factories
from tests.browser.conftest import check_accessibility
from tests.conftest import in_first_partnership
from webapp.database import session_factory

pytestmark = pytest.mark.browser
CHALLENGED = {"S11-4": "Send the escalation log for 2026", "S11-9": "How are DBS renewals tracked?"}


def sign_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main")).to_contain_text("Welcome")


def test_a_reviewer_challenges_moderates_and_assures_a_return(live_server, page):
    with in_first_partnership(session_factory(live_server.app)()) as session:
        factories.bind(session)
        police = factories.OrganisationFactory(name="Shire Police")
        health = factories.OrganisationFactory(name="Shire Health Trust")
        met = {f"s{n}_rating": {"value": "met", "scale_version": 1} for n in range(1, 15)}
        response = factories.submitted_return(session, health, title="Section 11 2026", answers=met)
        reviewer = factories.person_holding(session, {Role.REVIEWER}, police)
        reviewer_email, return_id = reviewer.email, response.id
        lead_email = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=health).email

    sign_in(page, live_server.url, reviewer_email)
    check_accessibility(page)
    page.get_by_role("link", name="Scrutiny", exact=True).click()
    expect(page.locator("h1")).to_have_text("Scrutiny of returns")
    check_accessibility(page)
    page.get_by_role("link", name="Section 11 2026").click()
    expect(page.locator("main")).to_contain_text("None yet: waiting 10 days")
    check_accessibility(page)
    page.get_by_role("link", name="Review the return of Shire Health Trust").click()
    expect(page.locator("main")).to_contain_text("0 of 14 standards settled")
    check_accessibility(page)

    page.get_by_role("link", name=re.compile(r"^S11-1\b")).click()
    for number in range(1, 15):
        ref = f"S11-{number}"
        expect(page.locator("h1")).to_contain_text(f"{ref}.")
        if number == 1:
            check_accessibility(page)
        if ref in CHALLENGED:
            kind = "A request for evidence" if ref == "S11-4" else "A question"
            page.get_by_label(kind).check()
            page.get_by_label("Your question or request").fill(CHALLENGED[ref])
            page.get_by_role("button", name="Send the challenge").click()
            expect(page.locator("main")).to_contain_text("has been sent to the organisation")
        else:
            page.get_by_role("button", name="Accept this standard").click()
            expect(page.locator("main")).to_contain_text(f"Standard {ref} accepted")
    expect(page.locator("main")).to_contain_text("12 of 14 standards settled")
    check_accessibility(page)

    page.get_by_role("link", name=re.compile(r"^S11-7\b")).click()
    page.get_by_label("Not met").check()
    page.get_by_role("button", name="Save the moderated rating").click()  # no reason
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the rating is moderated"
    )
    check_accessibility(page)
    page.get_by_label("Not met").check()
    page.get_by_label("Why is the rating moderated?").fill("No evidence of designated time")
    page.get_by_role("button", name="Save the moderated rating").click()
    expect(page.locator("main")).to_contain_text("Not met (lower than the self-rating)")
    check_accessibility(page)

    organisation = page.context.browser.new_context(bypass_csp=True).new_page()
    sign_in(organisation, live_server.url, lead_email)
    organisation.get_by_role("link", name="Challenge and feedback").click()
    check_accessibility(organisation)
    organisation.get_by_role("link", name="Section 11 2026").click()
    expect(organisation.locator("main")).to_contain_text("No evidence of designated time")
    check_accessibility(organisation)
    organisation.get_by_role(
        "link", name=re.compile(r"Answer challenge \d+ on standard S11-4")
    ).click()
    expect(organisation.locator("main")).to_contain_text(CHALLENGED["S11-4"])
    check_accessibility(organisation)
    organisation.get_by_role("button", name="Send your answer").click()  # nothing typed
    expect(organisation.locator(".govuk-error-summary")).to_contain_text("Enter your answer")
    check_accessibility(organisation)
    organisation.get_by_label("Your answer").fill("The log is attached: 14 escalations")
    organisation.get_by_label("Upload evidence (optional)").set_input_files(
        {"name": "escalations.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 log"}
    )
    organisation.get_by_role("button", name="Send your answer").click()
    expect(organisation.locator("main")).to_contain_text("has been sent to the reviewer")
    expect(organisation.locator("main")).to_contain_text("no agreed action: S11-7")
    organisation.get_by_role("link", name="Propose an action for standard S11-7").click()
    organisation.get_by_label("What will you do?").fill("Agree designated time in job plans")
    organisation.get_by_label("Who will lead it?").fill("Named nurse")
    organisation.get_by_label("Day").fill("30")
    organisation.get_by_label("Month").fill("6")
    organisation.get_by_label("Year").fill("2027")
    organisation.get_by_role("button", name="Propose the action").click()
    expect(organisation.locator("main")).to_contain_text("Action proposed")
    organisation.context.close()

    page.goto(f"{live_server.url}/scrutiny/returns/{return_id}/standards/S11-4")
    expect(page.locator("main")).to_contain_text("The log is attached: 14 escalations")
    expect(page.get_by_role("link", name="escalations.pdf")).to_be_visible()
    check_accessibility(page)
    for ref, outcome in (
        ("S11-4", "The log shows escalations resolved"),
        ("S11-9", "Discussed at the challenge meeting: tracked monthly"),
    ):
        page.goto(f"{live_server.url}/scrutiny/returns/{return_id}/standards/{ref}")
        page.get_by_label(re.compile(r"Outcome of challenge \d+")).fill(outcome)
        page.get_by_role("button", name="Close the challenge").click()
        expect(page.locator("main")).to_contain_text(
            f"The challenge on standard {ref} has been closed"
        )
    page.get_by_role("link", name="Back to the return").click()
    expect(page.locator("main")).to_contain_text("14 of 14 standards settled")
    expect(page.locator("main")).to_contain_text("No agreed action yet: S11-7")
    page.get_by_role("link", name=re.compile(r"^S11-7\b")).click()
    expect(page.locator("main")).to_contain_text("Agree designated time in job plans")
    page.get_by_role("button", name=re.compile(r"Agree action \d+")).click()
    expect(page.locator("main")).to_contain_text("The action on standard S11-7 has been agreed")
    page.get_by_role("link", name="Back to the return").click()
    page.get_by_role("button", name="Mark the return as assured").click()
    expect(page.locator("main")).to_contain_text("The return has been marked as assured")
    expect(page.locator("main")).to_contain_text("Assured on")
    check_accessibility(page)
