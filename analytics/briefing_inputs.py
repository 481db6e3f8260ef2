"""What one briefing shows, already redacted: the inputs of the HTML renderer.

:func:`analytics.briefing.gather_briefing` builds :class:`BriefingInputs`;
:func:`analytics.briefing_html.render_briefing` turns them into HTML. Both
import this module, so neither imports the other's module (no import circle).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import geopandas as gpd
import pandas as pd

from analytics.config import CityConfig

__all__ = ["BriefingInputs", "ForecastView", "RequestsBrief"]


@dataclass(frozen=True)
class ForecastView:
    """What the briefing shows of the goal forecast.

    ``history`` is cumulative active cameras by date; ``projection``, ``lower``
    and ``upper`` the projected count and its interval by date.
    """

    history: pd.Series
    projection: pd.Series
    lower: pd.Series | None
    upper: pd.Series | None
    goal_date: date | None
    interval: tuple[date | None, date | None] | None
    model: str
    backtest_error: str = ""
    confidence: str = "80%"
    message: str = ""
    pace: str = ""
    outlook: str = ""  # analytics.figures.goal_sentence: same words on every surface
    goal_date_text: str = ""  # analytics.figures.goal_date_text


@dataclass(frozen=True)
class RequestsBrief:
    """Footage requests in the briefing's window: aggregates only.

    ``texts`` maps request figures of :mod:`analytics.figures` to their text;
    the group tables are suppressed for the public edition as
    :func:`analytics.footage.suppress_groups` does.
    """

    texts: Mapping[str, str]
    sentence: str
    by_tier: pd.DataFrame
    by_owner_type: pd.DataFrame


@dataclass(frozen=True)
class BriefingInputs:
    """Everything one briefing shows, already redacted for ``audience``.

    Frames hold aggregates only (wards, H3 cells); ``camera_points`` holds the
    exact cameras the audience may see (none for the public).
    """

    city: CityConfig
    audience: str
    label: str
    synthetic: bool
    as_of: date
    since: date | None
    until: date | None
    ward_names: tuple[str, ...]
    headline: Mapping[str, float]
    ward_table: pd.DataFrame
    ward_shapes: gpd.GeoDataFrame | None
    outline: gpd.GeoSeries | None
    camera_cells: gpd.GeoDataFrame
    camera_points: gpd.GeoDataFrame
    privacy_note: str
    suppressed_cameras: int
    merged_cameras: int
    gaps: gpd.GeoDataFrame
    recruitment: gpd.GeoDataFrame
    recruitment_note: str
    forecast: ForecastView | None
    costs: pd.DataFrame | None
    scenario: Mapping[str, object] = field(default_factory=dict)
    methods: Mapping[str, str] = field(default_factory=dict)
    generated_at: datetime | None = None
    requests: RequestsBrief | None = None  # None: no request history recorded
