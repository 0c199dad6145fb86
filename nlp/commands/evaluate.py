"""Score the theming pipeline on a labelled CSV, optionally against baselines; print JSON.

    python -m nlp.evaluate CSV --text-col text --label-col label [--limit N] [--seed S]
        [--baselines] [--multi-label] [--embedder minilm|minilm-pytorch|tfidf|hashing]
        [--cache PATH] [--stability-repeats R] [--update-growth G] --json

`stability_1pct` (nlp.stability): the share of themes confidently matched one to one after 1%
more answers, mean of R resamples (default 1; 0 skips it), with `identity_calibration`: the
similarity of true same-theme pairs, their margin and the best wrong pair's similarity.
`stability_1pct_update`: the same, when the 1% are added by update (nlp.update) instead of a
re-run; `update` has its drift from the full re-run (`update_ami` and `full_ami` against the
labels, `update_vs_full_ami`), the share of added statements left unthemed and the emerging
themes. `--update-growth 0.2` measures the same after adding 20% (one resample).

Label checks (nlp.labels.label_checks): `label_duplicates` (labels the same as another after
plurals and word order), `label_function_word_edges` (labels starting or ending on a small word)
and `themes_with_summary` (themes given a one-sentence summary, nlp.summaries).

`seconds` is the wall time of the first pipeline run alone (embedding included, nothing warmed
up before it); the stability run reuses its embeddings, and `warm_seconds` is its wall time.
Rows the pipeline splits are scored by the theme of their longest statement; non-answer rows
form one extra group.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.embedding import CachedEmbedder, MemoryEmbeddingCache, SqliteEmbeddingCache
from nlp.labels import label_checks
from nlp.metrics import agreement, peak_rss_mb, score_partition
from nlp.pipeline import STEPS, ThemingPipeline

NON_ANSWER = -2


def load_rows(
    path: str, *, text_col: str, label_col: str, limit: int | None, multi_label: bool
) -> tuple[list[str], list[str]]:
    """Read texts and gold labels; drop unlabelled rows and, unless asked, multi-label rows."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [(r[text_col] or "", (r[label_col] or "").strip()) for r in csv.DictReader(handle)]
    rows = [(t, g) for t, g in rows if g and (multi_label or "|" not in g)]
    rows = [(t, g.split("|")[0].strip()) for t, g in rows]
    if limit and len(rows) > limit:  # an even, seed-free sample keeps runs comparable
        keep = np.sort(np.random.default_rng(0).choice(len(rows), limit, replace=False))
        rows = [rows[i] for i in keep]
    return [t for t, _ in rows], [g for _, g in rows]


def answer_labels(report: Any) -> list[int]:
    """Return one theme per answer (longest statement), NON_ANSWER for non-answers."""
    return [NON_ANSWER if t is None else t for t in report.answer_themes()]


def evaluate_pipeline(
    texts: list[str],
    gold: list[str],
    *,
    embedder_name: str,
    seed: int,
    cache_path: str | None,
    stability_repeats: int = 1,
    update_growth: float = 0.0,
) -> tuple[dict[str, Any], CachedEmbedder]:
    """Run the pipeline twice (seed, seed + 1) and score it."""
    cache = SqliteEmbeddingCache(cache_path) if cache_path else MemoryEmbeddingCache()
    embedder = STEPS["embedder"][embedder_name]()
    start = time.perf_counter()
    first = ThemingPipeline(embedder=embedder, cache=cache, seed=seed).run(texts)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    start = time.perf_counter()
    second = ThemingPipeline(embedder=embedder, cache=cache, seed=seed + 1).run(texts)
    warm_seconds = time.perf_counter() - start
    labels = answer_labels(first)
    scored = np.array([label >= 0 for label in labels])
    result = {
        "n": len(texts),
        **score_partition(
            [t for t, s in zip(texts, scored, strict=True) if s],
            [g for g, s in zip(gold, scored, strict=True) if s],
            [lab for lab in labels if lab >= 0],
        ),
        **agreement(gold, labels),
        "n_themes": len(first.themes),
        **label_checks([t.label for t in first.themes]),
        "themes_with_summary": sum(1 for t in first.themes if t.summary),
        "n_sub_themes": len(first.sub_themes),
        "n_statements": len(first.statements),
        "non_answer_rate": round(first.non_answer_count / max(len(first.statements), 1), 4),
        "outlier_rate": round(first.outlier_rate, 4),
        "stability_ari": agreement(labels, answer_labels(second))["ari"],
        "seconds": round(seconds, 2),
        "warm_seconds": round(warm_seconds, 2),
        "embed_seconds": first.timings.get("embed", 0.0),
        "stage_seconds": first.timings,
        "peak_rss_mb": peak,
    }
    if stability_repeats > 0:
        from nlp.stability import stability_1pct

        pipeline = ThemingPipeline(embedder=embedder, cache=cache, seed=seed)

        def theme(batch: Sequence[str], ids: Sequence[int]) -> Any:
            return pipeline.run(batch, answer_ids=list(ids))

        def update(base: Any, batch: Sequence[str], ids: Sequence[int]) -> Any:
            return pipeline.update(base, batch, answer_ids=list(ids)).result

        result.update(
            stability_1pct(
                texts, theme, seed=seed, repeats=stability_repeats, update=update, gold=gold
            )
        )
        if update_growth > 0:  # how far an update drifts when the data grows a lot
            grown = stability_1pct(
                texts, theme, seed=seed, repeats=1, added=update_growth, update=update, gold=gold
            )
            result["update_growth"] = {"added": update_growth, **grown["update"]}
            result["update_growth"]["kept"] = grown["stability_1pct_update"]
    return result, CachedEmbedder(embedder, cache)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, evaluate, print one JSON object."""
    args = _parser().parse_args(argv)
    texts, gold = load_rows(
        args.csv,
        text_col=args.text_col,
        label_col=args.label_col,
        limit=args.limit,
        multi_label=args.multi_label,
    )
    result, embedder = evaluate_pipeline(
        texts,
        gold,
        embedder_name=args.embedder,
        seed=args.seed,
        cache_path=args.cache,
        stability_repeats=args.stability_repeats,
        update_growth=args.update_growth,
    )
    result["n_gold_labels"] = len(set(gold))
    if args.baselines:
        from nlp.baselines import run_baselines

        result["baselines"] = run_baselines(texts, gold, embedder, seed=args.seed)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlp.evaluate", description=__doc__)
    parser.add_argument("csv")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--label-col", default="label")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baselines", action="store_true")
    parser.add_argument("--multi-label", action="store_true")
    parser.add_argument("--embedder", choices=sorted(STEPS["embedder"]), default="minilm")
    parser.add_argument("--cache", default=None, help="SQLite embedding cache (default: none)")
    parser.add_argument("--stability-repeats", type=int, default=1)
    parser.add_argument(
        "--update-growth", type=float, default=0.0, help="also measure an update adding this share"
    )
    parser.add_argument("--json", action="store_true", help="print compact JSON on one line")
    return parser


if __name__ == "__main__":
    sys.exit(main())
