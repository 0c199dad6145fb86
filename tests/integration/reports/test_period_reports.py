"""The six-monthly and yearly reports cover a period, not a run: themes per evidence stream,
subjects that recur across streams, the group's written sections and the chair's sign-off."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from learning import actions, log, narratives, runs, selection
from learning.models import ActionStatus, ReportKind
from learning.period import last_complete_year, last_six_months, reporting_year
from learning.stream_themes import period_themes
from surveys import tenancy
from surveys.loader import load_definitions
from surveys.models import AuditEvent, Partnership, Role, utcnow
from tests import factories
from tests.conftest import post_with_csrf
from tests.integration.reports.period_world import PeriodWorld, build_period_world
from tests.integration.reports.test_reports import assert_in_all, every_format, normal

SUMMARY = "Escalation between agencies is the partnership's first priority this half-year."
LEARNED = "Practitioners and agencies both said escalation is unclear."
TODAY = utcnow().date()
SIX_MONTHS = last_six_months(TODAY)
QUERY = f"from={SIX_MONTHS.start}&to={SIX_MONTHS.end}"


@pytest.fixture
def world(app, db_session) -> PeriodWorld:
    return build_period_world(db_session, load_definitions())


def _write(client, summary: str = SUMMARY, **more: str):
    return post_with_csrf(
        client,
        f"/reports/six-monthly/written?{QUERY}",
        {"summary": summary, "learned": LEARNED, "will_do": "", "changed": "", **more},
    )


def _sign(client, **fields: str):
    data = {
        "chair_name": "Sam Chair",
        "chair_role": "Independent Chair",
        "signed_on-day": str(TODAY.day),
        "signed_on-month": str(TODAY.month),
        "signed_on-year": str(TODAY.year),
        **fields,
    }
    return post_with_csrf(client, f"/reports/six-monthly/sign-off?{QUERY}", data)


# Which run each stream's themes come from ----------------------------------------------------


def test_each_stream_shows_the_latest_run_that_read_it_and_no_run_from_before_the_period(
    world, db_session
):
    found = {s.key: s for s in period_themes(db_session, SIX_MONTHS).streams}
    assert found["practitioners"].run_id == world.practitioners_run
    assert found["section_11_175"].run_id == world.section_11_run
    assert found["children_families"].run_id == world.children_run
    assert found["training"].run_id is None  # its only run finished 400 days ago
    assert [t.summary.shown_label for t in found["children_families"].themes] == (
        world.labels[world.children_run]
    )
    assert all(s.shared_with == () for s in found.values())
    long_ago = period_themes(db_session, reporting_year(TODAY.year - 3))
    assert {s.run_id for s in long_ago.streams} == {None}


def test_a_later_run_over_every_stream_serves_each_stream_and_says_so(world, db_session):
    pipeline = runs_pipeline()
    run = runs.start_run(db_session, selection.Selection(), started_by=world.quality)
    runs.execute_run(db_session, run.id, pipeline=pipeline, registry=load_definitions())
    found = {s.key: s for s in period_themes(db_session, SIX_MONTHS).streams}
    for key in ("practitioners", "section_11_175", "children_families", "training"):
        assert found[key].run_id == run.id  # it read every stream's answers, training's too
        assert len(found[key].shared_with) == 3


def runs_pipeline():
    from nlp.embedding import HashingEmbedder
    from nlp.pipeline import ThemingPipeline
    from nlp.theming import SklearnThemer

    return ThemingPipeline(embedder=HashingEmbedder(), themer=SklearnThemer())


# Subjects that recur across streams ----------------------------------------------------------


def test_a_subject_raised_by_practitioners_and_in_section_11_recurs(world, db_session):
    recurring = period_themes(db_session, SIX_MONTHS).recurring
    assert len(recurring) == 1
    subject = recurring[0]
    assert dict(subject.streams) == {"Practitioners": 8, "Section 11 and Section 175": 8}
    assert subject.label in world.labels[world.practitioners_run]
    assert "similar themes" in subject.how
    for label in world.labels[world.children_run]:
        assert label not in " ".join(subject.themes)


def test_a_learning_log_entry_holding_two_streams_themes_makes_a_recurring_subject(
    world, db_session
):
    child_theme = runs.visible_themes(db_session, world.children_run)[0]
    practitioners = runs.visible_themes(db_session, world.practitioners_run)
    entry = log.create_entry_from_theme(db_session, child_theme.id, created_by=world.quality)
    log.link_theme(db_session, entry.id, practitioners[0].id)
    recurring = period_themes(db_session, SIX_MONTHS).recurring
    linked = [s for s in recurring if "learning log entry" in s.how]
    assert len(linked) == 1
    assert {name for name, _ in linked[0].streams} == {"Children and families", "Practitioners"}


# The report: streams, recurring subjects, appendix, draft ------------------------------------


def test_six_monthly_report_shows_every_stream_the_recurring_subject_and_a_method_appendix(
    client, login_as, world
):
    login_as(world.quality)
    texts = every_format(client, f"/reports/six-monthly.{{fmt}}?{QUERY}")
    for run_id in (world.practitioners_run, world.section_11_run, world.children_run):
        for label in world.labels[run_id]:
            assert_in_all(texts, label)
        assert_in_all(texts, f"Theming run {run_id}")
    for label in world.labels[world.training_run]:
        assert normal(label) not in normal(texts["html"])
    assert_in_all(texts, "Subjects that recur across streams")
    assert_in_all(texts, "Draft — not signed off")
    html = texts["html"]
    appendix = html.index("Appendix: method and parameters")
    assert html.index("Embedding model") > appendix
    assert html.index("Non-answers left out") > appendix
    assert html.index("Themes by evidence stream") < appendix


# Written sections --------------------------------------------------------------------------


def test_the_group_writes_its_sections_and_they_show_in_every_format_but_never_in_the_log(
    client, login_as, world, caplog
):
    login_as(world.quality)
    page = client.get(f"/reports/six-monthly/written?{QUERY}")
    assert page.status_code == 200 and 'name="summary"' in page.text
    with caplog.at_level(logging.DEBUG):
        response = _write(client)
    assert response.status_code == 302
    assert SUMMARY not in caplog.text and LEARNED not in caplog.text
    texts = every_format(client, f"/reports/six-monthly.{{fmt}}?{QUERY}")
    assert_in_all(texts, SUMMARY)
    assert_in_all(texts, LEARNED)
    assert_in_all(texts, "Draft — not signed off")
    again = client.get(f"/reports/six-monthly/written?{QUERY}")
    assert "partnership&#39;s first priority" in again.text  # the form keeps what was saved
    index = client.get("/reports/")
    assert "Six-monthly report" in index.text and "Draft" in index.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"summary": "", "learned": ""}, "Write at least one section"),
        ({"summary": "x" * 10_001}, "Summary must be 10,000 characters or fewer"),
        ({"learned": "bad\x00text"}, "must not contain hidden control characters"),
    ],
)
def test_bad_sections_get_a_govuk_error_and_nothing_is_saved(
    client, login_as, world, db_session, data, message
):
    login_as(world.quality)
    response = _write(client, **data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and message in response.text
    assert response.text.count("<title>Error: ") == 1
    found = narratives.narrative_of(db_session, ReportKind.SIX_MONTHLY, SIX_MONTHS)
    assert found.text.is_empty


# Sign-off, lock and reopen ---------------------------------------------------------------------


def _audits(db_session) -> list[str]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "report_narrative")
            .order_by(AuditEvent.id)
        )
    )


def test_the_chair_signs_off_which_locks_the_sections_until_reopened(
    client, login_as, world, db_session
):
    login_as(world.quality)
    nothing = client.get(f"/reports/six-monthly/sign-off?{QUERY}")
    assert "Write the quality group’s sections" in nothing.text
    assert _write(client).status_code == 302
    missing = _sign(client, chair_name="", **{"signed_on-day": ""})
    assert missing.status_code == 400
    assert "Enter the chair&#39;s name" in missing.text
    assert "The date of sign-off must include a day" in missing.text
    tomorrow = TODAY + timedelta(days=1)
    future = _sign(
        client,
        **{
            "signed_on-day": str(tomorrow.day),
            "signed_on-month": str(tomorrow.month),
            "signed_on-year": str(tomorrow.year),
        },
    )
    assert future.status_code == 400 and "today or in the past" in future.text
    assert _sign(client).status_code == 302
    line = f"Signed off by Sam Chair, Independent Chair, on {TODAY.day} {TODAY:%B %Y}"
    texts = every_format(client, f"/reports/six-monthly.{{fmt}}?{QUERY}")
    assert_in_all(texts, line)
    for fmt in ("html", "pdf", "docx", "xlsx"):
        assert "Draft — not signed off" not in texts[fmt], fmt
    locked = _write(client, summary="A change after sign-off")
    assert locked.status_code == 409 and "Reopen it to make changes" in locked.text
    assert 'href="#reopen"' in locked.text and 'id="reopen"' in locked.text
    found = narratives.narrative_of(db_session, ReportKind.SIX_MONTHLY, SIX_MONTHS)
    assert found.text.summary == SUMMARY
    assert _sign(client).status_code == 400  # signed once only
    reopened = post_with_csrf(
        client,
        f"/reports/six-monthly/written?{QUERY}",
        {},
        action=f"/reports/six-monthly/reopen?{QUERY}",
    )
    assert reopened.status_code == 302
    db_session.expire_all()
    assert narratives.narrative_of(db_session, ReportKind.SIX_MONTHLY, SIX_MONTHS).sign_off is None
    page = client.get(f"/reports/six-monthly?{QUERY}")
    assert "Draft — not signed off" in page.text and "Sam Chair" not in page.text
    assert _write(client, summary="Changed after reopening").status_code == 302
    assert _audits(db_session) == [
        "report.narrative_saved",
        "report.signed_off",
        "report.reopened",
        "report.narrative_saved",
    ]


def test_an_admin_may_sign_off_and_an_organisation_lead_may_not_see_the_pages(
    client, login_as, world
):
    login_as(world.admin)
    assert _write(client).status_code == 302
    assert _sign(client).status_code == 302
    login_as(world.lead)
    assert client.get(f"/reports/six-monthly/written?{QUERY}").status_code == 404
    assert client.get(f"/reports/six-monthly/sign-off?{QUERY}").status_code == 404
    home = client.get("/")
    assert 'href="/reports/"' not in home.text


def test_the_navigation_links_to_reports_for_the_quality_group(client, login_as, world):
    login_as(world.quality)
    home = client.get("/")
    assert re.search(r'href="/reports/">\s*Reports\s*<', home.text)


# Partnerships -------------------------------------------------------------------------------


def test_another_partnerships_sections_never_show(client, login_as, world, db_session):
    mine = tenancy.partnership_of(db_session)
    other = Partnership(name="Neighbouring Partnership")
    db_session.add(other)
    db_session.commit()
    with tenancy.working_in(db_session, other.id):
        theirs = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
        text = narratives.NarrativeText(summary="NEIGHBOURCANARY their own summary")
        narratives.save_narrative(
            db_session, ReportKind.SIX_MONTHLY, SIX_MONTHS, text, edited_by=theirs
        )
    tenancy.work_in(db_session, mine)
    login_as(world.quality)
    for url in (
        f"/reports/six-monthly?{QUERY}",
        f"/reports/six-monthly/written?{QUERY}",
        "/reports/",
    ):
        page = client.get(url)
        assert page.status_code == 200 and "NEIGHBOURCANARY" not in page.text, url
    assert "Draft — not signed off" in client.get(f"/reports/six-monthly?{QUERY}").text


# The yearly report ---------------------------------------------------------------------------


def test_yearly_report_covers_a_reporting_year_with_training_and_completed_actions(
    client, login_as, world, db_session
):
    theme = runs.visible_themes(db_session, world.children_run)[0]
    entry = log.create_entry_from_theme(db_session, theme.id, created_by=world.quality)
    action = actions.create_action(
        db_session,
        description="Tell children who their worker is",
        owner_organisation_id=world.lead.organisation_id,
        due_date=TODAY,
        created_by=world.quality,
        entry_id=entry.id,
    )
    action.status, action.completed_at = ActionStatus.DONE, utcnow()
    action.evidence_of_impact = "Children's survey: 9 in 10 now know their worker"
    db_session.commit()
    login_as(world.quality)
    this_year = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
    texts = every_format(client, f"/reports/yearly.{{fmt}}?year={this_year}")
    for needle in (
        "Yearly report of the safeguarding partnership",
        f"1 April {this_year} to 31 March {this_year + 1}",
        "Training reach and impact",
        "Actions completed in the year, and their impact",
        "9 in 10 now know their worker",
        "Case reviews and audits",
        "Draft — not signed off",
        *world.labels[world.children_run],
    ):
        assert_in_all(texts, needle)
    default = client.get("/reports/yearly")
    start = last_complete_year(TODAY)
    assert f"1 April {start} to 31 March {start + 1}" in default.text


@pytest.mark.parametrize("year", ["1990", "next", "9" * 50])
def test_a_year_not_offered_gets_a_govuk_error(client, login_as, world, year):
    login_as(world.quality)
    for path in ("/reports/yearly", "/reports/yearly.pdf"):
        response = client.get(f"{path}?year={year}")
        assert response.status_code == 400
        assert "Choose a reporting year from the list" in response.text
        assert response.text.count("<title>Error: ") == 1


def test_yearly_sections_are_their_own_report(client, login_as, world, db_session):
    login_as(world.quality)
    year = reporting_year(last_complete_year(TODAY))
    response = post_with_csrf(
        client,
        "/reports/yearly/written",
        {"summary": "Our year", "learned": "", "will_do": "", "changed": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/yearly?year={year.start.year}")
    found = narratives.narrative_of(db_session, ReportKind.YEARLY, year)
    assert found.text.summary == "Our year"
    assert narratives.narrative_of(db_session, ReportKind.SIX_MONTHLY, year).text.is_empty
    assert "Our year" in client.get(f"/reports/yearly?year={year.start.year}").text
