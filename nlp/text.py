"""Text made uniform before anything reads it: Unicode, quotes, whitespace; and word counts."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[A-Za-z0-9']+")


def normalise(text: str) -> str:
    """Return the text with Unicode, quotes and whitespace made uniform."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x00A0: " "})
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(_WORD.findall(text))
