"""One way to submit: a draft submitted once, and complete responses recorded as import would.

`submit_response` turns a draft into a submission once (a repeat finds it), screening it and
keeping a follow-up email apart in the same transaction; `record_submitted_response` records
a response that arrives complete inside the caller's transaction, so a batch is all or nothing.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from demo.answers import generate_answers
from surveys import cycles, follow_ups, responses
from surveys.audit import record_audit
from surveys.database import make_engine, make_session_factory
from surveys.definition import SurveyDefinition
from surveys.errors import IncompleteResponse
from surveys.journey import Journey
from surveys.loader import load_definitions
from surveys.models import (
    AuditEvent,
    Base,
    Cycle,
    DisclosureFlag,
    FollowUpRequest,
    Response,
    ResponseStatus,
    utcnow,
)
from tests.conftest import in_new_partnership

REGISTRY = load_definitions()
FAMILY_DISCLOSURE = "my mums boyfriend hurts me and i dont want to go home"
EMAIL = "trainee@example.org"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'submit.db'}")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        yield in_new_partnership(session)
    engine.dispose()


def publish(session: Session, key: str) -> Cycle:
    now = utcnow()
    cycle = cycles.publish_cycle(
        session,
        REGISTRY.latest(key),
        cycles.NewCycle(key, now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    )
    session.commit()
    return cycle


def count(session: Session, model: type[Base], *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def disclosing_answers(definition: SurveyDefinition, seed: int) -> dict[str, Any]:
    """Return complete answers with a disclosure in the first screened question shown."""
    answers = generate_answers(definition, rng=random.Random(seed))
    screened = next(
        q.id
        for q in Journey(definition, answers).questions
        if q.analysis is not None and q.analysis.screen_for_disclosure
    )
    return {**answers, screened: FAMILY_DISCLOSURE}


def trainee_answers(definition: SurveyDefinition, *, email: str | None) -> dict[str, Any]:
    answers = generate_answers(definition, rng=random.Random(5))
    if email is None:
        return {**answers, "follow_up_consent": "no", "follow_up_email": None}
    return {**answers, "follow_up_consent": "yes", "follow_up_email": email}


def draft(session: Session, cycle: Cycle, answers: dict[str, Any]) -> Response:
    response = responses.start_anonymous_response(session, cycle.links[0], str(uuid.uuid4()))
    response.answers = answers
    session.commit()
    return response


def test_submitting_twice_makes_one_submission_with_one_set_of_flags(session: Session) -> None:
    cycle = publish(session, "family-voice")
    definition = REGISTRY.latest("family-voice")
    response = draft(session, cycle, disclosing_answers(definition, seed=2))
    first = responses.submit_response(session, response, definition=definition)
    again = responses.submit_response(session, response, definition=definition)
    assert first.is_new and not again.is_new
    assert again.response.id == first.response.id and again.response.is_submitted
    assert first.flags and first.response.is_flagged and again.flags == ()
    assert count(session, Response) == 1
    assert count(session, DisclosureFlag) == len(first.flags)
    assert count(session, AuditEvent, AuditEvent.action == "response.submitted") == 1
    replayed = responses.start_anonymous_response(session, cycle.links[0], response.submission_id)
    assert replayed.id == response.id and count(session, Response) == 1


def test_a_submission_keeps_the_follow_up_email_apart(session: Session) -> None:
    cycle = publish(session, "training-evaluation")
    definition = REGISTRY.latest("training-evaluation")
    response = draft(session, cycle, trainee_answers(definition, email=EMAIL))
    submitted = responses.submit_response(session, response, definition=definition).response
    assert "follow_up_email" not in submitted.answers and EMAIL not in str(submitted.answers)
    request = session.scalars(select(FollowUpRequest)).one()
    assert request.email == EMAIL
    assert request.due_at == submitted.submitted_at + timedelta(weeks=6)


def test_an_incomplete_submission_saves_nothing(session: Session) -> None:
    cycle = publish(session, "training-evaluation")  # family forms let every answer be skipped
    definition = REGISTRY.latest("training-evaluation")
    answers = trainee_answers(definition, email=EMAIL)
    required = next(q for q in Journey(definition, answers).questions if q.required)
    response = draft(session, cycle, {**answers, required.id: None})
    with pytest.raises(IncompleteResponse):
        responses.submit_response(session, response, definition=definition)
    session.rollback()
    session.refresh(response)
    assert response.status is ResponseStatus.IN_PROGRESS and response.submitted_at is None
    assert count(session, FollowUpRequest) == 0 and count(session, DisclosureFlag) == 0
    assert count(session, AuditEvent, AuditEvent.action == "response.submitted") == 0


def import_rows(
    session: Session, cycle: Cycle, rows: list[tuple[dict[str, Any], bool]]
) -> list[responses.Submitted]:
    """Record rows the way surveys.importing applies a file: one transaction, one audit."""
    definition = REGISTRY.get(cycle.definition_key, cycle.definition_version)
    now = utcnow()
    try:
        recorded = [
            responses.record_submitted_response(
                session,
                cycle,
                definition,
                responses.CompleteResponse(
                    answers,
                    submitted_at=now,
                    follow_up_due=follow_ups.due(definition, now) if dated else None,
                    source="import",
                ),
            )
            for answers, dated in rows
        ]
        record_audit(
            session,
            user_id=None,
            action="responses.imported",
            object_type="cycle",
            object_id=cycle.id,
            detail=f"count={len(recorded)}",
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return recorded


def test_import_records_complete_responses_screened_and_without_emails(session: Session) -> None:
    cycle = publish(session, "training-evaluation")
    definition = REGISTRY.latest("training-evaluation")
    dated = trainee_answers(definition, email=EMAIL)
    undated = trainee_answers(definition, email="old@example.org")
    recorded = import_rows(session, cycle, [(dated, True), (undated, False)])
    assert [r.is_new for r in recorded] == [True, True]
    for item in recorded:
        response = item.response
        assert response.status is ResponseStatus.SUBMITTED and response.submitted_at is not None
        assert response.public_link_id is None and response.organisation_id is None
        assert response.answers[responses.SOURCE_KEY] == "import"
        assert "follow_up_email" not in response.answers
        assert response.semantic_screened_at is not None  # nothing for the semantic screen
    (request,) = session.scalars(select(FollowUpRequest)).all()  # the undated email is dropped
    assert request.email == EMAIL and request.response_id == recorded[0].response.id
    assert count(session, AuditEvent, AuditEvent.action == "responses.imported") == 1


def test_an_imported_disclosure_is_flagged_in_the_same_transaction(session: Session) -> None:
    cycle = publish(session, "family-voice")
    definition = REGISTRY.latest("family-voice")
    (recorded,) = import_rows(session, cycle, [(disclosing_answers(definition, seed=3), False)])
    assert recorded.flags and recorded.response.is_flagged
    assert recorded.response.semantic_screened_at is None  # the worker's second screen reads it
    flags = session.scalars(select(DisclosureFlag)).all()
    assert {f.response_id for f in flags} == {recorded.response.id}
    assert all(f.alerted_at is None for f in flags)  # the periodic job alerts the DSLs


def test_a_failure_part_way_through_an_import_writes_nothing(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle = publish(session, "family-voice")
    definition = REGISTRY.latest("family-voice")
    existing = draft(session, cycle, {})
    calls = 0
    real = responses.new_reference

    def clashing_reference() -> str:
        nonlocal calls
        calls += 1
        return existing.reference if calls == 3 else real()  # row 3 clashes with a stored one

    monkeypatch.setattr(responses, "new_reference", clashing_reference)
    before = (count(session, Response), count(session, DisclosureFlag), count(session, AuditEvent))
    rows = [(disclosing_answers(definition, seed=n), False) for n in range(4)]
    with pytest.raises(IntegrityError):
        import_rows(session, cycle, rows)
    assert calls == 3  # rows 1 and 2 had been flushed, and flagged, inside the transaction
    after = (count(session, Response), count(session, DisclosureFlag), count(session, AuditEvent))
    assert after == before


def test_a_recorded_submission_id_is_recorded_once(session: Session) -> None:
    cycle = publish(session, "family-voice")
    definition = REGISTRY.latest("family-voice")
    arriving = responses.CompleteResponse(
        disclosing_answers(definition, seed=4),
        submitted_at=utcnow(),
        public_link_id=cycle.links[0].id,
        submission_id=str(uuid.uuid4()),
    )
    first = responses.record_submitted_response(session, cycle, definition, arriving)
    session.commit()
    again = responses.record_submitted_response(session, cycle, definition, arriving)
    assert first.is_new and not again.is_new and again.response.id == first.response.id
    assert count(session, Response) == 1
    assert count(session, DisclosureFlag) == len(first.flags) > 0
