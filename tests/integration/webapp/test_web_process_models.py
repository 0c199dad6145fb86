"""A web process never loads a model: MiniLM (PyTorch or ONNX Runtime) lives in the job worker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MODEL_LIBRARIES = {
    "torch",
    "onnxruntime",
    "sentence_transformers",
    "transformers",
    "tokenizers",
    "spacy",
}

# Production's settings (MiniLM theming, the semantic screen on), every page without an id.
WEB_PROCESS = """
import sys
from surveys import migration
from webapp import create_app
from webapp.config import DevConfig

class Web(DevConfig):
    SECRET_KEY = "a-web-process-test-key-of-forty-characters"
    DATABASE_URL = "sqlite:///{database}"
    QUEUE_URL = "memory://"

migration.upgrade(Web.DATABASE_URL)
app = create_app(Web)
assert app.config["THEMING_EMBEDDER"] == "minilm" and app.config["SEMANTIC_SCREEN"]
client = app.test_client()
paths = [r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments]
for path in paths:
    assert client.get(path).status_code < 500, path
print(len(paths), sorted(set({libraries}) & set(sys.modules)))
"""


def test_a_web_process_serving_pages_loads_no_model(tmp_path: Path) -> None:
    code = WEB_PROCESS.format(database=tmp_path / "app.db", libraries=repr(sorted(MODEL_LIBRARIES)))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=480
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pages, loaded = done.stdout.split(maxsplit=1)
    assert int(pages) > 10
    assert loaded.strip() == "[]"
