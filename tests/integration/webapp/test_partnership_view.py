"""The partnership's view of ratings: organisations by standards with moderated ratings and the
change since last cycle, filters, small-group suppression, one standard, one organisation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from surveys import cycles, ratings, responses, tenancy
from surveys.loader import load_definitions
from surveys.models import OrganisationKind, Partnership, Role, Sector, utcnow
from surveys.small_groups import FEWER_THAN, SUPPRESSED
from tests import factories
from tests.integration.webapp.findings_world import (
    MODERATION_REASON,
    RATED,
    SECTION_11,
    build_world,
    publish,
)
from tests.integration.webapp.test_assessments import as_user
from tests.integration.webapp.test_ratings_grid import grid_rows

HIDDEN = re.compile(r'<span class="govuk-visually-hidden">.*?</span>', re.S)


@pytest.fixture
def world(app, db_session):
    return build_world(db_session)


def _table(html: str, caption: str) -> dict[str, list[str]]:
    """A table's rows by their first cell, as text (hidden words left out)."""
    body = html.split(f"{caption}</caption>")[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        text = [" ".join(re.sub(r"<[^>]+>", " ", re.sub(HIDDEN, "", c)).split()) for c in cells]
        rows[text[0]] = text[1:]
    return rows


def test_each_cell_sets_self_rating_moderated_rating_and_change_side_by_side(
    app, db_session, world
):
    page = as_user(app, db_session, world.admin).get(f"/findings/cycles/{world.this_year.id}")
    assert page.status_code == 200
    rows = grid_rows(page.text)
    police = rows["Shire Police"]
    assert police[:2] == ["Police", "Submitted"]
    assert police[2] == "Met Moderated: Partially met ↑ Up"  # carried forward, changed up
    assert police[3] == "Not met ↓ Down"
    assert police[4] == "Partially met Same"
    assert rows["Shire Council"][2:4] == ["Partially met Same", "Partially met Same"]
    assert rows["Dale Academy"][2] == "Met New"  # no return last year
    assert rows["Hill Primary School"][1:3] == ["Not started", "–"]
    # the words say what the colours say, and what it was before
    assert (
        '↑ Up</strong><span class="govuk-visually-hidden"> since last cycle (was Partially met)'
        in page.text
    )
    assert '<th scope="col" class="govuk-table__header">S11-1</th>' in page.text
    row_header = '<th scope="row" class="govuk-table__header"><a class="govuk-link" href='
    assert f'{row_header}"/findings/organisations/{world.police.id}">Shire Police' in page.text


def test_filters_by_sector_and_kind_without_javascript(app, db_session, world):
    client = as_user(app, db_session, world.quality)
    url = f"/findings/cycles/{world.this_year.id}"
    agencies = client.get(url, query_string={"kind": "agency"}).text
    assert set(grid_rows(agencies)) == {"Shire Police", "Shire Council"}
    assert '<option value="agency" selected>' in agencies  # the form keeps the choice
    schools = client.get(url, query_string={"sector": "education"}).text
    assert set(grid_rows(schools)) == {"Hill Primary School", "Dale Academy"}
    police = client.get(url, query_string={"sector": "police", "kind": "agency"}).text
    assert set(grid_rows(police)) == {"Shire Police"}
    forgiving = client.get(url, query_string={"sector": "<script>", "kind": "x"})
    assert forgiving.status_code == 200  # a filter that is no choice means every one
    assert len(grid_rows(forgiving.text)) == 4
    assert "<script>" not in forgiving.text.split("<main")[1]


def test_agencies_summary_counts_each_rating_and_change(app, db_session, world):
    page = as_user(app, db_session, world.admin).get(
        f"/findings/cycles/{world.this_year.id}", query_string={"kind": "agency"}
    )
    rated = _table(page.text, "Self-ratings of each standard")
    assert rated["Standard"] == ["Met", "Partially met", "Not met", "N/A", "Not answered"]
    assert rated["S11-1"] == ["1", "1", "0", "0", "0"]
    assert rated["S11-2"] == ["0", "1", "1", "0", "0"]
    changes = _table(page.text, "Change since last cycle")
    assert changes["Standard"] == ["Up", "Down", "Same", "New", "Changed to or from N/A"]
    assert changes["S11-1"] == ["1", "0", "1", "0", "0"]
    assert changes["S11-2"] == ["0", "1", "1", "0", "0"]
    assert SUPPRESSED not in page.text


def test_a_summary_over_fewer_than_five_organisations_with_a_school_is_not_shown(
    app, db_session, world
):
    client = as_user(app, db_session, world.admin)
    for query in ({}, {"sector": "education"}, {"kind": "school"}):
        page = client.get(f"/findings/cycles/{world.this_year.id}", query_string=query).text
        assert SUPPRESSED in page
        assert "Self-ratings of each standard" not in page
        assert "so no count could single out one school" in page


def _five_schools_and_one(db_session, kind: OrganisationKind):
    """Six organisations of one kind: five rate S11-1 met, one not met."""
    factories.bind(db_session)
    organisations = [
        factories.OrganisationFactory(name=f"{kind.label} {n}", sector=Sector.EDUCATION, kind=kind)
        for n in range(6)
    ]
    cycle = publish(db_session, "S11 many", organisations, opened=10, closed=-10)
    question = RATED[0][1]
    for n, organisation in enumerate(organisations):
        responses.record_submitted_response(
            db_session,
            cycle,
            SECTION_11,
            responses.CompleteResponse(
                {question.id: ratings.rating_answer(question, "not_met" if n == 5 else "met")},
                submitted_at=utcnow() - timedelta(days=1),
                organisation_id=organisation.id,
            ),
        )
    db_session.commit()
    return cycle


def test_counts_under_five_that_cover_schools_are_suppressed_and_agencies_are_not(
    app, db_session, admin
):
    schools = _five_schools_and_one(db_session, OrganisationKind.SCHOOL)
    agencies = _five_schools_and_one(db_session, OrganisationKind.AGENCY)
    client = as_user(app, db_session, admin)
    page = client.get(f"/findings/cycles/{schools.id}").text
    assert _table(page, "Self-ratings of each standard")["S11-1"] == [
        "5",
        "0",
        FEWER_THAN,
        "0",
        "0",
    ]
    assert _table(page, "Self-ratings of each standard")["S11-2"] == ["0", "0", "0", "0", "6"]
    assert "any count from 1 to 4 is shown as “fewer than 5”" in page  # the rule, stated
    page = client.get(f"/findings/cycles/{agencies.id}").text
    assert _table(page, "Self-ratings of each standard")["S11-1"] == ["5", "0", "1", "0", "0"]
    standard = client.get(f"/findings/cycles/{schools.id}/standards/S11-1").text
    assert _table(standard, "Self-ratings and moderated ratings")["Not met"] == [FEWER_THAN, "0"]


def test_one_standard_across_the_partnership(app, db_session, world):
    client = as_user(app, db_session, world.reviewer)
    url = f"/findings/cycles/{world.this_year.id}/standards/S11-1"
    page = client.get(url, query_string={"kind": "agency"})
    assert page.status_code == 200
    assert SECTION_11.pages[0].standard is not None
    summary = _table(page.text, "Self-ratings and moderated ratings")
    assert summary["Met"] == ["1", "0"]
    assert summary["Partially met"] == ["1", "1"]
    assert _table(page.text, "Change since last cycle")["Up"] == ["1"]
    organisations = _table(page.text, "Each organisation’s rating of S11-1")
    assert organisations["Shire Police"] == [
        "Police",
        "Met",
        "Partially met",
        "Partially met",
        "↑ Up",
    ]
    assert organisations["Shire Council"] == [
        "Local authority",
        "Partially met",
        "Not moderated",
        "Partially met",
        "Same",
    ]
    every = client.get(url).text  # with the schools: the summary is suppressed, names shown
    assert SUPPRESSED in every
    assert "Dale Academy" in every and "Hill Primary School" not in every  # not returned
    assert client.get(f"/findings/cycles/{world.this_year.id}/standards/S11-99").status_code == 404


def test_an_organisation_s_ratings_across_cycles(app, db_session, world):
    client = as_user(app, db_session, world.quality)
    page = client.get(f"/findings/organisations/{world.police.id}")
    assert page.status_code == 200
    table = _table(page.text, "Section 11 self-assessment: each standard’s rating, cycle by cycle")
    assert table["Standard"] == ["Section 11 2025", "Section 11 2026"]
    first = next(key for key in table if key.startswith("S11-1:"))
    assert table[first] == ["Partially met", "Met Moderated: Partially met"]
    second = next(key for key in table if key.startswith("S11-2:"))
    assert table[second] == ["Partially met", "Not met"]
    assert MODERATION_REASON not in page.text  # reasons stay on the return's scrutiny
    hill = _table(
        client.get(f"/findings/organisations/{world.hill.id}").text,
        "Section 11 self-assessment: each standard’s rating, cycle by cycle",
    )
    assert hill["Standard"] == ["Section 11 2025"]  # this year's is not submitted
    dale = client.get(f"/findings/organisations/{world.dale.id}").text
    assert "Section 11 2025" not in dale and "Section 11 2026" in dale
    assert client.get("/findings/organisations/999999").status_code == 404


def test_the_pages_are_linked_from_where_people_look(app, db_session, world):
    admin = as_user(app, db_session, world.admin)
    detail = admin.get(f"/admin/cycles/{world.this_year.id}").text
    assert f'href="/findings/cycles/{world.this_year.id}"' in detail
    assert f'href="/reports/cycles/{world.this_year.id}/findings"' in detail
    reviewer = as_user(app, db_session, world.reviewer)
    scrutiny = reviewer.get(f"/scrutiny/cycles/{world.this_year.id}").text
    assert f'href="/findings/cycles/{world.this_year.id}"' in scrutiny
    index = reviewer.get("/findings").text
    assert "Section 11 2026" in index and "Section 11 2025" in index
    assert "findings report" not in index  # the report is the quality group's and admins'
    assert "findings report" in as_user(app, db_session, world.quality).get("/findings").text


def test_another_partnership_sees_none_of_it(app, db_session, world):
    first = tenancy.partnership_of(db_session)
    other = Partnership(name="Neighbouring Partnership")
    db_session.add(other)
    db_session.commit()
    tenancy.work_in(db_session, other.id)
    theirs = factories.person_holding(db_session, {Role.QUALITY_GROUP, Role.REVIEWER})
    tenancy.work_in(db_session, first)
    client = as_user(app, db_session, theirs)
    cycle_id = world.this_year.id
    assert client.get(f"/findings/cycles/{cycle_id}").status_code == 404
    assert client.get(f"/findings/cycles/{cycle_id}/standards/S11-1").status_code == 404
    assert client.get(f"/findings/organisations/{world.police.id}").status_code == 404
    assert client.get(f"/reports/cycles/{cycle_id}/findings").status_code == 404
    assert client.get(f"/reports/cycles/{cycle_id}/findings.xlsx").status_code == 404
    assert "Section 11 2026" not in client.get("/findings").text


def test_only_cycles_of_rated_standards_have_the_view(app, db_session, world, admin):
    training = cycles.publish_cycle(
        db_session,
        load_definitions().latest("training-evaluation"),
        cycles.NewCycle(
            "Feedback on courses", utcnow() - timedelta(days=1), utcnow() + timedelta(days=9)
        ),
        created_by=None,
    )
    client = as_user(app, db_session, admin)
    assert client.get(f"/findings/cycles/{training.id}").status_code == 404
    assert client.get(f"/reports/cycles/{training.id}/findings").status_code == 404
    assert "Feedback on courses" not in client.get("/findings").text  # (the menu has Training)
