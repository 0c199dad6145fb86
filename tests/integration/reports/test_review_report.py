"""The reports' reviews and audits section: decisions against the statutory working-day
clocks (in time, late, overdue), reviews completed, case audit findings with the actions of
the learning they became, and how agencies measured up against national reviews; in every
format of the six-monthly report, and never a child's case details."""

from __future__ import annotations

from datetime import date, timedelta

from learning.actions import create_action
from learning.models import LearningEntry
from learning.period_report import Period
from learning.review_report import reviews_and_audits
from surveys.models import CaseReview, Role, utcnow
from tests import factories
from tests.integration.reports.test_reports import assert_in_all, every_format, xlsx_cells

TODAY = utcnow().date()
PERIOD = Period(TODAY - timedelta(days=180), TODAY)


def _world(session):
    police = factories.OrganisationFactory(name="Riverside Police")
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    ids = factories.review_world(session, police, quality, reference="RR-2026-031")
    factories.review_world(session, police, quality, reference="RR-2026-032")
    ids.update(factories.audit_world(session, police, quality))
    ids.update(factories.national_world(session, police, quality))
    # the first review: panel told late (a Monday to Monday three weeks later: past 5 working
    # days), decided in time; the second: neither told nor decided, and past both deadlines
    first, second = session.query(CaseReview).order_by(CaseReview.id).all()
    aware = TODAY - timedelta(days=60)
    aware -= timedelta(days=aware.weekday())  # a Monday
    first.became_aware_on, first.panel_notified_on = aware, aware + timedelta(days=21)
    first.decided_on = aware + timedelta(days=14)
    second.became_aware_on, second.panel_notified_on, second.decided_on = aware, None, None
    second.decision = None
    entry = session.get(LearningEntry, _entry_of(session, ids["finding_id"]))
    create_action(
        session,
        description="Audit the child's words again",
        owner_organisation_id=police.id,
        due_date=TODAY + timedelta(days=30),
        created_by=quality,
        entry_id=entry.id,
    )
    session.commit()
    return ids


def _entry_of(session, finding_id: int) -> int:
    return session.query(LearningEntry.id).filter_by(audit_finding_id=finding_id).scalar()


def test_the_section_reads_decisions_completed_reviews_audits_and_national_answers(
    db_session,
):
    _world(db_session)
    section = reviews_and_audits(db_session, PERIOD, as_of=TODAY)
    outcomes = {(d.reference, d.clock): d.outcome for d in section.decisions}
    assert outcomes == {
        ("RR-2026-031", "Notify the national panel"): "Late",
        ("RR-2026-031", "Complete the rapid review"): "In time",
        ("RR-2026-032", "Notify the national panel"): "Overdue",
        ("RR-2026-032", "Complete the rapid review"): "Overdue",
    }
    assert section.decided_in_time == (1, 4)
    assert [c.reference for c in section.completed] == ["RR-2026-031"]  # decided; 032 is not
    assert section.completed[0].recommendations == 1 and section.completed[0].actions == 1
    (finding,) = section.audit_findings
    assert finding.text == "Hear the child" and finding.learning == "Hear the child"
    assert finding.actions == ("Audit the child's words again (Riverside Police, not started)",)
    (national,) = section.national
    assert (national.asked, national.answered, national.partly_in_place) == (1, 1, 1)
    assert national.in_place == 0 and national.actions == 0
    # a period before any of it: nothing falls due or is completed in it
    earlier = Period(date(2000, 1, 1), date(2000, 6, 30))
    old = reviews_and_audits(db_session, earlier, as_of=date(2000, 6, 30))
    assert old.decisions == () and old.completed == () and old.audit_findings == ()
    assert old.national == ()


def test_six_monthly_report_shows_the_section_in_every_format_without_case_details(
    client, login_as, db_session
):
    _world(db_session)
    login_as(factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None))
    texts = every_format(client, "/reports/six-monthly.{fmt}")
    for needle in (
        "Case reviews and audits",
        "1 of 4",
        "RR-2026-031",
        "Late",
        "Overdue",
        "Hear the child",
        "Audit the child's words again",
        "Agencies share information about risk at once",
        "Child protection in England",
    ):
        assert_in_all(texts, needle)
    for text in texts.values():
        assert "Child Name" not in str(text)  # review_world's restricted case details
    sheets = xlsx_cells(texts["xlsx_cells"])  # type: ignore[arg-type]
    row = next(r for r in sheets["National reviews"] if str(r[1]).startswith("1. Agencies"))
    assert row[2:7] == ["1 of 1", 0, 1, 0, 0]
