"""Find people's names with titles, cue words, gazetteers and capitalisation checks.

Recall beats precision here: a missed name leaks a child's identity, an extra ``[NAME]`` costs a
word of a quote. The rules, strongest first:

1. a title (Mr, Mrs, Ms, Miss, Dr, ...) followed by initials and/or a name;
2. a cue ("my son", "called", "named", "social worker", ...) followed by a name-like word;
3. a first name or surname from the gazetteers, with capitalisation checks for names that are
   also ordinary words ("Hope", "Will", "May");
4. two or more capitalised words in a row that are not ordinary English words ("Leslie O'Neill").

A name is extended over a following surname-like word. Words from ``non_names.txt`` (agencies,
roles, courses, months) and ``places.txt`` never count as names on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

Span = tuple[int, int, str]

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]\.?")
_TITLE = re.compile(
    r"\b(?:mr|mrs|ms|mx|miss|dr|prof|sir|dame|rev|cllr|pc|dc|ds|di|sgt|nurse|auntie|aunty|"
    r"uncle|nan|nana|grandad|grandma|granny|cousin)\.?$",
    re.IGNORECASE,
)
_UNAMBIGUOUS_TITLES = {"mr", "mrs", "ms", "mx", "dr", "prof", "cllr", "sgt"}
_CUE = re.compile(
    r"(?:\bmy\s+(?:little\s+|big\s+|older\s+|younger\s+|baby\s+|step\s?)?"
    r"(?:son|daughter|brother|sister|friend|best\s+friend|boyfriend|girlfriend|partner|husband|"
    r"wife|mum'?s\s+boyfriend|dad'?s\s+girlfriend|child|kid|grandson|granddaughter|nephew|niece|"
    r"carer|keyworker|key\s+worker|mentor|teacher|social\s+worker|worker)|\b(?:called|named|"
    r"with|and|thanks|thank\s+you|dear|hi|hello|love|child|pupil|student|boy|girl|learner|trainee|"
    r"social\s+worker|teacher|worker|practitioner|lead|dsl|manager|officer|nurse|visitor|"
    r"midwife|gp|therapist|counsellor|mentor|trainer|facilitator|presenter))[\s,:]+$",
    re.IGNORECASE,
)
# Cues so strong that any following capitalised word (or unknown lower-case word) is a name.
_STRONG_CUE = re.compile(
    r"(?:\bmy\s+(?:\w+\s+)?(?:son|daughter|brother|sister|friend|boyfriend|girlfriend|grandson|"
    r"granddaughter|nephew|niece|child|kid)|\bcalled|\bnamed|\bname\s+is|\bname's|"
    r"\bknown\s+as)[\s,:]+$",
    re.IGNORECASE,
)
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august"}
_MONTH_BEFORE = re.compile(
    r"(?:\b(?:in|on|of|since|until|till|by|during|last|next|this|early|late|mid|end|from|"
    r"before|after|every|each|and|or)|\d(?:st|nd|rd|th)?)\s+$",
    re.IGNORECASE,
)
_MONTH_AFTER = re.compile(r"^\s*(?:\d|half|term|holidays?|'\d)", re.IGNORECASE)
_PLACE_WORDS = {
    "lane",
    "road",
    "street",
    "close",
    "court",
    "avenue",
    "drive",
    "park",
    "hill",
    "way",
    "house",
    "garden",
    "gardens",
    "centre",
    "center",
    "primary",
    "academy",
    "school",
    "ward",
    "unit",
    "room",
}
_REPORTING_VERBS = {
    "said",
    "says",
    "told",
    "tells",
    "asked",
    "asks",
    "came",
    "helped",
    "helps",
    "went",
    "has",
    "had",
    "rang",
    "phoned",
    "called",
    "visited",
    "explained",
    "shouted",
    "hit",
    "hits",
}
_FAMILY_NAME_AFTER = re.compile(r"^(?:,|\s+(?:is|was|and|has|had|keeps|said|says|likes)\b)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"\u201c(]\s*|\n\s*)$")


def _words(name: str) -> frozenset[str]:
    text = resources.files("nlp.resources").joinpath(name).read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(word for line in lines for word in line.split())


@dataclass(frozen=True)
class Lexicon:
    """The word lists behind name detection."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    ambiguous: frozenset[str]
    common: frozenset[str]
    blocked: frozenset[str]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load the gazetteers and word lists shipped in ``nlp/resources``."""
    surnames = _words("surnames.txt")
    ambiguous = _words("ambiguous_names.txt")
    first = _words("first_names.txt") | (ambiguous - surnames)
    return Lexicon(
        first_names=first,
        surnames=surnames,
        ambiguous=ambiguous,
        common=_words("common_words.txt"),
        blocked=(_words("non_names.txt") | _words("places.txt")) - first,
    )


class _Token:
    """A word of the text, with what the rules ask of it worked out once."""

    __slots__ = ("end", "is_capitalised", "is_initial", "key", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text = start, end, text
        self.key = text.lower().replace("\u2019", "'").removesuffix("'s").replace("'", "")
        self.is_capitalised = text[0].isupper()
        self.is_initial = self.is_capitalised and len(text.rstrip(".")) == 1


# The cue patterns end with `$`: they ask what comes just before a word. They are searched in
# the text up to the word (`pattern.search(text, start, end)` sees the characters before
# `start` for `\b` and look-behinds, as a search of `text[:end]` would), over the last
# _BEFORE characters only: no cue is that long, and a search of the whole text before every
# word made finding names quadratic in the length of the answer.
_BEFORE = 200
# The same cues anywhere in the text: a text with none of them needs no search before each word.
_TITLE_ANYWHERE = re.compile(_TITLE.pattern.removesuffix("$"), re.IGNORECASE)
_STRONG_CUE_ANYWHERE = re.compile(_STRONG_CUE.pattern.removesuffix("$"), re.IGNORECASE)
_CUE_ANYWHERE = re.compile(_CUE.pattern.removesuffix("$"), re.IGNORECASE)


def _ends_with(pattern: re.Pattern[str], text: str, end: int) -> re.Match[str] | None:
    """Return `pattern` (anchored with `$`) searched in `text[:end]`, near its end."""
    return pattern.search(text, end - _BEFORE if end > _BEFORE else 0, end)


def _title_before(text: str, start: int) -> re.Match[str] | None:
    """Return the title (Mr, Dr, Nan, ...) just before `start`, with only spaces between."""
    end = start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if text[end:start].strip(" "):
        return None  # a line break or tab between: not "Mr Smith"
    return _TITLE.search(text, max(0, end - 20), end)


@dataclass(frozen=True)
class _Cues:
    """Which kinds of cue the text holds anywhere (none: no need to look before each word)."""

    title: bool
    strong: bool
    weak: bool


class NameFinder:
    """Find name spans in one text with the rules described in the module docstring."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()

    def find(self, text: str) -> list[Span]:
        """Return ``(start, end, "NAME")`` spans in ``text``."""
        tokens = [_Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        cues = _Cues(
            title=_TITLE_ANYWHERE.search(text) is not None,
            strong=_STRONG_CUE_ANYWHERE.search(text) is not None,
            weak=_CUE_ANYWHERE.search(text) is not None,
        )
        spans: list[Span] = []
        i = 0
        while i < len(tokens):
            if self._starts_name(text, tokens, i, cues):
                j = self._extend(tokens, i)
                end = tokens[j].end
                if tokens[j].text.lower().endswith(("'s", "\u2019s")):
                    end -= 2  # keep the possessive: "[NAME]'s mum"
                spans.append((tokens[i].start, end, "NAME"))
                i = j + 1
            else:
                i += 1
        return spans

    def _starts_name(self, text: str, tokens: list[_Token], i: int, cues: _Cues) -> bool:
        tok = tokens[i]
        if tok.key in self.lex.blocked or tok.text.lower() in {"i", "a"}:
            return False
        if tok.is_initial:
            return i + 1 < len(tokens) and self._is_surname_like(tokens[i + 1])
        title = _title_before(text, tok.start) if cues.title else None
        if title and self._after_title(tok, title.group()):
            return True
        if (
            cues.strong
            and _ends_with(_STRONG_CUE, text, tok.start)
            and self._after_strong_cue(tok, text[tok.end : tok.end + _BEFORE])
        ):
            return True
        if self._gazetteer_hit(text, tok, tokens, i):
            return True
        if self._unknown_capitalised(text, tok, cues):
            return True
        return self._capitalised_pair(text, tokens, i)

    def _unknown_capitalised(self, text: str, tok: _Token, cues: _Cues) -> bool:
        """Return whether ``tok`` is a mid-sentence capitalised word that is not English."""
        if not tok.is_capitalised or tok.text.isupper() or tok.key in self.lex.common:
            return False
        if not tok.key.replace("-", "").isalpha() or len(tok.key) < 3:
            return False
        return not _ends_with(_SENTENCE_START, text, tok.start) or (
            cues.weak and _ends_with(_CUE, text, tok.start) is not None
        )

    def _after_title(self, tok: _Token, title: str) -> bool:
        key = title.lower().rstrip(".")
        if tok.is_capitalised:
            return True
        if key in _UNAMBIGUOUS_TITLES:
            return tok.key not in self.lex.common or tok.key in self.lex.surnames
        return self._is_plain_name(tok.key)

    def _after_strong_cue(self, tok: _Token, after: str) -> bool:
        if tok.is_capitalised:
            return True
        if tok.key in self.lex.ambiguous and _FAMILY_NAME_AFTER.match(after):
            return True  # "my brother mark is annoying"
        return tok.key not in self.lex.common and len(tok.key) > 2 or self._is_plain_name(tok.key)

    def _is_plain_name(self, key: str) -> bool:
        """Return whether ``key`` is a gazetteer name that is not also an ordinary word."""
        known = key in self.lex.first_names or key in self.lex.surnames
        return known and key not in self.lex.ambiguous

    def _gazetteer_hit(self, text: str, tok: _Token, tokens: list[_Token], i: int) -> bool:
        key = tok.key
        if key not in self.lex.first_names and key not in self.lex.surnames:
            return False
        if key not in self.lex.ambiguous:
            return tok.is_capitalised or len(key) > 2
        if not tok.is_capitalised:
            return False
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and (nxt.key in self.lex.blocked or nxt.key in _PLACE_WORDS):
            return False  # "Green Lane", "Rose Court", "Hope Children's Centre"
        if key in _MONTHS and (
            _ends_with(_MONTH_BEFORE, text, tok.start)
            or _MONTH_AFTER.match(text[tok.end : tok.end + _BEFORE])
        ):
            return False
        if not _ends_with(_SENTENCE_START, text, tok.start):
            return True
        if nxt is None or nxt.start - tok.end > 2:
            return False
        # A sentence-initial "Will" or "Hope" is a name only before a surname or a reporting verb.
        if nxt.key in _REPORTING_VERBS:
            return True
        return self._is_surname_like(nxt) and nxt.key not in self.lex.blocked

    def _capitalised_pair(self, text: str, tokens: list[_Token], i: int) -> bool:
        if i + 1 >= len(tokens):
            return False
        first, second = tokens[i], tokens[i + 1]
        if text[first.end : second.start].strip() != "":
            return False
        unknown = [
            t.is_capitalised and t.key not in self.lex.common and t.key not in self.lex.blocked
            for t in (first, second)
        ]
        return all(unknown) and not first.text.isupper()

    def _is_surname_like(self, tok: _Token) -> bool:
        if not tok.is_capitalised or tok.key in self.lex.blocked or tok.is_initial:
            return False
        return (
            tok.key in self.lex.surnames
            or tok.key not in self.lex.common
            or (tok.key in self.lex.first_names)
        )

    def _extend(self, tokens: list[_Token], i: int) -> int:
        """Return the index of the last token of the name that starts at ``i``."""
        j = i
        while j + 1 < len(tokens) and j - i < 3:
            nxt = tokens[j + 1]
            gap_ok = nxt.start - tokens[j].end <= 2
            if not gap_ok:
                break
            if tokens[j].is_initial and nxt.is_capitalised and nxt.key not in self.lex.blocked:
                j += 1
            elif self._is_surname_like(nxt) or (
                not tokens[j].is_capitalised and self._is_plain_name(nxt.key)
            ):
                j += 1
            else:
                break
        return j
