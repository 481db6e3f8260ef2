"""Real-browser test: `streamlit run dashboard.py` driven by Chromium (Playwright).

Checks what AppTest cannot: the Leaflet maps inside the streamlit-folium iframes
draw with their layers and layer control, the plotly charts render, and no page
shows a Streamlit exception. There is no network here: map tiles fail to load,
which is expected; the map libraries are served by the app itself and the city
and ward outlines are drawn as layers.

A failing page leaves a screenshot in tests/artifacts/<page>.png.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from analytics.config import CITY_ENV, DATA_ENV
from ui.data import DEMO_SIZE_ENV

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 90_000
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
MIN_CITY_ZOOM = 9  # a whole city in view; the world is zoom 0-3
# URL path -> (maps on the page, plotly charts on the page); the pages of this
# suite's owner are checked in full, every other page for exceptions only
PAGES = {
    "": (1, 1),
    "Coverage_map": (1, 0),
    "Gaps_and_targeting": (1, 1),
    "Wards": (1, 3),
}


def _other_pages() -> list[str]:
    names = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        name = path.stem.split("_", 1)[1] if "_" in path.stem else path.stem
        if name not in PAGES:
            names.append(name)
    return names


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer at {url} in {START_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    port = _free_port()
    unset = {*DATA_ENV.values(), *DEMO_SIZE_ENV.values(), CITY_ENV}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    # no accounts (the demo opens as staff); looks recorded outside the repo
    tmp = tmp_path_factory.mktemp("browser")
    env.update(
        CAMREG_USERS=str(tmp / "no-accounts.json"),
        CAMREG_AUDIT_DB=str(tmp / "audit.sqlite"),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit-server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser_page(server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            yield page
        finally:
            browser.close()


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector("h1", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]',
        timeout=PAGE_TIMEOUT_MS,
    )


def _check(page, name: str, maps: int, charts: int) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    if maps:
        frame = page.frame_locator(MAP_FRAME).first
        frame.locator(".leaflet-container").wait_for(timeout=PAGE_TIMEOUT_MS)
        frame.locator("path.leaflet-interactive").first.wait_for(
            state="attached", timeout=PAGE_TIMEOUT_MS
        )
        assert frame.locator(".leaflet-control-layers").count() >= 1
        assert frame.locator(".camreg-legend").count() == 1
        # at least the demo's seven wards (the ward map draws only those)
        assert frame.locator("path.leaflet-interactive").count() >= 7
    if charts:
        page.locator(".js-plotly-plot").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert page.locator(".js-plotly-plot").count() >= charts
    assert page.locator('[data-testid="stException"]').count() == 0, name


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name or 'overview'}.png"), full_page=True)


@pytest.mark.parametrize(("name", "expected"), list(PAGES.items()))
def test_page_renders_maps_and_charts(browser_page, server, name, expected):
    try:
        _open(browser_page, f"{server}/{name}")
        _check(browser_page, name, *expected)
    except Exception:
        _screenshot(browser_page, name)
        raise


@pytest.mark.parametrize("name", ["Coverage_map", ""])
def test_cached_map_draws_again_on_a_second_visit(browser_page, server, name):
    """The map comes from the cache on a second visit; it must not be blank."""
    try:
        for _ in range(2):
            _open(browser_page, f"{server}/{name}")
            _check(browser_page, name, 1, 0)
    except Exception:
        _screenshot(browser_page, f"{name or 'overview'}-second-visit")
        raise


_LABEL_OFFSETS_JS = """() => {
    // pixels between each ward label's centre and the point it labels
    return Object.values(window.map._layers)
        .filter(l => l.getTooltip && l.getTooltip() && l.getTooltip().options.permanent)
        .map(l => {
            const el = l.getTooltip().getElement().getBoundingClientRect();
            const at = window.map.latLngToContainerPoint(l.getLatLng());
            return Math.hypot(el.x + el.width / 2 - at.x, el.y + el.height / 2 - at.y);
        });
}"""


@pytest.mark.parametrize("name", ["Coverage_map", "Gaps_and_targeting"])
def test_ward_labels_sit_on_their_wards(browser_page, server, name):
    """A label measured before leaflet.css loaded once sat half a map to the left."""
    try:
        _open(browser_page, f"{server}/{name}")
        _check(browser_page, name, 1, 0)
        frame = browser_page.frame_locator(MAP_FRAME).first
        frame.locator(".camreg-ward-label").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        offsets = frame.locator("#map_div").evaluate(_LABEL_OFFSETS_JS)
        assert len(offsets) == 7  # the demo's wards
        assert max(offsets) < 3, offsets
    except Exception:
        _screenshot(browser_page, f"{name}-labels")
        raise


def _map_zoom(page) -> float:
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.leaflet-interactive").first.wait_for(
        state="attached", timeout=PAGE_TIMEOUT_MS
    )
    return frame.locator("#map_div").evaluate("() => window.map.getZoom()")


def test_choosing_a_ward_draws_its_camera_views_at_city_zoom(browser_page, server):
    """A rebuilt map opens at city zoom (not the world) with the ward's views."""
    page = browser_page
    try:
        _open(page, f"{server}/Coverage_map")
        assert _map_zoom(page) >= MIN_CITY_ZOOM
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option").nth(1).click()
        page.wait_for_selector(
            '[data-testid="stApp"][data-test-script-state="notRunning"]',
            timeout=PAGE_TIMEOUT_MS,
        )
        frame = page.frame_locator(MAP_FRAME).first
        # listed in the (folded) layer control: present, not necessarily shown
        frame.get_by_text("Camera views in the selected area").wait_for(
            state="attached", timeout=PAGE_TIMEOUT_MS
        )
        assert _map_zoom(page) >= MIN_CITY_ZOOM
    except Exception:
        _screenshot(page, "Coverage_map-ward")
        raise


@pytest.mark.parametrize("name", _other_pages())
def test_other_pages_show_no_exception(browser_page, server, name):
    try:
        _open(browser_page, f"{server}/{name}")
        assert browser_page.locator('[data-testid="stException"]').count() == 0
    except Exception:
        _screenshot(browser_page, name)
        raise
