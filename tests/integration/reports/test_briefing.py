"""An entry's one-page learning briefing for practitioners, as PDF and Word, read back.

The PDF is parsed with pypdf (one page, its sections and figures), the Word file with
python-docx; a case review's briefing is checked for the child's details planted in the
restricted table and typed into the entry's own words.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader
from sqlalchemy import select

from learning import actions, log, review_learning, runs, selection
from learning.briefing import LIMITS, MAX_QUESTIONS
from learning.models import (
    ActionStatus,
    EntryTheme,
    RunStatus,
    SourceKind,
    Theme,
    ThemeLineage,
)
from surveys.case_reviews import details
from surveys.models import AuditEvent, Role, utcnow
from tests import factories
from tests.conftest import csrf_from
from webapp.reports.briefing_layout import SECTIONS

LESSON = "Practitioners did not escalate when a baby's needs went unmet at weekends."
QUOTE = "Nobody told us who to call at the weekend"
CHILD = "Zebedee Quillfeather"
ADDRESS = "17 Canary Row, Riverside RV9 9ZZ"
ETHNICITY = "Canarian Islander"
BORN = date(2019, 4, 23)
CANARIES = (CHILD, "Zebedee", "Quillfeather", ADDRESS, "RV9 9ZZ", ETHNICITY, "23 April 2019")


def pdf_pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces (PDF lines wrap)."""
    return re.sub(r"\s+", " ", text)


def word_text(body: bytes) -> tuple[list[str], str]:
    """The Word file's headings, and all its text (paragraphs and table cells)."""
    document = WordDocument(io.BytesIO(body))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return headings, "\n".join([*(p.text for p in document.paragraphs), *cells])


def _theme(session, user, key: str, label: str, *, quotes: list[str]) -> Theme:
    """A finished run's theme with a machine-made name, linked as evidence (snapshot) later."""
    run = runs.start_run(session, selection.Selection(), started_by=user)
    run.status = RunStatus.FINISHED
    session.add(ThemeLineage(key=key))
    theme = Theme(
        run_id=run.id,
        number=0,
        lineage_key=key,
        label=label,
        machine_label=label,
        size=12,
        share=0.4,
        polarity=-0.6,
    )
    session.add(theme)
    session.flush()
    return theme


def _link(session, entry, theme: Theme, quotes: list[str]) -> None:
    entry.themes.append(
        EntryTheme(
            lineage_key=theme.lineage_key,
            run_id=theme.run_id,
            theme_id=theme.id,
            label=theme.label,
            size=theme.size,
            share=theme.share,
            must_change=9,
            works_well=2,
            quotes=quotes,
        )
    )
    session.commit()


@pytest.fixture
def world(db_session):
    police = factories.OrganisationFactory(name="Riverside Constabulary")
    health = factories.OrganisationFactory(name="Riverside Community Health")
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    today = utcnow().date()
    entry = log.create_entry(
        db_session,
        log.EntryDetails(
            title="Escalating unmet needs at weekends",
            lesson=LESSON,
            source_stream="consultation",
            recommended_action="Use the escalation procedure on the day you are worried.",
            owner="Quality group",
            review_date=today + timedelta(days=180),
            organisation_ids=[police.id, health.id],
        ),
        created_by=quality,
    )
    theme = _theme(db_session, quality, "weekend", "weekend escalation unclear", quotes=[QUOTE])
    _link(db_session, entry, theme, [QUOTE])
    overdue = actions.create_action(
        db_session,
        description="Publish the weekend escalation contacts",
        owner_organisation_id=police.id,
        due_date=today + timedelta(days=1),
        created_by=quality,
        entry_id=entry.id,
    )
    overdue.due_date = today - timedelta(days=3)  # created in time, now late
    started = actions.create_action(
        db_session,
        description="Add escalation to the induction course",
        owner_organisation_id=health.id,
        due_date=today + timedelta(days=60),
        created_by=quality,
        entry_id=entry.id,
    )
    started.status = ActionStatus.IN_PROGRESS
    db_session.commit()
    return {"entry": entry, "quality": quality, "police": police, "theme": theme}


def test_the_pdf_is_one_page_with_the_lesson_actions_and_a_marked_suggestion(
    client, login_as, db_session, world
):
    login_as(world["quality"])
    entry = client.get(f"/learning-log/{world['entry'].id}").text
    assert "Download learning briefing (PDF)" in entry
    assert "Download learning briefing (Word)" in entry

    response = client.get(f"/learning-log/{world['entry'].id}/briefing.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.data)
    assert len(pages) == 1
    text = flat(pages[0])
    for expected in (
        "Escalating unmet needs at weekends",
        LESSON,
        "Use the escalation procedure on the day you are worried.",
        "Publish the weekend escalation contacts",
        "Riverside Constabulary",
        "Overdue",
        "Add escalation to the induction course",
        "In progress",
        "weekend escalation unclear (suggested name)",  # the machine's name, marked
        QUOTE,
        "Practitioner consultation",
        *SECTIONS,
    ):
        assert expected in text, expected
    # The board's suggestion is a suggestion until the group decides.
    assert "suggested: the quality group has not yet decided" in text
    audited = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "learning_briefing.downloaded.pdf")
    ).all()
    assert [(e.object_id, e.user_id) for e in audited] == [
        (str(world["entry"].id), world["quality"].id)
    ]


def test_the_word_document_has_the_same_sections(client, login_as, world):
    login_as(world["quality"])
    response = client.get(f"/learning-log/{world['entry'].id}/briefing.docx")
    assert response.status_code == 200
    headings, text = word_text(response.data)
    assert [h for h in headings if h in SECTIONS] == list(SECTIONS)
    for expected in (
        "Escalating unmet needs at weekends",
        LESSON,
        "Publish the weekend escalation contacts",
        "Overdue",
        "In progress",
        "weekend escalation unclear (suggested name)",
        QUOTE,
    ):
        assert expected in text, expected


def test_a_name_the_group_confirmed_and_a_decided_board_place_are_not_marked(
    client, login_as, db_session, world
):
    from learning import board, theme_edits

    theme_edits.rename_theme(
        db_session, world["theme"].id, "weekend escalation unclear", edited_by=world["quality"]
    )  # kept the suggested name: a person confirmed it
    board.place_on_board(
        db_session, entry_id=world["entry"].id, column="changed", decided_by=world["quality"]
    )
    login_as(world["quality"])
    text = flat(pdf_pages(client.get(f"/learning-log/{world['entry'].id}/briefing.pdf").data)[0])
    assert "weekend escalation unclear" in text
    assert "(suggested name)" not in text and "suggested:" not in text
    assert "placed this in Changed" in text


def test_the_group_words_it_for_practitioners_with_govuk_errors(client, login_as, world):
    login_as(world["quality"])
    url = f"/learning-log/{world['entry'].id}/briefing"
    page = client.get(url)
    assert page.status_code == 200 and "Questions to reflect on" in page.text
    too_long = client.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "briefing_why": "x" * (LIMITS["why"] + 1),
            "briefing_questions": "\n".join(f"Question {n}?" for n in range(MAX_QUESTIONS + 1)),
        },
    )
    assert too_long.status_code == 400
    assert "There is a problem" in too_long.text and "<title>Error:" in too_long.text
    assert f"Why it matters must be {LIMITS['why']} characters or fewer" in too_long.text
    assert "Write 4 questions or fewer, one on each line" in too_long.text
    assert 'id="briefing_why-error"' in too_long.text

    saved = client.post(
        url,
        data={
            "csrf_token": csrf_from(page.text),
            "briefing_do": "Call the on-call manager before the end of your shift.",
            "briefing_questions": "Who is on call this weekend?\n\nWhere is the number kept?",
        },
    )
    assert saved.status_code == 302
    text = flat(pdf_pages(client.get(f"{url}.pdf").data)[0])
    assert "Call the on-call manager before the end of your shift." in text
    assert "1. Who is on call this weekend?" in text and "2. Where is the number kept?" in text
    assert "Use the escalation procedure" not in text  # the group's words replace the default


def test_the_longest_allowed_entry_still_fits_one_page(client, login_as, db_session, world):
    """Every field at its longest (words the length of long English words) and more actions,
    themes and organisations than the page shows: one page, shortened, and it says so."""
    entry, quality = world["entry"], world["quality"]
    words = ("safeguarding " * 400).strip()
    entry.title = ("Multi-agency " * 20)[:200].strip()
    entry.lesson = words
    entry.recommended_action = words
    entry.owner = ("Designated " * 30)[:200]
    entry.briefing_why = words[: LIMITS["why"]]
    question = ("Reflect " * 25)[: LIMITS["questions"] // MAX_QUESTIONS - 1] + "?"
    entry.briefing_questions = "\n".join([question] * MAX_QUESTIONS)
    entry.briefing_more = words[: LIMITS["more"]]
    for n in range(20):
        entry.organisations.append(factories.OrganisationFactory(name=f"Organisation number {n}"))
    for n in range(4):
        theme = _theme(db_session, quality, f"long-{n}", ("theme " * 40)[:200], quotes=[])
        _link(db_session, entry, theme, [words[:1000]] * 5)
    long_name = factories.OrganisationFactory(name=("Safeguarding Partnership Trust " * 7)[:200])
    for n in range(8):
        actions.create_action(
            db_session,
            description=words[:2000],
            owner_organisation_id=long_name.id,
            due_date=utcnow().date() + timedelta(days=n + 1),
            created_by=quality,
            entry_id=entry.id,
        )
    db_session.commit()
    login_as(quality)
    body = client.get(f"/learning-log/{entry.id}/briefing.pdf").data
    pages = pdf_pages(body)
    assert len(pages) == 1, pages[1:]
    text = flat(pages[0])
    assert "Shortened to fit one page" in text and f"number {entry.id} in the learning log" in text
    assert "more on the partnership’s list of actions" in text
    assert "Find out more" in text  # the last section made it onto the page


def test_a_case_reviews_briefing_never_carries_the_childs_details(client, login_as, db_session):
    police = factories.OrganisationFactory(name="Riverside Police")
    officer = factories.UserFactory(role=Role.CASE_REVIEWER, organisation=None)
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    ids = factories.review_world(db_session, police, officer, reference="LCSPR-2026-07")
    details.save_details(
        db_session,
        ids["review_id"],
        details.Details(
            CHILD, date(utcnow().year + 8, 1, 1), BORN, address=ADDRESS, ethnicity=ETHNICITY
        ),
        by=officer,
        today=utcnow().date(),
    )
    # Someone typed the child's details into the entry's own words.
    entry = review_learning.entry_from_review(
        db_session,
        ids["review_id"],
        title="Hearing the child",
        lesson=f"Zebedee (born 23/04/2019, {ETHNICITY}) was not asked at {ADDRESS}.",
        created_by=quality,
    )
    assert entry.source_kind is SourceKind.CASE_REVIEW
    login_as(quality)
    pdf = client.get(f"/learning-log/{entry.id}/briefing.pdf")
    word = client.get(f"/learning-log/{entry.id}/briefing.docx")
    page = client.get(f"/learning-log/{entry.id}/briefing")
    assert pdf.status_code == word.status_code == page.status_code == 200
    pdf_words = flat(pdf_pages(pdf.data)[0])
    _, word_words = word_text(word.data)
    for text in (pdf_words, word_words, page.text):
        assert "LCSPR-2026-07" in text  # the review, by its reference only
        assert "Share sooner" in text  # its recommendation's action, with its organisation
        assert "[removed]" in text
        found = [c for c in (*CANARIES, "2019") if c.lower() in text.lower()]
        assert found == [], found


def test_organisation_leads_and_other_partnerships_get_not_found(
    client, login_as, db_session, world
):
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=world["police"])
    login_as(lead)
    for suffix in ("", ".pdf", ".docx"):
        assert client.get(f"/learning-log/{world['entry'].id}/briefing{suffix}").status_code == 404
    login_as(world["quality"])
    assert client.get("/learning-log/987654/briefing.pdf").status_code == 404
