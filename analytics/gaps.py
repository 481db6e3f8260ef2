"""Coverage gaps: the H3 cells where the most serious crime goes unseen.

Cells are ranked by severity-weighted uncovered incidents (the city's
``[offenses.weights]``: by default a violent incident counts 3, a property one 1,
another 0.5). Each row says which ward holds the cell centre, the mix of the
uncovered incidents and how far the centre is from the nearest active camera.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from h3.api import basic_int as h3_int
from scipy.spatial import cKDTree

from analytics.config import CityConfig
from analytics.hexgrid import cell_polygons, group_cells
from analytics.schema import CATEGORIES, WGS84
from analytics.viewshed import CameraArrays, to_metric

GAP_COLUMNS = (
    "rank",
    "h3",
    "weighted_uncovered",
    "incidents_uncovered",
    "incidents",
    "violent",
    "property",
    "other",
    "ward_id",
    "nearest_camera_m",
)


def gap_table(
    inc_cells: np.ndarray,
    covered: np.ndarray,
    weights: np.ndarray,
    codes: np.ndarray,
    cams: CameraArrays,
    city: CityConfig,
    *,
    grid=None,
    ward_ids: list[str] | None = None,
    top: int | None = None,
) -> gpd.GeoDataFrame:
    """Ranked gap cells from precomputed arrays (used by ``coverage_report``).

    ``codes`` are category indexes into ``CATEGORIES`` (see
    :func:`analytics.coverage.category_codes`).

    ``grid`` (an :class:`analytics.areagrid.AreaGrid` with wards as zones) and
    ``ward_ids`` name the ward of each cell centre; without them ``ward_id`` is
    missing.
    """
    inc_cells = np.asarray(inc_cells, dtype=np.uint64)
    covered = np.asarray(covered, dtype=bool)
    weights = np.asarray(weights, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    ok = inc_cells != 0
    cells, z = group_cells(inc_cells[ok])
    k = len(cells)
    open_ = ~covered[ok]
    zo = z[open_]
    weighted = np.bincount(zo, weights=weights[ok][open_], minlength=k)
    uncovered = np.bincount(zo, minlength=k)
    incidents = np.bincount(z, minlength=k)
    open_codes = codes[ok][open_]
    mix = {
        cat: np.bincount(zo[open_codes == i], minlength=k)
        for i, cat in enumerate(CATEGORIES)
    }
    keep = uncovered > 0
    order = np.lexsort((cells[keep], -uncovered[keep], -weighted[keep]))
    pick = np.flatnonzero(keep)[order]
    if top is not None:
        pick = pick[: max(int(top), 0)]
    chosen = cells[pick]

    centres = np.array([h3_int.cell_to_latlng(c) for c in chosen.tolist()]).reshape(
        -1, 2
    )
    cx, cy = to_metric(centres[:, 1], centres[:, 0], city)
    nearest = np.full(len(chosen), np.nan)
    if len(cams) and len(chosen):
        tree = cKDTree(np.column_stack([cams.x, cams.y]))
        nearest = tree.query(np.column_stack([cx, cy]))[0]
    ward = np.full(len(chosen), None, dtype=object)
    if grid is not None and ward_ids and len(chosen):
        zone = grid.zone_of(cx, cy)
        names = np.array(ward_ids, dtype=object)
        ward[zone >= 0] = names[zone[zone >= 0]]
    frame = pd.DataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1),
            "h3": [h3_int.int_to_str(c) for c in chosen.tolist()],
            "weighted_uncovered": weighted[pick],
            "incidents_uncovered": uncovered[pick].astype(np.int64),
            "incidents": incidents[pick].astype(np.int64),
            "violent": mix["violent"][pick].astype(np.int64),
            "property": mix["property"][pick].astype(np.int64),
            "other": mix["other"][pick].astype(np.int64),
            "ward_id": ward,
            "nearest_camera_m": nearest,
        },
        columns=list(GAP_COLUMNS),
    )
    return gpd.GeoDataFrame(frame, geometry=cell_polygons(chosen), crs=WGS84)


def gap_ranking(
    cameras: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    city: CityConfig,
    *,
    wards: gpd.GeoDataFrame | None = None,
    resolution: int | None = None,
    range_scale: float = 1.0,
    top: int | None = None,
) -> gpd.GeoDataFrame:
    """H3 cells ranked by severity-weighted incidents that no camera sees.

    Returns
    -------
    GeoDataFrame
        Columns :data:`GAP_COLUMNS` and the cell polygon (WGS84), best gap
        first: ``weighted_uncovered`` (sum of severity weights of unseen
        incidents), ``incidents_uncovered``, ``incidents``, the unseen mix
        (``violent``, ``property``, ``other``), ``ward_id`` of the cell centre
        (None without wards) and ``nearest_camera_m`` from the centre.
    """
    from analytics.coverage import coverage_report

    report = coverage_report(
        cameras,
        incidents,
        city,
        city_limit=wards,
        wards=wards,
        range_scale=range_scale,
        hex_resolution=resolution,
    )
    gaps = report.gaps
    return gaps.iloc[:top] if top is not None else gaps
