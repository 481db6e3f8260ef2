"""The type checker passes: mypy --strict over analytics/ (settings in pyproject)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_passes_on_analytics():
    # pyproject's [tool.mypy] makes it strict; its cache makes reruns take seconds
    out, err, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(ROOT / "analytics"),
        ]
    )
    assert status == 0, out + err
    assert "Success: no issues found" in out
