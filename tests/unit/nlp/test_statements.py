"""Tests for normalising, non-answer detection, splitting and deduplication."""

from __future__ import annotations

import pytest

from nlp.non_answers import is_known_non_answer as is_non_answer
from nlp.non_answers import known_form as non_answer_form
from nlp.statements import dedupe, normalise, split_answer, split_answers


def test_normalise_unifies_quotes_and_whitespace() -> None:
    assert normalise("  The trainer\u2019s  slides\u00a0were \u201cgood\u201d \n\n ok ") == (
        'The trainer\'s slides were "good"\nok'
    )


@pytest.mark.parametrize(
    "text",
    [
        "n/a",
        "N/A.",
        "NA",
        "nothing",
        "Nothing, thanks",
        "Nothing at all!",
        "no comment",
        "No comments.",
        "Don't know",
        "not sure",
        "see above",
        "As above",
        "none",
        "None really",
        "no",
        "-",
        "...",
        "nil",
        "not applicable",
        "Can't think of anything",
    ],
)
def test_content_free_answers_are_non_answers(text: str) -> None:
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    [
        "all good",
        "Nothing to improve, the course was great",
        "No parking at the venue",
        "None of the trainers knew the local procedures",
        "More case studies",
    ],
)
def test_answers_with_an_opinion_are_kept(text: str) -> None:
    assert not is_non_answer(text)


def test_non_answer_form_is_canonical() -> None:
    assert non_answer_form("N/A!!") == "n a"
    assert non_answer_form(" Nothing. Thank you ") == "nothing"


def test_short_answer_stays_whole() -> None:
    assert split_answer("The room was cold. Parking was hard.") == [
        "The room was cold. Parking was hard."
    ]


def test_long_answer_splits_into_statements() -> None:
    text = (
        "The trainer was excellent and very knowledgeable about the subject. However the "
        "room was far too cold and parking at the venue was a nightmare, so I arrived late."
    )
    parts = split_answer(text)
    assert len(parts) == 2
    assert parts[0].startswith("The trainer") and parts[1].startswith("However the room")


def test_fragments_are_glued_to_a_neighbour() -> None:
    text = " ".join(["The case studies were useful and realistic for my practice."] * 1) + (
        " Thanks. The venue was far too cold and the parking was expensive and hard to find."
        " The slides were out of date."
    )
    parts = split_answer(text, max_words=10)
    assert all(len(p.split()) >= 4 for p in parts)


def test_statements_keep_their_answer_links() -> None:
    answers = [
        "Short answer here",
        "One long sentence about the trainer being great and "
        "knowledgeable today. Another long sentence about the venue being cold and "
        "cramped all day.",
    ]
    statements = split_answers(answers, answer_ids=["a1", "a2"], max_words=10)
    assert [(s.answer_index, s.answer_id, s.position) for s in statements] == [
        (0, "a1", 0),
        (1, "a2", 0),
        (1, "a2", 1),
    ]


def test_repeated_sentence_in_one_answer_counts_once() -> None:
    answer = ("The venue was cold and the parking was hard to find today. " * 3).strip()
    assert len(split_answers([answer], max_words=5)) == 1


def test_answer_ids_must_match_answers() -> None:
    with pytest.raises(ValueError):
        split_answers(["a", "b"], answer_ids=["only one"])


def test_dedupe_returns_inverse_index() -> None:
    unique, inverse = dedupe(["a", "b", "a", "c", "b"])
    assert unique == ["a", "b", "c"]
    assert [unique[i] for i in inverse] == ["a", "b", "a", "c", "b"]
