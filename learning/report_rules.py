"""What every report shares: the small-number rule and the names shown for streams and sectors.

Public API:
    SMALL_NUMBER, FEWER_THAN, Shown, suppress(count) -> Shown
    STREAM_LABELS, TREND_LABELS, stream_label(value), sector_label(value)

Breakdown counts under SMALL_NUMBER leave learning only as the text FEWER_THAN, so every
format (HTML, PDF, Word, Excel) inherits the rule.
"""

from __future__ import annotations

from surveys.models import Sector

SMALL_NUMBER = 5
FEWER_THAN = "fewer than 5"
Shown = int | str  # a count, or FEWER_THAN
STREAM_LABELS = {
    "section_11": "Section 11 self-assessment",
    "section_175": "Section 175 self-assessment",
    "training": "Training evaluation",
    "training_follow_up": "Training impact follow-up",
    "consultation": "Practitioner consultation",
    "child_voice": "Child and young person voice",
    "family_voice": "Family voice",
    "case_audit": "Multi-agency case file audit",
}
TREND_LABELS = {"new": "New", "growing": "Growing", "stable": "Stable", "declining": "Declining"}


def suppress(count: int) -> Shown:
    """Return the count, or "fewer than 5" when it could single people out."""
    return FEWER_THAN if 0 < count < SMALL_NUMBER else count


def stream_label(value: str) -> str:
    """Return the name users know a stream by."""
    return STREAM_LABELS.get(value, value.replace("_", " ").capitalize())


def sector_label(value: str) -> str:
    """Return the name users know a sector by ("anonymous" for answers without one)."""
    if value == "anonymous":
        return "Anonymous (no organisation)"
    try:
        return Sector(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()
