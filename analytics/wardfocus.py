"""Focusing a page on one ward: which ward a map click names, and what is in it.

Pure functions behind the dashboard's cross-filtering (``ui.focus``): a click on
any map (a hexagon, a ward, the background) names the ward it fell in; a click
on a camera or site marker opens its popup and names none.

>>> returned = {"last_clicked": {"lat": 34.75, "lng": -92.3}}
>>> clicked_point(returned)
(34.75, -92.3)
>>> ward_at(wards, *clicked_point(returned))                    # doctest: +SKIP
'3'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.schema import WGS84


def clicked_point(returned: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """(lat, lon) of the last click on a map area, from streamlit-folium's value.

    ``returned`` holds ``last_clicked`` (the map's last click), and optionally
    ``last_object_clicked`` and ``last_active_drawing`` (the feature of the last
    click on a layer). A click on a point feature (a camera or a numbered site)
    fires both at the same place: it opens the marker's popup and names no
    ward, so None is returned. Nothing clicked yet: None.

    >>> clicked_point({"last_clicked": {"lat": 1.0, "lng": 2.0},
    ...                "last_object_clicked": {"lat": 1.0, "lng": 2.0},
    ...                "last_active_drawing": {"geometry": {"type": "Point"}}})
    >>> clicked_point({"last_clicked": None}) is None
    True
    """
    if not returned:
        return None
    click = returned.get("last_clicked")
    if not isinstance(click, Mapping):
        return None
    try:
        lat, lon = float(click["lat"]), float(click["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(lat) and np.isfinite(lon)):
        return None
    on_object = returned.get("last_object_clicked")
    drawing = returned.get("last_active_drawing") or {}
    kind = (drawing.get("geometry") or {}).get("type")
    on_a_marker = (
        isinstance(on_object, Mapping)
        and _same_place(on_object, click)
        and kind in ("Point", "MultiPoint")
    )
    return None if on_a_marker else (lat, lon)


def _same_place(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("lat") == b.get("lat") and a.get("lng") == b.get("lng")


def ward_at(wards: gpd.GeoDataFrame, lat: float, lon: float) -> str | None:
    """``ward_id`` (as text) of the ward holding the point; None outside them all.

    A point on the line between two wards goes to the first in the file.
    """
    frame = _wgs84(wards)
    hit = frame.geometry.intersects(shapely.Point(lon, lat)).to_numpy()
    if not hit.any():
        return None
    return str(frame["ward_id"].iloc[int(np.flatnonzero(hit)[0])])


def ward_area(wards: gpd.GeoDataFrame, ward_id: str) -> gpd.GeoDataFrame:
    """The ward's polygon(s) in WGS84 (empty frame for an unknown ``ward_id``)."""
    frame = _wgs84(wards)
    return frame[frame["ward_id"].astype(str) == str(ward_id)][["ward_id", "geometry"]]


def in_ward(points: pd.DataFrame, wards: gpd.GeoDataFrame, ward_id: str) -> np.ndarray:
    """Boolean per row of ``points`` (``latitude``/``longitude``): inside the ward.

    Rows without coordinates are outside. An unknown ``ward_id`` selects nothing.
    """
    area = ward_area(wards, ward_id)
    if not len(area) or not len(points):
        return np.zeros(len(points), dtype=bool)
    shape = area.geometry.union_all()
    lat = pd.to_numeric(points["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(points["longitude"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    out = np.zeros(len(points), dtype=bool)
    shapely.prepare(shape)
    out[ok] = shapely.contains_xy(shape, lon[ok], lat[ok])
    return out


def _wgs84(wards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if "ward_id" not in wards:
        raise ValueError(
            f"`wards` had columns {list(wards.columns)} but is expected to have "
            "`ward_id`"
        )
    return wards.to_crs(WGS84) if wards.crs is not None else wards
