"""Score theming on the labelled datasets against baselines; print Markdown tables.

    python benchmarks/theming.py [--data-dir /work/shared/data] [--out FILE] [--cache PATH]
        [--only nhs_fft_phase1 ...] [--no-baselines] [--limit N] [--embedder minilm-pytorch]

Each dataset runs `python -m nlp.evaluate ... --baselines --json` in a fresh process, so the
pipeline's `seconds` is a cold figure unless `--cache` points at a warm embedding cache. The
second table sets its times side by side: cold (a fresh process, embedding included), warm (the
same texts again with their embeddings cached), the embedding alone, and cold and warm as
multiples of the embedding time (1.0 = theming costs nothing beyond embedding). `--embedder`
picks the embedder (default `minilm`: what the product uses, ONNX Runtime when installed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

DATASETS: dict[str, list[str]] = {
    "nhs_fft_phase1": [],
    "octis_bbc_news": [],
    "octis_m10": [],
    "octis_dblp": ["--limit", "10000"],
}
COLUMNS = [
    "n_themes",
    "outlier_rate",
    "ami",
    "nmi",
    "ari",
    "npmi",
    "topic_diversity",
    "stability_ari",
    "stability_1pct",
    "seconds",
]


def run_dataset(name: str, extra: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Evaluate one dataset in a fresh Python process and return its JSON."""
    command = [
        sys.executable,
        "-m",
        "nlp.evaluate",
        str(Path(args.data_dir) / name / "data.csv"),
        "--text-col",
        "text",
        "--label-col",
        "label",
        "--json",
        *(["--limit", str(args.limit)] if args.limit else extra),
        "--embedder",
        args.embedder,
    ]
    if args.baselines:
        command.append("--baselines")
    if args.cache:
        command += ["--cache", args.cache]
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
        "NUMBA_NUM_THREADS": "2",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def warm_seconds(path: str, cache: str, embedder_name: str = "minilm") -> dict[str, float]:
    """Theme one CSV twice in this process through a cache; time the second (warm) run."""
    import csv
    import time

    from nlp.embedding import SqliteEmbeddingCache
    from nlp.pipeline import STEPS, ThemingPipeline

    with open(path, newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    embedder = STEPS["embedder"][embedder_name]()
    pipeline = ThemingPipeline(embedder=embedder, cache=SqliteEmbeddingCache(cache))
    start = time.perf_counter()
    pipeline.run(texts)
    first = time.perf_counter() - start
    start = time.perf_counter()
    report = pipeline.run(texts)
    return {
        "first_run_seconds": round(first, 2),
        "warm_seconds": round(time.perf_counter() - start, 2),
        **report.timings,
    }


def table(results: dict[str, dict[str, Any]]) -> str:
    """Render one row per dataset and method."""
    lines = [
        "| dataset | method | n | " + " | ".join(COLUMNS) + " | embed s | peak MB |",
        "|" + "---|" * (len(COLUMNS) + 5),
    ]
    for dataset, result in results.items():
        methods = {"pipeline": result, **result.get("baselines", {})}
        for method, scores in methods.items():
            cells = [_cell(scores.get(c)) for c in COLUMNS]
            extra = [_cell(scores.get("embed_seconds")), _cell(scores.get("peak_rss_mb"))]
            lines.append(
                f"| {dataset} | {method} | {result['n']} | " + " | ".join(cells + extra) + " |"
            )
    return "\n".join(lines)


def times_table(results: dict[str, dict[str, Any]]) -> str:
    """Render cold and warm times of the pipeline beside its embedding time."""
    lines = [
        "| dataset | n | embed s | cold s | warm s | cold ÷ embed | warm ÷ embed |",
        "|---|---|---|---|---|---|---|",
    ]
    for dataset, result in results.items():
        embed, cold, warm = result["embed_seconds"], result["seconds"], result["warm_seconds"]
        ratios = [f"{t / embed:.2f}" if embed else "" for t in (cold, warm)]
        lines.append(
            f"| {dataset} | {result['n']} | {embed:.1f} | {cold:.1f} | {warm:.1f} | "
            + " | ".join(ratios)
            + " |"
        )
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.3f}" if isinstance(value, float) and abs(value) < 10 else str(value)


def main() -> int:
    """Run every dataset, print the table and optionally write it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="/work/shared/data")
    parser.add_argument("--out", default=None)
    parser.add_argument("--cache", default=None)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--no-baselines", dest="baselines", action="store_false")
    parser.add_argument("--json-out", default=None, help="also keep the raw JSON results")
    parser.add_argument("--limit", type=int, default=None, help="texts per dataset")
    parser.add_argument("--embedder", default="minilm", help="minilm, minilm-pytorch, tfidf")
    parser.add_argument(
        "--warm",
        default=None,
        metavar="CSV",
        help="only time a warm second run on CSV (needs --cache)",
    )
    args = parser.parse_args()
    if args.warm:
        cache = args.cache or "/tmp/theming-cache.sqlite"
        print(json.dumps(warm_seconds(args.warm, cache, args.embedder)))
        return 0
    results = {
        name: run_dataset(name, extra, args)
        for name, extra in DATASETS.items()
        if not args.only or name in args.only
    }
    text = table(results) + "\n\n" + times_table(results)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
