"""Hand-written banks of demo free text, one YAML file per bank, and how answers are composed.

Public API:
    Theme, TextBank: a bank's recurring themes, each with many differently worded sentences.
    load_bank(name) -> TextBank; bank_names() -> list of bank names in this folder.
    load_extras(name) -> dict: plain lists (names, roles, personal-data and disclosure lines).
    compose(bank, rng, *, mood, page_id=None, tone=None) -> (text, theme keys used).

A bank file holds `themes: {key: {tone, weight, pages, sentences, actions}}`, `non_answers`
and a few rates. `tone` is -1 (must change), 0 or 1 (works well); the answer's mood (0 to 1)
tilts which themes are chosen, so low ratings come more often with critical text.
Every person, phone number, address and email in these files is fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

BANK_DIR = Path(__file__).parent
_TYPO_SWAP_MIN = 5  # only words this long get a typo, so short words stay readable


@dataclass(frozen=True)
class Theme:
    key: str
    tone: int
    weight: float
    pages: tuple[str, ...]
    sentences: tuple[str, ...]
    actions: tuple[str, ...]


@dataclass(frozen=True)
class TextBank:
    name: str
    themes: tuple[Theme, ...]
    non_answers: tuple[str, ...]
    answer_rate: float
    non_answer_rate: float
    two_theme_rate: float
    sentences_per_theme: tuple[int, int]
    informality: float
    by_page: bool

    def theme(self, key: str) -> Theme | None:
        """Return the theme with this key, or None."""
        return next((theme for theme in self.themes if theme.key == key), None)


def bank_names() -> list[str]:
    """Return the names of every theme bank in this folder."""
    return sorted(p.stem for p in BANK_DIR.glob("*.yaml") if not p.stem.startswith("_"))


@cache
def _read(name: str) -> dict[str, Any]:
    document = yaml.safe_load((BANK_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"demo text {name!r} is not a mapping")
    return document


@cache
def load_bank(name: str) -> TextBank:
    """Load and check one theme bank."""
    document = _read(name)
    themes = tuple(
        Theme(
            key=key,
            tone=int(body.get("tone", 0)),
            weight=float(body.get("weight", 1.0)),
            pages=tuple(body.get("pages", ())),
            sentences=tuple(str(s).strip() for s in body["sentences"]),
            actions=tuple(str(s).strip() for s in body.get("actions", ())),
        )
        for key, body in document["themes"].items()
    )
    low, high = document.get("sentences_per_theme", (1, 1))
    return TextBank(
        name=name,
        themes=themes,
        non_answers=tuple(str(s) for s in document.get("non_answers", ())),
        answer_rate=float(document.get("answer_rate", 0.6)),
        non_answer_rate=float(document.get("non_answer_rate", 0.04)),
        two_theme_rate=float(document.get("two_theme_rate", 0.3)),
        sentences_per_theme=(int(low), int(high)),
        informality=float(document.get("informality", 1.0)),
        by_page=bool(document.get("by_page", False)),
    )


def load_extras(name: str) -> dict[str, Any]:
    """Return a plain data file (lists of names, roles, fictional PII or disclosure lines)."""
    return _read(name)


def _theme_weight(theme: Theme, mood: float, page_id: str | None) -> float:
    # Happy respondents write more about what works, unhappy ones about what must change.
    tilt = max(0.1, 1.0 + 2.2 * theme.tone * (mood - 0.5))
    on_page = 12.0 if page_id is not None and page_id in theme.pages else 1.0
    return theme.weight * tilt * on_page


def choose_themes(
    bank: TextBank, rng: random.Random, *, mood: float, page_id: str | None, count: int
) -> list[Theme]:
    """Choose `count` different themes, weighted by mood and by the page they suit."""
    if bank.by_page and page_id is not None:
        exact = [theme for theme in bank.themes if theme.key == page_id]
        if exact:
            return exact
    pool = list(bank.themes)
    chosen: list[Theme] = []
    while pool and len(chosen) < count:
        weights = [_theme_weight(theme, mood, page_id) for theme in pool]
        theme = rng.choices(pool, weights=weights)[0]
        chosen.append(theme)
        pool.remove(theme)
    return chosen


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [
        i for i, word in enumerate(words) if len(word) >= _TYPO_SWAP_MIN and word.isalpha()
    ]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:  # swapped letters
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:  # a dropped letter
        word = word[:at] + word[at + 1 :]
    words[index] = word
    return " ".join(words)


def vary(text: str, rng: random.Random, informality: float) -> str:
    """Give a sentence the small slips people make: lower case, no full stop, a typo."""
    if rng.random() < 0.12 * informality and text[:1].isupper() and text[1:2].islower():
        text = text[0].lower() + text[1:]
    if rng.random() < 0.18 * informality and text.endswith("."):
        text = text[:-1]
    if rng.random() < 0.07 * informality:
        text = _typo(text, rng)
    return text


def _join(parts: list[str], rng: random.Random, informality: float) -> str:
    text = parts[0]
    for part in parts[1:]:
        if not text.endswith((".", "!", "?")):
            text += "." if rng.random() < 0.8 else ""
        if rng.random() < 0.12 * informality and part[:1].isupper() and part[1:2].islower():
            part = "Also " + part[0].lower() + part[1:]  # how people add a second point
        text += " " + part
    return text


def compose(
    bank: TextBank,
    rng: random.Random,
    *,
    mood: float,
    page_id: str | None = None,
    tone: int | None = None,
) -> tuple[str, list[str]]:
    """Write one answer from the bank: one or two themes, a sentence or more from each.

    `tone` restricts the themes to those with that tone (for generic banks).
    """
    if tone is not None:
        toned = tuple(theme for theme in bank.themes if theme.tone == tone) or bank.themes
        bank = replace(bank, themes=toned)
    count = 2 if rng.random() < bank.two_theme_rate else 1
    themes = choose_themes(bank, rng, mood=mood, page_id=page_id, count=count)
    low, high = bank.sentences_per_theme
    parts: list[str] = []
    for theme in themes:
        take = min(rng.randint(low, high), len(theme.sentences))
        parts.extend(rng.sample(theme.sentences, take))
    parts = [vary(part, rng, bank.informality) for part in parts]
    return _join(parts, rng, bank.informality), [theme.key for theme in themes]


def non_answer(bank: TextBank, rng: random.Random) -> str | None:
    """Return one of the bank's non-answers ("n/a", "nothing"), or None if it has none."""
    return rng.choice(bank.non_answers) if bank.non_answers else None
