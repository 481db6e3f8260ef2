"""Overview, the landing page of `streamlit run dashboard.py`.

For the mayor's office: how many cameras, how far from the goal, when at today's
pace, how much crime they can see, and what changed since last month.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from analytics.changes import registrations_between, ward_changes
from analytics.safe_output import escape_markdown
from ui import cached
from ui.charts import forecast_chart
from ui.formatting import points, share
from ui.mapview import show_map
from ui.navigation import PAGES
from ui.page import start_page

MAP_HEIGHT = 430

page = start_page("{program}: camera registry overview", icon="📹")
ds, filters = page.ds, page.filters
city = ds.city

report = cached.coverage(ds, page.key, filters)
data = cached.filtered(ds, page.key, filters)
forecast = cached.forecast(ds, page.key)
head = report.headline
month_start, month_end = cached.recent_window(filters.until)
recent = registrations_between(data.cameras, month_start, month_end)
before = cached.coverage_at(ds, page.key, filters, month_start - timedelta(days=1))


def _change(key: str, digits: int = 1) -> str:
    """Change of a headline share over the last 30 days, in percentage points."""
    return points(head[key] - before.headline[key], digits)


# --- headline tiles ------------------------------------------------------------------
if head["incidents"] == 0:
    st.warning(
        "No incidents match the sidebar filters, so coverage cannot be measured: "
        "widen the dates or choose more offence categories."
    )
goal = head["goal"]
to_go = max(goal - head["cameras"], 0)
cols = [*st.columns(3, border=True), *st.columns(3, border=True)]
cols[0].metric(
    "Cameras in the registry",
    f"{head['cameras']:,}",
    help=f"Active registered cameras on {filters.until:%d %b %Y} "
    f"({head['sites']:,} sites), with the sidebar's tier and owner filters.",
)
cols[1].metric(
    f"Share of the {goal:,} goal",
    f"{head['goal_share']:.1%}",
    help=f"{to_go:,} cameras still to go.",
)
cols[2].metric(
    "Integrated cameras",
    f"{head['integrated_cameras']:,}",
    help="Live access for police in an emergency, through an integration device.",
)
cols[3].metric(
    "Crime-weighted coverage",
    share(head["weighted_incident_coverage_share"]),
    delta=f"{_change('weighted_incident_coverage_share')} in 30 days",
    help="Share of incidents in the time window that some registered camera could "
    "have seen, weighting violent crime "
    f"{city.weight_for('violent'):g}×, property {city.weight_for('property'):g}× "
    f"and other {city.weight_for('other'):g}×.",
)
cols[4].metric(
    "Added in the last 30 days",
    f"{recent['cameras_added']:,}",
    delta=f"{recent['cameras_net']:+,} net of withdrawals",
    delta_color="normal",
    help=f"Cameras registered {month_start:%d %b} – {month_end:%d %b %Y} "
    f"({recent['cameras_withdrawn']:,} withdrawn in the same days).",
)
if forecast.projected_goal_date is not None:
    goal_date = f"{forecast.projected_goal_date:%b %Y}"
elif forecast.status == "goal_reached":
    goal_date = "Reached"
elif forecast.status == "too_short":
    goal_date = "Too early"
else:
    horizon_end = forecast.as_of + timedelta(
        days=round(forecast.horizon_months * 30.44)
    )
    goal_date = f"After {horizon_end:%Y}"
cols[5].metric("Projected goal date", goal_date, help=forecast.message)

st.progress(
    min(head["goal_share"], 1.0),
    text=f"{head['cameras']:,} of {goal:,} cameras ({head['goal_share']:.1%}); "
    f"{to_go:,} to go.",
)
pace = forecast.current_monthly_pace
if pace:
    years = forecast.months_to_goal_at_pace
    at_pace = (
        f" At today's pace of about {pace:,.0f} cameras a month the goal is "
        f"{years / 12:,.0f} years away."
        if years
        else ""
    )
    st.markdown(f"**Forecast.** {forecast.message}{at_pace}")
else:
    st.markdown(f"**Forecast.** {forecast.message}")
where = []
if report.wards is not None:
    measured = report.wards.dropna(subset=["weighted_incident_coverage_share"])
    if len(measured):
        least = measured.loc[measured["weighted_incident_coverage_share"].idxmin()]
        where.append(
            f"the least covered ward is **{escape_markdown(least['ward_name'])}** "
            f"({share(least['weighted_incident_coverage_share'])} crime-weighted)"
        )
if len(report.gaps) and report.wards is not None and "ward_id" in report.gaps:
    names = dict(
        zip(report.wards["ward_id"].astype(str), report.wards["ward_name"], strict=True)
    )
    gap_ward = names.get(str(report.gaps.iloc[0]["ward_id"]))
    if gap_ward:
        where.append(f"the biggest coverage gap is in **{escape_markdown(gap_ward)}**")
if where:
    text = "; ".join(where)
    st.markdown(
        f"**Where.** {text[0].upper()}{text[1:]} (details on the Wards and Gaps "
        "and targeting pages)."
    )

# --- chart and map -------------------------------------------------------------------
left, right = st.columns([1, 1])
with left:
    st.plotly_chart(forecast_chart(forecast), width="stretch", key="forecast")
    st.caption(
        "Whole registry (the goal counts every camera). Dashed: projection with its "
        "80% interval. Details on the Goal progress page."
    )
with right:
    st.markdown("**Coverage at a glance**")
    fmap = cached.coverage_map(ds, page.key, filters, page.role, compact=True)
    show_map(fmap, key="overview_map", height=MAP_HEIGHT)

# --- what changed --------------------------------------------------------------------
st.subheader("What changed since last month")
st.caption(
    f"Cameras registered {month_start:%d %b} – {month_end:%d %b %Y} compared with "
    "the registry the day before; coverage measured on the same incidents."
)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Cameras registered", f"{recent['cameras_added']:,}")
c2.metric("Cameras withdrawn", f"{recent['cameras_withdrawn']:,}")
c3.metric(
    "Incidents within camera range",
    share(head["incident_coverage_share"]),
    delta=_change("incident_coverage_share", 2),
)
c4.metric(
    "Area within camera range",
    f"{head['covered_area_km2']:,.1f} km²",
    delta=f"{head['covered_area_km2'] - before.headline['covered_area_km2']:+.2f} km²",
)
if report.wards is not None and before.wards is not None:
    changes = ward_changes(report.wards, before.wards)
    table = pd.DataFrame(
        {
            "Ward": changes["ward_name"],
            "Cameras": changes["cameras"],
            "New cameras (net)": changes["cameras_change"],
            "Crime-weighted coverage (%)": changes["weighted_incident_coverage_share"]
            * 100,
            "Change (pts)": changes["weighted_incident_coverage_share_change"] * 100,
        }
    ).sort_values("Change (pts)", ascending=False)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Crime-weighted coverage (%)": st.column_config.NumberColumn(format="%.1f"),
            "Change (pts)": st.column_config.NumberColumn(format="%+.2f"),
            "New cameras (net)": st.column_config.NumberColumn(format="%+d"),
        },
        key="ward_changes",
    )

# --- how to read this ---------------------------------------------------------------
with st.expander("How to read this page", expanded=False):
    st.markdown(
        f"""
- **Cameras** are registered cameras (one registration can hold several). Owners
  choose *registered* (police know where the camera is and may ask for footage) or
  *integrated* (police get live access in an emergency through a device).
  Withdrawn cameras count nowhere.
- **Goal**: {goal:,} cameras. The projection fits the monthly growth since the
  launch on {city.launch_date:%d %b %Y}; the shaded band is its 80% interval.
- **Crime-weighted coverage**: of the incidents in the sidebar's time window,
  the share within the assumed view of at least one camera, violent crime
  counting most. The view of a camera is a sector or circle whose range depends
  on the owner and camera type; the sidebar slider scales every range.
- **Map**: hexagons show the share of incidents within camera range; points and
  clusters are cameras by tier; residential cameras are shown only as counts per
  area.
- All dates are relative to the data's date ({ds.as_of:%d %b %Y}), not today.
"""
    )

st.subheader("More")
link_cols = st.columns(4)
for i, info in enumerate(p for p in PAGES if p.path != "pages/0_Overview.py"):
    with link_cols[i % 4]:
        try:
            st.page_link(
                info.path, label=info.title, icon=info.icon, help=info.what.capitalize()
            )
        except StreamlitPageNotFoundError:
            # run on its own (not through dashboard.py) the other pages are unknown
            st.caption(f"{info.title}: open the app with `streamlit run dashboard.py`.")
