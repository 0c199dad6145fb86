"""Time a theming run over the demo answers: cold (fresh process, empty cache), then cached.

    .venv/bin/python benchmarks/theming_demo.py [--embedder minilm|tfidf]

Prints the seconds for each run, the number of statements and themes, and peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "tfidf"])
    args = parser.parse_args()

    from demo import people
    from demo.collection import seed_collection
    from learning import runs, selection
    from learning.theming_job import build_pipeline
    from surveys import migration, tenancy
    from surveys.database import make_engine, make_session_factory
    from surveys.loader import load_definitions

    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    migration.upgrade(url)
    sessions = make_session_factory(make_engine(url))
    registry = load_definitions()
    with sessions() as session:
        people.seed(session)  # the session works in the demo partnership from here on
        seed_collection(session, registry)
        sessions = tenancy.sessions_like(session)  # runs and the embeddings cache are its own
    for label in ("cold (empty embedding cache, fresh process)", "cached embeddings"):
        with sessions() as session:
            run = runs.start_run(session, selection.Selection(), started_by=None)
            started = time.perf_counter()
            runs.execute_run(
                session,
                run.id,
                pipeline=build_pipeline(sessions, embedder=args.embedder),
                registry=registry,
            )
            seconds = time.perf_counter() - started
            done = runs.get_run(session, run.id)
            print(
                f"{label}: {seconds:.1f} s, {done.coverage.get('statements')} statements, "
                f"{len(runs.visible_themes(session, run.id))} themes, status {done.status.value}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
