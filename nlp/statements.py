"""Turn free-text answers into clean statements: split into sentences or clauses, dedupe."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.non_answers import is_known_non_answer
from nlp.text import normalise, word_count

__all__ = ["Statement", "dedupe", "normalise", "split_answer", "split_answers", "word_count"]

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n+\s*|\s+[-*\u2022]\s+")
_CLAUSE = re.compile(r",\s+(?=(?:but|however|although|though|whereas|and also)\b)", re.I)


@dataclass(frozen=True)
class Statement:
    """One statement taken from an answer, linked back to it."""

    text: str
    answer_index: int
    answer_id: str | int
    position: int


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
        if merged and word_count(piece) < min_words and not is_known_non_answer(piece):
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
