"""Publishing a cycle: missing dates and line breaks in the title get GOV.UK error messages."""

from __future__ import annotations

from sqlalchemy import select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import Cycle
from tests.conftest import csrf_from

NEW = "/admin/cycles/new"


def _post(client, data):
    html = client.get(NEW).text
    return client.post(NEW, data={**data, "csrf_token": csrf_from(html)})


def test_a_cycle_posted_without_any_date_fields_gets_error_messages(
    client, login_as, admin, db_session
):
    login_as(admin)
    answer = _post(client, {"definition": "training-evaluation", "title": "Neglect training"})
    assert answer.status_code == 400
    assert "Enter the date the cycle opens" in answer.text
    assert "Enter the date the cycle closes" in answer.text
    assert db_session.scalar(select(Cycle)) is None


def test_a_date_posted_in_two_parts_is_not_a_real_date(client, login_as, admin):
    login_as(admin)
    answer = _post(
        client,
        {
            "definition": "training-evaluation",
            "title": "Neglect training",
            "opens_on-day": "1",
            "opens_on-month": "4",
            "closes_on-day": "31",
            "closes_on-month": "2",
            "closes_on-year": "2027",
        },
    )
    assert answer.status_code == 400
    assert "The date the cycle opens must include a year" in answer.text
    assert "The date the cycle closes must be a real date" in answer.text


def test_a_title_with_a_line_break_is_refused_with_a_message(client, login_as, admin, db_session):
    login_as(admin)
    answer = _post(
        client,
        {
            "definition": "training-evaluation",
            "title": "Neglect\r\nBcc: everyone@example.org",
            "opens_on": ["1", "4", "2026"],
            "closes_on": ["1", "5", "2026"],
        },
    )
    assert answer.status_code == 400
    assert "Title must be on one line" in answer.text
    assert db_session.scalar(select(Cycle)) is None


def test_a_title_of_spaces_is_no_title(client, login_as, admin):
    login_as(admin)
    answer = _post(
        client,
        {
            "definition": "training-evaluation",
            "title": "   ",
            "opens_on": ["1", "4", "2026"],
            "closes_on": ["1", "5", "2026"],
        },
    )
    assert answer.status_code == 400
    assert "Enter a title for this cycle" in answer.text


def test_a_title_given_to_the_service_directly_is_kept_on_one_line(db_session):
    from datetime import UTC, datetime

    definition = load_definitions().latest("training-evaluation")
    cycle = cycles.publish_cycle(
        db_session,
        definition,
        cycles.NewCycle(
            " Neglect\r\ntraining\u2028 2026\x00 ",
            datetime(2026, 4, 1, tzinfo=UTC),
            datetime(2026, 5, 1, tzinfo=UTC),
        ),
        created_by=None,
    )
    assert cycle.title == "Neglect training 2026"
    assert cycle.links[0].label == "Neglect training 2026"
