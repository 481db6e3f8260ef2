"""The suite on two CPUs (pytest-xdist): how many workers, who runs what, one database.

``pyproject.toml`` asks for ``-n auto --dist loadfile``; the hooks here (imported by
``tests/conftest.py``) make that mean:

* two workers for a run of several test files (the README's ``python -m pytest``,
  ``.ci/run``), none for one file (``python -m pytest tests/test_x.py`` runs in
  one process as before); ``-n 0`` or ``PYTEST_XDIST_AUTO_NUM_WORKERS`` decide
  otherwise;
* a test file stays on one worker (its module fixtures are built once), the two
  browser files on the plain demo share one worker (and one ``streamlit run``),
  and the slowest files start first so the quick ones fill the end of the run;
* one throwaway PostgreSQL cluster for all workers, started by the controlling
  process before the workers and stopped after them (``.ci/run`` starts its own
  and hands its URL down, which is used as it is).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pgserver
import pytest

_CLUSTER = pytest.StashKey[Path]()  # the folder of the cluster started here
WORKERS = 2  # the CI machine's cores; more would share two cores anyway
# Files sharing the session's demo server (tests/conftest.py `demo_server`)
DEMO_BROWSER_FILES = ("tests/test_browser.py", "tests/test_browser_layout.py")
# Rough cost of one test, by file name, relative to a plain unit test: a
# browser test opens pages in Chromium against `streamlit run`, a page test
# runs a page in AppTest, a CLI test starts `python -m analytics`.
COST = (
    ("tests/test_browser", 10),
    ("tests/test_page_", 4),
    ("tests/test_figures_consistency.py", 6),
    ("tests/test_store_concurrency.py", 6),
    ("tests/test_types.py", 60),
    ("_cli.py", 2),
)


def _test_files(config: pytest.Config) -> int:
    """How many test files the command line names (2 for any folder)."""
    files = set()
    for arg in config.args:
        path = Path(arg.split("::", 1)[0])
        if path.is_dir():
            return 2
        files.add(path)
    return len(files)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    given = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "").strip()
    if given:
        return int(given)
    if _test_files(config) < 2:
        return 0
    workers = min(WORKERS, os.cpu_count() or 1)
    return workers if workers > 1 else 0


def _scope(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return DEMO_BROWSER_FILES[0] if path in DEMO_BROWSER_FILES else path


def _cost(scope: str, tests: int) -> int:
    factor = next((f for part, f in COST if part in scope), 1)
    return tests * factor


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SlowFilesFirst(LoadFileScheduling):
        """Whole files per worker, the costliest first (longest-first scheduling)."""

        _ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self._ordered:
                units = sorted(
                    self.workqueue.items(),
                    key=lambda unit: -_cost(unit[0], len(unit[1])),
                )
                self.workqueue.clear()
                self.workqueue.update(units)
                self._ordered = True
            super()._assign_work_unit(node)

    return SlowFilesFirst(config, log)


def _distributing(config: pytest.Config) -> bool:
    return (
        not hasattr(config, "workerinput")
        and config.getoption("dist", "no") != "no"
        and bool(config.getoption("tx", None))
        and not config.getoption("collectonly")
    )


def pytest_configure(config: pytest.Config) -> None:
    """Start one PostgreSQL cluster for every worker (none when one is given)."""
    if not _distributing(config) or os.environ.get(pgserver.TEST_URL_ENV, "").strip():
        return
    # not under pytest's temporary root: the cluster may run as another user
    folder = Path(tempfile.mkdtemp(prefix="camreg-pg-"))
    try:
        url = pgserver.start(folder)
    except pgserver.ServerUnavailable:
        # each worker tries itself and skips the PostgreSQL tests with the reason
        shutil.rmtree(folder, ignore_errors=True)
        return
    os.environ[pgserver.TEST_URL_ENV] = url  # the workers inherit it
    config.stash[_CLUSTER] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CLUSTER, None)
    if folder is not None:
        os.environ.pop(pgserver.TEST_URL_ENV, None)
        pgserver.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
