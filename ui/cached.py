"""Cached wrappers around the analytics, keyed on small hashable arguments.

Every wrapper takes the shared dataset as ``_ds`` (not hashed) together with its
hashable ``key`` (``ui.page.dataset_key``) and the frozen ``Filters``; a rerun
that changed nothing hits the cache. Results are shared objects
(``st.cache_resource``: no copy of big frames on every hit), so callers must
never mutate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from analytics.coverage import (
    CoverageReport,
    coverage_report,
    filter_cameras,
    filter_incidents,
)
from analytics.datasets import Dataset
from analytics.footage_demo import demo_footage
from analytics.footage_store import FootageStore
from analytics.footage_view import FootageHistory
from analytics.forecast import ForecastResult, forecast_goal
from analytics.maps import build_coverage_map, hexes_for_audience
from analytics.privacy import RedactedCameras, redact_cameras, sites_per_cell
from analytics.store import RegistryStore
from analytics.targeting import Recommendation, recommend_sites
from ui.sidebar import Filters

CACHE_ENTRIES = 16  # distinct filter combinations kept per wrapper
RECENT_DAYS = 30  # "added in the last 30 days", "since last month"
VENDOR_PATH = "app/static/vendor"  # static/vendor served by Streamlit


@dataclass(frozen=True)
class Filtered:
    """Cameras and incidents after the sidebar filters."""

    cameras: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def filtered(_ds: Dataset, key: tuple, filters: Filters) -> Filtered:  # noqa: ARG001
    """Cameras in the registry on ``filters.until`` and incidents in the window."""
    cameras = filter_cameras(
        _ds.cameras,
        tiers=filters.tiers,
        owner_types=filters.owner_types,
        as_of=filters.cameras_as_of or filters.until,
    )
    incidents = filter_incidents(
        _ds.incidents,
        since=filters.since,
        until=filters.until,
        categories=filters.categories,
    )
    return Filtered(cameras, incidents)


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner="Computing coverage...")
def coverage(_ds: Dataset, key: tuple, filters: Filters) -> CoverageReport:
    """The coverage report for the filtered cameras and incidents."""
    data = filtered(_ds, key, filters)
    return coverage_report(
        data.cameras,
        data.incidents,
        _ds.city,
        city_limit=_ds.city_limit,
        wards=_ds.wards,
        range_scale=filters.range_scale,
    )


@st.cache_resource(
    max_entries=CACHE_ENTRIES, show_spinner="Comparing with the earlier registry..."
)
def coverage_at(
    _ds: Dataset, key: tuple, filters: Filters, cameras_on: date
) -> CoverageReport:
    """Coverage of the same incidents by the cameras registered by ``cameras_on``.

    Comparing it with :func:`coverage` shows what the cameras added since then
    changed, with crime held fixed.
    """
    data = filtered(_ds, key, filters)
    earlier = filter_cameras(
        _ds.cameras,
        tiers=filters.tiers,
        owner_types=filters.owner_types,
        as_of=cameras_on,
    )
    return coverage_report(
        earlier,
        data.incidents,
        _ds.city,
        city_limit=_ds.city_limit,
        wards=_ds.wards,
        range_scale=filters.range_scale,
    )


@st.cache_resource(max_entries=4, show_spinner="Forecasting the goal date...")
def forecast(_ds: Dataset, key: tuple) -> ForecastResult:  # noqa: ARG001
    """Goal forecast from the whole registry (filters do not apply to the goal)."""
    return forecast_goal(_ds.cameras, _ds.city, as_of=_ds.as_of)


@st.cache_resource(
    max_entries=CACHE_ENTRIES, show_spinner="Choosing recruitment sites..."
)
def recommendation(
    _ds: Dataset, key: tuple, filters: Filters, k: int
) -> Recommendation:
    """K recommended recruitment sites for the filtered incidents."""
    data = filtered(_ds, key, filters)
    return recommend_sites(
        data.cameras,
        data.incidents,
        _ds.city,
        k,
        city_limit=_ds.city_limit,
        wards=_ds.wards,
    )


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def redacted(_ds: Dataset, key: tuple, filters: Filters, role: str) -> RedactedCameras:
    """What ``role`` may see of the filtered cameras (shared by every map).

    Exact points follow the filters; the cells counting private cameras come
    from the whole active registry, so no filter changes them.
    """
    return redact_cameras(
        filtered(_ds, key, filters).cameras,
        role,
        _ds.city,
        cell_source=_ds.cameras if role != "investigator" else None,
    )


@st.cache_resource(max_entries=4, show_spinner=False)
def cell_sites(_ds: Dataset, key: tuple) -> pd.Series:  # noqa: ARG001
    """Active sites per map cell of the whole registry (for the privacy rule)."""
    return sites_per_cell(_ds.cameras, _ds.city.hex_resolution)


def window_days(filters: Filters) -> int:
    """Days in the filters' incident window (both ends included)."""
    return (filters.until - filters.since).days + 1


def hexes_for(
    _ds: Dataset, key: tuple, filters: Filters, role: str, table: str = "hexes"
) -> gpd.GeoDataFrame:
    """The coverage report's ``hexes`` or ``gaps`` as ``role`` may see them."""
    report = coverage(_ds, key, filters)
    return hexes_for_audience(
        getattr(report, table),
        role,
        _ds.city,
        sites=cell_sites(_ds, key),
        window_days=window_days(filters),
        empty_cells=table == "gaps",
    )


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner="Drawing the map...")
def coverage_map(
    _ds: Dataset,
    key: tuple,
    filters: Filters,
    role: str,
    *,
    choropleth: str = "coverage_share",
    ward: str | None = None,
    heat: bool = True,
    gaps: bool = False,
    k: int | None = None,
    show_cameras: bool = True,
    compact: bool = False,
) -> folium.Map:
    """The folium coverage map for these filters and this viewer."""
    data = filtered(_ds, key, filters)
    area = None
    if ward is not None and _ds.wards is not None:
        match = _ds.wards[_ds.wards["ward_name"].astype(str) == ward]
        if len(match):
            area = match.to_crs("EPSG:4326").geometry.union_all()
    sites = recommendation(_ds, key, filters, k).sites if k else None
    fmap = build_coverage_map(
        redacted(_ds, key, filters, role),
        role=role,
        city=_ds.city,
        hexes=hexes_for(_ds, key, filters, role),
        choropleth=choropleth,
        gaps=hexes_for(_ds, key, filters, role, "gaps") if gaps else None,
        incidents=data.incidents if heat else None,
        wards=_ds.wards,
        city_limit=_ds.city_limit,
        viewshed_area=area,
        range_scale=filters.range_scale,
        sites=sites,
        asset_base=asset_base(),
        show_cameras=show_cameras,
        compact=compact,
    )
    fmap.get_root().render()  # once, here: ui.mapview.show_map skips it
    return fmap


def asset_base() -> str:
    """URL of the vendored map libraries, honouring ``server.baseUrlPath``."""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(p for p in (prefix, VENDOR_PATH) if p)


def recent_window(as_of: date, days: int = RECENT_DAYS) -> tuple[date, date]:
    """The last ``days`` days up to and including ``as_of``."""
    return as_of - timedelta(days=days - 1), as_of


@st.cache_resource(max_entries=4, show_spinner="Reading footage requests...")
def footage_history(_ds: Dataset, key: tuple) -> FootageHistory | None:  # noqa: ARG001
    """Requests and outcomes: the demo's made-up history, or the store's.

    None when real data is loaded without a registry store (nothing recorded).
    """
    if _ds.synthetic:
        demo = demo_footage(_ds.cameras, _ds.incidents, as_of=_ds.as_of)
        return FootageHistory(demo.requests, demo.cases, demo.verified, "synthetic")
    db_path = _ds.city.data_path("registry_db")
    if not db_path:
        return None
    footage = FootageStore(RegistryStore(db_path))
    return FootageHistory(footage.requests(), footage.cases(), None, str(db_path))
