"""Incident canvass and area notification: which registered cameras may have seen it.

After an incident, investigators want the active cameras near it, nearest first:
integrated cameras can be viewed now, registered ones mean asking the owner for
footage. After a wider event, police want to notify every owner in an area at
once. Both lists go to the audit log with who asked, when, where and the case.

Build the index once, then query it as often as needed:

>>> index = CameraIndex(cameras, city)                          # doctest: +SKIP
>>> canvass(index, 34.7465, -92.2896, at=datetime(2026, 10, 31, 22, 15))  # +SKIP

Rules (documented in docs/privacy-and-canvass.md):

* withdrawn cameras never appear;
* ``in_view`` is True/False when the camera's direction is known (a sector of
  ``fov_deg`` out to ``range_m``) or when it sees all round (dome, PTZ, 360 or a
  ``0-360`` direction: True within range); it is null when the direction is
  unknown;
* ``footage_available`` is True when ``at + retention_days`` is after ``now``,
  False when it is not, null when the retention is unknown;
* contacts appear only for the ``investigator`` role (``privacy.redact_table``);
  the ``public`` role cannot canvass at all;
* below investigator, residential cameras (and any without a known owner type)
  are never listed one by one: they are found at a stand-in point 30-60 m from
  the home (:func:`analytics.privacy.stand_in_positions`) and reported only as
  counts per distance band (``RESIDENTIAL_BANDS_M``), with no id, distance,
  direction or view; no number of queries locates a home closer than 30 m.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import Geod
from scipy.spatial import cKDTree

from analytics.config import CityConfig
from analytics.privacy import (
    PRIVATE_OWNER_TYPE,
    is_private,
    redact_table,
    rounded_counts,
    stand_in_positions,
    validate_audience,
)
from analytics.schema import CONTACT_COLUMNS
from analytics.viewshed import parse_direction, prepare_cameras, to_metric

if TYPE_CHECKING:
    from analytics.store import RegistryStore

CANVASS_ROLES = ("staff", "investigator")
ACTIONS = {"integrated": "view now", "registered": "ask the owner"}
# Radii a canvass accepts (metres): beyond a few km it is no longer a canvass.
MAX_RADIUS_M = 5_000.0
MAX_NEAREST = 100
# Metric-CRS distances differ from true (geodesic) ones by a scale factor well
# under 0.1% in a UTM zone; query the tree a little wider, then filter exactly.
SEARCH_PAD = 1.002
SEARCH_PAD_M = 1.0
ADDRESS_MATCHES = 10
# Distance bands (upper edges, metres) in which staff see residential cameras
# counted; the canvass radius closes the last band, "beyond" holds the nearest N.
RESIDENTIAL_BANDS_M = (50.0, 150.0, 300.0, 500.0, 1_000.0, 2_000.0)
PRIVATE_ACTION = "ask an investigator"
CANVASS_ACTION = "canvass"
NOTIFY_ACTION = "area_notification"
# the "unknown" value of object arrays built with np.where (numpy's stubs take an
# array there, not a bare None; the result is the same object array)
NONE = np.array(None, dtype=object)
# Columns of a canvass result, in order (contacts last; dropped unless investigator).
CANVASS_COLUMNS = (
    "camera_id",
    "distance_m",
    "from_incident",
    "distance_band",
    "within_radius",
    "tier",
    "action",
    "owner_type",
    "sites",
    "camera_count",
    "camera_type",
    "direction_deg",
    "range_m",
    "in_view",
    "retention_days",
    "footage_until",
    "footage_available",
    "latitude",
    "longitude",
    "address",
    *CONTACT_COLUMNS,
)
NOTIFY_COLUMNS = (
    "camera_id",
    "tier",
    "owner_type",
    "camera_count",
    "latitude",
    "longitude",
    "address",
    *CONTACT_COLUMNS,
)
_GEOD = Geod(ellps="WGS84")
_COMPASS8 = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


class CameraIndex:
    """Active cameras of a registry with a KD-tree on metric coordinates.

    Built once (about a second for 30,000 cameras), then shared: canvass and
    area notification queries only read it. Withdrawn cameras are left out.

    Parameters
    ----------
    cameras
        Canonical camera frame (WGS84).
    city
        Supplies the metric CRS, ranges, field of view and canvass defaults.
    stand_ins
        Place residential cameras (and any without a known owner type) at their
        stand-in points (:func:`analytics.privacy.stand_in_positions`): the
        index roles below investigator query, see :meth:`for_role`.
    key
        Key of the stand-in offsets (default ``$CAMREG_PRIVACY_KEY``).
    """

    def __init__(
        self,
        cameras: gpd.GeoDataFrame,
        city: CityConfig,
        *,
        stand_ins: bool = False,
        key: str | bytes | None = None,
    ) -> None:
        self.city = city
        self._source, self._key = cameras, key
        self._views: dict[str, CameraIndex] = {}
        self.stand_ins = stand_ins
        owner = cameras.get("owner_type", None)
        private = (
            is_private(owner) if owner is not None else np.ones(len(cameras), bool)
        )
        cameras = cameras.assign(_private=private)
        if stand_ins and private.any():
            lat, lon = stand_in_positions(cameras[private], key=key)
            cameras = cameras.copy()
            cameras.loc[private, "latitude"] = lat
            cameras.loc[private, "longitude"] = lon
            cameras = cameras.set_geometry(
                gpd.points_from_xy(cameras["longitude"], cameras["latitude"]),
                crs=cameras.crs,
            )
        frame = prepare_cameras(cameras, city)
        if "withdrawn_at" in frame:  # a withdrawal date means consent is gone
            frame = frame[frame["withdrawn_at"].isna().to_numpy()]
        frame = frame.reset_index(drop=True)
        known = frame.get("direction_deg", pd.Series(None, index=frame.index))
        ctype = frame.get("camera_type", pd.Series("", index=frame.index))
        all_round_type = (
            ctype.astype(object).fillna("").astype(str).str.strip().str.lower()
        ).isin(city.full_circle_types)
        direction_known = known.astype(object).map(parse_direction).notna()
        # in_view can be judged for a known direction or an all-round camera
        frame["view_known"] = (direction_known | all_round_type).to_numpy(bool)
        self.frame = frame
        # plain arrays of what a canvass returns: one take per query, no pandas
        self.columns = _column_arrays(frame)
        self.lon = pd.to_numeric(frame["longitude"]).to_numpy(float)
        self.lat = pd.to_numeric(frame["latitude"]).to_numpy(float)
        self.xy = frame[["x", "y"]].to_numpy(float)
        self.private = frame["_private"].to_numpy(bool)
        self.tree = cKDTree(self.xy) if len(frame) else None

    def __len__(self) -> int:
        return len(self.frame)

    def for_role(self, role: str) -> CameraIndex:
        """The index ``role`` may query: this one for investigators, else the
        stand-in index (built once, then kept)."""
        validate_audience(role)
        if role == "investigator" or self.stand_ins:
            return self
        if "stand_ins" not in self._views:
            self._views["stand_ins"] = CameraIndex(
                self._source, self.city, stand_ins=True, key=self._key
            )
        return self._views["stand_ins"]

    def within(self, lat: float, lon: float, radius_m: float) -> np.ndarray:
        """Row positions of the cameras within ``radius_m`` (geodesic) of a point."""
        if self.tree is None:
            return np.empty(0, dtype=int)
        centre = _metric_point(self.city, lat, lon)
        idx = self.tree.query_ball_point(centre, radius_m * SEARCH_PAD + SEARCH_PAD_M)
        idx = np.asarray(idx, dtype=int)
        dist = self.distances(lat, lon, idx)[0]
        return idx[dist <= radius_m]

    def busiest(self, radius_m: float) -> tuple[float, float]:
        """(lat, lon) of the camera with the most others within ``radius_m``.

        A sensible example incident for a demo (the screenshots' canvass view;
        the page itself opens with no point). Only
        cameras whose place is not private are candidates (a home must not be
        the form's default point); the city's centre when there are none.
        """
        if self.tree is None or self.private.all():
            ext = self.city.extent
            return (ext.min_lat + ext.max_lat) / 2, (ext.min_lon + ext.max_lon) / 2
        counts = self.tree.query_ball_point(self.xy, radius_m, return_length=True)
        counts = np.where(self.private, -1, counts)
        best = int(np.argmax(counts))
        return float(self.lat[best]), float(self.lon[best])

    def nearest(self, lat: float, lon: float, n: int) -> np.ndarray:
        """Row positions of the ``n`` nearest cameras (any distance)."""
        if self.tree is None or n <= 0:
            return np.empty(0, dtype=int)
        k = min(n, len(self.frame))
        _, idx = self.tree.query(_metric_point(self.city, lat, lon), k=k)
        return np.atleast_1d(np.asarray(idx, dtype=int))

    def distances(
        self, lat: float, lon: float, idx: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Geodesic distance (m) and bearing (deg, from the point) to rows ``idx``."""
        if len(idx) == 0:
            return np.empty(0), np.empty(0)
        az, _, dist = _GEOD.inv(
            np.full(len(idx), lon), np.full(len(idx), lat), self.lon[idx], self.lat[idx]
        )
        return np.asarray(dist, dtype=float), np.asarray(az, dtype=float) % 360.0


def canvass(
    index: CameraIndex,
    lat: float,
    lon: float,
    *,
    radius_m: float | None = None,
    nearest: int | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
    role: str = "staff",
    store: RegistryStore | None = None,
    user: str | None = None,
    case_number: str | None = None,
) -> pd.DataFrame:
    """Active cameras near an incident, nearest first.

    Parameters
    ----------
    index
        The registry's :class:`CameraIndex`.
    lat, lon
        Incident location (WGS84).
    radius_m
        Search radius in metres (default ``city.canvass_radius_m``).
    nearest
        Also list the ``nearest`` closest cameras whatever their distance
        (default ``city.canvass_nearest``; 0 for the radius only).
    at
        When the incident happened (naive local time; default ``now``).
    now
        The reference "now" for footage retention (default: the clock).
    role
        ``"staff"`` or ``"investigator"``; contacts only for investigators.
    store, user, case_number
        When ``store`` is given the canvass is written to its audit log
        (``user`` and ``case_number`` are then required).

    Returns
    -------
    DataFrame
        ``CANVASS_COLUMNS`` (contacts only for investigators). ``in_view`` and
        ``footage_available`` are nullable booleans. ``attrs`` hold the query.
    """
    role = _canvass_role(role)
    index = index.for_role(role)
    city = index.city
    _check_point(city, lat, lon)
    radius_m = city.canvass_radius_m if radius_m is None else float(radius_m)
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise ValueError(
            f"`radius_m` was {radius_m!r} but is expected to be in (0, {MAX_RADIUS_M}]"
        )
    nearest = city.canvass_nearest if nearest is None else int(nearest)
    if not 0 <= nearest <= MAX_NEAREST:
        raise ValueError(
            f"`nearest` was {nearest!r} but is expected to be in 0-{MAX_NEAREST}"
        )
    now = _as_datetime(now, "now") if now is not None else datetime.now()
    at = _as_datetime(at, "at") if at is not None else now
    if at > now:
        raise ValueError(f"`at` was {at:%Y-%m-%d %H:%M} but is after `now` ({now})")

    inside = index.within(lat, lon, radius_m)
    idx = np.union1d(inside, index.nearest(lat, lon, nearest)).astype(int)
    dist, bearing = index.distances(lat, lon, idx)
    order = np.argsort(dist, kind="stable")
    idx, dist, bearing = idx[order], dist[order], bearing[order]
    out = _canvass_frame(index, idx, dist, bearing, radius_m, at, now)
    out.attrs.update(
        {
            "lat": float(lat),
            "lon": float(lon),
            "radius_m": radius_m,
            "nearest": nearest,
            "at": at,
            "now": now,
            "role": role,
            "within_radius": int(out["within_radius"].sum()),
        }
    )
    if store is not None:
        record_canvass(store, out, user=user, case_number=case_number)
    result = redact_table(out, role)
    if role != "investigator":
        result = _private_as_bands(result, index.private[idx], radius_m)
    result.attrs = dict(out.attrs)
    return result


def record_canvass(
    store: RegistryStore,
    result: pd.DataFrame,
    *,
    user: str | None,
    case_number: str | None,
    reason: str = "",
) -> int:
    """Write a canvass (a :func:`canvass` result) to the store's audit log.

    The event's details hold where (lat, lon), the radius, nearest N, the
    incident time, the role and the listed camera ids. Returns the event id.
    """
    user, case_number = _who(user, case_number)
    meta = result.attrs
    details = {
        "case_number": case_number,
        "lat": round(float(meta["lat"]), 6),
        "lon": round(float(meta["lon"]), 6),
        "radius_m": float(meta["radius_m"]),
        "nearest": int(meta["nearest"]),
        "incident_at": _iso(meta.get("at")),
        "role": meta.get("role", ""),
        "cameras_listed": len(result),
        "within_radius": int(meta.get("within_radius", 0)),
        "camera_ids": [str(c) for c in result["camera_id"] if not pd.isna(c)],
    }
    return store.log_event(
        CANVASS_ACTION,
        user=user,
        details=details,
        reason=reason or f"canvass for case {case_number}",
    )


@dataclass(frozen=True)
class Notification:
    """Owners to notify for an area, with the preview counts.

    Attributes
    ----------
    sites
        One row per active registration inside the area (``NOTIFY_COLUMNS`` plus
        ``owner_ref``), redacted for the role.
    recipients
        One row per owner (``owner_ref``, ``sites``, ``cameras``, ``camera_ids``
        and, for investigators only, name and contacts): the mass-notification
        export.
    preview
        ``{"sites", "cameras", "owners", "integrated_sites", "residential_sites",
        "residential_owners"}`` as the role may see them: exact for
        investigators, else rounded to the nearest
        :data:`analytics.privacy.COUNT_ROUNDING` (with ``rounded_to``), as the
        notice preview is.
    area
        The area as a WGS84 shapely geometry.
    role
        Who the lists were made for.
    """

    sites: pd.DataFrame
    recipients: pd.DataFrame
    preview: dict[str, int]
    area: shapely.Geometry
    role: str
    # exact counts, for the audit log only (never shown below investigator)
    logged: dict[str, int] = field(default_factory=dict)


def area_notification(
    index: CameraIndex,
    area: Any,
    *,
    role: str = "staff",
    store: RegistryStore | None = None,
    user: str | None = None,
    case_number: str | None = None,
) -> Notification:
    """Owners of active cameras inside ``area``, for a mass notification.

    Parameters
    ----------
    index
        The registry's :class:`CameraIndex`.
    area
        A circle ``(lat, lon, radius_m)``; a shapely (multi)polygon in WGS84; or
        a GeoJSON geometry / Feature / FeatureCollection dict (a Leaflet-drawn
        circle is a Point Feature with a ``radius`` property).
    role
        ``"staff"`` or ``"investigator"``; names and contacts only for
        investigators.
    store, user, case_number
        When ``store`` is given the list is written to the audit log.

    Owners are counted once however many sites they register: by e-mail, else
    phone, else name, else (unknown owner) by site.
    """
    role = _canvass_role(role)
    index = index.for_role(role)
    idx, geometry, circle = _area_indices(index, area)
    frame = index.frame.iloc[idx]
    sites = pd.DataFrame(
        {c: frame[c].to_numpy() if c in frame else None for c in NOTIFY_COLUMNS}
    )
    sites["owner_ref"] = _owner_refs(sites)
    sites = sites.sort_values(["owner_ref", "camera_id"], kind="stable")
    sites = sites.reset_index(drop=True)
    recipients = _recipients(sites)
    private_refs = set(sites.loc[index.private[idx][sites.index], "owner_ref"])
    preview = {
        "sites": len(sites),
        "cameras": int(pd.to_numeric(sites["camera_count"]).sum()) if len(sites) else 0,
        "owners": len(recipients),
        "integrated_sites": int((sites["tier"] == "integrated").sum()),
        "residential_sites": int(index.private[idx].sum()),
        "residential_owners": len(private_refs),
    }
    if store is not None:
        user, case_number = _who(user, case_number)
        details = {
            "case_number": case_number,
            "area": shapely.to_geojson(shapely.set_precision(geometry, 1e-6)),
            "role": role,
            **preview,
            "camera_ids": [str(c) for c in sites["camera_id"]],
        }
        if circle is not None:
            details.update({"lat": circle[0], "lon": circle[1], "radius_m": circle[2]})
        store.log_event(
            NOTIFY_ACTION,
            user=user,
            details=details,
            reason=f"area notification for case {case_number}",
        )
    if role != "investigator":
        # homes are counted in the preview, never listed: no id, no reference
        sites = sites[~index.private[idx][sites.index]].reset_index(drop=True)
        recipients = recipients[~recipients["owner_ref"].isin(private_refs)]
        recipients = recipients.reset_index(drop=True)
    return Notification(
        redact_table(sites, role),
        redact_table(recipients, role),
        rounded_counts(preview, role),
        geometry,
        role,
        logged=preview,
    )


def incident_from_area(area: Any) -> tuple[float, float, float]:
    """An incident point and canvass radius for an area drawn as the incident's place.

    Parameters
    ----------
    area
        As :func:`area_notification` takes it: a circle ``(lat, lon, radius_m)``,
        a WGS84 (multi)polygon or a GeoJSON geometry / Feature (a drawn shape).

    Returns
    -------
    tuple
        ``(lat, lon, radius_m)``: a circle's own centre and radius; for a
        polygon its centroid and the geodesic distance (m, rounded up to a whole
        metre) to its farthest vertex, so the canvass circle holds the shape.

    >>> incident_from_area((34.75, -92.29, 120.0))
    (34.75, -92.29, 120.0)
    """
    geometry, circle = _parse_area(area)
    if circle is not None:
        return circle
    centre = geometry.centroid
    rings = (
        [p.exterior for p in geometry.geoms]
        if isinstance(geometry, shapely.MultiPolygon)
        else [geometry.exterior]
    )
    xy = np.concatenate([np.asarray(r.coords)[:, :2] for r in rings])
    _, _, dist = _GEOD.inv(
        np.full(len(xy), centre.x), np.full(len(xy), centre.y), xy[:, 0], xy[:, 1]
    )
    return float(centre.y), float(centre.x), float(np.ceil(np.max(dist)))


def area_rows(
    index: CameraIndex, area: Any
) -> tuple[pd.DataFrame, shapely.Geometry, tuple[float, float, float] | None]:
    """The index's rows inside ``area``, unredacted: for code inside ``analytics/``.

    :func:`area_notification` redacts them for a role; the notice sender
    (``analytics.notify``) reads the contacts from them. Never hand the frame to
    a page or an export.

    Returns
    -------
    tuple
        (rows of ``index.frame``, the area as a WGS84 geometry, the circle
        ``(lat, lon, radius_m)`` or None for a polygon).
    """
    idx, geometry, circle = _area_indices(index, area)
    return index.frame.iloc[idx], geometry, circle


def _area_indices(
    index: CameraIndex, area: Any
) -> tuple[np.ndarray, shapely.Geometry, tuple[float, float, float] | None]:
    """Positions in ``index`` inside ``area``, the area and its circle (or None)."""
    geometry, circle = _parse_area(area)
    if circle is not None:
        lat, lon, radius = circle
        _check_point(index.city, lat, lon)
        idx = index.within(lat, lon, radius)
    else:
        idx = _inside_polygon(index, geometry)
    return idx, geometry, circle


def match_address(
    cameras: pd.DataFrame,
    text: str,
    *,
    role: str = "staff",
    limit: int = ADDRESS_MATCHES,
) -> pd.DataFrame:
    """Registry addresses matching ``text``, case- and space-insensitive.

    Exact matches come first, then addresses starting with the text, then those
    containing it. Withdrawn cameras are left out, and so are addresses the role
    may not see (residential addresses unless investigator).

    Returns
    -------
    DataFrame
        ``camera_id``, ``address``, ``latitude``, ``longitude``, ``owner_type``,
        best match first, at most ``limit`` rows.
    """
    role = _canvass_role(role)
    columns = ["camera_id", "address", "latitude", "longitude", "owner_type"]
    key = _normalise(text)
    if not key or "address" not in cameras:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(cameras)
    if "status" in frame:
        frame = frame[frame["status"] != "withdrawn"]
    frame = frame[[c for c in columns if c in frame]]
    frame = redact_table(frame, role)
    frame = frame[frame["address"].notna()]
    norm = frame["address"].astype(str).map(_normalise)
    rank = np.where(norm == key, 0, np.where(norm.str.startswith(key), 1, 2))
    hit = norm.str.contains(key, regex=False).to_numpy()
    out = frame.assign(_rank=rank)[hit]
    out = out.sort_values(["_rank", "address", "camera_id"], kind="stable")
    return out.drop(columns="_rank").head(limit).reset_index(drop=True)


# --- helpers ------------------------------------------------------------------------
def _canvass_role(role: str) -> str:
    validate_audience(role)
    if role not in CANVASS_ROLES:
        raise PermissionError(
            f"`role` was {role!r} but a canvass needs one of {CANVASS_ROLES}: "
            "distances to private cameras would reveal where they are"
        )
    return role


def _check_point(city: CityConfig, lat: float, lon: float) -> None:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"coordinates ({lat!r}, {lon!r}) are expected to be numbers"
        ) from exc
    if not bool(city.extent.contains(lon, lat)):
        raise ValueError(
            f"({lat}, {lon}) is outside {city.name}: expected latitude "
            f"{city.extent.min_lat}-{city.extent.max_lat} and longitude "
            f"{city.extent.min_lon}-{city.extent.max_lon}"
        )


def _as_datetime(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"`{name}` was {value!r} but is expected to be a date and time "
            "such as '2026-10-31 22:15'"
        ) from exc
    if pd.isna(stamp):
        raise ValueError(f"`{name}` was {value!r} but is expected to be a date")
    naive: datetime = (
        stamp.tz_localize(None).to_pydatetime() if stamp.tz else stamp.to_pydatetime()
    )
    return naive


def _metric_point(city: CityConfig, lat: float, lon: float) -> np.ndarray:
    x, y = to_metric(np.array([lon]), np.array([lat]), city)
    return np.array([x[0], y[0]])


def _canvass_frame(
    index: CameraIndex,
    idx: np.ndarray,
    dist: np.ndarray,
    bearing: np.ndarray,
    radius_m: float,
    at: datetime,
    now: datetime,
) -> pd.DataFrame:
    col = index.columns
    rng = col["range_m"][idx]
    # the camera looks from its position toward the incident: reverse bearing
    toward = (bearing + 180.0) % 360.0
    centre = np.nan_to_num(col["centre_deg"][idx])
    off_axis = np.abs((toward - centre + 180.0) % 360.0 - 180.0)
    seen = (dist <= rng) & (
        col["full_circle"][idx]
        | (off_axis <= col["width_deg"][idx] / 2.0)
        | (dist == 0)
    )
    in_view = pd.array(np.where(col["view_known"][idx], seen, NONE), dtype="boolean")
    retention = col["retention_days"][idx]
    known = np.isfinite(retention)
    until = np.datetime64(at, "s") + np.where(known, retention * 86_400, 0).astype(
        "timedelta64[s]"
    )
    footage = pd.array(np.where(known, until > np.datetime64(now, "s"), NONE))
    tier = col["tier"][idx]
    data = {c: col[c][idx] for c in CANVASS_COLUMNS if c in col}
    data.update(
        {
            "distance_m": np.round(dist, 1),
            "from_incident": [_compass(b) for b in bearing],
            "distance_band": np.full(len(idx), None, dtype=object),
            "sites": np.ones(len(idx), dtype=np.int64),
            "within_radius": dist <= radius_m,
            "action": [ACTIONS.get(t, "ask the owner") for t in tier],
            "in_view": in_view,
            "retention_days": pd.array(np.where(known, retention, np.nan)).astype(
                "Int64"
            ),
            "footage_until": np.where(known, until, np.datetime64("NaT")),
            "footage_available": footage.astype("boolean"),
            "range_m": np.round(rng, 1),
        }
    )
    return pd.DataFrame({c: data.get(c) for c in CANVASS_COLUMNS})


def band_label(lo: float, hi: float | None) -> str:
    """``"0–50 m"``; ``"beyond 150 m"`` when ``hi`` is None."""
    return f"beyond {lo:g} m" if hi is None else f"{lo:g}–{hi:g} m"


def _bands(radius_m: float) -> list[tuple[float, float | None]]:
    edges = [0.0, *(e for e in RESIDENTIAL_BANDS_M if e < radius_m), radius_m]
    return [*pairwise(edges), (radius_m, None)]


def _private_as_bands(
    result: pd.DataFrame, private: np.ndarray, radius_m: float
) -> pd.DataFrame:
    """Replace the private rows of a canvass by one count row per distance band.

    A band row has no id, distance, direction, view or footage figures: only
    ``distance_band``, ``within_radius``, ``owner_type`` (residential),
    ``sites``, ``camera_count`` and the action "ask an investigator". The
    first private row of each band is rewritten in place and the others are
    dropped (a canvass is queried often: no frame is rebuilt).
    """
    if not private.any():
        return result
    out = result.copy()
    dist = out["distance_m"].to_numpy(float)
    counts = out["camera_count"].to_numpy(np.int64)
    keep = ~private
    order = np.where(private, np.inf, dist)
    firsts, labels, within, sites, cams = [], [], [], [], []
    for lo, hi in _bands(radius_m):
        upper = dist <= hi if hi is not None else np.ones(len(dist), bool)
        inside = private & ((dist > lo) | ((dist == 0) & (lo == 0))) & upper
        if not inside.any():
            continue
        first = int(np.flatnonzero(inside)[0])
        keep[first] = True
        order[first] = lo
        firsts.append(first)
        labels.append(band_label(lo, hi))
        within.append(hi is not None)
        sites.append(int(inside.sum()))
        cams.append(int(counts[inside].sum()))
    kept = ("distance_band", "within_radius", "owner_type", "sites", "camera_count")
    blank = [i for i, c in enumerate(out.columns) if c not in (*kept, "action")]
    out.iloc[firsts, blank] = None
    rows = out.index[firsts]
    out.loc[rows, "distance_band"] = labels
    out.loc[rows, "within_radius"] = within
    out.loc[rows, "action"] = PRIVATE_ACTION
    out.loc[rows, "owner_type"] = PRIVATE_OWNER_TYPE
    out.loc[rows, "sites"] = sites
    out.loc[rows, "camera_count"] = cams
    pick = np.flatnonzero(keep)
    pick = pick[np.argsort(order[pick], kind="stable")]
    return out.iloc[pick].reset_index(drop=True)


def _column_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    numeric = (
        "range_m",
        "centre_deg",
        "width_deg",
        "retention_days",
        "latitude",
        "longitude",
    )
    flags = ("full_circle", "view_known")
    out: dict[str, np.ndarray] = {}
    for name in (*CANVASS_COLUMNS, "centre_deg", "width_deg", *flags):
        if name not in frame:
            if name in numeric:
                out[name] = np.full(len(frame), np.nan)
            continue
        if name in numeric:
            out[name] = pd.to_numeric(frame[name], errors="coerce").to_numpy(float)
        elif name in flags:
            out[name] = frame[name].to_numpy(bool)
        elif name == "camera_count":
            out[name] = frame[name].to_numpy("int64")
        else:
            values = frame[name].astype(object).to_numpy()
            out[name] = np.where(pd.isna(values), NONE, values)
    out["camera_id"] = frame["camera_id"].astype(str).to_numpy(object)
    out["tier"] = frame["tier"].astype(str).to_numpy(object)
    return out


def _compass(bearing: float) -> str:
    return _COMPASS8[int(((bearing % 360) + 22.5) // 45) % 8]


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def _who(user: str | None, case_number: str | None) -> tuple[str, str]:
    user = str(user or "").strip()
    case_number = str(case_number or "").strip()
    if not user:
        raise ValueError("`user` was empty but a recorded list must say who asked")
    if not case_number:
        raise ValueError(
            "`case_number` was empty but a recorded list must name its case"
        )
    return user, case_number


def _parse_area(
    area: Any,
) -> tuple[shapely.Geometry, tuple[float, float, float] | None]:
    """-> (WGS84 geometry, circle (lat, lon, radius_m) or None)."""
    if isinstance(area, Sequence) and not isinstance(area, str) and len(area) == 3:
        lat, lon, radius = (float(v) for v in area)
        return _circle_polygon(lat, lon, radius), (lat, lon, radius)
    if isinstance(area, Mapping):
        kind = area.get("type")
        if kind == "FeatureCollection":
            features = area.get("features") or []
            if len(features) != 1:
                raise ValueError(
                    f"`area` has {len(features)} features but one drawn shape is "
                    "expected"
                )
            return _parse_area(features[0])
        if kind == "Feature":
            geometry = area.get("geometry") or {}
            drawn_radius = (area.get("properties") or {}).get("radius")
            if geometry.get("type") == "Point" and drawn_radius:
                lon, lat = geometry["coordinates"][:2]
                return _parse_area((lat, lon, drawn_radius))
            return _parse_area(geometry)
        area = shapely.geometry.shape(area)
    if isinstance(area, shapely.Polygon | shapely.MultiPolygon):
        if area.is_empty or not area.is_valid:
            raise ValueError("`area` polygon is empty or invalid (self-crossing?)")
        return area, None
    raise ValueError(
        f"`area` was {type(area).__name__} but is expected to be (lat, lon, "
        "radius_m), a polygon in WGS84 or a GeoJSON polygon / drawn circle"
    )


def _circle_polygon(lat: float, lon: float, radius_m: float) -> shapely.Polygon:
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise ValueError(
            f"`radius_m` was {radius_m!r} but is expected to be in (0, {MAX_RADIUS_M}]"
        )
    azimuths = np.linspace(0, 360, 73)[:-1]
    lons, lats, _ = _GEOD.fwd(
        np.full(72, lon), np.full(72, lat), azimuths, np.full(72, radius_m)
    )
    return shapely.Polygon(np.column_stack([lons, lats]))


def _inside_polygon(index: CameraIndex, polygon: shapely.Geometry) -> np.ndarray:
    minx, miny, maxx, maxy = polygon.bounds
    box = (
        (index.lon >= minx)
        & (index.lon <= maxx)
        & (index.lat >= miny)
        & (index.lat <= maxy)
    )
    candidates = np.flatnonzero(box)
    inside = np.asarray(
        shapely.contains_xy(polygon, index.lon[candidates], index.lat[candidates]),
        dtype=bool,
    )
    return np.compress(inside, candidates)


_NON_WORD = re.compile(r"[^\w]+")


def _normalise(text: Any) -> str:
    """Case-fold, drop punctuation, collapse spaces: '12  Main St.' -> '12 main st'."""
    return " ".join(_NON_WORD.sub(" ", str(text or "")).casefold().split())


def _owner_refs(sites: pd.DataFrame) -> list[str]:
    keys = []
    for row in sites.itertuples(index=False):
        email = _clean(row.contact_email).casefold()
        phone = re.sub(r"\D", "", _clean(row.contact_phone))
        name = _normalise(row.owner_name)
        keys.append(
            f"e:{email}"
            if email
            else f"p:{phone}"
            if phone
            else f"n:{name}"
            if name
            else f"c:{row.camera_id}"
        )
    # opaque, stable within one list: "owner 1", "owner 2" ... in first-seen order
    numbers: dict[str, int] = {}
    for key in keys:
        numbers.setdefault(key, len(numbers) + 1)
    return [f"owner {numbers[k]:04d}" for k in keys]


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return "" if pd.isna(value) else str(value).strip()


def _recipients(sites: pd.DataFrame) -> pd.DataFrame:
    columns = ["owner_ref", *CONTACT_COLUMNS, "sites", "cameras", "camera_ids"]
    if sites.empty:
        return pd.DataFrame(columns=columns)
    grouped = sites.groupby("owner_ref", sort=True)
    out = grouped.agg(
        owner_name=("owner_name", "first"),
        contact_phone=("contact_phone", "first"),
        contact_email=("contact_email", "first"),
        sites=("camera_id", "size"),
        cameras=("camera_count", "sum"),
        camera_ids=("camera_id", lambda s: " ".join(map(str, s))),
    ).reset_index()
    out["cameras"] = pd.to_numeric(out["cameras"]).astype(int)
    return out[columns]
