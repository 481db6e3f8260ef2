"""Plotly figures for the pages: built from analytics results, no computation.

Colours match the map (``analytics.maps``) so a tier or a recommendation looks the
same everywhere.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analytics.forecast import ForecastResult
from analytics.maps import SITE_COLOUR, TIER_COLOURS
from analytics.safe_output import escape_plotly
from analytics.scenarios import BASELINE, ScenarioComparison
from analytics.targeting import Recommendation

HISTORY_COLOUR = "#1f78b4"
PROJECTION_COLOUR = "#6a3d9a"
BASELINE_COLOUR = "#7f7f7f"
GOAL_COLOUR = "#d95f02"
SCENARIO_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")
SMALL_HEIGHT = 300
HEIGHT = 380
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def forecast_chart(
    result: ForecastResult, *, height: int = SMALL_HEIGHT, launch: date | None = None
) -> go.Figure:
    """Cameras in the registry by month, the projection with its 80% band, the goal.

    ``launch`` adds a dotted line on the program's launch day (Goal progress).
    """
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
    if launch is not None:
        fig.add_vline(
            x=pd.Timestamp(launch).timestamp() * 1000,
            line={"color": BASELINE_COLOUR, "dash": "dot"},
            annotation_text="Launch",
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


def monthly_chart(history: pd.DataFrame, *, months: int = 36) -> go.Figure:
    """New registrations up, withdrawals down and the net change, by month."""
    recent = history.tail(months)
    fig = go.Figure()
    fig.add_trace(go.Bar(x=recent["period"], y=recent["added"], name="Registered"))
    fig.add_trace(go.Bar(x=recent["period"], y=-recent["withdrawn"], name="Withdrawn"))
    fig.add_trace(
        go.Scatter(
            x=recent["period"], y=recent["net"], name="Net", line={"color": "black"}
        )
    )
    fig.update_layout(
        barmode="relative",
        height=HEIGHT,
        margin=_MARGIN,
        xaxis_title="Month",
        yaxis_title="Cameras a month (count)",
        legend={"orientation": "h"},
    )
    return fig


def breakdown_chart(history: pd.DataFrame, by: str) -> go.Figure:
    """Cameras in the registry by month, stacked by ``by`` (tier, owner, ward)."""
    fig = go.Figure()
    for name, part in history.groupby(by, sort=True):
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=part["cameras"],
                stackgroup="one",
                name=escape_plotly(name),  # ward names come from a data file
            )
        )
    fig.update_layout(
        height=HEIGHT,
        margin=_MARGIN,
        xaxis_title="Month",
        yaxis_title="Cameras in the registry (count)",
        legend={"orientation": "h"},
    )
    return fig


def scenario_chart(comparison: ScenarioComparison, goal: int) -> go.Figure:
    """Each scenario's projected cameras beside the baseline (dashed) and the goal."""
    fig = go.Figure()
    curves = comparison.curves.groupby("scenario", sort=False)
    for i, (name, part) in enumerate(curves):
        base = name == BASELINE
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part["cameras"],
                name=escape_plotly(name),
                line={
                    "color": BASELINE_COLOUR if base else SCENARIO_COLOURS[i % 5],
                    "dash": "dash" if base else "solid",
                },
            )
        )
    fig.add_hline(
        y=goal,
        line={"color": GOAL_COLOUR, "dash": "dot"},
        annotation_text=f"Goal {goal:,}",
    )
    fig.update_layout(
        height=450,
        margin=_MARGIN,
        xaxis_title="Date (month end)",
        yaxis_title="Cameras in the registry (count)",
        legend={"orientation": "h"},
    )
    return fig
