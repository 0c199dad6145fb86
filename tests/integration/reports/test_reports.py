"""The quality group's reports: a run's theme report and the six-monthly report, in every format.

Data is built with the services (a finished run through `learning.runs` and the fast
pipeline), then each format is parsed back and must show the figures the page shows.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import actions, board, log, run_report, runs, selection, theme_edits
from learning.models import BoardColumn, ThemeStatement
from nlp.embedding import HashingEmbedder
from nlp.pipeline import ThemingPipeline
from nlp.theming import SklearnThemer
from surveys import cycles
from surveys.loader import DefinitionRegistry, load_definitions
from surveys.models import (
    Cycle,
    DisclosureFlag,
    Organisation,
    Response,
    ResponseStatus,
    Role,
    Sector,
    User,
    utcnow,
)
from tests import factories

CANARY = "CANARYDISCLOSURE"
EMAIL, PHONE = "jo.bloggs@example.org", "07700 900123"
HOSTILE_LABEL = '=HYPERLINK("http://evil.example")<script>alert(1)</script>'
WORKS = [
    "Regular supervision gives time to reflect",
    "Supervision sessions help us reflect on cases",
    "Reflective supervision is protected time",
    "Good supervision helps workers reflect and plan",
    "Monthly supervision lets us reflect on drift",
    "Supervision is valued reflective time",
    "Reflective supervision every month helps",
    "Group supervision helps reflect on hard cases",
]
BARRIERS = [
    "The escalation procedure is unclear when agencies disagree",
    "Nobody explains how to escalate a disagreement between agencies",
    "Escalation of professional disagreements is confusing and slow",
    "We need clearer escalation routes when agencies disagree",
    "The escalation procedure for disagreements is not understood",
    "Disagreements between agencies are not escalated quickly",
    "Escalation procedure is unclear to partner agencies",
    "Agencies disagree and the escalation route is unclear",
]
POLICE_DEVELOPMENT = "The escalation procedure is unclear when our officers disagree with agencies"


@dataclass
class ReportWorld:
    run_id: int
    quality: User
    admin: User
    lead: User
    section_11: Cycle
    action_text: str
    entry_title: str


def _submit(
    session: Session, cycle: Cycle, organisation: Organisation | None, answers: dict
) -> Response:
    response = Response(
        cycle_id=cycle.id,
        organisation_id=organisation.id if organisation else None,
        submission_id=str(uuid.uuid4()),
        reference=uuid.uuid4().hex[:16],
        definition_key=cycle.definition_key,
        definition_version=cycle.definition_version,
        status=ResponseStatus.SUBMITTED,
        answers=answers,
        submitted_at=utcnow(),
    )
    session.add(response)
    session.flush()
    return response


def _cycles(session: Session, registry: DefinitionRegistry, orgs: list[Organisation]) -> tuple:
    now = utcnow()
    window = (now - timedelta(days=20), now + timedelta(days=10))
    consultation = cycles.publish_cycle(
        session,
        registry.latest("practitioner-consultation"),
        cycles.NewCycle("Escalation consultation", *window),
        created_by=None,
    )
    section_11 = cycles.publish_cycle(
        session,
        registry.latest("section-11"),
        cycles.NewCycle("Section 11 2026", *window, tuple(o.id for o in orgs)),
        created_by=None,
    )
    return consultation, section_11


def build_world(session: Session, registry: DefinitionRegistry) -> ReportWorld:
    """Organisations, answers (one flagged), a finished run, a log entry, a board item, actions."""
    factories.bind(session)
    police = factories.OrganisationFactory(name="Police", sector=Sector.POLICE)
    school = factories.OrganisationFactory(name="Hill School", sector=Sector.EDUCATION)
    council = factories.OrganisationFactory(name="Council", sector=Sector.LOCAL_AUTHORITY)
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=police)
    consultation, section_11 = _cycles(session, registry, [police, school, council])
    for works, barrier in zip(WORKS, BARRIERS, strict=True):
        # Personal data in every answer of one theme, so whichever is quoted has it redacted.
        works = f"{works}, ask {EMAIL} or ring {PHONE}"
        _submit(session, consultation, None, {"what_works": works, "barriers": barrier})
    flagged = _submit(
        session, consultation, None, {"barriers": f"{CANARY} escalation procedure unclear"}
    )
    flagged.is_flagged = True
    session.add(
        DisclosureFlag(
            response_id=flagged.id,
            question_id="barriers",
            reasons="harm_by_adult",
            review_due_at=utcnow(),
        )
    )
    rating = lambda value: {"value": value, "scale_version": 1}  # noqa: E731
    _submit(
        session,
        section_11,
        police,
        {"s1_rating": rating("not_met"), "s1_development": POLICE_DEVELOPMENT},
    )
    _submit(
        session, section_11, school, {"s1_rating": rating("met"), "s2_rating": "not_applicable"}
    )
    session.commit()
    run_id = _finished_run(session, registry, quality)
    return ReportWorld(
        run_id, quality, admin, lead, section_11, *_learning(session, run_id, quality, police)
    )


def _finished_run(session: Session, registry: DefinitionRegistry, quality: User) -> int:
    pipeline = ThemingPipeline(embedder=HashingEmbedder(), themer=SklearnThemer())
    run = runs.start_run(session, selection.Selection(), started_by=quality)
    run = runs.execute_run(session, run.id, pipeline=pipeline, registry=registry)
    assert run.status.value == "finished"
    return run.id


def _learning(session: Session, run_id: int, quality: User, police: Organisation) -> tuple:
    theme = runs.visible_themes(session, run_id)[0]
    entry = log.create_entry_from_theme(session, theme.id, created_by=quality)
    item = board.place_on_board(
        session,
        lineage_key=theme.lineage_key,
        column=BoardColumn.CHANGED,
        decided_by=quality,
        why="Agencies do not know how to escalate",
    )
    text = "Publish the escalation procedure to every agency"
    actions.create_action(
        session,
        description=text,
        owner_organisation_id=police.id,
        due_date=utcnow().date() - timedelta(days=3),
        created_by=quality,
        board_item_id=item.id,
    )
    return text, entry.title


@pytest.fixture
def world(app, db_session) -> ReportWorld:
    return build_world(db_session, load_definitions())


# Parsing each format back -------------------------------------------------------------------


def pdf_text(body: bytes) -> str:
    """Return the PDF's text (pypdf, a dev dependency: the PDF checks never skip)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def docx_text(body: bytes) -> str:
    word = WordDocument(io.BytesIO(body))
    parts = [p.text for p in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def xlsx_cells(body: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(body))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def xlsx_text(body: bytes) -> str:
    cells = xlsx_cells(body)
    return "\n".join(
        str(v) for rows in cells.values() for row in rows for v in row if v is not None
    )


def normal(text: str) -> str:
    return " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())


def _download(client, url: str, kind: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"] == kind
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


def every_format(client, url: str) -> dict[str, str]:
    """Fetch the page and its three downloads; return each one's text."""
    from webapp.reports.render import MIME

    path, _, query = url.partition("?")  # a query string follows the format, if any
    page = client.get(path.replace("{fmt}", "").rstrip(".") + (f"?{query}" if query else ""))
    assert page.status_code == 200
    texts = {"html": page.text}
    pdf = _download(client, url.replace("{fmt}", "pdf"), MIME["pdf"])
    assert pdf.startswith(b"%PDF-")
    texts["pdf"] = pdf_text(pdf)
    assert texts["pdf"].strip(), "no text extracted from the PDF"
    texts["docx"] = docx_text(_download(client, url.replace("{fmt}", "docx"), MIME["docx"]))
    xlsx = _download(client, url.replace("{fmt}", "xlsx"), MIME["xlsx"])
    texts["xlsx"] = xlsx_text(xlsx)
    texts["xlsx_cells"] = xlsx  # type: ignore[assignment]
    return texts


def assert_in_all(texts: dict, needle: str) -> None:
    for fmt in ("html", "pdf", "docx", "xlsx"):
        haystack = normal(texts[fmt].replace("&#34;", '"').replace("&#39;", "'"))
        assert normal(needle) in haystack, f"{needle!r} missing from {fmt}"


# Tests ---------------------------------------------------------------------------------------


def test_run_report_in_every_format_shows_the_same_figures(client, login_as, world, db_session):
    login_as(world.quality)
    report = run_report.run_report(db_session, world.run_id)
    texts = every_format(client, f"/reports/runs/{world.run_id}.{{fmt}}")
    assert report.themes
    for theme in report.themes:
        assert_in_all(texts, theme.label)
        for quote in theme.quotes:
            assert_in_all(texts, quote)
    first = report.themes[0]
    assert re.search(rf">\s*{first.size}\s*<", texts["html"])
    suppressed = [
        (name, shown)
        for t in report.themes
        for name, shown in t.by_sector
        if shown == "fewer than 5"
    ]
    assert suppressed, "the police's one statement should be suppressed"
    assert_in_all(texts, "fewer than 5")
    sheets = xlsx_cells(texts["xlsx_cells"])  # type: ignore[arg-type]
    counts = [row[1] for row in sheets["Breakdowns"] if isinstance(row[1], int)]
    assert counts and min(counts) >= 5, "a count under 5 reached the Excel breakdowns"
    themes_sheet = sheets["Themes"]
    header = next(
        i for i, r in enumerate(themes_sheet) if r[:3] == ["Theme", "Statements", "Share"]
    )
    assert themes_sheet[header + 1][:3] == [
        first.shown_label,
        first.size,
        f"{round(100 * first.share)}%",
    ]
    for words in ("Embedding model", "hashing", "Statements themed", "Non-answers left out"):
        assert_in_all(texts, words)


def test_flagged_text_appears_in_no_format_even_when_flagged_after_the_run(
    client, login_as, world, db_session
):
    login_as(world.quality)
    quote = run_report.run_report(db_session, world.run_id).themes[0].quotes[0]
    statement = db_session.scalars(
        select(ThemeStatement).where(
            ThemeStatement.run_id == world.run_id, ThemeStatement.text == quote
        )
    ).first()
    db_session.add(
        DisclosureFlag(
            response_id=statement.response_id,
            question_id=statement.question_id,
            reasons="neglect",
            review_due_at=utcnow(),
        )
    )
    db_session.commit()
    kept = [q for t in run_report.run_report(db_session, world.run_id).themes for q in t.quotes]
    assert kept and quote not in kept
    for url in (f"/reports/runs/{world.run_id}.{{fmt}}", "/reports/six-monthly.{fmt}"):
        texts = every_format(client, url)
        for fmt in ("html", "pdf", "docx", "xlsx"):
            assert CANARY not in texts[fmt]
            assert normal(quote) not in normal(texts[fmt]), f"late-flagged quote in {fmt}"
    # Every format, the PDF included, still shows the quotes that were not flagged: the text
    # really was read, so the checks above would catch a flagged quote that got through.
    run_texts = every_format(client, f"/reports/runs/{world.run_id}.{{fmt}}")
    assert_in_all(run_texts, kept[0])


def test_personal_data_appears_in_no_format_but_its_redacted_quote_does(
    client, login_as, world, db_session
):
    login_as(world.quality)
    quotes = [q for t in run_report.run_report(db_session, world.run_id).themes for q in t.quotes]
    redacted = [q for q in quotes if "[EMAIL]" in q or "[PHONE]" in q]
    assert redacted, "the answer with an email and a phone number should be quoted, redacted"
    run_texts = every_format(client, f"/reports/runs/{world.run_id}.{{fmt}}")
    assert_in_all(run_texts, redacted[0])
    for texts in (run_texts, every_format(client, "/reports/six-monthly.{fmt}")):
        for fmt in ("html", "pdf", "docx", "xlsx"):
            assert EMAIL not in texts[fmt] and "jo.bloggs" not in texts[fmt], fmt
            assert PHONE not in texts[fmt] and "900123" not in texts[fmt], fmt


def test_six_monthly_report_has_returns_ratings_board_log_and_overdue_actions(
    client, login_as, world, db_session
):
    login_as(world.admin)
    texts = every_format(client, "/reports/six-monthly.{fmt}")
    for needle in (
        "Returned",
        "2 of 3",
        "Section 11 2026",
        world.entry_title,
        world.action_text,
        "Agencies do not know how to escalate",
        "Overdue",
        "Changed",
        "Stabilised",
        "Created",
        f"Theming run {world.run_id}",
    ):
        assert_in_all(texts, needle)
    assert "govuk-tag--red" in texts["html"]
    sheets = xlsx_cells(texts["xlsx_cells"])  # type: ignore[arg-type]
    header = next(row for row in sheets["Compliance"] if row[0] == "Standard")
    assert header[1:6] == ["Met", "Partially met", "Not met", "N/A", "Not answered"]
    standard_1 = next(row for row in sheets["Compliance"] if str(row[0]).startswith("S11-1 "))
    standard_2 = next(row for row in sheets["Compliance"] if str(row[0]).startswith("S11-2 "))
    assert standard_1[1:6] == [1, 0, 1, 0, 0]
    assert standard_2[1:6] == [0, 0, 0, 1, 1]
    overdue = next(row for row in sheets["Actions"] if row[1] == world.action_text)
    assert overdue[4] == "Overdue"


def test_user_text_is_escaped_in_html_and_inert_in_word_and_excel(
    client, login_as, world, db_session
):
    theme = runs.visible_themes(db_session, world.run_id)[0]
    theme_edits.rename_theme(db_session, theme.id, HOSTILE_LABEL, edited_by=world.quality)
    login_as(world.quality)
    texts = every_format(client, f"/reports/runs/{world.run_id}.{{fmt}}")
    assert "<script>alert(1)</script>" not in texts["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in texts["html"]
    assert HOSTILE_LABEL in texts["docx"]
    book = load_workbook(io.BytesIO(texts["xlsx_cells"]))  # type: ignore[arg-type]
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    hostile = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert hostile and all(c.data_type == "s" for c in hostile)
    assert not [c for c in cells if str(c.value).startswith(("=", "+", "-", "@"))]
    assert "'" + HOSTILE_LABEL in [c.value for c in hostile]


def test_pdf_lays_out_the_figures_and_uses_only_local_files(app, world, db_session):
    from weasyprint import HTML

    from webapp.reports import render
    from webapp.reports.downloads import print_html
    from webapp.reports.run_layout import run_document

    with app.test_request_context():
        doc = run_document(run_report.run_report(db_session, world.run_id))
        html = print_html(doc)
    laid_out = HTML(string=html, base_url=str(render.STATIC) + "/").render()
    words = normal(" ".join(_box_text(page._page_box) for page in laid_out.pages))
    assert normal(doc.title) in words and "fewer than 5" in words
    with pytest.raises(ValueError):
        render.check_local("file:///etc/passwd")
    with pytest.raises(ValueError):
        render.check_local("http://127.0.0.1/secret")


def _box_text(box: object) -> str:
    own = getattr(box, "text", "") or ""
    return " ".join([own, *(_box_text(child) for child in getattr(box, "children", []))])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-45", "Start date must be a real date"),
        ("to=yesterday", "End date must be a real date"),
        ("from=2026-06-01&to=2026-01-01", "End date must be the same as or after the start date"),
        ("from=" + "9" * 5000, "Start date must be a real date"),
    ],
)
def test_bad_dates_get_a_govuk_error_not_a_500(client, login_as, world, query, message):
    login_as(world.quality)
    for path in ("/reports/six-monthly", "/reports/six-monthly.pdf"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert "govuk-error-summary" in response.text and message in response.text
        assert response.text.count("<title>Error: ") == 1


def test_period_filters_what_the_six_monthly_report_shows(client, login_as, world):
    login_as(world.quality)
    page = client.get("/reports/six-monthly?from=2020-01-01&to=2020-06-30")
    assert page.status_code == 200
    assert "No theming run finished in this period." in page.text
    assert "No learning log entries were added in this period." in page.text
    assert "Section 11 2026" not in page.text


def test_only_finished_runs_have_reports_and_only_the_quality_group_sees_them(
    client, login_as, world, db_session
):
    queued = runs.start_run(db_session, selection.Selection(), started_by=world.quality)
    login_as(world.quality)
    assert client.get(f"/reports/runs/{queued.id}").status_code == 404
    assert client.get(f"/reports/runs/{queued.id}.pdf").status_code == 404
    assert client.get("/reports/runs/999999.xlsx").status_code == 404
    index = client.get("/reports/")
    assert f"/reports/runs/{world.run_id}" in index.text
    assert f"/reports/runs/{queued.id}" not in index.text
    login_as(world.lead)
    assert client.get(f"/reports/runs/{world.run_id}").status_code == 404
    assert client.get("/reports/six-monthly.docx").status_code == 404


def test_report_templates_never_mark_text_safe():
    root = Path(__file__).resolve().parents[3] / "webapp"
    files = [*(root / "templates" / "reports").glob("*.html"), *(root / "reports").glob("*.py")]
    assert files
    for path in files:
        text = path.read_text()
        assert "|safe" not in text.replace(" ", "") and "Markup(" not in text, path


def test_second_run_reports_trends_against_the_first(client, login_as, world, db_session):
    consultation = db_session.scalars(
        select(Cycle).where(Cycle.definition_key == "practitioner-consultation")
    ).one()
    for barrier in BARRIERS:
        _submit(db_session, consultation, None, {"barriers": f"Still: {barrier.lower()}"})
    db_session.commit()
    second = _finished_run(db_session, load_definitions(), world.quality)
    report = run_report.run_report(db_session, second)
    assert report.previous_run_id == world.run_id
    trends = {t.label: t.trend for t in report.themes}
    assert set(trends.values()) <= {"Growing", "Stable", "Declining", "New"}
    assert "Growing" in trends.values()
    login_as(world.quality)
    page = client.get(f"/reports/runs/{second}")
    assert "Growing" in page.text and "every theme is new" not in page.text
