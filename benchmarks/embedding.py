"""MiniLM texts per second on PyTorch fp32, ONNX fp32 and ONNX int8, side by side in one run.

    python benchmarks/embedding.py [--limit N] [--data-dir /work/shared/data] [--only NAME ...]
        [--rounds 5] [--cold-start] [--json]

Every back-end embeds the same texts (up to N per dataset, an even seed-0 sample) in the same
process. The texts are cut into rounds and each round runs every back-end in turn (the order
rotating), so a burst of other work on a shared machine lands on all of them alike. Printed per
back-end: texts/s, speed-up over PyTorch, and agreement with PyTorch (lowest and mean cosine per
text, overall and per dataset); then which back-end the product uses (``default``: ONNX fp32
when its install-time check passed and its probe agrees now, else PyTorch).
``--cold-start`` also starts ``flask --app webapp worker`` with each back-end and times how long
until the semantic screen and the theming embedder are ready. With ``--json`` the last line is
one JSON object: ``default``, ``speedup`` (its texts/s over PyTorch's), ``min_cosine`` (its
lowest per-text cosine to PyTorch), and every figure above.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DATASETS = ("nhs_fft_phase1", "octis_bbc_news", "octis_m10", "octis_dblp")


def load_texts(data_dir: Path, names: list[str], limit: int) -> dict[str, list[str]]:
    """Read up to `limit` texts of each dataset (an even, seed-0 sample, in file order)."""
    found: dict[str, list[str]] = {}
    for name in names:
        with (data_dir / name / "data.csv").open(newline="", encoding="utf-8") as handle:
            texts = [row["text"] or "" for row in csv.DictReader(handle)]
        if limit and len(texts) > limit:
            keep = np.sort(np.random.default_rng(0).choice(len(texts), limit, replace=False))
            texts = [texts[i] for i in keep]
        found[name] = texts
    return found


def backends() -> dict[str, Any]:
    """Return the three back-ends, each loaded (the ONNX ones from the install-time export)."""
    from nlp.embedding import MiniLMEmbedder
    from nlp.onnx_embedding import OnnxMiniLMEmbedder, default_folder, read_manifest

    found: dict[str, Any] = {"pytorch-fp32": MiniLMEmbedder()}
    folder = default_folder()
    manifest = read_manifest(folder) or {}
    for precision, details in manifest.get("backends", {}).items():
        path = folder / details["file"]
        found[f"onnx-{precision}"] = OnnxMiniLMEmbedder(path, precision=precision)
    if len(found) == 1:
        print(f"No ONNX export in {folder}: run `make install`", file=sys.stderr)
    return found


def product_default() -> str:
    """Return the back-end the product would use now, chosen as the worker chooses it."""
    from nlp.embedding import MiniLM
    from nlp.onnx_embedding import OnnxMiniLMEmbedder

    chosen = MiniLM()._choose()
    return f"onnx-{chosen.precision}" if isinstance(chosen, OnnxMiniLMEmbedder) else "pytorch-fp32"


def measure(
    runners: dict[str, Any], by_dataset: dict[str, list[str]], rounds: int
) -> tuple[dict[str, dict[str, float]], dict[str, np.ndarray], dict[str, float]]:
    """Embed each dataset with every back-end in interleaved rounds; return seconds per
    back-end and dataset, the vectors (datasets in order) and each back-end's load time."""
    loads = {}
    for name, runner in runners.items():
        start = time.perf_counter()
        runner.embed(["Warming up the model."])  # loads it
        loads[name] = time.perf_counter() - start
    seconds = {name: dict.fromkeys(by_dataset, 0.0) for name in runners}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in runners}
    names = list(runners)
    for dataset, texts in by_dataset.items():
        size = -(-len(texts) // rounds)
        for number in range(rounds):
            chunk = texts[number * size : (number + 1) * size]
            if not chunk:
                continue
            for name in names[number % len(names) :] + names[: number % len(names)]:
                start = time.perf_counter()
                parts[name].append(runners[name].embed(chunk))
                seconds[name][dataset] += time.perf_counter() - start
    return seconds, {n: np.vstack(p) for n, p in parts.items()}, loads


def worker_ready_seconds(backend: str, timeout: float = 300) -> dict[str, float]:
    """Start a job worker; return seconds from its start to each model being ready.

    Beside the wall time, ``cpu`` is the CPU time the worker had used by then: on a machine
    shared with other work the wall time stretches, while the CPU time is what an idle
    machine would need (the start is mostly one thread).
    """
    import psutil

    with tempfile.TemporaryDirectory(prefix="cold-start-") as folder:
        env = {
            **os.environ,
            "LEARNING_LOOP_ENV": "development",
            "LEARNING_LOOP_SECRET_KEY": "cold-start-benchmark-" + "x" * 32,
            "LEARNING_LOOP_DATABASE_URL": f"sqlite:///{folder}/app.db",
            "LEARNING_LOOP_QUEUE_URL": f"sqlite:///{folder}/queue.db",
            "LEARNING_LOOP_EMBEDDING_BACKEND": "pytorch" if backend == "pytorch-fp32" else "auto",
        }
        command = [str(Path(sys.executable).parent / "flask"), "--app", "webapp", "worker"]
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        ready: dict[str, float] = {}
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("Worker: ") and " ready after " in line:
                    model = line.removeprefix("Worker: ").split(" ready after ")[0]
                    ready[model] = round(time.perf_counter() - start, 2)
                    used = psutil.Process(process.pid).cpu_times()
                    ready[f"{model} (cpu)"] = round(used.user + used.system, 2)
                if len(ready) == 4 or time.perf_counter() - start > timeout:
                    break
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=1000, help="texts per dataset (0: all)")
    parser.add_argument("--data-dir", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--only", nargs="*", default=list(DATASETS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold-start", action="store_true", help="also time worker starts")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args()

    load_before = os.getloadavg()
    by_dataset = load_texts(args.data_dir, args.only, args.limit)
    texts = [t for name in args.only for t in by_dataset[name]]
    runners = backends()
    seconds, vectors, loads = measure(runners, by_dataset, args.rounds)
    reference = vectors["pytorch-fp32"]
    total = {name: sum(seconds[name].values()) for name in runners}
    results: dict[str, dict[str, Any]] = {}
    for name in runners:
        cosines = (vectors[name] * reference).sum(axis=1)
        offsets = np.cumsum([0] + [len(by_dataset[d]) for d in args.only])
        results[name] = {
            "texts_per_second": round(len(texts) / total[name], 1),
            "speedup": round(total["pytorch-fp32"] / total[name], 2),
            "speedup_by_dataset": {
                d: round(seconds["pytorch-fp32"][d] / seconds[name][d], 2) for d in args.only
            },
            "texts_per_second_by_dataset": {
                d: round(len(by_dataset[d]) / seconds[name][d], 1) for d in args.only
            },
            "min_cosine": round(float(cosines.min()), 5),
            "mean_cosine": round(float(cosines.mean()), 5),
            "min_cosine_by_dataset": {
                d: round(float(cosines[offsets[i] : offsets[i + 1]].min()), 5)
                for i, d in enumerate(args.only)
            },
            "load_seconds": round(loads[name], 2),
        }
    default = product_default()
    summary: dict[str, Any] = {
        "default": default,
        "speedup": results.get(default, {}).get("speedup"),
        "min_cosine": results.get(default, {}).get("min_cosine"),
        "texts": len(texts),
        "datasets": {d: len(by_dataset[d]) for d in args.only},
        "cores": len(os.sched_getaffinity(0)),
        "backends": results,
    }
    summary["load_average"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
    print(report(summary), flush=True)
    if args.cold_start:
        summary["worker_ready_seconds"] = {
            name: worker_ready_seconds(name) for name in (default, "pytorch-fp32")
        }
        for name, ready in summary["worker_ready_seconds"].items():
            print(f"Worker start to ready ({name}): {ready}", flush=True)
    if args.json:
        print(json.dumps(summary))
    return 0


def report(summary: dict[str, Any]) -> str:
    """Render the figures as a Markdown table and a few lines."""
    sizes = ", ".join(f"{d} {n}" for d, n in summary["datasets"].items())
    lines = [
        f"{summary['texts']} texts ({sizes}), {summary['cores']} cores, load average "
        f"{summary['load_average'][0]} -> {summary['load_average'][1]}",
        "",
        "| back-end | texts/s | × PyTorch | texts/s (× PyTorch) per dataset | min cosine | "
        "mean cosine | min cosine per dataset | load s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, found in summary["backends"].items():
        speeds = found["texts_per_second_by_dataset"]
        per_speed = ", ".join(
            f"{speeds[d]} ({found['speedup_by_dataset'][d]})" for d in summary["datasets"]
        )
        per = ", ".join(f"{v:.4f}" for v in found["min_cosine_by_dataset"].values())
        lines.append(
            f"| {name} | {found['texts_per_second']} | {found['speedup']} | {per_speed} | "
            f"{found['min_cosine']:.4f} | {found['mean_cosine']:.5f} | {per} | "
            f"{found['load_seconds']} |"
        )
    lines.append("")
    lines.append(
        f"Default (what the product uses): {summary['default']}, {summary['speedup']}× "
        f"PyTorch, min cosine {summary['min_cosine']}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
