"""One Section 11 round end to end, as the partnership and an agency live it.

The admin publishes this year's cycle (the police's lead is emailed) → the contributor starts
from last year's return, changes two standards (a new rating; new evidence with two files) and
sends it for sign-off → the lead signs off and submits (emails) → a reviewer from another
agency opens the evidence, accepts twelve standards and challenges two → the police answer
one and agree an action on the other → the reviewer closes both, moderates a rating down and
marks the return assured → the organisations × standards page and the findings report (PDF
read back) show the self and moderated ratings and the change since last year. axe runs on
every page.
"""

from __future__ import annotations

import io
import random
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from demo.answers import generate_answers
from surveys import cycles, ratings
from surveys.models import Cycle, Response, ResponseStatus, Role, utcnow
from tests import factories
from tests.browser.test_assessment_journey import (
    SECTION_11,
    fill_question,
    save_and_continue,
    sign_in,
    sign_out,
    task,
    visit,
)
from tests.conftest import inspect_session
from tests.integration.webapp.test_your_returns import answer_and_submit

pytestmark = pytest.mark.browser

STANDARDS = [page for page in SECTION_11.pages if page.standard]
RATED = [(page, ratings.rating_question(page.questions)) for page in STANDARDS]
LAST_YEAR = {
    **generate_answers(SECTION_11, rng=random.Random(11)),
    **{q.id: ratings.rating_answer(q, "met") for _, q in RATED if q is not None},
}
SIGN_OFF = SECTION_11.page("sign_off")
NEW_EVIDENCE = "This year the board reviews a safeguarding report every quarter."
FILES = [
    {"name": "board-minutes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 minutes"},
    {"name": "training-plan.txt", "mimeType": "text/plain", "buffer": b"Induction for all"},
]
QUESTION = "How do staff know whom to escalate to out of hours?"
EVIDENCE_ASKED = "Send the 2026 safer recruitment audit"
ACTION = "Publish an out-of-hours escalation rota on the intranet"
MODERATION = "The rota is not yet in place, so staff cannot follow it"


@dataclass
class Round:
    url: str
    lead: str
    contributor: str
    admin: str
    reviewer: str
    quality: str


@pytest.fixture
def round_(live_server: Any) -> Round:
    """Shire Police answered last year's Section 11 (every standard met); nothing is
    published for this year yet. A reviewer works for another agency."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        police = factories.OrganisationFactory(name="Shire Police")
        health = factories.OrganisationFactory(name="Shire Health Trust")
        lead = factories.UserFactory(
            organisation=police, role=Role.ORGANISATION_LEAD, name="Lee Lead"
        )
        contributor = factories.UserFactory(
            organisation=police, role=Role.ORGANISATION_CONTRIBUTOR, name="Cass Contributor"
        )
        last = cycles.publish_cycle(
            session,
            SECTION_11,
            cycles.NewCycle(
                "Section 11 2025", now - timedelta(days=380), now + timedelta(days=1),
                (police.id, health.id),
            ),
            created_by=None,
        )  # fmt: skip
        answer_and_submit(session, last, police, lead, LAST_YEAR)
        last.closes_at = now - timedelta(days=300)  # answered then; closed since
        session.commit()
        return Round(
            live_server.url,
            lead.email,
            contributor.email,
            factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None).email,
            factories.person_holding(session, {Role.REVIEWER}, health).email,
            factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None).email,
        )


def test_a_section_11_round_from_publishing_to_assured_and_reported(
    live_server, round_, page, smtp_server
) -> None:
    today = date.today()
    sign_in(page, round_.url, round_.admin)
    page.goto(f"{round_.url}/admin/cycles/new")
    visit(page)
    page.get_by_label("Form", exact=True).select_option(value="section-11")
    page.get_by_label("Title", exact=True).fill("Section 11 2026")
    for legend, day in (("Opens on", today), ("Closes on", today + timedelta(days=30))):
        group = page.get_by_role("group", name=re.compile(legend))
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Shire Police").check()
    page.get_by_role("button", name="Publish cycle").click()
    expect(page.locator("main")).to_contain_text("Section 11 2026")
    visit(page)
    arrived(smtp_server, lambda m: m["To"] == round_.lead and "Section 11 2026" in m["Subject"])
    sign_out(page)

    this = this_year(live_server.app)
    send_for_sign_off(page, round_, smtp_server)
    before = len(smtp_server.messages)
    sign_off(page, round_, this)
    for person in (round_.lead, round_.contributor, round_.admin):  # receipts and the notice
        arrived(smtp_server, lambda m, to=person: m["To"] == to, after=before)
    submitted = stored(live_server.app, this)
    assert submitted.status is ResponseStatus.SUBMITTED
    assert [f["filename"] for f in submitted.answers["s1_evidence_file"]] == [
        "board-minutes.pdf",
        "training-plan.txt",
    ]
    return_id = submitted.id

    review(page, round_, return_id)
    answer_and_propose(page, round_, return_id)
    settle_and_assure(page, round_, return_id)
    read_the_findings(page, round_, this)


def arrived(smtp_server: Any, match: Any, *, after: int = 0, seconds: float = 15) -> None:
    """Wait until an email (after the first `after`) matches."""
    deadline = time.monotonic() + seconds
    while not any(match(m) for m in smtp_server.messages[after:]):
        assert time.monotonic() < deadline, "the email did not arrive"
        time.sleep(0.1)


def send_for_sign_off(page: Any, round_: Round, smtp_server: Any) -> None:
    first, second = STANDARDS[0], STANDARDS[1]
    sign_in(page, round_.url, round_.contributor)
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    page.get_by_role("link", name="Section 11 2026").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Section 11 2025")
    visit(page)
    page.get_by_role("button", name="Start the assessment").click()
    expect(task(page, first)).to_contain_text("Carried forward")
    visit(page)
    task(page, first).get_by_role("link").click()  # standard 1: new evidence, two files
    visit(page)
    page.get_by_label("What evidence shows how you meet this standard?").fill(NEW_EVIDENCE)
    page.get_by_label(re.compile(r"^\s*Upload evidence")).set_input_files(FILES)
    save_and_continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)  # a new rating
    page.get_by_role(
        "group", name=re.compile(r"How well does your organisation meet standard 2")
    ).get_by_role("radio", name="Partially met", exact=True).check()
    save_and_continue(page)
    for standard in STANDARDS[2:]:  # the rest confirmed as they were
        expect(page.get_by_role("heading", level=1)).to_have_text(standard.title)
        save_and_continue(page)
    for question in SIGN_OFF.questions:
        if not question.declaration:
            fill_question(page, question, LAST_YEAR.get(question.id))
    save_and_continue(page)
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    visit(page)
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("asked to sign this off")
    arrived(smtp_server, lambda m: m["To"] == round_.lead and "sign off" in m["Subject"])
    sign_out(page)


def sign_off(page: Any, round_: Round, this: int) -> None:
    sign_in(page, round_.url, round_.lead)
    page.goto(f"{round_.url}/assessments/{this}/sign_off")
    visit(page)
    for question in SIGN_OFF.questions:
        if question.declaration:
            fill_question(page, question, LAST_YEAR.get(question.id))
    save_and_continue(page)
    page.get_by_label(re.compile(r"I am the senior lead for Shire Police")).check()
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Return submitted")
    visit(page)
    sign_out(page)


def review(page: Any, round_: Round, return_id: int) -> None:
    sign_in(page, round_.url, round_.reviewer)
    page.get_by_role("link", name="Scrutiny", exact=True).click()
    visit(page)
    page.goto(f"{round_.url}/scrutiny/returns/{return_id}")
    expect(page.locator("main")).to_contain_text("0 of 14 standards settled")
    visit(page)
    page.get_by_role("link", name=re.compile(r"^S11-1\b")).click()
    for number in range(1, 15):
        ref = f"S11-{number}"
        expect(page.locator("h1")).to_contain_text(f"{ref}.")
        if number == 1:  # the evidence the police attached: the reviewer opens it
            link = page.get_by_role("link", name="board-minutes.pdf")
            opened = page.request.get(round_.url + str(link.get_attribute("href")))
            assert opened.status == 200 and opened.body().startswith(b"%PDF")
            visit(page)
        if number == 2:
            page.get_by_label("A question").check()
            page.get_by_label("Your question or request").fill(QUESTION)
            page.get_by_role("button", name="Send the challenge").click()
            expect(page.locator("main")).to_contain_text("has been sent to the organisation")
            visit(page)
        elif number == 6:
            page.get_by_label("A request for evidence").check()
            page.get_by_label("Your question or request").fill(EVIDENCE_ASKED)
            page.get_by_role("button", name="Send the challenge").click()
            expect(page.locator("main")).to_contain_text("has been sent to the organisation")
        else:
            page.get_by_role("button", name="Accept this standard").click()
            expect(page.locator("main")).to_contain_text(f"Standard {ref} accepted")
    expect(page.locator("main")).to_contain_text("12 of 14 standards settled")
    visit(page)
    sign_out(page)


def answer_and_propose(page: Any, round_: Round, return_id: int) -> None:
    sign_in(page, round_.url, round_.lead)
    page.get_by_role("link", name="Challenge and feedback").click()
    visit(page)
    page.goto(f"{round_.url}/scrutiny/your-returns/{return_id}")
    visit(page)
    page.get_by_role("link", name=re.compile(r"Answer challenge \d+ on standard S11-6")).click()
    expect(page.locator("main")).to_contain_text(EVIDENCE_ASKED)
    visit(page)
    page.get_by_label("Your answer").fill("The audit is attached: 40 files, all compliant")
    page.get_by_label("Upload evidence (optional)").set_input_files(
        {"name": "recruitment-audit.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}
    )
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator("main")).to_contain_text("has been sent to the reviewer")
    visit(page)
    page.get_by_role("link", name="Propose an action for standard S11-2").click()
    visit(page)
    page.get_by_label("What will you do?").fill(ACTION)
    page.get_by_label("Who will lead it?").fill("Head of public protection")
    due = date.today() + timedelta(days=90)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Propose the action").click()
    expect(page.locator("main")).to_contain_text("Action proposed")
    visit(page)
    sign_out(page)


def settle_and_assure(page: Any, round_: Round, return_id: int) -> None:
    sign_in(page, round_.url, round_.reviewer)
    for ref, outcome in (
        ("S11-6", "The audit answers the request"),
        ("S11-2", "Agreed: the rota is the action"),
    ):
        page.goto(f"{round_.url}/scrutiny/returns/{return_id}/standards/{ref}")
        visit(page)
        page.get_by_label(re.compile(r"Outcome of challenge \d+")).fill(outcome)
        page.get_by_role("button", name="Close the challenge").click()
        expect(page.locator("main")).to_contain_text(f"The challenge on standard {ref}")
    page.goto(f"{round_.url}/scrutiny/returns/{return_id}/standards/S11-2")
    expect(page.locator("main")).to_contain_text(ACTION)
    page.get_by_role("button", name=re.compile(r"Agree action \d+")).click()
    expect(page.locator("main")).to_contain_text("The action on standard S11-2 has been agreed")
    page.get_by_label("Not met").check()
    page.get_by_label("Why is the rating moderated?").fill(MODERATION)
    page.get_by_role("button", name="Save the moderated rating").click()
    expect(page.locator("main")).to_contain_text("Not met (lower than the self-rating)")
    visit(page)
    page.get_by_role("link", name="Back to the return").click()
    expect(page.locator("main")).to_contain_text("14 of 14 standards settled")
    page.get_by_role("button", name="Mark the return as assured").click()
    expect(page.locator("main")).to_contain_text("The return has been marked as assured")
    visit(page)
    sign_out(page)


def read_the_findings(page: Any, round_: Round, this: int) -> None:
    sign_in(page, round_.url, round_.quality)
    page.goto(f"{round_.url}/findings/cycles/{this}")
    grid = page.get_by_role("table", name="Each organisation’s rating of each standard")
    police = grid.get_by_role("row").filter(has_text="Shire Police")
    expect(police).to_contain_text("Moderated: Not met")
    expect(police).to_contain_text("Down")  # standard 2: met last year, partially met now
    expect(police).to_contain_text("Same")
    visit(page)
    page.get_by_role("link", name="Read the findings report for Section 11 2026").click()
    expect(page.locator("main")).to_contain_text(ACTION)
    visit(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages)
    text = " ".join(text.split())
    assert "Moderated ratings by standard" in text
    assert "Change in self-rating since last cycle" in text
    assert ACTION in text and "Agreed: the rota is the action" in text


def this_year(app: Any) -> int:
    """The cycle the admin published."""
    with inspect_session(app) as session:
        found = session.scalar(select(Cycle.id).where(Cycle.title == "Section 11 2026"))
        assert found is not None
        return found


def stored(app: Any, cycle_id: int) -> Response:
    """Shire Police's return to this year's cycle."""
    with inspect_session(app) as session:
        return session.scalars(select(Response).where(Response.cycle_id == cycle_id)).one()
