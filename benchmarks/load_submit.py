"""Load-test the anonymous training form with 200 respondents, then reconcile in the database.

Usage: python benchmarks/load_submit.py [--db sqlite|postgres] [--users 200] [--spawn-rate 10]
       [--run-time 3m] [--drain 150] [--think 5 15] [--seed 7] [--keep]

Sets up a fresh database (a temp SQLite file, or a fresh PostgreSQL schema dropped afterwards),
starts gunicorn (-w 2 --threads 4) on a free loopback port as production, except that the
session cookie is a plain, non-Secure `session` because the run is plain HTTP, and runs Locust
in-process with FastHttpUser. Each respondent answers the `training-evaluation` form (think
time per page); 10% replay the final POST, 5% drop it after a forced client timeout and retry.
At --run-time no new journeys start and those under way finish (at most --drain seconds). Then
every acknowledged reference is checked in the database (quality.md section 4). Exits 1 on any
lost or duplicated submission, non-429 error, failed journey or missed percentile target.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
import numpy as np
from locust import FastHttpUser, task
from locust.env import Environment
from locust.exception import StopUser
from locust.log import setup_logging
from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo.answers import formdata_for, generate_answers  # noqa: E402
from surveys import cycles, migration  # noqa: E402
from surveys.database import make_engine, make_session_factory  # noqa: E402
from surveys.definition import FREE_TEXT_TYPES, JSONValue, SurveyDefinition  # noqa: E402
from surveys.loader import load_definitions  # noqa: E402
from surveys.models import Partnership, Response, utcnow  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_QUEUE_URL = "redis://127.0.0.1:6379/14"
FORM_KEY = "training-evaluation"
TARGETS_MS = {"GET p95": 500.0, "POST p95": 1000.0, "GET p99": 2000.0, "POST p99": 2000.0}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMISSION_RE = re.compile(r'name="submission_id"[^>]*value="([^"]+)"')
REFERENCE_RE = re.compile(r"LL-[A-Z0-9]{4}-[A-Z0-9]{4}")
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Ack:
    """One acknowledged submission, as the respondent saw it."""

    submission_id: str
    reference: str
    text_sha: str
    kind: str  # "" (normal), replay-same-session, replay-new-session, timeout-retry


@dataclass
class RunState:
    """What the respondents share with the runner: the link, the form and what they saw."""

    token: str = ""
    definition: SurveyDefinition | None = None
    seed: int = 7
    think: tuple[float, float] = (5.0, 15.0)
    stopping: bool = False
    in_flight: int = 0
    started: set[str] = field(default_factory=set)
    acks: list[Ack] = field(default_factory=list)
    replay_mismatches: int = 0
    timeouts_forced: int = 0
    timeouts_answered: int = 0  # the server answered before the client gave up
    locust_cpu: float = 0.0
    journey_failures: Counter[str] = field(default_factory=Counter)
    times_ms: dict[str, list[float]] = field(default_factory=lambda: {"GET": [], "POST": []})
    errors: Counter[str] = field(default_factory=Counter)
    posts_per_minute: Counter[int] = field(default_factory=Counter)  # the limiter's window
    first_at: float = 0.0
    last_at: float = 0.0


STATE = RunState()


class JourneyError(Exception):
    """A page did not answer as the journey expects (counted, never raised past a journey)."""


def free_text_sha(definition: SurveyDefinition, answers: Mapping[str, JSONValue]) -> str:
    """Hash the non-personal free-text answers (what the themes are built from)."""
    ids = [
        q.id
        for page in definition.pages
        for q in page.questions
        if q.type in FREE_TEXT_TYPES and not q.personal_data
    ]
    texts = {qid: answers[qid] for qid in ids if answers.get(qid) not in (None, "")}
    return hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()


def on_request(request_type: str, response_time: float, exception: Any, **kw: Any) -> None:
    """Collect response times by method and errors by status code."""
    now = time.time()
    STATE.first_at = STATE.first_at or now
    STATE.last_at = now
    STATE.times_ms.setdefault(request_type, []).append(response_time)
    STATE.posts_per_minute[int(now // 60)] += request_type == "POST"
    if exception is not None:
        status = getattr(kw.get("response"), "status_code", 0) or type(exception).__name__
        STATE.errors[str(status)] += 1


class Respondent(FastHttpUser):
    """A trainee told "fill it in now": a new anonymous respondent on every iteration."""

    _count = 0

    def on_start(self) -> None:
        Respondent._count += 1
        self.index = Respondent._count
        self.rng = random.Random(STATE.seed * 100_003 + self.index)
        # Exactly 10% replay the final POST (half keep their cookies) and 5% time out.
        kinds = {0: "replay-same-session", 1: "replay-new-session", 2: "timeout"}
        self.kind = kinds.get(self.index % 20, "")

    @task
    def respond(self) -> None:
        if STATE.stopping:
            raise StopUser()
        STATE.in_flight += 1
        try:
            self.journey()
        except JourneyError as error:
            STATE.journey_failures[str(error)] += 1
        finally:
            STATE.in_flight -= 1

    def wait_time(self) -> float:
        """Pause between respondents as between pages; not at all once the run is stopping."""
        return 0.0 if STATE.stopping else self.rng.uniform(*STATE.think)

    def think(self) -> None:
        gevent.sleep(self.rng.uniform(*STATE.think))

    def get(self, path: str, name: str) -> Any:
        response = self.send("GET", path, name)
        if response.status_code != 200:
            raise JourneyError(f"GET {name} gave {response.status_code}")
        return response

    def post(self, path: str, name: str, data: list[tuple[str, str]]) -> str:
        response = self.send("POST", path, name, data=urlencode(data), headers=FORM_HEADERS)
        if response.status_code != 302:
            raise JourneyError(f"POST {name} gave {response.status_code}")
        return urlsplit(response.headers["Location"]).path

    def send(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        """Send a request; on 429 wait as told (Retry-After) and try again, as a person would."""
        for _ in range(5):
            response = self.client.request(method, path, name=name, allow_redirects=False, **kwargs)
            if response.status_code != 429:
                return response
            gevent.sleep(float(response.headers.get("Retry-After") or 5) + self.rng.random())
        return response

    def journey(self) -> None:
        """Start, answer each page the server sends us to, submit, read the reference."""
        assert STATE.definition is not None
        self.client.cookiejar.clear()
        answers = generate_answers(STATE.definition, rng=self.rng)
        submission_id, location = self.begin()
        while not location.endswith("/check"):
            page_id = location.rsplit("/", 1)[-1]
            html = self.get(location, f"/f/[token]/{page_id}").text
            self.think()
            data = formdata_for(STATE.definition.page(page_id), answers)
            location = self.post(location, f"/f/[token]/{page_id}", [*csrf(html), *data])
        check = self.get(location, "/f/[token]/check").text
        self.think()
        final = [*csrf(check), ("submission_id", submission_id)]
        if self.kind == "timeout":
            self.post_and_drop(location, final)
            gevent.sleep(self.rng.uniform(1, 3))  # the respondent presses the button again
        reference = self.submit(location, final)
        sha = free_text_sha(STATE.definition, answers)
        ack = Ack(submission_id, reference, sha, "timeout-retry" if self.kind == "timeout" else "")
        STATE.acks.append(ack)
        if self.kind.startswith("replay"):
            self.replay(location, final, ack)

    def begin(self) -> tuple[str, str]:
        """Open the link and press Start; return the submission id and the first page."""
        path = f"/f/{STATE.token}"
        html = self.get(path, "/f/[token]").text
        submission_id = match(SUBMISSION_RE, html, "submission_id")
        self.think()
        location = self.post(path, "/f/[token]", [*csrf(html), ("submission_id", submission_id)])
        STATE.started.add(submission_id)
        return submission_id, location

    def submit(self, check_path: str, data: list[tuple[str, str]]) -> str:
        done = self.post(check_path, "/f/[token]/check", data)
        return match(REFERENCE_RE, self.get(done, "/f/[token]/done").text, "reference")

    def replay(self, check_path: str, final: list[tuple[str, str]], first: Ack) -> None:
        """Post the final page again: same cookies, or a new session with a fresh CSRF token."""
        gevent.sleep(self.rng.uniform(0.2, 3))
        if self.kind == "replay-new-session":
            self.client.cookiejar.clear()
            fresh = self.get(f"/f/{STATE.token}", "/f/[token]").text
            final = [*csrf(fresh), ("submission_id", first.submission_id)]
        again = self.submit(check_path, final)
        STATE.replay_mismatches += again != first.reference
        STATE.acks.append(Ack(first.submission_id, again, first.text_sha, self.kind))

    def post_and_drop(self, path: str, data: list[tuple[str, str]]) -> None:
        """Send the final POST and give up after a short client timeout, unread."""
        import urllib.request  # after locust's gevent patching, which ssl must follow

        request = urllib.request.Request(f"{self.host}{path}", method="POST")  # noqa: S310
        self.client.cookiejar.add_cookie_header(request)
        body = urlencode(data).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {urlsplit(self.host).netloc}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {request.get_header('Cookie')}\r\n\r\n"
        )
        address = urlsplit(self.host)
        with socket.create_connection((address.hostname, address.port), timeout=5) as conn:
            conn.sendall(head.encode() + body)
            conn.settimeout(self.rng.uniform(0.001, 0.03))  # below the p50 of a submit
            try:
                STATE.timeouts_answered += bool(conn.recv(1))
            except OSError:  # the timeout we forced (or a reset): either way, no answer read
                pass
        STATE.timeouts_forced += 1


def match(pattern: re.Pattern[str], html: str, what: str) -> str:
    found = pattern.search(html)
    if found is None:
        raise JourneyError(f"no {what} in page")
    return found.group(found.lastindex or 0)


def csrf(html: str) -> list[tuple[str, str]]:
    return [("csrf_token", match(CSRF_RE, html, "csrf_token"))]


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a new, migrated database; drop a PostgreSQL schema afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'load.db'}"
        migration.upgrade(url)
        yield url
        return
    schema = f"load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        migration.upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(url: str, definition: SurveyDefinition) -> tuple[str, int]:
    """Add the partnership row and an open cycle with a link; return (token, cycle id)."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        session.add(Partnership(name="Load test partnership"))
        session.commit()
        now = utcnow()
        new = cycles.NewCycle("Load test course", now - timedelta(days=1), now + timedelta(days=1))
        cycle = cycles.publish_cycle(session, definition, new, created_by=None)
        token, cycle_id = cycle.links[0].token, cycle.id
    engine.dispose()
    return token, cycle_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(*, url: str, queue_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start gunicorn as production, except cookies are plain `session`, not Secure (HTTP)."""
    env = {
        **os.environ,
        "LEARNING_LOOP_ENV": "production",
        "LEARNING_LOOP_SECRET_KEY": secrets.token_urlsafe(36),  # 48 characters
        "LEARNING_LOOP_DATABASE_URL": url,
        "LEARNING_LOOP_QUEUE_URL": queue_url,
        "LEARNING_LOOP_EVIDENCE_FOLDER": str(log.parent / "evidence"),
        "LEARNING_LOOP_SESSION_COOKIE_SECURE": "false",
        "LEARNING_LOOP_SESSION_COOKIE_NAME": "session",
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "--threads", "4"]
    command += ["-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "webapp:create_app()"]
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_until_up(host: str, path: str, server: subprocess.Popen[bytes]) -> None:
    """Wait until a worker serves the form's start page."""
    import http.client  # after locust's gevent patching, which ssl must follow

    address = urlsplit(host)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up; see its log")
        try:
            connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        gevent.sleep(0.5)
    raise RuntimeError("gunicorn did not serve the form within 60 s")


def run_load(host: str, *, users: int, spawn_rate: float, run_time: float, drain: float) -> int:
    """Run the respondents, let journeys under way finish; return how many were cut off."""
    setup_logging("WARNING")
    environment = Environment(user_classes=[Respondent], host=host)
    environment.events.request.add_listener(on_request)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    gevent.sleep(run_time)
    STATE.stopping = True  # no new journeys; those under way finish at the usual pace
    deadline = time.monotonic() + drain
    while STATE.in_flight and time.monotonic() < deadline:
        gevent.sleep(1)
    interrupted = STATE.in_flight
    runner.quit()
    return interrupted


def cpu_seconds(pid: int) -> float:
    """Return user + system CPU seconds of a process and its children (psutil, else /proc)."""
    try:
        import psutil
    except ImportError:
        tick = os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        fields = [
            Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split() for p in [pid, *children]
        ]
        return sum(int(f[11]) + int(f[12]) for f in fields) / tick
    process = psutil.Process(pid)
    times = [p.cpu_times() for p in [process, *process.children(recursive=True)]]
    return sum(t.user + t.system for t in times)


def reconcile(url: str, cycle_id: int, definition: SurveyDefinition) -> dict[str, int]:
    """Check what respondents were told against what the database holds."""
    engine = make_engine(url, immediate=False) if url.startswith("sqlite") else make_engine(url)
    columns = (Response.submission_id, Response.reference, Response.status, Response.answers)
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).where(Response.cycle_id == cycle_id)).all()
    engine.dispose()
    by_reference = {row.reference: row for row in rows}
    ids = Counter(row.submission_id for row in rows)
    acked_ids = {ack.submission_id for ack in STATE.acks}
    lost = mismatched = 0
    for ack in STATE.acks:
        row = by_reference.get(ack.reference)
        if row is None or row.submission_id != ack.submission_id or row.status != "submitted":
            lost += 1
        elif free_text_sha(definition, row.answers) != ack.text_sha:
            mismatched += 1
    references_per_id = Counter(
        a.submission_id for a in {(a.submission_id, a.reference): a for a in STATE.acks}.values()
    )
    submitted = {row.submission_id for row in rows if row.status == "submitted"}
    return {
        "acknowledged": len(STATE.acks),
        "acknowledged ids": len(acked_ids),
        "rows": len(rows),
        "distinct ids": len(ids),
        "started ids": len(STATE.started),
        "submitted": len(submitted),
        "submitted unacknowledged": len(submitted - acked_ids),
        "lost": lost,
        "duplicated": sum(n - 1 for n in ids.values())
        + len(set(ids) - STATE.started)
        + sum(n - 1 for n in references_per_id.values()),
        "text mismatches": mismatched,
    }


def clear_queue(queue_url: str, token: str) -> int:
    """Count the jobs the run left queued (no worker runs), then delete them and its counters."""
    from webapp.queue import make_queue

    huey = make_queue(queue_url)
    pending = int(huey.pending_count())
    if queue_url.startswith("redis://"):  # the SQLite queue goes with the temp folder
        huey.flush()
        import redis

        client = redis.Redis.from_url(queue_url)
        for key in client.scan_iter(match=f"LIMITS:*{token}*"):
            client.delete(key)
    return pending


def latency(method: str) -> dict[str, float]:
    values = np.array(STATE.times_ms.get(method) or [0.0])
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"n": float(len(STATE.times_ms.get(method, []))), "p50": p50, "p95": p95, "p99": p99}


def failures(
    stats: dict[str, dict[str, float]], recon: dict[str, int], interrupted: int
) -> list[str]:
    """Return every reason the run misses its targets (empty when it passes)."""
    reasons = [
        f"{name} {stats[name[:-4]][name[-3:]]:.0f} ms > {limit:.0f} ms"
        for name, limit in TARGETS_MS.items()
        if stats[name[:-4]][name[-3:]] > limit
    ]
    errors = sum(n for status, n in STATE.errors.items() if status != "429")
    reasons += [f"{errors} non-429 errors"] if errors else []
    reasons += [f"{n} journeys failed: {why}" for why, n in STATE.journey_failures.items()]
    reasons += [f"{recon[k]} {k}" for k in ("lost", "duplicated", "text mismatches") if recon[k]]
    reasons += [f"{STATE.replay_mismatches} replays got another reference"] * bool(
        STATE.replay_mismatches
    )
    reasons += [f"{interrupted} journeys cut off at the end"] * bool(interrupted)
    reasons += ["no submission was acknowledged"] * (not recon["acknowledged"])
    if recon["rows"] != recon["started ids"]:
        reasons.append(f"{recon['rows']} rows for {recon['started ids']} started submission ids")
    return reasons


def report(
    *,
    args: argparse.Namespace,
    cpu: float,
    wall: float,
    load: tuple[str, str],
    recon: dict[str, int],
    interrupted: int,
) -> list[str]:
    """Print the figures and return the reasons for failure."""
    stats = {method: latency(method) for method in ("GET", "POST")}
    span = max(STATE.last_at - STATE.first_at, 1e-9)
    total = sum(len(v) for v in STATE.times_ms.values())
    print(
        f"db={args.db} users={args.users} spawn-rate={args.spawn_rate}/s run-time={args.run_time}"
    )
    for method, s in stats.items():
        figures = " ".join(f"{p}={s[p]:.0f} ms" for p in ("p50", "p95", "p99"))
        print(f"{method:4} n={s['n']:.0f} {figures}")
    peak = max(STATE.posts_per_minute.values(), default=0)
    print(f"requests={total} over {span:.0f} s = {total / span:.1f} req/s")
    print(f"peak POSTs in one clock minute: {peak} (one address and link: the rate limit's key)")
    print(
        f"errors by status: {dict(STATE.errors) or 'none'}; journey failures: "
        f"{dict(STATE.journey_failures) or 'none'}"
    )
    print(
        f"gunicorn CPU {cpu:.1f} s over {wall:.0f} s = {100 * cpu / wall:.0f}% of one core "
        f"(2 cores = 200%); locust itself {100 * STATE.locust_cpu / wall:.0f}%; "
        f"load average before {load[0]}, after {load[1]}"
    )
    kinds = Counter(ack.kind or "normal" for ack in STATE.acks)
    print(f"acknowledgements by kind: {dict(kinds)}")
    print(
        f"forced client timeouts: {STATE.timeouts_forced} "
        f"({STATE.timeouts_answered} answered before the client gave up)"
    )
    print(
        "reconciliation: "
        + ", ".join(f"{k}={v}" for k, v in recon.items())
        + f", replay mismatches={STATE.replay_mismatches}, cut off={interrupted}"
    )
    reasons = failures(stats, recon, interrupted)
    print("RESULT: " + ("PASS" if not reasons else "FAIL: " + "; ".join(reasons)))
    return reasons


def parse_duration(value: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(value[:-1]) * units[value[-1]] if value[-1] in units else float(value)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument(
        "--run-time", default="3m", help="e.g. 180s, 3m (journeys under way finish)"
    )
    parser.add_argument("--drain", type=float, default=150, help="max seconds to let them finish")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and its logs")
    return parser.parse_args()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix=f"load-submit-{args.db}-"))
    definition = load_definitions().latest(FORM_KEY)
    STATE.definition, STATE.seed, STATE.think = definition, args.seed, tuple(args.think)
    queue_url = f"sqlite:///{folder / 'queue.db'}" if args.db == "sqlite" else REDIS_QUEUE_URL
    log = folder / "gunicorn.log"
    with fresh_database(args.db, folder) as url:
        STATE.token, cycle_id = seed(url, definition)
        port = free_port()
        server = start_gunicorn(url=url, queue_url=queue_url, port=port, log=log)
        host = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(host, f"/f/{STATE.token}", server)
            before, t0 = load_average(), time.monotonic()
            cpu0, own0 = cpu_seconds(server.pid), time.process_time()
            interrupted = run_load(
                host,
                users=args.users,
                spawn_rate=args.spawn_rate,
                run_time=parse_duration(args.run_time),
                drain=args.drain,
            )
            cpu, wall = cpu_seconds(server.pid) - cpu0, time.monotonic() - t0
            STATE.locust_cpu = time.process_time() - own0
            after = load_average()
        finally:
            server.terminate()
            server.wait(timeout=30)
        recon = reconcile(url, cycle_id, definition)
    queued = clear_queue(queue_url, STATE.token)
    reasons = report(
        args=args, cpu=cpu, wall=wall, load=(before, after), recon=recon, interrupted=interrupted
    )
    print(f"jobs left on the queue (no worker ran): {queued}")
    lines = log.read_text(errors="replace").splitlines()
    tracebacks = sum(line.startswith("Traceback") for line in lines)
    print(f"gunicorn log: {tracebacks} tracebacks" + (f" ({log})" if args.keep or reasons else ""))
    if reasons and tracebacks:
        print("\n".join(lines[-60:]))
    if not (args.keep or reasons):
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
