"""What benchmarks/load_mixed.py checks after the load: the database, and SQL per page.

Public API:
    snapshot(url, world) -> what the database held before the load
    reconcile(url, world, before, state) -> counts (lost, duplicated, ...), all 0 when sound
    warm_up(host, world, cookies, times): open each page kind a few times, uncounted
    count_statements(env, world, cookies) -> SQL statements and CPU ms of each GET kind
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from typing import Any

from sqlalchemy import event, select

from benchmarks.load_mixed_people import RunState
from benchmarks.load_mixed_world import World, evidence_question
from benchmarks.load_submit import free_text_sha
from surveys.database import make_engine
from surveys.models import Response, ResponseChange


def _engine(url: str) -> Any:
    return make_engine(url, immediate=False) if url.startswith("sqlite") else make_engine(url)


def snapshot(url: str, world: World) -> set[str]:
    """Return the submission ids the form cycles held before the load (the demo's answers)."""
    cycle_ids = [cycle_id for _, cycle_id in world.links.values()]
    engine = _engine(url)
    with engine.connect() as connection:
        ids = connection.scalars(
            select(Response.submission_id).where(Response.cycle_id.in_(cycle_ids))
        ).all()
    engine.dispose()
    return set(ids)


def reconcile(url: str, world: World, before: set[str], state: RunState) -> dict[str, int]:
    """Check what people were told against what the database holds."""
    cycle_ids = [cycle_id for _, cycle_id in world.links.values()]
    response_ids = {person.response_id for person in world.organisation_people}
    user_ids = {person.user_id for person in world.organisation_people}
    engine = _engine(url)
    columns = (Response.submission_id, Response.reference, Response.status, Response.answers)
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).where(Response.cycle_id.in_(cycle_ids))).all()
        changes = connection.execute(
            select(
                ResponseChange.response_id, ResponseChange.page_id, ResponseChange.saved_by_id
            ).where(ResponseChange.response_id.in_(response_ids))
        ).all()
        returns = dict(
            connection.execute(
                select(Response.id, Response.answers).where(Response.id.in_(response_ids))
            ).all()
        )
    engine.dispose()
    new = [row for row in rows if row.submission_id not in before]
    by_reference = {row.reference: row for row in new}
    ids = Counter(row.submission_id for row in new)
    lost = mismatched = 0
    for ack in state.acks:
        row = by_reference.get(ack.reference)
        if row is None or row.submission_id != ack.submission_id or row.status != "submitted":
            lost += 1
        elif free_text_sha(state.definitions[ack.form], row.answers) != ack.text_sha:
            mismatched += 1
    references = {(ack.submission_id, ack.reference) for ack in state.acks}
    acked_saves = Counter((s.response_id, s.page_id, s.user_id) for s in state.saves)
    recorded = Counter(tuple(change) for change in changes)
    last_marker = {(s.response_id, s.page_id): s.marker for s in state.saves}
    stale = sum(
        marker not in str(returns[response_id].get(evidence_question(page_id)))
        for (response_id, page_id), marker in last_marker.items()
    )
    return {
        "submissions acknowledged": len({ack.submission_id for ack in state.acks}),
        "replays": sum(ack.replay for ack in state.acks),
        "new rows": len(new),
        "started": len(state.started),
        "lost submissions": lost,
        "duplicated submissions": sum(n - 1 for n in ids.values())
        + len(set(ids) - state.started)
        + len(references)
        - len({ack.submission_id for ack in state.acks}),
        "text mismatches": mismatched,
        "saves acknowledged": len(state.saves),
        "saves recorded": sum(recorded.values()),
        "lost saves": sum(max(n - recorded[key], 0) for key, n in acked_saves.items()) + stale,
        "duplicated saves": sum(max(n - acked_saves[key], 0) for key, n in recorded.items())
        + sum(1 for key in recorded if key[2] not in user_ids),
    }


def pages_to_count(world: World) -> dict[str, tuple[int | None, str]]:
    """Return one (user id or None, path) of each GET page kind the people open directly."""
    person, quality = world.organisation_people[0], world.quality_ids[0]
    token = world.links["training-evaluation"][0]
    cycle, run = world.section_11_cycle, world.run_id
    return {
        "form start GET": (None, f"/f/{token}"),
        "S11 overview GET": (person.user_id, f"/assessments/{cycle}"),
        "S11 page GET": (person.user_id, f"/assessments/{cycle}/{person.pages[0]}"),
        "theme list GET": (quality, f"/quality/runs/{run}"),
        "theme page GET": (quality, f"/quality/themes/{world.theme_ids[0]}"),
        "run report GET": (quality, f"/reports/runs/{run}"),
        "six-monthly report GET": (quality, "/reports/six-monthly"),
    }


def warm_up(host: str, world: World, cookies: dict[int, str], times: int) -> None:
    """Open each page kind `times` times, uncounted: a server that has been running a while
    (each worker has compiled its templates and opened its connections)."""
    import requests

    for user_id, path in pages_to_count(world).values():
        jar = requests.Session()
        if user_id is not None:
            jar.cookies.set("session", cookies[user_id])
        for _ in range(times):
            jar.get(f"{host}{path}", timeout=60, headers={"Connection": "close"})


def count_statements(
    env: dict[str, str], world: World, cookies: dict[int, str]
) -> dict[str, tuple[int, float]]:
    """Open each GET page kind in-process (the server's settings): its SQL statements, and
    the median CPU milliseconds of 5 requests (this process's CPU time: what a request costs
    a core, whatever else the machine is doing)."""
    os.environ.update(env)  # create_app reads LEARNING_LOOP_*
    from webapp import create_app
    from webapp.database import get_engine

    app = create_app()
    statements: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    counts = {}
    event.listen(get_engine(app), "before_cursor_execute", note)
    for kind, (user_id, path) in pages_to_count(world).items():
        client = app.test_client()
        if user_id is not None:
            client.set_cookie("session", cookies[user_id])
        statements.clear()
        answer = client.get(path)
        found = len(statements) if answer.status_code == 200 else -answer.status_code
        cpu = []
        for _ in range(5):
            started = time.process_time()
            client.get(path)
            cpu.append(1000 * (time.process_time() - started))
        counts[kind] = (found, statistics.median(cpu))
    get_engine(app).dispose()
    return counts
