"""Does a theme keep its identity when 1% more answers arrive? Measure it by resampling.

    stability_1pct(texts, run, *, seed, repeats) -> dict

Each repeat draws a random base of n / 1.01 answers, themes it, adds the remaining ~1% of
answers, themes again with the same seed, and matches the second run's themes to the first's
with `nlp.lineage.match_themes` (answers carry their row number, so statement overlap is
known). `stability_1pct` is the mean share of the first run's themes confidently matched one
to one (`paired_1pct`: paired at all, confident or not). The same pairs calibrate the
similarity-only rule used when runs share no answers:
"true" pairs are those sharing at least half their answers (Jaccard), and for each we record
its similarity, its margin over its best rival, and the best similarity of a wrong pair.

Given `update` (nlp.update: the base run's themes kept, the added answers assigned or grouped
into emerging themes), each repeat also updates the base run with the added answers and
matches the same way: `stability_1pct_update`. Given `gold` labels, it reports how far the
update drifts from the full re-run: AMI of each against the labels (`update_ami`, `full_ami`,
every answer of the larger run, unthemed answers as one group) and between them
(`update_vs_full_ami`), with the share of added statements left unthemed and the emerging
themes found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nlp.lineage import (
    CONFIDENT_SIMILARITY,
    MIN_MARGIN,
    MIN_OVERLAP,
    ThemeSnapshot,
    match_themes,
    overlap_matrix,
    similarity_matrix,
)
from nlp.result import ThemingResult

ThemeRun = Callable[[Sequence[str], Sequence[int]], ThemingResult]
# (base result, added texts, their answer ids) -> the updated result
ThemeUpdate = Callable[[ThemingResult, Sequence[str], Sequence[int]], ThemingResult]


def snapshots(result: ThemingResult, prefix: str) -> list[ThemeSnapshot]:
    """Turn a pipeline result's themes into snapshots whose members are answer ids."""
    members: dict[int, set[str]] = {t.id: set() for t in result.themes}
    for statement in result.statements:
        if statement.theme is not None and statement.theme in members:
            members[statement.theme].add(str(statement.answer_id))
    return [
        ThemeSnapshot(
            key=f"{prefix}{t.id}",
            centroid=np.asarray(t.centroid, dtype=np.float64),
            keywords=t.keywords,
            size=t.size,
            members=frozenset(members[t.id]),
        )
        for t in result.themes
    ]


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    q = np.quantile(values, [0.0, 0.05, 0.5, 0.95, 1.0])
    return {
        k: round(float(v), 3) for k, v in zip(("min", "p5", "median", "p95", "max"), q, strict=True)
    }


def _calibrate(before: list[ThemeSnapshot], after: list[ThemeSnapshot]) -> dict[str, list[float]]:
    sims = similarity_matrix(before, after)
    jaccard, _, _ = overlap_matrix(before, after)
    found: dict[str, list[float]] = {"same": [], "margin": [], "best_wrong": []}
    for i in range(len(before)):
        j = int(np.argmax(jaccard[i])) if jaccard.shape[1] else -1
        wrong = [sims[i, k] for k in range(sims.shape[1]) if k != j or jaccard[i, j] < MIN_OVERLAP]
        if wrong:
            found["best_wrong"].append(float(max(wrong)))
        if j < 0 or jaccard[i, j] < MIN_OVERLAP:
            continue
        rivals = [sims[i, k] for k in range(sims.shape[1]) if k != j]
        rivals += [sims[r, j] for r in range(sims.shape[0]) if r != i]
        found["same"].append(float(sims[i, j]))
        found["margin"].append(float(sims[i, j] - max(rivals, default=0.0)))
    return found


def _similarity_only(found: dict[str, list[float]]) -> dict[str, float]:
    """How the similarity-only rule would decide these pairs."""
    same = np.array(found["same"])
    margin = np.array(found["margin"])
    wrong = np.array(found["best_wrong"])
    accepted = (same >= CONFIDENT_SIMILARITY) & (margin >= MIN_MARGIN)
    return {
        "true_pairs_accepted": round(float(accepted.mean()), 3) if same.size else 0.0,
        "wrong_pairs_over_threshold": int((wrong >= CONFIDENT_SIMILARITY).sum()),
        "wrong_pairs": int(wrong.size),
    }


def answer_themes(result: ThemingResult, ids: Sequence[int]) -> list[int]:
    """Each answer's theme (its longest statement's; -1 unthemed or a non-answer), by id."""
    best: dict[str, tuple[int, int]] = {}
    for s in result.statements:
        key = str(s.answer_id)
        theme = -1 if s.is_non_answer or s.theme is None else int(s.theme)
        if key not in best or len(s.text) > best[key][0]:
            best[key] = (len(s.text), theme)
    return [best.get(str(i), (0, -1))[1] for i in ids]


def stability_1pct(
    texts: Sequence[str],
    run: ThemeRun,
    *,
    seed: int = 0,
    repeats: int = 3,
    added: float = 0.01,
    update: ThemeUpdate | None = None,
    gold: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Theme a base sample and the base plus `added` more answers; report matched share."""
    rng = np.random.default_rng(seed)
    shares: list[float] = []
    paired: list[float] = []
    pooled: dict[str, list[float]] = {"same": [], "margin": [], "best_wrong": []}
    counts: list[tuple[int, int]] = []
    updates: dict[str, list[float]] = {}
    for _ in range(repeats):
        order = rng.permutation(len(texts))
        base = np.sort(order[: int(round(len(texts) / (1.0 + added)))])
        ids = [int(i) for i in base]
        base_result = run([texts[i] for i in ids], ids)
        first = snapshots(base_result, "a")
        full = [int(i) for i in np.sort(order)]
        full_result = run([texts[i] for i in full], full)
        second = snapshots(full_result, "b")
        result = match_themes(first, second)
        kept = sum(1 for m in result.matches if m.confident)
        shares.append(kept / max(len(first), 1))
        paired.append(sum(1 for m in result.matches if m.previous_key) / max(len(first), 1))
        counts.append((len(first), len(second)))
        for name, values in _calibrate(first, second).items():
            pooled[name].extend(values)
        if update is not None:
            extra = sorted(set(full) - set(ids))
            updated = update(base_result, [texts[i] for i in extra], extra)
            found = _update_figures(first, updated, full_result, full, gold)
            for name, value in found.items():
                updates.setdefault(name, []).append(value)
    figures = {
        "stability_1pct": round(float(np.mean(shares)), 3),
        "stability_1pct_min": round(float(np.min(shares)), 3),
        "paired_1pct": round(float(np.mean(paired)), 3),
        "stability_repeats": repeats,
        "stability_themes": counts,
        "identity_calibration": {
            "same_theme_similarity": _quantiles(pooled["same"]),
            "same_theme_margin": _quantiles(pooled["margin"]),
            "best_wrong_similarity": _quantiles(pooled["best_wrong"]),
            "similarity_only_rule": _similarity_only(pooled),
        },
    }
    if updates:
        figures["update"] = {k: round(float(np.mean(v)), 4) for k, v in updates.items()}
        figures["stability_1pct_update"] = figures["update"].pop("kept")
        figures["stability_1pct_update_min"] = round(float(np.min(updates["kept"])), 3)
    return figures


def _update_figures(
    first: list[ThemeSnapshot],
    updated: ThemingResult,
    full_result: ThemingResult,
    full: list[int],
    gold: Sequence[str] | None,
) -> dict[str, float]:
    """Themes kept by the update, what it left unthemed, and its drift from the full run."""
    from nlp.metrics import agreement

    after = snapshots(updated, "u")
    matched = match_themes(first, after)
    summary = updated.config.get("update", {})
    figures = {
        "kept": sum(1 for m in matched.matches if m.confident) / max(len(first), 1),
        "added_unthemed_share": summary.get("unthemed", 0)
        / max(summary.get("added_statements", 0), 1),
        "emerging_themes": float(summary.get("emerging_themes", 0)),
    }
    by_update = answer_themes(updated, full)
    by_full = answer_themes(full_result, full)
    figures["update_vs_full_ami"] = agreement(by_full, by_update)["ami"]
    if gold is not None:
        labels = [gold[i] for i in full]
        figures["update_ami"] = agreement(labels, by_update)["ami"]
        figures["full_ami"] = agreement(labels, by_full)["ami"]
    return figures
