"""The names people know each stream of forms by (reports, returns, the learning log).

Public API:
    STREAM_LABELS: stream value -> name; stream_label(value) -> name (a readable fallback).
    KEPT_WITH_REVIEWS: streams whose answers stay with their case review: no theming run
        reads them and the API does not serve them.
"""

from __future__ import annotations

STREAM_LABELS = {
    "section_11": "Section 11 self-assessment",
    "section_175": "Section 175 self-assessment",
    "training": "Training evaluation",
    "training_follow_up": "Training impact follow-up",
    "consultation": "Practitioner consultation",
    "child_voice": "Child and young person voice",
    "family_voice": "Family voice",
    "case_audit": "Multi-agency case file audit",
    "case_review": "Case review information return",
    "practice_concern": "Practice concerns and near misses",
    "national_review": "National review findings: how local services measure up",
}

# Agencies' accounts of one child's case for a rapid review: kept with the review.
KEPT_WITH_REVIEWS = frozenset({"case_review"})


def stream_label(value: str) -> str:
    """Return the name users know a stream by."""
    return STREAM_LABELS.get(value, value.replace("_", " ").capitalize())
