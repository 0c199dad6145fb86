"""Readable theme labels, keywords (c-TF-IDF) and representative, diverse quotes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z']+\b"  # noqa: S105 (a regex, not a secret)
# Phrases keep one-letter words so a label stays verbatim ("Within a day").
PHRASE_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z']*\b"
# Redaction placeholders ("[NAME]") and masks in source data ("xxxx") are not words people wrote.
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]|\b[xX]{3,}\b")
# Words too weak to open or close a label ("Felt like", "... visit yes").
_WEAK_EDGES = frozenset(
    {
        "like",
        "yes",
        "ok",
        "okay",
        "really",
        "just",
        "thank",
        "thanks",
        "think",
        "got",
        "get",
        "did",
        "didnt",
        "dont",
        "ive",
        "im",
        "id",
        "cant",
        "wont",
        "isnt",
        "wasnt",
        "arent",
        "youre",
        "theyre",
        "thats",
        "pt",
        # Verbs and evaluative words leave a fragment when they end a label ("Feel like a bad").
        "bad",
        "good",
        "great",
        "happen",
        "happened",
        "feel",
        "felt",
        "made",
        "make",
        "know",
        "knew",
        "want",
        "wanted",
        "need",
        "needed",
        "say",
        "said",
        "see",
        "seen",
        "going",
        "does",
        "doing",
        "lot",
        "bit",
        "better",
        "best",
        "able",
        "also",
        "well",
        "very",
    }
)


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"i'm", "i've", "didn't", "don't", "it's", "wasn't"}


def _edge_words() -> frozenset[str]:
    return _stop_words() | _WEAK_EDGES


def class_counts(
    texts: Sequence[str],
    labels: NDArray[Any],
    *,
    ngram: tuple[int, int],
    stop_words: bool,
    token_pattern: str = TOKEN_PATTERN,
    min_df: int = 1,
) -> tuple[Any, NDArray[Any], NDArray[np.int64]]:
    """Count terms per theme; return (theme x term counts, vocabulary, theme ids)."""
    docs, vocab = term_matrix(
        texts, ngram=ngram, stop_words=stop_words, token_pattern=token_pattern, min_df=min_df
    )
    counts, ids = group_counts(docs, labels)
    return counts, vocab, ids


def term_matrix(
    texts: Sequence[str],
    *,
    ngram: tuple[int, int],
    stop_words: bool,
    token_pattern: str,
    min_df: int = 1,
) -> tuple[Any, NDArray[Any]]:
    """Count terms per statement; return (statement x term counts, vocabulary)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    vectoriser = CountVectorizer(
        ngram_range=ngram,
        token_pattern=token_pattern,
        stop_words=sorted(_stop_words()) if stop_words else None,
        min_df=min_df,
    )
    try:
        docs = vectoriser.fit_transform([_PLACEHOLDER.sub(" ", t) for t in texts])
    except ValueError:  # no usable words at all
        return sparse.csr_matrix((len(texts), 0)), np.array([], dtype=object)
    return docs, vectoriser.get_feature_names_out()


def group_counts(docs: Any, labels: NDArray[Any]) -> tuple[Any, NDArray[np.int64]]:
    """Sum statement term counts per theme (outliers, -1, left out)."""
    from scipy import sparse

    labels = np.asarray(labels)
    ids = np.array(sorted(t for t in set(labels.tolist()) if t >= 0), dtype=np.int64)
    keep = labels >= 0
    member = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (np.searchsorted(ids, labels[keep]), np.flatnonzero(keep))),
        shape=(len(ids), len(labels)),
    )
    return member @ docs, ids


def ctfidf(counts: Any) -> NDArray[np.float64]:
    """Weight theme x term counts by BERTopic's class-based TF-IDF."""
    dense: NDArray[np.float64] = np.asarray(
        counts.todense() if hasattr(counts, "todense") else counts, dtype=np.float64
    )
    if dense.size == 0:
        return dense
    tf = dense / np.maximum(dense.sum(1, keepdims=True), 1)
    avg_words = dense.sum() / max(len(dense), 1)
    idf = np.log(1 + avg_words / np.maximum(dense.sum(0), 1))
    weights: NDArray[np.float64] = tf * idf
    return weights


def theme_keywords(
    texts: Sequence[str], labels: NDArray[Any], top_n: int = 10
) -> dict[int, list[str]]:
    """Return the top c-TF-IDF words of each theme (stop words removed)."""
    counts, vocab, ids = class_counts(texts, labels, ngram=(1, 1), stop_words=True)
    weights = ctfidf(counts)
    result: dict[int, list[str]] = {}
    for row, theme in enumerate(ids):
        order = np.argsort(-weights[row], kind="stable")[:top_n]
        result[int(theme)] = [str(vocab[i]) for i in order if weights[row, i] > 0]
    return result


def theme_labels(
    texts: Sequence[str], labels: NDArray[Any], keywords: dict[int, list[str]]
) -> dict[int, str]:
    """Name each theme with a 2-6 word phrase that occurs verbatim in its statements."""
    return PhraseIndex(texts).name_themes(labels, keywords)


class PhraseIndex:
    """Candidate label phrases (2-4 words) counted once per statement, reused per level."""

    def __init__(self, texts: Sequence[str]) -> None:
        # In a large corpus a phrase one person wrote once never names a theme: skip them.
        self.docs, self.vocab = term_matrix(
            texts,
            ngram=(2, 4),
            stop_words=False,
            token_pattern=PHRASE_PATTERN,
            min_df=2 if len(texts) >= 1000 else 1,
        )
        stop = _edge_words()
        self.words = [str(p).split() for p in self.vocab]
        self.usable = np.array([_is_label_phrase(w, stop) for w in self.words], dtype=bool)
        # A longer phrase said as often as its parts says more ("Waiting times for appointments").
        self.length_bonus = np.array([1 + 0.15 * (len(w) - 2) for w in self.words])

    def name_themes(
        self, labels: NDArray[Any], keywords: dict[int, list[str]], *, taken: Sequence[str] = ()
    ) -> dict[int, str]:
        """Return a label per theme, distinct across themes and from the `taken` labels."""
        counts, ids = group_counts(self.docs, labels)
        weights = ctfidf(counts)
        dense = np.asarray(counts.todense()) if hasattr(counts, "todense") else counts
        result: dict[int, str] = {}
        used: set[tuple[str, ...]] = {label_key(t) for t in taken}
        for row, theme in enumerate(ids):
            top = keywords.get(int(theme), [])
            phrase = None
            for min_count in (2, 1):  # prefer a phrase several people wrote
                if phrase is None and weights.size:
                    mask = self.usable & (dense[row] >= min_count)
                    phrase = self._best(np.where(mask, weights[row], 0), set(top[:5]), used)
            phrase = phrase or _keyword_label(top, used)
            used.add(label_key(phrase))
            result[int(theme)] = phrase[:1].upper() + phrase[1:]
        return result

    def _best(self, score: NDArray[Any], top: set[str], used: set[tuple[str, ...]]) -> str | None:
        """Rank the strongest candidates, favouring the theme's own keywords."""
        score = score * self.length_bonus
        candidates = np.argsort(-score, kind="stable")[:200]
        # Phrases built on the theme's keywords name it better than incidental ones.
        boosted = {
            int(i): score[i] * (1 + 0.5 * len(top.intersection(self.words[i])))
            for i in candidates
            if score[i] > 0
        }
        ranked = sorted(boosted, key=lambda i: (-boosted[i], i))
        return _best_unused(np.array([boosted[i] for i in ranked]), self.vocab[ranked], used)


def _best_unused(
    score: NDArray[Any], vocab: NDArray[Any], used: set[tuple[str, ...]]
) -> str | None:
    """Return the highest-scoring phrase not the same as another theme's (after plurals)."""
    for i in np.argsort(-score, kind="stable")[:20]:
        if score[i] > 0 and label_key(str(vocab[i])) not in used:
            return str(vocab[i])
    return None


def label_key(label: str) -> tuple[str, ...]:
    """What makes two labels the same: their words, lower-cased, singular, in any order."""
    return tuple(sorted(_singular(w) for w in re.findall(r"[a-z0-9']+", label.lower())))


def label_checks(labels: Sequence[str]) -> dict[str, int]:
    """Count what a person would fix in a run's labels: two labels the same after plurals and
    word order (`label_duplicates`: labels beyond the first of each kind) and labels that end
    or start on a small word (`label_function_word_edges`)."""
    keys = [label_key(label) for label in labels]
    edges = _edge_words()
    bad_edges = 0
    for label in labels:
        words = re.findall(r"[a-z0-9']+", label.lower())
        bad_edges += bool(words) and (words[0] in edges or words[-1] in edges)
    return {
        "label_duplicates": len(keys) - len(set(keys)),
        "label_function_word_edges": bad_edges,
    }


_IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman"}


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_label_phrase(words: list[str], stop: frozenset[str]) -> bool:
    """Accept phrases that start and end on content words ("Trainer was knowledgeable")."""
    return words[0] not in stop and words[-1] not in stop and not any("'" in w for w in words)


def _keyword_label(words: list[str], used: set[tuple[str, ...]]) -> str:
    """Fall back on the two top keywords ("parking and access") when no phrase repeats."""
    candidates = [f"{words[0]} and {words[1]}"] if len(words) >= 2 else []
    candidates += [f"{words[0]} comments", " ".join(words[:3])] if words else []
    for candidate in candidates:
        if label_key(candidate) not in used:
            return candidate
    return "other comments"


def representative_quotes(
    vectors: NDArray[Any],
    texts: Sequence[str],
    centroid: NDArray[Any],
    *,
    n: int = 4,
    diversity: float = 0.3,
) -> list[int]:
    """Pick up to n statements close to the centroid and unlike each other (MMR); return rows."""
    sims = vectors @ centroid
    pool = [int(i) for i in np.argsort(-sims, kind="stable")[:40]]
    # Prefer statements long enough to read as a quote; keep short ones if nothing else.
    long_enough = [i for i in pool if len(texts[i].split()) >= 4]
    pool = long_enough if len(long_enough) >= n else pool
    chosen: list[int] = []
    seen: set[str] = set()
    while pool and len(chosen) < n:

        def mmr(i: int) -> float:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            return (1 - diversity) * float(sims[i]) - diversity * redundancy

        best = max(pool, key=mmr)
        pool.remove(best)
        if texts[best].lower() not in seen:
            seen.add(texts[best].lower())
            chosen.append(best)
    return chosen
