"""The learning briefing's text rules, without a database: shortening, and removing a case
review's child details typed into an entry's words."""

from __future__ import annotations

from datetime import date

from learning.briefing import REMOVED, _detail_patterns, shorten
from surveys.models import CaseDetails


def test_shorten_cuts_at_a_word_and_says_so():
    assert shorten("Share   concerns\nthe same day", 40) == ("Share concerns the same day", False)
    text, was_cut = shorten("Share concerns with the health visitor the same day", 30)
    assert was_cut and text == "Share concerns with the…" and len(text) <= 30


def _scrub(text: str, details: CaseDetails) -> str:
    for pattern in _detail_patterns(details):
        text = pattern.sub(REMOVED, text)
    return text


def test_the_childs_details_are_removed_in_any_case_and_date_format():
    details = CaseDetails(
        child_name="Zebedee Quillfeather",
        date_of_birth=date(2019, 4, 3),
        address="17 Canary Row, Riverside RV9 9ZZ",
        ethnicity="Canarian Islander",
    )
    typed = (
        "ZEBEDEE QUILLFEATHER (born 03/04/2019, also 3/4/2019 and 3 April 2019) of 17 Canary "
        "Row, canarian islander; quillfeather's school near RV9 9ZZ."
    )
    scrubbed = _scrub(typed, details)
    for detail in ("zebedee", "quillfeather", "2019", "canary row", "canarian", "rv9"):
        assert detail not in scrubbed.lower(), scrubbed
    # Only whole words go: a word that merely contains a name part stays.
    assert _scrub("Zebedeeish plans", details) == "Zebedeeish plans"
