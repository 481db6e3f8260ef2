"""Charts for the pages (Vega-Lite, through Altair): built from analytics
results, no computation.

Vega-Lite rather than Plotly: Streamlit's Plotly element loads a 4.7 MB script
whose evaluation held the browser for 0.57 s on the first chart page of every
visit (the Gaps page's curve showed 1.40 s after the click, 0.76 s as a
Vega-Lite chart; ``docs/dashboard.md``). Vega draws text as text, never as
markup, so names from data files (wards, scenarios) need no escaping here;
its tooltips escape what they show.

Colours match the map (``analytics.maps``) so a recommendation looks the same
everywhere. Every chart has its legend above the plot (never on an axis
title) and a title where the page gives none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt
import pandas as pd

from analytics.forecast import ForecastResult
from analytics.maps import SITE_COLOUR
from analytics.scenarios import BASELINE, ScenarioComparison
from analytics.targeting import Recommendation

HISTORY_COLOUR = "#1f78b4"
PROJECTION_COLOUR = "#6a3d9a"
BASELINE_COLOUR = "#7f7f7f"
FADED_COLOUR = "#c6dbef"
GOAL_COLOUR = "#d95f02"
WITHDRAWN_COLOUR = "#e6550d"
NET_COLOUR = "#000000"
SCENARIO_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")
SMALL_HEIGHT = 300
HEIGHT = 380
SOLID: list[int] = []
DASHED = [6, 4]
DOTTED = [2, 3]
MONTH = "%b %Y"
# Room at the right of a chart with a date axis: a date label is centred on its
# month, and the last one ran 6 to 10 px past the drawing's edge, cut
# (tests/test_browser_layout.py)
DATE_PADDING = {"left": 5, "top": 5, "bottom": 5, "right": 24}


def _month_x(field: str, title: str | None, **kwargs: object) -> alt.X:
    """A date axis labelled by month ("Jan 2026")."""
    return alt.X(field, title=title, axis=alt.Axis(format=MONTH), **kwargs)


def _month_tip(field: str) -> alt.Tooltip:
    return alt.Tooltip(field, title="Month", format=MONTH)


def _count_tip(field: str, title: str) -> alt.Tooltip:
    return alt.Tooltip(field, title=title, format=",.0f")


def _legend(symbol: str = "circle") -> alt.Legend:
    """Above the plot, one entry a line, without a title: Vega does not wrap
    a legend to the chart's width, and two or three entries in a row ran off a
    390 px phone (and pushed the axis title off its left edge). ``symbol``:
    "stroke" draws each entry as a short line, dashed like its series."""
    return alt.Legend(
        orient="top",
        title=None,
        columns=1,
        labelLimit=170,
        symbolType=symbol,
        symbolSize=500 if symbol == "stroke" else 100,  # a line long enough to dash
        symbolStrokeWidth=3,
        symbolOpacity=1,
    )


def _series(
    names: Sequence[str], colours: Sequence[str], dashes: Sequence[list[int]] = ()
) -> dict[str, alt.Color | alt.StrokeDash]:
    """Colour (and dash) encodings of the ``series`` field, with one legend:
    with dashes, its entries are short lines drawn as their series is."""
    legend = _legend("stroke" if dashes else "circle")
    out: dict[str, alt.Color | alt.StrokeDash] = {
        "color": alt.Color(
            "series:N",
            scale=alt.Scale(domain=list(names), range=list(colours)),
            legend=legend,
        )
    }
    if dashes:
        # the same field, title and legend: Vega-Lite merges the two legends
        out["strokeDash"] = alt.StrokeDash(
            "series:N",
            scale=alt.Scale(domain=list(names), range=list(dashes)),
            legend=legend,
        )
    return out


def _goal_rule(goal: int) -> alt.LayerChart:
    """A dotted line at ``goal`` cameras, named at its left end."""
    data = pd.DataFrame({"goal": [goal], "text": [f"Goal {goal:,}"]})
    rule = (
        alt.Chart(data)
        .mark_rule(color=GOAL_COLOUR, strokeDash=DOTTED)
        .encode(y="goal:Q")
    )
    text = (
        alt.Chart(data)
        .mark_text(align="left", baseline="bottom", dx=4, dy=-3, color=GOAL_COLOUR)
        .encode(x=alt.value(0), y="goal:Q", text="text:N")
    )
    return rule + text


def _title(text: str) -> alt.TitleParams:
    return alt.TitleParams(text, anchor="start", fontSize=14)


def forecast_chart(
    result: ForecastResult, *, height: int = SMALL_HEIGHT, launch: date | None = None
) -> alt.LayerChart:
    """Cameras in the registry by month, the projection with its 80% band, the goal.

    ``launch`` adds a dotted line on the program's launch day (Goal progress).
    """
    hist = result.history
    proj = result.projection
    proj_dates = pd.to_datetime(proj["date"])
    projected = f"Projection ({result.model})"
    names = ["Active cameras", projected, "80% interval"]
    colours = [HISTORY_COLOUR, PROJECTION_COLOUR, PROJECTION_COLOUR]
    lines = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": pd.to_datetime(hist["period"]),
                    "cameras": hist["cameras"],
                    "series": names[0],
                }
            ),
            pd.DataFrame(
                {
                    "date": proj_dates,
                    "cameras": proj["cameras"],
                    "series": projected,
                }
            ),
        ],
        ignore_index=True,
    )
    x = _month_x("date:T", None)
    tip = [
        _month_tip("date:T"),
        _count_tip("cameras:Q", "Cameras"),
        alt.Tooltip("series:N", title="Line"),
    ]
    series = _series(names, colours, [SOLID, DASHED, SOLID])
    layers: list[alt.Chart | alt.LayerChart] = []
    if len(proj):
        band = pd.DataFrame(
            {
                "date": proj_dates,
                "low": proj["low"],
                "high": proj["high"],
                "series": names[2],
            }
        )
        layers.append(
            alt.Chart(band)
            .mark_area(opacity=0.15)
            .encode(x=x, y="low:Q", y2="high:Q", color=series["color"])
        )
    layers.append(
        alt.Chart(lines)
        .mark_line(strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y("cameras:Q", title="Cameras"),
            tooltip=tip,
            **series,
        )
    )
    layers.append(_goal_rule(result.goal))
    if launch is not None:
        day = pd.DataFrame({"date": [pd.Timestamp(launch)], "text": ["Launch"]})
        layers.append(
            alt.Chart(day)
            .mark_rule(color=BASELINE_COLOUR, strokeDash=DOTTED)
            .encode(x="date:T")
        )
        layers.append(
            alt.Chart(day)
            .mark_text(align="left", baseline="top", dx=4, dy=4, color=BASELINE_COLOUR)
            .encode(x="date:T", y=alt.value(0), text="text:N")
        )
    return alt.layer(*layers).properties(
        padding=DATE_PADDING,
        height=height,
        title=_title("Active cameras and projection"),
    )


def curve_chart(rec: Recommendation, *, height: int = HEIGHT) -> alt.Chart:
    """Weighted incidents newly covered by the first k sites: targeted vs as usual."""
    curve = rec.curve
    k = curve["k"] if "k" in curve else pd.Series(range(1, len(curve) + 1))
    # "As usual": the page's metric of the same name (sign-ups where they have
    # been coming from)
    names = ["Recommended sites", "As usual"]
    shares = (curve["greedy_share"], curve["baseline_share"])
    data = pd.concat(
        [
            pd.DataFrame({"k": k.to_numpy(), "share": share.to_numpy() * 100}).assign(
                series=name
            )
            for name, share in zip(names, shares, strict=True)
        ],
        ignore_index=True,
    )
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=14, filled=True))
        .encode(
            x=alt.X(
                "k:Q",
                title="New camera sites recruited",
                axis=alt.Axis(tickMinStep=1),
            ),
            y=alt.Y("share:Q", title="Newly covered, % of weighted incidents"),
            tooltip=[
                alt.Tooltip("k:Q", title="Sites"),
                alt.Tooltip("share:Q", title="% of weighted incidents", format=".2f"),
                alt.Tooltip("series:N", title="Line"),
            ],
            **_series(names, [SITE_COLOUR, BASELINE_COLOUR], [SOLID, DASHED]),
        )
        .properties(height=height, title=_title("What each new site adds"))
    )


def ward_bar_chart(
    table: pd.DataFrame,
    column: str,
    *,
    title: str,
    percent: bool = False,
    unit: str | None = None,
    height: int = HEIGHT,
    highlight: str | None = None,
) -> alt.LayerChart:
    """Horizontal bars of one ward measure, the highest at the top.

    ``percent`` shows a share (0-1) as percent; ``unit`` is written after each
    value (default ``%`` for percent). ``highlight`` (a ward name) keeps that
    bar in full colour and fades the others.
    """
    unit = unit if unit is not None else ("%" if percent else "")
    values = table[column] * (100 if percent else 1)
    names = table["ward_name"].astype(str)
    data = pd.DataFrame(
        {
            "ward": names,
            "value": values,
            "label": [f"{v:,.1f}{unit}" if pd.notna(v) else "" for v in values],
            "colour": [
                HISTORY_COLOUR if highlight is None or n == highlight else FADED_COLOUR
                for n in names
            ],
        }
    )
    y = alt.Y(
        "ward:N",
        title=None,
        sort=alt.EncodingSortField(field="value", order="descending"),
        axis=alt.Axis(labelLimit=140),
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=y,
            color=alt.Color("colour:N", scale=None, legend=None),
            tooltip=[
                alt.Tooltip("ward:N", title="Ward"),
                alt.Tooltip("label:N", title=title),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=3, fontSize=11, color="#333333").encode(
        text="label:N", color=alt.value("#333333")
    )
    return alt.layer(bars, labels).properties(height=height, title=_title(title))


def monthly_chart(history: pd.DataFrame, *, months: int = 36) -> alt.LayerChart:
    """New registrations up, withdrawals down and the net change, by month."""
    recent = history.tail(months)
    period = pd.to_datetime(recent["period"])
    names = ["Registered", "Withdrawn", "Net (full months)"]
    bars = pd.concat(
        [
            pd.DataFrame(
                {"period": period, "cameras": recent["added"], "series": names[0]}
            ),
            pd.DataFrame(
                {"period": period, "cameras": -recent["withdrawn"], "series": names[1]}
            ),
        ],
        ignore_index=True,
    )
    # a month still in progress is not a drop: the net line stops at the last full
    full = recent["complete"].astype(bool) if "complete" in recent else True
    net = pd.DataFrame(
        {"period": period, "cameras": recent["net"].where(full), "series": names[2]}
    ).dropna(subset=["cameras"])
    x = _month_x("yearmonth(period):T", "Month")
    colour = _series(names, [HISTORY_COLOUR, WITHDRAWN_COLOUR, NET_COLOUR])["color"]
    tip = [
        _month_tip("yearmonth(period):T"),
        alt.Tooltip("series:N", title="What"),
        _count_tip("cameras:Q", "Cameras"),
    ]
    return alt.layer(
        alt.Chart(bars)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("cameras:Q", title="Cameras a month (count)", stack="zero"),
            color=colour,
            tooltip=tip,
        ),
        alt.Chart(net)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(period):T", bandPosition=0.5),
            y="cameras:Q",
            color=colour,
            tooltip=tip,
        ),
    ).properties(padding=DATE_PADDING, height=HEIGHT)


def breakdown_chart(history: pd.DataFrame, by: str) -> alt.Chart:
    """Cameras in the registry by month, stacked by ``by`` (tier, owner, ward)."""
    data = pd.DataFrame(
        {
            "period": pd.to_datetime(history["period"]),
            "cameras": history["cameras"],
            "group": history[by].astype(str),
        }
    )
    return (
        alt.Chart(data)
        .mark_area()
        .encode(
            x=_month_x("period:T", "Month"),
            y=alt.Y("cameras:Q", title="Active cameras (count)", stack="zero"),
            color=alt.Color("group:N", legend=_legend(), sort="ascending"),
            order=alt.Order("group:N"),
            tooltip=[
                _month_tip("period:T"),
                alt.Tooltip("group:N", title=by.replace("_", " ").capitalize()),
                _count_tip("cameras:Q", "Cameras"),
            ],
        )
        .properties(padding=DATE_PADDING, height=HEIGHT)
    )


def scenario_chart(comparison: ScenarioComparison, goal: int) -> alt.LayerChart:
    """Each scenario's projected cameras beside the baseline (dashed) and the goal."""
    curves = comparison.curves
    names = list(dict.fromkeys(curves["scenario"].astype(str)))
    colours = [
        BASELINE_COLOUR if n == BASELINE else SCENARIO_COLOURS[i % 5]
        for i, n in enumerate(names)
    ]
    dashes = [DASHED if n == BASELINE else SOLID for n in names]
    data = pd.DataFrame(
        {
            "date": pd.to_datetime(curves["date"]),
            "cameras": curves["cameras"],
            "series": curves["scenario"].astype(str),
        }
    )
    lines = (
        alt.Chart(data)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=_month_x("date:T", "Date (month end)"),
            y=alt.Y("cameras:Q", title="Active cameras (count)"),
            tooltip=[
                _month_tip("date:T"),
                alt.Tooltip("series:N", title="Scenario"),
                _count_tip("cameras:Q", "Cameras"),
            ],
            **_series(names, colours, dashes),
        )
    )
    return alt.layer(lines, _goal_rule(goal)).properties(
        padding=DATE_PADDING, height=450
    )


def requests_chart(per_month: pd.DataFrame) -> alt.Chart:
    """Footage requests by month (``per_month``: ``month``, ``requests``)."""
    data = pd.DataFrame(
        {
            "month": pd.to_datetime(per_month["month"].astype(str)),
            "requests": per_month["requests"],
        }
    )
    return (
        alt.Chart(data)
        .mark_bar(color=HISTORY_COLOUR)
        .encode(
            x=_month_x("yearmonth(month):T", "Month"),
            y=alt.Y("requests:Q", title="Footage requests"),
            tooltip=[
                _month_tip("yearmonth(month):T"),
                _count_tip("requests:Q", "Footage requests"),
            ],
        )
        .properties(padding=DATE_PADDING, height=280)
    )
