"""Screen text on stdin for possible disclosures, one text per line, one JSON object per line.

Usage: python -m nlp.screen < in.txt  ->  {"flagged": true, "reasons": ["self_harm"]}
"""

from __future__ import annotations

import argparse
import json
import sys

from nlp.screening import screen


def main(argv: list[str] | None = None) -> int:
    """Screen each stdin line and print the result as JSON; return the exit status."""
    ap = argparse.ArgumentParser(prog="python -m nlp.screen", description=__doc__.splitlines()[0])
    ap.parse_args(argv)
    for line in sys.stdin:
        result = screen(line.rstrip("\n"))
        sys.stdout.write(json.dumps({"flagged": result.flagged, "reasons": list(result.reasons)}))
        sys.stdout.write("\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
