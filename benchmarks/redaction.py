"""Measure PII redaction recall, precision and speed on the labelled synthetic set.

Usage: python benchmarks/redaction.py [--redactor rules|spacy] [--model NAME] [--speed-n 10000]
                                     [--data CSV [--text-col text]]

The speed run redacts --speed-n statements (the labelled set repeated) and prints statements per
second of wall time and of this process's CPU time (steadier on a busy machine), and what
100,000 statements would take. With --data, it also times the texts of a CSV file (for example
one of ../shared/data/*/data.csv: real feedback, not committed), each text once.

Recall: a gold span is found if a predicted span of any kind covers >= 50% of it; the per-kind
table also requires the kind to match. Precision: a predicted span is correct if it overlaps a gold
span by >= 50% of either span. Every miss is printed (the set is synthetic, so this is safe).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.redaction import KINDS, Redaction, RuleRedactor, SpacyRedactor  # noqa: E402

DATA = Path(__file__).parent / "data" / "redaction_set.jsonl"
Span = tuple[int, int, str]


def load(path: Path = DATA) -> list[tuple[str, list[Span]]]:
    """Load (text, gold spans) pairs from the JSONL set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows.append((row["text"], [(e["start"], e["end"], e["kind"]) for e in row["entities"]]))
    return rows


def overlap(a: Span, b: Span) -> int:
    """Return the number of characters two spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def covers(pred: Span, gold: Span) -> bool:
    """Return whether ``pred`` covers at least half of ``gold``."""
    return overlap(pred, gold) * 2 >= gold[1] - gold[0]


def matches(pred: Span, gold: Span) -> bool:
    """Return whether two spans overlap by at least half of either one."""
    shared = overlap(pred, gold) * 2
    return shared > 0 and (shared >= gold[1] - gold[0] or shared >= pred[1] - pred[0])


def score(rows: list[tuple[str, list[Span]]], results: list[Redaction]) -> dict[str, Counter[str]]:
    """Count per-kind gold, found (any kind), found (same kind), predicted and correct."""
    c: dict[str, Counter[str]] = {k: Counter() for k in (*KINDS, "ALL")}
    misses = []
    for (text, gold), result in zip(rows, results, strict=True):
        for g in gold:
            any_hit = any(covers(p, g) for p in result.spans)
            kind_hit = any(covers(p, g) and p[2] == g[2] for p in result.spans)
            c[g[2]].update(gold=1, found_any=any_hit, found=kind_hit)
            c["ALL"].update(gold=1, found_any=any_hit, found=kind_hit)
            if not any_hit:
                misses.append(f"MISS {g[2]:<10} {text[g[0] : g[1]]!r:<32} in {text!r}")
        for p in result.spans:
            ok_any = any(matches(p, g) for g in gold)
            ok_kind = any(matches(p, g) and p[2] == g[2] for g in gold)
            c[p[2]].update(pred=1, correct=ok_kind)
            c["ALL"].update(pred=1, correct=ok_any)
            if not ok_any:
                misses.append(f"FALSE-POSITIVE {p[2]:<10} {text[p[0] : p[1]]!r} in {text!r}")
    c["ALL"]["lines"] = len(misses)
    for line in misses:
        print(line)
    return c


def print_table(c: dict[str, Counter[str]]) -> None:
    """Print per-kind recall (any kind / same kind) and precision."""
    print(f"\n{'kind':<11}{'gold':>6}{'recall':>9}{'recall(kind)':>14}{'pred':>6}{'precision':>11}")
    for kind, n in c.items():
        if not n["gold"] and not n["pred"]:
            continue
        rec_any = n["found_any"] / n["gold"] if n["gold"] else float("nan")
        rec = n["found"] / n["gold"] if n["gold"] else float("nan")
        prec = n["correct"] / n["pred"] if n["pred"] else float("nan")
        print(f"{kind:<11}{n['gold']:>6}{rec_any:>9.3f}{rec:>14.3f}{n['pred']:>6}{prec:>11.3f}")


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redactor", choices=["rules", "spacy"], default="rules")
    ap.add_argument("--model", default=None, help="spaCy model name (default: fallback chain)")
    ap.add_argument("--speed-n", type=int, default=10_000, help="statements for the speed run")
    ap.add_argument("--data", type=Path, default=None, help="a CSV of texts to time as well")
    ap.add_argument("--text-col", default="text")
    args = ap.parse_args()
    if args.redactor == "spacy":
        redactor: RuleRedactor = SpacyRedactor(args.model) if args.model else SpacyRedactor()
    else:
        redactor = RuleRedactor()
    rows = load()
    texts = [t for t, _ in rows]
    redactor.redact_many(texts[:2])  # load models and word lists outside the timing
    results = redactor.redact_many(texts)
    counts = score(rows, results)
    print_table(counts)
    no_pii = [r for (_, gold), r in zip(rows, results, strict=True) if not gold]
    flagged = sum(1 for r in no_pii if r.spans)
    print(f"\nhard negatives with any redaction: {flagged}/{len(no_pii)}")
    batch = (texts * (args.speed_n // len(texts) + 1))[: args.speed_n]
    _time("labelled set, repeated", redactor, batch)
    if args.data:
        with args.data.open(encoding="utf-8", newline="") as file:
            rows = [row[args.text_col] for row in csv.DictReader(file)]
        _time(f"{args.data.parent.name}, each text once", redactor, rows)


def _time(what: str, redactor: RuleRedactor, batch: list[str]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    redactor.redact_many(batch)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"speed ({what}): {len(batch):,} statements in {wall:.2f} s wall, {cpu:.2f} s CPU = "
        f"{len(batch) / wall:,.0f} docs/s ({len(batch) / cpu:,.0f} per CPU second); "
        f"100,000 would take {100_000 * cpu / len(batch):.1f} s of CPU"
    )


if __name__ == "__main__":
    main()
