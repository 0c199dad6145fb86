"""Words that depend on a number: "1 action", "2 actions"."""

from __future__ import annotations

VOWELS = frozenset("aeiou")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """Return the count with the noun in the right number: plural(1, "action") is "1 action"."""
    if count == 1:
        return f"{count} {singular}"
    return f"{count:,} {plural_form or _pluralise(singular)}"


def _pluralise(word: str) -> str:
    if word.endswith("y") and len(word) > 1 and word[-2] not in VOWELS:
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"
