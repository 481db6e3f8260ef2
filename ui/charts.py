"""Plotly figures for the pages: built from analytics results, no computation.

Colours match the map (``analytics.maps``) so a tier or a recommendation looks the
same everywhere.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.forecast import ForecastResult
from analytics.maps import SITE_COLOUR, TIER_COLOURS
from analytics.safe_output import escape_plotly
from analytics.targeting import Recommendation

HISTORY_COLOUR = "#1f78b4"
PROJECTION_COLOUR = "#6a3d9a"
BASELINE_COLOUR = "#7f7f7f"
GOAL_COLOUR = "#d95f02"
SMALL_HEIGHT = 300
HEIGHT = 380
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def forecast_chart(result: ForecastResult, *, height: int = SMALL_HEIGHT) -> go.Figure:
    """Cameras in the registry by month, the projection with its 80% band, the goal."""
    fig = go.Figure()
    hist = result.history
    if len(hist):
        fig.add_trace(
            go.Scatter(
                x=hist["period"],
                y=hist["cameras"],
                name="Registered cameras",
                mode="lines",
                line={"color": HISTORY_COLOUR, "width": 3},
                hovertemplate="%{x|%b %Y}: %{y:,.0f} cameras<extra></extra>",
            )
        )
    proj = result.projection
    if len(proj):
        dates = pd.to_datetime(proj["date"])
        fig.add_trace(
            go.Scatter(
                x=list(dates) + list(dates[::-1]),
                y=list(proj["high"]) + list(proj["low"][::-1]),
                fill="toself",
                fillcolor="rgba(106,61,154,0.15)",
                line={"width": 0},
                hoverinfo="skip",
                name="80% interval",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=proj["cameras"],
                name=f"Projection ({result.model})",
                mode="lines",
                line={"color": PROJECTION_COLOUR, "dash": "dash"},
                hovertemplate="%{x|%b %Y}: %{y:,.0f} projected<extra></extra>",
            )
        )
    fig.add_hline(
        y=result.goal,
        line={"color": GOAL_COLOUR, "dash": "dot"},
        annotation_text=f"Goal {result.goal:,}",
        annotation_position="top left",
    )
    fig.update_layout(
        height=height,
        margin=_MARGIN,
        yaxis_title="Cameras",
        legend={"orientation": "h", "y": -0.15},
        title={"text": "Registered cameras and projection", "font": {"size": 14}},
    )
    return fig


def curve_chart(rec: Recommendation, *, height: int = HEIGHT) -> go.Figure:
    """Weighted incidents newly covered by the first k sites: targeted vs as usual."""
    curve = rec.curve
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["k"] if "k" in curve else curve.index + 1,
            y=curve["greedy_share"] * 100,
            name="Recommended sites",
            mode="lines+markers",
            line={"color": SITE_COLOUR, "width": 3},
            marker={"size": 4},
            hovertemplate="%{x} sites: %{y:.2f}% of weighted incidents<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["k"] if "k" in curve else curve.index + 1,
            y=curve["baseline_share"] * 100,
            name="As usual (where sign-ups have been coming from)",
            mode="lines",
            line={"color": BASELINE_COLOUR, "dash": "dash"},
            hovertemplate="%{x} sites: %{y:.2f}%<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin=_MARGIN,
        xaxis_title="New camera sites recruited",
        yaxis_title="Newly covered, % of weighted incidents",
        legend={"orientation": "h", "y": -0.25},
        title={"text": "What each new site adds", "font": {"size": 14}},
    )
    return fig


def ward_bar_chart(
    table: pd.DataFrame,
    column: str,
    *,
    title: str,
    percent: bool = False,
    unit: str | None = None,
    height: int = HEIGHT,
) -> go.Figure:
    """Horizontal bars of one ward measure, lowest at the bottom.

    ``percent`` shows a share (0-1) as percent; ``unit`` is written after each
    value (default ``%`` for percent).
    """
    data = table.sort_values(column, ascending=True)
    values = data[column] * (100 if percent else 1)
    unit = unit if unit is not None else ("%" if percent else "")
    fig = go.Figure(
        go.Bar(
            x=values,
            y=data["ward_name"].map(escape_plotly),
            orientation="h",
            marker={"color": HISTORY_COLOUR},
            text=[f"{v:,.1f}{unit}" for v in values],
            textposition="auto",
            hovertemplate="%{y}: %{x:,.1f}" + unit + "<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin=_MARGIN,
        title={"text": title, "font": {"size": 14}},
    )
    return fig


def tier_colour(tier: str) -> str:
    return TIER_COLOURS.get(tier, HISTORY_COLOUR)
