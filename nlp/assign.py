"""Assign new statements to existing themes; group the leftovers into emerging themes.

    fit_themes(vectors, labels) -> ThemeFit
    assign(fit, vectors) -> labels (theme id, or -1 for a leftover)
    emerging_groups(vectors, *, min_size, cohesion) -> labels (group number, or -1)
    min_theme_size(sizes) -> int

A new statement joins its nearest theme (cosine to the theme's centroid) only when it is as
close as that theme's own members typically are: at least the theme's MEMBER_PERCENTILE-th
percentile of its members' cosines to the centroid, never under GLOBAL_FLOOR, and leading the
second-nearest theme by MIN_LEAD. Everything else is a leftover. Leftovers are split in two
along their principal direction (deterministic, no random start: nlp.clustering) until each
part is as cohesive as a typical existing theme (the 25th percentile of its cosines to its own
centroid at least `cohesion`, the median of the same figure over the existing themes); a
cohesive part of at least `min_size` statements (its members under an ordinary theme's
joining threshold dropped) is an emerging theme; smaller parts stay unthemed.

Why these values (MiniLM, nhs_fft_phase1, 2,000 answers, one full run, 20 themes): members sit
at cosine 0.35 / 0.61 / 0.82 (5th / 50th / 95th percentile) from their theme's centroid; the
themes' 10th percentiles (the joining thresholds) run 0.30-0.60, median 0.47, so the floor 0.3
matters only for the loosest theme. A member leads its second-nearest theme by 0.011 / 0.023 /
0.109 (5th / 10th / 50th percentile): a lead of 0.02 leaves the statements a full run would put
on a boundary unthemed rather than guessing. Together they leave about a fifth of new
statements unthemed (`python -m nlp.evaluate ... --stability-repeats 3`: 15-23% on the shared
data sets), the price of never moving a theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nlp.clustering import principal_splits, refine, unit_rows

GLOBAL_FLOOR = 0.3
MEMBER_PERCENTILE = 10
MIN_LEAD = 0.02
# A group is cohesive when three quarters of it sit as close to its centroid as three quarters
# of an ordinary theme's members do (a median would let a bare majority carry stray points).
COHESION_PERCENTILE = 25
MIN_EMERGING = 5  # an emerging theme is never smaller than this, whatever the earlier run had

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ThemeFit:
    """Each theme's id, unit centroid, joining threshold and typical cohesion."""

    ids: IntArray
    centroids: FloatArray
    thresholds: FloatArray
    cohesion: FloatArray  # the COHESION_PERCENTILE-th percentile of member cosines

    @property
    def typical_threshold(self) -> float:
        """An ordinary theme's joining threshold: the median of the themes' thresholds."""
        return float(np.median(self.thresholds)) if self.thresholds.size else GLOBAL_FLOOR

    @property
    def typical_cohesion(self) -> float:
        """How tight an ordinary theme is: the median of the themes' cohesion."""
        return float(np.median(self.cohesion)) if self.cohesion.size else GLOBAL_FLOOR


def fit_themes(
    vectors: NDArray[np.floating],
    labels: Sequence[int] | NDArray[np.integer],
    *,
    percentile: float = MEMBER_PERCENTILE,
    floor: float = GLOBAL_FLOOR,
) -> ThemeFit:
    """Describe each theme (label >= 0) by its members' vectors."""
    x = unit_rows(np.asarray(vectors))
    labels = np.asarray(labels, dtype=np.int64)
    ids = np.array(sorted({int(t) for t in labels.tolist() if t >= 0}), dtype=np.int64)
    dims = x.shape[1] if x.ndim == 2 else 0
    centroids = np.zeros((len(ids), dims))
    thresholds = np.full(len(ids), floor)
    cohesion = np.full(len(ids), floor)
    for row, theme in enumerate(ids):
        members = x[labels == theme]
        centroids[row] = unit_rows(members.mean(0, keepdims=True))[0]
        sims = members @ centroids[row]
        thresholds[row] = max(floor, float(np.percentile(sims, percentile)))
        cohesion[row] = float(np.percentile(sims, COHESION_PERCENTILE))
    return ThemeFit(ids, centroids, thresholds, cohesion)


def assign(fit: ThemeFit, vectors: NDArray[np.floating], *, lead: float = MIN_LEAD) -> IntArray:
    """Return each vector's theme id, or -1 when it is not clearly one theme's."""
    result = np.full(len(vectors), -1, dtype=np.int64)
    if not len(vectors) or not len(fit.ids):
        return result
    sims = unit_rows(np.asarray(vectors)) @ fit.centroids.T
    order = np.argsort(-sims, axis=1, kind="stable")
    rows = np.arange(len(vectors))
    best = order[:, 0]
    second = sims[rows, order[:, 1]] if sims.shape[1] > 1 else np.full(len(vectors), -1.0)
    near = sims[rows, best] >= fit.thresholds[best]
    clear = sims[rows, best] - second >= lead
    chosen = near & clear
    result[chosen] = fit.ids[best[chosen]]
    return result


def emerging_groups(
    vectors: NDArray[np.floating], *, min_size: int, cohesion: float, floor: float = GLOBAL_FLOOR
) -> IntArray:
    """Split leftovers into cohesive groups; number those of `min_size` or more, others -1.

    A stray statement inside a cohesive group stays unthemed when its cosine to the group's
    centroid is under `floor` (an ordinary theme's joining threshold).
    """
    x = unit_rows(np.asarray(vectors)) if len(vectors) else np.zeros((0, 1))
    labels = np.full(len(x), -1, dtype=np.int64)
    pending = [np.arange(len(x))] if len(x) >= min_size else []
    groups: list[IntArray] = []
    while pending:
        rows = pending.pop(0)
        if _cohesion(x[rows]) >= cohesion:
            close = rows[x[rows] @ unit_rows(x[rows].mean(0, keepdims=True))[0] >= floor]
            if len(close) >= min_size:
                groups.append(close)
            continue
        halves = refine(x[rows], principal_splits(x[rows], 2))
        if len(np.unique(halves)) < 2:
            continue  # cannot be split and not cohesive: unthemed
        pending += [rows[halves == h] for h in (0, 1) if (halves == h).sum() >= min_size]
    for number, rows in enumerate(sorted(groups, key=lambda r: int(r[0]))):
        labels[rows] = number
    return labels


def _cohesion(x: FloatArray) -> float:
    centroid = unit_rows(x.mean(0, keepdims=True))[0]
    return float(np.percentile(x @ centroid, COHESION_PERCENTILE))


def min_theme_size(sizes: Sequence[int]) -> int:
    """The normal minimum theme size: the 10th percentile of the earlier themes' sizes."""
    if not sizes:
        return MIN_EMERGING
    return max(MIN_EMERGING, int(np.percentile(np.asarray(sizes), 10)))
