"""Scores for theming runs: agreement with gold labels, NPMI coherence, diversity, memory."""

from __future__ import annotations

import math
import re
import resource
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nlp.labels import TOKEN_PATTERN, theme_keywords

_TOKEN = re.compile(TOKEN_PATTERN)
Labels = Sequence[Any] | NDArray[Any]


def agreement(gold: Labels, predicted: Labels) -> dict[str, float]:
    """Return AMI, NMI (arithmetic, = V-measure) and ARI of a partition against gold labels."""
    from sklearn.metrics import (
        adjusted_mutual_info_score,
        adjusted_rand_score,
        normalized_mutual_info_score,
    )

    gold_s = [str(g) for g in gold]
    pred_s = [str(p) for p in predicted]
    return {
        "ami": round(float(adjusted_mutual_info_score(gold_s, pred_s)), 4),
        "nmi": round(float(normalized_mutual_info_score(gold_s, pred_s)), 4),
        "ari": round(float(adjusted_rand_score(gold_s, pred_s)), 4),
    }


def npmi(texts: Sequence[str], topics: Sequence[Sequence[str]], top_n: int = 10) -> float:
    """Mean NPMI of each topic's top words over document co-occurrence (OCTIS definition)."""
    docs = [set(_TOKEN.findall(t.lower())) for t in texts]
    words = {w for topic in topics for w in topic[:top_n]}
    holders = {w: {i for i, d in enumerate(docs) if w in d} for w in words}
    n_docs = max(len(docs), 1)
    eps = 1e-12
    scores = []
    for topic in topics:
        pairs = list(combinations(topic[:top_n], 2))
        if not pairs:
            continue
        values = []
        for a, b in pairs:
            p_a, p_b = len(holders[a]) / n_docs, len(holders[b]) / n_docs
            p_ab = len(holders[a] & holders[b]) / n_docs
            if p_a == 0 or p_b == 0:
                values.append(-1.0)  # a word absent from the reference texts coheres with nothing
                continue
            pmi = math.log((p_ab + eps) / (p_a * p_b))
            values.append(pmi / -math.log(p_ab + eps))
        scores.append(float(np.mean(values)))
    return round(float(np.mean(scores)), 4) if scores else 0.0


def topic_diversity(topics: Sequence[Sequence[str]], top_n: int = 25) -> float:
    """Share of unique words among the top words of all topics."""
    tops = [list(t[:top_n]) for t in topics if t]
    total = top_n * len(tops)
    return round(len({w for t in tops for w in t}) / total, 4) if total else 0.0


def topic_words(texts: Sequence[str], labels: Labels, top_n: int = 25) -> list[list[str]]:
    """Return c-TF-IDF top words per theme, the same way for every method compared."""
    words = theme_keywords(texts, np.asarray(labels, dtype=np.int64), top_n=top_n)
    return [words[k] for k in sorted(words)]


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports kB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def score_partition(texts: Sequence[str], gold: Labels, labels: Labels) -> dict[str, float]:
    """Score one partition: agreement, themes, outliers, NPMI and diversity (-1 is outlier)."""
    labels_arr = np.asarray(labels, dtype=np.int64)
    words = topic_words(texts, labels_arr)
    return {
        **agreement(gold, labels_arr),
        "n_themes": int(len(set(labels_arr[labels_arr >= 0].tolist()))),
        "outlier_rate": round(float((labels_arr == -1).mean()), 4) if len(labels_arr) else 0.0,
        "npmi": npmi(texts, words, top_n=10),
        "topic_diversity": topic_diversity(words, top_n=25),
    }
