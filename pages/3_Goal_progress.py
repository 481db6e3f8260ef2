"""Goal progress: is the registry on course, what pace the goal needs, what would help.

Widgets and layout only: the numbers come from analytics.forecast,
analytics.scenarios and analytics.costs (docs/goal-tracker.md explains each of
them) through the cache wrappers of ui.cached, the figures from ui.charts.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analytics.costs import (
    DEFAULT_COST_SCENARIO,
    PLAN_COLUMNS,
    CostScenario,
    cost_plan,
    plan_cost_per_incident,
    plan_total,
)
from analytics.figures import (
    FIGURES,
    goal_date_text,
    goal_sentence,
    label,
    program_texts,
    show,
)
from analytics.forecast import DEFAULT_HORIZON_MONTHS, ForecastResult, required_pace
from analytics.formatting import format_table, money, month, signed_count
from analytics.safe_output import to_safe_csv
from analytics.scenarios import Scenario
from ui import cached, charts
from ui.page import start_page

HORIZON_YEARS = (5, 10, 15, 20)
DEFAULT_HORIZON_YEARS = DEFAULT_HORIZON_MONTHS // 12
DEFAULT_TARGET_YEARS = 4  # default target: the end of the year four years ahead
DEFAULT_EXTRA_PER_MONTH = 100
DEFAULT_CAMPAIGN = 1_000
DEFAULT_CAMPAIGN_DELAY_MONTHS = 3
DEFAULT_DEVICES_PER_YEAR = DEFAULT_COST_SCENARIO.devices_per_year  # as the briefing
DEFAULT_COST_YEARS = DEFAULT_COST_SCENARIO.years
MIX = "Mix of the entry and top-tier devices"
GROUPINGS = {"tier": "Tier", "owner_type": "Owner type", "ward": "Ward"}

page = start_page("Goal progress: {goal} cameras", icon=":material/trending_up:")
ds, filters = page.ds, page.filters
city = ds.city
goal = city.goal_cameras


def month_label(day: date | None) -> str:
    return month(day) if day else "not within horizon"


def short_label(day: date | None, result: ForecastResult) -> str:
    """Month of ``day`` or "Not by <horizon end>", as analytics.figures writes it."""
    if day:
        return month(day)
    if len(result.projection):
        return f"Not by {month(result.projection['date'].iloc[-1])}"
    return "no forecast"


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

try:
    result = cached.forecast(ds, page.key, target, horizon_months)
except ValueError as exc:
    st.error(
        f"{exc}. The required pace needs a target date after "
        f"{ds.as_of:%d %b %Y}; the rest of the page ignores the target."
    )
    target = None
    result = cached.forecast(ds, page.key, None, horizon_months)

# --- headline ----------------------------------------------------------------------
# the program's figures, as on the Overview, in the briefing and from `forecast`:
# the whole registry and the default 10-year horizon, whatever the controls say
program = cached.forecast(ds, page.key)
texts = program_texts(program)
st.caption(
    f"The whole registry on {ds.as_of:%d %b %Y}: the sidebar's filters change only "
    "the breakdown chart below."
)
# widths for whole values at the metric font: "Not by Oct 2036", "506 cameras a
# month" were cut off in four equal columns at 1440 px
m1, m2, m3, m4 = st.columns([2, 2, 2, 3])
m1.metric(
    label("active_cameras"),
    texts["active_cameras"],
    help=f"{FIGURES['active_cameras'].meaning} {texts['active_sites']} active sites.",
)
m2.metric(
    label("goal_share"),
    texts["goal_share"],
    help=f"Of the goal of {texts['goal']} cameras; {texts['cameras_to_go']} to go.",
)
m3.metric(
    label("years_at_pace"),
    texts["years_at_pace"],
    help=FIGURES["years_at_pace"].meaning,
)
m4.metric(
    label("projected_goal_date"),
    goal_date_text(program),
    help=(
        f"80% interval: {month_label(program.interval[0])} to "
        f"{month_label(program.interval[1])}."
        if program.interval
        else None
    ),
)

p0, p1, p2 = st.columns([3, 3, 2])  # as the Overview: whole pace values
p0.metric(
    label("current_pace"),
    texts["current_pace"],
    help=FIGURES["current_pace"].meaning,
)
needed = None
if target is not None and target > program.as_of:
    needed = required_pace(program.current_cameras, goal, program.as_of, target)
if needed is not None:
    p1.metric(
        label("required_pace"),
        show("required_pace", needed),
        help=f"Net cameras a month from {program.as_of:%d %b %Y} to reach "
        f"{goal:,} by {target:%d %b %Y}.",
    )
    gap = needed - (program.current_monthly_pace or 0.0)
    p2.metric(
        "Gap to required pace",
        "n/a"
        if program.current_monthly_pace is None
        else f"{signed_count(gap)} a month",
        help="Required minus current pace: positive means the program is short.",
    )
else:
    p1.metric(label("required_pace"), "pick a future target date")
st.info(goal_sentence(program))
if horizon_months != program.horizon_months and result.status == "ok":
    st.caption(
        f"With the {horizon_years}-year horizon chosen above, the chart and the "
        f"scenarios look further ahead: there the forecast reads "
        f"{short_label(result.projected_goal_date, result)}."
    )

if result.status in ("too_short", "undated"):
    st.warning(result.message)
elif result.status == "goal_reached":
    st.success(result.message)
for note in result.notes:
    st.caption(f"Note: {note}")

# --- history and forecast chart ------------------------------------------------------
st.subheader("History and forecast")
st.altair_chart(
    charts.forecast_chart(result, height=450, launch=city.launch_date),
    width="stretch",
    key="forecast_chart",
)
if result.status == "ok":
    st.caption(
        f"Solid: cameras in the registry each month. The dotted vertical line "
        f"is the launch ({city.launch_date:%d %b %Y}); the "
        f"{result.stock_at_launch:,} cameras registered before it are the starting "
        f"stock, so the forecast is fitted only on the "
        f"{result.months_since_launch} full months since. Dashed: the "
        f"{result.model} model, chosen because it predicted the last "
        f"{result.backtest_months} months best when they were hidden from it (off "
        f"by {result.backtest_error:,.0f} cameras on average). The shaded band "
        "holds the total in 8 out of 10 simulated futures. Dotted: the goal."
    )

# --- monthly additions -------------------------------------------------------------
st.subheader("Monthly additions and withdrawals")
if result.status == "undated":
    # every camera would stand in one month: the month the file was read
    st.caption("Unknown: the registry gives no registration dates.")
else:
    st.altair_chart(
        charts.monthly_chart(result.history), width="stretch", key="monthly_chart"
    )
    st.caption(
        "Each month's new registrations (up) and withdrawals (down, counted in the "
        "month the owner withdrew). The black line is the net change; the current "
        f"pace is its mean over the last {result.pace_months} full months. The last "
        "bar may be a month still in progress."
    )

by = st.selectbox(
    "Break the registry down by",
    list(GROUPINGS),
    format_func=GROUPINGS.get,
    key="history_by",
)
if by == "ward" and ds.wards is None:
    st.caption("No ward boundaries are loaded, so there is no breakdown by ward.")
else:
    grouped = cached.history(ds, page.key, by, filters.tiers, filters.owner_types)
    st.altair_chart(
        charts.breakdown_chart(grouped, by), width="stretch", key="group_chart"
    )
    st.caption(
        f"Active cameras by {GROUPINGS[by].lower()} (stacked), for the "
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
    comparison = cached.scenarios(ds, page.key, target, horizon_months, tuple(drivers))
    summary = comparison.summary
    combined = summary.iloc[-1]
    st.metric(
        f"Goal date: {combined['scenario']}",
        short_label(combined["goal_date"], result),
        help="The projected date of reaching the goal with the scenario's drivers.",
    )
    st.altair_chart(
        charts.scenario_chart(comparison, goal), width="stretch", key="scenario_chart"
    )
    table = format_table(
        summary,
        {
            "goal_date": month_label,
            "low": month_label,
            "high": month_label,
            "months_sooner": "number",
            "cameras_at_end": "count",
            "integrated_at_end": "count",
            "devices": "count",
            "cameras_at_target": "count",
        },
        rename={
            "scenario": "Scenario",
            "goal_date": "Reaches goal",
            "low": "80% interval from",
            "high": "80% interval to",
            "months_sooner": "Months sooner than baseline",
            "cameras_at_end": f"Cameras after {horizon_years} years",
            "integrated_at_end": f"Integrated after {horizon_years} years",
            "devices": "Devices funded",
            "cameras_at_target": "Cameras on the target date",
        },
    )
    # plain tables: a few rows need no grid, whose script is the larger part of
    # a first visit's time here (a new visitor's A/B at demo size: 5.6 s to the
    # finished page with the two grids, 2.9 s without)
    st.table(table, hide_index=True)
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
    value=round(cached.coverage(ds, page.key, filters).live_gain_per_device, 2),
    step=0.1,
    format="%.2f",
    key="live_gain_per_device",
    help="Estimated by the coverage engine: an average registered site sees this "
    "many incidents a year (sidebar window and categories) that no live camera "
    "sees; integrating it makes them live. Overwrite it with your own figure; 0 "
    "hides the cost per incident.",
)
if per_year:
    scenario = CostScenario(
        devices_per_year=int(per_year),
        years=years,
        tier_mix=tuple(tier_mix.items()),
    )
    plan = cost_plan(city, scenario)
    total = plan_total(plan)
    per_incident = plan_cost_per_incident(plan, per_device) if per_device else None
    c1, c2 = st.columns(2)
    c1.metric(
        f"{label('device_cost_total')} over {years} years",
        money(total),
        help=FIGURES["device_cost_total"].meaning,
    )
    c2.metric(
        "Cost per incident newly in live view",
        money(per_incident),
        help="The total divided by the incidents the devices bring into live view "
        "over the years they are in service (a dash when that is zero).",
    )
    headers = {
        "year": "Year",
        "devices_bought": "Devices bought",
        "devices_in_service": "Devices in service",
        "upfront_usd": "Up front",
        "yearly_fees_usd": "Yearly fees",
        "total_usd": "Total",
    }
    st.table(
        format_table(
            plan,
            {
                "devices_bought": "count",
                "devices_in_service": "count",
                "upfront_usd": "money",
                "yearly_fees_usd": "money",
                "total_usd": "money",
            },
            rename=headers,
        )[[headers[c] for c in PLAN_COLUMNS]],
        hide_index=True,
    )
    st.caption(
        f"{scenario.describe(city)}: each year buys that year's devices and pays the "
        "yearly fee of every device in service, so the bill grows as devices "
        f"accumulate. The same model and default ({DEFAULT_DEVICES_PER_YEAR:,} a year "
        f"for {DEFAULT_COST_YEARS} years) as the council briefing. Prices from the "
        "city configuration: "
        + "; ".join(
            f"{d.name} {money(d.upfront_usd)} + {money(d.yearly_usd)}/year"
            for d in city.devices
        )
        + "."
    )
    st.download_button(
        "Download the cost table (CSV)",
        data=to_safe_csv(plan),
        file_name="device_costs.csv",
        mime="text/csv",
        key="download_costs",
    )
else:
    st.caption("Set a number of integration devices a year to see their cost.")

st.caption(
    "How the numbers are made: docs/goal-tracker.md. "
    f"Filters in use for the breakdown: {filters.describe()}."
)
