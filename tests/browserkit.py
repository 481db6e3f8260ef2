"""Helpers shared by the real-browser tests (``tests/test_browser*.py``).

The servers and the browser are fixtures of ``tests/conftest.py`` (``demo_server``,
``chromium``); every server is started by ``analytics.browser.dashboard_server``.
Checks wait for the state they expect after every load or rerun: a count or a
visibility read right after an action sees a half-drawn page.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analytics.browser import IDLE
from analytics.config import CITY_ENV, DATA_ENV

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PAGE_TIMEOUT_MS = 90_000
# The first visit to a new server computes the demo's figures and maps: seconds
# on a quiet machine, minutes on a loaded one; paid once per server by warm_up
WARM_UP_MS = 400_000


def artifact(name: str) -> Path:
    """``tests/artifacts/<name>``; a log's name carries the ``pytest -n`` worker.

    Two workers may each start a server of the same configuration: each keeps
    its own log. Screenshots are named for their test, which runs once.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and name.endswith(".log"):
        name = f"{name[: -len('.log')]}-{worker}.log"
    return ARTIFACTS / name


def demo_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the data settings (the synthetic demo).

    ``extra`` is added on top (accounts file, audit store, ...).
    """
    from ui.data import DEMO_SIZE_ENV  # ui imports streamlit: only when needed

    unset = {*DATA_ENV.values(), *DEMO_SIZE_ENV.values(), CITY_ENV}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(extra or {})
    return env


def wait_idle(page: Any, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Wait until the app's script is not running (a snapshot: see ``open_app``)."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def open_app(page: Any, url: str) -> None:
    """Load ``url``: a title drawn and the script finished."""
    page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector("h1", timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)


def wait_until(frame: Any, js: str, timeout_ms: int = 15_000) -> None:
    """Poll the JavaScript function ``js`` in ``frame`` until it returns true.

    At most ``timeout_ms``; the caller asserts afterwards, so a state that
    never comes still fails, with its figures in the message.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        frame.wait_for_function(js, timeout=timeout_ms)


def map_frame(page: Any, js: str | None = None, timeout_ms: int = PAGE_TIMEOUT_MS):
    """The first map's frame once it is live, and (with ``js``) once ``js`` is true.

    A rerun can replace the map's iframe between finding it and reading its
    content (the handle then has no frame, or the frame detaches while
    waiting): the iframe is found again until ``timeout_ms``, whose end
    raises the last error.
    """
    import time

    from playwright.sync_api import Error as PlaywrightError

    from analytics.browser import MAP_FRAME

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left_ms = max(1_000, int((deadline - time.monotonic()) * 1000))
        try:
            handle = page.locator(MAP_FRAME).first.element_handle(timeout=left_ms)
            frame = handle.content_frame()
            if frame is None:
                raise PlaywrightError("the map's iframe was replaced")
            if js is not None:
                frame.wait_for_function(js, timeout=min(left_ms, 15_000))
            return frame
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(250)


def map_in_view(page: Any, timeout_ms: int = PAGE_TIMEOUT_MS) -> dict[str, float]:
    """Scroll the first map's iframe into view; its box on the page.

    As in :func:`map_frame`, a rerun can replace the iframe while Playwright
    waits for it to be stable ("not attached to the DOM"): it is found again
    until ``timeout_ms``, whose end raises the last error.
    """
    import time

    from playwright.sync_api import Error as PlaywrightError

    from analytics.browser import MAP_FRAME

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left_ms = max(1_000, int((deadline - time.monotonic()) * 1000))
        try:
            iframe = page.locator(MAP_FRAME).first
            iframe.scroll_into_view_if_needed(timeout=left_ms)
            box = iframe.bounding_box(timeout=left_ms)
            if box is None:
                raise PlaywrightError("the map's iframe was replaced")
            return box
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(250)


def warm_up(url: str, chromium: Any = None) -> None:
    """Open the landing page of a new server once, until its map is drawn.

    The server's first visit computes the demo (kept in its caches for every
    later visit); done here, in the server's fixture, the tests' own page
    timeouts measure a page, not that computation. ``chromium``: the browser
    to use (default: one started here; Playwright's sync API runs one at a
    time per thread).
    """
    from analytics.browser import browser, open_page

    with contextlib.ExitStack() as stack:
        if chromium is None:
            chromium = stack.enter_context(browser())
        context = chromium.new_context()
        stack.callback(context.close)
        open_page(context.new_page(), f"{url}/", timeout_ms=WARM_UP_MS)
