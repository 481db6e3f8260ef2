"""Shared fixtures: the city configuration and toy frames with explicit CRS.

Fixture factories build hand-made scenarios whose answers can be computed by hand;
put small committed files in ``tests/data/``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from analytics.config import load_city
from analytics.schema import CAMERA_COLUMNS, WGS84

DATA = Path(__file__).parent / "data"
# metres per degree near Little Rock (34.74 N), for placing toy points by distance
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(34.74))
CENTRE = (34.74, -92.33)  # (lat, lon) inside the city extent


@pytest.fixture(scope="session")
def city():
    return load_city("little_rock")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def offset(lat: float, lon: float, east_m: float = 0.0, north_m: float = 0.0):
    """(lat, lon) of the point ``east_m`` east and ``north_m`` north of (lat, lon).

    Good to a few centimetres at the hundreds-of-metres scale the tests use.
    """
    return lat + north_m / M_PER_DEG_LAT, lon + east_m / M_PER_DEG_LON


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
