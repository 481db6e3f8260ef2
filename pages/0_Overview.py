"""Overview, the landing page of `streamlit run dashboard.py`.

For the mayor's office: how many cameras, how far from the goal, when at today's
pace, how much crime they can see, and what changed since last month.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from analytics.briefing import forecast_view
from analytics.briefing_html import forecast_svg
from analytics.changes import registrations_between
from analytics.figures import (
    FIGURES,
    goal_sentence,
    label,
    program_figures,
    program_texts,
    requests_sentence,
    show,
)
from analytics.forecast import required_pace
from analytics.formatting import format_table
from analytics.safe_output import escape_markdown, markdown_table
from ui import cached
from ui.focus import focus_chip, focus_map, focus_sidebar
from ui.formatting import count, day, km2, points, share, signed_count
from ui.navigation import PAGES
from ui.page import start_page

MAP_HEIGHT = 430
DEFAULT_TARGET_YEARS = 4  # as on Goal progress: the end of the year four years on

page = start_page("{program}: camera registry overview", icon=":material/dashboard:")
ds, filters = page.ds, page.filters
city = ds.city
focus = focus_sidebar(ds)

report = cached.coverage(ds, page.key, filters)
forecast = cached.forecast(ds, page.key)
head = report.headline
# goal figures are the program's: the whole registry on the data's date, whatever
# the sidebar says (analytics.figures)
program = program_figures(forecast)
texts = program_texts(forecast)
month_start, month_end = cached.recent_window(ds.as_of)
recent = cached.recent_registrations(ds, page.key)
recent_view = (
    registrations_between(
        cached.filtered(ds, page.key, filters).cameras, month_start, month_end
    )
    if filters.narrowed
    else recent  # the coverage reports come from disk: nothing else to filter
)
before = cached.coverage_at(ds, page.key, filters, month_start - timedelta(days=1))


def _change(key: str, digits: int = 1) -> str:
    """Change of a headline share over the last 30 days, in percentage points."""
    return points(head[key] - before.headline[key], digits)


# --- headline tiles ------------------------------------------------------------------
st.caption(
    f"Goal tiles: the whole registry on {day(ds.as_of)} (sidebar filters do not "
    f"change them). Coverage: {filters.window.describe(ds.as_of)}"
    + (f", {filters.describe()}" if filters.narrowed else "")
    + "."
)
empty = cached.empty_registry_note(ds, page.key, filters.window)
if empty:
    st.info(f"{empty} Coverage cannot be measured until cameras are registered.")
if head["incidents"] == 0:
    st.warning(
        "No incidents match the sidebar filters, so coverage cannot be measured: "
        "widen the dates or choose more offence categories."
    )
goal = program["goal"]
cols = [*st.columns(3, border=True), *st.columns(3, border=True)]
cols[0].metric(
    label("active_cameras"),
    texts["active_cameras"],
    help=f"{FIGURES['active_cameras'].meaning} {texts['active_sites']} active "
    f"sites on {day(ds.as_of)}.",
)
cols[1].metric(
    label("goal_share"),
    texts["goal_share"],
    help=f"Of the goal of {texts['goal']} cameras; {texts['cameras_to_go']} to go.",
)
cols[2].metric(
    label("integrated_cameras"),
    texts["integrated_cameras"],
    help=FIGURES["integrated_cameras"].meaning,
)
cols[3].metric(
    label("weighted_incident_coverage_share"),
    show("weighted_incident_coverage_share", head["weighted_incident_coverage_share"]),
    delta=f"{_change('weighted_incident_coverage_share')} in 30 days"
    if ds.registry_dated
    else None,
    help=f"{FIGURES['weighted_incident_coverage_share'].meaning} Weights: violent "
    f"{city.weight_for('violent'):g}×, property {city.weight_for('property'):g}×, "
    f"other {city.weight_for('other'):g}×. "
    f"{filters.window.describe(ds.as_of)}.",
)
cols[4].metric(
    "Added in the last 30 days",
    count(recent["cameras_added"]) if ds.registry_dated else "unknown",
    delta=f"{signed_count(recent['cameras_net'])} net of withdrawals"
    if ds.registry_dated
    else None,
    delta_color="normal",
    help=f"Cameras registered {month_start:%d %b} – {month_end:%d %b %Y} "
    f"({count(recent['cameras_withdrawn'])} withdrawn in the same days), whole "
    "registry."
    if ds.registry_dated
    else "The registry gives no registration dates.",
)
cols[5].metric(
    label("projected_goal_date"),
    texts["projected_goal_date"],
    help=FIGURES["projected_goal_date"].meaning,
)
if filters.narrowed:
    st.caption(
        f"{label('view_cameras')} (sidebar: {filters.describe()}): "
        f"{show('view_cameras', head['cameras'])} of {texts['active_cameras']}. "
        "Coverage below is measured with these; the goal tiles count every camera."
    )

st.progress(
    min(program["goal_share"], 1.0),
    text=f"{texts['active_cameras']} of {texts['goal']} cameras "
    f"({texts['goal_share']}); {texts['cameras_to_go']} to go.",
)
pace = forecast.current_monthly_pace
# --- pace: on track or not ------------------------------------------------------------
# the Goal progress page's target date when the visitor set one there
target = st.session_state.get("target_date") or date(
    ds.as_of.year + DEFAULT_TARGET_YEARS, 12, 31
)
if pace is not None and isinstance(target, date) and target > ds.as_of:
    needed = required_pace(forecast.current_cameras, goal, ds.as_of, target)
    on_track = pace >= needed
    # wide enough for "506 cameras a month" at the metric font size
    p1, p2, p3 = st.columns([3, 3, 2], vertical_alignment="center")
    p1.metric(
        label("current_pace"),
        show("current_pace", pace),
        delta=f"{pace - needed:+,.0f} vs required",
        delta_color="normal",
        help=f"Net cameras added per month over the last {forecast.pace_months} "
        "months.",
    )
    p2.metric(
        label("required_pace"),
        show("required_pace", needed),
        help=f"To reach {goal:,} cameras by {target:%d %b %Y} (set the target on "
        "the Goal progress page).",
    )
    with p3:
        if on_track:
            st.badge("On track", icon=":material/check_circle:", color="green")
        else:
            st.badge("Off track", icon=":material/warning:", color="red")
        st.caption(
            f"{'At or above' if on_track else 'Below'} the pace that reaches the "
            f"goal by {target:%b %Y}."
        )
st.markdown(f"**Forecast.** {goal_sentence(forecast)}")
where = []
if report.wards is not None:
    # the ward table the viewer may see (small wards withheld below investigator)
    ward_view = cached.ward_view(ds, page.key, filters, page.role)
    measured = ward_view.dropna(subset=["weighted_incident_coverage_share"])
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

asked = cached.requests_figures(ds, page.key, page.role, filters.since, filters.until)
if asked is not None:
    # aggregates only, the same figures as the Requests and outcomes page
    st.markdown(
        f"**Requests.** {requests_sentence(asked.stats)} Details on the Requests "
        "and outcomes page."
    )

# --- chart and map -------------------------------------------------------------------
focus_chip(
    ds,
    key="overview",
    hint=False,
    scope="the map opens on it and the ward table below shows it alone; the goal "
    "figures count the whole city",
)
left, right = st.columns([1, 1])
with left:
    # the briefing's chart: a picture, light on the landing page (the Goal
    # progress page has the interactive one)
    st.image(
        str(forecast_svg(forecast_view(forecast), goal, ds.as_of)), width="stretch"
    )
    st.caption(
        "Whole registry (the goal counts every camera). Dashed: projection with its "
        "80% interval. Figures by month on the Goal progress page."
    )
with right:
    st.markdown("**Coverage at a glance**")
    # light: no heat layer (43% of the public map at goal scale) and no camera
    # points (1 MB of the staff map's 1.4 MB); the Coverage map page has both
    fmap = cached.coverage_map(
        ds,
        page.key,
        filters,
        page.role,
        compact=True,
        ward=focus,
        heat=False,
        cameras=False,
    )
    focus_map(fmap, ds, key="overview_map", height=MAP_HEIGHT)
    if focus is None and ds.wards is not None:
        st.caption("Click a ward to focus the map and the ward table on it.")

# --- what changed --------------------------------------------------------------------
st.subheader("What changed since last month")
# a registry without registration dates cannot say what it held a month ago
dated = ds.registry_dated
st.caption(
    "Unknown: the registry gives no registration dates, so neither the cameras "
    "added nor the coverage a month ago can be told."
    if not dated
    else f"Cameras registered {month_start:%d %b} – {month_end:%d %b %Y} compared with "
    f"the registry as it stood on {day(month_start - timedelta(days=1))}; coverage "
    f"measured on the same incidents ({day(filters.since)} – {day(filters.until)})"
    + (f", {label('view_cameras').lower()} only" if filters.narrowed else "")
    + "."
)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Cameras added", count(recent_view["cameras_added"]) if dated else "unknown")
c2.metric(
    "Cameras withdrawn",
    count(recent_view["cameras_withdrawn"]) if dated else "unknown",
)
c3.metric(
    label("incident_coverage_share"),
    show("incident_coverage_share", head["incident_coverage_share"]),
    delta=_change("incident_coverage_share", 2) if dated else None,
)
c4.metric(
    label("covered_area_km2"),
    km2(head["covered_area_km2"]),
    delta=f"{head['covered_area_km2'] - before.headline['covered_area_km2']:+.2f} km²"
    if dated
    else None,
    help=f"{show('area_coverage_share', head['area_coverage_share'])} of the city's "
    f"{km2(head['city_area_km2'])} (its {report.area_basis}).",
)
if dated and report.wards is not None and before.wards is not None:
    # per-ward figures: the whole registry below investigator, small wards
    # withheld (analytics.privacy), the same rule as the Wards page
    changes = cached.ward_changes(
        ds, page.key, filters, page.role, month_start - timedelta(days=1), ds.as_of
    )[0].sort_values("weighted_incident_coverage_share_change", ascending=False)
    if focus is not None:
        changes = changes[changes["ward_id"].astype(str) == focus]
    table = format_table(
        changes[
            [
                "ward_name",
                "cameras_change",
                "weighted_incident_coverage_share",
                "weighted_incident_coverage_share_change",
            ]
        ],
        {
            "cameras_change": "signed_count",
            "weighted_incident_coverage_share": "pct",
            "weighted_incident_coverage_share_change": lambda v: points(v, 2),
        },
        rename={
            "ward_name": "Ward",
            "cameras_change": "New cameras (net)",
            "weighted_incident_coverage_share": label(
                "weighted_incident_coverage_share"
            ),
            "weighted_incident_coverage_share_change": "Change",
        },
    )
    # a Markdown table: a handful of rows needs no grid (the grid's script was
    # 1.5 s of the browser's work on this page), nor st.table, whose scripts a
    # new visitor's browser loaded before it drew any figure (0.37 s). The
    # changes only: each ward's cameras are on the Wards page, and four
    # columns fit a phone (Markdown tables do not scroll)
    st.markdown(markdown_table(table, right=list(table.columns[1:])))

# --- how to read this ---------------------------------------------------------------
with st.expander("How to read this page", expanded=False):
    st.markdown(
        f"""
- **Active cameras** count every camera in an active registration (one
  registration can hold several). Owners choose the tier *registered* (police know
  where the camera is and may ask for footage) or *integrated* (police get live
  access in an emergency through a device). Withdrawn cameras count nowhere. The
  goal tiles always count the whole registry; the sidebar's filters change only
  the coverage figures.
- **Goal**: {goal:,} cameras. The projection fits the monthly growth since the
  launch on {city.launch_date:%d %b %Y}; the shaded band is its 80% interval.
- **Crime-weighted coverage**: of the incidents in the sidebar's time window,
  the share within the assumed view of at least one of today's active cameras,
  violent crime counting most (docs/figures.md: one rule for every window). The
  view of a camera is a sector or circle whose range depends on the owner and
  camera type; the sidebar slider scales every range.
- **Map**: hexagons show the share of incidents within camera range, with the
  wards outlined. The cameras themselves (points and clusters by tier, homes
  only as counts per area below investigator) are on the Coverage map page.
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
