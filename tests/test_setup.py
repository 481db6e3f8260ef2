"""The newcomer's setup: requirements split, the README's test command, CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_TOOLS = {"pytest", "spopt", "pulp", "playwright", "ruff", "mypy", "aiosmtpd"}


def _names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower())
    return names


def test_dashboard_requirements_hold_no_test_tools():
    assert _names(ROOT / "requirements.txt") & TEST_TOOLS == set()


def test_dev_requirements_add_the_test_tools_to_the_dashboard_ones():
    dev = ROOT / "requirements-dev.txt"
    lines = [line.strip() for line in dev.read_text(encoding="utf-8").splitlines()]
    assert "-r requirements.txt" in lines
    assert {"pytest", "spopt", "pulp", "playwright", "ruff", "mypy"} <= _names(dev)


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(
        line
        for line in readme.splitlines()
        if "pip install" in line and line.rstrip().endswith("python -m pytest")
    )
    assert "requirements-dev.txt" in command
    tail = command.split(". .venv/bin/activate && ", 1)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # CI adds only pip's -q; the install and the test command are the README's
    assert tail.replace("pip install ", "pip install -q ") in ci


def test_bare_pytest_finds_the_project_modules(tmp_path):
    # `pytest` (not `python -m pytest`) does not put the working directory on
    # sys.path; pyproject's pythonpath does, so a test importing analytics/
    # collects from the repository root with no PYTHONPATH set
    pytest_cmd = Path(sys.executable).with_name("pytest")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [
            str(pytest_cmd),
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_cli_messages.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_forecast_help_says_80_percent_once" in done.stdout
