"""The dashboard in a real browser: start `streamlit run`, open pages, time, capture.

Used by ``python -m analytics screenshots`` (a PNG of every page at desktop and
phone width), by the page timings of ``python -m analytics bench --browser`` and
by the browser tests. Playwright drives Debian's Chromium (``/usr/bin/chromium``);
nothing here imports streamlit: the app runs in its own process.

>>> with dashboard_server() as url:                       # doctest: +SKIP
...     with browser() as b:
...         page = b.new_page(viewport=VIEWPORTS["desktop"])
...         seconds = open_page(page, f"{url}/Coverage_map")
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
VIEWPORTS = {
    "desktop": {"width": 1440, "height": 900},
    "phone": {"width": 390, "height": 844},
}
MAX_SHOT_PX = 7000
# Pages that show a map (URL path; the Overview's is empty)
MAP_PAGES = ("", "Overview", "Coverage_map", "Gaps_and_targeting", "Wards")
START_TIMEOUT_S = 90
PAGE_TIMEOUT_MS = 120_000
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# What proves the figures are on screen: the first metric tile or table
FIGURES = '[data-testid="stMetric"], [data-testid="stDataFrame"]'
_READY_JS = (
    f"() => document.querySelector({FIGURES!r}) || document.querySelector({IDLE!r})"
)
# Notes when the first figure is drawn (performance.now(), ms since the page's
# navigation): the script can finish on the server before the browser has drawn
# what it sent, so "finished" is not "on screen"
_FIRST_FIGURE_JS = f"""(() => {{
  if (window !== window.top || window.__camregObserving) return;
  window.__camregObserving = true;  // a reused page adds this script per visit
  const seen = () => {{
    if (window.__camregFigureAt == null && document.querySelector({FIGURES!r})) {{
      window.__camregFigureAt = performance.now();
    }}
  }};
  new MutationObserver(seen).observe(document, {{childList: true, subtree: true}});
}})();"""
FIGURE_GRACE_MS = 1_500  # after the script ends, figures still being drawn


def page_paths() -> dict[str, str]:
    """URL path of every page, by the file stem without its number.

    >>> page_paths()["Coverage_map"]
    'Coverage_map'
    """
    out = {}
    for path in sorted((ROOT / "pages").glob("*.py")):
        name = path.stem.split("_", 1)[1] if "_" in path.stem else path.stem
        out[name] = "" if path.stem.startswith("0_") else name
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[Any], timeout: float) -> None:
    """Wait for Streamlit's health endpoint; raise naming the URL on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer at {url} in {timeout:.0f} s")


@contextlib.contextmanager
def dashboard_server(
    env: Mapping[str, str] | None = None,
    *,
    log: Path | str | None = None,
    timeout: float = START_TIMEOUT_S,
    port: int | None = None,
    args: Sequence[str] = (),
    script: str = "dashboard.py",
) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` on a local port; yield its URL.

    The one way the bench, the screenshots and the browser tests start the app.

    Parameters
    ----------
    env
        The whole environment of the server (default: this process's).
    log
        File for the server's output (default: discarded).
    timeout
        Seconds to wait for the health endpoint before ``RuntimeError``.
    port
        Port to listen on (default: a free one); give it when a setting must
        name the URL before the server starts (an OpenID redirect URI).
    args
        More ``streamlit run`` options, e.g. ``("--secrets.files", path)``.
    script
        The app to run, relative to the project (the bench's floor page runs
        ``ui/floor_page.py`` with the same settings).

    The server is stopped (terminate, then kill) when the block ends.
    """
    port = free_port() if port is None else int(port)
    out: IO[str] | int = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            *args,
        ],
        cwd=ROOT,
        env=dict(os.environ if env is None else env),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if not isinstance(out, int):
            out.close()


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright); RuntimeError when it cannot start."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield b
        finally:
            b.close()


def wait_idle(page: Any, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Wait until the script has finished running (after an input or a load)."""
    page.wait_for_timeout(150)  # let a rerun start before waiting for its end
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def open_page(
    page: Any,
    url: str,
    *,
    has_map: bool | None = None,
    timeout_ms: int = PAGE_TIMEOUT_MS,
) -> dict[str, float | None]:
    """Load ``url`` and time it as a person sees it; seconds from navigation.

    ``figures``: the first metric or table drawn; ``map``: the first Leaflet
    path drawn inside a map frame (None on a page without a map); ``done``:
    the script finished and every map drew. ``has_map`` says whether to wait
    for a map (the map's frame mounts after the script ends); None guesses from
    the URL with ``MAP_PAGES``.
    """
    if has_map is None:
        path = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        has_map = path in MAP_PAGES or ":" in path  # "": the Overview
    page.add_init_script(_FIRST_FIGURE_JS)  # for this and later documents
    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector("h1", timeout=timeout_ms)
    # figures drawn, or the script finished on a page that has none
    page.wait_for_function(
        _READY_JS,
        timeout=timeout_ms,
    )
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    map_s = None
    if has_map:
        frame = page.frame_locator(MAP_FRAME).first
        frame.locator("path.leaflet-interactive").first.wait_for(
            state="attached", timeout=timeout_ms
        )
        map_s = time.perf_counter() - t0
    done = time.perf_counter() - t0
    figures = _first_figure_seconds(page, t0)
    if figures is None:  # the script ended; its figures may still be drawing
        with contextlib.suppress(Exception):
            page.wait_for_selector(FIGURES, timeout=FIGURE_GRACE_MS)
        figures = _first_figure_seconds(page, t0)
    figures = done if figures is None else figures
    return {"figures": figures, "map": map_s, "done": max(done, figures)}


def _first_figure_seconds(page: Any, t0: float) -> float | None:
    """Seconds from ``t0`` (``time.perf_counter``) to the first figure drawn, by
    the page's own clock (``_FIRST_FIGURE_JS``); None before any is drawn."""
    at, now_js = page.evaluate("() => [window.__camregFigureAt, performance.now()]")
    if at is None:
        return None
    return (time.perf_counter() - t0) - (float(now_js) - float(at)) / 1000


def capture_whole_page(page: Any, target: Path, viewport: Mapping[str, int]) -> None:
    """Screenshot the whole page, not only the first screen.

    Streamlit scrolls inside its main section, so a "full page" screenshot
    shows one screen; the window is stretched to the content's height for the
    shot (at most ``MAX_SHOT_PX``) and put back.
    """
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        '\'[data-testid="stMain"], [data-testid="stSidebarContent"]\')]'
        ".map(e => e.scrollHeight), 0)"
    )
    tall = int(min(max(height, viewport["height"]), MAX_SHOT_PX))
    page.set_viewport_size({"width": viewport["width"], "height": tall})
    page.wait_for_timeout(800)
    # a tall page on a loaded machine takes longer than Playwright's 30 s
    page.screenshot(path=str(target), timeout=PAGE_TIMEOUT_MS)
    page.set_viewport_size(dict(viewport))


def screenshot_pages(
    url: str, out: Path, *, pages: Mapping[str, str] | None = None
) -> list[Path]:
    """A full-page PNG of every page at every width of ``VIEWPORTS``.

    Files are named ``<page>-<width name>.png``. Returns the paths written.
    """
    out.mkdir(parents=True, exist_ok=True)
    pages = page_paths() if pages is None else pages
    written = []
    with browser() as b:
        for width, viewport in VIEWPORTS.items():
            ctx = b.new_context(viewport=viewport, device_scale_factor=1)
            page = ctx.new_page()
            for name, path in pages.items():
                open_page(page, f"{url}/{path}")
                page.wait_for_timeout(1500)  # tiles fail, labels settle
                target = out / f"{name}-{width}.png"
                capture_whole_page(page, target, viewport)
                written.append(target)
            ctx.close()
    return written
