"""Where two streets cross, from the city's address points alone.

An incident export gives intersections without a house number (``MAIN ST /
W 7TH ST``). Address points lie along each street; where the two streets cross,
a point of one comes close to a point of the other. :func:`meeting_point`
returns the midpoint of the closest such pair when they are within
:data:`MAX_GAP_M` metres (corner lots of crossing streets are a lot-width
apart), else None: two streets of those names that never come near each other
(or a misspelt street) do not meet, and the row keeps its reason.

>>> a = pd.DataFrame({"lat": [34.7452, 34.7436], "lon": [-92.2712, -92.2712]})
>>> b = pd.DataFrame({"lat": [34.7438, 34.7438], "lon": [-92.2720, -92.2735]})
>>> meeting_point(a, b)
(34.7437, -92.2716)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Two address points this close, one on each street, mark the crossing.
MAX_GAP_M = 150.0
# Metres per degree of latitude (WGS84, mid-latitudes; enough to compare gaps).
METRES_PER_DEGREE = 111_132.0
# Decimal places kept in a placed intersection (about 1 cm).
DECIMALS = 6


def meeting_point(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, float] | None:
    """(lat, lon) where streets ``a`` and ``b`` cross, or None.

    Parameters
    ----------
    a, b
        Address points of each street: ``lat`` and ``lon`` columns (degrees).
    """
    if not len(a) or not len(b):
        return None
    from scipy.spatial import cKDTree

    scale = math.cos(math.radians(float(pd.concat([a["lat"], b["lat"]]).mean())))

    def metres(points: pd.DataFrame) -> np.ndarray:
        lat = points["lat"].to_numpy(float)
        lon = points["lon"].to_numpy(float)
        return np.column_stack([lon * scale, lat]) * METRES_PER_DEGREE

    gap, nearest = cKDTree(metres(a)).query(metres(b), k=1)
    best = int(np.argmin(gap))
    if gap[best] > MAX_GAP_M:
        return None
    near_a, near_b = a.iloc[int(nearest[best])], b.iloc[best]
    lat = round((float(near_a["lat"]) + float(near_b["lat"])) / 2, DECIMALS)
    lon = round((float(near_a["lon"]) + float(near_b["lon"])) / 2, DECIMALS)
    return lat, lon
