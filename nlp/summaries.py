"""What a theme says, in words a reader takes in at a glance: a one-sentence summary and
quotes for each tone.

A theme is a subject ("waiting times"); tone sits beside it: how many praise it and how many
criticise or ask for change, with quotes for each side, so one theme holds both "the wait
was short" and "I waited three hours" instead of two themes split by tone.

- `theme_summary`: the most central statement of readable length (SUMMARY_WORDS), preferring
  one that uses the theme's label words, cut to its one sentence that names the subject
  (a short answer of two sentences is one statement) and tidied (capital, full stop). It
  is a statement people made, already redacted, never generated text: a reader can trust
  it says what someone said. Marked as suggested wherever it is shown, like a machine label.
- `tone_quotes`: for the statements scored as praise (score >= PRAISE_FROM) and those scored
  as criticism or a need for change (score <= CRITICISM_TO), the most central and varied
  quotes of each side (`nlp.labels.representative_quotes` on that side alone).

Pure: numpy arrays of unit vectors in, row numbers and strings out.

Public API:
    SUMMARY_WORDS, PRAISE_FROM, CRITICISM_TO
    theme_summary(vectors, texts, centroid, label) -> tuple[int, str] | None: the row and
        its sentence
    tone_quotes(vectors, texts, centroid, scores, n) -> dict[str, list[int]]
    theme_record(theme_id, label, keywords, rows, texts, vectors, n_quotes) -> FoundTheme: a
        theme's centroid, share and central, varied quotes (for a run and an update alike)
    summarise_themes(themes, texts, vectors, labels, sub_labels, scores): set each theme's
        summary and tone quotes (rows of `texts`), for a run and for an update run alike
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlp.clustering import unit_rows
from nlp.labels import representative_quotes
from nlp.result import FoundTheme
from nlp.text import word_count

SUMMARY_WORDS = (5, 30)  # a summary reads as a sentence: not a fragment, not a paragraph
PRAISE_FROM = 0.05  # nlp.polarity's neutral band, as learning.themes counts it
CRITICISM_TO = -0.05
_CANDIDATES = 10  # the summary is one of the ten statements nearest the centre
_WORD = re.compile(r"[a-z]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")  # "… there. my worker …" is two


def theme_summary(
    vectors: NDArray[Any], texts: Sequence[str], centroid: NDArray[Any], label: str
) -> tuple[int, str] | None:
    """Return the row of the theme's most central readable statement and it as one sentence.

    Among the ten statements nearest the centroid that have 5 to 30 words, the nearest one
    that uses a word of the label wins; failing that, the nearest of readable length.
    """
    if not len(texts):
        return None
    order = np.argsort(-(vectors @ centroid), kind="stable")
    readable = [
        int(i) for i in order if SUMMARY_WORDS[0] <= word_count(texts[i]) <= SUMMARY_WORDS[1]
    ][:_CANDIDATES]
    if not readable:
        return None
    label_words = {_stem(w) for w in _WORD.findall(label.lower()) if len(w) > 3}
    naming = [i for i in readable if label_words & {_stem(w) for w in _words(texts[i])}]
    row = (naming or readable)[0]
    return row, _sentence(_one_sentence(texts[row], label_words))


def tone_quotes(
    vectors: NDArray[Any],
    texts: Sequence[str],
    centroid: NDArray[Any],
    scores: Sequence[float],
    *,
    n: int = 2,
) -> dict[str, list[int]]:
    """Return up to n quote rows for each tone: "works_well" and "must_change"."""
    picks: dict[str, list[int]] = {}
    for tone, keep in (
        ("works_well", lambda s: s >= PRAISE_FROM),
        ("must_change", lambda s: s <= CRITICISM_TO),
    ):
        rows = [i for i, score in enumerate(scores) if keep(score)]
        if not rows:
            picks[tone] = []
            continue
        chosen = representative_quotes(vectors[rows], [texts[i] for i in rows], centroid, n=n)
        picks[tone] = [rows[i] for i in chosen]
    return picks


def theme_record(
    theme_id: int,
    label: str,
    keywords: Sequence[str],
    rows: NDArray[Any],
    texts: Sequence[str],
    vectors: NDArray[Any],
    n_quotes: int,
) -> FoundTheme:
    """Describe one theme whose statements are `rows` of `texts` / `vectors`."""
    centroid = unit_rows(vectors[rows].mean(0, keepdims=True))[0]
    members = [texts[i] for i in rows]
    picks = representative_quotes(vectors[rows], members, centroid, n=n_quotes)
    return FoundTheme(
        id=theme_id,
        label=label,
        keywords=list(keywords)[:10],
        size=len(rows),
        share=round(len(rows) / max(len(texts), 1), 4),
        statement_indices=[int(i) for i in rows],  # positions among the clustered statements
        quotes=[members[i] for i in picks],
        quote_indices=[int(rows[i]) for i in picks],
        centroid=[round(float(v), 6) for v in centroid],
    )


def summarise_themes(
    themes: Sequence[FoundTheme],
    texts: Sequence[str],
    vectors: NDArray[Any],
    labels: NDArray[Any],
    sub_labels: NDArray[Any] | None,
    scores: Sequence[float | None] | None,
) -> None:
    """Give each theme (or sub-theme) its summary and, when scored, quotes for each tone."""
    for theme in themes:
        members = labels if theme.parent is None else sub_labels
        if members is None:
            continue
        rows = np.flatnonzero(np.asarray(members) == theme.id)
        centroid = np.asarray(theme.centroid, dtype=np.float32)
        member_texts = [texts[i] for i in rows]
        found = theme_summary(vectors[rows], member_texts, centroid, theme.label)
        if found:
            theme.summary_index, theme.summary = int(rows[found[0]]), found[1]
        if scores and len(scores) == len(texts):
            member_scores = [float(scores[i] or 0.0) for i in rows]
            picks = tone_quotes(vectors[rows], member_texts, centroid, member_scores)
            theme.tone_quote_indices = {
                tone: [int(rows[i]) for i in chosen] for tone, chosen in picks.items()
            }


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stem(word: str) -> str:
    """Fold plurals so "waits" names "wait" ("care" and "cares" alike)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _one_sentence(text: str, label_words: set[str]) -> str:
    """Keep one sentence of a statement that holds several: the first that uses a label word,
    else the first of readable length, else the whole statement."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if len(sentences) < 2:
        return text
    readable = [s for s in sentences if word_count(s) >= SUMMARY_WORDS[0]] or sentences
    naming = [s for s in readable if label_words & {_stem(w) for w in _words(s)}]
    return (naming or readable)[0]


def _sentence(text: str) -> str:
    """Tidy a statement into a sentence: trimmed, capitalised, ending in punctuation."""
    text = " ".join(text.split()).strip(" ,;:-")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?\"'”’)" else text + "."
