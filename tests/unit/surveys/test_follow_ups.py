"""The follow-up a definition declares decides which answer is kept apart, and when it is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys import follow_ups
from surveys.follow_ups import split_email
from surveys.loader import load_definitions


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_definitions()


def test_training_evaluation_declares_its_follow_up(registry) -> None:  # type: ignore[no-untyped-def]
    training = registry.get("training-evaluation")
    assert training.follow_up is not None
    assert training.follow_up.form == "training-follow-up"
    assert follow_ups.email_question(training) == "follow_up_email"
    assert training.follow_up.after == timedelta(weeks=6)


def test_the_declared_email_is_split_from_the_answers_and_due_weeks_later(registry) -> None:  # type: ignore[no-untyped-def]
    training = registry.get("training-evaluation")
    answers = {"follow_up_consent": "yes", "follow_up_email": " t@example.org ", "quality": "4"}
    kept, email = split_email(training, answers)
    assert email == "t@example.org"
    assert kept == {"follow_up_consent": "yes", "quality": "4"}
    answered = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert follow_ups.due(training, answered) == answered + timedelta(weeks=6)


def test_a_form_without_a_follow_up_keeps_its_answers(registry) -> None:  # type: ignore[no-untyped-def]
    consultation = registry.get("practitioner-consultation")
    assert follow_ups.email_question(consultation) is None
    answers = {"sector": "police"}
    assert split_email(consultation, answers) == (answers, None)
    with pytest.raises(ValueError, match="declares no follow_up"):
        follow_ups.due(consultation, datetime(2026, 3, 2, tzinfo=UTC))
