"""What a person changed on a page since loading it, told apart without keeping the answers."""

from __future__ import annotations

from surveys import changes
from surveys.loader import load_definitions

FIRST = load_definitions().latest("section-11").pages[0]
STORED = {"s1_rating": {"value": "met", "scale_version": 1}, "s1_evidence": "Board minutes"}


def test_fingerprints_carry_no_answer_text_and_round_trip():
    carried = changes.page_fingerprints(FIRST, STORED)
    assert "Board minutes" not in carried and "met" not in carried
    loaded = changes.parse_fingerprints(carried)
    assert set(loaded) == {question.id for question in FIRST.questions}
    assert changes.untouched(dict(STORED), loaded) == {"s1_rating", "s1_evidence"}


def test_only_the_answers_a_person_changed_count_as_theirs():
    loaded = changes.parse_fingerprints(changes.page_fingerprints(FIRST, STORED))
    mine = {**STORED, "s1_evidence": "Board minutes and the annual report", "s1_impact": ""}
    assert changes.untouched(mine, loaded) == {"s1_rating", "s1_impact"}  # blank stays blank


def test_forged_or_damaged_fingerprints_are_ignored():
    assert changes.parse_fingerprints("s1_evidence:zz;<script>:blank;x:" + "a" * 16) == {
        "x": "a" * 16
    }
    assert changes.parse_fingerprints("") == {}


def test_a_save_changes_only_the_answers_that_differ():
    after = {
        "s1_rating": {"value": "met", "scale_version": 1},
        "s1_evidence": "New",
        "s1_impact": None,
    }
    assert changes.changed_question_ids(STORED, after) == ["s1_evidence"]


def test_resolving_takes_their_answer_only_where_chosen():
    mine = {"s1_evidence": "Mine", "s1_development": "Mine too"}
    assert changes.resolve(mine, STORED, {"s1_evidence"}) == {
        "s1_evidence": "Board minutes",
        "s1_development": "Mine too",
    }
