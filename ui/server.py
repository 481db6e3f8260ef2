"""The server's start: the data and the landing page loaded before the first visitor.

``streamlit run dashboard.py`` (Streamlit with ``st.App``) serves the ``app``
that ``dashboard.py`` makes with :func:`lifespan`. At start it begins the
warm-up (``ui.warmup``: the imports, the dataset and every page's default view,
once per process) and, when the data was kept on disk by an earlier run (a
restart after a deployment or a reboot), answers no request until the landing
page's figures and maps are read back, at most ``READY_SECONDS``: the first
visitor then waits for nothing but the page itself. On a first start (nothing
on disk) the server answers at once and the warm-up carries on beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from analytics import diskcache

READY_SECONDS = 45.0  # a server start waits at most this for the landing page

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:  # noqa: ARG001
    """Streamlit's ``st.App`` hook: :func:`prepare` before serving."""
    await asyncio.to_thread(prepare)
    yield None


def prepare(city_name: str | None = None, timeout: float = READY_SECONDS) -> bool:
    """Start the warm-up; on a restart, wait until the landing page is ready.

    Returns True when the landing page is ready, False when the server should
    answer at once (warm-up off, nothing on disk, a broken configuration the
    pages will report, or ``timeout`` seconds passed).
    """
    from ui.mapview import register_component
    from ui.warmup import start_warmup, wait_for_landing  # the heavy imports

    register_component()  # imported here, outside a page: see its docstring
    if start_warmup(city_name) is None or not restarted(city_name):
        return False
    t0 = time.perf_counter()
    ready = wait_for_landing(city_name, timeout)
    log.info(
        "landing page %s in %.1f s",
        "ready" if ready else "not ready",
        time.perf_counter() - t0,
    )
    return ready


def restarted(city_name: str | None = None) -> bool:
    """Whether the configured dataset was kept on disk by an earlier run."""
    from ui.data import dataset_fingerprint

    try:
        return diskcache.stored("dataset", dataset_fingerprint(city_name))
    except Exception:  # the pages report a broken configuration
        return False
