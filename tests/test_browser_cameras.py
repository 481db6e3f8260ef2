"""The camera layers of a goal-scale map in Chromium, without the dashboard.

A coverage map of 30,000 business cameras is written to a file with the
vendored map libraries (``static/vendor``) and opened in headless Chromium.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analytics.config import load_city
from analytics.maps import build_coverage_map
from tests.conftest import make_cameras

pytestmark = pytest.mark.browser

CAMERAS = 30_000  # the program's goal: clustering takes several tenths of a second
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def goal_map_file(tmp_path_factory):
    rng = np.random.default_rng(7)
    # Little Rock's extent, roughly: 34.62-34.82 N, 92.52-92.15 W
    lat = rng.uniform(34.62, 34.82, CAMERAS)
    lon = rng.uniform(-92.52, -92.15, CAMERAS)
    cams = make_cameras(
        [
            {"latitude": a, "longitude": o, "address": f"{i} Main St"}
            for i, (a, o) in enumerate(zip(lat, lon, strict=True))
        ]
    )
    m = build_coverage_map(
        cams,
        role="staff",
        city=load_city("little_rock"),
        tiles=None,
        asset_base=(ROOT / "static" / "vendor").as_uri(),
    )
    path = tmp_path_factory.mktemp("goal-map") / "map.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    return path


def test_a_fit_while_the_cameras_are_clustered_breaks_nothing(chromium, goal_map_file):
    """The map refits itself and the visitor may zoom while 30,000 cameras are
    being clustered: the plugin's sliced loading threw there ("reading 'lat'")
    and stopped the map's script. Every camera ends up in its layer, and no
    script error is raised."""
    page = chromium.new_page(viewport={"width": 1000, "height": 700})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # zoom and fit again and again from the moment the layer is on the map
        page.add_init_script(
            """window.addEventListener("DOMContentLoaded", () => {
                const zoomer = setInterval(() => {
                    const map = Object.values(window).find(v => v instanceof L.Map);
                    if (!map) return;
                    map.setZoom(map.getZoom() === 12 ? 13 : 12, {animate: false});
                }, 5);
                setTimeout(() => clearInterval(zoomer), 3000);
            })"""
        )
        page.goto(goal_map_file.as_uri())
        page.wait_for_function(
            """() => Object.keys(window)
                .filter(k => k.startsWith("fast_marker_cluster_"))
                .some(k => window[k].getLayers().length > 0)""",
            timeout=60_000,
        )
        page.wait_for_timeout(3_500)  # the zooming has stopped
        held = page.evaluate(
            """() => Object.keys(window)
                .filter(k => k.startsWith("fast_marker_cluster_"))
                .reduce((n, k) => n + window[k].getLayers().length, 0)"""
        )
        assert errors == []
        assert held == CAMERAS
    finally:
        page.close()
