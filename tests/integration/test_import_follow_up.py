"""An imported training evaluation keeps the trainee's follow-up email apart from the answers,
as the form does: stored answers, exports and the API never hold it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys import api, exports, importing
from surveys.database import make_engine, make_session_factory
from surveys.loader import load_definitions
from surveys.models import Base, Cycle, CycleAudience, FollowUpRequest, Response, utcnow
from tests.conftest import in_new_partnership

TRAINING = load_definitions().latest("training-evaluation")
EMAIL = "trainee.canary@example.org"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'import.db'}")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        yield in_new_partnership(session)
    engine.dispose()


@pytest.fixture
def cycle(session: Session) -> Cycle:
    now = utcnow()
    cycle = Cycle(
        title="Training feedback 2026",
        definition_key=TRAINING.key,
        definition_version=TRAINING.version,
        audience=CycleAudience.LINK,
        opens_at=now - timedelta(days=365),
        closes_at=now + timedelta(days=30),
    )
    session.add(cycle)
    session.commit()
    return cycle


def row(**extra: str) -> dict[str, str]:
    return {
        "sector": "Police",
        "relevance": "4",
        "quality": "5",
        "learnt_new": "4",
        "confidence_before": "2",
        "confidence_after": "4",
        "do_differently": "Ask the child first",
        "follow_up_consent": "Yes",
        "follow_up_email": EMAIL,
        **extra,
    }


def import_rows(session: Session, cycle: Cycle, rows: list[dict[str, str]]) -> list[Response]:
    mapping = importing.propose_mapping(list(rows[0]), TRAINING)
    assert mapping["follow_up_email"] == "follow_up_email"
    preview = importing.preview_import(rows, mapping, TRAINING)
    assert preview.errors == [], preview.errors
    return importing.apply_import(session, cycle, preview)


def stamp(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M:%S")  # as Google Forms writes its Timestamp


def test_imported_email_is_never_stored_in_the_answers_exports_or_api(session, cycle):
    now = utcnow()
    created = import_rows(session, cycle, [row(Timestamp=stamp(now - timedelta(days=3))), row()])
    for response in created:
        session.refresh(response)
        assert "follow_up_email" not in response.answers
        assert EMAIL not in str(response.answers)
        assert response.answers["follow_up_consent"] == "yes"
    stored = list(session.scalars(select(Response)))
    assert EMAIL not in str([exports.wide_row(r, TRAINING, ()) for r in stored])
    assert EMAIL not in str([exports.long_rows(r, TRAINING, ()) for r in stored])
    assert EMAIL not in str([api.response_document(r, TRAINING, []) for r in stored])


def test_a_recent_course_schedules_the_follow_up_six_weeks_after_answering(session, cycle):
    answered = utcnow() - timedelta(days=10)
    [response] = import_rows(session, cycle, [row(Timestamp=stamp(answered))])
    request = session.scalar(select(FollowUpRequest))
    assert request is not None and request.response_id == response.id
    assert request.email == EMAIL
    due = request.due_at.replace(tzinfo=request.due_at.tzinfo or UTC)
    expected = datetime.combine(answered.date(), datetime.min.time(), UTC) + timedelta(weeks=6)
    assert due == expected


def test_a_follow_up_already_due_goes_at_once_and_an_old_or_undated_one_is_dropped(session, cycle):
    now = utcnow()
    rows = [
        row(Timestamp=stamp(now - timedelta(weeks=7))),  # due a week ago: send now
        row(Timestamp=stamp(now - timedelta(weeks=30))),  # far too late: drop
        row(Timestamp=""),  # no date: the course may have been last year, drop
    ]
    created = import_rows(session, cycle, rows)
    requests = list(session.scalars(select(FollowUpRequest)))
    assert [r.response_id for r in requests] == [created[0].id]
    due = requests[0].due_at.replace(tzinfo=requests[0].due_at.tzinfo or UTC)
    assert abs(due - now) < timedelta(minutes=5)
    for response in created:
        session.refresh(response)
        assert "follow_up_email" not in response.answers
