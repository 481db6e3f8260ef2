"""Candidate sites for new cameras: where a recruited camera could go.

By default a candidate is the centre of an H3 cell that holds at least one
uncovered incident, fine enough that every such incident lies within camera range
of its own cell's centre. Explicit candidates (a GeoDataFrame of points, e.g.
business addresses willing to be approached) are accepted too. Candidates always
lie inside the city: the city-limit polygon when given, else the configured extent.

>>> resolution_for_range(50.0)
11
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from h3.api import basic_int as h3_int

from analytics.config import CityConfig
from analytics.hexgrid import cells_for, group_cells
from analytics.schema import WGS84

# Cap on default candidates: the heaviest cells by uncovered weight. Beyond ~20,000
# the extra cells hold one or two incidents each and never enter a top-1,000 list.
MAX_CANDIDATES = 20_000
# A hexagon's centre-to-vertex distance equals its edge; keep a margin under the
# camera range because real cells vary a little around the average edge length.
CELL_EDGE_FRACTION = 0.9
FINEST_RESOLUTION = 13
COARSEST_RESOLUTION = 7
CANDIDATE_COLUMNS = (
    "candidate_id",
    "h3",
    "latitude",
    "longitude",
    "uncovered_weight",
    "uncovered_incidents",
)


def resolution_for_range(range_m: float) -> int:
    """Coarsest H3 resolution whose cells fit inside a camera of ``range_m``.

    Every point of a cell is then within ``range_m`` of the cell centre, so every
    uncovered incident can be reached by at least one default candidate.

    >>> resolution_for_range(50.0), resolution_for_range(100.0)
    (11, 10)
    """
    if not np.isfinite(range_m) or range_m <= 0:
        raise ValueError(f"`range_m` was {range_m!r} but is expected to be > 0")
    for res in range(COARSEST_RESOLUTION, FINEST_RESOLUTION + 1):
        if h3.average_hexagon_edge_length(res, "m") <= CELL_EDGE_FRACTION * range_m:
            return res
    return FINEST_RESOLUTION


def city_area(
    city: CityConfig,
    city_limit: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
) -> shapely.Geometry:
    """The area new cameras may go in (WGS84): the city limit, else the extent.

    ``city_limit`` may be a GeoDataFrame / GeoSeries (any CRS; all parts are
    merged) or a shapely geometry in WGS84.
    """
    if city_limit is None:
        return shapely.box(*city.extent.bounds)
    if isinstance(city_limit, gpd.GeoDataFrame | gpd.GeoSeries):
        series = city_limit.geometry
        if series.crs is not None:
            series = series.to_crs(WGS84)
        geom = shapely.union_all(series.to_numpy())
    elif isinstance(city_limit, shapely.Geometry):
        geom = city_limit
    else:
        raise TypeError(
            f"`city_limit` was a {type(city_limit).__name__} but is expected to be "
            "a GeoDataFrame, GeoSeries or shapely geometry"
        )
    if geom.is_empty or geom.area == 0:
        raise ValueError("`city_limit` has no area: expected a polygon")
    return geom


def inside(area: shapely.Geometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Element-wise: is (lon, lat) inside ``area`` (boundary included)?"""
    shapely.prepare(area)
    return np.asarray(shapely.intersects_xy(area, np.asarray(lon), np.asarray(lat)))


def cell_candidates(
    lon: np.ndarray,
    lat: np.ndarray,
    weight: np.ndarray,
    area: shapely.Geometry,
    *,
    resolution: int,
    max_candidates: int = MAX_CANDIDATES,
) -> gpd.GeoDataFrame:
    """Centres of the H3 cells holding the incidents given, heaviest first.

    Parameters
    ----------
    lon, lat
        WGS84 coordinates of the incidents still to cover.
    weight
        Severity weight of each incident (same length).
    area
        Candidates outside this WGS84 polygon are dropped.
    resolution
        H3 resolution of the cells (see :func:`resolution_for_range`).
    max_candidates
        Keep at most this many cells, by uncovered weight.

    Returns
    -------
    GeoDataFrame
        ``candidate_id`` (= ``h3``, the cell as text), ``latitude``, ``longitude``
        (cell centre), ``uncovered_weight``, ``uncovered_incidents``, point
        geometry, WGS84; sorted by weight (descending), then cell id.
    """
    if max_candidates < 1:
        raise ValueError(
            f"`max_candidates` was {max_candidates!r} but is expected to be >= 1"
        )
    n = len(lon)
    if n == 0:
        return _frame(pd.DataFrame({c: [] for c in CANDIDATE_COLUMNS}))
    unique, inverse = group_cells(cells_for(lat, lon, resolution))
    w = np.bincount(inverse, weights=weight, minlength=len(unique))
    count = np.bincount(inverse, minlength=len(unique))
    # heaviest first; the cell id breaks ties so the order never depends on input
    order = np.lexsort((unique, -w))
    # centres only for the heaviest cells, a chunk at a time, until enough are inside
    kept_order, kept_centres, start = [], [], 0
    have = 0
    while have < max_candidates and start < len(order):
        chunk = order[start : start + max_candidates]
        start += len(chunk)
        centres = np.array([h3_int.cell_to_latlng(int(c)) for c in unique[chunk]])
        keep = inside(area, centres[:, 1], centres[:, 0])
        kept_order.append(chunk[keep])
        kept_centres.append(centres[keep])
        have += int(keep.sum())
    order = np.concatenate(kept_order)[:max_candidates]
    centres = np.concatenate(kept_centres)[:max_candidates]
    ids = [h3_int.int_to_str(int(c)) for c in unique[order]]
    frame = pd.DataFrame(
        {
            "candidate_id": ids,
            "h3": ids,
            "latitude": centres[:, 0] if len(centres) else [],
            "longitude": centres[:, 1] if len(centres) else [],
            "uncovered_weight": w[order],
            "uncovered_incidents": count[order],
        }
    )
    return _frame(frame)


def explicit_candidates(
    candidates: gpd.GeoDataFrame, area: shapely.Geometry
) -> gpd.GeoDataFrame:
    """Normalise user candidates: WGS84 points inside ``area``, with an id.

    The id is the ``candidate_id`` column when present, else the frame's index as
    text. Non-point geometries use their centroid; candidates outside the city are
    dropped with a warning.
    """
    if not isinstance(candidates, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(
            f"`candidates` was a {type(candidates).__name__} but is expected to be "
            "a GeoDataFrame of points"
        )
    geoms = candidates.geometry
    if geoms.crs is not None and geoms.crs != WGS84:
        geoms = geoms.to_crs(WGS84)
    present = ~(geoms.isna() | geoms.is_empty).to_numpy()
    if not present.all():
        warnings.warn(
            f"{int((~present).sum())} candidate(s) without a location were dropped",
            stacklevel=3,
        )
    geoms = geoms[present]
    if len(geoms) and not (geoms.geom_type == "Point").all():
        warnings.warn(
            "`candidates` holds non-point geometries: their centroids are used",
            stacklevel=3,
        )
        geoms = gpd.GeoSeries(
            shapely.centroid(geoms.to_numpy()), index=geoms.index, crs=WGS84
        )
    if "candidate_id" in getattr(candidates, "columns", ()):
        ids = candidates["candidate_id"][present].astype(str).to_numpy()
    else:
        ids = geoms.index.astype(str).to_numpy()
    lon = shapely.get_x(geoms.to_numpy())
    lat = shapely.get_y(geoms.to_numpy())
    keep = inside(area, lon, lat)
    if not keep.all():
        warnings.warn(
            f"{int((~keep).sum())} candidate(s) outside the city were dropped",
            stacklevel=3,
        )
    frame = pd.DataFrame(
        {
            "candidate_id": pd.array(ids[keep], dtype=object),
            "h3": None,
            "latitude": lat[keep],
            "longitude": lon[keep],
            "uncovered_weight": np.nan,
            "uncovered_incidents": pd.array([pd.NA] * int(keep.sum()), dtype="Int64"),
        }
    )
    return _frame(frame)


def _frame(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    frame = frame.reset_index(drop=True)
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(
            frame["longitude"].astype(float), frame["latitude"].astype(float)
        ),
        crs=WGS84,
    )
