"""Importing past years' training evaluations from a spreadsheet: the before/after confidence
pair mapped from two columns, columns of questions the file never asked left out, and a file
with bad rows refused whole with every problem by row and column (never an error page)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import Response, utcnow

TRAINING = load_definitions().latest("training-evaluation")
HEADINGS = (
    "Timestamp,Sector,How relevant was the course to your role?,Confidence before,"
    "Confidence after,What will you do differently?"
)
LAST_YEAR = "\n".join(
    [
        HEADINGS,
        "03/02/2025 10:00:00,Police,4,2,4,Ask the child first",
        "03/02/2025 10:05:00,Health,5,Slightly confident,Very confident,",
        "04/02/2025 09:00:00,Education,3,3,3,Check the escalation policy",
    ]
)
MALFORMED = "\n".join(
    [
        HEADINGS,
        "03/02/2025 10:00:00,Police,4,2,4,Ask the child first",
        "03/02/2025 10:05:00,Health,Maybe,2,,Talk to my manager",
        "04/02/2025 09:00:00,Education,3,9,3,",
    ]
)


@pytest.fixture
def training_cycle(db_session):
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        TRAINING,
        cycles.NewCycle(
            "Training feedback 2025", now - timedelta(days=400), now - timedelta(days=30)
        ),
        created_by=None,
    )
    db_session.commit()
    return cycle


def upload(client, cycle_id: int, text: str):
    """Upload a CSV on the import page; return the check page it leads to."""
    page = client.get(f"/admin/cycles/{cycle_id}/import")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    sent = client.post(
        f"/admin/cycles/{cycle_id}/import",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "last-year.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302, sent.text
    return sent.headers["Location"], client.get(sent.headers["Location"])


def chosen(html: str) -> dict[str, str]:
    """Return {select name: the selected option's value} on the check page."""
    found = {}
    for name, body in re.findall(r'<select[^>]*name="(map-\d+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"\s+selected', body)
        found[name] = selected.group(1) if selected else ""
    return found


def send(client, url: str, page_html: str, mapping: dict[str, str], action: str):
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)
    return client.post(url, data={"csrf_token": token, "action": action, **mapping})


def count_responses(db_session, cycle) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).where(Response.cycle_id == cycle.id))


def test_last_years_evaluations_import_with_the_confidence_pair_and_columns_missing(
    client, login_as, admin, db_session, training_cycle
):
    login_as(admin)
    url, page = upload(client, training_cycle.id, LAST_YEAR)
    assert page.status_code == 200
    mapping = chosen(page.text)
    # the two confidence columns are offered as the pair's two halves and proposed as them
    assert mapping["map-3"] == "confidence_before" and mapping["map-4"] == "confidence_after"
    assert "(Before the course)" in page.text and "(After the course)" in page.text
    # no question of the form is required by an import: the file lacks quality, learnt_new,
    # follow_up_consent (required online) and a row leaves do_differently blank
    assert "3 rows ready, 0 problems" in page.text
    assert "How would you rate the course overall?" in page.text  # named as left unanswered
    done = send(client, url, page.text, mapping, "import")
    assert done.status_code == 302
    assert count_responses(db_session, training_cycle) == 3
    stored = db_session.scalars(
        select(Response).where(Response.cycle_id == training_cycle.id).order_by(Response.id)
    ).all()
    assert [r.answers["confidence"] for r in stored] == [
        {"before": 2, "after": 4},
        {"before": 2, "after": 4},
        {"before": 3, "after": 3},
    ]
    assert all(r.submitted_at is not None for r in stored)
    assert "quality" not in stored[0].answers and "do_differently" not in stored[1].answers


def test_choosing_the_confidence_question_by_hand_is_a_choice_not_an_error_page(
    client, login_as, admin, db_session, training_cycle
):
    login_as(admin)
    url, page = upload(client, training_cycle.id, LAST_YEAR)
    mapping = {**chosen(page.text), "map-3": "confidence_before", "map-4": ""}
    refused = send(client, url, page.text, mapping, "check")
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert "Match one column to the before answer and one to the after answer" in refused.text
    both = {**mapping, "map-4": "confidence_before"}
    refused = send(client, url, page.text, both, "check")
    assert refused.status_code == 400 and "are both matched to" in refused.text
    unknown = {**mapping, "map-4": "confidence"}  # the whole question is not a column's target
    refused = send(client, url, page.text, unknown, "import")
    assert refused.status_code == 400 and "a question this form does not have" in refused.text
    assert count_responses(db_session, training_cycle) == 0


def test_a_malformed_file_is_refused_whole_with_its_row_errors(
    client, login_as, admin, db_session, training_cycle
):
    login_as(admin)
    url, page = upload(client, training_cycle.id, MALFORMED)
    assert "1 row ready, 3 problems" in page.text
    refused = send(client, url, page.text, chosen(page.text), "import")
    assert refused.status_code == 400
    assert "Error: Check the import" in refused.text
    assert "There is a problem" in refused.text
    assert "Nothing has been imported" in refused.text
    assert (
        "Row 3: &#39;Maybe&#39; is not an option for "
        "&#39;How relevant was the course to your role?&#39;" in refused.text
    )
    assert "Row 3: Enter the after answer for" in refused.text
    assert "Row 4: &#39;9&#39; is not an option for" in refused.text
    assert "(column &#39;Confidence after&#39;)" in refused.text  # the column is named
    assert count_responses(db_session, training_cycle) == 0  # not even the good row
