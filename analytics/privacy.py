"""Audiences and the one redaction step every page, download and export goes through.

Three audiences (``ROLES``), from least to most trusted:

``public``
    Aggregates only. Cameras appear as counts per H3 cell; a cell holding fewer
    sites than ``city.min_group_size`` is merged with its neighbours into the
    parent cell (up to ``MERGE_LEVELS`` levels up) or, if still too small,
    suppressed. No addresses, names, contacts or exact points of private cameras.
``staff``
    Exact points of business, institutional and city-owned (``public``) cameras;
    residential cameras aggregated as for the public; no contacts and no
    residential addresses or coordinates.
``investigator``
    Everything, including owner names and contacts.

Small groups are counted in *sites* (registrations, i.e. owners), not cameras: a
single home with six cameras is still one household, so a cell needs at least
``min_group_size`` sites, and therefore at least that many cameras, to be shown.

>>> validate_audience("staff")
'staff'

Who gets which audience is decided by sign-in (``analytics.accounts``): an
account's role, or public without one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely.geometry

from analytics.changes import ward_changes
from analytics.config import CityConfig
from analytics.schema import (
    CATEGORIES,
    CONTACT_COLUMNS,
    LOCATION_COLUMNS,
    OWNER_TYPES,
    TIERS,
    WGS84,
)
from analytics.windows import default_window

ROLES = ("public", "staff", "investigator")
# Owner types whose cameras each audience may see as exact points.
EXACT_OWNER_TYPES: dict[str, tuple[str, ...]] = {
    "public": (),
    "staff": ("business", "institutional", "public"),
    "investigator": OWNER_TYPES,
}
# Owner types whose location is not private (city-owned cameras on poles).
NON_PRIVATE_OWNER_TYPES = ("public",)
# How many parent levels a sparse cell may climb before it is suppressed: three
# levels up from resolution 8 is ~36 km2, about a fifth of the city.
MERGE_LEVELS = 3
CELL_COLUMNS = ("h3", "resolution", "cameras", "sites", "integrated", "merged")
# Owner types whose exact place is hidden below investigator, and what a missing or
# unrecognised owner type counts as (fail closed).
PRIVATE_OWNER_TYPE = "residential"
# Below investigator, a residential site is placed (for canvass distances, bands
# and area searches) at a stand-in point this far (metres) from where it is, in a
# direction and distance fixed per place and owner by a keyed hash: no number of
# queries gets closer than DISPLACE_MIN_M to the home.
DISPLACE_MIN_M = 30.0
DISPLACE_MAX_M = 60.0
# Secret mixed into that hash. Set it in production: without it the offsets still
# depend on owner contacts and addresses staff cannot see.
PRIVACY_KEY_ENV = "CAMREG_PRIVACY_KEY"
_EARTH_M = 6_371_008.8
# Per-cell coverage (in view or not) is published below investigator only for a
# window of at least this many days, in cells with at least ``min_group_size``
# registered sites (whole active registry) and incidents.
MIN_COVERAGE_WINDOW_DAYS = 28
# The public view is fixed: the 12 months up to the data's date (public_settings).
PUBLIC_WINDOW_MONTHS = 12
# Columns of hex and gap tables that count or locate cameras (investigators only)
HEX_CAMERA_COLUMNS = ("cameras", "cameras_per_km2", "nearest_camera_m")
# Ward-table columns describing cameras (blanked below min_group_size sites) and
# incident coverage (blanked unless coverage_publishable).
WARD_COUNT_COLUMNS = (
    "cameras",
    "sites",
    "integrated_cameras",
    "cameras_per_km2",
    "covered_area_km2",
    "area_coverage_share",
    "cameras_change",
)
WARD_SHARE_COLUMNS = (
    "incidents_covered",
    "incident_coverage_share",
    "live_incident_coverage_share",
    "weighted_incident_coverage_share",
    "weighted_incident_coverage_share_change",
)
HEX_COVERAGE_COLUMNS = (
    "incidents_covered",
    "incidents_uncovered",
    "coverage_share",
    "weighted_uncovered",
    "violent",
    "property",
    "other",
)


@dataclass(frozen=True)
class RedactedCameras:
    """What one audience may see of the camera registry.

    Attributes
    ----------
    points
        Cameras this audience may see as exact points (WGS84), with only the
        columns it may see.
    cells
        Aggregated counts for the other cameras: ``h3`` (cell id; for a merged
        group, the parent cell), ``resolution``, ``cameras`` (sum of
        ``camera_count``), ``sites``, ``integrated`` (cameras at integrated
        sites), ``merged`` (True for a group of sparse cells) and polygon
        ``geometry`` in WGS84.
    note
        One or two sentences saying what was aggregated, merged and suppressed.
    audience
        The audience the output was made for.
    merged_cameras, suppressed_cameras
        Cameras counted in a merged parent group / left out of every output.
    """

    points: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame
    note: str
    audience: str
    merged_cameras: int = 0
    suppressed_cameras: int = 0


def validate_audience(audience: str) -> str:
    """Return ``audience`` if it is one of ``ROLES``, else raise ValueError."""
    if audience not in ROLES:
        raise ValueError(
            f"`audience` was {audience!r} but is expected to be in {ROLES}"
        )
    return audience


def redact_cameras(
    cameras: pd.DataFrame,
    audience: str,
    city: CityConfig,
    *,
    resolution: int | None = None,
    active_only: bool = True,
    cell_source: pd.DataFrame | None = None,
) -> RedactedCameras:
    """Split the registry into exact points and aggregated cells for ``audience``.

    Parameters
    ----------
    cameras
        Canonical camera frame (``analytics.schema.CAMERA_COLUMNS``).
    audience
        One of ``ROLES``.
    city
        Supplies ``min_group_size`` and the default ``hex_resolution``.
    resolution
        H3 resolution of the finest cells (default ``city.hex_resolution``).
    active_only
        Drop withdrawn cameras first (default): an owner who withdrew is no
        longer part of the program and appears nowhere.
    cell_source
        Count the cells from this frame instead of ``cameras``: pass the whole
        active registry (:func:`registry_snapshot`) so that the counts do not
        change with a visitor's filters (differencing two filtered views would
        otherwise count single homes).

    Returns
    -------
    RedactedCameras
    """
    validate_audience(audience)
    resolution = city.hex_resolution if resolution is None else int(resolution)
    if not 0 <= resolution <= 15:
        raise ValueError(f"`resolution` was {resolution} but is expected to be 0-15")
    frame = _as_geoframe(cameras)
    if active_only and "status" in frame:
        frame = frame[frame["status"] != "withdrawn"]

    exact = _exact(frame, audience)
    points = redact_table(frame[exact], audience)
    if not isinstance(points, gpd.GeoDataFrame):
        points = gpd.GeoDataFrame(points, geometry=[], crs=WGS84)

    if cell_source is not None:
        frame = registry_snapshot(cell_source)
        exact = _exact(frame, audience)
    cells, merged, suppressed = _aggregate(
        frame[~exact], resolution, city.min_group_size
    )
    note = _note(audience, points, cells, merged, suppressed, city, resolution)
    return RedactedCameras(points, cells, note, audience, merged, suppressed)


def _exact(frame: pd.DataFrame, audience: str) -> np.ndarray:
    """Rows ``audience`` may see as exact points (unknown owners: private)."""
    if "owner_type" in frame:
        out: np.ndarray = frame["owner_type"].isin(EXACT_OWNER_TYPES[audience])
        return np.asarray(out, dtype=bool)
    return np.full(len(frame), audience == "investigator")


def redact_table(frame: pd.DataFrame, audience: str) -> pd.DataFrame:
    """Copy of ``frame`` without what ``audience`` may not see.

    * Contact columns (``owner_name``, ``contact_phone``, ``contact_email``) are
      dropped unless the audience is ``investigator``.
    * For ``public``, the ``latitude``, ``longitude``, ``address`` and geometry
      of every private camera (any owner type but city-owned) are blanked; for
      ``staff`` those of residential cameras. Rows without an ``owner_type``
      count as private.

    Other columns (distances, tiers, counts) are kept, so this works on any
    table derived from the registry (canvass lists, notification lists, exports).
    """
    validate_audience(audience)
    out = frame.copy()
    if audience == "investigator":
        return out
    out = out.drop(columns=[c for c in CONTACT_COLUMNS if c in out.columns])
    visible = ("public",) if audience == "public" else EXACT_OWNER_TYPES["staff"]
    if "owner_type" in out.columns:
        hide = ~out["owner_type"].isin(visible).to_numpy()
    else:
        hide = np.ones(len(out), dtype=bool)
    if not hide.any():
        return out
    for col in LOCATION_COLUMNS:
        if col not in out.columns:
            continue
        if isinstance(out, gpd.GeoDataFrame) and col == out.geometry.name:
            geometry = out.geometry.copy()
            geometry[hide] = None
            out = out.set_geometry(geometry)
        elif pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(float).mask(hide)
        else:
            out[col] = out[col].astype(object).mask(hide, None)
    return out


def suppress_small_groups(
    table: pd.DataFrame,
    city: CityConfig,
    *,
    sites_column: str = "sites",
    count_columns: tuple[str, ...] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Blank the counts of rows (wards, districts ...) with too few sites.

    For public tables of camera counts by an area that cannot be merged upwards
    like H3 cells. Rows whose ``sites_column`` is below ``city.min_group_size``
    keep their name but get missing values in ``count_columns`` (default: every
    numeric column).

    Returns
    -------
    (DataFrame, str)
        The copy and a note such as "2 areas with fewer than 5 sites are not
        shown." (empty when nothing was blanked).
    """
    if sites_column not in table:
        raise ValueError(
            f"`sites_column` was {sites_column!r} but is expected to be one of "
            f"{list(table.columns)}"
        )
    out = table.copy()
    small = (
        pd.to_numeric(out[sites_column], errors="coerce").fillna(0)
        < city.min_group_size
    ).to_numpy()
    if count_columns is None:
        count_columns = tuple(
            c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])
        )
    for col in count_columns:
        if col in out:
            out[col] = out[col].astype("Float64").mask(small)
    n = int(small.sum())
    if not n:
        return out, ""
    areas = "area has" if n == 1 else "areas have"
    return out, (
        f"{n} {areas} fewer than {city.min_group_size} sites; their counts are not "
        "shown."
    )


def registry_snapshot(
    cameras: pd.DataFrame, as_of: date | str | None = None
) -> pd.DataFrame:
    """The whole active registry (every tier and owner type), as of a date.

    Public counts are computed from this, once per dataset, never from the
    filtered cameras: then no two views a visitor can produce (window, tiers,
    owner types, wards) differ in any cell, so differencing them learns nothing.
    """
    from analytics.coverage import filter_cameras

    frame = filter_cameras(cameras, as_of=as_of) if as_of is not None else cameras
    if "status" in frame:
        frame = frame[frame["status"] != "withdrawn"]
    return frame


def sites_per_cell(cameras: pd.DataFrame, resolution: int) -> pd.Series:
    """Active registered sites per H3 cell (index: cell id as text)."""
    from analytics.hexgrid import cells_for

    active = registry_snapshot(cameras)
    cells = cells_for(
        pd.to_numeric(active["latitude"], errors="coerce").to_numpy(float),
        pd.to_numeric(active["longitude"], errors="coerce").to_numpy(float),
        resolution,
    )
    cells = cells[cells != 0]
    counts = pd.Series(cells).value_counts()
    counts.index = [h3.int_to_str(int(c)) for c in counts.index]
    return counts.astype(int)


def coverage_publishable(
    sites: np.ndarray | pd.Series,
    incidents: np.ndarray | pd.Series,
    city: CityConfig,
    window_days: int | None,
) -> np.ndarray:
    """Where a coverage figure (incidents in view or not) may be shown below
    investigator: at least ``min_group_size`` sites and incidents, and a window
    of at least ``MIN_COVERAGE_WINDOW_DAYS`` days (None: the whole record).

    With fewer, single incidents could be tested against single cameras: a
    public incident "in view" puts a camera within its range of that point.
    """
    k = city.min_group_size
    sites = pd.to_numeric(pd.Series(np.asarray(sites)), errors="coerce").fillna(0)
    incidents = pd.to_numeric(pd.Series(np.asarray(incidents)), errors="coerce")
    ok = (sites >= k).to_numpy() & (incidents.fillna(0) >= k).to_numpy()
    if window_days is not None and window_days < MIN_COVERAGE_WINDOW_DAYS:
        ok[:] = False
    return np.asarray(ok, dtype=bool)


def protect_hexes(
    hexes: gpd.GeoDataFrame,
    audience: str,
    city: CityConfig,
    *,
    sites: pd.Series | None,
    window_days: int | None,
    empty_cells: bool = False,
) -> gpd.GeoDataFrame:
    """A hex (or gap) table as ``audience`` may see it.

    Below investigator:

    * no camera counts or distances (``HEX_CAMERA_COLUMNS``);
    * only cells with incidents: a row for a cell without incidents would say
      that it holds a camera;
    * coverage figures (``HEX_COVERAGE_COLUMNS``) blanked unless
      :func:`coverage_publishable`, judged with ``sites`` (active sites per
      cell of the whole registry, :func:`sites_per_cell`; None blanks all).
      With ``empty_cells`` (the gap ranking) a cell holding no site keeps its
      figures too: nothing in it is private.

    The result carries ``attrs["coverage_withheld"]``, the number of cells whose
    coverage was blanked.
    """
    validate_audience(audience)
    if audience == "investigator":
        return hexes
    out = hexes.drop(columns=[c for c in HEX_CAMERA_COLUMNS if c in hexes.columns])
    if "incidents" in out:
        out = out[pd.to_numeric(out["incidents"], errors="coerce").fillna(0) > 0]
    out = out.copy()
    held = (
        sites.reindex(out["h3"].astype(str)).fillna(0).to_numpy()
        if sites is not None and "h3" in out
        else np.zeros(len(out))
    )
    incidents = out.get("incidents", pd.Series(0, index=out.index))
    ok = coverage_publishable(held, incidents, city, window_days)
    if empty_cells:
        ok |= coverage_publishable(
            np.full(len(out), city.min_group_size), incidents, city, window_days
        ) & (held == 0)
    for col in HEX_COVERAGE_COLUMNS:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[~ok, col] = np.nan
    out.attrs = {**hexes.attrs, "coverage_withheld": int((~ok).sum())}
    return out


def protect_ward_table(
    table: pd.DataFrame,
    audience: str,
    city: CityConfig,
    *,
    window_days: int | None,
    count_columns: tuple[str, ...],
    share_columns: tuple[str, ...],
    sites_column: str = "sites",
    incidents_column: str = "incidents",
) -> tuple[pd.DataFrame, str]:
    """Ward (or district) table with the small-group rules applied below
    investigator.

    Camera ``count_columns`` of rows with fewer than ``min_group_size`` sites are
    blanked (:func:`suppress_small_groups`); coverage ``share_columns`` are
    blanked unless :func:`coverage_publishable`. Returns the table and a note
    (empty when nothing was blanked).
    """
    validate_audience(audience)
    if audience == "investigator":
        return table, ""
    sites = table[sites_column].copy()
    out, note = suppress_small_groups(
        table, city, sites_column=sites_column, count_columns=count_columns
    )
    ok = coverage_publishable(sites, table[incidents_column], city, window_days)
    for col in share_columns:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[~ok, col] = np.nan
    blanked = int((~ok).sum())
    if blanked:
        short = window_days is not None and window_days < MIN_COVERAGE_WINDOW_DAYS
        why = (
            f"the window is shorter than {MIN_COVERAGE_WINDOW_DAYS} days"
            if short
            else f"fewer than {city.min_group_size} sites or incidents"
        )
        note = (note + " " if note else "") + (
            f"Coverage is not shown for {blanked} area"
            f"{'s' if blanked != 1 else ''}: {why}."
        )
    return out, note


def public_settings(
    as_of: date, incidents: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The one view the public gets of a dataset, whatever filters it picks.

    The default window of :func:`analytics.windows.default_window` (the
    ``PUBLIC_WINDOW_MONTHS`` months ending on the newest incident in
    ``incidents``, else on ``as_of``: the same window the dashboard and the
    command line open on), every offence category, every tier and owner type,
    default camera ranges, and the registry as of ``as_of`` (the data's date).
    Two public views of one dataset are then identical: no window, category,
    tier, owner or range setting can be varied to difference out a home or a
    single incident.

    >>> public_settings(date(2026, 11, 1))["since"]
    datetime.date(2025, 11, 2)
    """
    window = default_window(incidents, as_of, months=PUBLIC_WINDOW_MONTHS)
    return {
        "since": window.since,
        "until": window.until,
        "categories": CATEGORIES,
        "tiers": TIERS,
        "owner_types": OWNER_TYPES,
        "range_scale": 1.0,
        "cameras_as_of": as_of,
    }


def area_camera_settings(audience: str) -> dict[str, Any]:
    """The camera settings behind per-cell and per-ward figures for ``audience``.

    Below investigator, every per-cell and per-ward figure (coverage of a map
    cell or a gap cell, a ward's cameras, sites and coverage) is computed from
    the whole active registry on the data's date at the default ranges: every
    tier and owner type, verified or not, ``range_scale`` 1. The sidebar's
    camera filters (tiers, owner types, verified only, range) then change
    city-wide figures only, so no two views of a cell or a ward differ by a
    filtered-out handful of homes. The incident window and offence categories
    still apply (incidents are public); a window shorter than
    ``MIN_COVERAGE_WINDOW_DAYS`` shows no per-cell or per-ward coverage at all.

    Returns an empty dict for investigators (their filters apply everywhere).

    >>> sorted(area_camera_settings("staff"))
    ['owner_types', 'range_scale', 'tiers', 'verified_only']
    >>> area_camera_settings("investigator")
    {}
    """
    validate_audience(audience)
    if audience == "investigator":
        return {}
    return {
        "tiers": TIERS,
        "owner_types": OWNER_TYPES,
        "range_scale": 1.0,
        "verified_only": False,
    }


AREA_FILTERS_NOTE = (
    "Per-cell and per-ward figures count every active camera at the default "
    "ranges, whatever the tier, owner, verified and range filters say (those "
    "change the city-wide figures only): two views of one cell or ward that "
    "differ by a few filtered-out cameras would single out homes. Investigators "
    "see them filtered."
)


def change_days(
    since: date, until: date, as_of: date, audience: str
) -> tuple[date, date]:
    """The two registry days a "change in the window" compares, for ``audience``.

    Investigators: the day before ``since`` and ``until`` (capped at
    ``as_of``). Below investigator both ends are month ends: the last day of the
    month before ``since``'s month, and the last day of ``until``'s month, or of
    the month before when that day is after ``as_of`` (a month counts once it is
    complete). Moving "Until" or "Since" one day at a time then changes no
    per-ward count until a month boundary is crossed, and the two registry days
    of neighbouring views are at least a month apart, so differencing them
    cannot date a single registration closer than its month.

    >>> change_days(date(2026, 3, 17), date(2026, 6, 9), date(2026, 11, 1), "staff")
    (datetime.date(2026, 2, 28), datetime.date(2026, 6, 30))
    >>> change_days(date(2025, 11, 2), date(2026, 11, 1), date(2026, 11, 1), "staff")
    (datetime.date(2025, 10, 31), datetime.date(2026, 10, 31))
    >>> change_days(date(2026, 3, 17), date(2026, 6, 9), date(2026, 11, 1),
    ...     "investigator")
    (datetime.date(2026, 3, 16), datetime.date(2026, 6, 9))
    """
    validate_audience(audience)
    if audience == "investigator":
        return since - timedelta(days=1), min(until, as_of)
    before = since.replace(day=1) - timedelta(days=1)
    end = (pd.Timestamp(until) + pd.offsets.MonthEnd(0)).date()
    if end > as_of:
        end = until.replace(day=1) - timedelta(days=1)
    return before, max(end, before)


# Counts of a drawn area (notification previews) below investigator are rounded
# to the nearest multiple of this, as the notice preview is.
COUNT_ROUNDING = 5


def rounded_counts(counts: Mapping[str, Any], audience: str) -> dict[str, Any]:
    """Integer counts of an area as ``audience`` may see them.

    Exact for investigators; below, every integer (nested dicts too) rounded to
    the nearest multiple of ``COUNT_ROUNDING``, and ``rounded_to`` added. Two
    areas a house apart then differ by 0 or by a multiple of
    ``COUNT_ROUNDING``, never by one registration.

    >>> rounded_counts({"sites": 3, "owners": 1}, "staff")
    {'sites': 5, 'owners': 0, 'rounded_to': 5}
    """
    validate_audience(audience)
    if audience == "investigator":
        return dict(counts)

    def rnd(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: rnd(v) for k, v in value.items()}
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            return value
        return int(COUNT_ROUNDING * round(int(value) / COUNT_ROUNDING))

    out = {k: rnd(v) for k, v in counts.items()}
    out["rounded_to"] = COUNT_ROUNDING
    return out


def protected_ward_changes(
    wards: pd.DataFrame,
    start: pd.DataFrame,
    end: pd.DataFrame,
    audience: str,
    city: CityConfig,
    *,
    window_days: int | None,
) -> tuple[pd.DataFrame, str]:
    """The ward table with its "change in the window" columns, as ``audience``
    may see it.

    ``wards`` is the coverage report's ward table (below investigator: of the
    whole registry, :func:`area_camera_settings`); ``start`` and ``end`` the
    ward tables of the registries on the two days of :func:`change_days`. Adds
    ``cameras_change`` and ``weighted_incident_coverage_share_change``, then
    applies :func:`protect_ward_table`; the public sees no change columns at all.
    Returns the table and the note of what was withheld.
    """
    changes = ward_changes(end, start)
    table = wards.merge(
        changes[
            ["ward_id", "cameras_change", "weighted_incident_coverage_share_change"]
        ],
        on="ward_id",
        how="left",
    )
    table, note = protect_ward_table(table, audience, city, **ward_privacy(window_days))
    if audience == "public":  # one fixed view: nothing to compare it with
        table[["cameras_change", "weighted_incident_coverage_share_change"]] = np.nan
    # withheld values as NaN (plain floats), not pd.NA: maps and charts test them
    for col in table.columns:
        if isinstance(table[col].dtype, pd.Float64Dtype):
            table[col] = table[col].astype(float)
    return table, note


def protect_districts(
    table: pd.DataFrame, audience: str, city: CityConfig, *, window_days: int | None
) -> pd.DataFrame:
    """A police-district coverage table (``wards.district_table``) for ``audience``.

    Below investigator the coverage columns of a district with fewer than
    ``min_group_size`` incidents, or of a window shorter than
    ``MIN_COVERAGE_WINDOW_DAYS``, are blanked (single incidents tested against
    the cameras); the cameras are the whole registry's
    (:func:`area_camera_settings`).
    """
    validate_audience(audience)
    if audience == "investigator" or not len(table):
        return table
    out = table.copy()
    enough = np.full(len(out), city.min_group_size)
    ok = coverage_publishable(enough, out["incidents"], city, window_days)
    for col in out.columns:
        if col.endswith("_share") or col == "incidents_covered":
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[~ok, col] = np.nan
    return out


def ward_privacy(window_days: int | None) -> dict[str, Any]:
    """Keywords of :func:`protect_ward_table` for the coverage report's ward table.

    >>> sorted(ward_privacy(30))[:2]
    ['count_columns', 'share_columns']
    """
    return {
        "window_days": window_days,
        "count_columns": WARD_COUNT_COLUMNS,
        "share_columns": WARD_SHARE_COLUMNS,
    }


def redact_event_details(
    details: str | None, owners: Mapping[str, Any], audience: str
) -> str | None:
    """An audit event's JSON ``details`` as ``audience`` may read them.

    Below investigator, ``camera_ids`` (of a canvass or notification list) keep
    only the cameras whose place the audience may see: a home's id tied to the
    point of a canvass would let a reader follow it from query to query.
    ``owners`` maps camera id to owner type (unknown ids count as private).
    """
    validate_audience(audience)
    if audience == "investigator" or not details:
        return details
    try:
        data = json.loads(details)
    except (TypeError, ValueError):
        return details
    if not isinstance(data, dict) or "camera_ids" not in data:
        return details
    exact = set(EXACT_OWNER_TYPES[audience])
    ids = [str(c) for c in data.get("camera_ids") or []]
    kept = [c for c in ids if owners.get(c) in exact]
    data["camera_ids"] = kept
    if len(kept) < len(ids):
        data["private_cameras_not_shown"] = len(ids) - len(kept)
    return json.dumps(data)


def is_private(owner_type: pd.Series) -> np.ndarray:
    """True for rows whose place is hidden below investigator.

    Residential, and any owner type that is missing or not one of
    ``OWNER_TYPES`` (fail closed).
    """
    known = owner_type.astype(object).isin(EXACT_OWNER_TYPES["staff"])
    return np.asarray(~known.to_numpy(bool), dtype=bool)


# the fields of a registration its stand-in point depends on (besides the point):
# the address and the owner (analytics.identity.address_key, owner_key)
STAND_IN_FIELDS = ("address", "contact_email", "contact_phone", "owner_name")


def stand_in_positions(
    frame: pd.DataFrame, *, key: str | bytes | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A stand-in (lat, lon) per row, ``DISPLACE_MIN_M``-``DISPLACE_MAX_M`` m away.

    The offset's direction and length come from a keyed BLAKE2 hash of the
    place (coordinates to about a metre and the address) and the owner
    (:func:`analytics.identity.owner_key`), so every registration of one owner at
    one place moves to the same stand-in point, the same one on every query:
    repeating or averaging queries learns that point and nothing closer. The key
    is ``key``, else ``$CAMREG_PRIVACY_KEY``, else empty.

    >>> f = pd.DataFrame({"latitude": [34.74], "longitude": [-92.33]})
    >>> lat, lon = stand_in_positions(f, key="k")
    >>> bool(30 <= distance_m(34.74, -92.33, lat[0], lon[0]) <= 60)
    True
    """
    from analytics.identity import address_key, owner_key

    if key is None:
        key = os.environ.get(PRIVACY_KEY_ENV, "")
    secret = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    secret = hashlib.blake2b(secret, digest_size=32).digest()
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(float)
    u = np.empty((len(frame), 2))
    # only what the place and owner keys read (a whole registry's records are
    # twice as slow to build)
    records = frame.reindex(columns=list(STAND_IN_FIELDS)).to_dict("records")
    for i, rec in enumerate(records):
        text = "|".join(
            (
                f"{lat[i]:.5f},{lon[i]:.5f}",
                address_key(rec.get("address")),
                owner_key(rec),
            )
        )
        digest = hashlib.blake2b(text.encode("utf-8"), key=secret, digest_size=16)
        raw = np.frombuffer(digest.digest(), dtype=np.uint64)
        u[i] = raw / float(2**64)
    bearing = np.radians(360.0 * u[:, 0])
    dist = DISPLACE_MIN_M + (DISPLACE_MAX_M - DISPLACE_MIN_M) * u[:, 1]
    north, east = dist * np.cos(bearing), dist * np.sin(bearing)
    new_lat = lat + np.degrees(north / _EARTH_M)
    new_lon = lon + np.degrees(east / (_EARTH_M * np.cos(np.radians(lat))))
    return new_lat, new_lon


def cameras_for_coverage(
    cameras: pd.DataFrame, audience: str, *, key: str | bytes | None = None
) -> pd.DataFrame:
    """The registry every coverage figure for ``audience`` is computed from.

    Investigators get ``cameras`` as they are. Below investigator (and for an
    audience that is not one of ``ROLES``: fail closed), every private camera
    (:func:`is_private`: residential, or an owner type missing or not
    recognised) is moved to its stand-in point (:func:`stand_in_positions`, the
    same point the canvass finds it at, ``DISPLACE_MIN_M``-``DISPLACE_MAX_M`` m
    from the home): ``latitude``, ``longitude`` and the point geometry, if any.
    Whether a public incident was in view of some camera, in any window, then
    tells no more about a home than the stand-in point already does.

    >>> f = pd.DataFrame({"latitude": [34.74], "longitude": [-92.33],
    ...     "owner_type": ["residential"]})
    >>> moved = cameras_for_coverage(f, "staff", key="k")
    >>> bool(30 <= distance_m(34.74, -92.33, moved["latitude"][0],
    ...     moved["longitude"][0]) <= 60)
    True
    >>> cameras_for_coverage(f, "investigator") is f
    True
    """
    if audience == "investigator":
        return cameras
    if not len(cameras):
        return cameras
    owner = cameras.get("owner_type", pd.Series(None, index=cameras.index))
    private = is_private(owner)
    if not private.any():
        return cameras
    lat, lon = stand_in_positions(cameras[private], key=key)
    out = cameras.copy()
    out.loc[private, "latitude"] = lat
    out.loc[private, "longitude"] = lon
    if isinstance(out, gpd.GeoDataFrame) and out.geometry.name in out:
        geometry = out.geometry.copy()
        geometry[private] = gpd.points_from_xy(lon, lat, crs=out.crs)
        out = out.set_geometry(geometry)
    return out


def distance_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in metres, element-wise (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: np.ndarray = 2 * _EARTH_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return out


# --- helpers ------------------------------------------------------------------------
def _as_geoframe(cameras: pd.DataFrame) -> gpd.GeoDataFrame:
    if isinstance(cameras, gpd.GeoDataFrame):
        return cameras
    return gpd.GeoDataFrame(
        cameras,
        geometry=gpd.points_from_xy(cameras["longitude"], cameras["latitude"]),
        crs=WGS84,
    )


def _empty_cells() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in CELL_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=[], crs=WGS84)


def _aggregate(
    frame: pd.DataFrame, resolution: int, min_group: int
) -> tuple[gpd.GeoDataFrame, int, int]:
    """Counts per H3 cell; sparse cells merged upwards, then suppressed.

    Each base cell belongs to at most one output group, so groups never
    overlap: a merged group's polygon is its parent's base-resolution cells not
    already shown by a finer group.
    """
    lat = pd.to_numeric(frame.get("latitude"), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(frame.get("longitude"), errors="coerce").to_numpy(float)
    placed = np.isfinite(lat) & np.isfinite(lon)
    count = (
        pd.to_numeric(frame["camera_count"], errors="coerce").fillna(1).to_numpy(int)
        if "camera_count" in frame
        else np.ones(len(frame), dtype=int)
    )
    integrated = (
        (frame["tier"] == "integrated").to_numpy(bool)
        if "tier" in frame
        else np.zeros(len(frame), dtype=bool)
    )
    unplaced = int(count[~placed].sum())
    if not placed.any():
        return _empty_cells(), 0, unplaced
    base = np.array(
        [
            h3.latlng_to_cell(a, b, resolution)
            for a, b in zip(lat[placed], lon[placed], strict=True)
        ]
    )
    sites = pd.DataFrame(
        {
            "base": base,
            "cameras": count[placed],
            "integrated": np.where(integrated[placed], count[placed], 0),
        }
    )
    sites["group"] = sites["base"]
    claimed: set[str] = set()
    rows: list[dict[str, Any]] = []
    merged = 0
    lowest = max(resolution - MERGE_LEVELS, 0)
    for level in range(resolution, lowest - 1, -1):
        if sites.empty:
            break
        if level < resolution:
            sites["group"] = [h3.cell_to_parent(c, level) for c in sites["base"]]
        grouped = sites.groupby("group", sort=True).agg(
            cameras=("cameras", "sum"),
            sites=("cameras", "size"),
            integrated=("integrated", "sum"),
        )
        keep = grouped[grouped["sites"] >= min_group]
        for cell, row in keep.iterrows():
            if level == resolution:
                members = {cell}
            else:
                members = set(h3.cell_to_children(cell, resolution)) - claimed
                merged += int(row["cameras"])
            claimed |= members
            rows.append(
                {
                    "h3": cell,
                    "resolution": level,
                    "cameras": int(row["cameras"]),
                    "sites": int(row["sites"]),
                    "integrated": int(row["integrated"]),
                    "merged": level < resolution,
                    "geometry": shapely.geometry.shape(h3.cells_to_geo(list(members))),
                }
            )
        sites = sites[~sites["group"].isin(keep.index)]
    suppressed = unplaced + int(sites["cameras"].sum())
    if not rows:
        return _empty_cells(), merged, suppressed
    cells = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    return cells, merged, suppressed


def _note(
    audience: str,
    points: pd.DataFrame,
    cells: pd.DataFrame,
    merged: int,
    suppressed: int,
    city: CityConfig,
    resolution: int,
) -> str:
    n_points = (
        int(pd.to_numeric(points["camera_count"]).sum())
        if "camera_count" in points
        else len(points)
    )
    in_cells = int(cells["cameras"].sum()) if len(cells) else 0
    parts = []
    if audience == "investigator":
        parts.append(
            f"Investigator view: all {n_points:,} cameras as exact points, "
            "with owner contacts."
        )
    else:
        shown = {
            "public": "No exact camera locations, addresses or owner contacts",
            "staff": (
                f"{n_points:,} business, institutional and city cameras as exact "
                "points; residential cameras only as counts; no owner contacts"
            ),
        }[audience]
        parts.append(
            f"{audience.capitalize()} view: {shown}. {in_cells:,} cameras are "
            f"counted in {len(cells):,} map cells (H3 resolution {resolution}); "
            f"a cell is shown only with at least {city.min_group_size} sites."
        )
    if merged:
        parts.append(
            f"{_cameras(merged)} in sparse cells {_were(merged)} merged into larger "
            "parent cells."
        )
    if suppressed:
        parts.append(
            f"{_cameras(suppressed)} {_were(suppressed)} suppressed (too few sites "
            "nearby, or no "
            "usable location)."
        )
    return " ".join(parts)


def _cameras(n: int) -> str:
    return f"{n:,} camera" if n == 1 else f"{n:,} cameras"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"
