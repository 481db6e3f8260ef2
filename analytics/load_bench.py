"""Load test: concurrent dashboard sessions in a real browser against ``streamlit run``.

``run_load`` starts ``streamlit run dashboard.py`` on a free loopback port (the
server listens on 127.0.0.1 only), opens ``sessions`` browser sessions in one
headless Chromium (Playwright driving Debian's ``/usr/bin/chromium``), and has
each go round the dashboard's pages for ``seconds``, pausing ``think_s`` between
views as a person reading the page would. Before the timed run one session
opens every page once (the server's first load of the data and its caches; its
times are reported as ``warmup_s``). A page view is timed from
navigation until the page's script has finished (Streamlit's
``data-test-script-state="notRunning"``); a view that shows a Streamlit
exception or times out is an error. It reports the median and the 95th
percentile of the view times, overall and per page.

>>> run_load(sessions=20, seconds=120, env={"CAMREG_REGISTRY_DB": url, ...})
...     # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
MAX_SESSIONS = 50
MAX_SECONDS = 900
START_TIMEOUT_S = 120
VIEW_TIMEOUT_MS = 180_000
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def page_paths() -> list[str]:
    """URL paths of the dashboard: the Overview, then every page in ``pages/``."""
    names = [""]
    for path in sorted((ROOT / "pages").glob("*.py")):
        stem = path.stem
        names.append(stem.split("_", 1)[1] if "_" in stem else stem)
    return names


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer within {START_TIMEOUT_S} s")


def run_load(
    *,
    sessions: int = 20,
    seconds: float = 120.0,
    env: Mapping[str, str] | None = None,
    pages: list[str] | None = None,
    think_s: float = 5.0,
) -> dict[str, Any]:
    """Run ``sessions`` concurrent browser sessions for ``seconds``; the timings.

    Parameters
    ----------
    sessions
        Concurrent sessions (1..``MAX_SESSIONS``).
    seconds
        How long they keep viewing pages (1..``MAX_SECONDS``); views started
        before the end are finished and counted.
    env
        Environment of the Streamlit server on top of this process's, e.g.
        ``CAMREG_REGISTRY_DB`` and ``CAMREG_INCIDENTS`` to run on a store.
    pages
        URL paths to go round (default: every page, :func:`page_paths`).
    think_s
        Pause between two views of a session.

    Returns
    -------
    dict
        ``sessions``, ``seconds``, ``think_s``, ``warmup_s`` (the warm-up
        session's view times by page), ``views``, ``errors`` (count),
        ``error_samples``, ``median_s``, ``p95_s``, ``max_s`` and ``per_page``
        (``{path: {"views", "median_s", "p95_s"}}``).

    Raises
    ------
    ValueError
        Out-of-range sessions or seconds.
    RuntimeError
        Chromium is missing or the server does not start.
    """
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"`sessions` was {sessions} but must be 1..{MAX_SESSIONS}")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"`seconds` was {seconds} but must be 1..{MAX_SECONDS}")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium"
        )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_up(url, proc)
        paths = pages or page_paths()
        warmup = asyncio.run(_sessions(url, 1, 0.0, paths, 0.0, rounds=1))
        views = asyncio.run(_sessions(url, sessions, seconds, paths, think_s))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    result = summarise(views, sessions=sessions, seconds=seconds)
    result["think_s"] = think_s
    result["warmup_s"] = {
        (path or "Overview"): round(t, 2) if err is None else err
        for path, t, err in warmup
    }
    return result


def summarise(
    views: list[tuple[str, float, str | None]], *, sessions: int, seconds: float
) -> dict[str, Any]:
    """Timings of ``(path, seconds, error or None)`` views (see :func:`run_load`)."""
    ok = [t for _, t, err in views if err is None]
    errors = [f"{path or 'Overview'}: {err}" for path, _, err in views if err]
    per_page: dict[str, dict[str, float | int]] = {}
    for path in dict.fromkeys(p for p, _, _ in views):
        times = [t for p, t, err in views if p == path and err is None]
        if times:
            per_page[path or "Overview"] = {
                "views": len(times),
                "median_s": statistics.median(times),
                "p95_s": percentile(times, 0.95),
            }
    return {
        "sessions": sessions,
        "seconds": seconds,
        "views": len(views),
        "errors": len(errors),
        "error_samples": errors[:5],
        "median_s": statistics.median(ok) if ok else None,
        "p95_s": percentile(ok, 0.95) if ok else None,
        "max_s": max(ok) if ok else None,
        "per_page": per_page,
    }


async def _sessions(
    url: str,
    sessions: int,
    seconds: float,
    pages: list[str],
    think_s: float,
    *,
    rounds: int | None = None,
) -> list[tuple[str, float, str | None]]:
    from playwright.async_api import async_playwright

    views: list[tuple[str, float, str | None]] = []
    deadline = time.monotonic() + seconds
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(
                *(
                    _session(browser, url, pages, i, deadline, views, think_s, rounds)
                    for i in range(sessions)
                )
            )
        finally:
            await browser.close()
    return views


async def _session(
    browser: Any,
    url: str,
    pages: list[str],
    index: int,
    deadline: float,
    views: list[tuple[str, float, str | None]],
    think_s: float,
    rounds: int | None,
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    step = index  # sessions start on different pages
    try:
        while (
            step - index < rounds * len(pages)
            if rounds is not None
            else time.monotonic() < deadline
        ):
            path = pages[step % len(pages)]
            step += 1
            started = time.monotonic()
            error = None
            try:
                await page.goto(
                    f"{url}/{path}",
                    wait_until="domcontentloaded",
                    timeout=VIEW_TIMEOUT_MS,
                )
                await page.wait_for_selector("h1", timeout=VIEW_TIMEOUT_MS)
                await page.wait_for_selector(READY, timeout=VIEW_TIMEOUT_MS)
                shown = page.locator('[data-testid="stException"]')
                if await shown.count():
                    text = await shown.first.inner_text()
                    error = "exception: " + text[:200]
            except Exception as exc:
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            views.append((path, time.monotonic() - started, error))
            if think_s and time.monotonic() + think_s < deadline:
                await asyncio.sleep(think_s)
    finally:
        await context.close()
