"""A course's session link: the evaluation asks the course's own outcomes and the organisation,
the follow-up is the trainee's own, linked without their email, reminded once; the dashboard
rolls confidence up per person, suppresses small groups and shows organisations only their own
staff; attendance is erased on its date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import (
    FollowUpRequest,
    Response,
    Role,
    TraineeFollowUp,
    TrainingAttendance,
    utcnow,
)
from surveys.training import figures, programme
from surveys.training.keys import person_key
from tests import factories
from tests.conftest import csrf_from, inspect_session, make_app
from tests.integration.webapp.test_respond import answer, start, submit


@pytest.fixture
def world(smtp_server):
    app = make_app(MAIL_PORT=smtp_server.port)
    session = inspect_session(app)
    factories.bind(session)
    home = factories.OrganisationFactory(name="Riverside Police")
    away = factories.OrganisationFactory(name="Riverside Health")
    ids = factories.training_world(session, home)
    now = utcnow()
    cycles.publish_cycle(
        session,
        load_definitions().latest("training-follow-up"),
        cycles.NewCycle("Follow-ups", now - timedelta(days=1), now + timedelta(days=200)),
        created_by=None,
    )
    held = programme.session_or_none(session, ids["session_id"])
    yield app, session, held, home, away, smtp_server
    session.close()


def evaluate(client, link, organisation_id: int, before: str, after: str, email: str = ""):
    submission_id = start(client, link)
    pages = {
        "about_you": {"organisation": f"org-{organisation_id}"},
        "the_course": {"relevance": "4", "quality": "5", "learnt_new": "4"},
        "confidence": {
            "outcome_1-before": before,
            "outcome_1-after": after,
            "outcome_2-before": before,
            "outcome_2-after": after,
        },
        "your_practice": {"do_differently": "Refer to early help sooner"},
        "follow_up": {"follow_up_consent": "yes" if email else "no", "follow_up_email": email},
    }
    for page_id, data in pages.items():
        assert answer(client, link, page_id, data).status_code == 302, page_id
    return submit(client, link, submission_id)


def test_the_evaluation_asks_the_courses_own_outcomes_and_the_organisation(world):
    app, session, held, home, *_ = world
    client = app.test_client()
    start(client, held.link)
    about = client.get(f"/f/{held.link.token}/about_you")
    assert "Which organisation do you work for?" in about.text
    assert "Riverside Police" in about.text and "Another organisation" in about.text
    confidence = client.get(f"/f/{held.link.token}/confidence")
    assert "Recognise the signs of neglect" in confidence.text
    assert "Know when to refer to early help" in confidence.text
    first = client.get(f"/f/{held.link.token}")
    assert "Neglect: recognising and responding" in first.text


def test_the_follow_up_is_linked_by_a_key_never_the_email_and_reminded_once(world):
    app, session, held, home, _, smtp = world
    from webapp.tasks import send_due_follow_ups

    client = app.test_client()
    done = evaluate(client, held.link, home.id, "2", "4", email=" Trainee@Example.org ")
    page = client.get(done.headers["Location"])
    due = (utcnow() + timedelta(weeks=6)).date()
    assert f"on {due.strftime('%-d %B %Y')}" in page.text
    evaluation = session.scalar(select(Response).where(Response.public_link_id == held.link_id))
    assert "example.org" not in str(evaluation.answers).lower()
    chain = session.scalar(select(TraineeFollowUp))
    assert chain.person_key != "" and "@" not in chain.person_key
    assert session.scalar(select(FollowUpRequest)) is None  # not the generic follow-up
    assert send_due_follow_ups(app) == 0
    with freeze_time(utcnow() + timedelta(weeks=6, hours=1)):
        assert send_due_follow_ups(app) == 1
        assert send_due_follow_ups(app) == 0
    (email,) = smtp.wait_for(1)
    assert "Neglect: recognising and responding" in email["Subject"]
    assert held.held_on.strftime("%-d %B %Y") in email.get_content()
    with freeze_time(utcnow() + timedelta(weeks=8, hours=2)):
        assert send_due_follow_ups(app) == 1  # the one reminder
        assert send_due_follow_ups(app) == 0  # the job run again: never a second
    with freeze_time(utcnow() + timedelta(weeks=12)):
        assert send_due_follow_ups(app) == 0  # never a second
    reminder = smtp.wait_for(2)[1]
    assert "Reminder: how has Neglect: recognising and responding" in reminder["Subject"]
    assert held.held_on.strftime("%-d %B %Y") in reminder.get_content()
    session.expire_all()
    assert session.scalar(select(TraineeFollowUp.email)) == ""  # erased after the reminder


def test_a_course_follow_up_answered_gets_no_reminder(world):
    app, session, held, home, _, smtp = world
    from webapp.tasks import send_due_follow_ups

    evaluate(app.test_client(), held.link, home.id, "2", "4", email="answers@example.org")
    with freeze_time(utcnow() + timedelta(weeks=6, hours=1)):
        assert send_due_follow_ups(app) == 1
        chain_id = session.scalar(select(TraineeFollowUp.id))
        _answer_follow_up(app, session, chain_id, "4")
    session.expire_all()
    assert session.scalar(select(TraineeFollowUp.email)) == ""  # answered: address erased
    with freeze_time(utcnow() + timedelta(weeks=9)):
        assert send_due_follow_ups(app) == 0  # no reminder after an answer
        assert send_due_follow_ups(app) == 0
    assert len(smtp.wait_for(1)) == 1


def test_the_same_person_on_the_same_course_gets_the_same_key():
    secret = b"s" * 32
    assert person_key(secret, "Trainee@Example.org ", 1) == person_key(
        secret, "trainee@example.org", 1
    )
    assert person_key(secret, "trainee@example.org", 1) != person_key(
        secret, "trainee@example.org", 2
    )
    assert person_key(b"t" * 32, "trainee@example.org", 1) != person_key(
        secret, "trainee@example.org", 1
    )


def _answer_follow_up(app, session, chain_id: int, now_level: str) -> None:
    from surveys.training import chain as trainee_chain

    token = trainee_chain.open_personal_link(session, chain_id, utcnow())
    session.commit()
    client = app.test_client()
    link = cycles.find_link(session, token)
    submission_id = start(client, link)
    pages = {
        "using_learning": {
            "used_learning": "3",
            "changed_practice": "I refer to early help sooner",
            "outcome_1_now": now_level,
            "outcome_2_now": now_level,
        },
        "barriers": {"barrier_types": "time"},
        "manager": {"with_manager": "no"},
    }
    for page_id, data in pages.items():
        assert answer(client, link, page_id, data).status_code == 302, page_id
    assert submit(client, link, submission_id).status_code == 302


def test_confidence_is_rolled_up_per_person_with_small_groups_suppressed(world):
    app, session, held, home, away, _ = world
    for n in range(5):
        evaluate(app.test_client(), held.link, home.id, "2", "4", email=f"p{n}@example.org")
    # the same person answering twice counts once: their newest evaluation
    evaluate(app.test_client(), held.link, home.id, "1", "3", email="P0@example.org")
    evaluate(app.test_client(), held.link, away.id, "3", "5")  # one trainee from health
    chains = session.scalars(select(TraineeFollowUp).order_by(TraineeFollowUp.id)).all()
    _answer_follow_up(app, session, chains[1].id, "5")
    session.expire_all()
    found = figures.dashboard(session, course_id=held.course_id)
    assert found.overall.evaluated == 6  # p0 once, p1-p4, the health trainee
    confidence = found.overall.confidence
    assert confidence.before_n == 6 and confidence.follow_up_n == 1
    assert confidence.follow_up == 5.0 and confidence.change == 3.0 and confidence.change_n == 1
    by_organisation = {g.label: g for g in found.by_organisation}
    assert by_organisation["Riverside Police"].evaluated == 5
    health = by_organisation["Riverside Health"]
    assert health.is_suppressed and health.evaluated == "fewer than 5"
    assert health.confidence.before is None and health.quality is None
    assert found.overall.attended == 1  # the register: one attendee, from the police
    assert sum(g.attended for g in found.by_sector) == 1  # counted in the police's sector
    own = figures.training_figures_for_organisation(
        session, held.partnership_id, away.id, held.held_on, held.held_on
    )
    assert own.is_suppressed and own.confidence.after is None


def test_organisation_people_see_only_their_own_staffs_figures(world):
    app, session, held, home, away, _ = world
    for _n in range(5):
        evaluate(app.test_client(), held.link, away.id, "2", "4")
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=home)
    from surveys import accounts

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, lead)
    page = client.get("/training/dashboard")
    assert page.status_code == 200
    assert "Figures for your organisation" in page.text
    assert "Riverside Health" not in page.text
    export = client.get("/training/dashboard.csv")
    assert "Riverside Health" not in export.text
    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, admin)
    assert "Riverside Health" in client.get("/training/dashboard").text


def test_attendance_is_erased_on_its_date_and_files_are_all_or_nothing(world):
    app, session, held, *_ = world
    with pytest.raises(programme.AttendanceFileError) as refused:
        programme.read_attendance_csv(b"name,email,organisation\nAl,al@example.org,X\n,bad,Y\n")
    assert refused.value.problems == ["Row 3: Enter the attendee's name"]
    rows = programme.read_attendance_csv(b"name,email,organisation\nAl,al@example.org,X\n")
    assert programme.import_attendance(session, held.id, rows) == 1
    from webapp.tasks import erase_attendance  # the nightly job, in every partnership

    assert erase_attendance(app, today=held.erase_attendance_on - timedelta(days=1)) == 0
    assert session.scalar(select(TrainingAttendance.email).limit(1)) != ""
    assert erase_attendance(app, today=held.erase_attendance_on) == 2
    session.expire_all()
    names = session.scalars(select(TrainingAttendance.name)).all()
    emails = session.scalars(select(TrainingAttendance.email)).all()
    assert set(names) == {""} and set(emails) == {""}


def _admin_client(app, session):
    from surveys import accounts

    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, admin)
    return client


def test_an_admin_adds_a_course_and_a_session_with_errors_shown_never_half_saved(world):
    from surveys.models import TrainingCourse, TrainingSession

    app, session, held, *_ = world
    client = _admin_client(app, session)
    page = client.get("/training/courses/new")
    refused = client.post(
        "/training/courses/new",
        data={
            "csrf_token": csrf_from(page.text),
            "title": "Exploitation",
            "level": "2",
            "outcomes": "",
            "learning_entry": "999999",
        },
    )
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert "Enter at least one learning outcome" in refused.text
    assert (
        session.scalar(select(TrainingCourse).where(TrainingCourse.title == "Exploitation")) is None
    )
    added = client.post(
        "/training/courses/new",
        data={
            "csrf_token": csrf_from(page.text),
            "title": "Exploitation",
            "level": "Level 3",
            "outcomes": "Spot grooming\n\nRefer to the exploitation hub\n",
        },
    )
    assert added.status_code == 302
    course = session.scalar(select(TrainingCourse).where(TrainingCourse.title == "Exploitation"))
    assert course.outcomes == ["Spot grooming", "Refer to the exploitation hub"]
    form = client.get(f"/training/courses/{course.id}/sessions/new")
    no_venue = client.post(
        f"/training/courses/{course.id}/sessions/new",
        data={
            "csrf_token": csrf_from(form.text),
            "held_on-day": "3",
            "held_on-month": "2",
            "held_on-year": "2027",
            "trainers": "A Trainer",
            "capacity": "20",
        },
    )
    assert no_venue.status_code == 400
    assert "Enter the venue, or say the session is online" in no_venue.text
    online = client.post(
        f"/training/courses/{course.id}/sessions/new",
        data={
            "csrf_token": csrf_from(form.text),
            "held_on-day": "3",
            "held_on-month": "2",
            "held_on-year": "2027",
            "is_online": "y",
            "trainers": "A Trainer",
            "capacity": "20",
        },
    )
    assert online.status_code == 302
    new = session.scalar(select(TrainingSession).where(TrainingSession.course_id == course.id))
    assert new.venue == "Online" and new.link_id != held.link_id
    svg = client.get(f"/training/sessions/{new.id}/qr.svg")
    assert svg.headers["Content-Type"] == "image/svg+xml" and b"<svg" in svg.data
    printable = client.get(f"/training/sessions/{new.id}/qr")
    assert "Tell us what you thought of Exploitation" in printable.text


def test_a_malformed_attendance_file_is_refused_whole_with_its_rows(world):
    import io

    app, session, held, *_ = world
    client = _admin_client(app, session)
    page = client.get(f"/training/sessions/{held.id}")
    before = len(programme.attendance_of(session, held.id))
    refused = client.post(
        f"/training/sessions/{held.id}/attendance/file",
        data={
            "csrf_token": csrf_from(page.text),
            "file": (
                io.BytesIO(b"name,email,organisation\nAl,not-an-email,X\nBo,b@example.org,Y\n"),
                "attendance.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert "Row 2: Enter an email address in the correct format" in refused.text
    session.expire_all()
    assert len(programme.attendance_of(session, held.id)) == before


def test_section_11_training_standards_show_the_organisations_own_staffs_figures(world):
    """Standards 10 and 14: the organisation's page and its reviewer's page of the same
    return show its staff's figures for the year; other standards do not."""
    from surveys import accounts, responses

    app, session, held, home, away, _ = world
    for n in range(5):
        evaluate(app.test_client(), held.link, home.id, "2", "4", email=f"s{n}@example.org")
    evaluate(app.test_client(), held.link, away.id, "1", "5")
    cycle = cycles.publish_cycle(
        session,
        load_definitions().latest("section-11"),
        cycles.NewCycle(
            "S11 2026", utcnow() - timedelta(days=1), utcnow() + timedelta(days=30), (home.id,)
        ),
        created_by=None,
    )
    responses.start_organisation_response(session, cycle, home.id)
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=home)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, lead)
    page = client.get(f"/assessments/{cycle.id}/standard_14")
    assert page.status_code == 200
    assert "Your staff&#39;s training" in page.text or "Your staff's training" in page.text
    assert "5 evaluated a course" in page.text
    assert "2.0 before (5 answering), 4.0 after (5)" in page.text  # not the health trainee's
    assert "staff&#39;s training" not in client.get(f"/assessments/{cycle.id}/standard_9").text
    figures_ = figures.training_figures_for_organisation(
        session, held.partnership_id, home.id, held.held_on, held.held_on
    )
    assert figures_.evaluated == 5 and figures_.follow_ups_sent == 0
    submitted = factories.submitted_return(session, home, title="S11 2025")
    reviewer = factories.UserFactory(role=Role.REVIEWER, organisation=None)
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(session, reviewer)
    review = client.get(f"/scrutiny/returns/{submitted.id}/standards/S11-10")
    assert review.status_code == 200
    assert "2.0 before (5 answering), 4.0 after (5)" in review.text


def test_what_changed_in_practice_shows_the_themes_of_a_run_that_covers_the_follow_ups(world):
    from learning import runs, selection, training_themes
    from learning.models import RunStatus, Theme, ThemeStatement

    app, session, held, home, *_ = world
    for n in range(6):
        evaluate(app.test_client(), held.link, home.id, "2", "4", email=f"t{n}@example.org")
    chains = session.scalars(select(TraineeFollowUp).order_by(TraineeFollowUp.id)).all()
    for chain in chains:
        _answer_follow_up(app, session, chain.id, "4")
    session.expire_all()
    found = figures.dashboard(session, course_id=held.course_id)
    ids = found.overall.follow_up_ids
    assert len(ids) == 6
    assert training_themes.practice_change_themes(session, ids) == []  # no run yet: counts
    run = runs.start_run(session, selection.Selection(), started_by=None)
    run.status, run.finished_at = RunStatus.FINISHED, utcnow()
    earlier = Theme(
        run_id=run.id,
        number=0,
        label="Earlier referrals",
        machine_label="referrals",
        size=5,
        share=0.8,
    )
    chronology = Theme(
        run_id=run.id, number=1, label="Chronologies", machine_label="chronology", size=1, share=0.2
    )
    session.add_all([earlier, chronology])
    session.flush()
    cycle_of = dict(session.execute(select(Response.id, Response.cycle_id)).all())
    for index, response_id in enumerate(ids):
        theme = chronology if index == 0 else earlier
        session.add(
            ThemeStatement(
                run_id=run.id,
                theme_id=theme.id,
                response_id=response_id,
                question_id="changed_practice",
                text="[redacted]",
                stream="training_follow_up",
                cycle_id=cycle_of[response_id],
            )
        )
    session.commit()
    assert training_themes.practice_change_themes(session, ids) == [
        ("Earlier referrals", 5),
        ("Chronologies", "fewer than 5"),
    ]
