"""A Section 11 / 175 cycle's findings report: one outline, the same findings in HTML, PDF,
Word and Excel (each parsed back), with schools never singled out."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from surveys.small_groups import FEWER_THAN, SUPPRESSED
from tests.integration.reports.test_reports import assert_in_all, every_format, normal
from tests.integration.webapp.findings_world import (
    ACTION,
    OUTCOME,
    SCHOOL_ACTION,
    THEME,
    build_world,
)
from tests.integration.webapp.test_assessments import as_user


def _url(cycle_id: int) -> str:
    return f"/reports/cycles/{cycle_id}/findings.{{fmt}}"


def _sheet_rows(body: bytes, sheet: str) -> dict[str, list[object]]:
    rows = load_workbook(io.BytesIO(body))[sheet].iter_rows(values_only=True)
    return {str(row[0]): list(row[1:]) for row in rows if row and row[0] is not None}


def test_every_format_shows_the_return_rate_ratings_change_themes_challenges_and_actions(
    app, db_session
):
    world = build_world(db_session, with_themes=True, with_schools=False)
    client = as_user(app, db_session, world.quality)
    texts = every_format(client, _url(world.this_year.id))
    for needle in (
        "Section 11 self-assessment findings report",
        "Returned on time",
        "Returned late",
        "Not returned and past the deadline",
        "Self-ratings by standard",
        "Moderated ratings by standard (where a reviewer recorded one)",
        "Change in self-rating since last cycle",
        THEME,
        "Shire Council",
        OUTCOME,
        "Waiting for an answer",
        ACTION,
        SCHOOL_ACTION,
        "Dale Family Charity",  # an agency: named beside its action
    ):
        assert_in_all(texts, needle)
    body = texts["xlsx_cells"]
    returns = _sheet_rows(body, "Returns")  # type: ignore[arg-type]
    assert returns["Organisations asked"] == [4]
    assert returns["Returned on time"] == [2]  # the police and Dale, by the deadline
    assert returns["Returned late"] == [1]  # the council, a day after
    assert returns["Not returned yet"] == [1]
    assert returns["Not returned and past the deadline"] == [1]
    standard_1 = next(k for k in _sheet_rows(body, "Ratings") if k.startswith("S11-1 "))  # type: ignore[arg-type]
    # Met, Partially met, Not met, N/A, Not answered
    assert _sheet_rows(body, "Ratings")[standard_1][:5] == [2, 1, 0, 0, 0]  # type: ignore[arg-type]
    assert _sheet_rows(body, "Moderated ratings")[standard_1] == [0, 1, 0, 0]  # type: ignore[arg-type]
    # Up, Down, Same, New, Changed to or from N/A
    assert _sheet_rows(body, "Change")[standard_1][:5] == [1, 0, 1, 1, 0]  # type: ignore[arg-type]
    assert _sheet_rows(body, "Themes")[THEME][:3] == [6, 0, 6]  # type: ignore[arg-type]
    pdf = normal(texts["pdf"])
    assert "Returned on time 2" in pdf and "Returned late 1" in pdf
    assert "theming run" in pdf.lower()


def test_schools_are_never_named_or_counted_under_five(app, db_session):
    world = build_world(db_session)  # Hill and Dale are schools; no theming run
    client = as_user(app, db_session, world.admin)
    texts = every_format(client, _url(world.this_year.id))
    for needle in (
        SUPPRESSED,
        "A school or college",  # Dale's open challenge and its action, without its name
        SCHOOL_ACTION,
        "No themes yet: no theming run has read this cycle’s answers.",
    ):
        assert_in_all(texts, needle)
    for fmt in ("html", "pdf", "docx", "xlsx"):
        text = normal(texts[fmt])
        assert "Dale Academy" not in text and "Hill Primary School" not in text, fmt
        assert SUPPRESSED in text, fmt
        assert FEWER_THAN in text, fmt
    returns = _sheet_rows(texts["xlsx_cells"], "Returns")  # type: ignore[arg-type]
    assert returns["Returned on time"] == [FEWER_THAN]
    assert returns["Organisations asked"] == [4]


def test_only_rated_organisation_cycles_have_a_findings_report(app, db_session):
    world = build_world(db_session)
    client = as_user(app, db_session, world.quality)
    assert client.get("/reports/cycles/999999/findings").status_code == 404
    assert client.get("/reports/cycles/999999/findings.pdf").status_code == 404
    reviewer = as_user(app, db_session, world.reviewer)  # reviewers: the pages, not the report
    assert reviewer.get(f"/reports/cycles/{world.this_year.id}/findings").status_code == 404
    page = client.get(f"/reports/cycles/{world.this_year.id}/findings").text
    assert f'href="/findings/cycles/{world.this_year.id}"' in page  # back to the grid
