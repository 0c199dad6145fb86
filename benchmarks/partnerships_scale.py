"""Many partnerships on PostgreSQL: the busiest pages under concurrent users, RLS on.

Usage: python benchmarks/partnerships_scale.py [--partnerships 150] [--organisations 60]
       [--cycles 3] [--runs 2] [--statements 2000] [--users 200] [--seconds 60] [--ramp 10]
       [--think 5 15] [--workers N] [--threads 4] [--probe-every 10] [--target-ms 300]
       [--seed 7] [--keep] [--json]

Builds a fresh PostgreSQL schema in postgres@127.0.0.1/test (dropped afterwards unless --keep),
migrates it with `surveys.migration.upgrade` and loads, with COPY as the superuser, what
benchmarks/partnerships_world.py describes: by default 150 partnerships × 60 organisations
(police forces and NHS trusts serving four neighbouring partnerships) × 3 Section 11 cycles,
27,000 returns with full answers, and two finished theming runs per partnership. Then ANALYZE.

The app runs as the ordinary role `learning_loop_app`, so row-level security is on: gunicorn
(`--workers`, default 2 × cores as the README advises, `--threads 4`) with production settings
on PostgreSQL and a Redis queue (db 12, never flushed; these pages queue nothing), except the
session cookie is a plain, non-Secure `session` because the run is plain HTTP. Each simulated
person is signed in by creating server-side sessions (`surveys.accounts.start_session`) and
signing the cookie with the server's secret key, not through the throttled sign-in form.

`--users` threads (requests, one cookie jar per role), spread across the partnerships, start
over `--ramp` seconds and then, for `--seconds`, loop over the busiest pages with `--think`
seconds between requests (5–15 s, a person reading, as quality.md's design load; `--think 0 0`
measures capacity): the returns table `/admin/cycles/<id>` and the organisation × standard view
`/findings/cycles/<id>` as the partnership's admin, and the theme list
`/quality/runs/<id>` as its quality-group member. One request in `--probe-every` (at random)
asks for another partnership's cycle or run instead: anything but 404 is an isolation error.
Only requests that start after the ramp are counted.

Before the load, one request of each page runs in-process with the same settings and counts
its SQL statements (an N+1 shows). Prints per page: requests, p50/p95/p99, errors; throughput;
CPU of gunicorn, of its PostgreSQL backends and of this client; and the load average. `--json`
adds the figures as one JSON line at the end. Exits 1 on any error, failed isolation probe or
page whose p95 is over `--target-ms`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import psycopg
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import create_engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.partnerships_world import (  # noqa: E402
    PartnershipIds,
    Shape,
    load_world,
    read_world,
)
from surveys import accounts, migration, tenancy  # noqa: E402
from surveys.database import make_engine, make_session_factory  # noqa: E402
from surveys.loader import load_definitions  # noqa: E402
from surveys.models import User  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
APP_ROLE = "learning_loop_app"
REDIS_QUEUE_URL = "redis://127.0.0.1:6379/12"
KINDS = ("returns table", "ratings view", "theme list")
NO_KEEP_ALIVE = {"Connection": "close"}  # see benchmarks/concurrent_pages.py


@dataclass
class Stats:
    """What every thread saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[tuple[str, bool, str]] = field(default_factory=Counter)  # kind, probe, what
    examples: dict[str, str] = field(default_factory=dict)
    probes: int = 0
    counting: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, kind: str, millis: float, error: str | None, probe: bool) -> None:
        with self.lock:
            self.probes += probe
            if not probe:
                self.times_ms[kind].append(millis)
            if error:
                self.errors[(kind, probe, error)] += 1

    def error_count(self, *, kind: str | None = None, probe: bool) -> int:
        return sum(n for (k, p, _), n in self.errors.items() if p == probe and kind in (None, k))


STATS = Stats()


@dataclass
class Visitor:
    """One simulated person's partnership and signed-in cookie jars."""

    home: PartnershipIds
    admin: requests.Session
    quality: requests.Session


@contextmanager
def fresh_schema(*, keep: bool) -> Iterator[str]:
    """Yield a new schema's name, migrated, with the app role granted; drop it afterwards."""
    schema = f"scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        exists = connection.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        )
        if not exists:
            connection.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
    try:
        migration.upgrade(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        with admin.begin() as connection:
            connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {APP_ROLE}'))
            for what in ("TABLES", "SEQUENCES"):
                connection.execute(
                    text(f'GRANT ALL ON ALL {what} IN SCHEMA "{schema}" TO {APP_ROLE}')
                )
        yield schema
    finally:
        if not keep:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def app_url(schema: str) -> str:
    """The app's URL: the ordinary role (row-level security on), named for pg_stat_activity."""
    user = POSTGRES_URL.replace("://postgres@", f"://{APP_ROLE}@", 1)
    return f"{user}?application_name={schema}&options=-csearch_path%3D{schema}"


def load(schema: str, shape: Shape) -> tuple[list[PartnershipIds], dict[str, int], float]:
    """Load the partnerships with COPY as the superuser, then ANALYZE; return ids, rows, seconds."""
    definition = load_definitions().latest("section-11")
    started = time.monotonic()
    with psycopg.connect(superuser_conninfo(schema)) as connection:
        world, counts = load_world(connection, shape, definition)
        connection.autocommit = True
        connection.execute("ANALYZE")
    return world, counts, time.monotonic() - started


def superuser_conninfo(schema: str) -> str:
    return f"host=127.0.0.1 port=5432 dbname=test user=postgres options=-csearch_path={schema}"


@contextmanager
def world_to_serve(
    args: argparse.Namespace,
) -> Iterator[tuple[str, list[PartnershipIds], dict[str, int], float]]:
    """Yield a schema, its partnerships' ids, rows per table and load seconds (0 if reused)."""
    if args.schema:
        with psycopg.connect(superuser_conninfo(args.schema)) as connection:
            world, counts = read_world(connection)
        print(f"schema {args.schema} (kept by an earlier run): {counts}")
        yield args.schema, world, counts, 0.0
        return
    shape = Shape(
        args.partnerships, args.organisations, args.cycles, args.runs, args.statements, args.seed
    )
    with fresh_schema(keep=args.keep) as schema:
        world, counts, seconds = load(schema, shape)
        print(f"schema {schema}: loaded {sum(counts.values())} rows in {seconds:.1f} s: {counts}")
        yield schema, world, counts, seconds


def sign_in_everyone(
    url: str, world: list[PartnershipIds], users: int, secret_key: str
) -> list[Visitor]:
    """Start a server-side session per visitor and role; return their cookie jars."""
    app = Flask(__name__)
    app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    engine = make_engine(url)
    visitors = []
    with make_session_factory(engine)() as session:
        for number in range(users):
            home = world[number % len(world)]
            tenancy.work_in(session, home.id)
            jars = []
            for user_id in (home.admin_id, home.quality_id):
                token = accounts.start_session(session, session.get(User, user_id))  # type: ignore[arg-type]
                jar = requests.Session()
                jar.cookies.set("session", serializer.dumps({"token": token, "_permanent": True}))
                jars.append(jar)
            visitors.append(Visitor(home, *jars))
    engine.dispose()
    return visitors


def page(kind: str, partnership: PartnershipIds, rng: random.Random) -> str:
    if kind == "theme list":
        return f"/quality/runs/{rng.choice(partnership.run_ids)}"
    cycle_id = rng.choice(partnership.cycle_ids)
    return f"/findings/cycles/{cycle_id}" if kind == "ratings view" else f"/admin/cycles/{cycle_id}"


def send(jar: requests.Session, url: str, expect: int) -> tuple[float, str | None]:
    started = time.monotonic()
    try:
        response = jar.get(url, allow_redirects=False, timeout=120, headers=NO_KEEP_ALIVE)
    except requests.RequestException as error:
        with STATS.lock:
            STATS.examples.setdefault(type(error).__name__, str(error)[:300])
        return 1000 * (time.monotonic() - started), type(error).__name__
    millis = 1000 * (time.monotonic() - started)
    return millis, None if response.status_code == expect else str(response.status_code)


def visit(
    visitor: Visitor, world: list[PartnershipIds], args: argparse.Namespace, number: int
) -> None:
    """Wait for this visitor's turn in the ramp, then load pages until told to stop."""
    rng = random.Random(args.seed * 1_000_003 + number)
    time.sleep(args.ramp * number / max(args.users, 1))
    host, count = args.host, rng.randrange(len(KINDS))
    while not STATS.stop.is_set():
        kind = KINDS[count % len(KINDS)]
        count += 1
        probe = args.probe_every > 0 and rng.randrange(args.probe_every) == 0
        owner = visitor.home
        if probe and len(world) > 1:
            owner = rng.choice([p for p in world if p.id != visitor.home.id])
        jar = visitor.quality if kind == "theme list" else visitor.admin
        counted = STATS.counting.is_set()  # it starts within the counted seconds
        millis, error = send(jar, f"{host}{page(kind, owner, rng)}", 404 if probe else 200)
        if counted:
            STATS.record(kind, millis, error, probe)
        STATS.stop.wait(rng.uniform(*args.think))


def count_queries(url: str, secret_key: str, world: list[PartnershipIds]) -> dict[str, int]:
    """Open each page once in-process (same settings and role) and count its SQL statements."""
    os.environ.update(server_env(url, secret_key))  # create_app reads LEARNING_LOOP_*
    from webapp import create_app
    from webapp.database import get_engine

    app = create_app()
    statements: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(get_engine(app), "before_cursor_execute", note)
    visitor = sign_in_everyone(url, world[:1], 1, secret_key)[0]
    counts = {}
    client = app.test_client()
    for kind in KINDS:
        jar = visitor.quality if kind == "theme list" else visitor.admin
        client.set_cookie("session", jar.cookies["session"])
        statements.clear()
        response = client.get(page(kind, world[0], random.Random(0)))
        if response.status_code != 200:
            raise RuntimeError(f"{kind} answered {response.status_code} in-process")
        counts[kind] = len(statements)
    get_engine(app).dispose()
    return counts


def server_env(url: str, secret_key: str) -> dict[str, str]:
    return {
        "LEARNING_LOOP_ENV": "production",
        "LEARNING_LOOP_SECRET_KEY": secret_key,
        "LEARNING_LOOP_DATABASE_URL": url,
        "LEARNING_LOOP_QUEUE_URL": REDIS_QUEUE_URL,
        "LEARNING_LOOP_SESSION_COOKIE_SECURE": "false",
        "LEARNING_LOOP_SESSION_COOKIE_NAME": "session",
    }


def start_gunicorn(
    url: str, secret_key: str, port: int, folder: Path, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    env = {**os.environ, **server_env(url, secret_key)}
    env["LEARNING_LOOP_DATA_FOLDER"] = str(folder / "data")
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", str(args.workers)]
    command += ["--threads", str(args.threads), "-b", f"127.0.0.1:{port}"]
    command += ["--chdir", str(ROOT), "webapp:create_app()"]
    log = (folder / "gunicorn.log").open("wb")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(host: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up; see its log (--keep)")
        try:
            if requests.get(f"{host}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 90 s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class CpuMeter:
    """CPU seconds of gunicorn (master and workers) and of the schema's PostgreSQL backends."""

    def __init__(self, server_pid: int, schema: str) -> None:
        self.server = psutil.Process(server_pid)
        self.schema = schema
        self.started = self.read()

    def backends(self) -> list[psutil.Process]:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres") as connection:
            pids = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.schema,)
            ).fetchall()
        return [psutil.Process(pid) for (pid,) in pids if psutil.pid_exists(pid)]

    def read(self) -> dict[tuple[str, int], float]:
        found = {}
        for where, processes in (
            ("gunicorn", [self.server, *self.server.children(recursive=True)]),
            ("postgres", self.backends()),
        ):
            for process in processes:
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                found[(where, process.pid)] = times.user + times.system
        return found

    def used(self) -> dict[str, float]:
        now, spent = self.read(), {"gunicorn": 0.0, "postgres": 0.0}
        for key, seconds in now.items():
            spent[key[0]] += seconds - self.started.get(key, 0.0)
        return spent


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0}
    p50, p95, p99 = np.percentile(np.array(values), [50, 95, 99])
    return {"n": len(values), "p50": round(p50, 1), "p95": round(p95, 1), "p99": round(p99, 1)}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_load(
    args: argparse.Namespace,
    visitors: list[Visitor],
    world: list[PartnershipIds],
    meter: Callable[[], CpuMeter],
) -> tuple[float, dict[str, float]]:
    """Run the visitors: the ramp, then --seconds counted; return those seconds and the CPU
    seconds used in them (gunicorn, its PostgreSQL backends, this client)."""
    threads = [
        threading.Thread(target=visit, args=(v, world, args, n), daemon=True)
        for n, v in enumerate(visitors)
    ]
    for thread in threads:
        thread.start()
    time.sleep(args.ramp)
    cpu, own = meter(), time.process_time()
    STATS.counting.set()
    counted_from = time.monotonic()
    time.sleep(args.seconds)
    STATS.counting.clear()
    counted = time.monotonic() - counted_from
    used = {**cpu.used(), "client": time.process_time() - own}
    STATS.stop.set()
    for thread in threads:
        thread.join(timeout=150)
    return counted, used


def report(args: argparse.Namespace, figures: dict[str, Any]) -> list[str]:
    """Print the figures; return the reasons the run fails (none when it passes)."""
    pages, rows = figures["pages"], figures["rows"]
    print(
        f"\n{figures['partnerships']} partnerships, {rows['organisations']} organisations, "
        f"{rows['responses']} responses, {rows['theme_statements']} theme statements"
        + (f"; loaded in {figures['load_seconds']:.0f} s" if figures["load_seconds"] else "")
    )
    print(
        f"{args.users} users over {args.ramp:.0f} s, then {figures['seconds']:.0f} s counted; "
        f"think {args.think[0]:g}–{args.think[1]:g} s; gunicorn -w {args.workers} "
        f"--threads {args.threads}; app role {APP_ROLE} (row-level security on)"
    )
    print(f"SQL statements per page (in-process): {figures['statements_per_page']}")
    for kind in KINDS:
        s = pages[kind]
        print(
            f"{kind:14} n={s['n']:>6}  p50 {s['p50']:6.0f} ms  p95 {s['p95']:6.0f} ms  "
            f"p99 {s['p99']:6.0f} ms  errors {s['errors']}"
        )
    cpu, seconds = figures["cpu_seconds"], figures["seconds"]
    print(
        f"throughput {figures['requests_per_second']:.1f} req/s (probes included); "
        f"isolation probes {figures['probes']} (non-404: {figures['probe_errors']})"
    )
    print(
        "CPU over the counted seconds (one core = 100%): "
        + ", ".join(f"{k} {100 * v / seconds:.0f}%" for k, v in cpu.items())
        + f"; load average before {figures['load_before']}, after {figures['load_after']}"
    )
    per = figures["cpu_ms_per_request"]
    print(
        f"CPU per request: gunicorn {per['gunicorn']:.0f} ms + PostgreSQL {per['postgres']:.0f} ms"
        f"; {figures['cores']} cores given to nothing else would serve at most "
        f"{figures['capacity_rps']:.0f} req/s"
    )
    errors = [
        f"{'isolation probe of ' if probe else ''}{kind}: {what} × {n}"
        for (kind, probe, what), n in sorted(STATS.errors.items())
    ]
    for line in errors:
        print(f"  error {line}")
    for name, example in STATS.examples.items():
        print(f"  e.g. {name}: {example}")
    reasons = list(errors)
    reasons += [
        f"{kind} p95 {pages[kind]['p95']:.0f} ms > {args.target_ms:.0f} ms"
        for kind in KINDS
        if pages[kind]["p95"] > args.target_ms
    ]
    reasons += [f"{kind}: no requests counted" for kind in KINDS if not pages[kind]["n"]]
    print("RESULT: " + ("PASS" if not reasons else "FAIL: " + "; ".join(reasons)))
    return reasons


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnerships", type=int, default=150)
    parser.add_argument("--organisations", type=int, default=60, help="per partnership")
    parser.add_argument("--cycles", type=int, default=3, help="Section 11 cycles a partnership")
    parser.add_argument("--runs", type=int, default=2, help="finished theming runs a partnership")
    parser.add_argument("--statements", type=int, default=2000, help="theme statements a run")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60, help="counted, after the ramp")
    parser.add_argument("--ramp", type=float, default=10, help="seconds to start every user")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--probe-every", type=int, default=10, help="1 request in N, at random; 0: no probes"
    )
    parser.add_argument("--target-ms", type=float, default=300, help="each page's p95 target")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the schema and gunicorn.log")
    parser.add_argument("--schema", help="serve a schema kept by an earlier --keep run (no load)")
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    return parser.parse_args()


def serve_and_load(
    args: argparse.Namespace, schema: str, world: list[PartnershipIds], folder: Path
) -> dict[str, Any]:
    """Start gunicorn as the app role, sign everyone in, run the load; return the figures."""
    secret_key = secrets.token_urlsafe(36)
    url = app_url(schema)
    statements = count_queries(url, secret_key, world)
    visitors = sign_in_everyone(url, world, args.users, secret_key)
    port = free_port()
    args.host = f"http://127.0.0.1:{port}"
    server = start_gunicorn(url, secret_key, port, folder, args)
    try:
        wait_until_up(args.host, server)
        for visitor in visitors[: args.workers * args.threads]:  # warm every worker
            for kind in KINDS:
                jar = visitor.quality if kind == "theme list" else visitor.admin
                send(jar, f"{args.host}{page(kind, visitor.home, random.Random(1))}", 200)
        load_before = load_average()
        seconds, cpu = run_load(args, visitors, world, lambda: CpuMeter(server.pid, schema))
        load_after = load_average()
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = sum(len(v) for v in STATS.times_ms.values()) + STATS.probes
    per_request = {k: round(1000 * cpu[k] / max(total, 1), 1) for k in ("gunicorn", "postgres")}
    cores = os.cpu_count() or 1
    return {
        "users": args.users,
        "think": list(args.think),
        "workers": args.workers,
        "threads": args.threads,
        "seconds": round(seconds, 1),
        "statements_per_page": statements,
        "pages": {
            kind: {
                **percentiles(STATS.times_ms[kind]),
                "errors": STATS.error_count(kind=kind, probe=False),
            }
            for kind in KINDS
        },
        "requests_per_second": round(total / seconds, 1),
        "probes": STATS.probes,
        "probe_errors": STATS.error_count(probe=True),
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "cpu_ms_per_request": per_request,
        "cores": cores,
        "capacity_rps": round(cores * 1000 / max(sum(per_request.values()), 1e-9), 1),
        "load_before": load_before,
        "load_after": load_after,
    }


def main() -> int:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="partnerships-scale-"))
    with world_to_serve(args) as (schema, world, rows, load_seconds):
        figures = {
            "schema": schema,
            "partnerships": len(world),
            "rows": rows,
            "load_seconds": round(load_seconds, 1),
            **serve_and_load(args, schema, world, folder),
        }
    reasons = report(args, figures)
    log = folder / "gunicorn.log"
    lines = log.read_text(errors="replace").splitlines()
    tracebacks = sum(line.startswith("Traceback") for line in lines)
    print(f"gunicorn log: {tracebacks} tracebacks" + (f" ({log})" if args.keep or reasons else ""))
    if args.keep and not args.schema:
        print(f'kept schema {schema}: rerun with --schema {schema}; DROP SCHEMA "{schema}" CASCADE')
    if not (args.keep or reasons):
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps({**figures, "passed": not reasons}))
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
