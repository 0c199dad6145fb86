"""The disclosure lexicon and context lists, and finding lexicon terms in a clause.

Public API:
    CATEGORIES, TIERS, Term, Hit
    load_lexicon() -> tuple[Term, ...], inflections(stem) -> frozenset[str]
    context_patterns() -> {section: pattern} (from ``resources/disclosure_context.txt``)
    speller() -> Speller built from the lexicon, common words and text-speak
    find_terms(tokens, clause) -> list[Hit]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from nlp.screening.spelling import Speller

CATEGORIES = (
    "harm_by_adult",
    "fear_of_home",
    "self_harm",
    "suicidal_thoughts",
    "sexual_abuse",
    "neglect",
    "domestic_abuse",
    "exploitation",
    "online_abuse",
    "bullying_severe",
    "danger_now",
)
TIERS = ("strong", "soft", "fear", "pair")


@dataclass(frozen=True)
class Term:
    """One lexicon entry: a token pattern, its category, tier and whether it is an injury."""

    category: str
    tier: str
    is_injury: bool
    parts: tuple[frozenset[str] | str, ...]  # a word set, "*prefix", "_" (any word) or ".."


@dataclass(frozen=True)
class Hit:
    """One lexicon term found in a clause: token positions [start, end)."""

    term: Term
    start: int
    end: int
    clause: int


def _resource(name: str) -> str:
    return resources.files("nlp.resources").joinpath(name).read_text(encoding="utf-8")


def _lines(name: str) -> Iterator[str]:
    for raw in _resource(name).splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


def inflections(stem: str) -> frozenset[str]:
    """Return a word with its regular inflections ("hit" -> hits, hitting, hitted, ...)."""
    if stem.endswith("e"):
        return frozenset({stem, stem + "s", stem + "d", stem[:-1] + "ing"})
    forms = {stem, stem + "s", stem + "ed", stem + "ing"}
    if stem.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(stem + "es")
    if stem.endswith("y") and stem[-2] not in "aeiou":
        forms |= {stem[:-1] + "ies", stem[:-1] + "ied"}
    # Short consonant-vowel-consonant stems double their last letter: hit -> hitting.
    is_cvc = stem[-1] not in "aeiouwxy" and stem[-2] in "aeiou" and stem[-3:-2] not in "aeiou"
    if len(stem) <= 4 and is_cvc:
        forms |= {stem + stem[-1] + "ing", stem + stem[-1] + "ed"}
    return frozenset(forms)


def _part(word: str) -> frozenset[str] | str:
    """Parse one lexicon word: ``a/b`` alternatives, ``word+`` inflections, ``word*`` prefix."""
    if "/" in word:
        forms = [_part(alternative) for alternative in word.split("/")]
        if not all(isinstance(form, frozenset) for form in forms):
            raise ValueError(f"alternatives must be words in disclosure lexicon: {word!r}")
        return frozenset().union(*forms)
    if word.endswith("+"):
        return inflections(word[:-1])
    if word.endswith("*"):
        if len(word) < 5:
            raise ValueError(f"prefix too short in disclosure lexicon: {word!r}")
        return "*" + word[:-1]
    return word if word in {"_", ".."} else frozenset({word})


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[Term, ...]:
    """Parse ``disclosure_lexicon.txt`` into terms."""
    terms: list[Term] = []
    category = ""
    for line in _lines("disclosure_lexicon.txt"):
        if line.startswith("["):
            category = line.strip("[]")
            if category not in CATEGORIES:
                raise ValueError(f"unknown disclosure category {category!r}")
            continue
        body, *tags = (field.strip() for field in line.split("|"))
        tier = tags[0] if tags and tags[0] else "strong"
        if tier not in TIERS or body.split()[0] in {"_", ".."}:
            raise ValueError(f"bad disclosure lexicon line in {category!r}")
        parts = tuple(_part(word) for word in body.split())
        terms.append(Term(category, tier, "injury" in tags[1:], parts))
    return tuple(terms)


@lru_cache(maxsize=1)
def context_patterns() -> dict[str, re.Pattern[str]]:
    """Compile each section of ``disclosure_context.txt`` into one whole-word pattern."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in _lines("disclosure_context.txt"):
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            current.append(line)
    return {
        name: re.compile(r"(?<![\w\u00b7])(?:" + "|".join(body) + r")(?![\w\u00b7])")
        for name, body in sections.items()
    }


@lru_cache(maxsize=1)
def term_index() -> tuple[dict[str, list[Term]], dict[str, list[Term]]]:
    """Index terms by their first word, and by their first prefix for ``word*`` terms."""
    by_word: dict[str, list[Term]] = {}
    by_prefix: dict[str, list[Term]] = {}
    for term in load_lexicon():
        first = term.parts[0]
        if isinstance(first, str):
            by_prefix.setdefault(first[1:], []).append(term)
        else:
            for word in first:
                by_word.setdefault(word, []).append(term)
    return by_word, by_prefix


@lru_cache(maxsize=1)
def speller() -> Speller:
    """Return the speller built from the lexicon, common words and text-speak."""
    vocabulary: dict[str, set[str]] = {}
    for term in load_lexicon():
        for part in term.parts:
            for word in part if isinstance(part, frozenset) else ():
                vocabulary.setdefault(word, set()).add(term.category)
    common = frozenset(_resource("common_words.txt").split()) - {"#"}
    pairs = (line.split(" = ", 1) for line in _lines("textspeak.txt"))
    textspeak = {key.strip(): value.strip() for key, value in (p for p in pairs if len(p) == 2)}
    meanings = {word: frozenset(categories) for word, categories in vocabulary.items()}
    standalone = frozenset(
        word
        for term in load_lexicon()
        if len(term.parts) == 1 and isinstance(term.parts[0], frozenset)
        for word in term.parts[0]
    )
    return Speller(meanings, standalone=standalone, common=common, textspeak=textspeak)


def _matches_part(part: frozenset[str] | str, token: str) -> bool:
    if isinstance(part, frozenset):
        return token in part
    return part == "_" or token.startswith(part[1:])


def _match_end(parts: tuple[frozenset[str] | str, ...], tokens: list[str], i: int) -> int:
    """Return the end index of ``parts`` matched at ``tokens[i:]``, or -1."""
    if not parts:
        return i
    head, rest = parts[0], parts[1:]
    if head == "..":
        for gap in range(4):
            end = _match_end(rest, tokens, i + gap) if i + gap <= len(tokens) else -1
            if end >= 0:
                return end
        return -1
    if i < len(tokens) and _matches_part(head, tokens[i]):
        return _match_end(rest, tokens, i + 1)
    return -1


def find_terms(tokens: list[str], clause: int) -> list[Hit]:
    """Return the lexicon hits in one clause, dropping hits inside a longer hit."""
    by_word, by_prefix = term_index()
    hits: list[Hit] = []
    for i, token in enumerate(tokens):
        candidates = list(by_word.get(token, ()))
        for k in range(4, len(token) + 1):
            candidates += by_prefix.get(token[:k], ())
        for term in candidates:
            end = _match_end(term.parts[1:], tokens, i + 1)
            if end >= 0:
                hits.append(Hit(term, i, end, clause))
    return [
        h
        for h in hits
        if not any(
            o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start
            for o in hits
        )
    ]
