"""Match a theming run's themes to the previous run's, and say which matches are confident.

Similarity of two themes = CENTROID_WEIGHT * cosine(centroids) + KEYWORD_WEIGHT * Jaccard(top
keywords). The centroid carries most of the weight because it summarises every statement in the
theme; the keywords are few and shift when a theme is relabelled, but they separate two themes
whose centroids sit close (all feedback about "training" is near in embedding space). Negative
cosines count as 0. When either theme has no keywords, the cosine alone is used.

Statement overlap. A snapshot may carry `members`, the ids of the answers its statements come
from. When the two runs share at least SHARED_ANSWERS (half) of the smaller run's answers, the
overlap (Jaccard of the shared answers each theme holds) is the stronger, honest signal: pairs
are assigned on it, and a pair is confident when it shares at least MIN_OVERLAP of its answers
and no other new theme holds SPLIT_SHARE (a quarter) of the old theme's answers that the
matched theme does not also hold (an answer with sentences in two themes went to both).

Without shared answers (another period, another selection) a pair is confident when its
similarity reaches CONFIDENT_SIMILARITY and leads every rival in its row and column by
MIN_MARGIN. Always, a pair under `threshold` (DEFAULT_THRESHOLD) is no pair at all.

Measured (nlp.stability, `python -m nlp.evaluate /work/shared/data/nhs_fft_phase1/data.csv
--limit 2000 --stability-repeats 3 --json`): a random 99% of 2,000 patient-feedback answers
themed, then all 2,000, MiniLM, 3 resamples, 57 old themes. True same-theme pairs (sharing at
least half their answers): similarity min 0.82, 5th percentile 0.85, median 0.90; margin over
the best rival min 0.23, 5th percentile 0.25. Best wrong pair per old theme: median 0.52, 95th
percentile 0.74, max 0.83 (1 of 60 over 0.8, and it had no 0.15 lead). Hence 0.8 and 0.15: every
true pair passes the similarity-only rule and no wrong pair does. The measured stability with
full re-theming is 0.79 of old themes confidently matched one to one (0.76 worst resample;
0.89 paired at all): the theme count moves (18 -> 21 -> 18) when 1% more answers arrive,
so a few themes split or merge and those ask the group instead of re-pointing. On
octis_bbc_news (--limit 1000, 5 themes) stability is 1.0: true pairs 0.95-1.0 with margin
>= 0.44, best wrong pair <= 0.51.

Themes are paired one-to-one with `scipy.optimize.linear_sum_assignment` (maximum total score).
A confident pair's trend compares its share of this run with its share of the previous run
(each run normalised by its own total, so more data alone is not growth): see `trend_of`. A
previous theme no new theme confidently continues is `split` (two or more themes took a good
part of it), `merged` (its best candidate confidently continues another theme), `changed`
(paired, or probably one theme, but not confidently) or `gone`, with its candidates. Inputs are
sorted by key before matching, so the result does not depend on order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

CENTROID_WEIGHT = 0.7
KEYWORD_WEIGHT = 0.3
TOP_KEYWORDS = 10
# Measured on nhs_fft_phase1 split in two random halves, 30 subcategories as themes, MiniLM
# centroids: the same theme scores 0.67-0.94 (median 0.78), different themes median 0.44 (95th
# percentile 0.64), because feedback centroids all sit fairly close; the one-to-one assignment
# does the rest (30 of 30 matched correctly at this threshold).
DEFAULT_THRESHOLD = 0.55
# Confidence (see the module docstring for the measurements): with most answers shared, a pair
# must share at least MIN_OVERLAP of them (Jaccard); otherwise its similarity must reach
# CONFIDENT_SIMILARITY and lead every rival of its row and column by MIN_MARGIN.
SHARED_ANSWERS = 0.5
MIN_OVERLAP = 0.5
CONFIDENT_SIMILARITY = 0.8
MIN_MARGIN = 0.15
SPLIT_SHARE = 0.25  # a new theme holding this much of an old theme's answers is where it went
# A share change under 20% relative, or under 1 percentage point absolute, is stable: small
# themes jump by large ratios on a handful of statements.
RELATIVE_CHANGE = 0.2
MIN_ABSOLUTE_CHANGE = 0.01


class ThemeStatus(StrEnum):
    """What happened to a theme between two runs."""

    NEW = "new"
    GROWING = "growing"
    STABLE = "stable"
    DECLINING = "declining"
    MERGED = "merged"
    GONE = "gone"
    CHANGED = "changed"  # continued by a theme, but not confidently: to confirm
    SPLIT = "split"  # its statements went to two or more themes: to confirm


@dataclass(frozen=True)
class ThemeSnapshot:
    """One theme of one run: its key, embedding centroid, top keywords and statement count."""

    key: str
    centroid: NDArray[np.floating]
    keywords: Sequence[str]
    size: int
    members: frozenset[str] = frozenset()  # ids of the answers its statements come from


@dataclass(frozen=True)
class ThemeMatch:
    """The lineage of one new theme."""

    key: str
    previous_key: str | None
    status: ThemeStatus
    similarity: float | None
    share: float
    previous_share: float | None
    merged_from: tuple[str, ...] = ()
    confident: bool = False
    margin: float | None = None
    overlap: float | None = None


@dataclass(frozen=True)
class PreviousTheme:
    """What became of a previous theme that no new theme continues one-to-one."""

    key: str
    status: ThemeStatus  # MERGED, GONE, CHANGED or SPLIT
    merged_into: str | None = None
    similarity: float | None = None
    candidates: tuple[str, ...] = ()  # where it probably went, most likely first


@dataclass(frozen=True)
class LineageResult:
    """Lineage of every new theme (in input order) and the fate of unmatched previous themes."""

    matches: list[ThemeMatch]
    previous: list[PreviousTheme] = field(default_factory=list)

    def by_key(self) -> dict[str, ThemeMatch]:
        """Return the matches keyed by new theme key."""
        return {m.key: m for m in self.matches}

    @property
    def gone(self) -> list[str]:
        """Keys of previous themes with no successor at all."""
        return [p.key for p in self.previous if p.status is ThemeStatus.GONE]

    @property
    def merged(self) -> dict[str, str]:
        """Previous theme key -> the new theme key it merged into."""
        return {p.key: p.merged_into for p in self.previous if p.merged_into is not None}


def trend_of(
    prev_share: float,
    new_share: float,
    *,
    relative: float = RELATIVE_CHANGE,
    min_absolute: float = MIN_ABSOLUTE_CHANGE,
) -> ThemeStatus:
    """Classify a change of share (a fraction of each run's total): growing, stable, declining."""
    change = new_share - prev_share
    if abs(change) < min_absolute:
        return ThemeStatus.STABLE
    if prev_share <= 0.0:
        return ThemeStatus.GROWING if change > 0 else ThemeStatus.STABLE
    ratio = change / prev_share
    if ratio > relative:
        return ThemeStatus.GROWING
    if ratio < -relative:
        return ThemeStatus.DECLINING
    return ThemeStatus.STABLE


def _unit_rows(themes: Sequence[ThemeSnapshot]) -> NDArray[np.float64]:
    matrix = np.vstack([np.asarray(t.centroid, dtype=np.float64).ravel() for t in themes])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0.0, 1.0, norms)


def _top_keywords(theme: ThemeSnapshot) -> frozenset[str]:
    return frozenset(k.strip().lower() for k in list(theme.keywords)[:TOP_KEYWORDS] if k.strip())


def similarity_matrix(
    previous: Sequence[ThemeSnapshot], new: Sequence[ThemeSnapshot]
) -> NDArray[np.float64]:
    """Return the previous x new matrix of weighted centroid cosine + keyword Jaccard."""
    if not previous or not new:
        return np.zeros((len(previous), len(new)))
    before, after = _unit_rows(previous), _unit_rows(new)
    if before.shape[1] != after.shape[1]:  # vectors of two spaces (a corpus-fitted embedder)
        cosine = np.zeros((len(previous), len(new)))
    else:
        cosine = np.clip(before @ after.T, 0.0, 1.0)
    sims = np.empty_like(cosine)
    prev_words = [_top_keywords(t) for t in previous]
    new_words = [_top_keywords(t) for t in new]
    for i, a in enumerate(prev_words):
        for j, b in enumerate(new_words):
            if not a or not b:
                sims[i, j] = cosine[i, j]
                continue
            jaccard = len(a & b) / len(a | b)
            sims[i, j] = CENTROID_WEIGHT * cosine[i, j] + KEYWORD_WEIGHT * jaccard
    return sims


def _shares(themes: Sequence[ThemeSnapshot]) -> list[float]:
    total = sum(max(t.size, 0) for t in themes)
    return [max(t.size, 0) / total if total > 0 else 0.0 for t in themes]


def _check_keys(themes: Sequence[ThemeSnapshot], run: str) -> None:
    keys = [t.key for t in themes]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{run} run has duplicate theme keys")


def overlap_matrix(
    previous: Sequence[ThemeSnapshot], new: Sequence[ThemeSnapshot]
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Return (Jaccard, containment, shared fraction) of the answers both runs hold.

    Jaccard[i, j] compares previous theme i and new theme j on the answers both runs read;
    containment[i, j] is the part of i's shared answers that j holds; the shared fraction is
    |answers in both runs| / |answers of the smaller run| (0 when members are unknown).
    """
    jaccard = np.zeros((len(previous), len(new)))
    contained = np.zeros_like(jaccard)
    before = frozenset().union(*(t.members for t in previous)) if previous else frozenset()
    after = frozenset().union(*(t.members for t in new)) if new else frozenset()
    shared = before & after
    if not shared:
        return jaccard, contained, 0.0
    prev_sets = [t.members & shared for t in previous]
    new_sets = [t.members & shared for t in new]
    for i, a in enumerate(prev_sets):
        for j, b in enumerate(new_sets):
            both = len(a & b)
            if both:
                jaccard[i, j] = both / len(a | b)
                contained[i, j] = both / len(a)
    return jaccard, contained, len(shared) / min(len(before), len(after))


def _margins(sims: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each cell's lead over the best other cell of its row and of its column."""
    margins = np.zeros_like(sims)
    for i in range(sims.shape[0]):
        for j in range(sims.shape[1]):
            row = np.delete(sims[i], j)
            column = np.delete(sims[:, j], i)
            rival = max(row.max(initial=0.0), column.max(initial=0.0))
            margins[i, j] = sims[i, j] - rival
    return margins


@dataclass(frozen=True)
class _Evidence:
    """Everything the matching decides from, in sorted order (previous rows, new columns)."""

    sims: NDArray[np.float64]
    margins: NDArray[np.float64]
    overlap: NDArray[np.float64]
    contained: NDArray[np.float64]
    uses_overlap: bool
    previous_answers: tuple[frozenset[str], ...] = ()  # each theme's answers both runs read
    new_answers: tuple[frozenset[str], ...] = ()

    def confident(self, i: int, j: int, threshold: float) -> bool:
        if self.sims[i, j] < threshold:
            return False
        if self.uses_overlap:  # sure, and not split: no other theme took a good part of it
            return bool(
                self.overlap[i, j] >= MIN_OVERLAP and self._taken_elsewhere(i, j) < SPLIT_SHARE
            )
        return bool(self.sims[i, j] >= CONFIDENT_SIMILARITY and self.margins[i, j] >= MIN_MARGIN)

    def _taken_elsewhere(self, i: int, j: int) -> float:
        """The largest part of previous theme i's answers another new theme holds and j does
        not: an answer whose statements sit in both j and another theme went to j as well, so
        it is no sign of a split."""
        if not self.previous_answers:  # built without the answer sets: containment alone
            return float(np.delete(self.contained[i], j).max(initial=0.0))
        mine = self.previous_answers[i]
        if not mine:
            return 0.0
        outside = mine - self.new_answers[j]
        return max(
            (
                len(outside & other) / len(mine)
                for k, other in enumerate(self.new_answers)
                if k != j
            ),
            default=0.0,
        )

    def candidates(self, i: int, threshold: float) -> list[int]:
        """New themes previous theme i probably went to, most likely first."""
        if self.uses_overlap:
            found = [j for j in range(self.sims.shape[1]) if self.contained[i, j] >= SPLIT_SHARE]
            return sorted(found, key=lambda j: -self.contained[i, j])
        row = self.sims[i]
        if not row.size or row.max() < threshold:
            return []
        found = [
            j for j in range(row.size) if row[j] >= threshold and row[j] >= row.max() - MIN_MARGIN
        ]
        return sorted(found, key=lambda j: -row[j])


def _evidence(previous: Sequence[ThemeSnapshot], new: Sequence[ThemeSnapshot]) -> _Evidence:
    sims = similarity_matrix(previous, new)
    overlap, contained, shared = overlap_matrix(previous, new)
    both = frozenset().union(*(t.members for t in previous)) & frozenset().union(
        *(t.members for t in new)
    )
    return _Evidence(
        sims,
        _margins(sims),
        overlap,
        contained,
        shared >= SHARED_ANSWERS,
        tuple(frozenset(t.members) & both for t in previous),
        tuple(frozenset(t.members) & both for t in new),
    )


def _assign(evidence: _Evidence, threshold: float) -> dict[int, int]:
    """Pair previous rows with new columns one-to-one; return new index -> previous index."""
    sims = evidence.sims
    if sims.size == 0:
        return {}
    # Shared statements are the stronger signal when most answers are the same.
    score = evidence.overlap if evidence.uses_overlap else sims
    # Pairs under the threshold are worth nothing, so they never displace an eligible pair.
    eligible = np.where(sims >= threshold, score, 0.0)
    from scipy.optimize import linear_sum_assignment  # here: the web process never needs scipy

    rows, cols = linear_sum_assignment(eligible, maximize=True)
    return {
        int(c): int(r)
        for r, c in zip(rows, cols, strict=True)
        if sims[r, c] >= threshold and eligible[r, c] > 0.0
    }


def match_themes(
    previous: Sequence[ThemeSnapshot],
    new: Sequence[ThemeSnapshot],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> LineageResult:
    """Match `new` themes to `previous` ones and classify what happened to each."""
    _check_keys(previous, "previous")
    _check_keys(new, "new")
    prev_sorted = sorted(previous, key=lambda t: t.key)
    new_sorted = sorted(new, key=lambda t: t.key)
    evidence = _evidence(prev_sorted, new_sorted)
    pairs = _assign(evidence, threshold)
    sure = {j: i for j, i in pairs.items() if evidence.confident(i, j, threshold)}
    fates = _previous_fates(prev_sorted, new_sorted, evidence, sure, threshold)
    matches = _new_matches(prev_sorted, new_sorted, evidence, pairs, sure, fates)
    order = {t.key: i for i, t in enumerate(new)}
    return LineageResult(
        matches=sorted(matches, key=lambda m: order[m.key]),
        previous=fates,
    )


def _previous_fates(
    previous: Sequence[ThemeSnapshot],
    new: Sequence[ThemeSnapshot],
    evidence: _Evidence,
    sure: dict[int, int],
    threshold: float,
) -> list[PreviousTheme]:
    """Say where each previous theme no new theme confidently continues probably went."""
    continued = set(sure.values())
    fates = []
    for i, theme in enumerate(previous):
        if i in continued:
            continue
        found = evidence.candidates(i, threshold)
        keys = tuple(new[j].key for j in found)
        best = float(evidence.sims[i, found[0]]) if found else None
        if len(found) >= 2:
            fates.append(PreviousTheme(theme.key, ThemeStatus.SPLIT, None, best, keys))
        elif found and found[0] in sure:
            fates.append(PreviousTheme(theme.key, ThemeStatus.MERGED, keys[0], best, keys))
        elif found:
            fates.append(PreviousTheme(theme.key, ThemeStatus.CHANGED, None, best, keys))
        else:
            fates.append(PreviousTheme(theme.key, ThemeStatus.GONE))
    return fates


def _new_matches(
    previous: Sequence[ThemeSnapshot],
    new: Sequence[ThemeSnapshot],
    evidence: _Evidence,
    pairs: dict[int, int],
    sure: dict[int, int],
    fates: list[PreviousTheme],
) -> list[ThemeMatch]:
    """Build each new theme's match; a merged-into theme is compared with all it absorbed."""
    prev_share = dict(zip((t.key for t in previous), _shares(previous), strict=True))
    new_share = _shares(new)
    matches = []
    for j, theme in enumerate(new):
        if j not in pairs:
            matches.append(ThemeMatch(theme.key, None, ThemeStatus.NEW, None, new_share[j], None))
            continue
        i = pairs[j]
        before = previous[i].key
        similarity = float(evidence.sims[i, j])
        margin = float(evidence.margins[i, j])
        overlap = float(evidence.overlap[i, j]) if evidence.uses_overlap else None
        if j not in sure:
            matches.append(
                ThemeMatch(
                    theme.key,
                    before,
                    ThemeStatus.CHANGED,
                    similarity,
                    new_share[j],
                    prev_share[before],
                    confident=False,
                    margin=margin,
                    overlap=overlap,
                )
            )
            continue
        absorbed = tuple(f.key for f in fates if f.merged_into == theme.key)
        share_before = prev_share[before] + sum(prev_share[k] for k in absorbed)
        status = trend_of(share_before, new_share[j])
        matches.append(
            ThemeMatch(
                theme.key,
                before,
                status,
                similarity,
                new_share[j],
                share_before,
                absorbed,
                confident=True,
                margin=margin,
                overlap=overlap,
            )
        )
    return matches
