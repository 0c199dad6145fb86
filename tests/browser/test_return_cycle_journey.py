"""Next year's Section 11: the organisation carries forward last year's return, changes two
standards, attaches two files to one, the contributor sends it for sign-off, the lead signs
off and submits (emails arrive), and the organisation downloads its PDF."""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from demo.answers import generate_answers
from surveys import cycles
from surveys.definition import QuestionType
from surveys.models import Cycle, EvidenceFile, Response, ResponseStatus, Role, utcnow
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
from tests.browser.test_trainee_journey import watch
from tests.conftest import inspect_session
from tests.integration.webapp.test_your_returns import answer_and_submit

pytestmark = pytest.mark.browser

LAST_YEAR = generate_answers(SECTION_11, rng=random.Random(3))
STANDARDS = [page for page in SECTION_11.pages if page.standard]
SIGN_OFF = SECTION_11.page("sign_off")
NEW_EVIDENCE = "This year the board reviews a safeguarding report every quarter."
FILES = [
    {"name": "board-minutes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 minutes"},
    {"name": "training-plan.txt", "mimeType": "text/plain", "buffer": b"Induction for all"},
]


@dataclass
class Organisation:
    url: str
    cycle_id: int
    lead: str
    contributor: str
    admin: str
    quality: str


@pytest.fixture
def organisation(live_server: Any) -> Organisation:
    """Riverside Police, its return to last year's Section 11 submitted, and this year's open."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        police = factories.OrganisationFactory(name="Riverside Police")
        lead = factories.UserFactory(
            organisation=police, role=Role.ORGANISATION_LEAD, name="Lee Lead"
        )
        contributor = factories.UserFactory(
            organisation=police, role=Role.ORGANISATION_CONTRIBUTOR, name="Cass Contributor"
        )
        admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
        quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
        for title, opened in (("Section 11 2025", 380), ("Section 11 2026", 1)):
            cycles.publish_cycle(
                session,
                SECTION_11,
                cycles.NewCycle(
                    title, now - timedelta(days=opened), now + timedelta(days=30), (police.id,)
                ),
                created_by=None,
            )
        last, this = session.scalars(select(Cycle).order_by(Cycle.opens_at)).all()
        answer_and_submit(session, last, police, lead, LAST_YEAR, files=("policy-2025.pdf",))
        last.closes_at = now - timedelta(days=300)
        session.commit()
        return Organisation(
            live_server.url, this.id, lead.email, contributor.email, admin.email, quality.email
        )


def other_level(question_id: str, *, last: bool = False) -> str:
    """A level of the scale other than last year's rating (or, with `last`, last year's)."""
    question = SECTION_11.question(question_id)
    rated = LAST_YEAR[question_id]
    chosen = rated["value"] if isinstance(rated, dict) else rated
    if last:
        return question.option_label(chosen) or chosen
    return next(level.label for level in question.scale.levels if level.value != chosen)


def test_a_return_carried_forward_changed_signed_off_and_downloaded(
    live_server, organisation, page, smtp_server
) -> None:
    problems = watch(page)
    first, second = STANDARDS[0], STANDARDS[1]

    sign_in(page, organisation.url, organisation.contributor)
    page.get_by_role("link", name="Assessments", exact=True).first.click()
    page.get_by_role("link", name="Section 11 2026").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Section 11 2025")
    visit(page)
    page.get_by_role("button", name="Start the assessment").click()
    expect(task(page, first)).to_contain_text("Carried forward")
    visit(page)

    task(page, first).get_by_role("link").click()  # standard 1: a new rating, two files
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Carried forward from Section 11 2025 — confirm or change")
    expect(banner).to_contain_text("policy-2025.pdf")
    visit(page)
    new_rating = other_level("s1_rating")
    page.get_by_role(
        "group", name=re.compile(r"How well does your organisation meet standard 1")
    ).get_by_role("radio", name=new_rating, exact=True).check()
    page.get_by_label(re.compile(r"^\s*Upload evidence")).set_input_files(FILES)
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)  # standard 2
    visit(page)
    page.get_by_label("What evidence shows how you meet this standard?").fill(NEW_EVIDENCE)
    save_and_continue(page)
    for standard in STANDARDS[2:]:  # the rest: read, and confirmed as they are
        expect(page.get_by_role("heading", level=1)).to_have_text(standard.title)
        save_and_continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(SIGN_OFF.title)
    expect(page.get_by_text("Full name of the senior lead signing off")).to_have_count(0)
    visit(page)
    for question in SIGN_OFF.questions:
        if not question.declaration:
            fill_question(page, question, LAST_YEAR.get(question.id))
    save_and_continue(page)

    expect(page).to_have_title(re.compile(r"^Check your answers"))
    expect(page.locator("main")).not_to_contain_text("still as carried forward")
    visit(page)
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("asked to sign this off")
    visit(page)
    [ready] = smtp_server.wait_for(1)
    assert ready["To"] == organisation.lead and "sign off" in ready["Subject"]
    sign_out(page)

    sign_in(page, organisation.url, organisation.lead)
    page.goto(f"{organisation.url}/assessments/{organisation.cycle_id}/sign_off")
    visit(page)
    for question in SIGN_OFF.questions:
        if question.declaration:
            fill_question(page, question, LAST_YEAR.get(question.id))
    save_and_continue(page)
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    expect(page.locator("main")).to_contain_text("board-minutes.pdf")
    expect(page.locator("main")).to_contain_text(NEW_EVIDENCE)
    page.get_by_label(re.compile(r"I am the senior lead for Riverside Police")).check()
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Return submitted")
    visit(page)

    emails = smtp_server.wait_for(4)[1:]
    assert {m["To"] for m in emails} == {
        organisation.lead,
        organisation.contributor,
        organisation.admin,
    }
    submitted = stored(live_server.app)
    assert submitted.status is ResponseStatus.SUBMITTED
    assert submitted.answers["s2_evidence"] == NEW_EVIDENCE
    assert [f["filename"] for f in submitted.answers["s1_evidence_file"]] == [
        "board-minutes.pdf",
        "training-plan.txt",
    ]
    check_files_are_stored(live_server.app, submitted)

    page.get_by_role("link", name="Home", exact=True).first.click()
    expect(page.get_by_role("heading", name="Your returns")).to_be_visible()
    visit(page)
    page.get_by_role("link", name="Section 11 2026", exact=True).click()
    expect(page.locator("main")).to_contain_text(new_rating)
    visit(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this return as a PDF").click()
    text = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
    assert "Riverside Police" in text and submitted.reference in text
    assert NEW_EVIDENCE in text and "board-minutes.pdf" in text and "training-plan.txt" in text
    sign_out(page)

    sign_in(page, organisation.url, organisation.quality)  # the partnership reads what changed
    page.get_by_role("link", name="Returns", exact=True).click()
    visit(page)
    page.get_by_role("link", name="Section 11 2026").click()
    visit(page)
    page.get_by_role("link", name="Submitted for Riverside Police").click()
    notes = page.locator(".app-return-note")
    expect(notes.filter(has_text="Unchanged since last cycle")).to_have_count(len(STANDARDS) - 2)
    expect(notes.first).to_contain_text(
        f"rating {other_level('s1_rating', last=True)} → {new_rating}"
    )
    expect(page.get_by_role("link", name="board-minutes.pdf")).to_be_visible()
    visit(page)
    assert problems == []


def stored(app: Any) -> Response:
    with inspect_session(app) as session:
        return session.scalars(select(Response).order_by(Response.id.desc())).first()


def check_files_are_stored(app: Any, response: Response) -> None:
    folder = Path(app.config["DATA_FOLDER"]) / "evidence"
    with inspect_session(app) as session:
        files = session.scalars(
            select(EvidenceFile).where(EvidenceFile.response_id == response.id)
        ).all()
    assert {(folder / f.stored_name).read_bytes() for f in files} == {
        FILES[0]["buffer"],
        FILES[1]["buffer"],
    }


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


assert QuestionType.FILE in {q.type for q in STANDARDS[0].questions}  # standard 1 takes files
