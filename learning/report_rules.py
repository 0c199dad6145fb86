"""What every report shares: the small-number rule and the names shown for trends and sectors.

Public API:
    SMALL_NUMBER, FEWER_THAN, Shown, suppress(count) -> Shown
    TREND_LABELS, sector_label(value); stream names are surveys.streams

Breakdown counts under SMALL_NUMBER leave learning only as the text FEWER_THAN, so every
format (HTML, PDF, Word, Excel) inherits the rule.
"""

from __future__ import annotations

from surveys.models import Sector

SMALL_NUMBER = 5
FEWER_THAN = "fewer than 5"
Shown = int | str  # a count, or FEWER_THAN
TREND_LABELS = {"new": "New", "growing": "Growing", "stable": "Stable", "declining": "Declining"}


def suppress(count: int) -> Shown:
    """Return the count, or "fewer than 5" when it could single people out."""
    return FEWER_THAN if 0 < count < SMALL_NUMBER else count


def sector_label(value: str) -> str:
    """Return the name users know a sector by ("anonymous" for answers without one)."""
    if value == "anonymous":
        return "Anonymous (no organisation)"
    try:
        return Sector(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()
