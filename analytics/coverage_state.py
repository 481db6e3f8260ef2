"""The coverage state: the arrays every coverage kernel shares, built once.

:func:`analytics.coverage.coverage_report` projects the cameras and incidents,
finds which cameras see which incidents, rasterises the city and its wards and
assigns H3 cells, then hands one :class:`CoverageState` to the kernels that turn
it into tables: :func:`analytics.hexgrid.hex_table`,
:func:`analytics.gaps.gap_table` and :func:`analytics.wards.ward_frame`. The
kernels import this module, never :mod:`analytics.coverage`, so the coverage
package has no import circle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.areagrid import AreaGrid
from analytics.config import CityConfig
from analytics.schema import CATEGORIES
from analytics.viewshed import CameraArrays


@dataclass(frozen=True, eq=False)
class CoverageState:
    """Arrays shared by the coverage kernels (one row per site or per incident).

    Attributes
    ----------
    city
        The city configuration the state was computed for.
    resolution
        H3 resolution of ``camera_cells`` and ``incident_cells``.
    cameras
        Active camera sites in the city's metric CRS.
    camera_cells, incident_cells
        H3 cell (uint64) of each site / incident; 0 where coordinates are missing.
    incident_x, incident_y
        Incident coordinates in metres (NaN where missing).
    sites_seeing, live_sites_seeing
        Per incident: how many active sites see it, and how many of those are
        integrated (live).
    weights, categories
        Per incident: severity weight and index into ``schema.CATEGORIES``.
    grid
        The 10 m area raster of the city limit, with the wards as zones.
    covered_cells
        Per raster cell: whether some camera sees its centre.
    outside_cells
        Covered raster cells outside the raster's extent (for the union area).
    ward_ids
        ``ward_id`` and ``ward_name`` in zone order (no rows without wards).
    incident_ward, camera_ward
        Zone index of each incident / site (-1 outside every ward); None
        without wards.
    area_basis
        What the grid's city area is: ``"city limit"``, ``"ward boundaries"``
        or ``"configured extent"`` (:data:`analytics.coverage.AREA_LIMIT` ...).
    victims
        Per incident: file rows folded into it (the loaders' ``rows``: victims,
        or offences); None counts one each.
    """

    city: CityConfig
    resolution: int
    cameras: CameraArrays
    camera_cells: np.ndarray
    incident_x: np.ndarray
    incident_y: np.ndarray
    incident_cells: np.ndarray
    sites_seeing: np.ndarray
    live_sites_seeing: np.ndarray
    weights: np.ndarray
    categories: np.ndarray
    grid: AreaGrid
    covered_cells: np.ndarray
    outside_cells: int
    ward_ids: pd.DataFrame
    incident_ward: np.ndarray | None = None
    camera_ward: np.ndarray | None = None
    area_basis: str = "city limit"
    victims: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.incident_x)
        for name in (
            "incident_y",
            "incident_cells",
            "sites_seeing",
            "live_sites_seeing",
            "weights",
            "categories",
        ):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"`{name}` has {len(getattr(self, name))} values but there "
                    f"are {n} incidents"
                )
        if self.victims is not None and len(self.victims) != n:
            raise ValueError(
                f"`victims` has {len(self.victims)} values but there are {n} incidents"
            )
        if len(self.camera_cells) != len(self.cameras):
            raise ValueError(
                f"`camera_cells` has {len(self.camera_cells)} values but there "
                f"are {len(self.cameras)} camera sites"
            )

    @property
    def incidents(self) -> int:
        """Number of incidents."""
        return len(self.incident_x)

    @property
    def victim_counts(self) -> np.ndarray:
        """Per incident: victims (folded file rows), one where not recorded."""
        if self.victims is None:
            return np.ones(self.incidents, dtype=np.int64)
        return self.victims

    @property
    def violent(self) -> np.ndarray:
        """Per incident: whether its category is ``violent``."""
        return np.asarray(self.categories == CATEGORIES.index("violent"))

    @property
    def covered(self) -> np.ndarray:
        """Per incident: seen by at least one active site."""
        return np.asarray(self.sites_seeing > 0)

    @property
    def covered_live(self) -> np.ndarray:
        """Per incident: seen by an integrated (live) site."""
        return np.asarray(self.live_sites_seeing > 0)

    @property
    def covered_on_request(self) -> np.ndarray:
        """Per incident: seen, but only by registered sites (footage on request)."""
        return np.asarray(self.covered & ~self.covered_live)

    @property
    def has_wards(self) -> bool:
        return self.incident_ward is not None and len(self.ward_ids) > 0
