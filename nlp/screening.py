"""Screen free text for possible safeguarding disclosures, synchronously at submission.

Rule and lexicon based, so it runs in the web process with no model and no worker. Recall beats
precision: a missed disclosure is unacceptable, a false positive costs a DSL a minute. The text is
normalised (lower case, apostrophes dropped, repeated letters collapsed, text-speak expanded, key
words' misspellings corrected), then matched against ``resources/disclosure_patterns.txt``.
"Strong" patterns (first person, present tense) always flag; "weak" topic words ("self-harm",
"sexual abuse") flag unless the text reads as professional context ("the training on self-harm").
Reasons are category codes only: a ``Screening`` never carries any of the input text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

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

# Words that make a weak topic match read as training feedback or staff discussing practice.
_PROFESSIONAL = re.compile(
    r"\b(?:training|trainer|trainers|course|courses|session|sessions|webinar|workshop|module|"
    r"conference|presentation|presenter|facilitator|slides|resources?|policy|policies|procedures?|"
    r"protocol|guidance|referrals?|refer|delegates?|practitioners?|colleagues|staff|professionals?|"
    r"agency|agencies|awareness|curriculum|lesson|lessons|pshe|rshe|rse|assembly|case studies|"
    r"case study|audit|topic|topics|strategy|service|services|thresholds?|indicators|signs of|"
    r"recognis\w*|recogniz\w*|understanding|knowledge|learnt|learned|learning|discuss\w*|"
    r"information about|more on|more about|useful|helpful|informative|examples?|safeguarding|"
    r"partnership|pupils|students|young people|clients|cases|teaching|taught|campaign|week|"
    r"anti|prevention|support for|working with|research|statistics|legislation|content|covered|"
    r"focus|tool|toolkit|disclosures?|incidents?|record|recording|respond|responding|behaviour|"
    r"children|childrens|a child|the child|more time|coercive|how to|what to do)\b"
)
# Staff writing about a hypothetical or reported child ("how to support a child who is being
# bullied") with no first-person words: the only case where a strong match is suppressed.
_HYPOTHETICAL = re.compile(
    r"\b(?:how to|what to do|when a child|if a child|a child who|children who|young people who|"
    r"a young person who|the child who|pupils who|how do we|how we)\b"
)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself|we|us|our|ours)\b")
_WORD = re.compile(r"[a-z0-9]+")
_REPEAT3 = re.compile(r"([a-z])\1{2,}")
_REPEAT2 = re.compile(r"([a-z])\1+")
_JOINS = re.compile(r"\b(my|him|her|your|them|our)\s(self|selves)\b")
_MACRO = re.compile(r"\{([A-Z]+)\}")


@dataclass(frozen=True)
class Screening:
    """The outcome of screening one text: whether to flag it and the category codes why."""

    flagged: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Rule:
    category: str
    is_strong: bool
    pattern: re.Pattern[str]


def _resource(name: str) -> str:
    return resources.files("nlp.resources").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_rules() -> tuple[_Rule, ...]:
    """Parse the pattern file, expanding ``{MACRO}`` references."""
    macros: dict[str, str] = {}
    rules: list[_Rule] = []
    for raw in _resource("disclosure_patterns.txt").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            name, _, body = line[1:].partition(" = ")
            macros[name.strip()] = _MACRO.sub(lambda m: macros[m.group(1)], body.strip())
            continue
        category, strength, body = re.split(r"\s{2,}", line, maxsplit=2)
        if category not in CATEGORIES or strength not in {"strong", "weak"}:
            raise ValueError(f"bad disclosure rule for category {category!r}")
        expanded = _MACRO.sub(lambda m: macros[m.group(1)], body)
        rules.append(_Rule(category, strength == "strong", re.compile(expanded)))
    return tuple(rules)


@lru_cache(maxsize=1)
def _textspeak() -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in _resource("textspeak.txt").splitlines())
    return {k.strip(): v.strip() for k, v in (p for p in pairs if len(p) == 2) if k[0] != "#"}


@lru_cache(maxsize=1)
def _key_words() -> frozenset[str]:
    """Return the words the disclosure patterns are written with."""
    words = _WORD.findall(_resource("disclosure_patterns.txt").lower())
    return frozenset(w for w in words if w.isalpha() and len(w) >= 3)


@lru_cache(maxsize=1)
def _misspellings() -> dict[str, str]:
    """Map one-edit misspellings (deletion, transposition, substitution) to key words."""
    known = _known_words()
    variants: dict[str, str] = {}
    for word in sorted(w for w in _key_words() if len(w) >= 5):
        for i in range(len(word)):
            variants.setdefault(word[:i] + word[i + 1 :], word)
            if i + 1 < len(word):
                variants.setdefault(word[:i] + word[i + 1] + word[i] + word[i + 2 :], word)
            if len(word) >= 6:
                for letter in "abcdefghijklmnopqrstuvwxyz":
                    variants.setdefault(word[:i] + letter + word[i + 1 :], word)
    return {v: w for v, w in variants.items() if v not in known}


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    text = _resource("common_words.txt")
    return frozenset(w for line in text.splitlines() if line[:1] != "#" for w in line.split())


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    return _common_words() | _key_words()


def _fix_token(token: str) -> str:
    """Return the canonical form of one lower-case token."""
    speak, keys, known = _textspeak(), _key_words(), _known_words()
    candidates = [token, _REPEAT3.sub(r"\1\1", token), _REPEAT2.sub(r"\1", token)]
    for cand in candidates:
        if cand in speak:
            return speak[cand]
        if cand in known:
            return cand
    typos = _misspellings()
    for cand in candidates:
        if cand in typos:
            return typos[cand]
        # One inserted letter ("hurtsz", "scaried"): drop each letter in turn.
        for i in range(len(cand) if len(cand) >= 6 else 0):
            if cand[:i] + cand[i + 1 :] in keys:
                return cand[:i] + cand[i + 1 :]
    return candidates[1]


def normalise(text: str) -> str:
    """Lower-case, drop apostrophes, expand text-speak and fix key misspellings."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['\u2018\u2019`\u00b4]", "", text)
    tokens = [_fix_token(t) for t in _WORD.findall(text)]
    return _JOINS.sub(lambda m: m.group(1) + m.group(2), " ".join(tokens))


def screen(text: str) -> Screening:
    """Screen one free-text answer and return whether to flag it, with category codes."""
    norm = normalise(text)
    is_professional = _PROFESSIONAL.search(norm) is not None
    is_hypothetical = _HYPOTHETICAL.search(norm) is not None and not _FIRST_PERSON.search(norm)
    reasons: list[str] = []
    for rule in load_rules():
        if rule.category in reasons or is_hypothetical:
            continue
        if not rule.is_strong and is_professional:
            continue
        if rule.pattern.search(norm):
            reasons.append(rule.category)
    ordered = tuple(c for c in CATEGORIES if c in reasons)
    return Screening(flagged=bool(ordered), reasons=ordered)
