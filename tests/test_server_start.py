"""The server's start (``ui.server``): the warm-up begins before any visitor,
and a restart answers nothing until the landing page is read back from disk.

Work is counted (dataset loads, coverage reports), never timed: the seconds are
the bench's (`python -m analytics bench --browser`).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.web.server.app_discovery import discover_asgi_app

import ui.data
from analytics import diskcache
from tests.pagetest import ROOT
from tests.test_warmup import counted, restart  # noqa: F401 - the fixture
from ui import server, warmup

# the steps a new visitor's landing page needs (the Overview and the Coverage
# map of the public and of staff), done before ``landing`` is set
LANDING_STEPS = (
    "public: coverage",
    "public: Overview map",
    "staff: coverage",
    "staff: Overview map",
    "staff: Coverage map",
)


def _forget_warmup() -> None:
    """What a new server process starts with: no warm-up thread or report."""
    warmup._THREADS.clear()
    warmup.LAST.clear()


def _report() -> warmup.WarmupReport:
    return warmup.LAST[(None, ui.data._configuration())]


def test_streamlit_run_serves_the_dashboard_as_an_app_with_a_start_hook():
    found = discover_asgi_app(Path(ROOT / "dashboard.py"))
    assert found.is_asgi_app
    assert found.import_string == "dashboard:app"


def test_a_first_start_answers_at_once_and_a_restart_waits_for_the_landing_page(
    counted,  # noqa: F811 - the fixture
    monkeypatch,
):
    monkeypatch.delenv(warmup.WARMUP_ENV, raising=False)  # the tests switch it off
    _forget_warmup()
    try:
        # nothing on disk: the server answers at once, the warm-up carries on
        assert not server.restarted()
        assert server.prepare(timeout=300) is False
        thread = warmup._THREADS[(None, ui.data._configuration())]
        thread.join(timeout=300)
        assert _report().error is None
        assert server.restarted()  # the dataset is on disk now
        # and the record of the finished warm-up (the bench waits for it)
        assert diskcache.stored(warmup.DONE_NAME, ui.data.dataset_fingerprint())
        assert counted["load_dataset"] == 1
        made = counted["coverage_report"]
        assert made > 0

        # a restart: a new process, the disk kept
        restart()
        _forget_warmup()
        assert server.prepare(timeout=300) is True
        report = _report()
        assert report.landing.is_set()
        done = [name for name, _ in report.steps]
        for step in LANDING_STEPS:
            assert step in done, (step, done)
        # read back, not worked out again
        assert counted["load_dataset"] == 1
        assert counted["coverage_report"] == made
        warmup._THREADS[(None, ui.data._configuration())].join(timeout=300)
    finally:
        _forget_warmup()


def test_no_warmup_no_wait(counted, monkeypatch):  # noqa: F811 - the fixture
    monkeypatch.setenv("CAMREG_WARMUP", "off")
    _forget_warmup()
    assert server.prepare(timeout=300) is False
    assert warmup.wait_for_landing(timeout=0.1) is False
    assert counted["load_dataset"] == 0


def test_a_warmup_that_fails_still_lets_the_server_answer(counted, monkeypatch):  # noqa: F811
    """A broken configuration stops the warm-up; the start does not hang on it."""

    def broken(*args, **kwargs):
        raise ValueError("the configured file is missing")

    monkeypatch.setattr(warmup, "warm", broken)
    monkeypatch.delenv(warmup.WARMUP_ENV, raising=False)
    _forget_warmup()
    try:
        thread = warmup.start_warmup()
        assert warmup.wait_for_landing(timeout=300) is True  # set, not hung
        thread.join(timeout=300)
        assert "the configured file is missing" in _report().error
    finally:
        _forget_warmup()
