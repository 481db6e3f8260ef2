"""Wards: coverage, cameras and change over the period, ward by ward."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.figures import label, show
from analytics.formatting import format_table, number
from analytics.privacy import AREA_FILTERS_NOTE
from analytics.safe_output import escape_markdown, to_safe_csv
from analytics.windows import Window
from ui import cached
from ui.charts import ward_bar_chart
from ui.exports import later
from ui.focus import WHOLE_CITY, focus_chip, focus_map, focus_sidebar, ward_names
from ui.formatting import points, share
from ui.page import start_page

MAP_HEIGHT = 480


page = start_page(
    "Wards",
    icon=":material/account_balance:",
    caption="For council members: how well each ward's crime is within view of "
    "registered cameras, how dense the registry is, and what the cameras "
    "registered during the time window changed.",
)
ds, filters = page.ds, page.filters
focus = focus_sidebar(ds)
if ds.wards is None:
    st.error(
        "No ward boundaries are configured, so there is nothing to compare. The "
        "data steward can add a ward file with `ward_id` and `ward_name` "
        "(docs/data-formats.md)."
    )
    st.stop()

report = cached.coverage(ds, page.key, filters)
city_share = report.headline["weighted_incident_coverage_share"]
# per-ward figures: the whole registry below investigator, changes between whole
# months ("what changed in the window", analytics.privacy.change_days)
wards, withheld, (before_day, after_day) = cached.ward_table(
    ds, page.key, filters, page.role
)
changes_text = {
    "public": " The public view has no change columns: it is one fixed view.",
    "staff": f" The change columns compare the registry on {after_day:%d %b %Y} "
    f"with the registry on {before_day:%d %b %Y} (whole months: moving a date by "
    "a day could otherwise date a single registration).",
    "investigator": f" The change columns compare the registry on "
    f"{after_day:%d %b %Y} with the registry on {before_day:%d %b %Y}.",
}[page.role]
st.caption(
    f"{filters.window.describe(ds.as_of)}"
    + (f" ({filters.describe()})" if filters.narrowed else "")
    + "."
    + changes_text
)
if page.role != "investigator" and filters.narrowed:
    st.info(
        f"The city-wide tile follows the sidebar; the ward figures do not. "
        f"{AREA_FILTERS_NOTE}"
    )
empty_note = cached.empty_registry_note(
    ds, page.key, Window(filters.since, filters.until, "window_end")
)
if empty_note:
    st.info(f"{empty_note} The change columns are therefore blank.")

measured = wards.dropna(subset=["weighted_incident_coverage_share"])
c1, c2, c3 = st.columns(3)
if len(measured):
    least = measured.loc[measured["weighted_incident_coverage_share"].idxmin()]
    most = measured.loc[measured["weighted_incident_coverage_share"].idxmax()]
    c1.metric(
        "Least covered ward",
        escape_markdown(least["ward_name"]),
        delta=f"{share(least['weighted_incident_coverage_share'])} crime-weighted "
        "coverage",
        delta_color="off",
        delta_arrow="off",
    )
    c2.metric(
        "Best covered ward",
        escape_markdown(most["ward_name"]),
        delta=f"{share(most['weighted_incident_coverage_share'])} crime-weighted "
        "coverage",
        delta_color="off",
        delta_arrow="off",
    )
else:
    st.warning(
        "No incidents match the sidebar filters in any ward, so coverage cannot "
        "be compared: widen the dates or choose more offence categories."
    )
c3.metric(
    f"City-wide {label('weighted_incident_coverage_share').lower()}",
    show("weighted_incident_coverage_share", city_share),
    help="All incidents in the time window, violent crime weighted most.",
)

# --- ward map: click a ward to focus the page on it ---------------------------------
names = ward_names(ds)
focus_chip(ds, key="wards", hint=False)
map_col, focus_col = st.columns([3, 2])
with map_col:
    focus_map(
        cached.ward_map(ds, page.key, filters, focus, page.role),
        ds,
        key="ward_map",
        height=MAP_HEIGHT,
    )
focus_name = None if focus is None else names[focus]
with focus_col:
    if focus is None:
        st.markdown("**Whole city**")
        st.caption(
            "Click a ward on the map (or choose one in the sidebar) to focus the "
            "table and charts on it. Labels: each ward's crime-weighted coverage."
        )
    else:
        row = wards[wards["ward_id"].astype(str) == focus].iloc[0]
        st.markdown(f"**{escape_markdown(names[focus])}**")
        f1, f2 = st.columns(2)
        f1.metric(
            label("weighted_incident_coverage_share"),
            show(
                "weighted_incident_coverage_share",
                row["weighted_incident_coverage_share"],
            ),
            delta=f"{points(row['weighted_incident_coverage_share'] - city_share)} "
            "vs city",
        )
        f2.metric(label("active_cameras"), show("active_cameras", row["cameras"]))
        f3, f4 = st.columns(2)
        f3.metric(label("incidents"), show("incidents", row["incidents"]))
        f4.metric("Cameras per km²", number(row["cameras_per_km2"]))

numbers = pd.DataFrame(
    {
        "ward_name": wards["ward_name"].astype(str),
        "cameras": wards["cameras"],
        "integrated_cameras": wards["integrated_cameras"],
        "cameras_per_km2": wards["cameras_per_km2"],
        "incidents": wards["incidents"],
        "violent_incidents": wards["violent_incidents"],
        "violent_victims": wards["violent_victims"],
        "incident_coverage_share": wards["incident_coverage_share"],
        "weighted_incident_coverage_share": wards["weighted_incident_coverage_share"],
        "area_coverage_share": wards["area_coverage_share"],
        "cameras_change": wards["cameras_change"],
        "coverage_change": wards["weighted_incident_coverage_share_change"],
    }
).sort_values("weighted_incident_coverage_share", na_position="last")
headers = {
    "ward_name": "Ward",
    "cameras": "Active cameras",
    "integrated_cameras": label("integrated_cameras"),
    "cameras_per_km2": "Cameras per km²",
    "incidents": label("incidents"),
    "violent_incidents": label("violent_incidents"),
    "violent_victims": label("violent_victims"),
    "incident_coverage_share": label("incident_coverage_share"),
    "weighted_incident_coverage_share": label("weighted_incident_coverage_share"),
    "area_coverage_share": label("area_coverage_share"),
    "cameras_change": "New cameras in the window (net)",
    "coverage_change": "Coverage change in the window",
}
table = format_table(
    numbers,
    {
        "cameras": "count",
        "integrated_cameras": "count",
        "cameras_per_km2": "number",
        "incidents": "count",
        "violent_incidents": "count",
        "violent_victims": "count",
        "incident_coverage_share": "pct",
        "weighted_incident_coverage_share": "pct",
        "area_coverage_share": "pct",
        "cameras_change": "signed_count",
        "coverage_change": "points",
    },
    rename=headers,
)
if focus is not None:
    table = table[numbers["ward_name"].to_numpy() == names[focus]]
    st.caption(
        f"Showing {escape_markdown(names[focus])} only: “{WHOLE_CITY}” shows all."
    )
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    # pinned: the ward stays in view when a phone scrolls the figures
    column_config={"Ward": st.column_config.TextColumn(pinned=True)},
    key="ward_table",
)
st.caption(
    f"{filters.describe()}. Sorted from least to best covered. “In the window”: "
    f"cameras registered after {before_day:%d %b %Y} up to {after_day:%d %b %Y} "
    "(net of withdrawals) and the coverage they added, with crime held fixed. "
    "A dash: nothing to measure (no incidents in the ward)."
    + (f" {withheld}" if withheld else "")
)

left, mid, right = st.columns(3)
with left:
    st.altair_chart(
        ward_bar_chart(
            wards,
            "weighted_incident_coverage_share",
            title="Crime-weighted coverage",
            percent=True,
            highlight=focus_name,
        ),
        width="stretch",
        key="chart_coverage",
    )
with mid:
    st.altair_chart(
        ward_bar_chart(
            wards, "cameras_per_km2", title="Cameras per km²", highlight=focus_name
        ),
        width="stretch",
        key="chart_density",
    )
with right:
    st.altair_chart(
        ward_bar_chart(
            wards,
            "weighted_incident_coverage_share_change",
            title="Coverage gained in the period",
            percent=True,
            unit=" pts",
            highlight=focus_name,
        ),
        width="stretch",
        key="chart_change",
    )

st.download_button(
    "Download ward table (CSV)",
    later(to_safe_csv, numbers.rename(columns=headers)),
    file_name="wards.csv",
    mime="text/csv",
    key="download_wards",
)
