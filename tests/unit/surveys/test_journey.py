"""Unit tests for the respondent's journey: pages shown, next, previous, progress, summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.definition import ShowIf, SurveyDefinition
from surveys.journey import Journey
from surveys.loader import load_definition

ALL_TYPES = Path(__file__).parent / "fixtures" / "all-types.yaml"


@pytest.fixture(scope="module")
def definition() -> SurveyDefinition:
    return load_definition(ALL_TYPES)


def test_page_show_if_skips_pages_and_counts_progress(definition: SurveyDefinition) -> None:
    no_lead = Journey(definition, {"has_lead": "no"})
    assert [page.id for page in no_lead.pages] == ["text", "choices", "rating", "plan"]
    assert no_lead.next_page_id("rating") == "plan"
    assert no_lead.previous_page_id("plan") == "rating"
    assert no_lead.progress("plan") == (4, 4)
    assert Journey(definition, {"has_lead": "yes"}).next_page_id("rating") == "facts"
    assert Journey(definition, {"has_lead": "yes"}).progress("plan") == (5, 5)
    assert no_lead.next_page_id("plan") is None
    assert no_lead.previous_page_id("text") is None


def test_unknown_page_raises(definition: SurveyDefinition) -> None:
    with pytest.raises(LookupError):
        Journey(definition, {}).next_page_id("nowhere")


def test_a_hidden_page_still_has_neighbours(definition: SurveyDefinition) -> None:
    """A page hidden since it was opened (a Change link) still leads on to the next shown."""
    no_lead = Journey(definition, {"has_lead": "no"})
    assert not no_lead.shows("facts") and no_lead.shows("rating")
    assert no_lead.next_page_id("facts") == "plan"
    assert no_lead.previous_page_id("facts") == "rating"
    assert no_lead.progress("facts") == (4, 4)


def test_the_journey_keeps_only_shown_answers(definition: SurveyDefinition) -> None:
    journey = Journey(definition, {"has_lead": "no", "lead_role": "Head", "staff_trained": 5})
    assert journey.answers == {"has_lead": "no"}
    assert {"lead_role", "staff_trained"}.isdisjoint(q.id for q in journey.questions)


def test_summary_rows_follow_show_if(definition: SurveyDefinition) -> None:
    answers = {"has_lead": "no", "lead_role": "Head", "staff_trained": 1250}
    rows = {row.question_id: row for row in Journey(definition, answers).summary_rows()}
    assert rows["has_lead"].values == ("No",)
    assert "lead_role" not in rows and "staff_trained" not in rows  # hidden: not shown back
    shown = {"has_lead": "yes", "lead_role": "Head", "staff_trained": 1250}
    rows = {row.question_id: row for row in Journey(definition, shown).summary_rows()}
    assert rows["lead_role"].values == ("Head",) and rows["lead_role"].page_id == "rating"
    assert rows["staff_trained"].values == ("1,250",) and rows["staff_trained"].page_id == "facts"


def test_missing_answers_and_page_statuses_count_shown_questions_only(
    definition: SurveyDefinition,
) -> None:
    answers = {"agency_name": "Police", "evidence": "Policy", "rating": "met", "has_lead": "no"}
    journey = Journey(definition, answers)
    missing = journey.missing_answers()
    assert ("text", "agency_name") not in missing and ("choices", "sector") in missing
    assert not any(page_id == "facts" or q == "lead_role" for page_id, q in missing)
    statuses = {page.id: status for page, status in journey.page_statuses()}
    assert statuses == {
        "text": "completed",
        "choices": "new",
        "rating": "completed",
        "plan": "new",
    }
    with_lead = Journey(definition, {**answers, "has_lead": "yes"})
    assert ("rating", "lead_role") in with_lead.missing_answers()
    assert dict((p.id, s) for p, s in with_lead.page_statuses())["rating"] == "in_progress"


def test_visibility_is_worked_out_once(
    definition: SurveyDefinition, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    is_met = ShowIf.is_met

    def counted(self: ShowIf, value: object) -> bool:
        nonlocal calls
        calls += 1
        return is_met(self, value)  # type: ignore[arg-type]

    monkeypatch.setattr(ShowIf, "is_met", counted)
    journey = Journey(definition, {"has_lead": "yes", "lead_role": "Head"})
    made = calls
    assert made > 0
    journey.shows("facts")
    journey.next_page_id("rating")
    journey.previous_page_id("plan")
    journey.progress("plan")
    journey.summary_rows()
    journey.missing_answers()
    journey.page_statuses()
    assert calls == made  # every question above reads what the journey worked out
