"""Turn free-text answers into clean statements: normalise, spot non-answers, split, dedupe."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Content-free answers: counted, but never clustered. "Nothing" and "no" are here because they
# carry no theme of their own (their meaning depends on the question, which the caller knows);
# opinions such as "all good" or "nothing to improve, great course" stay in, because they are
# an answer a quality group wants to see as a theme ("satisfied, nothing to change").
NON_ANSWERS: frozenset[str] = frozenset(
    {
        "n a",
        "na",
        "none",
        "nothing",
        "no",
        "nil",
        "nope",
        "not applicable",
        "no comment",
        "no comments",
        "no further comments",
        "no further comment",
        "nothing to add",
        "nothing to say",
        "nothing further",
        "nothing else",
        "none that i can think of",
        "nothing that i can think of",
        "can't think of anything",
        "cannot think of anything",
        "cant think of anything",
        "nothing comes to mind",
        "don't know",
        "dont know",
        "do not know",
        "i don't know",
        "not sure",
        "unsure",
        "no idea",
        "idk",
        "see above",
        "as above",
        "same as above",
        "see previous answer",
        "tbc",
        "x",
    }
)
# Polite padding that does not change whether an answer says anything.
_FILLER = re.compile(
    r"\b(thanks|thank you|really|at all|at the moment|at present|currently|"
    r"i think|sorry|so far|as such|else|specific|in particular)\b"
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n+\s*|\s+[-*\u2022]\s+")
_CLAUSE = re.compile(r",\s+(?=(?:but|however|although|though|whereas|and also)\b)", re.I)
_WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class Statement:
    """One statement taken from an answer, linked back to it."""

    text: str
    answer_index: int
    answer_id: str | int
    position: int


def normalise(text: str) -> str:
    """Return the text with Unicode, quotes and whitespace made uniform."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x00A0: " "})
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def non_answer_form(text: str) -> str | None:
    """Return the canonical non-answer (e.g. "nothing"), or None if the text says something."""
    lowered = normalise(text).lower()
    if not re.search(r"[a-z0-9]", lowered):
        return "-"
    bare = re.sub(r"[^a-z0-9' ]+", " ", lowered.replace("n/a", "n a"))
    bare = _FILLER.sub(" ", bare)
    bare = re.sub(r"\s+", " ", bare).strip()
    for form in (bare, re.sub(r"^(no|none|nothing) (no|none|nothing)$", r"\1", bare)):
        if form in NON_ANSWERS:
            return form
    return None


def is_non_answer(text: str) -> bool:
    """Say whether the text is a content-free answer such as "n/a" or "no comment"."""
    return non_answer_form(text) is not None


def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(_WORD.findall(text))


def split_answer(text: str, *, max_words: int = 25, min_words: int = 4) -> list[str]:
    """Split a long answer into sentences or clauses; keep short answers whole."""
    text = normalise(text)
    if word_count(text) <= max_words and "\n" not in text:
        return [text] if text else []
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        parts = _CLAUSE.split(sentence) if word_count(sentence) > max_words else [sentence]
        pieces.extend(p.strip(" -*\u2022") for p in parts if p and p.strip(" -*\u2022"))
    return _merge_fragments(pieces, min_words)


def _merge_fragments(pieces: list[str], min_words: int) -> list[str]:
    """Glue fragments too short to stand alone onto their neighbour."""
    merged: list[str] = []
    for piece in pieces:
        if merged and word_count(piece) < min_words and not is_non_answer(piece):
            merged[-1] = f"{merged[-1]} {piece}"
        elif merged and word_count(merged[-1]) < min_words:
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def split_answers(
    answers: Sequence[str],
    *,
    answer_ids: Sequence[str | int] | None = None,
    max_words: int = 25,
) -> list[Statement]:
    """Split every answer into statements that keep a link to their answer."""
    ids = list(answer_ids) if answer_ids is not None else list(range(len(answers)))
    if len(ids) != len(answers):
        raise ValueError("answer_ids must have one id per answer")
    statements: list[Statement] = []
    for index, answer in enumerate(answers):
        seen: set[str] = set()
        for piece in split_answer(answer or "", max_words=max_words):
            key = piece.lower()
            if key in seen:  # the same sentence twice in one answer is one statement
                continue
            seen.add(key)
            statements.append(Statement(piece, index, ids[index], len(seen) - 1))
    return statements


def dedupe(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """Return the unique texts and, for each input, the index of its unique text."""
    index_of: dict[str, int] = {}
    inverse = [index_of.setdefault(text, len(index_of)) for text in texts]
    return list(index_of), inverse
