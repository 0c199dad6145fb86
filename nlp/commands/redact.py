"""Redact personal data from text on stdin, one text per line, streaming to stdout.

Usage: python -m nlp.redact [--rules-only] [--model NAME] [--report] < in.txt > out.txt

``--report`` writes a JSON summary of counts per kind to stderr at the end (never any text).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from nlp.redaction import RuleRedactor, SpacyRedactor


def main(argv: list[str] | None = None) -> int:
    """Redact each stdin line and print it; return the exit status."""
    ap = argparse.ArgumentParser(prog="python -m nlp.redact", description=__doc__.splitlines()[0])
    ap.add_argument("--rules-only", action="store_true", help="do not load a spaCy model")
    ap.add_argument("--model", default=None, help="spaCy model name (default: fallback chain)")
    ap.add_argument("--report", action="store_true", help="JSON counts per kind on stderr")
    args = ap.parse_args(argv)
    redactor: RuleRedactor
    if args.rules_only:
        redactor = RuleRedactor()
    else:
        redactor = SpacyRedactor(args.model) if args.model else SpacyRedactor()
    totals: Counter[str] = Counter()
    lines = 0
    for line in sys.stdin:
        result = redactor.redact(line.rstrip("\n"))
        totals.update(result.counts)
        lines += 1
        sys.stdout.write(result.text + "\n")
        sys.stdout.flush()
    if args.report:
        summary = {"lines": lines, "counts": dict(sorted(totals.items()))}
        sys.stderr.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
