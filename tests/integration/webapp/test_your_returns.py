"""An organisation reads, prints and downloads its returns, this cycle's and past ones."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from demo.answers import generate_answers
from surveys import cycles, page_saves, responses
from surveys.models import AuditEvent, EvidenceFile, Response, utcnow
from tests import factories
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import SECTION_11, as_user

team = test_assessments.team  # the fixture: an organisation's lead, contributor and a cycle

ANSWERS = generate_answers(SECTION_11, rng=random.Random(3))
FILE_QUESTION = "s1_evidence_file"


def publish(db_session, organisation, title: str, *, days_ago: int = 1, closes_in: int = 30):
    now = utcnow()
    return cycles.publish_cycle(
        db_session,
        SECTION_11,
        cycles.NewCycle(
            title,
            now - timedelta(days=days_ago),
            now + timedelta(days=closes_in),
            (organisation.id,),
        ),
        created_by=None,
    )


def answer_and_submit(db_session, cycle, organisation, lead, answers=ANSWERS, *, files=()):
    """Save every page through the service, attach `files` to standard 1, and submit."""
    response = responses.start_organisation_response(db_session, cycle, organisation.id)
    for page in SECTION_11.pages:
        page_answers = {q.id: answers[q.id] for q in page.questions if q.id in answers}
        if files and page.id == "standard_1":
            page_answers[FILE_QUESTION] = [evidence(db_session, response, name) for name in files]
        save = page_saves.PageSave(page.id, page_answers, response.version)
        response = page_saves.save_page(db_session, response, save, user=lead)
    return responses.submit_response(
        db_session, response, definition=SECTION_11, user=lead
    ).response


def evidence(db_session, response, filename: str) -> dict:
    file = EvidenceFile(
        response_id=response.id,
        question_id=FILE_QUESTION,
        stored_name=filename.replace(".", "-").ljust(32, "0"),
        filename=filename,
        content_type="application/pdf",
        size=2048,
    )
    db_session.add(file)
    db_session.commit()
    return {
        "file_id": file.id,
        "filename": filename,
        "content_type": file.content_type,
        "size": 2048,
    }


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_home_lists_this_and_past_returns_and_each_reads_in_full(app, db_session, team):
    organisation, lead, contributor, cycle = team
    last_year = publish(db_session, organisation, "Section 11 2025", days_ago=400, closes_in=-300)
    last_year.closes_at = utcnow() + timedelta(days=1)  # answered while it was open
    db_session.commit()
    past = answer_and_submit(db_session, last_year, organisation, lead, files=("minutes.pdf",))
    last_year.closes_at = utcnow() - timedelta(days=300)
    db_session.commit()
    responses.start_organisation_response(db_session, cycle, organisation.id)  # this year's

    cass = as_user(app, db_session, contributor)
    home = cass.get("/").text
    assert "Your returns" in home
    assert home.index("Section 11 2026") < home.index("Section 11 2025")  # newest first
    assert f"/assessments/{last_year.id}/return" in home
    assert f"/assessments/{last_year.id}/return.pdf" in home

    page = cass.get(f"/assessments/{last_year.id}/return")
    assert page.status_code == 200
    for section in SECTION_11.pages:
        assert section.title in page.text
    assert past.reference in page.text and "Submitted" in page.text
    rating = SECTION_11.question("s1_rating").option_label(ANSWERS["s1_rating"]["value"])
    assert f'<p class="govuk-body app-preserve-lines">{rating}</p>' in page.text
    [file] = past.answers[FILE_QUESTION]
    assert f'href="/assessments/{last_year.id}/evidence/{file["file_id"]}">minutes.pdf' in page.text
    assert "Download this return as a PDF" in page.text

    draft = cass.get(f"/assessments/{cycle.id}/return").text
    assert "This return has not been submitted" in draft


def test_the_pdf_holds_every_standard_answer_and_file_name(app, db_session, team):
    organisation, lead, contributor, cycle = team
    submitted = answer_and_submit(db_session, cycle, organisation, lead, files=("a.pdf", "b.pdf"))
    download = as_user(app, db_session, lead).get(f"/assessments/{cycle.id}/return.pdf")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert f"return-{submitted.reference}.pdf" in download.headers["Content-Disposition"]
    text = " ".join(pdf_text(download.data).split())
    assert organisation.name in text and submitted.reference in text
    for section in SECTION_11.pages:
        assert section.title in text, section.title
    assert " ".join(str(ANSWERS["s1_evidence"]).split())[:60] in text
    assert "a.pdf" in text and "b.pdf" in text
    assert "Lee Lead" in text  # who signed it off


def test_another_organisation_cannot_read_or_download_it(app, db_session, team):
    organisation, lead, contributor, cycle = team
    answer_and_submit(db_session, cycle, organisation, lead)
    outsider = factories.UserFactory(organisation=factories.OrganisationFactory(name="Elsewhere"))
    client = as_user(app, db_session, outsider)
    assert "Section 11 2026" not in client.get("/").text
    for path in (f"/assessments/{cycle.id}/return", f"/assessments/{cycle.id}/return.pdf"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("who", ["lead", "contributor"])
def test_opening_the_organisations_own_evidence_is_audited(app, db_session, team, who):
    organisation, lead, contributor, cycle = team
    folder = Path(app.config["DATA_FOLDER"]) / "evidence"
    submitted = answer_and_submit(db_session, cycle, organisation, lead, files=("plan.pdf",))
    [file] = submitted.answers[FILE_QUESTION]
    stored = db_session.get(EvidenceFile, file["file_id"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored.stored_name).write_bytes(b"%PDF-1.4 plan")
    person = lead if who == "lead" else contributor
    opened = as_user(app, db_session, person).get(
        f"/assessments/{cycle.id}/evidence/{file['file_id']}"
    )
    assert opened.data == b"%PDF-1.4 plan"
    audit = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.opened"))
    assert (audit.user_id, audit.object_id) == (person.id, str(file["file_id"]))
    assert db_session.scalar(select(Response.status)).value == "submitted"
