"""How every figure is written: one set of helpers for tiles, tables, the briefing
and the command line.

A missing value (None, NaN, an undefined share when nothing was counted) is
written as a dash, never as "None", "nan" or a false 0.

>>> count(4731), pct(0.1744), money(220000), coord(34.7464812)
('4,731', '17.4%', '$220,000', '34.74648')
>>> pct(float("nan")), month(None)
('–', '–')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

__all__ = [
    "DASH",
    "FORMATS",
    "coord",
    "count",
    "day",
    "format_table",
    "hours",
    "is_missing",
    "km2",
    "money",
    "month",
    "number",
    "pace",
    "pct",
    "points",
    "signed_count",
    "timestamp",
    "years",
]

DASH = "–"


def _f(value: Any) -> float:
    return float(value)


def is_missing(value: object) -> bool:
    """None, NaN, NaT or pandas NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def count(value: object) -> str:
    """A whole number with thousands separators: ``4,731``."""
    return DASH if is_missing(value) else f"{_f(value):,.0f}"


def signed_count(value: object) -> str:
    """A change in a count with its sign: ``+12``, ``-3``, ``0``."""
    if is_missing(value):
        return DASH
    whole = round(_f(value))
    return f"{whole:+,.0f}" if whole else "0"


def number(value: object, digits: int = 1) -> str:
    """A measured quantity with separators and ``digits`` decimals: ``1,234.5``."""
    return DASH if is_missing(value) else f"{_f(value):,.{digits}f}"


def pct(value: object, digits: int = 1) -> str:
    """A 0-1 share as a percentage with one decimal: ``17.4%``."""
    return DASH if is_missing(value) else f"{_f(value):.{digits}%}"


def points(change: object, digits: int = 1) -> str:
    """A change of a share in percentage points with a sign: ``+0.4 pts``."""
    return DASH if is_missing(change) else f"{_f(change) * 100:+.{digits}f} pts"


def money(value: object) -> str:
    """Dollars, whole, with separators: ``$220,000`` (``-$5`` for a negative)."""
    if is_missing(value):
        return DASH
    amount = _f(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.0f}"


def km2(value: object, digits: int = 1) -> str:
    """An area in square kilometres: ``12.3 km²``."""
    return DASH if is_missing(value) else f"{_f(value):,.{digits}f} km²"


def coord(value: object) -> str:
    """A longitude or latitude to 5 decimals (about a metre)."""
    return DASH if is_missing(value) else f"{_f(value):.5f}"


def years(value: object) -> str:
    """A duration in years with one decimal: ``32.7 years``."""
    return DASH if is_missing(value) else f"{_f(value):,.1f} years"


def hours(value: object) -> str:
    """A duration in hours with one decimal: ``18.5 h``."""
    return DASH if is_missing(value) else f"{_f(value):,.1f} h"


def pace(value: object) -> str:
    """A monthly rate of cameras: ``74 cameras a month``."""
    return DASH if is_missing(value) else f"{_f(value):,.0f} cameras a month"


def _as_date(value: object) -> date | None:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        out: datetime = value.to_pydatetime()
        return out
    if isinstance(value, date):
        return value
    stamp: datetime = pd.Timestamp(str(value)).to_pydatetime()
    return stamp


def day(value: object) -> str:
    """A calendar day: ``01 Nov 2026``."""
    when = _as_date(value)
    return DASH if when is None else f"{when:%d %b %Y}"


def month(value: object) -> str:
    """A month: ``Nov 2026`` (the unit of every projected date)."""
    when = _as_date(value)
    return DASH if when is None else f"{when:%b %Y}"


def timestamp(value: object) -> str:
    """A date and time to the minute, never seconds: ``01 Nov 2026 14:05``."""
    when = _as_date(value)
    if when is None:
        return DASH
    if not isinstance(when, datetime):
        return f"{when:%d %b %Y}"
    return f"{when:%d %b %Y %H:%M}"


FORMATS: dict[str, Callable[..., str]] = {
    "count": count,
    "signed_count": signed_count,
    "number": number,
    "pct": pct,
    "points": points,
    "money": money,
    "km2": km2,
    "coord": coord,
    "years": years,
    "pace": pace,
    "hours": hours,
    "day": day,
    "month": month,
    "timestamp": timestamp,
    "text": lambda v: DASH if is_missing(v) else str(v),
}


def format_table(
    frame: pd.DataFrame,
    formats: Mapping[str, str | Callable[..., str]],
    *,
    rename: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` with the named columns written as text.

    ``formats`` maps a column to a name in :data:`FORMATS` (or a function);
    columns not named are kept, with missing values turned into a dash when they
    hold text. No cell of the result reads "None" or "nan".
    """
    out = frame.copy()
    for column, how in formats.items():
        if column not in out:
            continue
        fn = FORMATS[how] if isinstance(how, str) else how
        out[column] = [fn(v) for v in out[column]]
    for column in out.columns:
        kind = out[column].dtype
        if pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind):
            out[column] = pd.Series(
                [DASH if is_missing(v) else v for v in out[column]],
                index=out.index,
                dtype=object,
            )
    if rename:
        out = out.rename(columns=dict(rename))
    return out
