"""Measure disclosure screening on the labelled set: recall, precision, false-positive rate.

Usage: python benchmarks/disclosure.py [--splits dev holdout1 holdout fresh]

Splits: ``dev`` (the rules were tuned on it); ``holdout1`` (30 positives written after the first
freeze of the old enumerated patterns; tuned on since); ``holdout`` (30 positives and 30
negatives written after the second freeze: 6/30 with the old patterns; its misses were read
while the lexicon screen replaced them, so it is no longer blind); ``fresh`` (60 positives and 60
hard negatives written before the lexicon screen, measured once after it froze: child phonetic
spelling, teen text-speak and euphemism, parents on domestic abuse, practitioners relaying a
child's words). Lists every miss and false positive (the set is written for the benchmark, so
printing it is safe).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.screening import screen  # noqa: E402

DATA = Path(__file__).parent / "data" / "disclosure_set.csv"
SPLITS = ("dev", "holdout1", "holdout", "fresh")


def load(path: Path = DATA) -> list[dict[str, str]]:
    """Load the labelled rows (text, label, category, split)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def report(name: str, rows: list[dict[str, str]]) -> None:
    """Screen ``rows`` and print recall, precision, false-positive rate and the errors."""
    tp = fp = fn = tn = 0
    category_hits = 0
    for row in rows:
        result = screen(row["text"])
        is_positive = row["label"] == "1"
        if is_positive and result.flagged:
            tp += 1
            category_hits += row["category"] in result.reasons
        elif is_positive:
            fn += 1
            print(f"  MISS [{row['category']}] {row['text']!r}")
        elif result.flagged:
            fp += 1
            print(f"  FALSE POSITIVE {list(result.reasons)} {row['text']!r}")
        else:
            tn += 1
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    fpr = fp / (fp + tn) if fp + tn else float("nan")
    print(
        f"{name}: positives {tp + fn}, negatives {fp + tn} | recall {recall:.3f} "
        f"({tp}/{tp + fn}) | precision {precision:.3f} | false-positive rate {fpr:.3f} "
        f"({fp}/{fp + tn}) | expected category among reasons {category_hits}/{tp}"
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on each chosen split and time the screen."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", nargs="+", choices=SPLITS, default=list(SPLITS))
    args = ap.parse_args(argv)
    rows = load()
    for split in args.splits:
        chosen = [r for r in rows if r.get("split", "dev") == split]
        if chosen:
            print(f"\n== {split} ==")
            report(split, chosen)
    texts = [r["text"] for r in rows] * 20
    start = time.perf_counter()
    for text in texts:
        screen(text)
    elapsed = time.perf_counter() - start
    print(f"\nspeed: {len(texts)} texts in {elapsed:.2f} s = {len(texts) / elapsed:,.0f} texts/s")


if __name__ == "__main__":
    main()
