"""Spelling for the disclosure screen: text-speak, typos and sound-alikes of lexicon words.

Public API:
    Speller(vocabulary, *, standalone, common, textspeak).fix(token) -> canonical token
    is_one_edit(a, b) -> bool, sound_key(word) -> str
"""

from __future__ import annotations

import re
from functools import lru_cache

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
