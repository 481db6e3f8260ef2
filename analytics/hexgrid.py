"""H3 hexagon table: cameras, incidents and coverage per cell, for density maps.

Resolution 8 cells are about 0.74 km2 (the city view), resolution 9 about
0.11 km2 (detail). Only cells holding an active camera or an incident appear;
totals over cells equal the inputs.

>>> cells_for([34.74], [-92.33], 8).dtype
dtype('uint64')
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from h3.api import basic_int as h3_int
from numpy.typing import ArrayLike

from analytics.coverage_state import CoverageState
from analytics.schema import WGS84

# Lattice short cut of cells_for: worth it from this many points, squares a
# fifth of a cell edge wide, at most this many lattice nodes.
LATTICE_MIN_POINTS = 20_000
LATTICE_SHARE = 0.2
LATTICE_MAX_NODES = 2_000_000
M_PER_DEG = 110_574.0  # metres per degree of latitude, lower bound (equator)
EARTH_RADIUS_M = 6_371_000.0
# A point nearer than this (plus the bend of a geodesic edge) to a cell edge is
# left to h3 itself, so the short cut never decides a close call.
EDGE_MARGIN_M = 0.05

HEX_COLUMNS = (
    "h3",
    "cameras",
    "cameras_per_km2",
    "incidents",
    "incidents_covered",
    "incidents_uncovered",
    "coverage_share",
    "area_km2",
)


def _check_resolution(resolution: int) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise TypeError(f"`resolution` was {resolution!r} but is expected to be int")
    if not 0 <= resolution <= 15:
        raise ValueError(f"`resolution` was {resolution} but is expected to be 0-15")
    return int(resolution)


def cells_for(lat: ArrayLike, lon: ArrayLike, resolution: int) -> np.ndarray:
    """H3 cell ids (uint64; 0 where a coordinate is missing) for coordinate arrays.

    h3 4.x has no vectorised call (one C call per point: about half a second
    per million). For many points, cell ids are first computed on a lattice of
    small squares (a fifth of a cell edge); a point whose square has all four
    corners in one cell takes that cell (cells are convex). Points in squares
    crossing a cell edge are tested against the corner cells' hexagons in numpy;
    only points within a safety margin (5 cm plus the bend of a geodesic edge)
    of an edge, or in none of those cells, call h3. The result matches
    ``h3.latlng_to_cell`` point by point (tested, including points on cell
    vertices and edges); the lattice is skipped when it would not pay.
    """
    resolution = _check_resolution(resolution)
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    out = np.zeros(len(lat), dtype=np.uint64)
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if len(ok) >= LATTICE_MIN_POINTS:
        out[ok] = _lattice_cells(lat[ok], lon[ok], resolution)
    else:
        out[ok] = _direct_cells(lat[ok], lon[ok], resolution)
    return out


def _direct_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    fn = h3_int.latlng_to_cell
    pairs = zip(lat.tolist(), lon.tolist(), strict=True)
    return np.fromiter(
        (fn(a, b, resolution) for a, b in pairs), dtype=np.uint64, count=len(lat)
    )


def _lattice_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    spacing_m = h3_int.average_hexagon_edge_length(resolution, "m") * LATTICE_SHARE
    lat0, lon0 = float(lat.min()), float(lon.min())
    dlat = spacing_m / M_PER_DEG
    dlon = spacing_m / (M_PER_DEG * max(np.cos(np.radians(float(lat.max()))), 1e-6))
    i = ((lat - lat0) / dlat).astype(np.int64)
    j = ((lon - lon0) / dlon).astype(np.int64)
    ni, nj = int(i.max()) + 2, int(j.max()) + 2
    if ni * nj > LATTICE_MAX_NODES or ni * nj * 4 > len(lat):
        return _direct_cells(lat, lon, resolution)
    gi, gj = np.meshgrid(np.arange(ni), np.arange(nj), indexing="ij")
    nodes = _direct_cells(
        (lat0 + gi * dlat).ravel(), (lon0 + gj * dlon).ravel(), resolution
    ).reshape(ni, nj)
    corner = nodes[:-1, :-1]
    pure = (
        (corner == nodes[1:, :-1])
        & (corner == nodes[:-1, 1:])
        & (corner == nodes[1:, 1:])
    )
    out = corner[i, j]
    mixed = np.flatnonzero(~pure[i, j])
    if len(mixed) == 0:
        return np.asarray(out)
    # points in squares crossing a cell edge: test them against the corner cells'
    # hexagons; only those within a safety margin of an edge (or in none of the
    # corner cells) ask h3 itself
    mi, mj = i[mixed], j[mixed]
    candidates = [
        nodes[mi, mj],
        nodes[mi + 1, mj],
        nodes[mi, mj + 1],
        nodes[mi + 1, mj + 1],
    ]
    edge_m = h3_int.average_hexagon_edge_length(resolution, "m")
    margin = EDGE_MARGIN_M + edge_m * edge_m / EARTH_RADIUS_M
    found = _in_hexagons(lat[mixed], lon[mixed], candidates, margin, lat0, lon0)
    out[mixed] = found
    todo = mixed[found == 0]
    out[todo] = _direct_cells(lat[todo], lon[todo], resolution)
    return np.asarray(out)


def _in_hexagons(
    lat: np.ndarray,
    lon: np.ndarray,
    candidates: list[np.ndarray],
    margin_m: float,
    lat0: float,
    lon0: float,
) -> np.ndarray:
    """Cell (from per-point candidate lists) surely containing each point, else 0.

    Cells are tested as polygons in a local metric plane (straight edges); a
    point counts as inside only when it is more than ``margin_m`` inside every
    edge, which covers the bend of the true geodesic edges.
    """
    kx = M_PER_DEG * np.cos(np.radians(lat0))
    px, py = (lon - lon0) * kx, (lat - lat0) * M_PER_DEG
    cells = np.unique(np.concatenate(candidates))
    rings = [h3_int.cell_to_boundary(c) for c in cells.tolist()]
    k = max(len(r) for r in rings)
    # pad every ring to k + 1 vertices by repeating its first vertex
    ring = np.array([[*r, *([r[0]] * (k + 1 - len(r)))] for r in rings])
    vx, vy = (ring[:, :, 1] - lon0) * kx, (ring[:, :, 0] - lat0) * M_PER_DEG
    clockwise = np.sum(vx[:, :-1] * vy[:, 1:] - vx[:, 1:] * vy[:, :-1], axis=1) < 0
    vx[clockwise], vy[clockwise] = vx[clockwise, ::-1], vy[clockwise, ::-1]
    ex, ey = np.diff(vx, axis=1), np.diff(vy, axis=1)
    length = np.hypot(ex, ey)
    degenerate = length == 0  # padding: repeated vertices
    length[degenerate] = 1.0
    out = np.zeros(len(lat), dtype=np.uint64)
    open_ = np.arange(len(lat))
    for cand in candidates:
        if len(open_) == 0:
            break
        row = np.searchsorted(cells, cand[open_])
        qx, qy = px[open_, None], py[open_, None]
        dist = (ex[row] * (qy - vy[row, :-1]) - ey[row] * (qx - vx[row, :-1])) / length[
            row
        ]
        dist[degenerate[row]] = np.inf
        inside = dist.min(axis=1) > margin_m
        out[open_[inside]] = cand[open_[inside]]
        open_ = open_[~inside]
    return out


def group_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(cells, return_inverse=True)`` by hashing (much faster on 1M)."""
    codes, uniques = pd.factorize(np.asarray(cells, dtype=np.uint64))
    uniques = np.asarray(uniques, dtype=np.uint64)
    order = np.argsort(uniques)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return uniques[order], rank[codes]


def cell_polygons(cells: np.ndarray) -> np.ndarray:
    """WGS84 polygons (lon, lat) of H3 cells given as uint64 ids."""
    out = np.empty(len(cells), dtype=object)
    for i, cell in enumerate(cells.tolist()):
        ring = h3_int.cell_to_boundary(cell)
        out[i] = shapely.Polygon([(lng, lat) for lat, lng in ring])
    return out


def hex_table(state: CoverageState) -> gpd.GeoDataFrame:
    """Cameras, incidents and coverage per H3 cell.

    Parameters
    ----------
    state
        The shared coverage arrays, from :func:`analytics.coverage.coverage_report`
        (only active cameras are counted, by ``camera_count``).

    Returns
    -------
    GeoDataFrame
        One row per cell with an active camera or an incident: ``h3``,
        ``cameras``, ``cameras_per_km2``, ``incidents``, ``incidents_covered``,
        ``incidents_uncovered``, ``coverage_share`` (NaN without incidents),
        ``area_km2`` and the cell polygon (WGS84); ``attrs["resolution"]``.
    """
    cam_cells, inc_cells = state.camera_cells, state.incident_cells
    cam_counts, covered = state.cameras.camera_count, state.covered
    cells, inverse = group_cells(np.concatenate([cam_cells, inc_cells]))
    n_cam = len(cam_cells)
    cam_idx, inc_idx = inverse[:n_cam], inverse[n_cam:]
    k = len(cells)
    cameras = np.bincount(cam_idx, weights=cam_counts, minlength=k).astype(np.int64)
    incidents = np.bincount(inc_idx, minlength=k)
    hit = np.bincount(inc_idx[covered], minlength=k)
    keep = cells != 0  # missing coordinates
    cells, cameras, incidents, hit = (
        cells[keep],
        cameras[keep],
        incidents[keep],
        hit[keep],
    )
    area = np.array([h3_int.cell_area(c, unit="km^2") for c in cells.tolist()])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(incidents > 0, hit / np.maximum(incidents, 1), np.nan)
    frame = pd.DataFrame(
        {
            "h3": [h3_int.int_to_str(c) for c in cells.tolist()],
            "cameras": cameras,
            "cameras_per_km2": cameras / area if len(area) else np.empty(0),
            "incidents": incidents.astype(np.int64),
            "incidents_covered": hit.astype(np.int64),
            "incidents_uncovered": (incidents - hit).astype(np.int64),
            "coverage_share": share,
            "area_km2": area,
        },
        columns=list(HEX_COLUMNS),
    )
    frame.attrs["resolution"] = state.resolution
    return gpd.GeoDataFrame(frame, geometry=cell_polygons(cells), crs=WGS84)
