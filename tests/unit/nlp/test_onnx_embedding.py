"""MiniLM on ONNX Runtime: the same vectors as PyTorch, its own cache id, and the fallback."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from nlp import onnx_embedding
from nlp.embedding import MiniLM, MiniLMEmbedder
from nlp.onnx_embedding import (
    FORMAT,
    OnnxMiniLMEmbedder,
    default_folder,
    load_onnx_embedder,
    package_version,
    read_manifest,
)
from tests.conftest import IN_CI

TEXTS = [
    "The trainer knew the subject well",
    "Parking was expensive and the room was cold",
    "i dont want to go home tonight",
    "Information sharing between health and police still depends on who you know.",
    "ok",
    " ".join(["Supervision helps me reflect on hard cases and plan the next visit."] * 8),
]


def _installed() -> Path:
    """The export `make install` wrote; skipped locally without it, a failure in CI."""
    folder = default_folder()
    if read_manifest(folder) is None:
        message = f"no MiniLM ONNX export in {folder} (make install writes it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return folder


def _manifest(folder: Path, *, passed: bool = True, version: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    backends = {
        p: {"file": f"{p}/model.onnx", "min_cosine": 0.999 if passed else 0.97, "passed": passed}
        for p in ("fp32", "int8")
    }
    manifest = {
        "format": FORMAT,
        "probe": onnx_embedding.probe_fingerprint(),
        "source": {"version": version or package_version()},
        "backends": backends,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


@pytest.mark.nlp
def test_every_precision_in_use_agrees_with_pytorch_on_each_text() -> None:
    folder = _installed()
    manifest = read_manifest(folder)
    assert manifest is not None
    reference = MiniLMEmbedder().embed(TEXTS)
    used = onnx_embedding.usable_precisions(manifest)
    assert "fp32" in used
    for precision in used:
        path = folder / manifest["backends"][precision]["file"]
        vectors = OnnxMiniLMEmbedder(path, precision=precision).embed(TEXTS)
        assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
        assert (vectors * reference).sum(axis=1).min() >= 0.99, precision


@pytest.mark.nlp
def test_the_product_uses_onnx_when_installed_and_in_agreement() -> None:
    _installed()
    chosen = MiniLM().backend()
    assert isinstance(chosen, OnnxMiniLMEmbedder) and chosen.precision == "fp32"
    vectors = chosen.embed(TEXTS[:3], progress=None)
    assert vectors[0] @ vectors[1] < vectors[0] @ MiniLM().embed(["The trainer was expert"])[0]


def test_each_back_end_stores_its_vectors_under_its_own_model_id() -> None:
    ids = {
        MiniLMEmbedder().model_id,
        onnx_embedding.model_id("fp32"),
        onnx_embedding.model_id("int8"),
    }
    assert len(ids) == 3


def test_falls_back_to_pytorch_with_a_log_line_when_the_export_is_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    chosen = MiniLM(onnx_folder=tmp_path / "nothing-here")._choose()
    assert isinstance(chosen, MiniLMEmbedder)  # not loaded yet: this test stays light
    assert "no export found, using pytorch" in caplog.text


@pytest.mark.parametrize("kind", ["failed its check", "another model version", "unreadable"])
def test_falls_back_when_the_export_cannot_be_trusted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    if kind == "failed its check":
        _manifest(tmp_path, passed=False)
    elif kind == "another model version":
        _manifest(tmp_path, version="0.0.1")
    else:
        (tmp_path / "manifest.json").write_text("{not json", "utf-8")
    assert load_onnx_embedder(tmp_path) is None
    assert isinstance(MiniLM(onnx_folder=tmp_path)._choose(), MiniLMEmbedder)
    assert "using pytorch" in caplog.text


def test_falls_back_when_the_model_file_is_broken(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _manifest(tmp_path)
    for precision in ("fp32", "int8"):
        (tmp_path / precision).mkdir()
        (tmp_path / precision / "model.onnx").write_bytes(b"not a model")
    assert load_onnx_embedder(tmp_path) is None
    assert "failed to load" in caplog.text


@pytest.mark.nlp
def test_falls_back_when_the_vectors_no_longer_match_the_probe(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _installed()
    shutil.copy(folder / "manifest.json", tmp_path)
    for precision in ("fp32", "int8"):
        (tmp_path / precision).symlink_to(folder / precision)
    probe = np.load(folder / "probe.npy")
    np.save(tmp_path / "probe.npy", np.roll(probe, 1, axis=0))  # other texts' vectors
    assert load_onnx_embedder(tmp_path) is None
    assert "disagrees with pytorch" in caplog.text
    assert not any(text[:20] in caplog.text for text in onnx_embedding.PROBE_TEXTS)


def test_the_pytorch_setting_skips_onnx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNING_LOOP_EMBEDDING_BACKEND", "pytorch")
    monkeypatch.setattr(onnx_embedding, "load_onnx_embedder", pytest.fail)
    assert isinstance(MiniLM()._choose(), MiniLMEmbedder)
