"""The import direction of STYLE.md, checked by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_no_template_marks_user_text_safe():
    templates = (ROOT / "webapp" / "templates").rglob("*.html")
    offenders = [str(t) for t in templates if "|safe" in t.read_text().replace(" ", "")]
    assert offenders == []
    python = [
        p
        for p in (ROOT / "webapp").rglob("*.py")
        if "render_template_string" in p.read_text() or "Markup(" in p.read_text()
    ]
    assert python == []


def test_no_big_module_in_learning_nlp_or_webapp():
    """One idea per module: the splits of issue 9 keep each under ~450 lines."""
    modules = [
        p for package in ("learning", "nlp", "webapp") for p in (ROOT / package).rglob("*.py")
    ]
    big = {str(p.relative_to(ROOT)): n for p in modules if (n := p.read_text().count("\n")) > 450}
    assert big == {}


def test_documented_nlp_commands_are_thin_entry_points():
    """`python -m nlp.theme` (redact, screen, evaluate) keep working; their code is nlp.commands."""
    for name in ("theme", "redact", "screen", "evaluate"):
        entry = (ROOT / "nlp" / f"{name}.py").read_text()
        assert f"from nlp.commands.{name} import main" in entry
        assert (ROOT / "nlp" / "commands" / f"{name}.py").exists()
