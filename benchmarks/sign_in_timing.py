"""Measure how long a failed sign-in takes for a real, an unknown and a deactivated account.

Usage: python benchmarks/sign_in_timing.py [--rounds 15]

Prints the median and spread of each kind through the whole app (Flask test client on a
temporary SQLite file). The three should match: a gap tells an attacker which emails have
accounts. Each attempt comes from its own address so throttling does not interfere.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import factories  # noqa: E402
from tests.conftest import csrf_from, inspect_session, make_app  # noqa: E402

KINDS = {
    "real account, wrong password": ("real@agency.org", "a wrong password"),
    "unknown email": ("nobody@agency.org", "a wrong password"),
    "deactivated account, right password": ("gone@agency.org", factories.PASSWORD),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    app = make_app()
    with inspect_session(app) as session:
        factories.bind(session)
        factories.UserFactory(email="real@agency.org")
        factories.UserFactory(email="gone@agency.org", is_active=False)
    client = app.test_client()
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for round_number in range(args.rounds):
        for index, (kind, (email, password)) in enumerate(KINDS.items()):
            environ = {"REMOTE_ADDR": f"10.{index}.{round_number // 250}.{round_number % 250}"}
            token = csrf_from(client.get("/sign-in", environ_base=environ).text)
            started = time.perf_counter()
            response = client.post(
                "/sign-in",
                data={"email": email, "password": password, "csrf_token": token},
                environ_base=environ,
            )
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 400, response.status_code
    for kind, values in timings.items():
        spread = statistics.quantiles(values, n=10)
        print(
            f"{kind:<38} median {statistics.median(values):6.1f} ms"
            f"  (p10 {spread[0]:6.1f}, p90 {spread[-1]:6.1f}, n={len(values)})"
        )


if __name__ == "__main__":
    main()
