"""Page times a person feels: `streamlit run` driven by a real Chromium.

Measured on the synthetic demo at a given size (the server gets
``CAMREG_DEMO_CAMERAS`` / ``CAMREG_DEMO_INCIDENTS``):

- ``first_visit_seconds``: the first visitor after the server started opens
  the Overview; seconds to the figures (first metric tile) and to the map;
- ``later_visit_seconds``: a new visitor (new browser session) opens it then;
- ``page_switch_seconds``: that visitor clicks "Coverage map" in the menu;
- ``rerun_seconds``: that visitor picks another period in the sidebar, until
  the page has finished updating.

Each is a dict ``{"figures": s, "map": s or None, "done": s}``. Server start
(until its health check answers) is reported apart as ``server_start_seconds``.

>>> page_timings(cameras=30_000, incidents=1_000_000)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time

from analytics.browser import (
    VIEWPORTS,
    browser,
    dashboard_server,
    open_page,
    wait_idle,
)
from analytics.config import CITY_ENV, DATA_ENV

# The demo size the dashboard reads (ui.data.DEMO_SIZE_ENV; a test keeps both equal)
DEMO_SIZE_ENV = {
    "demo_cameras": "CAMREG_DEMO_CAMERAS",
    "demo_incidents": "CAMREG_DEMO_INCIDENTS",
}
TARGETS_GOAL_SCALE = {
    "first_visit_seconds": {"figures": 3.0, "map": 4.0},
    "later_visit_seconds": {"figures": 1.0, "map": 1.0},
    "page_switch_seconds": {"done": 1.0},
    "rerun_seconds": {"done": 1.0},
}


def page_timings(
    *, cameras: int | None = None, incidents: int | None = None
) -> dict[str, object]:
    """Start the dashboard on the demo of this size and time visits (see module)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {*DATA_ENV.values(), *DEMO_SIZE_ENV.values(), CITY_ENV}
    }
    if cameras:
        env[DEMO_SIZE_ENV["demo_cameras"]] = str(int(cameras))
    if incidents:
        env[DEMO_SIZE_ENV["demo_incidents"]] = str(int(incidents))
    out: dict[str, object] = {}
    t0 = time.perf_counter()
    with dashboard_server(env) as url, browser() as b:
        out["server_start_seconds"] = time.perf_counter() - t0
        first = b.new_context(viewport=VIEWPORTS["desktop"]).new_page()
        out["first_visit_seconds"] = open_page(first, f"{url}/", has_map=True)
        first.context.close()

        later = b.new_context(viewport=VIEWPORTS["desktop"]).new_page()
        later.set_default_timeout(120_000)
        out["later_visit_seconds"] = open_page(later, f"{url}/", has_map=True)

        t1 = time.perf_counter()
        later.locator('[data-testid="stSidebarNav"] a').filter(
            has_text="Coverage map"
        ).first.click()
        later.wait_for_url("**/Coverage_map")
        wait_idle(later)
        later.frame_locator('iframe[title="streamlit_folium.st_folium"]').first.locator(
            "path.leaflet-interactive"
        ).first.wait_for(state="attached")
        out["page_switch_seconds"] = {"done": time.perf_counter() - t1}

        t2 = time.perf_counter()
        later.locator('[data-testid="stSidebar"] button').filter(
            has_text="90 days"
        ).first.click()
        wait_idle(later)
        out["rerun_seconds"] = {"done": time.perf_counter() - t2}
        later.context.close()
    out["page_targets_goal_scale"] = TARGETS_GOAL_SCALE
    # page times on a shared machine mean little without the load beside them
    out["load_average"] = list(os.getloadavg())
    out["cpus"] = os.cpu_count()
    return out
