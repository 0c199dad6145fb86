"""Text made uniform before anything reads it: Unicode, quotes, whitespace; and word counts."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[A-Za-z0-9']+")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # category C in 7-bit, not \t or \n
_SPACES = re.compile(r"[ \t]+")
_NEWLINE = re.compile(r"\s*\n\s*")


def normalise(text: str) -> str:
    """Return the text with Unicode, quotes and whitespace made uniform."""
    text = text or ""
    if text.isascii():  # most answers: NFKC and quotes change nothing, controls are 7-bit
        text = _ASCII_CONTROL.sub("", text)
    else:
        text = unicodedata.normalize("NFKC", text)
        text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x00A0: " "})
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = _SPACES.sub(" ", text)
    return _NEWLINE.sub("\n", text).strip()


def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(_WORD.findall(text))
