"""Goal progress: is the registry on course, what pace the goal needs, what would help.

Widgets and layout only; the numbers come from analytics.forecast and
analytics.costs (docs/goal-tracker.md explains each of them).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.costs import TOTAL, device_costs, program_costs
from analytics.forecast import (
    DEFAULT_HORIZON_MONTHS,
    ForecastResult,
    forecast_goal,
)
from analytics.history import camera_history
from analytics.safe_output import escape_plotly, to_safe_csv
from analytics.scenarios import BASELINE, Scenario, ScenarioComparison, run_scenarios
from ui import cached
from ui.data import get_dataset, source_banner
from ui.page import dataset_key
from ui.sidebar import render_sidebar

HORIZON_YEARS = (5, 10, 15, 20)
DEFAULT_HORIZON_YEARS = DEFAULT_HORIZON_MONTHS // 12
DEFAULT_TARGET_YEARS = 4  # default target: the end of the year four years ahead
DEFAULT_EXTRA_PER_MONTH = 100
DEFAULT_CAMPAIGN = 1_000
DEFAULT_CAMPAIGN_DELAY_MONTHS = 3
DEFAULT_DEVICES_PER_YEAR = 200
DEFAULT_COST_YEARS = 5
MIX = "Mix of the entry and top-tier devices"
GROUPINGS = {"tier": "Tier", "owner_type": "Owner type", "ward": "Ward"}
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")

st.set_page_config(page_title="Goal progress", page_icon="📈", layout="wide")
ds = get_dataset()
filters = render_sidebar(ds)
city = ds.city
goal = city.goal_cameras

st.title(f"Goal progress: {goal:,} cameras")
source_banner(ds)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_forecast(
    _cameras: pd.DataFrame,
    _city,
    data_key: tuple,
    target: date | None,
    horizon_months: int,
) -> ForecastResult:
    return forecast_goal(
        _cameras,
        _city,
        as_of=data_key[1],
        target_date=target,
        horizon_months=horizon_months,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cached_scenarios(
    _forecast: ForecastResult,
    forecast_key: tuple,  # noqa: ARG001 (the cache key standing in for _forecast)
    scenarios: tuple[Scenario, ...],
) -> ScenarioComparison:
    return run_scenarios(_forecast, list(scenarios))


@st.cache_data(show_spinner=False, max_entries=32)
def cached_history(
    _cameras: pd.DataFrame, _wards, data_key: tuple, by: str, tiers, owner_types
) -> pd.DataFrame:
    cams = _cameras[
        _cameras["tier"].isin(tiers) & _cameras["owner_type"].isin(owner_types)
    ]
    return camera_history(cams, by=by, as_of=data_key[1], wards=_wards)


def month_label(day: date | None) -> str:
    return f"{day:%b %Y}" if day else "not within horizon"


def short_label(day: date | None, result: ForecastResult) -> str:
    """Month of ``day`` or "Not by <horizon end>", short enough for a metric."""
    if day:
        return f"{day:%b %Y}"
    if len(result.projection):
        return f"Not by {result.projection['date'].iloc[-1]:%Y}"
    return "no forecast"


def history_points(result: ForecastResult) -> pd.DataFrame:
    """Running totals at each month end (the current month at the data's date)."""
    hist = result.history
    ends = (hist["period"] + pd.offsets.MonthEnd(0)).dt.date
    return pd.DataFrame(
        {"date": [min(d, result.as_of) for d in ends], "cameras": hist["cameras"]}
    )


data_key = (ds.label, ds.as_of, len(ds.cameras), city.id)

# --- controls ----------------------------------------------------------------------
default_target = date(ds.as_of.year + DEFAULT_TARGET_YEARS, 12, 31)
c1, c2 = st.columns(2)
target = c1.date_input(
    "Target date for the goal",
    value=default_target,
    min_value=ds.as_of - timedelta(days=365 * 5),
    max_value=date(ds.as_of.year + 40, 12, 31),
    key="target_date",
    format="YYYY-MM-DD",
    help="The required pace is what it takes to reach the goal by this day.",
)
horizon_years = c2.select_slider(
    "Forecast horizon (years)",
    options=HORIZON_YEARS,
    value=DEFAULT_HORIZON_YEARS,
    key="horizon_years",
    help="Nothing is projected beyond this: a goal not reached by then is "
    "reported as not reached.",
)
horizon_months = int(horizon_years) * 12

with st.spinner("Fitting the forecast and its 80% interval..."):
    try:
        result = cached_forecast(ds.cameras, city, data_key, target, horizon_months)
    except ValueError as exc:
        st.error(
            f"{exc}. The required pace needs a target date after "
            f"{ds.as_of:%d %b %Y}; the rest of the page ignores the target."
        )
        result = cached_forecast(ds.cameras, city, data_key, None, horizon_months)

# --- headline ----------------------------------------------------------------------
m1, m2, m3, m4 = st.columns(4)
m1.metric(
    "Cameras registered",
    f"{result.current_cameras:,}",
    help=f"Active cameras on {result.as_of:%d %b %Y} ({result.current_sites:,} "
    "sites); withdrawn cameras are not counted.",
)
m2.metric("Share of goal", f"{result.goal_share:.1%}")
m3.metric(
    "Current pace",
    "n/a"
    if result.current_monthly_pace is None
    else f"{result.current_monthly_pace:,.0f} a month",
    help=f"Mean net additions (new minus withdrawn) over the last "
    f"{result.pace_months} full months.",
)
m4.metric(
    "Projected goal date",
    short_label(result.projected_goal_date, result),
    help=(
        f"80% interval: {month_label(result.interval[0])} to "
        f"{month_label(result.interval[1])}."
        if result.interval
        else None
    ),
)

p1, p2, p3 = st.columns(3)
if result.required_monthly_pace is not None:
    p1.metric(
        "Required pace",
        f"{result.required_monthly_pace:,.0f} a month",
        help=f"Net cameras a month from {result.as_of:%d %b %Y} to reach "
        f"{goal:,} by {result.target_date:%d %b %Y}.",
    )
    p2.metric(
        "Gap to required pace",
        f"{result.pace_gap:+,.0f} a month",
        help="Required minus current pace: positive means the program is short.",
    )
else:
    p1.metric("Required pace", "pick a future target date")
if result.months_to_goal_at_pace is not None:
    p3.metric(
        "Years to goal at today's pace",
        f"{result.months_to_goal_at_pace / 12:,.1f} years",
        help="If the current pace simply continued, no trend.",
    )

if result.status == "too_short":
    st.warning(result.message)
elif result.status == "goal_reached":
    st.success(result.message)
else:
    st.info(result.message)
for note in result.notes:
    st.caption(f"Note: {note}")

# --- history and forecast chart ------------------------------------------------------
st.subheader("History and forecast")
hist_pts = history_points(result)
fig = go.Figure()
proj = result.projection
if len(proj):
    fig.add_trace(
        go.Scatter(
            x=proj["date"],
            y=proj["high"],
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=proj["date"],
            y=proj["low"],
            fill="tonexty",
            fillcolor="rgba(31,119,180,0.2)",
            line={"width": 0},
            name="80% interval",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=proj["date"],
            y=proj["cameras"],
            line={"dash": "dash", "color": COLOURS[0]},
            name=f"Forecast ({result.model} model)",
        )
    )
fig.add_trace(
    go.Scatter(
        x=hist_pts["date"],
        y=hist_pts["cameras"],
        line={"color": "black"},
        name="Registered cameras",
    )
)
fig.add_hline(
    y=goal, line_dash="dot", line_color="red", annotation_text=f"Goal {goal:,}"
)
fig.add_vline(x=pd.Timestamp(city.launch_date).timestamp() * 1000, line_dash="dot")
fig.update_layout(
    xaxis_title="Date (month end)",
    yaxis_title="Cameras in the registry (count)",
    legend={"orientation": "h"},
    margin={"t": 30},
    height=450,
)
st.plotly_chart(fig, width="stretch", key="forecast_chart")
if result.status == "ok":
    st.caption(
        f"Black: cameras in the registry at the end of each month. The dotted "
        f"vertical line is the launch ({city.launch_date:%d %b %Y}); the "
        f"{result.stock_at_launch:,} cameras registered before it are the starting "
        f"stock, so the forecast is fitted only on the "
        f"{result.months_since_launch} full months since. Dashed: the "
        f"{result.model} model, chosen because it predicted the last "
        f"{result.backtest_months} months best when they were hidden from it (off "
        f"by {result.backtest_error:,.0f} cameras on average). The shaded band "
        "holds the total in 8 out of 10 simulated futures. Red: the goal."
    )

# --- monthly additions -------------------------------------------------------------
st.subheader("Monthly additions and withdrawals")
months = result.history.tail(36)
bars = go.Figure()
bars.add_trace(go.Bar(x=months["period"], y=months["added"], name="Registered"))
bars.add_trace(go.Bar(x=months["period"], y=-months["withdrawn"], name="Withdrawn"))
bars.add_trace(
    go.Scatter(x=months["period"], y=months["net"], name="Net", line={"color": "black"})
)
bars.update_layout(
    barmode="relative",
    xaxis_title="Month",
    yaxis_title="Cameras a month (count)",
    legend={"orientation": "h"},
    margin={"t": 30},
    height=350,
)
st.plotly_chart(bars, width="stretch", key="monthly_chart")
st.caption(
    "Each month's new registrations (up) and withdrawals (down, counted in the month "
    "the owner withdrew). The black line is the net change; the current pace is its "
    f"mean over the last {result.pace_months} full months. The last bar may be a "
    "month still in progress."
)

by = st.selectbox(
    "Break the registry down by",
    list(GROUPINGS),
    format_func=GROUPINGS.get,
    key="history_by",
)
if by == "ward" and ds.wards is None:
    st.caption("No ward boundaries are loaded: set CAMREG_WARDS to break down by ward.")
else:
    grouped = cached_history(
        ds.cameras, ds.wards, data_key, by, filters.tiers, filters.owner_types
    )
    area = go.Figure()
    for name, part in grouped.groupby(by, sort=True):
        area.add_trace(
            go.Scatter(
                x=part["period"],
                y=part["cameras"],
                stackgroup="one",
                name=escape_plotly(name),  # ward names come from a data file
            )
        )
    area.update_layout(
        xaxis_title="Month",
        yaxis_title="Cameras in the registry (count)",
        legend={"orientation": "h"},
        margin={"t": 30},
        height=350,
    )
    st.plotly_chart(area, width="stretch", key="group_chart")
    st.caption(
        f"Cameras in the registry by {GROUPINGS[by].lower()} (stacked), for the "
        "tiers and owner types picked in the sidebar. A camera's tier is its tier "
        "today: the registry does not record when a camera was integrated."
    )

# --- scenarios ---------------------------------------------------------------------
st.subheader("Scenarios: what would change the date?")
devices = [d.name for d in city.devices]
s1, s2, s3 = st.columns(3)
extra = s1.number_input(
    "Extra sign-ups a month (outreach, subsidy)",
    min_value=0,
    max_value=100_000,
    value=DEFAULT_EXTRA_PER_MONTH,
    step=50,
    key="extra_per_month",
)
first_month = result.anchor_date + timedelta(days=1) if result.anchor_date else None
campaign = s2.number_input(
    "One-off campaign (cameras)",
    min_value=0,
    max_value=1_000_000,
    value=DEFAULT_CAMPAIGN,
    step=500,
    key="campaign_cameras",
)
campaign_month = s2.date_input(
    "Campaign month",
    value=(
        (
            pd.Timestamp(first_month)
            + pd.DateOffset(months=DEFAULT_CAMPAIGN_DELAY_MONTHS)
        ).date()
        if first_month
        else ds.as_of
    ),
    min_value=first_month,
    max_value=(
        (pd.Timestamp(first_month) + pd.DateOffset(months=horizon_months - 1)).date()
        if first_month
        else None
    ),
    key="campaign_month",
    format="YYYY-MM-DD",
)
per_year = s3.number_input(
    "Integration devices funded a year (e.g. by the 1% sales tax)",
    min_value=0,
    max_value=100_000,
    value=DEFAULT_DEVICES_PER_YEAR,
    step=50,
    key="devices_per_year",
)
new_per_device = s3.number_input(
    "New cameras each funded device brings",
    min_value=0.0,
    max_value=50.0,
    value=0.0,
    step=1.0,
    key="new_cameras_per_device",
    help="0: devices only turn registered cameras into integrated (live) ones.",
)
tier_choice = s3.selectbox(
    "Device tier",
    [*devices, MIX] if len(devices) > 1 else devices,
    key="device_tier",
)
if tier_choice == MIX:
    top_share = s3.slider(
        "Share of top-tier devices (%)", 0, 100, 20, step=5, key="top_tier_share"
    )
    tier_mix = {devices[0]: 1 - top_share / 100, devices[-1]: top_share / 100}
else:
    tier_mix = {tier_choice: 1.0}

drivers = []
if extra:
    drivers.append(Scenario(f"+{extra:,} a month", extra_per_month=float(extra)))
if campaign:
    drivers.append(
        Scenario(
            f"Campaign of {campaign:,} in {campaign_month:%b %Y}",
            campaign_cameras=float(campaign),
            campaign_month=campaign_month,
        )
    )
if per_year:
    drivers.append(
        Scenario(
            f"{per_year:,} devices a year",
            devices_per_year=float(per_year),
            new_cameras_per_device=float(new_per_device),
        )
    )
if len(drivers) > 1:
    drivers.append(
        Scenario(
            "All of the above",
            extra_per_month=float(extra),
            campaign_cameras=float(campaign),
            campaign_month=campaign_month,
            devices_per_year=float(per_year),
            new_cameras_per_device=float(new_per_device),
        )
    )

if result.status != "ok":
    st.info(f"Scenarios need a forecast. {result.message}")
else:
    forecast_key = (data_key, result.target_date, horizon_months)
    with st.spinner("Running the scenarios..."):
        comparison = cached_scenarios(result, forecast_key, tuple(drivers))
    summary = comparison.summary
    combined = summary.iloc[-1]
    st.metric(
        f"Goal date: {combined['scenario']}",
        short_label(combined["goal_date"], result),
        help="The projected date of reaching the goal with the scenario's drivers.",
    )
    sfig = go.Figure()
    for i, (name, part) in enumerate(comparison.curves.groupby("scenario", sort=False)):
        sfig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part["cameras"],
                name=name,
                line={
                    "color": "black" if name == BASELINE else COLOURS[i % len(COLOURS)],
                    "dash": "dash" if name == BASELINE else "solid",
                },
            )
        )
    sfig.add_hline(
        y=goal, line_dash="dot", line_color="red", annotation_text=f"Goal {goal:,}"
    )
    sfig.update_layout(
        xaxis_title="Date (month end)",
        yaxis_title="Cameras in the registry (count)",
        legend={"orientation": "h"},
        margin={"t": 30},
        height=450,
    )
    st.plotly_chart(sfig, width="stretch", key="scenario_chart")
    table = summary.assign(
        goal_date=summary["goal_date"].map(month_label),
        low=summary["low"].map(month_label),
        high=summary["high"].map(month_label),
    ).rename(
        columns={
            "scenario": "Scenario",
            "goal_date": "Reaches goal",
            "low": "80% interval from",
            "high": "80% interval to",
            "months_sooner": "Months sooner than baseline",
            "cameras_at_end": f"Cameras after {horizon_years} years",
            "integrated_at_end": f"Integrated after {horizon_years} years",
            "devices": "Devices funded",
            "cameras_at_target": "Cameras on the target date",
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="scenario_table")
    st.caption(
        "Each line adds its drivers to the baseline forecast (dashed): extra "
        "sign-ups every month, a one-off campaign in one month, or integration "
        "devices that turn registered cameras into live ones (and may bring new "
        "cameras). Devices only move the total if they bring new cameras; they "
        "raise the integrated count either way. Months sooner: how much earlier the "
        "goal is reached than on the baseline (blank when either is not reached)."
    )

# --- costs ---------------------------------------------------------------------------
st.subheader("Device costs")
k1, k2 = st.columns(2)
years = int(
    k1.number_input(
        "Years to budget",
        min_value=1,
        max_value=30,
        value=DEFAULT_COST_YEARS,
        key="cost_years",
    )
)
per_device = k2.number_input(
    "Incidents a year each device brings into live view",
    min_value=0.0,
    value=round(cached.coverage(ds, dataset_key(ds), filters).live_gain_per_device, 2),
    step=0.1,
    format="%.2f",
    key="live_gain_per_device",
    help="Estimated by the coverage engine: an average registered site sees this "
    "many incidents a year (sidebar window and categories) that no live camera "
    "sees; integrating it makes them live. Overwrite it with your own figure; 0 "
    "hides the cost per incident.",
)
covered = per_device * float(per_year or 0)
if per_year:
    costs = device_costs(
        city,
        int(per_year),
        tier_mix,
        years,
        additional_covered_incidents=covered or None,
    )
    shown = costs.rename(
        columns={
            "device": "Device",
            "devices": "Devices",
            "upfront_each_usd": "Upfront each ($)",
            "yearly_each_usd": "Yearly each ($)",
            "upfront_usd": "Upfront ($)",
            "yearly_usd": "Yearly ($ a year)",
            "total_usd": f"Total over {years} years ($)",
            "usd_per_covered_incident": "$ per additional covered incident",
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="cost_table")
    total = costs.set_index("device").loc[TOTAL]
    st.caption(
        f"One year's {int(per_year):,} devices: ${total['upfront_usd']:,.0f} up front "
        f"and ${total['yearly_usd']:,.0f} a year in fees, ${total['total_usd']:,.0f} "
        f"over {years} years. Prices from the city configuration: "
        + "; ".join(
            f"{d.name} ${d.upfront_usd:,.0f} + ${d.yearly_usd:,.0f}/year"
            for d in city.devices
        )
        + "."
    )
    st.download_button(
        "Download the cost table (CSV)",
        data=to_safe_csv(costs),
        file_name="device_costs.csv",
        mime="text/csv",
        key="download_costs",
    )
    program = program_costs(city, int(per_year), tier_mix, years)
    st.dataframe(
        program.rename(
            columns={
                "year": "Year",
                "devices_bought": "Devices bought",
                "devices_in_service": "Devices in service",
                "upfront_usd": "Upfront ($)",
                "yearly_fees_usd": "Yearly fees ($)",
                "total_usd": "Total ($)",
                "cumulative_usd": "Cumulative ($)",
            }
        ),
        hide_index=True,
        width="stretch",
        key="program_table",
    )
    st.caption(
        f"Funding {int(per_year):,} new devices every year for {years} years: each "
        "year pays for that year's new devices and the fees of every device in "
        "service, so the yearly bill grows as devices accumulate."
    )
    st.download_button(
        "Download the year-by-year budget (CSV)",
        data=to_safe_csv(program),
        file_name="device_budget_by_year.csv",
        mime="text/csv",
        key="download_program",
    )
else:
    st.caption("Set a number of integration devices a year to see their cost.")

st.caption(
    "How the numbers are made: docs/goal-tracker.md. "
    f"Filters in use for the breakdown: {filters.describe()}."
)
