"""400 people at once: respondents, agencies saving Section 11 pages, the quality group reading.

Usage: python benchmarks/load_mixed.py [--db sqlite|postgres] [--users 400] [--spawn-rate 10]
       [--run-time 3m] [--drain 150] [--think 5 15] [--mix 60 25 15] [--seed 7] [--json]
       [--keep]

`--db sqlite` (the default) is the embedded default as bin/run-local starts it: a temp SQLite
database (WAL), a SQLite job queue, `gunicorn -w 2 --threads 4`. `--db postgres` is the scaled
configuration: a fresh schema in postgres@127.0.0.1:5432/test (dropped afterwards), Redis db 11
at 127.0.0.1:6379 for the job queue and the shared rate-limit counters, and gunicorn with
2 × cores workers of 4 threads (the README's rule of thumb: `-w 4 --threads 4` on 2 cores).
Both run as production, except the session cookie is a plain, non-Secure `session` because
the run is plain HTTP (as benchmarks/load_submit.py). No job worker runs.

The world (benchmarks/load_mixed_world.py) is the demo partnership built by its own seeding
functions, plus an agency with a lead and a contributor for every two organisation users and
an account for every quality-group user; a theming run over the demo's answers with the TF-IDF
embedder (no model loads), whose real themes and statements the pages read.

Locust runs in-process (FastHttpUser, a cookie jar each). `--mix` splits `--users` into:
- respondents (60%): a new anonymous respondent every journey, on the training-evaluation or
  the practitioner-consultation link: start page, Start, every page the server sends them to,
  check, send, the reference; 1 in 10 presses Send again (half after losing their cookies);
- organisation users (25%): signed in (a server-side session made with
  `surveys.accounts.start_session`, as benchmarks/partnerships_scale.py); open their return's
  task list, then open and save one of the Section 11 standards they look after (colleagues
  look after different ones); the evidence answer carries a marker unique to the save;
- quality-group users (15%): the latest run's theme list, two theme pages, then the run
  report or the six-monthly report.

Before counting, each page kind is opened a few times (a server that has been running).

Think time: every page is read for --think seconds (uniform, default 5–15 s) before the next
request, and journeys follow each other after the same pause: 400 people at a keyboard (about
40 requests a second in all), not 400 loops. At --run-time no journey starts and those under
way finish (at most --drain seconds).

Then it reconciles in the database: every acknowledged reference is a submitted row with its
submission id and free text, no submission id has two rows, a replay got its first reference
back (lost / duplicated / text mismatches); every acknowledged Section 11 save is one change
record of its page by its user and the page's evidence holds the last save's marker. Prints
per page kind: requests, p50/p95/p99, errors, and the SQL statements and CPU milliseconds of
one request (measured in-process after the run), then throughput, CPU and the load average.
`--json` adds the figures as one JSON line. Exits 1 on any error, failed journey, lost or
duplicated submission or save, or page kind whose p95 is over 500 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import gevent
import numpy as np
from locust.env import Environment
from locust.log import setup_logging

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import load_mixed_people as people  # noqa: E402
from benchmarks.load_mixed_check import count_statements, reconcile, snapshot, warm_up  # noqa: E402
from benchmarks.load_mixed_world import build_world, sign_in  # noqa: E402
from benchmarks.load_submit import (  # noqa: E402
    cpu_seconds,
    free_port,
    fresh_database,
    load_average,
    parse_duration,
    wait_until_up,
)
from surveys.loader import load_definitions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/11"
TARGET_P95_MS = 500.0
STATE = people.STATE


def server_env(url: str, queue_url: str, secret_key: str, folder: Path) -> dict[str, str]:
    return {
        "LEARNING_LOOP_ENV": "production",
        "LEARNING_LOOP_SECRET_KEY": secret_key,
        "LEARNING_LOOP_DATABASE_URL": url,
        "LEARNING_LOOP_QUEUE_URL": queue_url,
        "LEARNING_LOOP_EVIDENCE_FOLDER": str(folder / "evidence"),
        "LEARNING_LOOP_SESSION_COOKIE_SECURE": "false",
        "LEARNING_LOOP_SESSION_COOKIE_NAME": "session",
    }


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path
) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers)]
    command += ["--threads", str(threads), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT)]
    command += ["webapp:create_app()"]
    return subprocess.Popen(
        command, env={**os.environ, **env}, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def split_users(users: int, mix: list[float]) -> dict[str, int]:
    """Return how many respondents, organisation users and quality-group users to run."""
    total = sum(mix)
    organisation = round(users * mix[1] / total)
    quality = round(users * mix[2] / total)
    return {
        "respondent": users - organisation - quality,
        "organisation": organisation,
        "quality": quality,
    }


def run_load(host: str, counts: dict[str, int], args: argparse.Namespace) -> int:
    """Run the people, let journeys under way finish; return how many were cut off."""
    setup_logging("WARNING")
    classes = {
        "respondent": people.Respondent,
        "organisation": people.OrganisationPerson,
        "quality": people.QualityMember,
    }
    for kind, user_class in classes.items():
        user_class.fixed_count = counts[kind]
    environment = Environment(user_classes=list(classes.values()), host=host)
    environment.events.request.add_listener(people.on_request)
    runner = environment.create_local_runner()
    runner.start(sum(counts.values()), spawn_rate=args.spawn_rate)
    gevent.sleep(parse_duration(args.run_time))
    STATE.stopping = True
    deadline = time.monotonic() + args.drain
    while STATE.in_flight and time.monotonic() < deadline:
        gevent.sleep(1)
    interrupted = STATE.in_flight
    runner.quit()
    return interrupted


def percentiles(values: list[float]) -> dict[str, float]:
    p50, p95, p99 = np.percentile(np.array(values or [0.0]), [50, 95, 99])
    return {"n": len(values), "p50": float(p50), "p95": float(p95), "p99": float(p99)}


def clear_queue(queue_url: str) -> int:
    """Count the jobs left queued (no worker ran); on Redis delete them and the counters."""
    from webapp.queue import make_queue

    huey = make_queue(queue_url)
    pending = int(huey.pending_count())
    if queue_url.startswith("redis://"):  # the SQLite queue goes with the temp folder
        huey.flush()
        import redis

        client = redis.Redis.from_url(queue_url)
        for key in client.scan_iter(match="LIMITS:*"):
            client.delete(key)
    return pending


def report(args: argparse.Namespace, figures: dict[str, Any]) -> list[str]:
    """Print the table and the checks; return every reason the run fails."""
    stats, statements = figures["stats"], figures["statements"]
    print(
        f"\ndb={args.db} users={figures['counts']} gunicorn -w {figures['workers']} "
        f"--threads {args.threads} spawn-rate={args.spawn_rate}/s run-time={args.run_time} "
        f"think={args.think[0]:g}-{args.think[1]:g} s"
    )
    print(
        f"{'page kind':24} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'SQL':>4} {'CPU ms':>6}"
    )
    errors_by_kind = figures["errors_by_kind"]
    for kind in people.KINDS:
        s = stats[kind]
        sql, cpu = statements.get(kind, ("", None))
        print(
            f"{kind:24} {s['n']:>8} {s['p50']:>7.0f} {s['p95']:>7.0f} {s['p99']:>7.0f} "
            f"{errors_by_kind.get(kind, 0):>6} {sql:>4} {'' if cpu is None else f'{cpu:.0f}':>6}"
        )
    print(
        f"requests={figures['requests']} over {figures['span']:.0f} s = "
        f"{figures['requests'] / figures['span']:.1f} req/s; gunicorn CPU "
        f"{100 * figures['cpu'] / figures['wall']:.0f}% of one core (2 cores = 200%), locust "
        f"{100 * figures['locust_cpu'] / figures['wall']:.0f}%; load average before "
        f"{figures['load'][0]}, after {figures['load'][1]}"
    )
    print(
        f"errors: {dict(STATE.errors) or 'none'}; failed journeys: "
        f"{dict(STATE.journey_failures) or 'none'}"
    )
    recon = figures["reconciliation"]
    print("reconciliation: " + ", ".join(f"{k}={v}" for k, v in recon.items()))
    print(
        f"jobs left on the queue (no worker ran): {figures['queued']}; gunicorn log: "
        f"{figures['tracebacks']} tracebacks"
    )
    reasons = [
        f"{kind} p95 {s['p95']:.0f} ms > {TARGET_P95_MS:.0f} ms"
        for kind, s in stats.items()
        if s["p95"] > TARGET_P95_MS
    ]
    reasons += [f"{sum(STATE.errors.values())} errors"] if STATE.errors else []
    reasons += [f"{n} journeys failed: {why}" for why, n in STATE.journey_failures.items()]
    checked = [k for k in recon if k.startswith(("lost", "duplicated", "text"))]
    reasons += [f"{recon[k]} {k}" for k in checked if recon[k]]
    reasons += [f"{figures['interrupted']} journeys cut off"] if figures["interrupted"] else []
    reasons += [f"{figures['tracebacks']} tracebacks"] if figures["tracebacks"] else []
    reasons += ["nothing was acknowledged"] if not (STATE.acks and STATE.saves) else []
    print("RESULT: " + ("PASS" if not reasons else "FAIL: " + "; ".join(reasons)))
    return reasons


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="3m", help="e.g. 180s, 3m (then journeys finish)")
    parser.add_argument("--drain", type=float, default=150, help="max seconds to let them finish")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument(
        "--mix",
        type=float,
        nargs=3,
        default=(60, 25, 15),
        metavar=("RESPONDENTS", "ORGANISATION", "QUALITY"),
    )
    parser.add_argument("--workers", type=int, help="gunicorn's (sqlite 2, postgres 2 × cores)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="the figures as one last JSON line")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and its logs")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix=f"load-mixed-{args.db}-"))
    counts = split_users(args.users, list(args.mix))
    workers = args.workers or (2 if args.db == "sqlite" else 2 * (os.cpu_count() or 1))
    registry = load_definitions()
    keys = ("training-evaluation", "practitioner-consultation", "section-11")
    STATE.definitions = {key: registry.latest(key) for key in keys}
    STATE.seed, STATE.think = args.seed, (args.think[0], args.think[1])
    queue_url = f"sqlite:///{folder / 'queue.db'}" if args.db == "sqlite" else REDIS_URL
    log, secret_key = folder / "gunicorn.log", secrets.token_urlsafe(36)
    with fresh_database(args.db, folder) as url:
        started = time.monotonic()
        STATE.world = world = build_world(
            url,
            organisations_count=(counts["organisation"] + 1) // 2,
            quality_members=max(counts["quality"] - 1, 0),
            seed=args.seed,
        )
        user_ids = [p.user_id for p in world.organisation_people] + world.quality_ids
        STATE.cookies = sign_in(url, secret_key, world.partnership_id, user_ids)
        print(
            f"world built in {time.monotonic() - started:.0f} s: run {world.run_id} with "
            f"{len(world.theme_ids)} themes, {len(world.organisation_people)} agency people"
        )
        before = snapshot(url, world)
        env = server_env(url, queue_url, secret_key, folder)
        port = free_port()
        server = start_gunicorn(env, port, workers, args.threads, log)
        host = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(host, f"/f/{next(iter(world.links.values()))[0]}", server)
            warm_up(host, world, STATE.cookies, times=workers * args.threads)
            load_before, t0 = load_average(), time.monotonic()
            cpu0, own0 = cpu_seconds(server.pid), time.process_time()
            interrupted = run_load(host, counts, args)
            cpu, wall = cpu_seconds(server.pid) - cpu0, time.monotonic() - t0
            locust_cpu, load_after = time.process_time() - own0, load_average()
        finally:
            server.terminate()
            server.wait(timeout=30)
        recon = reconcile(url, world, before, STATE)
        statements = count_statements(env, world, STATE.cookies)
    lines = log.read_text(errors="replace").splitlines()
    figures = {
        "db": args.db,
        "counts": counts,
        "workers": workers,
        "stats": {kind: percentiles(STATE.times_ms.get(kind, [])) for kind in people.KINDS},
        "errors_by_kind": {
            kind: sum(n for name, n in STATE.errors.items() if name.startswith(kind + " "))
            for kind in people.KINDS
        },
        "statements": statements,
        "requests": sum(len(v) for v in STATE.times_ms.values()),
        "span": max(STATE.last_at - STATE.first_at, 1e-9),
        "cpu": cpu,
        "wall": wall,
        "locust_cpu": locust_cpu,
        "load": (load_before, load_after),
        "reconciliation": recon,
        "interrupted": interrupted,
        "queued": clear_queue(queue_url),
        "tracebacks": sum(line.startswith("Traceback") for line in lines),
    }
    reasons = report(args, figures)
    if reasons and figures["tracebacks"]:
        print("\n".join(lines[-60:]))
    if args.json:
        print(json.dumps({**figures, "errors": dict(STATE.errors), "reasons": reasons}))
    if args.keep or reasons:
        print(f"logs in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
