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

from analytics.coverage_state import CoverageState
from analytics.hexgrid import cell_polygons, group_cells
from analytics.schema import CATEGORIES, WGS84
from analytics.viewshed import to_metric

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


def gap_table(state: CoverageState, *, top: int | None = None) -> gpd.GeoDataFrame:
    """H3 cells ranked by severity-weighted incidents that no camera sees.

    Parameters
    ----------
    state
        The shared coverage arrays, from :func:`analytics.coverage.coverage_report`.
    top
        Keep only the ``top`` best gaps (all when None).

    Returns
    -------
    GeoDataFrame
        Columns :data:`GAP_COLUMNS` and the cell polygon (WGS84), best gap
        first: ``weighted_uncovered`` (sum of severity weights of unseen
        incidents), ``incidents_uncovered``, ``incidents``, the unseen mix
        (``violent``, ``property``, ``other``), ``ward_id`` of the cell centre
        (None without wards) and ``nearest_camera_m`` from the centre.
    """
    inc_cells = state.incident_cells
    covered = state.covered
    weights = state.weights
    codes = state.categories
    cams = state.cameras
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
    cx, cy = to_metric(centres[:, 1], centres[:, 0], state.city)
    nearest = np.full(len(chosen), np.nan)
    if len(cams) and len(chosen):
        tree = cKDTree(np.column_stack([cams.x, cams.y]))
        nearest = tree.query(np.column_stack([cx, cy]))[0]
    ward = np.full(len(chosen), None, dtype=object)
    if state.has_wards and len(chosen):
        zone = state.grid.zone_of(cx, cy)
        names = state.ward_ids["ward_id"].to_numpy(dtype=object)
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
