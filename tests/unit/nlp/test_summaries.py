"""A theme's one-sentence summary and its quotes for each tone (nlp.summaries)."""

from __future__ import annotations

import numpy as np

from nlp.summaries import theme_summary, tone_quotes


def unit(rows: list[list[float]]) -> np.ndarray:
    vectors = np.asarray(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_the_summary_is_the_most_central_readable_statement_tidied_into_a_sentence() -> None:
    texts = [
        "waiting",  # nearest the centre but a fragment
        "the wait to be seen was far too long for my son",
        "staff were kind while we waited in the corridor",
    ]
    vectors = unit([[1, 0], [0.9, 0.1], [0.5, 0.5]])
    row, sentence = theme_summary(vectors, texts, unit([[1, 0]])[0], label="Long wait")
    assert row == 1
    assert sentence == "The wait to be seen was far too long for my son."


def test_the_summary_prefers_a_central_statement_that_uses_the_label_words() -> None:
    texts = [
        "it all took ages and nobody said why at all",
        "the waiting times at the clinic were very long indeed",
    ]
    vectors = unit([[1, 0], [0.95, 0.05]])
    found = theme_summary(vectors, texts, unit([[1, 0]])[0], label="Waiting times")
    assert found is not None and found[0] == 1


def test_no_summary_when_no_statement_reads_as_a_sentence() -> None:
    vectors = unit([[1, 0], [0.9, 0.1]])
    assert theme_summary(vectors, ["parking", "car park"], unit([[1, 0]])[0], "Parking") is None
    assert theme_summary(vectors[:0], [], unit([[1, 0]])[0], "Parking") is None


def test_tone_quotes_come_from_each_side_of_the_theme() -> None:
    texts = [
        "the nurses explained everything clearly to us",
        "nobody explained what would happen next to us",
        "the letter about the appointment was clear",
        "we were told different things by different staff",
    ]
    vectors = unit([[1, 0.1], [1, 0.2], [1, 0.3], [1, 0.4]])
    picks = tone_quotes(vectors, texts, unit([[1, 0.2]])[0], [0.6, -0.7, 0.3, -0.4], n=2)
    assert sorted(picks["works_well"]) == [0, 2]
    assert sorted(picks["must_change"]) == [1, 3]


def test_a_theme_with_no_criticism_has_no_criticism_quotes() -> None:
    vectors = unit([[1, 0], [0.9, 0.1]])
    texts = ["really helpful course for my role", "trainer was knowledgeable and kind"]
    picks = tone_quotes(vectors, texts, unit([[1, 0]])[0], [0.5, 0.0])
    assert picks == {"works_well": [0], "must_change": []}


def test_a_statement_of_two_sentences_gives_the_one_that_names_the_subject() -> None:
    texts = ["Staff were lovely. The waiting room was full and the wait was long."]
    found = theme_summary(unit([[1, 0]]), texts, unit([[1, 0]])[0], label="Long wait")
    assert found == (0, "The waiting room was full and the wait was long.")
    # Without a label word, the first sentence of readable length.
    found = theme_summary(unit([[1, 0]]), texts, unit([[1, 0]])[0], label="Parking")
    assert found == (0, "The waiting room was full and the wait was long.")


def test_a_sentence_that_starts_in_lower_case_is_still_a_sentence() -> None:
    texts = ["I like going to school because my friends are there. my worker listens to me."]
    found = theme_summary(unit([[1, 0]]), texts, unit([[1, 0]])[0], label="Worker listens")
    assert found == (0, "My worker listens to me.")
