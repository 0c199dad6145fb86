"""Measure what one rate-limit hit costs in each storage the respondent limit can use.

Usage: python benchmarks/rate_limit_storage.py [--hits 5000] [--processes 2] [--redis URL]

Prints, for memory:// (one process, for comparison), the SQLite file of the embedded default
and, with --redis, Redis: microseconds per hit in one process, then the hits per second that
--processes processes sharing the SQLite file reach together, and whether their counts add up.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from limits import parse  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

import webapp.limit_storage  # noqa: E402, F401 - registers sqlite:///

LIMIT = parse("1000000 per hour")


def _hits(uri: str, hits: int, key: str) -> float:
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    started = time.perf_counter()
    for _ in range(hits):
        limiter.hit(LIMIT, key)
    return time.perf_counter() - started


def _worker(arguments: tuple[str, int]) -> float:
    uri, hits = arguments
    return _hits(uri, hits, "shared")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--redis")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="rate-limits-")
    sqlite = f"sqlite:///{folder}/rate-limits.db"
    uris = ["memory://", sqlite] + ([args.redis] if args.redis else [])
    for uri in uris:
        seconds = _hits(uri, args.hits, f"single-{time.time()}")
        print(f"{uri.split(':')[0]:>7}: {seconds / args.hits * 1e6:8.1f} µs per hit (1 process)")
    started = time.perf_counter()
    with Pool(args.processes) as pool:
        pool.map(_worker, [(sqlite, args.hits)] * args.processes)
    elapsed = time.perf_counter() - started
    total = args.processes * args.hits
    stats = FixedWindowRateLimiter(storage_from_string(sqlite)).get_window_stats(LIMIT, "shared")
    counted = LIMIT.amount - stats.remaining
    print(
        f" sqlite: {total / elapsed:8.0f} hits per second over {args.processes} processes; "
        f"counted {counted} of {total}"
    )


if __name__ == "__main__":
    main()
