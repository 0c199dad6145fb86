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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, get_args

Writer = Literal["child", "family", "practitioner", "organisation", "unknown"]
WRITERS: tuple[Writer, ...] = get_args(Writer)
# Writers who describe children they work with rather than themselves: their text must describe
# a specific child or family now (``describes_case``), not services, policy or training.
PROFESSIONAL_WRITERS = frozenset({"practitioner", "organisation"})

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
_CLAUSE_SPLIT = re.compile(r"[.!?;:\n\r()\[\],\"]+|\s(?:but|although|though|however|whereas)\s")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_WORD = re.compile(r"[a-z0-9]+")
_JOINS = re.compile(r"\b(my|him|her|your|them|our) (self|selves)\b")
_FIRST_PERSON = frozenset({"me", "myself", "us"})
_IDIOM_MARK = "\u00b7"
_REPEAT3 = re.compile(r"([a-z])\1{2,}")
_REPEAT2 = re.compile(r"([a-z])\1+")
_SOUNDS = (
    ("ch", "9"),
    ("ph", "f"),
    ("wh", "w"),
    ("ck", "k"),
    ("gh", ""),
    ("th", "f"),
    ("v", "f"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "s"),
    ("c", "k"),
)
_VOWELS = re.compile(r"[aeiouy]+")
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


@dataclass(frozen=True)
class Term:
    """One lexicon entry: a token pattern, its category, tier and whether it is an injury."""

    category: str
    tier: str
    is_injury: bool
    parts: tuple[frozenset[str] | str, ...]  # a word set, "*prefix", "_" (any word) or ".."


@dataclass(frozen=True)
class _Hit:
    term: Term
    start: int
    end: int
    clause: int


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def is_one_edit(a: str, b: str) -> bool:
    """Say whether ``a`` and ``b`` differ by one insertion, deletion, swap or substitution."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) != len(b):
        return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]
    swapped = a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :]
    return a[i + 1 :] == b[i + 1 :] or swapped


def sound_key(word: str) -> str:
    """Return a rough sound-alike key ("hert" and "hurt" -> "hart", "wakkd" -> "wakd")."""
    for letters, sound in _SOUNDS:
        word = word.replace(letters, sound)
    word = re.sub(r"e$", "", re.sub(r"ed$", "d", word))
    return _REPEAT2.sub(r"\1", _VOWELS.sub("a", word))


class Speller:
    """Map a raw token to its canonical form: text-speak, known words, then likely typos."""

    def __init__(
        self,
        vocabulary: dict[str, frozenset[str]],
        *,
        standalone: frozenset[str],
        common: frozenset[str],
        textspeak: dict[str, str],
    ) -> None:
        self.textspeak = textspeak
        self.standalone = standalone
        self.categories = vocabulary
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= 4 and w.isalpha())
        self.known = common | self.vocabulary
        self.by_deletion: dict[str, set[str]] = {}
        self.by_sound: dict[str, set[str]] = {}
        for word in self.vocabulary:
            for variant in _deletions(word) | {word}:
                self.by_deletion.setdefault(variant, set()).add(word)
            self.by_sound.setdefault(sound_key(word), set()).add(word)
        self.fix = lru_cache(maxsize=65536)(self._fix)

    def _fix(self, token: str) -> str:
        candidates = list(
            dict.fromkeys([token, _REPEAT3.sub(r"\1\1", token), _REPEAT2.sub(r"\1", token)])
        )
        for cand in candidates:
            if cand in self.textspeak:
                return self.textspeak[cand]
            if cand in self.known:
                return cand
        for cand in candidates:
            fixed = self._typo(cand) or self._sound_alike(cand)
            if fixed:
                return fixed
        return _REPEAT3.sub(r"\1\1", token)

    def _typo(self, token: str) -> str | None:
        """Return the one lexicon word one edit from a 5+ letter token, if exactly one."""
        if len(token) < 5 or not token.isalpha():
            return None
        near = set(self.by_deletion.get(token, ()))
        for variant in _deletions(token):
            near |= self.by_deletion.get(variant, set())
        found = {w for w in near if len(w) >= 5 or len(token) > len(w)}
        return self._one_meaning({w for w in found if is_one_edit(token, w)})

    def _sound_alike(self, token: str) -> str | None:
        """Return the one lexicon word that sounds like a 4+ letter token, if exactly one."""
        key = sound_key(token)
        if len(token) < 4 or not token.isalpha() or len(key.replace("a", "")) < 3:
            return None
        return self._one_meaning(self.by_sound.get(key, set()))

    def _one_meaning(self, found: set[str]) -> str | None:
        """Return a candidate if all mean the same, preferring words that are terms alone."""
        for group in (found, found & self.standalone):
            if group and len({self.categories[w] for w in group}) == 1:
                return min(group)
        return None


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
def _context() -> dict[str, re.Pattern[str]]:
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
def _index() -> tuple[dict[str, list[Term]], dict[str, list[Term]]]:
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


def _find_terms(tokens: list[str], clause: int) -> list[_Hit]:
    """Return the lexicon hits in one clause, dropping hits inside a longer hit."""
    by_word, by_prefix = _index()
    hits: list[_Hit] = []
    for i, token in enumerate(tokens):
        candidates = list(by_word.get(token, ()))
        for k in range(4, len(token) + 1):
            candidates += by_prefix.get(token[:k], ())
        for term in candidates:
            end = _match_end(term.parts[1:], tokens, i + 1)
            if end >= 0:
                hits.append(_Hit(term, i, end, clause))
    return [
        h
        for h in hits
        if not any(
            o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start
            for o in hits
        )
    ]


def normalise(text: str) -> str:
    """Lower-case, drop apostrophes, expand text-speak and fix key misspellings."""
    return " ".join(" ".join(tokens) for tokens in _clauses(text))


def _clauses(text: str) -> list[list[str]]:
    """Split ``text`` into clauses of normalised tokens, with idioms masked out."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).lower()).replace("-", " ")
    fix, idiom = speller().fix, _context()["idiom"]
    clauses = []
    for raw in _CLAUSE_SPLIT.split(text):
        words = " ".join(fix(token) for token in _WORD.findall(raw))
        words = idiom.sub(_IDIOM_MARK, _JOINS.sub(r"\1\2", words))
        if words:
            clauses.append(words.split())
    return clauses


def _is_experience(hit: _Hit, tokens: list[str]) -> bool:
    """Say whether a hit is told in the first person ("i am being bullied", "hits me")."""
    before, inside = tokens[max(0, hit.start - 3) : hit.start], tokens[hit.start : hit.end]
    after = set(tokens[hit.start : hit.end + 2])
    return "i" in before or "my" in inside or bool(_FIRST_PERSON & after)


def _clause_hits(tokens: list[str], clause: int) -> list[_Hit]:
    """Return the hits in one clause that survive its professional and accident suppressors."""
    context, text = _context(), " ".join(tokens)
    hits = _find_terms(tokens, clause)
    if hits and context["professional"].search(text) and not context["relay"].search(text):
        hits = [h for h in hits if _is_experience(h, tokens)]
    if hits and context["accident"].search(text) and not context["threat_person"].search(text):
        hits = [h for h in hits if not h.term.is_injury]
    return hits


def _has_partner(hit: _Hit, hits: list[_Hit]) -> bool:
    """Say whether another term of the same category was found ("older lads" + "owe")."""
    return any(o.term is not hit.term and o.term.category == hit.term.category for o in hits)


def _flagged(hits: list[_Hit], clauses: list[list[str]]) -> list[_Hit]:
    """Keep the hits that flag: strong terms, and corroborated fear, soft and pair terms."""
    context, text = _context(), " ".join(" ".join(c) for c in clauses)
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
    for match in _context()["specific_person"].finditer(clause):
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
    return has_person and _context()["case_event"].search(" ".join(clauses)) is not None


def _is_concrete(hit: _Hit, tokens: list[str]) -> bool:
    """Say whether a hit names a harm done ("hit", "bruises"), not only a topic ("neglect")."""
    topic = _context()["topic"]
    return not all(topic.fullmatch(token) for token in tokens[hit.start : hit.end])


def _is_own_experience(hit: _Hit, tokens: list[str]) -> bool:
    """Say whether a hit is plainly about the writer ("my partner hits me", "hurt myself").

    "I" before a topic word is an opinion ("i think neglect training ..."), not experience.
    """
    inside, after = tokens[hit.start : hit.end], set(tokens[hit.start : hit.end + 2])
    if {"me", "myself"} & after or (inside and inside[0] == "my"):
        return True
    return "i" in tokens[max(0, hit.start - 3) : hit.start] and _is_concrete(hit, tokens)


def _professional_hits(text: str, clauses: list[list[str]]) -> list[_Hit]:
    """Return a practitioner's hits that describe a specific case now, or their own harm."""
    hits = [hit for i, tokens in enumerate(clauses) for hit in _find_terms(tokens, i)]
    hits = [h for h in _flagged(hits, clauses) if not _is_accident(h, clauses[h.clause])]
    own = [h for h in hits if _is_own_experience(h, clauses[h.clause])]
    if not describes_case(text):
        return own
    if _DISCLOSED.search(" ".join(" ".join(c) for c in clauses)):
        return hits
    return own + [h for h in hits if _is_concrete(h, clauses[h.clause])]


def _is_accident(hit: _Hit, tokens: list[str]) -> bool:
    """Say whether an injury hit sits in a clause that reads as an accident with no culprit."""
    context, text = _context(), " ".join(tokens)
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
