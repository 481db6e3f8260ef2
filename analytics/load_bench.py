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

Every failed view is reported with its reason (``summarise``): ``timeout``
(the bench gave up waiting, with the step it was waiting for: the HTML, the
page heading or the end of the page's script), ``exception`` (the page showed a
Streamlit exception, its text), ``connection`` (the server did not answer) or
``browser`` (anything else Playwright raised). The server's output goes to a log
file (``server_log``); its error lines (tracebacks, database errors such as
``database is locked`` or a PostgreSQL ``QueuePool limit`` / ``too many
clients``) are counted and sampled in ``server_errors``, so a timeout can be
told apart from a failure inside the server. The machine's load average before
and after the run is reported beside the figures.

>>> run_load(sessions=20, seconds=120, env={"CAMREG_REGISTRY_DB": url, ...})
...     # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analytics.browser import CHROMIUM, CHROMIUM_ARGS, dashboard_server

ROOT = Path(__file__).resolve().parent.parent
MAX_SESSIONS = 50
MAX_SECONDS = 900
START_TIMEOUT_S = 120
VIEW_TIMEOUT_MS = 180_000
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Server log lines that mean something went wrong inside the server.
SERVER_ERROR = re.compile(
    r"Traceback|Error|Exception|locked|QueuePool|too many clients|"
    r"could not connect|connection .*(closed|refused|lost)",
    re.IGNORECASE,
)
# What a failed view is: the bench's own timeout, a page exception, no answer.
ERROR_KINDS = ("timeout", "exception", "connection", "browser")


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


def run_load(
    *,
    sessions: int = 20,
    seconds: float = 120.0,
    env: Mapping[str, str] | None = None,
    pages: list[str] | None = None,
    think_s: float = 5.0,
    log_path: str | os.PathLike[str] | None = None,
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
    log_path
        File the server's output is written to (default: a new temporary file,
        kept after the run and named in the result).

    Returns
    -------
    dict
        ``sessions``, ``seconds``, ``think_s``, ``warmup_s`` (the warm-up
        session's view times by page), ``views``, ``errors`` (count),
        ``errors_by_kind``, ``error_samples``, ``median_s``, ``p95_s``,
        ``max_s``, ``per_page`` (``{path: {"views", "median_s", "p95_s"}}``),
        ``server_log``, ``server_errors`` (``{"lines", "samples"}``),
        ``cpus`` and ``load_before``/``load_after`` (1, 5, 15-minute load
        averages).

    Raises
    ------
    ValueError
        Out-of-range sessions or seconds.
    RuntimeError
        Chromium is missing or the server does not start (with the end of
        its log).
    """
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"`sessions` was {sessions} but must be 1..{MAX_SESSIONS}")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"`seconds` was {seconds} but must be 1..{MAX_SECONDS}")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium"
        )
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="camreg-load-", suffix=".log")
        os.close(handle)
        log_path = name
    log_file = Path(log_path)
    load_before = _load_average()
    started = False
    try:
        # the server's log goes to a file: a pipe nobody reads fills up (64 KB)
        # and then blocks the server on its next log line
        with dashboard_server(
            {**os.environ, **(env or {})},
            log=log_file,
            timeout=START_TIMEOUT_S,
            args=("--server.address", "127.0.0.1"),
        ) as url:
            started = True
            paths = pages or page_paths()
            warmup = asyncio.run(_sessions(url, 1, 0.0, paths, 0.0, rounds=1))
            views = asyncio.run(_sessions(url, sessions, seconds, paths, think_s))
    except RuntimeError as exc:
        if started:
            raise
        tail = log_file.read_text(errors="replace")[-1500:]
        raise RuntimeError(f"{exc}; server log {log_file}:\n{tail}") from exc
    result = summarise(views, sessions=sessions, seconds=seconds)
    result["think_s"] = think_s
    result["warmup_s"] = {
        (path or "Overview"): round(t, 2) if err is None else err
        for path, t, err in warmup
    }
    result["server_log"] = str(log_file)
    result["server_errors"] = server_errors(log_file.read_text(errors="replace"))
    result["cpus"] = os.cpu_count()
    result["load_before"] = load_before
    result["load_after"] = _load_average()
    return result


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def server_errors(log: str, *, samples: int = 5) -> dict[str, Any]:
    """Error lines of a server log: how many, and the first distinct few.

    >>> server_errors("ok\\nsqlite3.OperationalError: database is locked\\n")
    {'lines': 1, 'samples': ['sqlite3.OperationalError: database is locked']}
    """
    found = [line.strip() for line in log.splitlines() if SERVER_ERROR.search(line)]
    return {"lines": len(found), "samples": list(dict.fromkeys(found))[:samples]}


def error_kind(error: str) -> str:
    """The kind of a failed view (``ERROR_KINDS``): the text before the colon."""
    kind = error.split(":", 1)[0].strip()
    return kind if kind in ERROR_KINDS else "browser"


def summarise(
    views: list[tuple[str, float, str | None]], *, sessions: int, seconds: float
) -> dict[str, Any]:
    """Timings of ``(path, seconds, error or None)`` views (see :func:`run_load`).

    An error is ``"kind: detail"`` with a kind of ``ERROR_KINDS``.
    """
    ok = [t for _, t, err in views if err is None]
    errors = [f"{path or 'Overview'}: {err}" for path, _, err in views if err]
    by_kind: dict[str, int] = {}
    for _, _, err in views:
        if err:
            kind = error_kind(err)
            by_kind[kind] = by_kind.get(kind, 0) + 1
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
        "errors_by_kind": by_kind,
        "error_samples": list(dict.fromkeys(errors))[:10],
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
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_ARGS)
        )
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


# the steps of one view, in order, and what the bench waits for at each
STEPS = {
    "html": "the page's HTML",
    "heading": "the page heading (the server's first message)",
    "script": "the end of the page's script",
}


async def view_page(page: Any, url: str, timeout_ms: float) -> str | None:
    """Open ``url`` in ``page`` and wait until its script finished; the error.

    Returns None for a good view, else ``"kind: detail"`` (``ERROR_KINDS``).
    """
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    step = "html"
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
        step = "heading"
        await page.wait_for_selector("h1", timeout=timeout_ms)
        step = "script"
        await page.wait_for_selector(READY, timeout=timeout_ms)
        shown = page.locator('[data-testid="stException"]')
        if await shown.count():
            text = " ".join((await shown.first.inner_text()).split())
            return "exception: " + text[:300]
    except PlaywrightTimeout:
        return f"timeout: the bench waited {timeout_ms / 1000:g} s for {STEPS[step]}"
    except PlaywrightError as exc:
        text = str(exc).splitlines()[0][:200]
        if "ERR_CONNECTION" in text or "ERR_EMPTY_RESPONSE" in text:
            return f"connection: {text}"
        return f"browser: {text} (waiting for {STEPS[step]})"
    return None


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
            error = await view_page(page, f"{url}/{path}", VIEW_TIMEOUT_MS)
            views.append((path, time.monotonic() - started, error))
            if think_s and time.monotonic() + think_s < deadline:
                await asyncio.sleep(think_s)
    finally:
        await context.close()
