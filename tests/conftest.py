"""Shared fixtures: the city configuration and toy frames with explicit CRS.

Fixture factories build hand-made scenarios whose answers can be computed by hand;
put small committed files in ``tests/data/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pgserver
import pyproj
import pytest

from analytics.browser import CHROMIUM, browser, dashboard_server
from analytics.config import load_city
from analytics.schema import CAMERA_COLUMNS, WGS84
from tests.browserkit import artifact, demo_env, warm_up
from tests.parallel_run import (  # noqa: F401  (hooks: two workers, one database)
    pytest_configure,
    pytest_unconfigure,
    pytest_xdist_auto_num_workers,
    pytest_xdist_make_scheduler,
)

# PostgreSQL fixtures for the store tests: pg_template_url, pg_url, store_target
pg_template_url, pg_url, store_target = pgserver._fixtures()

DATA = Path(__file__).parent / "data"
_GEOD = pyproj.Geod(ellps="WGS84")
CENTRE = (34.74, -92.33)  # (lat, lon) inside the city extent


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory) -> Path:
    """The session's disk cache (``CAMREG_CACHE_DIR``), set before any fixture.

    Set for the whole session, not only per test: module-scoped AppTests and
    the dashboard servers the browser tests start (which copy this process's
    environment) would otherwise read and fill ``data/cache``, and a map kept
    there by another checkout or configuration would be served to them.
    """
    path = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("CAMREG_CACHE_DIR")
    os.environ["CAMREG_CACHE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("CAMREG_CACHE_DIR", None)
    else:
        os.environ["CAMREG_CACHE_DIR"] = previous


@pytest.fixture(autouse=True)
def _private_accounts_and_audit(monkeypatch, tmp_path, _cache_dir):
    """No test reads the developer's accounts file or writes data/registry.sqlite.

    Nor data/cache: the disk cache (``analytics.diskcache``) is one folder for the
    session.

    Each test starts with no accounts (``$CAMREG_USERS`` points at a missing
    file in its tmp dir) and a default registry store in its tmp dir.
    """
    monkeypatch.setenv("CAMREG_USERS", str(tmp_path / "no-accounts.json"))
    monkeypatch.delenv("CAMREG_COOKIE_SECRET", raising=False)
    monkeypatch.delenv("CAMREG_AUDIT_DB", raising=False)
    monkeypatch.setattr("analytics.store.DEFAULT_DB", tmp_path / "default.sqlite")
    monkeypatch.setenv("CAMREG_CACHE_DIR", str(_cache_dir))
    # no background warm-up competing with the tests (tests/test_warmup.py runs it)
    monkeypatch.setenv("CAMREG_WARMUP", "off")


@pytest.fixture(scope="session")
def city():
    return load_city("little_rock")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def offset(lat: float, lon: float, east_m: float = 0.0, north_m: float = 0.0):
    """(lat, lon) of the point ``east_m`` east and ``north_m`` north of (lat, lon).

    A geodesic step on the WGS84 ellipsoid (exact; a flat metres-per-degree
    factor is 0.3% off in latitude here, enough to break boundary tests).
    """
    east, north = np.broadcast_arrays(
        np.asarray(east_m, float), np.asarray(north_m, float)
    )
    lat_a, lon_a = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
    shape = np.broadcast_shapes(east.shape, lat_a.shape)
    east, north = np.broadcast_to(east, shape), np.broadcast_to(north, shape)
    lat_a, lon_a = np.broadcast_to(lat_a, shape), np.broadcast_to(lon_a, shape)
    azimuth = np.degrees(np.arctan2(east, north))
    lon2, lat2, _ = _GEOD.fwd(lon_a, lat_a, azimuth, np.hypot(east, north))
    lon2, lat2 = np.asarray(lon2, float), np.asarray(lat2, float)
    if lon2.ndim == 0:
        return float(lat2), float(lon2)
    return lat2, lon2


def make_cameras(rows: list[dict]) -> gpd.GeoDataFrame:
    """Canonical camera frame from partial rows (defaults for the rest)."""
    defaults = {
        "tier": "registered",
        "owner_type": "business",
        "camera_count": 1,
        "registered_at": pd.Timestamp("2025-01-01").date(),
        "status": "active",
    }
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    if "camera_id" not in frame:
        frame["camera_id"] = [f"C{i}" for i in range(len(frame))]
    for col in CAMERA_COLUMNS:
        if col not in frame:
            frame[col] = None
    frame = frame[list(CAMERA_COLUMNS)]
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs=WGS84,
    )


def make_incidents(rows: list[dict]) -> gpd.GeoDataFrame:
    defaults = {
        "occurred_at": pd.Timestamp("2025-06-01 12:00"),
        "offense_code": "13A",
        "offense": "AGGRAVATED ASSAULT",
        "category": "violent",
        "district": "61",
    }
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    if "incident_id" not in frame:
        frame["incident_id"] = [f"2025-{i:06d}" for i in range(len(frame))]
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs=WGS84,
    )


@pytest.fixture
def camera_factory():
    return make_cameras


@pytest.fixture
def incident_factory():
    return make_incidents


# --- the real-browser tests (tests/test_browser*.py) --------------------------------
def needs_chromium() -> None:
    """Skip, saying why, where Debian's Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """URL of one ``streamlit run`` of the synthetic demo for the whole session.

    No accounts (everyone views as staff) and an audit store in a temporary
    folder. Every browser test file that needs the plain demo shares it: the
    server start and the first computation of the demo's figures and maps are
    paid once, not once per file.
    """
    needs_chromium()
    tmp = tmp_path_factory.mktemp("demo-server")
    env = demo_env(
        {
            "CAMREG_USERS": str(tmp / "no-accounts.json"),
            "CAMREG_AUDIT_DB": str(tmp / "audit.sqlite"),
        }
    )
    with dashboard_server(env, log=artifact("streamlit-demo.log")) as url:
        # session-scoped, so set up before any file's Chromium: its own browser
        warm_up(url)
        yield url


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium (Playwright) per browser test file.

    Per file rather than per session, so Playwright's event loop never outlives
    the browser tests into other files of the same worker.
    """
    needs_chromium()
    with browser() as b:
        yield b


# Known gaps, each with the open issue it belongs to: "node id": "issue N: why".
# They run (a pass is reported as XPASS) but do not fail the suite; the closing
# note lists them. Round two's eight were fixed at their causes; none is left.
KNOWN_GAPS: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = KNOWN_GAPS.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
