"""Screening free text for possible safeguarding disclosures (rules, no model).

Public API (from nlp.screening.rules unless noted):
    screen(text, *, writer="unknown") -> Screening
    Screening, Writer, WRITERS, PROFESSIONAL_WRITERS, describes_case, normalise
    CATEGORIES, TIERS, Term, load_lexicon, inflections, speller   (nlp.screening.lexicon)
    Speller, is_one_edit, sound_key                                (nlp.screening.spelling)

The second, semantic screen run by the job worker is nlp.disclosure_model.
"""

from nlp.screening.lexicon import CATEGORIES, TIERS, Term, inflections, load_lexicon, speller
from nlp.screening.rules import (
    PROFESSIONAL_WRITERS,
    WRITERS,
    Screening,
    Writer,
    describes_case,
    normalise,
    screen,
)
from nlp.screening.spelling import Speller, is_one_edit, sound_key

__all__ = [
    "CATEGORIES",
    "PROFESSIONAL_WRITERS",
    "TIERS",
    "WRITERS",
    "Screening",
    "Speller",
    "Term",
    "Writer",
    "describes_case",
    "inflections",
    "is_one_edit",
    "load_lexicon",
    "normalise",
    "screen",
    "sound_key",
    "speller",
]
