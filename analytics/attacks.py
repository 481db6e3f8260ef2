"""Attacks on our own outputs: what an insider could learn about residents' cameras.

The privacy promise is tested by trying to break it, the way a determined
insider would, with the same functions the pages and the command line use:

* :func:`locate_by_canvass`: trilateration. Run canvasses from many points
  around a home (as staff, or as an investigator for the control), keep every
  position consistent with what came back, and take the centre of that region
  as the best estimate of where the camera is.
* :func:`differencing`: the public (or staff) view under every filter a visitor
  can change; the smallest non-zero difference in registered sites of any map
  cell, and in incidents behind any coverage figure shown in both views.
* :func:`search_exports`: every residential (and every withdrawn) camera's id,
  coordinates, address, owner name, phone and e-mail searched for in export
  texts (CSV, JSON, GeoJSON, HTML, command-line output).

:func:`privacy_check` runs all three on a dataset; ``python -m analytics
privacy-check`` prints it and exits 1 when a threshold is broken.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from analytics.config import CityConfig
from analytics.datasets import Dataset
from analytics.privacy import (
    MIN_COVERAGE_WINDOW_DAYS,
    ROLES,
    area_camera_settings,
    cameras_for_coverage,
    change_days,
    is_private,
    protect_districts,
    protect_hexes,
    protect_ward_table,
    public_settings,
    redact_cameras,
    sites_per_cell,
    validate_audience,
    ward_privacy,
)

# A home must not be locatable closer than this by any role below investigator.
MIN_LOCATION_ERROR_M = 25.0
DEFAULT_TARGETS = 8
PROBE_STEP_M = 30.0  # spacing of the attacker's canvass points
PROBE_EXTENT_M = 120.0  # half-width of the square of canvass points
PRIOR_OFFSET_M = (40.0, -25.0)  # the attacker's rough idea of the home (east, north)
GRID_STEP_M = 2.0  # candidate positions the attacker weighs
ATTACK_RADIUS_M = 150.0
_NOW = datetime(2026, 1, 1, 12, 0)
_BAND = re.compile(r"^(?:(?P<lo>[\d.]+)–(?P<hi>[\d.]+)|beyond (?P<beyond>[\d.]+)) m$")


@dataclass(frozen=True)
class Located:
    """The outcome of one trilateration attack on one camera.

    ``error_m`` is the distance from the attacker's best estimate to the camera
    (inf when the outputs gave no estimate at all); ``spread_m`` how far the
    positions still consistent with the outputs reach from that estimate.
    """

    role: str
    queries: int
    observations: int
    estimate: tuple[float, float] | None
    error_m: float
    spread_m: float


def probe_points(
    lat: float,
    lon: float,
    *,
    prior: tuple[float, float] = PRIOR_OFFSET_M,
    extent_m: float = PROBE_EXTENT_M,
    step_m: float = PROBE_STEP_M,
) -> list[tuple[float, float]]:
    """Canvass points of an attacker who knows roughly where a home is.

    A square grid (``step_m`` apart, ``extent_m`` either side) centred on a
    guess ``prior`` metres (east, north) off the home at (``lat``, ``lon``).
    """
    east0, north0 = prior
    steps = np.arange(-extent_m, extent_m + 1e-9, step_m)
    east, north = np.meshgrid(steps + east0, steps + north0)
    lats, lons = _offset(lat, lon, east.ravel(), north.ravel())
    return list(zip(lats.tolist(), lons.tolist(), strict=True))


def locate_by_canvass(
    target: pd.DataFrame,
    city: CityConfig,
    role: str,
    *,
    points: Sequence[tuple[float, float]] | None = None,
    radius_m: float = ATTACK_RADIUS_M,
    others: pd.DataFrame | None = None,
    key: str | bytes | None = None,
) -> Located:
    """Trilaterate one camera from the canvasses ``role`` may run.

    Parameters
    ----------
    target
        One camera row (canonical columns), the home under attack.
    city
        City configuration.
    role
        ``"staff"`` or ``"investigator"`` (the control: exact distances).
    points
        Canvass points (lat, lon); default :func:`probe_points` around it.
    radius_m
        Canvass radius; each canvass also asks for the nearest camera.
    others
        Other cameras in the registry (default none: the attacker is assumed to
        know that the home is the only one near; the strongest case).
    key
        Stand-in key (default ``$CAMREG_PRIVACY_KEY``).

    The attacker reads what each canvass says about the camera: for an
    investigator its row (found by id) with the distance to 0.1 m; below, the
    residential distance-band row. Every position on a 2 m grid is weighed
    against every answer; the estimate is the centre of those consistent with
    all of them (refined by least squares when exact distances are known).
    """
    from analytics.canvass import CameraIndex, canvass
    from analytics.viewshed import to_metric

    validate_audience(role)
    row = target.iloc[0]
    lat0, lon0 = float(row["latitude"]), float(row["longitude"])
    points = list(points) if points is not None else probe_points(lat0, lon0)
    frame = target if others is None else pd.concat([target, others])
    index = CameraIndex(frame.reset_index(drop=True), city, key=key)
    cid = str(row["camera_id"])
    exact: list[tuple[float, float, float]] = []  # (query lat, lon, distance)
    bands: list[tuple[float, float, float, float]] = []  # (lat, lon, lo, hi)
    for qlat, qlon in points:
        result = canvass(
            index,
            qlat,
            qlon,
            radius_m=radius_m,
            nearest=1,
            at=_NOW,
            now=_NOW,
            role=role,
        )
        ids = result["camera_id"].astype(object)
        mine = result[ids.astype(str) == cid]
        if len(mine):
            exact.append((qlat, qlon, float(mine.iloc[0]["distance_m"])))
            continue
        homes = result[ids.isna() & result["distance_band"].notna()]
        for label in homes["distance_band"]:
            lo, hi = parse_band(str(label))
            bands.append((qlat, qlon, lo, hi))
    tx, ty = to_metric(np.array([lon0]), np.array([lat0]), city)
    truth = np.array([tx[0], ty[0]])
    if exact:
        return _from_exact(role, len(points), exact, truth, city)
    if not bands:
        return Located(role, len(points), 0, None, math.inf, math.inf)
    return _from_bands(role, len(points), bands, truth, city)


def parse_band(label: str) -> tuple[float, float]:
    """``"50–150 m"`` -> (50, 150); ``"beyond 150 m"`` -> (150, inf)."""
    match = _BAND.match(label.strip())
    if not match:
        raise ValueError(f"distance band was {label!r}; expected '50–150 m' or similar")
    if match["beyond"]:
        return float(match["beyond"]), math.inf
    return float(match["lo"]), float(match["hi"])


def _from_exact(
    role: str,
    queries: int,
    exact: list[tuple[float, float, float]],
    truth: np.ndarray,
    city: CityConfig,
) -> Located:
    from scipy.optimize import least_squares

    from analytics.viewshed import to_metric

    q = np.array(exact)
    qx, qy = to_metric(q[:, 1], q[:, 0], city)
    d = q[:, 2]
    start = np.array([qx.mean(), qy.mean()]) + 1.0

    def residuals(p: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.hypot(p[0] - qx, p[1] - qy) - d
        return out

    fit = least_squares(residuals, start)
    est = fit.x
    spread = float(np.sqrt(np.mean(fit.fun**2))) if len(d) >= 3 else math.inf
    return Located(
        role,
        queries,
        len(d),
        _to_latlon(est, city),
        float(np.hypot(*(est - truth))),
        spread,
    )


def _from_bands(
    role: str,
    queries: int,
    bands: list[tuple[float, float, float, float]],
    truth: np.ndarray,
    city: CityConfig,
) -> Located:
    from analytics.viewshed import to_metric

    b = np.array(bands)
    qx, qy = to_metric(b[:, 1], b[:, 0], city)
    lo, hi = b[:, 2], b[:, 3]
    # candidates: every 2 m around the canvass points, as far as a band reaches
    finite = np.where(np.isfinite(hi), hi, lo)
    reach = float(finite.max()) + GRID_STEP_M
    xs = np.arange(qx.min() - reach, qx.max() + reach, GRID_STEP_M)
    ys = np.arange(qy.min() - reach, qy.max() + reach, GRID_STEP_M)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    alive = np.ones(len(gx), dtype=bool)
    for i in range(len(qx)):
        idx = np.flatnonzero(alive)
        dist = np.hypot(gx[idx] - qx[i], gy[idx] - qy[i])
        alive[idx] = (dist > lo[i] - GRID_STEP_M) & (dist <= hi[i] + GRID_STEP_M)
    if not alive.any():
        return Located(role, queries, len(b), None, math.inf, math.inf)
    est = np.array([gx[alive].mean(), gy[alive].mean()])
    spread = float(np.hypot(gx[alive] - est[0], gy[alive] - est[1]).max())
    return Located(
        role,
        queries,
        len(b),
        _to_latlon(est, city),
        float(np.hypot(*(est - truth))),
        spread,
    )


def _to_latlon(xy: np.ndarray, city: CityConfig) -> tuple[float, float]:
    from pyproj import Transformer

    back = Transformer.from_crs(city.metric_crs, "EPSG:4326", always_xy=True)
    lon, lat = back.transform(float(xy[0]), float(xy[1]))
    return float(lat), float(lon)


def _offset(
    lat: float, lon: float, east_m: Any, north_m: Any
) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Geod

    east, north = np.asarray(east_m, float), np.asarray(north_m, float)
    az = np.degrees(np.arctan2(east, north))
    lon2, lat2, _ = Geod(ellps="WGS84").fwd(
        np.full(len(east), lon), np.full(len(east), lat), az, np.hypot(east, north)
    )
    return np.asarray(lat2, float), np.asarray(lon2, float)


# --- coverage of single incidents --------------------------------------------------
def single_incident_windows(
    incidents: pd.DataFrame,
) -> pd.DataFrame:
    """The incidents an insider can isolate: one-day windows holding exactly one
    incident, every offence or one category (the sidebar's filters).

    Incident coordinates are public, so each such window's city-wide coverage
    headline says whether that one incident was in view of some camera.
    """
    if not len(incidents):
        return incidents
    day = pd.to_datetime(incidents["occurred_at"]).dt.normalize()
    alone = day.map(day.value_counts()) == 1
    if "category" in incidents:
        pair = pd.Series(list(zip(day, incidents["category"], strict=True)))
        pair.index = incidents.index
        alone |= pair.map(pair.value_counts()) == 1
    return incidents[alone.to_numpy(bool)]


def locate_by_coverage(
    dataset: Dataset,
    targets: pd.DataFrame,
    audience: str,
    *,
    protected: bool = True,
    key: str | bytes | None = None,
) -> list[Located]:
    """Locate homes from the coverage headline of one-incident windows.

    The insider (staff) sets one-day windows holding one incident
    (:func:`single_incident_windows`) and reads whether it was in view. The
    business, institutional and city cameras it sees as exact points give the
    coverage they alone explain; an incident in view that they do not explain
    is in view of a home. Those incidents are grouped (linked when within twice
    the city's residential range of each other); the group nearest each target
    is taken, and the estimate is the centre of the positions within the
    residential range of every incident of the group and beyond it of every
    incident no camera saw (the attacker assumes a full circle).

    ``protected=False`` is the control: coverage from the homes' true places,
    as before :func:`analytics.privacy.cameras_for_coverage`; so is
    ``audience="investigator"``. One window's headline is the ``covered`` flag
    of its one incident, so all windows are computed in one call.

    Returns one :class:`Located` per row of ``targets`` (``queries``: windows
    read; ``observations``: incidents in the group used; ``error_m`` inf when
    no incident was in view of a home).
    """
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    from analytics.coverage import filter_cameras, incident_coverage
    from analytics.viewshed import to_metric

    validate_audience(audience)
    city = dataset.city
    single = single_incident_windows(dataset.incidents)
    active = filter_cameras(dataset.cameras, as_of=dataset.as_of)
    seen_by = cameras_for_coverage(active, audience, key=key) if protected else active
    owner = active.get("owner_type", pd.Series(None, index=active.index))
    exact = active[~is_private(owner)]
    if len(single):
        covered = incident_coverage(seen_by, single, city, nearest=False)
        by_exact = incident_coverage(exact, single, city, nearest=False)
        in_view = covered["covered"].to_numpy(bool)
        homes_only = in_view & ~by_exact["covered"].to_numpy(bool)
    else:
        in_view = homes_only = np.zeros(0, dtype=bool)
    ix, iy = to_metric(
        pd.to_numeric(single["longitude"]).to_numpy(float),
        pd.to_numeric(single["latitude"]).to_numpy(float),
        city,
    )
    pts = np.column_stack([ix, iy])
    hit, unseen = pts[homes_only], pts[~in_view]
    reach = float(city.range_for("residential", None))
    labels = np.zeros(len(hit), dtype=int)
    if len(hit) > 1:
        pairs = cKDTree(hit).sparse_distance_matrix(
            cKDTree(hit), 2 * reach, output_type="coo_matrix"
        )
        labels = connected_components(pairs, directed=False)[1]
    out = []
    for _, row in targets.iterrows():
        tx, ty = to_metric(
            np.array([float(row["longitude"])]),
            np.array([float(row["latitude"])]),
            city,
        )
        truth = np.array([tx[0], ty[0]])
        if not len(hit):
            out.append(Located(audience, len(single), 0, None, math.inf, math.inf))
            continue
        nearest = int(np.argmin(np.hypot(*(hit - truth).T)))
        group = hit[labels == labels[nearest]]
        xy = _feasible(group, unseen, reach)
        centre = xy.mean(axis=0)
        out.append(
            Located(
                audience,
                len(single),
                len(group),
                _to_latlon(centre, city),
                float(np.hypot(*(centre - truth))),
                float(np.hypot(*(xy - centre).T).max()),
            )
        )
    return out


def _feasible(group: np.ndarray, unseen: np.ndarray, reach: float) -> np.ndarray:
    """Grid positions within ``reach`` of every point of ``group`` and beyond it
    of every ``unseen`` point (without that rule when nothing is left; the
    group's mean when even that leaves nothing)."""
    lo, hi = group.min(axis=0) - reach, group.max(axis=0) + reach
    gx, gy = np.meshgrid(
        np.arange(lo[0], hi[0] + GRID_STEP_M, GRID_STEP_M),
        np.arange(lo[1], hi[1] + GRID_STEP_M, GRID_STEP_M),
    )
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    inside = np.ones(len(grid), dtype=bool)
    for p in group:
        inside &= np.hypot(*(grid - p).T) <= reach
    if not inside.any():
        centre: np.ndarray = group.mean(axis=0, keepdims=True)
        return centre
    keep = inside.copy()
    near = unseen[np.all(np.abs(unseen - (lo + hi) / 2) <= (hi - lo) / 2 + reach, 1)]
    for p in near:
        keep &= np.hypot(*(grid - p).T) > reach
    return grid[keep] if keep.any() else grid[inside]


# --- differencing ---------------------------------------------------------------
@dataclass(frozen=True)
class ViewFilters:
    """One combination of the filters a visitor can change."""

    since: date
    until: date
    categories: tuple[str, ...] | None = None
    tiers: tuple[str, ...] | None = None
    owner_types: tuple[str, ...] | None = None
    range_scale: float = 1.0


def visitor_view(
    dataset: Dataset,
    audience: str,
    filters: ViewFilters,
    *,
    protected: bool = True,
) -> dict[str, pd.DataFrame]:
    """What ``audience`` sees under ``filters``, as the dashboard computes it.

    The public gets :func:`analytics.privacy.public_settings` whatever it asks
    for. Cameras: the active registry on the data's date (the window rule of
    :mod:`analytics.windows`). Below investigator, per-cell and per-ward figures
    use :func:`analytics.privacy.area_camera_settings` (the whole registry at
    default ranges). ``protected=False`` is the control: per-cell and per-ward
    figures from the filtered cameras, as before that rule. Returns ``cells``
    (camera counts per map cell), ``hexes`` (the hex table as shown and
    downloaded), ``wards`` (the ward table) and ``districts``.
    """
    from analytics.coverage import coverage_report, filter_cameras, filter_incidents

    validate_audience(audience)
    settings: dict[str, Any] = {
        "since": filters.since,
        "until": filters.until,
        "categories": filters.categories,
        "tiers": filters.tiers,
        "owner_types": filters.owner_types,
        "range_scale": filters.range_scale,
    }
    if audience == "public":
        settings.update(public_settings(dataset.as_of, dataset.incidents))
    city = dataset.city
    incs = filter_incidents(
        dataset.incidents,
        since=settings["since"],
        until=settings["until"],
        categories=settings["categories"],
    )

    def report_for(chosen: Mapping[str, Any]) -> Any:
        cams = filter_cameras(
            dataset.cameras,
            tiers=chosen["tiers"],
            owner_types=chosen["owner_types"],
            as_of=dataset.as_of,
        )
        return cams, coverage_report(
            cameras_for_coverage(cams, audience) if protected else cams,
            incs,
            city,
            city_limit=dataset.city_limit,
            wards=dataset.wards,
            range_scale=chosen["range_scale"],
        )

    cams, report = report_for(settings)
    area = {**settings, **area_camera_settings(audience)} if protected else settings
    area_report = report if area == settings else report_for(area)[1]
    days = (settings["until"] - settings["since"]).days + 1
    cells = redact_cameras(
        cams,
        audience,
        city,
        cell_source=dataset.cameras if audience != "investigator" else None,
    ).cells
    hexes = protect_hexes(
        area_report.hexes,
        audience,
        city,
        sites=sites_per_cell(dataset.cameras, city.hex_resolution),
        window_days=days,
    )
    wards = None
    if area_report.wards is not None:
        wards = protect_ward_table(
            area_report.wards, audience, city, **ward_privacy(days)
        )[0]
    districts = protect_districts(
        area_report.districts, audience, city, window_days=days
    )
    return {
        "cells": pd.DataFrame(cells.drop(columns="geometry")),
        "hexes": pd.DataFrame(hexes.drop(columns="geometry")),
        "wards": wards,
        "districts": districts,
    }


def filter_variants(dataset: Dataset) -> list[ViewFilters]:
    """The dashboard's default view and the changes a visitor would try.

    Owner types one at a time (homes only, all but homes), tiers, ``Until`` one
    day earlier, a one-day window, one offence category, a wider range.
    """
    from analytics.schema import OWNER_TYPES

    until = dataset.as_of
    since = (pd.Timestamp(until) - pd.DateOffset(months=12)).date() + timedelta(1)
    base = ViewFilters(since, until)
    others = tuple(o for o in OWNER_TYPES if o != "residential")
    return [
        base,
        ViewFilters(since, until, owner_types=("residential",)),
        ViewFilters(since, until, owner_types=others),
        ViewFilters(since, until, tiers=("registered",)),
        ViewFilters(since, until - timedelta(days=1)),
        ViewFilters(until, until),
        ViewFilters(since, until, categories=("violent",)),
        ViewFilters(since, until, range_scale=2.0),
    ]


def differencing(
    dataset: Dataset,
    audience: str,
    variants: Sequence[ViewFilters] | None = None,
    *,
    protected: bool = True,
) -> dict[str, Any]:
    """Compare ``audience``'s views under filter variants, pair by pair.

    Returns
    -------
    dict
        ``views`` compared; ``smallest_site_difference``: the smallest
        non-zero difference in registered sites of one map cell between two
        views (None when every cell agrees); ``smallest_incident_difference``:
        the smallest non-zero difference in incidents behind a coverage figure
        shown for the same cell in two views (None when none);
        ``camera_driven_changes``: cells whose shown coverage differs between two
        views over the same incidents (only the cameras differed: the
        difference is what some cameras see); ``cells_1_to_k``:
        cells a view shows with fewer than ``min_group_size`` sites;
        ``bare_camera_cells``: hex rows of cells without incidents;
        ``smallest_ward_site_difference``: the smallest non-zero difference in a
        ward's shown sites between two views; ``ward_camera_driven_changes``:
        wards (and police districts) whose shown coverage differs between two
        views over the same incidents. ``protected=False`` runs the control
        (:func:`visitor_view`).
    """
    variants = list(variants) if variants is not None else filter_variants(dataset)
    views = [visitor_view(dataset, audience, v, protected=protected) for v in variants]
    k = dataset.city.min_group_size
    site_diffs: list[int] = []
    incident_diffs: list[int] = []
    camera_driven = 0
    small = bare = 0
    for view in views:
        cells = view["cells"]
        if len(cells):
            small += int((pd.to_numeric(cells["sites"]) < k).sum())
        hexes = view["hexes"]
        if "incidents" in hexes:
            bare += int((pd.to_numeric(hexes["incidents"]) == 0).sum())
    ward_sites: list[int] = []
    ward_driven = 0
    for i in range(len(views)):
        for j in range(i + 1, len(views)):
            site_diffs += _cell_diffs(views[i]["cells"], views[j]["cells"], "sites")
            diffs = _coverage_diffs(views[i]["hexes"], views[j]["hexes"])
            incident_diffs += [d for d in diffs if d > 0]
            camera_driven += sum(d == 0 for d in diffs)
            a, b = views[i]["wards"], views[j]["wards"]
            if a is not None and b is not None:
                ward_sites += _area_diffs(a, b, "ward_id", "sites")
                ward_driven += _area_camera_driven(a, b, "ward_id")
            ward_driven += _area_camera_driven(
                views[i]["districts"], views[j]["districts"], "district"
            )
    return {
        "smallest_ward_site_difference": min(ward_sites) if ward_sites else None,
        "ward_camera_driven_changes": ward_driven,
        "audience": audience,
        "views": len(views),
        "smallest_site_difference": min(site_diffs) if site_diffs else None,
        "smallest_incident_difference": min(incident_diffs) if incident_diffs else None,
        "camera_driven_changes": camera_driven,
        "cells_1_to_k": small,
        "bare_camera_cells": bare,
    }


def _cell_diffs(a: pd.DataFrame, b: pd.DataFrame, column: str) -> list[int]:
    if not len(a) and not len(b):
        return []
    left = a.set_index("h3")[column] if len(a) else pd.Series(dtype=float)
    right = b.set_index("h3")[column] if len(b) else pd.Series(dtype=float)
    joined = pd.concat([left, right], axis=1, keys=["a", "b"]).fillna(0)
    diff = (joined["a"] - joined["b"]).abs()
    return [int(v) for v in diff[diff > 0]]


def _area_diffs(a: pd.DataFrame, b: pd.DataFrame, key: str, column: str) -> list[int]:
    """Non-zero differences of a shown count per area (blanks left out)."""
    left = a.set_index(a[key].astype(str))[column]
    right = b.set_index(b[key].astype(str))[column]
    joined = pd.concat([left, right], axis=1, keys=["a", "b"]).dropna()
    diff = (pd.to_numeric(joined["a"]) - pd.to_numeric(joined["b"])).abs()
    return [int(v) for v in diff[diff > 0]]


def _area_camera_driven(a: pd.DataFrame, b: pd.DataFrame, key: str) -> int:
    """Areas whose shown coverage differs over the same incidents (only the
    cameras differed between the two views)."""
    if not len(a) or not len(b) or "incident_coverage_share" not in a:
        return 0
    cols = ["incidents", "incident_coverage_share"]
    left, right = (
        f.dropna(subset=cols).assign(_key=lambda g: g[key].astype(str)) for f in (a, b)
    )
    both = left[["_key", *cols]].merge(
        right[["_key", *cols]], on="_key", suffixes=("_a", "_b")
    )
    same = both["incidents_a"] == both["incidents_b"]
    moved = ~np.isclose(
        both["incident_coverage_share_a"].astype(float),
        both["incident_coverage_share_b"].astype(float),
    )
    return int((same & moved).sum())


def _coverage_diffs(a: pd.DataFrame, b: pd.DataFrame) -> list[int]:
    if "coverage_share" not in a or "coverage_share" not in b:
        return []
    cols = ["incidents", "incidents_covered"]
    left = a.dropna(subset=["coverage_share"]).set_index("h3")[cols]
    right = b.dropna(subset=["coverage_share"]).set_index("h3")[cols]
    both = left.merge(right, left_index=True, right_index=True, suffixes=("_a", "_b"))
    diff = (both["incidents_a"] - both["incidents_b"]).abs()
    changed = (diff > 0) | (both["incidents_covered_a"] != both["incidents_covered_b"])
    return [int(v) for v in diff[changed]]


# --- dating a registration by moving the window ---------------------------------
def ward_dating(
    dataset: Dataset,
    audience: str,
    *,
    days: int = 62,
    protected: bool = True,
) -> dict[str, Any]:
    """Move "Until" back one day at a time and difference the Wards page's
    "new cameras in the window" per ward.

    For each of ``days`` consecutive window ends (12-month windows ending on
    the data's date and the days before it) the per-ward change compares the
    registries of :func:`analytics.privacy.change_days` (``protected=False``: the
    day before Since and Until, as before the rule), counted in the wards the
    audience is shown (wards below ``min_group_size`` sites withheld below
    investigator). Returns ``windows``, ``smallest_change_difference`` (the
    smallest non-zero change between two consecutive windows in one ward),
    ``finest_dating_days`` (the shortest span of days between the registry days
    of two consecutive windows whose change in one ward differs by fewer than
    ``min_group_size``: 1 dates a single registration to its day) and
    ``dated_closer_than_a_month`` (such differences over fewer than
    ``MIN_COVERAGE_WINDOW_DAYS`` days).
    """
    from analytics.coverage import filter_cameras

    validate_audience(audience)
    if dataset.wards is None or audience == "public":
        # the public has one fixed view and no change columns
        return {
            "windows": 0,
            "smallest_change_difference": None,
            "finest_dating_days": None,
            "dated_closer_than_a_month": 0,
        }
    k = dataset.city.min_group_size
    cams = dataset.cameras
    ward_of = _ward_of(cams, dataset.wards)
    shown = _ward_sites(filter_cameras(cams, as_of=dataset.as_of), ward_of)
    big = shown.index[shown >= k] if audience != "investigator" else shown.index
    counts: dict[date, pd.Series] = {}

    def on(day: date) -> pd.Series:
        if day not in counts:
            active = filter_cameras(cams, as_of=day)
            counts[day] = _ward_cameras(active, ward_of)
        return counts[day]

    changes = []
    spans: list[tuple[date, date]] = []
    for back in range(days):
        until = dataset.as_of - timedelta(days=back)
        since = (pd.Timestamp(until) - pd.DateOffset(months=12)).date()
        since += timedelta(days=1)
        if protected:
            before, after = change_days(since, until, dataset.as_of, audience)
        else:
            before, after = since - timedelta(days=1), until
        change = on(after).sub(on(before), fill_value=0)
        changes.append(change.reindex(big).fillna(0))
        spans.append((before, after))
    diffs: list[int] = []
    dating: list[int] = []
    for i in range(1, len(changes)):
        d = (changes[i] - changes[i - 1]).abs()
        moved = [int(v) for v in d[d > 0]]
        diffs += moved
        if any(v < k for v in moved):
            (b1, a1), (b2, a2) = spans[i - 1], spans[i]
            dating.append(max(abs((a1 - a2).days), abs((b1 - b2).days)))
    return {
        "windows": len(changes),
        "smallest_change_difference": min(diffs) if diffs else None,
        "finest_dating_days": min(dating) if dating else None,
        "dated_closer_than_a_month": sum(d < MIN_COVERAGE_WINDOW_DAYS for d in dating),
    }


def _ward_of(cameras: pd.DataFrame, wards: Any) -> pd.Series:
    """Ward id of each camera (index of ``cameras``), None outside every ward."""
    import geopandas as gpd

    points = gpd.GeoDataFrame(
        {"row": np.arange(len(cameras))},
        geometry=gpd.points_from_xy(cameras["longitude"], cameras["latitude"]),
        crs="EPSG:4326",
    )
    shapes = wards[["ward_id", "geometry"]].to_crs("EPSG:4326")
    joined = gpd.sjoin(points, shapes, how="left", predicate="within")
    joined = joined.drop_duplicates("row").sort_values("row")
    return pd.Series(joined["ward_id"].astype(object).to_numpy(), index=cameras.index)


def _ward_cameras(active: pd.DataFrame, ward_of: pd.Series) -> pd.Series:
    live = active[active["status"] != "withdrawn"]
    count = pd.to_numeric(live["camera_count"], errors="coerce").fillna(1)
    return count.groupby(ward_of.reindex(live.index).astype(str)).sum()


def _ward_sites(active: pd.DataFrame, ward_of: pd.Series) -> pd.Series:
    live = active[active["status"] != "withdrawn"]
    return live.groupby(ward_of.reindex(live.index).astype(str)).size()


# --- notification-area counts ---------------------------------------------------
def notify_differencing(
    cameras: pd.DataFrame,
    city: CityConfig,
    role: str,
    centre: tuple[float, float],
    *,
    radii_m: Sequence[float] = tuple(range(20, 301, 2)),
    key: str | bytes | None = None,
    shown: bool = True,
) -> dict[str, Any]:
    """Grow a notification circle around ``centre`` 2 m at a time and difference
    the counts the Incident canvass page shows for it.

    With exact counts, each step that adds one registration says a home lies in
    that 2 m ring: rings from a few centres place it. Returns ``areas``,
    ``smallest_difference`` (the smallest non-zero change in shown sites or
    owners between consecutive circles; 1 singles out a registration) and
    ``steps_of_one_home`` (steps changing by fewer than ``min_group_size``).
    ``shown=False`` is the control: the exact counts (``Notification.logged``,
    what the page showed before the rule).
    """
    from analytics.canvass import CameraIndex, area_notification

    index = CameraIndex(cameras.reset_index(drop=True), city, key=key)
    k = city.min_group_size
    seen: list[tuple[int, int]] = []
    for r in radii_m:
        note = area_notification(index, (centre[0], centre[1], float(r)), role=role)
        counts = note.preview if shown else (note.logged or note.preview)
        seen.append((int(counts["sites"]), int(counts["owners"])))
    diffs: list[int] = []
    for (s1, o1), (s2, o2) in pairwise(seen):
        diffs += [abs(d) for d in (s2 - s1, o2 - o1) if d]
    return {
        "areas": len(seen),
        "smallest_difference": min(diffs) if diffs else None,
        "steps_of_one_home": sum(d < k for d in diffs),
    }


# --- searching exports ----------------------------------------------------------
def secrets_of(cameras: pd.DataFrame) -> dict[str, set[str]]:
    """What must never reach a role below investigator, by kind.

    Ids, coordinates (5 decimals, about a metre; rounded and truncated),
    addresses, owner names, phones and e-mails of residential cameras (and any
    without a known owner type) and of every withdrawn camera. Values shared
    with an active camera whose place is not private are left out (a business
    in the same building may be listed).
    """
    status = cameras.get("status", pd.Series("active", index=cameras.index))
    owner = cameras.get("owner_type", pd.Series(None, index=cameras.index))
    withdrawn = (status.astype(str) == "withdrawn").to_numpy()
    private = is_private(owner) | withdrawn
    shown = cameras[~private]
    hidden = cameras[private]
    out: dict[str, set[str]] = {}
    for kind, cols in {
        "id": ("camera_id",),
        "address": ("address",),
        "name": ("owner_name",),
        "phone": ("contact_phone",),
        "email": ("contact_email",),
    }.items():
        values = {_clean(v) for c in cols if c in hidden for v in hidden[c]}
        public = {_clean(v) for c in cols if c in shown for v in shown[c]}
        out[kind] = {v for v in values - public if len(v) >= 3}
    coords = set()
    for lat, lon in zip(hidden["latitude"], hidden["longitude"], strict=True):
        if pd.notna(lat) and pd.notna(lon):
            for fmt in (_round5, _trunc5):
                coords.add(f"{fmt(lat)} {fmt(lon)}")
    out["coordinates"] = coords
    return out


def search_exports(
    cameras: pd.DataFrame, texts: Mapping[str, str]
) -> dict[str, dict[str, int]]:
    """Leaks per export: ``{export name: {kind: count}}`` (empty when clean).

    Ids are matched as whole tokens, addresses, names and e-mails as whole
    case-insensitive phrases, phones by their digits, coordinates when the
    latitude and the longitude of one camera (to about a metre) appear within
    ``PAIR_WINDOW`` characters of each other.
    """
    secrets = secrets_of(cameras)
    found: dict[str, dict[str, int]] = {}
    for name, text in texts.items():
        hits: dict[str, int] = {}
        tokens = set(re.split(r"[^\w\-]+", text))
        digits = re.sub(r"\D", "", text)
        numbers: dict[str, list[int]] = {}
        for match in _DECIMAL.finditer(text):
            value = float(match.group(0))
            for key in {_round5(value), _trunc5(value)}:
                numbers.setdefault(key, []).append(match.start())
        for kind, values in secrets.items():
            if kind == "id":
                n = sum(v in tokens for v in values)
            elif kind == "phone":
                n = sum(
                    len(d := re.sub(r"\D", "", v)) >= 7 and d in digits for v in values
                )
            elif kind == "coordinates":
                n = sum(_pair_in(v, numbers) for v in values)
            else:
                n = sum(_phrase_in(v, text) for v in values)
            if n:
                hits[kind] = int(n)
        if hits:
            found[name] = hits
    return found


_DECIMAL = re.compile(r"-?\d{1,3}\.\d+")
PAIR_WINDOW = 80  # characters between a latitude and its longitude in one record


def _pair_in(pair: str, numbers: Mapping[str, list[int]]) -> bool:
    """Both halves of ``"lat lon"`` appear close together (one record)."""
    lat, lon = pair.split()
    near = numbers.get(lon, ())
    return any(abs(a - b) <= PAIR_WINDOW for a in numbers.get(lat, ()) for b in near)


def _phrase_in(value: str, text: str) -> bool:
    """``value`` appears in ``text`` as a whole phrase, ignoring case."""
    pattern = r"(?<![\w@.])" + re.escape(value) + r"(?![\w@])"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def export_texts(
    dataset: Dataset,
    audience: str,
    points: Iterable[tuple[float, float]],
    *,
    briefing: bool = True,
) -> dict[str, str]:
    """Every export ``audience`` can make, as text.

    Canvass CSV, JSON and printed table and notification lists at ``points``
    (staff and investigator); hex GeoJSON/CSV, ward table CSV, the camera layer
    of the map, and (``briefing``) the briefing HTML and its tables.
    """
    from analytics.briefing import briefing_tables, gather_briefing, render_briefing
    from analytics.canvass import CameraIndex, area_notification, canvass
    from analytics.cli.cmd_canvass import print_table, to_json
    from analytics.maps import camera_rows
    from analytics.safe_output import to_safe_csv

    validate_audience(audience)
    city = dataset.city
    texts: dict[str, str] = {}
    if audience != "public":
        index = CameraIndex(dataset.cameras, city)
        parts: dict[str, list[str]] = {"csv": [], "json": [], "cli": [], "notify": []}
        for lat, lon in points:
            result = canvass(
                index, lat, lon, at=_NOW, now=_NOW, role=audience, nearest=4
            )
            parts["csv"].append(to_safe_csv(result).decode("utf-8-sig"))
            parts["json"].append(json.dumps(to_json(result, "x", False)))
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                print_table(result, "x", False)
            parts["cli"].append(buffer.getvalue())
            note = area_notification(index, (lat, lon, 300.0), role=audience)
            parts["notify"].append(to_safe_csv(note.sites).decode("utf-8-sig"))
            parts["notify"].append(to_safe_csv(note.recipients).decode("utf-8-sig"))
        for kind, chunks in parts.items():
            texts[f"canvass {kind}"] = "\n".join(chunks)
    variant = filter_variants(dataset)[0]
    view = visitor_view(dataset, audience, variant)
    texts["hex grid CSV"] = view["hexes"].to_csv(index=False)
    texts["camera cells CSV"] = view["cells"].to_csv(index=False)
    if view["wards"] is not None:
        texts["ward table CSV"] = to_safe_csv(view["wards"]).decode("utf-8-sig")
    redacted = redact_cameras(dataset.cameras, audience, city)
    texts["map camera layer"] = json.dumps(camera_rows(redacted.points)) + (
        redacted.cells.to_json() if len(redacted.cells) else ""
    )
    if briefing and audience in ("public", "staff"):
        inputs = gather_briefing(dataset, audience=audience, recruit_k=5)
        texts["briefing HTML"] = render_briefing(inputs)
        texts["briefing tables"] = "\n".join(
            to_safe_csv(t).decode("utf-8-sig") for t in briefing_tables(inputs).values()
        )
    texts.update(requests_texts(dataset, audience))
    return texts


def requests_texts(dataset: Dataset, audience: str) -> dict[str, str]:
    """What the Requests and outcomes page and ``requests stats`` give
    ``audience``: figures, the group tables and (investigators) the rows and the
    re-verification queue. Empty when no request history exists."""
    from analytics.footage_view import dataset_requests_view, load_history
    from analytics.safe_output import to_safe_csv
    from analytics.windows import default_window

    history = load_history(dataset)
    if history is None:
        return {}
    window = default_window(dataset.incidents, dataset.as_of)
    view = dataset_requests_view(
        history, dataset, role=audience, since=window.since, until=window.until
    )
    texts = {
        "requests figures JSON": json.dumps(view.stats.to_dict(), default=str),
        "requests group tables": view.by_tier.to_csv(index=False)
        + view.by_owner_type.to_csv(index=False),
    }
    if view.rows is not None:
        texts["requests rows CSV"] = to_safe_csv(view.rows).decode("utf-8-sig")
    if view.stale is not None:
        texts["stale queue CSV"] = to_safe_csv(view.stale).decode("utf-8-sig")
    return texts


# --- the check --------------------------------------------------------------------
def attack_targets(cameras: pd.DataFrame, n: int = DEFAULT_TARGETS) -> pd.DataFrame:
    """The homes an attacker would try first: the most isolated active ones.

    (An isolated home is the easiest to single out.) Up to ``n`` rows.
    """
    from scipy.spatial import cKDTree

    active = cameras[cameras.get("status", "active") != "withdrawn"]
    owner = active.get("owner_type", pd.Series(None, index=active.index))
    homes = active[is_private(owner)]
    homes = homes[homes["latitude"].notna() & homes["longitude"].notna()]
    if homes.empty:
        return homes
    lat = pd.to_numeric(active["latitude"]).to_numpy(float)
    lon = pd.to_numeric(active["longitude"]).to_numpy(float)
    xy = np.column_stack([lat * 110_574.0, lon * 111_320.0 * np.cos(np.radians(lat))])
    tree = cKDTree(xy)
    hxy = xy[active.index.get_indexer(homes.index)]
    dist, _ = tree.query(hxy, k=2)
    order = np.argsort(-dist[:, -1], kind="stable")
    return homes.iloc[order[:n]]


def privacy_check(
    dataset: Dataset,
    *,
    targets: int = DEFAULT_TARGETS,
    briefing: bool = True,
    key: str | bytes | None = None,
) -> dict[str, Any]:
    """Run the attacks on a dataset; the figures ``privacy-check`` prints.

    Returns a dict: ``canvass`` per role (``targets``, ``closest_m``: the
    smallest error of any trilateration, ``median_m``), ``coverage`` (the same
    from :func:`locate_by_coverage`, for ``staff`` and the unprotected
    ``control``, with the number of one-incident ``windows``), ``public`` and
    ``staff`` differencing results plus the smallest cell shown, ``exports``
    (leaks per role and export), ``thresholds`` and ``failures`` (what broke;
    empty when the promise holds).
    """
    city = dataset.city
    homes = attack_targets(dataset.cameras, targets)
    result: dict[str, Any] = {
        "data": dataset.label,
        "synthetic": dataset.synthetic,
        "min_group_size": city.min_group_size,
        "thresholds": {
            "location_error_m": MIN_LOCATION_ERROR_M,
            "cell_sites": city.min_group_size,
        },
        "canvass": {},
    }
    for role in ("staff", "investigator"):
        errors = [
            locate_by_canvass(homes.iloc[[i]], city, role, key=key).error_m
            for i in range(len(homes))
        ]
        result["canvass"][role] = {
            "targets": len(errors),
            "closest_m": _round(min(errors)) if errors else None,
            "median_m": _round(float(np.median(errors))) if errors else None,
        }
    # one-incident windows' coverage, differenced against the exact cameras:
    # staff (homes at stand-ins) and, as the control, the homes' true places
    result["coverage"] = {}
    for name, role, protected in (
        ("staff", "staff", True),
        ("control", "staff", False),
    ):
        found = locate_by_coverage(dataset, homes, role, protected=protected, key=key)
        errors = [f.error_m for f in found]
        result["coverage"][name] = {
            "targets": len(found),
            "windows": found[0].queries if found else 0,
            "closest_m": _round(min(errors)) if errors else None,
            "median_m": _round(float(np.median(errors))) if errors else None,
        }
    for audience in ("public", "staff"):
        diff = differencing(dataset, audience)
        cells = visitor_view(dataset, audience, filter_variants(dataset)[0])["cells"]
        diff["smallest_cell_sites"] = (
            int(pd.to_numeric(cells["sites"]).min()) if len(cells) else None
        )
        result[audience] = diff
    result["staff"]["ward_dating"] = ward_dating(dataset, "staff")
    result["staff"]["notify"] = _notify_worst(dataset, homes, key)
    # canvass points an insider would click: near the homes (the query's own
    # coordinates are echoed in the output and must not count as a leak)
    points = []
    for r in homes.head(3).itertuples(index=False):
        lat, lon = _offset(float(r.latitude), float(r.longitude), [35.0], [-20.0])
        points.append((float(lat[0]), float(lon[0])))
    result["exports"] = {
        role: search_exports(
            dataset.cameras, export_texts(dataset, role, points, briefing=briefing)
        )
        for role in ("public", "staff")
    }
    result["failures"] = failures(result, city)
    return result


def _notify_worst(
    dataset: Dataset, homes: pd.DataFrame, key: str | bytes | None
) -> dict[str, Any]:
    """:func:`notify_differencing` around the first targets (staff); the worst."""
    worst: dict[str, Any] = {
        "areas": 0,
        "smallest_difference": None,
        "steps_of_one_home": 0,
    }
    for r in homes.head(2).itertuples(index=False):
        lat, lon = _offset(float(r.latitude), float(r.longitude), [35.0], [-20.0])
        got = notify_differencing(
            dataset.cameras,
            dataset.city,
            "staff",
            (float(lat[0]), float(lon[0])),
            radii_m=tuple(range(20, 201, 4)),
            key=key,
        )
        worst["areas"] += got["areas"]
        worst["steps_of_one_home"] += got["steps_of_one_home"]
        pair = (worst["smallest_difference"], got["smallest_difference"])
        small = [v for v in pair if v is not None]
        worst["smallest_difference"] = min(small) if small else None
    return worst


def failures(result: Mapping[str, Any], city: CityConfig) -> list[str]:
    """The thresholds a :func:`privacy_check` result breaks, in words."""
    k = city.min_group_size
    out = []
    closest = result["canvass"]["staff"]["closest_m"]
    if closest is not None and closest < MIN_LOCATION_ERROR_M:
        out.append(
            f"staff canvasses locate a home within {closest:g} m "
            f"(threshold {MIN_LOCATION_ERROR_M:g} m)"
        )
    located = (result.get("coverage") or {}).get("staff") or {}
    near = located.get("closest_m")
    if near is not None and near < MIN_LOCATION_ERROR_M:
        out.append(
            f"staff: one-incident coverage windows locate a home within {near:g} m "
            f"(threshold {MIN_LOCATION_ERROR_M:g} m)"
        )
    for audience in ("public", "staff"):
        diff = result[audience]
        if diff["smallest_cell_sites"] is not None and diff["smallest_cell_sites"] < k:
            out.append(
                f"{audience}: a map cell shows {diff['smallest_cell_sites']} sites"
            )
        small = diff["smallest_site_difference"]
        if small is not None and small < k:
            out.append(f"{audience}: two views differ by {small} sites in one cell")
        if diff["bare_camera_cells"]:
            out.append(
                f"{audience}: {diff['bare_camera_cells']} hex rows hold cameras but "
                "no incidents"
            )
    staff = result["staff"]
    if staff.get("camera_driven_changes"):
        out.append(
            f"staff: {staff['camera_driven_changes']} cells' coverage changes with a "
            "camera filter"
        )
    for audience in ("public", "staff"):
        diff = result[audience]
        small = diff.get("smallest_ward_site_difference")
        if small is not None and small < k:
            out.append(f"{audience}: two views differ by {small} sites in one ward")
        if diff.get("ward_camera_driven_changes"):
            out.append(
                f"{audience}: {diff['ward_camera_driven_changes']} wards' or "
                "districts' coverage changes with a camera filter"
            )
    dating = staff.get("ward_dating") or {}
    if dating.get("dated_closer_than_a_month"):
        out.append(
            "staff: moving 'Until' one day at a time dates a registration in a "
            f"ward to {dating['finest_dating_days']} day(s)"
        )
    notify = staff.get("notify") or {}
    if notify.get("steps_of_one_home"):
        out.append(
            f"staff: notification areas 4 m apart differ by "
            f"{notify['smallest_difference']} registrations"
        )
    incidents = result["public"]["smallest_incident_difference"]
    if incidents is not None and incidents < k:
        out.append(
            f"public: two views' coverage of one cell differs by {incidents} incidents"
        )
    if result["public"]["camera_driven_changes"]:
        out.append(
            f"public: {result['public']['camera_driven_changes']} cells' coverage "
            "changes with a camera filter"
        )
    for role, leaks in result["exports"].items():
        for export, kinds in leaks.items():
            what = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
            out.append(f"{role} {export}: {what} of residential or withdrawn cameras")
    return out


def _round(value: float) -> float:
    return round(value, 1) if math.isfinite(value) else math.inf


def _round5(value: float) -> str:
    return f"{float(value):.5f}"


def _trunc5(value: float) -> str:
    v = float(value)
    return f"{math.trunc(v * 1e5) / 1e5:.5f}"


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "<na>") else text


__all__ = [
    "ROLES",
    "Located",
    "ViewFilters",
    "attack_targets",
    "differencing",
    "export_texts",
    "failures",
    "filter_variants",
    "locate_by_canvass",
    "locate_by_coverage",
    "notify_differencing",
    "parse_band",
    "privacy_check",
    "probe_points",
    "search_exports",
    "secrets_of",
    "single_incident_windows",
    "visitor_view",
    "ward_dating",
]
