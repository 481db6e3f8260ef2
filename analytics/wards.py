"""Coverage per ward and per police district, for council and command staff.

Each incident belongs to exactly one ward: a point on a shared border goes to
the first ward (in table order) that touches it. Ward areas are exact polygon
areas; the covered part is measured on the 10 m raster of
:mod:`analytics.areagrid`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import CityConfig
from analytics.coverage_state import CoverageState
from analytics.severity import severity_weights

WARD_TABLE_COLUMNS = (
    "ward_id",
    "ward_name",
    "area_km2",
    "covered_area_km2",
    "area_coverage_share",
    "incidents",
    "incidents_covered",
    "incident_coverage_share",
    "live_incident_coverage_share",
    "weighted_incident_coverage_share",
    "violent_incidents",
    "violent_victims",
    "cameras",
    "sites",
    "integrated_cameras",
    "cameras_per_km2",
)
DISTRICT_TABLE_COLUMNS = (
    "district",
    "incidents",
    "incidents_covered",
    "incident_coverage_share",
    "live_incident_coverage_share",
    "weighted_incident_coverage_share",
)
M2_PER_KM2 = 1_000_000.0


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def ward_frame(state: CoverageState) -> pd.DataFrame:
    """Coverage figures per ward (columns :data:`WARD_TABLE_COLUMNS`).

    ``area_coverage_share`` is the share of the ward's area inside at least one
    viewshed; ``incident_coverage_share`` the share of its incidents in view;
    ``weighted_incident_coverage_share`` the same with severity weights;
    ``violent_incidents`` counts its violent incidents and ``violent_victims``
    their victims (folded file rows, :attr:`CoverageState.victim_counts`);
    ``cameras`` sums ``camera_count`` of active cameras in the ward.

    Parameters
    ----------
    state
        The shared coverage arrays, from :func:`analytics.coverage.coverage_report`
        with wards given.
    """
    if state.incident_ward is None or state.camera_ward is None:
        raise ValueError("`state` was built without wards: there is no ward table")
    ward_ids, grid, cams = state.ward_ids, state.grid, state.cameras
    inc_zone, cam_zone = state.incident_ward, state.camera_ward
    k = len(ward_ids)
    zone = grid.zone
    in_zone = zone >= 0
    cells = np.bincount(zone[in_zone], minlength=k)
    seen = np.bincount(zone[in_zone & state.covered_cells], minlength=k)
    area_share = _ratio(seen, cells)
    area_km2 = grid.zone_area_m2 / M2_PER_KM2

    on = inc_zone >= 0
    z = inc_zone[on]
    covered = state.covered[on]
    w = state.weights[on]
    incidents = np.bincount(z, minlength=k)
    hit = np.bincount(z[covered], minlength=k)
    live = np.bincount(z[state.covered_live[on]], minlength=k)
    w_all = np.bincount(z, weights=w, minlength=k)
    w_hit = np.bincount(z[covered], weights=w[covered], minlength=k)
    violent = state.violent[on]
    violent_n = np.bincount(z[violent], minlength=k)
    victims = np.bincount(
        z[violent], weights=state.victim_counts[on][violent], minlength=k
    )

    c_on = cam_zone >= 0
    cz = cam_zone[c_on]
    counts = cams.camera_count[c_on]
    cameras = np.bincount(cz, weights=counts, minlength=k).astype(np.int64)
    sites = np.bincount(cz, minlength=k)
    integrated = np.bincount(
        cz, weights=counts * cams.integrated[c_on], minlength=k
    ).astype(np.int64)

    return pd.DataFrame(
        {
            "ward_id": ward_ids["ward_id"].to_numpy(),
            "ward_name": ward_ids["ward_name"].to_numpy(),
            "area_km2": area_km2,
            "covered_area_km2": np.nan_to_num(area_share) * area_km2,
            "area_coverage_share": area_share,
            "incidents": incidents.astype(np.int64),
            "incidents_covered": hit.astype(np.int64),
            "incident_coverage_share": _ratio(hit, incidents),
            "live_incident_coverage_share": _ratio(live, incidents),
            "weighted_incident_coverage_share": _ratio(w_hit, w_all),
            "violent_incidents": violent_n.astype(np.int64),
            "violent_victims": victims.astype(np.int64),
            "cameras": cameras,
            "sites": sites.astype(np.int64),
            "integrated_cameras": integrated,
            "cameras_per_km2": _ratio(cameras, area_km2),
        },
        columns=list(WARD_TABLE_COLUMNS),
    )


def district_table(
    incidents: pd.DataFrame,
    coverage: pd.DataFrame,
    city: CityConfig,
    *,
    weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """Coverage per police district code, where incidents carry one.

    Parameters
    ----------
    incidents
        Canonical incidents (``district``, ``category``).
    coverage
        Aligned per-incident frame from
        :func:`analytics.coverage.incident_coverage` (same length and order).
    city
        For the severity weights.
    weights
        Precomputed severity weight per incident (aligned), to save work.
    """
    if len(coverage) != len(incidents):
        raise ValueError(
            f"`coverage` has {len(coverage)} rows but there are "
            f"{len(incidents)} incidents"
        )
    if "district" not in incidents or len(incidents) == 0:
        return pd.DataFrame(columns=list(DISTRICT_TABLE_COLUMNS))
    z, raw = pd.factorize(incidents["district"])
    names = pd.Index(raw).astype(str).str.strip().to_numpy(dtype=object)
    valid = np.flatnonzero(names != "")
    # codes differing only by surrounding spaces merge; table sorted by code
    codes, inverse = np.unique(names[valid], return_inverse=True)
    mapping = np.full(len(names) + 1, -1, dtype=np.int64)
    mapping[valid] = inverse
    z = mapping[np.where(z >= 0, z, len(names))]
    known = z >= 0
    if not known.any():
        return pd.DataFrame(columns=list(DISTRICT_TABLE_COLUMNS))
    z = z[known]
    k = len(codes)
    if weights is None:
        weights = severity_weights(incidents, city)
    weights = np.asarray(weights, dtype=float)[known]
    covered = np.asarray(coverage["covered"], dtype=bool)[known]
    live = np.asarray(coverage["covered_live"], dtype=bool)[known]
    incidents_n = np.bincount(z, minlength=k)
    hit = np.bincount(z[covered], minlength=k)
    return pd.DataFrame(
        {
            "district": codes,
            "incidents": incidents_n.astype(np.int64),
            "incidents_covered": hit.astype(np.int64),
            "incident_coverage_share": _ratio(hit, incidents_n),
            "live_incident_coverage_share": _ratio(
                np.bincount(z[live], minlength=k), incidents_n
            ),
            "weighted_incident_coverage_share": _ratio(
                np.bincount(z[covered], weights=weights[covered], minlength=k),
                np.bincount(z, weights=weights, minlength=k),
            ),
        },
        columns=list(DISTRICT_TABLE_COLUMNS),
    )
