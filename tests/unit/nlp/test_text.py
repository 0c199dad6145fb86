"""Text made uniform before anything reads it (nlp.text.normalise)."""

from __future__ import annotations

from nlp.text import normalise


def test_plain_text_loses_control_characters_and_extra_spaces_but_keeps_lines() -> None:
    assert (
        normalise("  Wait\x00ed   too\tlong\r\n\n  for\x7f the GP  ")
        == "Waited too long\nfor the GP"
    )


def test_curly_quotes_odd_spaces_and_invisible_characters_are_made_plain() -> None:
    text = "\u201cShe didn\u2019t\u00a0listen\u201d\u200b \ufb01ne"
    assert normalise(text) == '"She didn\'t listen" fine'


def test_nothing_gives_nothing() -> None:
    assert normalise("") == "" and normalise(None) == ""  # type: ignore[arg-type]
