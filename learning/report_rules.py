"""What every report shares: the small-number rule and the names shown for trends and sectors.

Public API:
    SMALL_NUMBER, FEWER_THAN, Shown, suppress(count) -> Shown
    TREND_LABELS, sector_label(value); stream names are surveys.streams

Breakdown counts under SMALL_NUMBER leave learning only as the text FEWER_THAN, so every
format (HTML, PDF, Word, Excel) inherits the rule (defined once in `surveys.small_groups`).
"""

from __future__ import annotations

from surveys.models import Sector
from surveys.small_groups import FEWER_THAN, SMALL_NUMBER, Shown, suppress

__all__ = ["FEWER_THAN", "SMALL_NUMBER", "TREND_LABELS", "Shown", "sector_label", "suppress"]
TREND_LABELS = {"new": "New", "growing": "Growing", "stable": "Stable", "declining": "Declining"}


def sector_label(value: str) -> str:
    """Return the name users know a sector by ("anonymous" for answers without one)."""
    if value == "anonymous":
        return "Anonymous (no organisation)"
    try:
        return Sector(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()
