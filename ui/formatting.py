"""Text for figures shown in tiles and captions; a missing value shows as a dash.

A share is undefined when nothing was counted (no incidents in the window):
showing "nan%" would look like a bug, 0% would be false.

>>> share(0.1234), share(float("nan")), count(4731)
('12.3%', '–', '4,731')
"""

from __future__ import annotations

import math

DASH = "–"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def share(value: float | None, digits: int = 1) -> str:
    """A 0-1 share as a percentage."""
    return DASH if _missing(value) else f"{value:.{digits}%}"


def count(value: float | None) -> str:
    """A whole number with thousands separators."""
    return DASH if _missing(value) else f"{value:,.0f}"


def points(change: float | None, digits: int = 1) -> str:
    """A change of a share, in percentage points with a sign."""
    return DASH if _missing(change) else f"{change * 100:+.{digits}f} pts"
