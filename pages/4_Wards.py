"""Wards: coverage, cameras and change over the period, ward by ward."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from analytics.changes import ward_changes
from analytics.privacy import protect_ward_table, ward_privacy
from analytics.safe_output import escape_markdown, to_safe_csv
from ui import cached
from ui.charts import ward_bar_chart
from ui.formatting import share
from ui.page import start_page

page = start_page(
    "Wards",
    icon="🏛️",
    caption="For council members: how well each ward's crime is within view of "
    "registered cameras, how dense the registry is, and what the cameras "
    "registered during the time window changed.",
)
ds, filters = page.ds, page.filters
if ds.wards is None:
    st.error(
        "No ward boundaries are configured, so there is nothing to compare. Set "
        "`CAMREG_WARDS` (or `[data].wards` in the city file) to a GeoJSON or "
        "shapefile with `ward_id` and `ward_name`."
    )
    st.stop()

report = cached.coverage(ds, page.key, filters)
start = cached.coverage_at(ds, page.key, filters, filters.since - timedelta(days=1))
city_share = report.headline["weighted_incident_coverage_share"]
changes = ward_changes(report.wards, start.wards)
wards = report.wards.merge(
    changes[
        [
            "ward_id",
            "cameras_change",
            "weighted_incident_coverage_share_change",
        ]
    ],
    on="ward_id",
    how="left",
)

wards, withheld = protect_ward_table(
    wards, page.role, ds.city, **ward_privacy(cached.window_days(filters))
)
if page.role == "public":  # differencing two start dates would date single homes
    wards[["cameras_change", "weighted_incident_coverage_share_change"]] = float("nan")

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
    "City-wide crime-weighted coverage",
    share(city_share),
    help="All incidents in the time window, violent crime weighted most.",
)

table = pd.DataFrame(
    {
        "Ward": wards["ward_name"].astype(str),
        "Cameras": wards["cameras"],
        "Integrated cameras": wards["integrated_cameras"],
        "Cameras per km²": wards["cameras_per_km2"],
        "Incidents": wards["incidents"],
        "Incidents within range (%)": wards["incident_coverage_share"] * 100,
        "Crime-weighted coverage (%)": wards["weighted_incident_coverage_share"] * 100,
        "Area within range (%)": wards["area_coverage_share"] * 100,
        "New cameras in period": wards["cameras_change"],
        "Coverage change (pts)": wards["weighted_incident_coverage_share_change"] * 100,
    }
).sort_values("Crime-weighted coverage (%)")
percent = st.column_config.NumberColumn(format="%.1f")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Cameras per km²": st.column_config.NumberColumn(format="%.1f"),
        "Incidents within range (%)": percent,
        "Crime-weighted coverage (%)": percent,
        "Area within range (%)": percent,
        "New cameras in period": st.column_config.NumberColumn(format="%+d"),
        "Coverage change (pts)": st.column_config.NumberColumn(format="%+.2f"),
    },
    key="ward_table",
)
st.caption(
    f"{filters.describe()}. Sorted from least to best covered. “In period”: "
    f"cameras registered {filters.since:%d %b %Y} – {filters.until:%d %b %Y} "
    "(net of withdrawals) and the coverage they added, with crime held fixed."
    + (f" {withheld}" if withheld else "")
)

left, mid, right = st.columns(3)
with left:
    st.plotly_chart(
        ward_bar_chart(
            wards,
            "weighted_incident_coverage_share",
            title="Crime-weighted coverage",
            percent=True,
        ),
        width="stretch",
        key="chart_coverage",
    )
with mid:
    st.plotly_chart(
        ward_bar_chart(wards, "cameras_per_km2", title="Cameras per km²"),
        width="stretch",
        key="chart_density",
    )
with right:
    st.plotly_chart(
        ward_bar_chart(
            wards,
            "weighted_incident_coverage_share_change",
            title="Coverage gained in the period",
            percent=True,
            unit=" pts",
        ),
        width="stretch",
        key="chart_change",
    )

st.download_button(
    "Download ward table (CSV)",
    to_safe_csv(table),
    file_name="wards.csv",
    mime="text/csv",
    key="download_wards",
)
