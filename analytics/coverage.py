"""Coverage figures: who sees what, for the headline, hexes, wards and gaps.

Everything is computed from arrays in the city's metric CRS:

* incidents in view: :func:`analytics.viewshed.visible_pairs` (grid join + sector
  test) gives every (incident, camera) pair, reduced with ``bincount``;
* area in view: :mod:`analytics.areagrid` counts 10 m raster cells whose centre
  some camera sees, within the city limit and each ward.

>>> from analytics.config import load_city
>>> from analytics.synthetic import generate_demo
>>> demo = generate_demo(cameras=300, incidents=2000, seed=3)
>>> report = coverage_report(demo.cameras, demo.incidents, load_city(),
...                          city_limit=demo.city_limit, wards=demo.wards)
>>> 0 <= report.headline["incident_coverage_share"] <= 1
True
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from analytics import areagrid, hexgrid
from analytics.config import CityConfig
from analytics.costs import live_gain_per_device
from analytics.coverage_state import CoverageState
from analytics.gaps import gap_table
from analytics.schema import CATEGORIES, OWNER_TYPES, TIERS, WGS84
from analytics.severity import (
    category_codes,
    severity_weights,
    weight_table,
    weighted_share,
)
from analytics.viewshed import (
    CameraArrays,
    lonlat,
    nominal_area_m2,
    prepare_cameras,
    to_metric,
    visible_pairs,
)
from analytics.wards import district_table, ward_frame

__all__ = [
    "HEADLINE_KEYS",
    "CoverageReport",
    "CoverageState",
    "category_codes",
    "coverage_report",
    "coverage_state",
    "filter_cameras",
    "filter_incidents",
    "incident_coverage",
    "severity_weights",
    "victim_counts",
]

HEADLINE_KEYS = (
    "cameras",
    "sites",
    "integrated_cameras",
    "goal",
    "goal_share",
    "area_coverage_share",
    "incident_coverage_share",
    "live_incident_coverage_share",
    "on_request_incident_coverage_share",
    "weighted_incident_coverage_share",
    "effective_cameras",
    "incidents",
    "violent_incidents",
    "violent_victims",
    "covered_area_km2",
    "city_area_km2",
)
M2_PER_KM2 = 1_000_000.0
# what the area shares are divided by (CoverageReport.area_basis)
AREA_LIMIT = "city limit"
AREA_WARDS = "ward boundaries"
AREA_EXTENT = "configured extent"


@dataclass(frozen=True)
class CoverageReport:
    """Every coverage figure for one set of cameras and incidents.

    ``headline`` has the keys of :data:`HEADLINE_KEYS`; ``hexes`` the H3 table
    (:func:`analytics.hexgrid.hex_table`); ``wards`` the ward table or None when
    no wards were given; ``districts`` the police-district table; ``gaps`` the
    ranked gap cells (:func:`analytics.gaps.gap_table`); ``flags``
    plain-language notes on assumptions the data forced (e.g. no city limit
    given); ``live_gain_per_device`` incidents a year one integration device
    would bring into live view (:func:`analytics.costs.live_gain_per_device`).
    """

    headline: dict[str, Any]
    hexes: gpd.GeoDataFrame
    wards: pd.DataFrame | None
    districts: pd.DataFrame
    gaps: gpd.GeoDataFrame
    flags: tuple[str, ...] = field(default_factory=tuple)
    live_gain_per_device: float = 0.0
    area_basis: str = AREA_LIMIT


# --- filters ---------------------------------------------------------------------
def _check_values(
    name: str, values: Iterable[str], allowed: tuple[str, ...]
) -> list[str]:
    if isinstance(values, str):
        values = [values]
    values = list(values)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"`{name}` had {bad!r} but is expected to be in {allowed}")
    return values


def _day_end(value: object) -> tuple[pd.Timestamp, bool]:
    """(timestamp, whole_day): a bare date means through the end of that day."""
    whole = isinstance(value, date) and not isinstance(value, datetime)
    if isinstance(value, str) and len(value.strip()) <= 10:
        whole = True
    return pd.Timestamp(value), whole


def filter_incidents(
    incidents: gpd.GeoDataFrame,
    *,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    categories: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Incidents in a time window and offense categories.

    ``since`` is inclusive; ``until`` is inclusive too, and a bare date (or
    ``"YYYY-MM-DD"``) includes that whole day. ``categories`` is a subset of
    ``("violent", "property", "other")``; None keeps all.
    """
    keep = np.ones(len(incidents), dtype=bool)
    if since is not None or until is not None:
        when = pd.to_datetime(incidents["occurred_at"], errors="coerce")
        if since is not None:
            keep &= (when >= pd.Timestamp(since)).to_numpy(bool)
        if until is not None:
            end, whole = _day_end(until)
            if whole:
                keep &= (when < end.normalize() + timedelta(days=1)).to_numpy(bool)
            else:
                keep &= (when <= end).to_numpy(bool)
    if categories is not None:
        wanted = _check_values("categories", categories, CATEGORIES)
        keep &= incidents["category"].isin(wanted).to_numpy(bool)
    return incidents.loc[keep]


def filter_cameras(
    cameras: gpd.GeoDataFrame,
    *,
    tiers: Iterable[str] | None = None,
    owner_types: Iterable[str] | None = None,
    as_of: date | str | None = None,
) -> gpd.GeoDataFrame:
    """Cameras of some tiers and owner types, as the registry stood on ``as_of``.

    With ``as_of``, rows registered later are dropped, and a camera withdrawn on
    or before it is withdrawn. A camera withdrawn *after* ``as_of`` stays
    withdrawn too: consent withdrawn today covers the past, so moving the window
    back never brings a camera (its point, address or contacts) back into view.
    """
    keep = np.ones(len(cameras), dtype=bool)
    if tiers is not None:
        keep &= cameras["tier"].isin(_check_values("tiers", tiers, TIERS)).to_numpy()
    if owner_types is not None:
        wanted = _check_values("owner_types", owner_types, OWNER_TYPES)
        keep &= cameras["owner_type"].isin(wanted).to_numpy()
    if as_of is None:
        return cameras.loc[keep]
    day = pd.Timestamp(as_of).normalize()
    registered = pd.to_datetime(cameras["registered_at"], errors="coerce")
    keep &= ~(registered > day).to_numpy(bool)
    out = cameras.loc[keep].copy()
    if "withdrawn_at" in out:
        gone = pd.to_datetime(out["withdrawn_at"], errors="coerce")
        now_gone = gone <= day
        out.loc[now_gone.to_numpy(bool), "status"] = "withdrawn"
    return out


# --- incidents in view -----------------------------------------------------------
def _incident_xy(
    incidents: gpd.GeoDataFrame, city: CityConfig
) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = lonlat(incidents)
    return to_metric(lon, lat, city)


def _seeing(
    cams: CameraArrays, x: np.ndarray, y: np.ndarray, clock: _Clock | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per point: active sites that see it, and integrated sites that see it."""
    n = len(x)
    point, camera, _ = visible_pairs(cams, x, y)
    if clock is not None:
        clock.lap("pairs")
    sites = np.bincount(point, minlength=n).astype(np.int64)
    live = np.bincount(point[cams.integrated[camera]], minlength=n).astype(np.int64)
    return sites, live


def _nearest_m(cams: CameraArrays, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance from each point to the nearest site, whatever its direction."""
    dist = np.full(len(x), np.nan)
    ok = np.isfinite(x) & np.isfinite(y)
    if len(cams) and ok.any():
        tree = cKDTree(np.column_stack([cams.x, cams.y]))
        dist[ok] = tree.query(np.column_stack([x[ok], y[ok]]), workers=-1)[0]
    return dist


def incident_coverage(
    cameras: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    city: CityConfig,
    *,
    range_scale: float = 1.0,
    nearest: bool = True,
) -> pd.DataFrame:
    """Which incidents lie within view of an active camera.

    Returns
    -------
    DataFrame
        Index aligned with ``incidents``: ``covered`` (seen by at least one
        active camera site), ``covered_live`` (by an integrated one),
        ``covered_on_request`` (by registered cameras only), ``n_cameras``
        (number of sites that see it) and ``nearest_camera_m`` (distance to the
        nearest active site whatever its direction; NaN without cameras; left
        out with ``nearest=False``, which saves a nearest-neighbour query per
        incident when only coverage is needed).
    """
    cams = CameraArrays.from_prepared(
        prepare_cameras(cameras, city, range_scale=range_scale)
    )
    x, y = _incident_xy(incidents, city)
    sites, live_sites = _seeing(cams, x, y)
    covered, live = sites > 0, live_sites > 0
    out = {
        "covered": covered,
        "covered_live": live,
        "covered_on_request": covered & ~live,
        "n_cameras": sites,
    }
    if nearest:
        out["nearest_camera_m"] = _nearest_m(cams, x, y)
    return pd.DataFrame(out, index=incidents.index)


def _share(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


# --- the report ------------------------------------------------------------------
def _metric_union(
    frame: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None,
    city: CityConfig,
) -> shapely.Geometry | None:
    if frame is None:
        return None
    if isinstance(frame, shapely.Geometry):
        geoms = gpd.GeoSeries([frame], crs=WGS84)
    elif isinstance(frame, gpd.GeoDataFrame | gpd.GeoSeries):
        geoms = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame
        if geoms.crs is None:
            geoms = geoms.set_crs(WGS84)
    else:
        raise TypeError(
            f"`city_limit` was {type(frame).__name__} but is expected to be a "
            "GeoDataFrame, GeoSeries or shapely geometry"
        )
    if len(geoms) == 0:
        return None
    return shapely.union_all(geoms.to_crs(city.metric_crs).values)


def _fallback_limit(
    wards: gpd.GeoDataFrame | None, city: CityConfig
) -> tuple[shapely.Geometry, str, str]:
    """The city's area without a city-limit file: the configured ward boundaries'
    union, else the configured extent box. Never anything built from incidents,
    so the denominator of an area share does not move with a filter."""
    union = _metric_union(wards, city) if wards is not None and len(wards) else None
    if union is not None and union.area > 0:
        return (
            union,
            AREA_WARDS,
            (
                "No city limit given: area shares are of the ward boundaries' union "
                f"({union.area / M2_PER_KM2:,.1f} km²)."
            ),
        )
    box = gpd.GeoSeries([shapely.box(*city.extent.bounds)], crs=WGS84)
    metric = box.to_crs(city.metric_crs).iloc[0]
    return (
        metric,
        AREA_EXTENT,
        (
            "No city limit or ward boundaries given: area shares are of the city's "
            f"configured extent box ({metric.area / M2_PER_KM2:,.1f} km²)."
        ),
    )


def _ward_zones(
    wards: gpd.GeoDataFrame | None, city: CityConfig
) -> tuple[list[shapely.Geometry], pd.DataFrame]:
    if wards is None or len(wards) == 0:
        return [], pd.DataFrame(columns=["ward_id", "ward_name"])
    frame = wards if wards.crs is not None else wards.set_crs(WGS84)
    metric = frame.geometry.to_crs(city.metric_crs).values
    ids = (
        frame["ward_id"].astype(str).tolist()
        if "ward_id" in frame
        else [str(i + 1) for i in range(len(frame))]
    )
    names = frame["ward_name"].astype(str).tolist() if "ward_name" in frame else ids
    return list(metric), pd.DataFrame({"ward_id": ids, "ward_name": names})


def coverage_report(
    cameras: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    city: CityConfig,
    *,
    city_limit: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    wards: gpd.GeoDataFrame | None = None,
    range_scale: float = 1.0,
    hex_resolution: int | None = None,
) -> CoverageReport:
    """Headline figures, hex grid, ward and district tables and gap ranking.

    Parameters
    ----------
    cameras, incidents
        Canonical frames, already filtered (see :func:`filter_cameras`,
        :func:`filter_incidents`). Withdrawn cameras are ignored.
    city
        City configuration (ranges, field of view, goal, severity weights).
    city_limit
        Polygon(s) for the area share; None uses the ward boundaries' union (or,
        without wards, the configured extent box), says so in ``flags`` and names
        it in ``area_basis``. Never a hull of the incidents: the city's area must
        not move with a crime filter.
    wards
        Ward polygons with ``ward_id`` and ``ward_name``; None skips the ward table.
    range_scale
        Multiplies every camera range.
    hex_resolution
        H3 resolution of the hex grid and gap cells (``city.hex_resolution``).
    """
    return build_report(
        cameras,
        incidents,
        city,
        city_limit=city_limit,
        wards=wards,
        range_scale=range_scale,
        hex_resolution=hex_resolution,
    )


def build_report(
    cameras: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    city: CityConfig,
    *,
    city_limit: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    wards: gpd.GeoDataFrame | None = None,
    range_scale: float = 1.0,
    hex_resolution: int | None = None,
    timings: dict[str, float] | None = None,
    cpu_timings: dict[str, float] | None = None,
) -> CoverageReport:
    """:func:`coverage_report`, optionally recording seconds per stage in
    ``timings`` (wall clock) and ``cpu_timings`` (process CPU), for the
    benchmark."""
    clock = _Clock(timings, cpu_timings)
    flags: list[str] = []
    prepared = prepare_cameras(cameras, city, range_scale=range_scale)
    withdrawn = len(cameras) - len(prepared)
    if withdrawn:
        flags.append(
            f"{withdrawn:,} withdrawn registration(s) excluded: they cover nothing."
        )
    state = coverage_state(
        prepared,
        incidents,
        city,
        city_limit=city_limit,
        wards=wards,
        hex_resolution=hex_resolution,
        flags=flags,
        clock=clock,
    )
    headline = _headline(prepared, state)
    clock.lap("headline")
    hexes = hexgrid.hex_table(state)
    clock.lap("hex_table")
    gaps = gap_table(state)
    clock.lap("gaps")
    ward_table = None
    if state.has_wards:
        ward_table = ward_frame(state)
        assert state.incident_ward is not None  # has_wards
        off = int((state.incident_ward < 0).sum())
        if off:
            flags.append(f"{off:,} incident(s) fall outside every ward.")
    per_incident = pd.DataFrame(
        {"covered": state.covered, "covered_live": state.covered_live}, copy=False
    )
    districts = district_table(incidents, per_incident, city, weights=state.weights)
    clock.lap("wards_districts")
    return CoverageReport(
        headline,
        hexes,
        ward_table,
        districts,
        gaps,
        tuple(flags),
        live_gain_per_device(state, incidents),
        state.area_basis,
    )


def coverage_state(
    prepared: pd.DataFrame,
    incidents: gpd.GeoDataFrame,
    city: CityConfig,
    *,
    city_limit: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    wards: gpd.GeoDataFrame | None = None,
    hex_resolution: int | None = None,
    flags: list[str] | None = None,
    clock: _Clock | None = None,
) -> CoverageState:
    """The arrays the coverage kernels share (see :class:`CoverageState`).

    ``prepared`` are cameras from :func:`analytics.viewshed.prepare_cameras`
    (active only, ranges scaled). Notes on assumptions the data forced are
    appended to ``flags``.
    """
    flags = [] if flags is None else flags
    clock = clock or _Clock(None, None)
    resolution = city.hex_resolution if hex_resolution is None else hex_resolution
    cams = CameraArrays.from_prepared(prepared)
    codes = category_codes(incidents)
    weights = weight_table(city)[codes]
    clock.lap("prepare")
    x, y = _incident_xy(incidents, city)
    unplaced = int((~(np.isfinite(x) & np.isfinite(y))).sum())
    if unplaced:
        flags.append(
            f"{unplaced:,} incident(s) have no usable coordinates: counted as not in "
            "view and left out of the hex grid and gaps."
        )
    clock.lap("project")
    sites_seeing, live_sites_seeing = _seeing(cams, x, y, clock)

    limit = _metric_union(city_limit, city)
    basis = AREA_LIMIT
    if limit is None:
        limit, basis, note = _fallback_limit(wards, city)
        flags.append(note)
    zones, ward_ids = _ward_zones(wards, city)
    cell_m = areagrid.choose_cell_m(
        len(cams), shapely.total_bounds(np.array([limit, *zones]))
    )
    grid = areagrid.area_grid(limit, zones, cell_m=cell_m)
    clock.lap("boundary_raster")
    covered_cells, outside = areagrid.covered_cells(cams, grid)
    clock.lap("area")

    lon, lat = lonlat(incidents)
    inc_cells = hexgrid.cells_for(lat, lon, resolution)
    cam_lon, cam_lat = lonlat(prepared)
    cam_cells = hexgrid.cells_for(cam_lat, cam_lon, resolution)
    clock.lap("h3_cells")
    return CoverageState(
        city=city,
        resolution=resolution,
        cameras=cams,
        camera_cells=cam_cells,
        incident_x=x,
        incident_y=y,
        incident_cells=inc_cells,
        sites_seeing=sites_seeing,
        live_sites_seeing=live_sites_seeing,
        weights=weights,
        categories=codes,
        grid=grid,
        covered_cells=covered_cells,
        outside_cells=outside,
        ward_ids=ward_ids,
        incident_ward=grid.zone_of(x, y) if zones else None,
        camera_ward=grid.zone_of(cams.x, cams.y) if zones else None,
        area_basis=basis,
        victims=victim_counts(incidents),
    )


def victim_counts(incidents: pd.DataFrame) -> np.ndarray:
    """Per incident: the file rows folded into it (``rows``: victims, or
    offences), one where the column is missing or blank."""
    if "rows" not in incidents:
        return np.ones(len(incidents), dtype=np.int64)
    rows = pd.to_numeric(incidents["rows"], errors="coerce").to_numpy(float)
    return np.where(np.isfinite(rows) & (rows >= 1), rows, 1).astype(np.int64)


class _Clock:
    """Accumulates seconds per named stage into dicts (no-op without them):
    wall-clock time in ``timings``, process CPU time in ``cpu_timings``."""

    def __init__(
        self, timings: dict[str, float] | None, cpu_timings: dict[str, float] | None
    ) -> None:
        self.timings, self.cpu_timings = timings, cpu_timings
        self.last, self.last_cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        if self.timings is None and self.cpu_timings is None:
            return
        now, now_cpu = time.perf_counter(), time.process_time()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        if self.cpu_timings is not None:
            spent = now_cpu - self.last_cpu
            self.cpu_timings[name] = self.cpu_timings.get(name, 0.0) + spent
        self.last, self.last_cpu = now, now_cpu


def _headline(prepared: pd.DataFrame, state: CoverageState) -> dict[str, Any]:
    cams, grid = state.cameras, state.grid
    n = state.incidents
    covered = state.covered
    in_city = int(np.count_nonzero(state.covered_cells & grid.inside))
    city_cells = int(np.count_nonzero(grid.inside))
    area_share = _share(in_city, city_cells)
    union_cells = int(np.count_nonzero(state.covered_cells)) + state.outside_cells
    nominal = nominal_area_m2(prepared)
    mean_nominal = float(nominal.mean()) if len(nominal) else 0.0
    cameras = int(cams.camera_count.sum())
    headline = {
        "cameras": cameras,
        "sites": len(cams),
        "integrated_cameras": int(cams.camera_count[cams.integrated].sum()),
        "goal": int(state.city.goal_cameras),
        "goal_share": _share(cameras, state.city.goal_cameras),
        "area_coverage_share": area_share,
        "incident_coverage_share": _share(covered.sum(), n),
        "live_incident_coverage_share": _share(state.covered_live.sum(), n),
        "on_request_incident_coverage_share": _share(state.covered_on_request.sum(), n),
        "weighted_incident_coverage_share": weighted_share(state.weights, covered),
        "effective_cameras": union_cells * grid.cell_area_m2 / mean_nominal
        if mean_nominal
        else 0.0,
        "incidents": n,
        "violent_incidents": int(np.count_nonzero(state.violent)),
        "violent_victims": int(state.victim_counts[state.violent].sum()),
        "covered_area_km2": area_share * grid.city_area_m2 / M2_PER_KM2
        if city_cells
        else 0.0,
        "city_area_km2": grid.city_area_m2 / M2_PER_KM2,
    }
    return {k: headline[k] for k in HEADLINE_KEYS}
