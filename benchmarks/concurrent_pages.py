"""Pages and sign-ins under load while a cold job worker loads MiniLM and screens a disclosure.

Usage: python benchmarks/concurrent_pages.py [--users 50] [--before 10] [--after 15]
       [--timeout 400] [--sign-in-every 10] [--app-root PATH] [--keep]

The embedded default, as `make run` starts it: a temp SQLite database (WAL) and SQLite job
queue, `gunicorn -w 2 --threads 4` on a free loopback port, the demo partnership and users
(no responses), an open child-voice (11+) cycle and an SMTP catcher on loopback. `--users`
threads (requests, one cookie jar each) keep loading pages: each signs in as the quality
group, the safeguarding lead or the admin every `--sign-in-every` rounds, and each round
opens its role's page and the child-voice link. After `--before` seconds a job worker starts
cold (`flask --app webapp worker`, production settings: MiniLM theming embedder and semantic
screen) while one respondent submits a child-voice answer that the rules miss and the
semantic screen flags. The load carries on until the flag is in the database, then for
`--after` seconds more. `--app-root` builds the database and runs the server and worker from
another checkout (a before/after comparison). The load threads share the machine's cores with
gunicorn and the worker, so on a small machine the worker loads MiniLM more slowly than idle.

Prints requests, errors (by status or exception), p50/p95/p99 per kind, and how long until the
worker had screened the response (from the worker's start and from the submission). Exits 1
on any error or if the response was not screened within `--timeout` seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo import people  # noqa: E402
from demo.answers import formdata_for, generate_answers  # noqa: E402
from surveys.loader import load_definitions  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FORM_KEY = "child-voice-11-plus"
# Indirect: the rules pass it, the semantic screen flags it (tests/integration/webapp).
DISCLOSURE = "when the front door goes i run upstairs and put my headphones in and hope"
BENIGN = "I like the after school club and my teacher listens to me"
ROLES = {
    "quality@example.org": "/quality",
    "dsl@example.org": "/safeguarding",
    "admin@example.org": "/admin/cycles",
}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMISSION_RE = re.compile(r'name="submission_id"[^>]*value="([^"]+)"')
# A new connection per request: with keep-alive, a request sent on a connection gunicorn has
# just closed as idle fails with "connection reset", which a browser would silently resend.
NO_KEEP_ALIVE = {"Connection": "close"}


@dataclass
class Stats:
    """What every thread saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    error_times: list[float] = field(default_factory=list)
    exceptions: dict[str, str] = field(default_factory=dict)  # one example of each
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, kind: str, started: float, outcome: str | None) -> None:
        with self.lock:
            self.times_ms[kind].append(1000 * (time.monotonic() - started))
            if outcome:
                self.errors[f"{kind} {outcome}"] += 1
                self.error_times.append(time.monotonic())


STATS = Stats()


def send(
    client: requests.Session, kind: str, method: str, url: str, *, expect: int, **kwargs: Any
) -> requests.Response | None:
    """Send one request and record its time; an unexpected status or exception is an error."""
    started = time.monotonic()
    try:
        response = client.request(
            method, url, allow_redirects=False, timeout=60, headers=NO_KEEP_ALIVE, **kwargs
        )
    except requests.RequestException as error:
        STATS.record(kind, started, type(error).__name__)
        with STATS.lock:
            STATS.exceptions.setdefault(type(error).__name__, str(error)[:300])
        return None
    STATS.record(
        kind, started, None if response.status_code == expect else str(response.status_code)
    )
    return response if response.status_code == expect else None


def csrf(html: str) -> str:
    found = CSRF_RE.search(html)
    return found.group(1) if found else ""


def sign_in(client: requests.Session, host: str, email: str) -> bool:
    client.cookies.clear()
    page = send(client, "GET /sign-in", "GET", f"{host}/sign-in", expect=200)
    if page is None:
        return False
    data = {"csrf_token": csrf(page.text), "email": email, "password": people.DEMO_PASSWORD}
    return (
        send(client, "POST /sign-in", "POST", f"{host}/sign-in", expect=302, data=data) is not None
    )


def visitor(host: str, link: str, number: int, sign_in_every: int) -> None:
    """Sign in now and then; each round open the role's page and the child-voice link."""
    rng = random.Random(number)
    client, anonymous = requests.Session(), requests.Session()
    email, signed_in, round_ = rng.choice(list(ROLES)), False, 0
    while not STATS.stop.is_set():
        if not signed_in or round_ % sign_in_every == 0:
            email = rng.choice(list(ROLES))
            signed_in = sign_in(client, host, email)
        round_ += 1
        if signed_in:
            send(client, "GET role page", "GET", f"{host}{ROLES[email]}", expect=200)
            send(client, "GET /", "GET", f"{host}/", expect=200)
        send(anonymous, "GET /f/[token]", "GET", f"{host}/f/{link}", expect=200)


def retried(client: requests.Session, method: str, url: str, *, expect: int, **kwargs: Any) -> Any:
    """Send a respondent's request, pressing again (up to 5 times) as a person would."""
    for _ in range(5):
        kind = f"respondent {method}"
        response = send(client, kind, method, url, expect=expect, **kwargs)
        if response is not None:
            return response
        time.sleep(1)
    raise RuntimeError(f"the respondent gave up: {method} {url.split('/f/')[0]}/f/...")


def respond(host: str, link: str, definition: Any) -> str | None:
    """Answer the child-voice form with one indirect disclosure; return its submission id.

    (A child's thank-you page shows no reference code, so the id the form carried is used.)
    """
    answers = generate_answers(definition, rng=random.Random(7))
    screened = [
        q.id
        for page in definition.pages
        for q in page.questions
        if q.analysis and q.analysis.screen_for_disclosure and q.id in answers
    ]
    for number, question_id in enumerate(screened):
        answers[question_id] = DISCLOSURE if number == 0 else BENIGN
    client = requests.Session()
    start = retried(client, "GET", f"{host}/f/{link}", expect=200)
    submission_id = SUBMISSION_RE.search(start.text).group(1)  # type: ignore[union-attr]
    data: Any = {"csrf_token": csrf(start.text), "submission_id": submission_id}
    location = retried(client, "POST", f"{host}/f/{link}", expect=302, data=data).headers[
        "Location"
    ]
    while not location.endswith("/check"):
        page = retried(client, "GET", f"{host}{location}", expect=200)
        fields = formdata_for(definition.page(location.rsplit("/", 1)[-1]), answers)
        data = [("csrf_token", csrf(page.text)), *fields]
        moved = retried(client, "POST", f"{host}{location}", expect=302, data=data)
        location = moved.headers["Location"]
    check = retried(client, "GET", f"{host}{location}", expect=200)
    data = {"csrf_token": csrf(check.text), "submission_id": submission_id}
    done = retried(client, "POST", f"{host}{location}", expect=302, data=data)
    retried(client, "GET", f"{host}{done.headers['Location']}", expect=200)
    return str(submission_id)


def flag_count(database: Path, reference: str) -> int:
    """Count the response's disclosure flags, read-only and without waiting for any lock."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        row = connection.execute(
            "SELECT count(f.id) FROM disclosure_flags f JOIN responses r ON r.id = f.response_id"
            " WHERE r.submission_id = ?",
            (reference,),
        ).fetchone()
        return int(row[0])
    finally:
        connection.close()


SEED = """
import sys
from datetime import timedelta
from demo import people
from surveys import cycles, migration
from surveys.database import make_engine, make_session_factory
from surveys.loader import load_definitions
from surveys.models import utcnow

migration.upgrade(sys.argv[1])
engine = make_engine(sys.argv[1])
with make_session_factory(engine)() as session:
    people.seed(session)
    now = utcnow()
    cycle = cycles.publish_cycle(
        session,
        load_definitions().latest(sys.argv[2]),
        cycles.NewCycle("Children's voice", now - timedelta(days=1), now + timedelta(days=7)),
        created_by=None,
    )
    print(cycle.links[0].token)
"""


# `flask --app webapp worker --workers 2`, with timestamped log lines (huey's included).
WORKER = """
import logging, sys
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
from flask.cli import main
sys.argv = ["flask", "--app", "webapp", "worker", "--workers", "2"]
main()
"""


def seed(url: str, app_root: Path) -> str:
    """Migrate, load the demo partnership and users, open a child-voice cycle; return its link.

    Runs with the server's checkout, so its own migrations and models build the database.
    """
    done = subprocess.run(
        [sys.executable, "-c", SEED, url, FORM_KEY],
        cwd=app_root,
        env={**os.environ, "PYTHONPATH": str(app_root)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_env(folder: Path, smtp_port: int) -> dict[str, str]:
    """Production settings on plain HTTP (cookies not Secure), SQLite database and queue."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "LEARNING_LOOP_ENV": "production",
        "LEARNING_LOOP_SECRET_KEY": secrets.token_urlsafe(36),
        "LEARNING_LOOP_DATABASE_URL": f"sqlite:///{folder / 'app.db'}",
        "LEARNING_LOOP_QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
        "LEARNING_LOOP_DATA_FOLDER": str(folder / "data"),
        "LEARNING_LOOP_SESSION_COOKIE_SECURE": "false",
        "LEARNING_LOOP_SESSION_COOKIE_NAME": "session",
        "LEARNING_LOOP_MAIL_PORT": str(smtp_port),
        "PYTHONUNBUFFERED": "1",
    }


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


def smtp_catcher(port: int) -> tuple[Any, list[float]]:
    """Start an SMTP server on loopback that notes when each message arrived."""
    from aiosmtpd.controller import Controller

    arrived: list[float] = []

    class Handler:
        async def handle_DATA(self, *_args: object) -> str:
            arrived.append(time.monotonic())
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, arrived


def percentiles(values: list[float]) -> str:
    if not values:
        return "n=0"
    p50, p95, p99 = np.percentile(np.array(values), [50, 95, 99])
    return f"n={len(values):>6}  p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  p99 {p99:7.0f} ms"


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--before", type=float, default=10, help="seconds of load first")
    parser.add_argument("--after", type=float, default=15, help="seconds of load after")
    parser.add_argument("--timeout", type=float, default=400)
    parser.add_argument("--sign-in-every", type=int, default=10)
    parser.add_argument("--app-root", type=Path, default=ROOT)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="concurrent-pages-"))
    smtp_port, port = free_port(), free_port()
    host = f"http://127.0.0.1:{port}"
    url = f"sqlite:///{folder / 'app.db'}"
    link = seed(url, args.app_root)
    definition = load_definitions().latest(FORM_KEY)
    env = app_env(folder, smtp_port)
    smtp, arrived = smtp_catcher(smtp_port)
    bin_dir = Path(sys.executable).parent
    gunicorn = [str(bin_dir / "gunicorn"), "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}"]
    gunicorn += ["--chdir", str(args.app_root), "webapp:create_app()"]
    server = subprocess.Popen(
        gunicorn, env=env, stdout=(folder / "gunicorn.log").open("wb"), stderr=subprocess.STDOUT
    )
    worker: subprocess.Popen[bytes] | None = None
    threads: list[threading.Thread] = []
    try:
        wait_until_up(host, server)
        threads = [
            threading.Thread(target=visitor, args=(host, link, n, args.sign_in_every), daemon=True)
            for n in range(args.users)
        ]
        load_started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        worker_started = time.monotonic()
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=args.app_root,
            env=env,
            stdout=(folder / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        try:
            reference = respond(host, link, definition)
        except RuntimeError as error:
            print(error)
            reference = None
        submitted = time.monotonic()
        screened_at: float | None = None
        flagged_by_rules = reference is not None and flag_count(folder / "app.db", reference) > 0
        while reference and not flagged_by_rules and time.monotonic() - submitted < args.timeout:
            if flag_count(folder / "app.db", reference):
                screened_at = time.monotonic()
                break
            if worker.poll() is not None:
                break
            time.sleep(0.2)
        time.sleep(args.after)
    finally:
        STATS.stop.set()
        for thread in threads:
            thread.join(timeout=90)
        load_ended = time.monotonic()
        if worker is not None:
            stop(worker)
        stop(server)
        smtp.stop()

    wall = load_ended - load_started
    total = sum(len(v) for v in STATS.times_ms.values())
    errors = sum(STATS.errors.values())
    everything = [t for values in STATS.times_ms.values() for t in values]
    print(f"\n{args.users} users for {wall:.0f} s against {args.app_root} (SQLite + SQLite queue)")
    print(f"requests {total} ({total / wall:.0f}/s), errors {errors}")
    for what, n in sorted(STATS.errors.items()):
        print(f"  error {what}: {n}")
    for name, example in STATS.exceptions.items():
        print(f"  e.g. {name}: {example}")
    if STATS.error_times:
        first, last = (t - worker_started for t in (min(STATS.error_times), max(STATS.error_times)))
        print(f"  errors between {first:.1f} s and {last:.1f} s after the worker started")
    print(f"{'all':<18}{percentiles(everything)}")
    for kind in sorted(STATS.times_ms):
        print(f"{kind:<18}{percentiles(STATS.times_ms[kind])}")
    if flagged_by_rules:
        print("the rules flagged the response at submission: nothing left for the worker to show")
    elif screened_at is None:
        print(f"the worker did not flag the response within {args.timeout:.0f} s")
        if worker is not None and worker.returncode not in (None, -15):
            print(f"the worker exited early with code {worker.returncode}")
    else:
        print(
            f"screened by the worker {screened_at - worker_started:.1f} s after it started "
            f"({screened_at - submitted:.1f} s after the submission)"
        )
    worker_log = (folder / "worker.log").read_text(errors="replace")
    for line in re.findall(r"Worker: .* ready after [0-9.]+ s", worker_log):
        print(line)
    for line in re.findall(r".*(?:Error|locked|screen_semantic|model ready).*", worker_log)[:12]:
        print(f"worker log: {line[:200]}")
    if arrived:
        print(f"safeguarding email {arrived[0] - worker_started:.1f} s after the worker started")
    tracebacks = (folder / "gunicorn.log").read_text(errors="replace").count("Traceback")
    print(f"gunicorn log: {tracebacks} tracebacks")
    if args.keep:
        print(f"kept {folder} (gunicorn.log, worker.log, app.db)")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if errors or screened_at is None else 0


if __name__ == "__main__":
    sys.exit(main())
