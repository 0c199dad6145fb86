"""Training figures as Section 11 evidence: standards 10 (training) and 14 (its impact).

Public API:
    TRAINING_STANDARDS; TrainingEvidence
    training_evidence(response, ref) -> TrainingEvidence | None: an organisation's staff's
        training figures for the year to the cycle's close, on those standards' pages (the
        organisation's own page and its reviewers' page of the same return)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from surveys.models import Response, utcnow
from surveys.training.figures import Group, training_figures_for_organisation
from webapp.database import get_session

TRAINING_STANDARDS = frozenset({"S11-10", "S11-14"})
PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class TrainingEvidence:
    start: date
    end: date
    figures: Group


def training_evidence(response: Response, ref: str | None) -> TrainingEvidence | None:
    """Return the organisation's staff's training figures for a training standard's page."""
    if ref not in TRAINING_STANDARDS or response.organisation_id is None:
        return None
    end = min(response.cycle.closes_at.date(), utcnow().date())
    start = end - PERIOD
    figures = training_figures_for_organisation(
        get_session(), response.partnership_id, response.organisation_id, start, end
    )
    return TrainingEvidence(start, end, figures)
