"""Case reviews through the pages and the jobs: recording, errors, restricted case details,
deadline flags emailed once each, and case details removed on their date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from surveys.case_reviews import details, records
from surveys.models import AuditEvent, CaseDetails, CaseReview, ReviewDeadlineAlert, Role, utcnow
from tests import factories
from tests.conftest import date_fields, post_with_csrf
from webapp.tasks import remove_case_details, send_review_alerts

AWARE = date(2026, 6, 1)  # a Monday: notify by Mon 8 June, rapid review by Mon 22 June


@pytest.fixture
def officer(db_session):
    return factories.UserFactory(role=Role.CASE_REVIEWER, organisation=None, name="Olu Officer")


@pytest.fixture
def quality(db_session):
    return factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None, name="Quinn Quality")


def _notification(**changes):
    return {
        "reference": "RR-2026-007",
        "incident_summary": "A baby was seriously injured at home.",
        **date_fields("became_aware_on", AWARE),
        **changes,
    }


def test_recording_a_notification_starts_its_clocks(client, login_as, db_session, quality):
    login_as(quality)
    form = {**_notification(), "owner_id": str(quality.id)}
    answer = post_with_csrf(client, "/reviews/new", form)
    assert answer.status_code == 302
    review = db_session.scalars(select(CaseReview)).one()
    assert (review.reference, review.owner_id) == ("RR-2026-007", quality.id)
    page = client.get(answer.headers["Location"]).text
    assert "Notify the national panel" in page and "8 June 2026" in page
    assert "22 June 2026" in page  # the rapid review: 15 working days
    assert "Case details (restricted" not in page  # the quality group never opens them
    listed = client.get("/reviews").text
    assert "RR-2026-007" in listed and "Overdue" in listed  # 1 June 2026 is long past


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "Jo Bloggs"}, "letters, numbers, hyphens or slashes, not a name"),
        (date_fields("became_aware_on", date(2099, 1, 1)), "must be today or in the past"),
        (date_fields("panel_notified_on", date(2026, 5, 1)), "between the date the partnership"),
        ({"became_aware_on-month": ""}, "must include a month"),
    ],
)
def test_a_notification_with_a_problem_is_refused_with_the_message(
    client, login_as, officer, changes, message
):
    login_as(officer)
    answer = post_with_csrf(client, "/reviews/new", _notification(**changes))
    assert answer.status_code == 400
    assert "There is a problem" in answer.text and message in answer.text


def test_a_reference_is_used_once(client, login_as, officer, db_session):
    login_as(officer)
    assert post_with_csrf(client, "/reviews/new", _notification()).status_code == 302
    again = post_with_csrf(client, "/reviews/new", _notification(reference="rr-2026-007"))
    assert again.status_code == 400 and "already exists" in again.text
    assert len(db_session.scalars(select(CaseReview)).all()) == 1


def test_only_an_independent_lead_reviewer_and_12_months_published(db_session, officer):
    review = _review(db_session, officer, decided=True)
    today = utcnow().date()
    with pytest.raises(records.CaseReviewError, match="must be independent"):
        records.record_local_review(
            db_session,
            review.id,
            records.LocalReview(lead_reviewer="A Reviewer", lead_reviewer_is_independent=False),
            by=officer,
            today=today,
        )
    published = records.LocalReview(
        lead_reviewer="A Reviewer",
        lead_reviewer_is_independent=True,
        publication_decision=records.PublicationDecision.PUBLISH_REPORT,
        publication_reasons="Learning for every agency",
        published_on=today,
        published_until=today + timedelta(days=300),
    )
    with pytest.raises(records.CaseReviewError, match="at least 12 months"):
        records.record_local_review(db_session, review.id, published, by=officer, today=today)


def _review(session, owner, *, decided=False, aware=AWARE, reference="RR-2026-010"):
    review = records.record_notification(
        session,
        records.Notification(reference, aware, owner_id=owner.id),
        recorded_by=owner,
    )
    if decided:
        records.record_decision(
            session,
            review.id,
            records.Decision(records.ReviewDecision.LOCAL_REVIEW, "Reasons", aware),
            by=owner,
        )
    return review


def test_case_details_open_to_case_review_officers_only_and_each_view_is_audited(
    client, login_as, db_session, officer, quality
):
    review = _review(db_session, officer)
    login_as(officer)
    form = {
        "child_name": "Ada Example",
        "ethnicity": "White British",
        **date_fields("date_of_birth", date(2025, 11, 2)),
        **date_fields("remove_on", utcnow().date() + timedelta(days=365 * 7)),
    }
    url = f"/reviews/{review.id}/case-details"
    assert post_with_csrf(client, url, form).status_code == 302
    shown = client.get(url)
    assert shown.status_code == 200 and 'value="Ada Example"' in shown.text
    assert "Ada Example" not in client.get(f"/reviews/{review.id}").text
    views = db_session.scalars(select(AuditEvent).where(AuditEvent.action == details.VIEWED)).all()
    assert [(v.user_id, v.object_id) for v in views][-1] == (officer.id, str(review.id))
    seen = len(views)
    login_as(quality)
    assert client.get(url).status_code == 404
    db_session.expire_all()
    assert (
        len(db_session.scalars(select(AuditEvent).where(AuditEvent.action == details.VIEWED)).all())
        == seen
    )


def test_deadline_flags_are_emailed_once_each_to_the_owner_and_officers(
    app, db_session, officer, quality, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    review = _review(db_session, quality)
    details.save_details(
        db_session,
        review.id,
        details.Details("Ada Example", utcnow().date() + timedelta(days=30)),
        by=officer,
        today=utcnow().date(),
    )
    assert send_review_alerts(app, today=date(2026, 6, 3)) == 0  # 2 of 5 working days
    assert send_review_alerts(app, today=date(2026, 6, 4)) == 1  # 3 of 5: half the time
    emails = smtp_server.wait_for(2)
    assert {e["To"] for e in emails} == {quality.email, officer.email}
    first = emails[0]
    assert first["Subject"] == "Case review RR-2026-010: notify the national panel half way"
    assert "due on Monday 8 June 2026" in first.get_content()
    assert "Ada Example" not in first.as_string()
    assert send_review_alerts(app, today=date(2026, 6, 4)) == 0  # never twice
    # Seen again after the due day: only "overdue" is sent, 80% passes silently; the rapid
    # review reaches half its time (8 of 15 working days) on 11 June.
    assert send_review_alerts(app, today=date(2026, 6, 12)) == 2
    subjects = sorted(e["Subject"] for e in smtp_server.wait_for(6)[2:])
    assert subjects == [
        "Case review RR-2026-010: complete the rapid review half way",
        "Case review RR-2026-010: complete the rapid review half way",
        "Case review RR-2026-010: notify the national panel overdue",
        "Case review RR-2026-010: notify the national panel overdue",
    ]
    recorded = db_session.scalars(select(ReviewDeadlineAlert)).all()
    assert sorted((a.clock, a.flag, a.emailed) for a in recorded) == [
        ("notify_panel", "half", True),
        ("notify_panel", "most", False),
        ("notify_panel", "overdue", True),
        ("rapid_review", "half", True),
    ]
    records.update_notification(
        db_session,
        review.id,
        records.Notification("RR-2026-010", AWARE, owner_id=quality.id, panel_notified_on=AWARE),
        by=quality,
    )
    assert send_review_alerts(app, today=date(2026, 6, 18)) == 1  # the rapid review at 80% only


def test_case_details_are_removed_on_their_date(app, db_session, officer):
    today = utcnow().date()
    due = _review(db_session, officer, reference="RR-2026-011")
    kept = _review(db_session, officer, reference="RR-2026-012")
    for review, days in ((due, 1), (kept, 400)):
        details.save_details(
            db_session,
            review.id,
            details.Details("Ada Example", today + timedelta(days=days)),
            by=officer,
            today=today,
        )
    assert remove_case_details(app, today=today) == 0
    assert remove_case_details(app, today=today + timedelta(days=1)) == 1
    db_session.expire_all()
    assert [d.review_id for d in db_session.scalars(select(CaseDetails))] == [kept.id]
    removed = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case_details.removed")
    ).one()
    assert (removed.object_id, removed.user_id) == (str(due.id), None)
    assert db_session.get(CaseReview, due.id) is not None  # the review itself stays


def test_asking_agencies_tells_their_leads_once_and_the_return_is_on_their_assessments(
    app, client, login_as, db_session, officer, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    police = factories.OrganisationFactory(name="Riverside Police")
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=police)
    review = _review(db_session, officer, aware=utcnow().date() - timedelta(days=2))
    login_as(officer)
    url = f"/reviews/{review.id}/information"
    assert post_with_csrf(client, url, {"organisations": str(police.id)}).status_code == 302
    (email,) = smtp_server.wait_for(1)
    assert email["To"] == lead.email
    assert email["Subject"] == "Asked of your organisation: Rapid review information: RR-2026-010"
    assert post_with_csrf(client, url, {"organisations": str(police.id)}).status_code == 302
    db_session.expire_all()
    cycle = db_session.get(CaseReview, review.id).information_cycle
    assert [a.organisation_id for a in cycle.assignments] == [police.id]
    login_as(lead)
    assert "Rapid review information: RR-2026-010" in client.get("/assessments").text
    assert len(smtp_server.messages) == 1  # asked again: nothing new to tell
    login_as(officer)
    none_chosen = post_with_csrf(client, url, {})
    assert none_chosen.status_code == 400 and "Select the agencies" in none_chosen.text
