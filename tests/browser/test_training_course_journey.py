"""A trainee answers a course's evaluation from its session's QR link on a phone, gets the
follow-up email six weeks later naming the course, answers it, and the course's page shows the
follow-up linked to their evaluation with the change in confidence (axe on every page)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from freezegun import freeze_time
from playwright.sync_api import expect

from surveys import cycles, responses
from surveys.loader import load_definitions
from surveys.models import Role, utcnow
from surveys.training import course_forms, programme
from tests import factories
from tests.browser.test_trainee_journey import group, phone, visit, watch  # noqa: F401
from tests.conftest import inspect_session

pytestmark = pytest.mark.browser

COURSE = "Neglect: recognising and responding"
OUTCOMES = ("Recognise the signs of neglect", "Know when to refer to early help")
EMAIL = "sam.trainee@example.org"


@pytest.fixture
def course_session(live_server: Any) -> dict[str, Any]:
    """A course with a session, its evaluation and follow-up cycles open, four earlier
    evaluations (so the course's figures are not a small group), and a quality group member."""
    now = utcnow()
    with inspect_session(live_server.app) as session:
        factories.bind(session)
        police = factories.OrganisationFactory(name="Riverside Constabulary")
        ids = factories.training_world(session, police)
        cycles.publish_cycle(
            session,
            load_definitions().latest("training-follow-up"),
            cycles.NewCycle("Follow-ups", now - timedelta(days=1), now + timedelta(days=200)),
            created_by=None,
        )
        held = programme.session_or_none(session, ids["session_id"])
        definition = course_forms.evaluation_for(
            load_definitions().latest("training-evaluation"), held.course, held.held_on, [police]
        )
        for _ in range(4):
            answers = {
                "organisation": f"org-{police.id}",
                "relevance": "4",
                "quality": "4",
                "learnt_new": "4",
                "outcome_1": {"before": 3, "after": 4},
                "outcome_2": {"before": 3, "after": 4},
                "do_differently": "Check chronologies",
                "follow_up_consent": "no",
            }
            responses.record_submitted_response(
                session,
                held.link.cycle,
                definition,
                responses.CompleteResponse(answers, submitted_at=now, public_link_id=held.link_id),
            )
        quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
        session.commit()
        return {
            "link": f"{live_server.url}/f/{held.link.token}",
            "course_id": ids["course_id"],
            "quality": quality.email,
        }


def choose(page: Any, legend: str, part: str, level: str) -> None:
    group(page, legend).get_by_role("group", name=part).get_by_label(level, exact=True).check()


def test_a_trainee_answers_from_the_qr_link_and_the_follow_up_is_linked(
    live_server,
    course_session,
    phone,  # noqa: F811 - the phone fixture, imported above
    smtp_server,
    page,
) -> None:
    trainee, problems = phone, watch(phone)
    trainee.goto(course_session["link"])
    expect(trainee.locator("main")).to_contain_text(COURSE)
    visit(trainee, width=375)
    trainee.get_by_role("button", name="Start").tap()

    expect(trainee).to_have_title(re.compile(r"^About you"))
    visit(trainee, width=375)
    trainee.get_by_label("Riverside Constabulary", exact=True).check()
    trainee.get_by_role("button", name="Continue").tap()

    expect(trainee).to_have_title(re.compile(r"^The course"))
    group(trainee, "How relevant was the course to your role?").get_by_label(
        "Very relevant"
    ).check()
    group(trainee, "How would you rate the course overall?").get_by_label("Good").check()
    learnt = "How much do you agree: I learnt something I can use in my work"
    group(trainee, learnt).get_by_label("Agree", exact=True).check()
    trainee.get_by_role("button", name="Continue").tap()

    expect(trainee).to_have_title(re.compile(r"^Your confidence"))
    visit(trainee, width=375)
    for outcome in OUTCOMES:  # the course's own outcomes, each before and after
        choose(trainee, outcome, "Before the course", "Slightly confident")
        choose(trainee, outcome, "After the course", "Very confident")
    trainee.get_by_role("button", name="Continue").tap()

    expect(trainee).to_have_title(re.compile(r"^Your practice"))
    trainee.get_by_label("What will you do differently").fill("Use the neglect toolkit")
    trainee.get_by_role("button", name="Continue").tap()

    expect(trainee).to_have_title(re.compile(r"^Follow-up in 6 to 8 weeks"))
    trainee.get_by_label("Yes", exact=True).check()
    trainee.get_by_label("Email address").fill(EMAIL)
    trainee.get_by_role("button", name="Continue").tap()

    expect(trainee).to_have_title(re.compile(r"^Check your answers"))
    visit(trainee, width=375)
    trainee.get_by_role("button", name="Send feedback").tap()
    due = (utcnow() + timedelta(weeks=6)).date()
    expect(trainee.locator("main")).to_contain_text(
        f"We will email you a link to a short follow-up on {due:%-d %B %Y}"
    )
    visit(trainee, width=375)

    from webapp.tasks import send_due_follow_ups

    with freeze_time(utcnow() + timedelta(weeks=6, hours=1)):
        assert send_due_follow_ups(live_server.app) == 1
    (email,) = smtp_server.wait_for(1)
    assert email["To"] == EMAIL and COURSE in email["Subject"]
    body = email.get_content()
    assert COURSE in body
    link = urlparse(re.search(r"http\S+/f/\S+", body).group(0))

    trainee.goto(f"{live_server.url}{link.path}")
    expect(trainee.locator("main")).to_contain_text(f"you went on {COURSE}")
    visit(trainee, width=375)
    trainee.get_by_role("button", name="Start").tap()
    expect(trainee).to_have_title(re.compile(r"^Using what you learnt"))
    visit(trainee, width=375)
    used = "How much have you used what you learnt on the course?"
    group(trainee, used).get_by_label("Quite a lot").check()
    trainee.get_by_label("What has changed in your practice since the course?").fill(
        "I record neglect concerns in a chronology"
    )
    for outcome in OUTCOMES:
        now_label = f"How confident do you feel now: {outcome}"
        group(trainee, now_label).get_by_label("Completely confident").check()
    trainee.get_by_role("button", name="Continue").tap()
    expect(trainee).to_have_title(re.compile(r"^What made it harder"))
    trainee.get_by_label("Not enough time").check()
    trainee.get_by_role("button", name="Continue").tap()
    expect(trainee).to_have_title(re.compile(r"^Manager"))
    trainee.get_by_label("No", exact=True).check()
    trainee.get_by_role("button", name="Continue").tap()
    expect(trainee).to_have_title(re.compile(r"^Check your answers"))
    trainee.get_by_role("button", name=re.compile("Submit|Send")).tap()
    expect(trainee.locator(".govuk-panel")).to_be_visible()
    visit(trainee, width=375)
    assert problems == []

    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(course_session["quality"])
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    page.goto(f"{live_server.url}/training/courses/{course_session['course_id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE)
    visit(page)
    overall = page.get_by_role("region", name="Training figures, overall")
    # five trainees: four at 3 before, this one at 2; one followed up at 5 (from 2: +3)
    expect(overall).to_contain_text("2.8")  # before, averaged per person
    expect(overall).to_contain_text("5.0")  # at follow-up: this trainee's, linked
    expect(overall).to_contain_text("3.0")  # the change by follow-up, per person
    chart_table = page.get_by_role("region", name="Confidence out of 5 (number answering)")
    expect(chart_table).to_contain_text("5.0 (1)")
    page.goto(f"{live_server.url}/training/dashboard?course={course_session['course_id']}")
    visit(page)
    page.goto(f"{live_server.url}/training")
    visit(page)
    page.get_by_role("link", name=COURSE).click()
    page.get_by_role("link", name=re.compile(r"\d+ \w+ \d{4}")).first.click()
    visit(page)
    page.get_by_role("link", name="Print the QR code for this session").click()
    expect(page.locator("img[alt^='QR code']")).to_be_visible()
    visit(page)
