"""Find themes in a CSV column and write a ThemingResult as JSON.

python -m nlp.theme CSV --text-col text --out themes.json [--seed S]
    [--embedder minilm|tfidf|hashing] [--cache PATH] [--id-col id]
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp.embedding import SqliteEmbeddingCache
from nlp.pipeline import STEPS, ThemingPipeline

log = logging.getLogger(__name__)


class _StderrProgress:
    """Show one tqdm bar per stage on stderr."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, file=sys.stderr, leave=True)
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Read the CSV, run the pipeline, write the report."""
    args = _parser().parse_args(argv)
    with open(args.csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row.get(args.text_col) or "" for row in rows]
    ids = [row[args.id_col] for row in rows] if args.id_col else None
    pipeline = ThemingPipeline(
        embedder=STEPS["embedder"][args.embedder](),
        cache=SqliteEmbeddingCache(args.cache) if args.cache else None,
        seed=args.seed,
    )
    progress = _StderrProgress()
    report = pipeline.run(texts, answer_ids=ids, progress=progress)
    progress.close()
    Path(args.out).write_text(report.to_json(), encoding="utf-8")
    log.info("themes=%d statements=%d", len(report.themes), len(report.statements))
    print(
        f"{len(report.themes)} themes from {len(report.statements)} statements -> {args.out}",
        file=sys.stderr,
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlp.theme", description=__doc__)
    parser.add_argument("csv")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--id-col", default=None)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embedder", choices=sorted(STEPS["embedder"]), default="minilm")
    parser.add_argument("--cache", default=None, help="SQLite embedding cache file")
    return parser


if __name__ == "__main__":
    sys.exit(main())
