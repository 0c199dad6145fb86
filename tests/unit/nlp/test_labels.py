"""Tests for theme labels, keywords and representative quotes."""

from __future__ import annotations

import re

import numpy as np

from nlp.embedding import HashingEmbedder
from nlp.labels import (
    ctfidf,
    label_key,
    representative_quotes,
    theme_keywords,
    theme_labels,
)

TEXTS = [
    "Waiting times for appointments are too long",
    "The waiting times for appointments keep growing",
    "Long waiting times for appointments at the clinic",
    "Waiting times for appointments were shorter this year",
    "The trainer was knowledgeable and friendly",
    "A knowledgeable trainer who answered questions",
    "The trainer was knowledgeable about the law",
    "Trainer was friendly and knowledgeable",
]
LABELS = np.array([0, 0, 0, 0, 1, 1, 1, 1])
WORD = re.compile(r"^[A-Za-z][a-z']*$")


def test_keywords_come_from_their_theme() -> None:
    keywords = theme_keywords(TEXTS, LABELS, top_n=3)
    assert "waiting" in keywords[0] and "trainer" in keywords[1]
    assert "trainer" not in keywords[0]


def test_outliers_are_left_out_of_keywords() -> None:
    keywords = theme_keywords(TEXTS, np.array([0, 0, 0, 0, -1, -1, -1, -1]))
    assert set(keywords) == {0}


def test_labels_are_short_verbatim_phrases() -> None:
    labels = theme_labels(TEXTS, LABELS, theme_keywords(TEXTS, LABELS))
    for theme, label in labels.items():
        words = label.split()
        assert 1 <= len(words) <= 6
        assert all(WORD.match(w) for w in words)
        assert label[0].isupper() and label[1:] == label[1:]
        members = " ".join(t.lower() for t, g in zip(TEXTS, LABELS, strict=True) if g == theme)
        assert label.lower() in members
    assert labels[0].lower().startswith("waiting times")


def test_no_two_labels_are_the_same_after_plurals() -> None:
    texts = ["Young person felt heard", "Young person was listened to", "Young person said no"]
    texts += ["Young people felt heard", "Young people were listened to", "Young people agreed"]
    named = theme_labels(texts, np.array([0, 0, 0, 1, 1, 1]), {})
    assert label_key(named[0]) != label_key(named[1])
    assert label_key("Young people") == label_key("young person")


def test_labels_fall_back_on_keywords_when_no_phrase_repeats() -> None:
    texts = ["parking", "expensive", "lunch", "cold"]
    labels = theme_labels(
        texts, np.array([0, 0, 1, 1]), {0: ["parking", "expensive"], 1: ["lunch", "cold"]}
    )
    assert labels == {0: "Parking and expensive", 1: "Lunch and cold"}


def test_ctfidf_favours_terms_unique_to_a_theme() -> None:
    weights = ctfidf(np.array([[5, 1], [0, 1]]))
    assert weights[0, 0] > weights[0, 1]


def test_quotes_come_from_the_theme_and_differ() -> None:
    members = TEXTS[:4] + [TEXTS[0]]
    vectors = HashingEmbedder().embed(members)
    centroid = vectors.mean(0) / np.linalg.norm(vectors.mean(0))
    picks = representative_quotes(vectors, members, centroid, n=3)
    assert len(picks) == 3
    quotes = [members[i] for i in picks]
    assert len(set(quotes)) == 3 and set(quotes) <= set(members)


def test_label_checks_count_what_a_person_would_fix() -> None:
    from nlp.labels import label_checks

    found = label_checks(["Young person", "Young people", "Waiting times", "Support for the"])
    assert found == {"label_duplicates": 1, "label_function_word_edges": 1}
    assert label_checks(["Waiting times", "Friendly staff"]) == {
        "label_duplicates": 0,
        "label_function_word_edges": 0,
    }
