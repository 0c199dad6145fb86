"""The disagreement rule: a "Met" standard most of the organisation's practitioners say is not
met in practice is flagged; nothing is shown or flagged about fewer than 5 people."""

from __future__ import annotations

import pytest

from surveys.loader import load_definitions
from surveys.small_groups import FEWER_THAN
from surveys.triangulation import DISAGREEMENT_RULE, practitioner_evidence

CONSULTATION = load_definitions().latest("practitioner-consultation")
ESCALATION = CONSULTATION.question("escalation_known")  # not met: "no" or "not_sure"


def answers(yes: int = 0, not_sure: int = 0, no: int = 0) -> list[str]:
    return ["yes"] * yes + ["not_sure"] * not_sure + ["no"] * no


def test_the_escalation_question_names_section_11_standard_6_as_data():
    assert CONSULTATION.triangulates == "section-11"
    assert ESCALATION.triangulation.standard == "S11-6"
    assert set(ESCALATION.triangulation.not_met_answers) == {"no", "not_sure"}


def test_most_practitioners_not_knowing_the_procedure_disagrees_with_met():
    found = practitioner_evidence(ESCALATION, answers(yes=3, not_sure=2, no=4))
    assert found.disagrees and found.answered == 9 and found.not_met_share == 67
    assert [(c.label, c.count, c.says_not_met) for c in found.counts] == [
        ("Yes", FEWER_THAN, False),
        ("I'm not sure", FEWER_THAN, True),
        ("No", FEWER_THAN, True),
    ]


@pytest.mark.parametrize(
    ("given", "rated_met", "flagged"),
    [
        (answers(yes=5, no=5), True, False),  # half is not most
        (answers(yes=5, no=6), True, True),
        (answers(yes=2, no=6), False, False),  # rated below met: no disagreement to flag
        (answers(yes=0, no=4), True, False),  # 4 people: too few to show or flag
        (answers(yes=2, no=4), True, False),  # 6 answered, but only 4 say not met
        (answers(yes=1, not_sure=3, no=2), True, True),  # 5 of 6 say not met
    ],
)
def test_the_rule_and_its_thresholds(given, rated_met, flagged):
    assert practitioner_evidence(ESCALATION, given, rated_met=rated_met).disagrees is flagged


def test_fewer_than_five_answers_show_no_counts_at_all():
    found = practitioner_evidence(ESCALATION, answers(no=4))
    assert found.answered == FEWER_THAN
    assert found.counts == () and not found.is_shown and found.not_met_share is None


def test_unanswered_and_blank_answers_are_not_counted():
    found = practitioner_evidence(ESCALATION, [None, "", *answers(no=4)])
    assert found.answered == FEWER_THAN and not found.disagrees


def test_the_rule_is_written_for_reviewers():
    assert "at least 5 of its practitioners" in DISAGREEMENT_RULE
    assert "more than half" in DISAGREEMENT_RULE
