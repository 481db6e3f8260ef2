"""Camera viewsheds: what ground each active camera is assumed to see.

A camera with a known direction sees a sector (``fov_deg`` wide, the city's
``default_fov_deg`` when missing) out to its range; without a direction, or when
its type is in ``city.full_circle_types`` (dome, PTZ ...), it sees a disk. A
missing range comes from ``city.range_for(owner_type, camera_type)``; every range
is multiplied by ``range_scale`` (the "coverage-range assumption"). Withdrawn
cameras see nothing.

The geometry is exact but never built as polygons on the hot path:
:func:`visible_pairs` joins points to cameras on a sorted grid and keeps the
pairs within range and inside the sector, all in numpy.
:func:`viewshed_polygons` draws the same shapes for maps and for checking.

>>> parse_direction("NE"), parse_direction("330-30")
((45.0, None), (0.0, 60.0))
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from analytics.config import CityConfig
from analytics.schema import WGS84

COMPASS_POINTS = (
    "N",
    "NNE",
    "NE",
    "ENE",
    "E",
    "ESE",
    "SE",
    "SSE",
    "S",
    "SSW",
    "SW",
    "WSW",
    "W",
    "WNW",
    "NW",
    "NNW",
)
COMPASS_DEG = {name: i * 22.5 for i, name in enumerate(COMPASS_POINTS)}
# Vertices on the arc of a drawn sector or disk quarter (map drawing only).
ARC_SEGMENTS_PER_QUARTER = 16
# Grid cell of the point-to-camera join, as a share of the median range: small
# cells test fewer far-away candidates, large ones need fewer look-ups.
JOIN_CELL_SHARE = 0.4
JOIN_CELL_MIN_M = 5.0

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d*)?$|^[+-]?\.\d+$")
_RANGE = re.compile(r"^\s*([^\s\-–]+)\s*[-–]\s*([^\s\-–]+)\s*$")


# --- directions ------------------------------------------------------------------
def _bearing(token: str) -> float | None:
    token = token.strip().upper()
    if _NUMBER.match(token):
        return float(token) % 360.0
    return COMPASS_DEG.get(token)


def parse_direction(text: object) -> tuple[float, float | None] | None:
    """Read a ``direction_deg`` value: ``(centre_deg, width_deg)`` or None.

    A bearing (``"135"``) or a compass point (``"NE"``, 16-point compass) gives a
    width of None: use the camera's field of view. A clockwise range
    (``"90-270"``: 90 through 270, ``"330-30"`` across north) gives its own
    centre and width. Missing or unreadable text gives None (a full circle).

    >>> parse_direction("90-270")
    (180.0, 180.0)
    >>> parse_direction(" 135 "), parse_direction(None), parse_direction("up")
    ((135.0, None), None, None)
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    if isinstance(text, int | float | np.integer | np.floating):
        return (float(text) % 360.0, None)
    raw = str(text).strip()
    if not raw or raw.lower() in {"nan", "none", "<na>"}:
        return None
    single = _bearing(raw)
    if single is not None:
        return (single, None)
    match = _RANGE.match(raw)
    if not match:
        return None
    start, end = _bearing(match.group(1)), _bearing(match.group(2))
    if start is None or end is None:
        return None
    width = (end - start) % 360.0
    if width == 0.0:  # "0-360" and the like: all round
        return (0.0, 360.0)
    return ((start + width / 2.0) % 360.0, width)


# --- preparation -----------------------------------------------------------------
@lru_cache(maxsize=8)
def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def to_metric(
    lon: np.ndarray, lat: np.ndarray, city: CityConfig
) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude arrays -> metric x, y arrays in ``city.metric_crs``."""
    x, y = _transformer(city.metric_crs).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def lonlat(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude arrays of a canonical frame (columns, else geometry)."""
    if "longitude" in frame and "latitude" in frame:
        return (
            pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(float),
            pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(float),
        )
    geom = frame.geometry
    if geom.crs is not None and not geom.crs.equals(WGS84):
        geom = geom.to_crs(WGS84)
    return shapely.get_x(geom.values), shapely.get_y(geom.values)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    values: np.ndarray = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
    return values


def prepare_cameras(
    cameras: gpd.GeoDataFrame, city: CityConfig, *, range_scale: float = 1.0
) -> gpd.GeoDataFrame:
    """Active cameras with their resolved viewshed.

    Parameters
    ----------
    cameras
        Canonical camera frame (WGS84).
    city
        City configuration: default field of view, full-circle types, ranges.
    range_scale
        Multiplies every range (1.0 = the registry's or the configured ranges).

    Returns
    -------
    GeoDataFrame
        The rows with ``status == "active"`` (index kept) plus ``range_m``
        (scaled), ``fov_deg`` (resolved), ``width_deg`` (sector width, 360 for a
        disk), ``centre_deg`` (NaN for a disk), ``full_circle``, ``integrated`` and
        metric ``x``, ``y``. A direction that cannot be read is treated as
        unknown (a disk) with a warning.
    """
    if not np.isfinite(range_scale) or range_scale <= 0:
        raise ValueError(
            f"`range_scale` was {range_scale!r} but is expected to be a number > 0"
        )
    status = _text(cameras, "status").str.strip().str.lower()
    out = cameras.loc[(status == "active").to_numpy()].copy()
    n = len(out)

    owner = _text(out, "owner_type").str.strip().str.lower()
    ctype = _text(out, "camera_type").str.strip().str.lower()
    given_range = _numbers(out, "range_m")
    default_range = np.empty(n)
    pairs = pd.DataFrame({"o": owner.to_numpy(), "t": ctype.to_numpy()})
    for (o, t), idx in pairs.groupby(["o", "t"], sort=False).indices.items():
        default_range[idx] = city.range_for(o or None, t or None)
    use_given = np.isfinite(given_range) & (given_range > 0)
    range_m = np.where(use_given, given_range, default_range) * float(range_scale)

    fov = _numbers(out, "fov_deg")
    fov = np.where(
        np.isfinite(fov) & (fov > 0), np.minimum(fov, 360.0), city.default_fov_deg
    )

    codes, uniques = pd.factorize(_text(out, "direction_deg").str.strip())
    parsed = [parse_direction(value) for value in uniques]
    bad = [
        i for i, (v, p) in enumerate(zip(uniques, parsed, strict=True)) if v and not p
    ]
    if bad:
        count = int(np.isin(codes, bad).sum())
        warnings.warn(
            f"{count} camera direction(s) could not be read (e.g. "
            f"{uniques[bad[0]]!r}); expected a bearing, a compass point or a range "
            "like '90-270'. Treated as unknown: full circle.",
            stacklevel=2,
        )
    centre_u = np.array([np.nan if p is None else p[0] for p in parsed] + [np.nan])
    width_u = np.array(
        [np.nan if p is None or p[1] is None else p[1] for p in parsed] + [np.nan]
    )
    centre, range_width = centre_u[codes], width_u[codes]  # code -1: the NaN pad
    width = np.where(np.isfinite(range_width), range_width, fov)
    full = (
        ctype.isin(city.full_circle_types).to_numpy()
        | ~np.isfinite(centre)
        | (width >= 360.0)
    )
    width = np.where(full, 360.0, width)
    centre = np.where(full, np.nan, centre)

    lon, lat = lonlat(out)
    x, y = to_metric(lon, lat, city)
    tier = _text(out, "tier").str.strip().str.lower()
    out["range_m"] = range_m
    out["fov_deg"] = fov
    out["width_deg"] = width
    out["centre_deg"] = centre
    out["full_circle"] = full
    out["integrated"] = (tier == "integrated").to_numpy()
    out["camera_count"] = (
        pd.to_numeric(out["camera_count"], errors="coerce").fillna(1).astype("int64")
        if "camera_count" in out
        else 1
    )
    out["x"] = x
    out["y"] = y
    out.attrs["metric_crs"] = city.metric_crs
    return out


def nominal_area_m2(prepared: pd.DataFrame) -> np.ndarray:
    """Nominal viewshed area of each prepared camera (m2): pi r^2 * width / 360."""
    r = prepared["range_m"].to_numpy(float)
    area: np.ndarray = np.pi * r * r * prepared["width_deg"].to_numpy(float) / 360.0
    return area


# --- polygons (maps and checks) --------------------------------------------------
def viewshed_polygons(
    prepared: pd.DataFrame, *, segments: int = ARC_SEGMENTS_PER_QUARTER
) -> gpd.GeoSeries:
    """Viewshed polygons of prepared cameras, in the metric CRS.

    Disks are ``buffer`` polygons; sectors are the camera position plus an arc
    of evenly spaced vertices. Index aligned with ``prepared``.
    """
    crs = prepared.attrs.get("metric_crs")
    x = prepared["x"].to_numpy(float)
    y = prepared["y"].to_numpy(float)
    r = prepared["range_m"].to_numpy(float)
    full = prepared["full_circle"].to_numpy(bool)
    geoms = np.empty(len(prepared), dtype=object)
    if full.any():
        geoms[full] = shapely.buffer(
            shapely.points(x[full], y[full]), r[full], quad_segs=segments
        )
    sector = ~full
    if sector.any():
        centre = prepared["centre_deg"].to_numpy(float)[sector]
        width = prepared["width_deg"].to_numpy(float)[sector]
        k = 4 * segments + 1  # arc vertices, enough for a half circle and more
        t = np.linspace(-0.5, 0.5, k)
        bearing = np.radians(centre[:, None] + width[:, None] * t[None, :])
        xs, ys, rs = x[sector, None], y[sector, None], r[sector, None]
        arc_x = xs + rs * np.sin(bearing)
        arc_y = ys + rs * np.cos(bearing)
        ring = np.empty((sector.sum(), k + 2, 2))
        ring[:, 0, 0], ring[:, 0, 1] = xs[:, 0], ys[:, 0]
        ring[:, 1 : k + 1, 0], ring[:, 1 : k + 1, 1] = arc_x, arc_y
        ring[:, k + 1] = ring[:, 0]
        geoms[sector] = shapely.polygons(ring)
    return gpd.GeoSeries(geoms, index=prepared.index, crs=crs)


# --- point-in-viewshed join ------------------------------------------------------
@dataclass(frozen=True)
class CameraArrays:
    """The numbers of prepared cameras the numpy kernels need (metres, degrees)."""

    x: np.ndarray
    y: np.ndarray
    range_m: np.ndarray
    centre_deg: np.ndarray
    half_width_deg: np.ndarray
    full_circle: np.ndarray
    integrated: np.ndarray
    camera_count: np.ndarray

    @classmethod
    def from_prepared(cls, prepared: pd.DataFrame) -> CameraArrays:
        return cls(
            prepared["x"].to_numpy(float),
            prepared["y"].to_numpy(float),
            prepared["range_m"].to_numpy(float),
            prepared["centre_deg"].to_numpy(float),
            prepared["width_deg"].to_numpy(float) / 2.0,
            prepared["full_circle"].to_numpy(bool),
            prepared["integrated"].to_numpy(bool),
            prepared["camera_count"].to_numpy("int64"),
        )

    def __len__(self) -> int:
        return len(self.x)


def in_sector(
    dx: np.ndarray,
    dy: np.ndarray,
    centre_deg: np.ndarray,
    half_width_deg: np.ndarray,
    full_circle: np.ndarray | bool,
) -> np.ndarray:
    """Whether offsets (dx east, dy north, metres) lie within each sector's angle.

    The bearing from camera to point is ``atan2(dx, dy)`` (clockwise from north);
    it is inside when its angular distance to the centre is at most the half
    width, modulo 360. A point at the camera itself counts as seen.
    """
    bearing = np.degrees(np.arctan2(dx, dy))
    off = np.abs((bearing - centre_deg + 180.0) % 360.0 - 180.0)
    return np.asarray(
        full_circle | (off <= half_width_deg + 1e-9) | ((dx == 0) & (dy == 0))
    )


def visible_pairs(
    cams: CameraArrays,
    px: np.ndarray,
    py: np.ndarray,
    *,
    cell_m: float | None = None,
    chunk_pairs: int = 2_000_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (point, camera) pairs where the point lies in the camera's viewshed.

    Points are sorted once on a square grid; each camera looks up the grid rows
    its range box spans (one ``searchsorted`` per row), then candidate pairs are
    tested on distance and, for sectors only, on bearing. No Python loop over
    points or cameras; memory is bounded by ``chunk_pairs`` candidates at a time.

    Returns
    -------
    point_index, camera_index, distance_m
        Parallel arrays (int64, int64, float64), in no particular order.
    """
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    px = np.asarray(px, dtype=float)
    py = np.asarray(py, dtype=float)
    ok = np.isfinite(px) & np.isfinite(py)
    if len(cams) == 0 or not ok.any():
        return empty
    if cell_m is None:
        cell_m = max(JOIN_CELL_MIN_M, JOIN_CELL_SHARE * float(np.median(cams.range_m)))
    valid = np.flatnonzero(ok)
    vx, vy = px[valid], py[valid]
    r = cams.range_m
    x0 = min(vx.min(), (cams.x - r).min()) - cell_m
    y0 = min(vy.min(), (cams.y - r).min()) - cell_m
    inv = 1.0 / cell_m
    ix = ((vx - x0) * inv).astype(np.int64)
    iy = ((vy - y0) * inv).astype(np.int64)
    nx = int(max(ix.max(), ((cams.x + r - x0) * inv).max())) + 2
    key = iy * nx + ix
    order = np.argsort(key)
    skey = key[order]
    # coordinates in sorted order: candidate look-ups become contiguous reads
    sx, sy = vx[order], vy[order]

    cx0 = ((cams.x - r - x0) * inv).astype(np.int64)
    cx1 = ((cams.x + r - x0) * inv).astype(np.int64)
    cy0 = ((cams.y - r - y0) * inv).astype(np.int64)
    cy1 = ((cams.y + r - y0) * inv).astype(np.int64)
    rows = cy1 - cy0 + 1
    cam = np.repeat(np.arange(len(cams), dtype=np.int64), rows)
    row = cy0[cam] + _ramp(rows)
    lo = np.searchsorted(skey, row * nx + cx0[cam], "left")
    hi = np.searchsorted(skey, row * nx + cx1[cam], "right")
    count = hi - lo
    keep = count > 0
    cam, lo, count = cam[keep], lo[keep], count[keep]
    if len(cam) == 0:
        return empty

    r2 = r * r
    out_p, out_c, out_d = [], [], []
    ends = np.cumsum(count)
    bounds = np.searchsorted(ends, np.arange(chunk_pairs, ends[-1], chunk_pairs))
    for part in np.split(np.arange(len(cam)), bounds):
        cnt = count[part]
        c = cam[part]
        total = int(cnt.sum())
        starts = np.cumsum(cnt) - cnt
        pos = np.repeat(lo[part] - starts, cnt) + np.arange(total, dtype=np.int64)
        c_cam = np.repeat(c, cnt)
        dx = sx[pos] - np.repeat(cams.x[c], cnt)
        dy = sy[pos] - np.repeat(cams.y[c], cnt)
        d2 = dx * dx + dy * dy
        idx = np.flatnonzero(d2 <= np.repeat(r2[c], cnt))
        hit_cam = c_cam[idx]
        sector = np.flatnonzero(~cams.full_circle[hit_cam])
        if len(sector):
            j = idx[sector]
            sc = hit_cam[sector]
            seen = in_sector(
                dx[j], dy[j], cams.centre_deg[sc], cams.half_width_deg[sc], False
            )
            drop = np.zeros(len(idx), dtype=bool)
            drop[sector[~seen]] = True
            idx, hit_cam = idx[~drop], hit_cam[~drop]
        out_p.append(valid[order[pos[idx]]])
        out_c.append(hit_cam)
        out_d.append(np.sqrt(d2[idx]))
    return np.concatenate(out_p), np.concatenate(out_c), np.concatenate(out_d)


def _ramp(lengths: np.ndarray) -> np.ndarray:
    """0..n-1 for each n in ``lengths``, concatenated (vectorised)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    return np.asarray(np.arange(total, dtype=np.int64) - np.repeat(starts, lengths))
