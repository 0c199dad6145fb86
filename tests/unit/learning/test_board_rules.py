"""The documented Created / Stabilised / Changed suggestion rules, on plain counts."""

from __future__ import annotations

import pytest

from learning.board import suggest
from learning.models import BoardColumn, ThemeStatement, Trend
from learning.themes import PolaritySplit, polarity_of, polarity_split


def split(must: int, well: int, neutral: int = 0) -> PolaritySplit:
    return PolaritySplit(works_well=well, must_change=must, neutral=neutral)


def test_a_new_gap_is_created_with_its_share_in_the_reason():
    suggestion = suggest(split(18, 7), Trend.NEW)
    assert suggestion.column is BoardColumn.CREATED
    assert suggestion.reason == "New this run; 72% of its statements say what must change."


def test_low_compliance_ratings_make_it_changed_even_when_positive():
    suggestion = suggest(split(2, 8), Trend.STABLE, low_share=0.6, rated=5)
    assert suggestion.column is BoardColumn.CHANGED
    assert "60% of its 5 rated statements" in suggestion.reason


def test_a_persisting_negative_theme_is_changed_and_says_when_growing():
    assert suggest(split(6, 4), Trend.STABLE).column is BoardColumn.CHANGED
    growing = suggest(split(13, 7), Trend.GROWING)
    assert growing.column is BoardColumn.CHANGED
    assert growing.reason.startswith("Growing since the last run and 65% of its 20 statements")


def test_a_persisting_positive_theme_is_stabilised():
    suggestion = suggest(split(1, 9), Trend.STABLE)
    assert suggestion.column is BoardColumn.STABILISED
    assert "90% of its statements say what works well" in suggestion.reason


def test_a_new_positive_theme_is_stabilised_as_having_potential():
    suggestion = suggest(split(0, 5), Trend.NEW)
    assert suggestion.column is BoardColumn.STABILISED and "potential" in suggestion.reason


@pytest.mark.parametrize(
    ("trend", "column"),
    [(Trend.GROWING, BoardColumn.CHANGED), (Trend.STABLE, BoardColumn.CHANGED)],
)
def test_mixed_views_follow_trend_then_the_larger_side(trend, column):
    suggestion = suggest(split(4, 4, 2), trend)
    assert suggestion.column is column and suggestion.reason.startswith("Mixed views")


def test_polarity_uses_the_score_then_the_question_hint():
    assert polarity_of(ThemeStatement(polarity=-0.4, polarity_hint="strengths")) == "must_change"
    assert polarity_of(ThemeStatement(polarity=0.0)) == "neutral"
    assert polarity_of(ThemeStatement(polarity=None, polarity_hint="areas_for_development")) == (
        "must_change"
    )
    counts = polarity_split(
        [ThemeStatement(polarity=0.5), ThemeStatement(polarity=None, polarity_hint="strengths")]
    )
    assert counts.works_well == 2 and counts.must_change_share == 0.0


def test_a_mostly_positive_theme_with_real_needs_in_it_says_so():
    suggestion = suggest(split(3, 7), Trend.STABLE)
    assert suggestion.column is BoardColumn.STABILISED
    assert "But 30% say what must change" in suggestion.reason
    assert "must change" not in suggest(split(1, 9), Trend.STABLE).reason


def test_a_theme_heard_in_several_streams_names_them():
    suggestion = suggest(split(6, 4), Trend.STABLE, streams=("child_voice", "practitioner"))
    assert "Heard in 2 evidence streams" in suggestion.reason
    assert "Heard in" not in suggest(split(6, 4), Trend.STABLE, streams=("practitioner",)).reason


def test_a_theme_not_compared_with_an_earlier_run_claims_no_history():
    suggestion = suggest(split(1, 9), None)
    assert suggestion.column is BoardColumn.STABILISED
    assert "earlier runs" not in suggestion.reason
