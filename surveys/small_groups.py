"""Small numbers: the one rule that keeps a count or summary from singling anyone out.

Public API:
    SMALL_NUMBER, FEWER_THAN, Shown, suppress(count) -> Shown
    SUPPRESSED: what a summary over too small a group says instead of its counts
    is_small_group(size, *, has_school) -> bool
    shown(count, *, has_school) -> Shown

Every report suppresses breakdown counts under SMALL_NUMBER (`learning.report_rules` uses
this module). Ratings of Section 11 / 175 returns follow the same threshold wherever a count
covers a school: a summary over a group of organisations that includes a school is shown only
when the group has at least SMALL_NUMBER organisations, and inside it any count from 1 to
SMALL_NUMBER - 1 is shown as FEWER_THAN, so no summary says how one school rated itself.
Agencies (police, health, the council...) answer for themselves by name in the partnership's
arrangements, so counts over agencies alone are shown in full.
"""

from __future__ import annotations

SMALL_NUMBER = 5
FEWER_THAN = f"fewer than {SMALL_NUMBER}"
SUPPRESSED = f"Not shown: fewer than {SMALL_NUMBER} organisations, including a school"
Shown = int | str  # a count, or FEWER_THAN


def suppress(count: int) -> Shown:
    """Return the count, or "fewer than 5" when it could single people out."""
    return FEWER_THAN if 0 < count < SMALL_NUMBER else count


def is_small_group(size: int, *, has_school: bool) -> bool:
    """Whether a summary over this group could single out one school."""
    return has_school and size < SMALL_NUMBER


def shown(count: int, *, has_school: bool) -> Shown:
    """Return a count inside a summary: suppressed under the threshold if it covers a school."""
    return suppress(count) if has_school else count
