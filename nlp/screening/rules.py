"""Screen free text for possible safeguarding disclosures, synchronously at submission.

Rule and lexicon based, so it runs in the web process with no model and no worker. Recall
first: a missed disclosure is unacceptable, a false positive costs a DSL a minute. Any concern
term from ``resources/disclosure_lexicon.txt`` flags the text, its misspellings included;
everyday words ("shouting", "hungry", "online") need corroboration. A hit is dropped only
with strong evidence, clause by clause (``resources/disclosure_context.txt``): an idiom ("this
homework is killing me"), an accident with nobody to blame, or training and policy talk with no
first-person experience. Reasons are category codes only: a ``Screening`` never carries text.

Who is writing matters (``writer``). Children and families, and an unknown writer, get the
recall-first screen above. Practitioners and organisations mostly write about services, policy,
training and thresholds ("more neglect training", "domestic abuse referrals take too long"), so
their text flags only when it describes a specific child or family and something happening to
them now ("a boy in my class came in today with a bruise and said dad hit him"), or their own
first-person experience: see ``describes_case``.

This is the fast first layer and never needs a model. It misses euphemism ("i wont be around
much longer"), so the job worker runs a second, semantic pass shortly after submission:
``nlp.disclosure_model.screen_semantic`` (MiniLM), or ``combined_screen(texts, semantic=True)``
for both layers at once.

Public API:
    Writer, WRITERS, PROFESSIONAL_WRITERS, Screening
    screen(text, *, writer="unknown") -> Screening
    describes_case(text) -> bool, normalise(text) -> str

The lexicon lives in nlp.screening.lexicon, spelling in nlp.screening.spelling.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, get_args

from nlp.screening.lexicon import CATEGORIES, Hit, context_patterns, find_terms, speller

Writer = Literal["child", "family", "practitioner", "organisation", "unknown"]
WRITERS: tuple[Writer, ...] = get_args(Writer)
# Writers who describe children they work with rather than themselves: their text must describe
# a specific child or family now (``describes_case``), not services, policy or training.
PROFESSIONAL_WRITERS = frozenset({"practitioner", "organisation"})

_CLAUSE_SPLIT = re.compile(r"[.!?;:\n\r()\[\],\"]+|\s(?:but|although|though|however|whereas)\s")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_WORD = re.compile(r"[a-z0-9]+")
_JOINS = re.compile(r"\b(my|him|her|your|them|our) (self|selves)\b")
_FIRST_PERSON = frozenset({"me", "myself", "us"})
_IDIOM_MARK = "\u00b7"
_PLACEHOLDER_NAME = re.compile(r"\[(?:NAME|PERSON)\]")
# "when a child says ...", "if a pupil tells you ...": a hypothetical child, not a specific one.
_HYPOTHETICAL = re.compile(
    r"(?:^|\s)(?:when|whenever|if|unless|until|once|should|would|could|might|where|how)"
    r"(?:\s\w+)?\s?$|^(?:when|whenever|if|unless|until|once|where|how)$"
)
_DISCLOSED = re.compile(r"(?<!\w)disclos\w*|told (?:me|us|staff|her teacher|his teacher)")


@dataclass(frozen=True)
class Screening:
    """The outcome of screening one text: whether to flag it and the category codes why."""

    flagged: bool
    reasons: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Lower-case, drop apostrophes, expand text-speak and fix key misspellings."""
    return " ".join(" ".join(tokens) for tokens in _clauses(text))


def _clauses(text: str) -> list[list[str]]:
    """Split ``text`` into clauses of normalised tokens, with idioms masked out."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).lower()).replace("-", " ")
    fix, idiom = speller().fix, context_patterns()["idiom"]
    clauses = []
    for raw in _CLAUSE_SPLIT.split(text):
        words = " ".join(fix(token) for token in _WORD.findall(raw))
        words = idiom.sub(_IDIOM_MARK, _JOINS.sub(r"\1\2", words))
        if words:
            clauses.append(words.split())
    return clauses


def _is_experience(hit: Hit, tokens: list[str]) -> bool:
    """Say whether a hit is told in the first person ("i am being bullied", "hits me")."""
    before, inside = tokens[max(0, hit.start - 3) : hit.start], tokens[hit.start : hit.end]
    after = set(tokens[hit.start : hit.end + 2])
    return "i" in before or "my" in inside or bool(_FIRST_PERSON & after)


def _clause_hits(tokens: list[str], clause: int) -> list[Hit]:
    """Return the hits in one clause that survive its professional and accident suppressors."""
    context, text = context_patterns(), " ".join(tokens)
    hits = find_terms(tokens, clause)
    if hits and context["professional"].search(text) and not context["relay"].search(text):
        hits = [h for h in hits if _is_experience(h, tokens)]
    if hits and context["accident"].search(text) and not context["threat_person"].search(text):
        hits = [h for h in hits if not h.term.is_injury]
    return hits


def _has_partner(hit: Hit, hits: list[Hit]) -> bool:
    """Say whether another term of the same category was found ("older lads" + "owe")."""
    return any(o.term is not hit.term and o.term.category == hit.term.category for o in hits)


def _flagged(hits: list[Hit], clauses: list[list[str]]) -> list[Hit]:
    """Keep the hits that flag: strong terms, and corroborated fear, soft and pair terms."""
    context, text = context_patterns(), " ".join(" ".join(c) for c in clauses)
    is_intense = context["intensity"].search(text) is not None
    strong = [h for h in hits if h.term.tier == "strong"]
    fear = [
        h
        for h in hits
        if h.term.tier == "fear"
        and (is_intense or strong or context["threat_person"].search(" ".join(clauses[h.clause])))
    ]
    sure = is_intense or bool(strong or fear)
    kept = strong + fear
    kept += [h for h in hits if h.term.tier == "soft" and (sure or _has_partner(h, hits))]
    kept += [h for h in hits if h.term.tier == "pair" and _has_partner(h, hits)]
    if context["resolved"].search(text) and not is_intense:
        # Bullying the school has dealt with is not a safeguarding concern; abuse always is.
        kept = [h for h in kept if h.term.category != "bullying_severe"]
    return kept


def _names_person(clause: str) -> bool:
    """Say whether a clause names a specific person, not a hypothetical "when a child ..."."""
    for match in context_patterns()["specific_person"].finditer(clause):
        before = clause[: match.start()] + match.group().split(" ", 1)[0]
        if not _HYPOTHETICAL.search(before):
            return True
    return False


def describes_case(text: str) -> bool:
    """Say whether text describes a specific child or family and something happening now.

    "One of my Year 3 boys came in today with a bruise" does; "Having a neglect champion in
    each team would help" and "when a child discloses abuse we need a faster route" do not.
    """
    clauses = [" ".join(tokens) for tokens in _clauses(text)]
    has_person = bool(_PLACEHOLDER_NAME.search(text)) or any(map(_names_person, clauses))
    return has_person and context_patterns()["case_event"].search(" ".join(clauses)) is not None


def _is_concrete(hit: Hit, tokens: list[str]) -> bool:
    """Say whether a hit names a harm done ("hit", "bruises"), not only a topic ("neglect")."""
    topic = context_patterns()["topic"]
    return not all(topic.fullmatch(token) for token in tokens[hit.start : hit.end])


def _is_own_experience(hit: Hit, tokens: list[str]) -> bool:
    """Say whether a hit is plainly about the writer ("my partner hits me", "hurt myself").

    "I" before a topic word is an opinion ("i think neglect training ..."), not experience.
    """
    inside, after = tokens[hit.start : hit.end], set(tokens[hit.start : hit.end + 2])
    if {"me", "myself"} & after or (inside and inside[0] == "my"):
        return True
    return "i" in tokens[max(0, hit.start - 3) : hit.start] and _is_concrete(hit, tokens)


def _professional_hits(text: str, clauses: list[list[str]]) -> list[Hit]:
    """Return a practitioner's hits that describe a specific case now, or their own harm."""
    hits = [hit for i, tokens in enumerate(clauses) for hit in find_terms(tokens, i)]
    hits = [h for h in _flagged(hits, clauses) if not _is_accident(h, clauses[h.clause])]
    own = [h for h in hits if _is_own_experience(h, clauses[h.clause])]
    if not describes_case(text):
        return own
    if _DISCLOSED.search(" ".join(" ".join(c) for c in clauses)):
        return hits
    return own + [h for h in hits if _is_concrete(h, clauses[h.clause])]


def _is_accident(hit: Hit, tokens: list[str]) -> bool:
    """Say whether an injury hit sits in a clause that reads as an accident with no culprit."""
    context, text = context_patterns(), " ".join(tokens)
    return (
        hit.term.is_injury
        and context["accident"].search(text) is not None
        and context["threat_person"].search(text) is None
    )


def screen(text: str, *, writer: Writer = "unknown") -> Screening:
    """Screen one free-text answer and return whether to flag it, with category codes.

    ``writer`` says who wrote it; practitioners and organisations must describe a specific
    child or family now (``describes_case``), everyone else gets the recall-first screen.
    """
    if writer not in WRITERS:
        raise ValueError(f"unknown writer {writer!r}")
    clauses = _clauses(text)
    if writer in PROFESSIONAL_WRITERS:
        kept = _professional_hits(text, clauses)
    else:
        hits = [hit for i, tokens in enumerate(clauses) for hit in _clause_hits(tokens, i)]
        kept = _flagged(hits, clauses)
    found = {hit.term.category for hit in kept}
    reasons = tuple(c for c in CATEGORIES if c in found)
    return Screening(flagged=bool(reasons), reasons=reasons)
