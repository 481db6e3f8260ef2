"""Projected X/Y in files that name no CRS: read them in the city's state plane.

City GIS exports often write state plane feet (Little Rock: NAD83 / Arkansas
North, EPSG:3433) without saying so: a GeoJSON with no ``crs`` member, ``X``/``Y``
columns beside latitude/longitude. Such values cannot be degrees (beyond 180).
When the city file names a ``state_plane_crs``, :func:`assume_crs` reads them in
it and keeps the result only if the points then fall in the city: a file in
another CRS is never silently moved into town.

>>> from analytics.config import load_city
>>> city = load_city()
>>> found = assume_crs(np.array([1223418.12]), np.array([148702.55]), city)
>>> found.crs, [round(float(v), 4) for v in (found.lon[0], found.lat[0])]
('EPSG:3433', [-92.2959, 34.7415])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from analytics.config import CityConfig

# Values beyond these cannot be longitude/latitude degrees.
MAX_LON = 180.0
MAX_LAT = 90.0
# Share of the points that must be too large for degrees before a column or a
# geometry is taken to hold projected values (also analytics.loaders).
PROJECTED_SHARE = 0.5
# Share of the projected points that must land in the city extent once read in
# the assumed CRS; below it the assumption is refused.
INSIDE_SHARE = 0.5


@dataclass(frozen=True)
class Assumed:
    """Points read in an assumed CRS.

    Attributes
    ----------
    lon, lat
        WGS84 degrees, NaN where the input was NaN.
    crs
        The CRS assumed, as configured (``"EPSG:3433"``).
    crs_name
        Its name (``"NAD83 / Arkansas North (ftUS)"``).
    inside, total
        Points that fall in the city extent, and points read.
    """

    lon: np.ndarray
    lat: np.ndarray
    crs: str
    crs_name: str
    inside: int
    total: int

    def sentence(self, what: str) -> str:
        """One sentence for the load report: what was assumed and how it fit."""
        return (
            f"{what} hold projected values and the file names no CRS: read as "
            f"{self.crs} "
            f"({self.crs_name}, the city's state_plane_crs); {self.inside:,} of "
            f"{self.total:,} points then fall inside the city"
        )


def projected_share(x: np.ndarray, y: np.ndarray) -> float:
    """Share of the points with both values that are too large for degrees."""
    both = ~np.isnan(x) & ~np.isnan(y)
    if not both.any():
        return 0.0
    beyond = (np.abs(x[both]) > MAX_LON) | (np.abs(y[both]) > MAX_LAT)
    return float(beyond.mean())


def assume_crs(x: np.ndarray, y: np.ndarray, city: CityConfig) -> Assumed | None:
    """``x``/``y`` read in ``city.state_plane_crs``, or None.

    None when the city names no such CRS, the values are not projected (most
    within degree range), or fewer than :data:`INSIDE_SHARE` of the points land
    inside ``city.extent`` once transformed.
    """
    crs = getattr(city, "state_plane_crs", None)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if not crs or projected_share(x, y) <= PROJECTED_SHARE:
        return None
    from pyproj import CRS, Transformer

    source = CRS.from_user_input(crs)
    transform = Transformer.from_crs(source, "EPSG:4326", always_xy=True).transform
    lon = np.full(len(x), np.nan)
    lat = np.full(len(x), np.nan)
    both = ~np.isnan(x) & ~np.isnan(y)
    lon[both], lat[both] = transform(x[both], y[both])
    inside = int(np.asarray(city.extent.contains(lon[both], lat[both])).sum())
    total = int(both.sum())
    if inside <= INSIDE_SHARE * total:
        return None
    return Assumed(lon, lat, str(crs), source.name, inside, total)
