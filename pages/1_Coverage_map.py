"""Coverage map: where registered cameras see, and where crime happens out of view."""

from __future__ import annotations

import streamlit as st

from analytics.maps import CHOROPLETHS, MAX_VIEWSHEDS
from analytics.safe_output import to_safe_csv
from ui import cached
from ui.formatting import share
from ui.mapview import show_map
from ui.page import start_page

NO_WARD = "(none)"
MAP_HEIGHT = 640
CHOROPLETH_LABELS = {key: spec[0] for key, spec in CHOROPLETHS.items()}

page = start_page(
    "Coverage map",
    icon="🗺️",
    caption="Cameras by tier, the share of incidents each hexagon's cameras can "
    "see, crime as a heat map, and the biggest gaps. Use the layer control (top "
    "right of the map) to switch layers on and off.",
)
ds, filters = page.ds, page.filters
report = cached.coverage(ds, page.key, filters)
head = report.headline
if head["incidents"] == 0:
    st.warning(
        "No incidents match the sidebar filters, so coverage cannot be measured: "
        "widen the dates or choose more offence categories."
    )

c1, c2, c3 = st.columns(3, border=True)
c4, c5, c6 = st.columns(3, border=True)
c1.metric("Cameras", f"{head['cameras']:,}", help=f"{head['sites']:,} sites")
c2.metric(
    "Incidents within camera range",
    share(head["incident_coverage_share"]),
    help=f"Of {head['incidents']:,} incidents in the time window.",
)
c3.metric(
    "Crime-weighted coverage",
    share(head["weighted_incident_coverage_share"]),
    help="Violent incidents weigh more (weights in the sidebar help).",
)
c4.metric(
    "Within range of live cameras",
    share(head["live_incident_coverage_share"]),
    help="Incidents an integrated (live-access) camera could have seen.",
)
c5.metric(
    "Area within camera range",
    share(head["area_coverage_share"]),
    help=f"{head['covered_area_km2']:,.1f} of {head['city_area_km2']:,.0f} km².",
)
c6.metric(
    "Effective cameras",
    f"{head['effective_cameras']:,.0f}",
    help="Area seen by all cameras together divided by the area one camera sees: "
    "clustered cameras count less.",
)

left, mid, right = st.columns([2, 2, 1])
choropleth = left.radio(
    "Colour the hexagons by",
    list(CHOROPLETH_LABELS),
    format_func=CHOROPLETH_LABELS.get,
    key="choropleth",
    horizontal=True,
)
wards = [] if ds.wards is None else sorted(ds.wards["ward_name"].astype(str))
ward = mid.selectbox(
    "Draw camera views in ward",
    [NO_WARD, *wards],
    key="ward",
    help=f"Draws the view of each visible camera in the ward (at most "
    f"{MAX_VIEWSHEDS:,}). Zoom in to see them.",
)
heat = right.toggle("Incident heat map", value=True, key="heat")

fmap = cached.coverage_map(
    ds,
    page.key,
    filters,
    page.role,
    choropleth=choropleth,
    ward=None if ward == NO_WARD else ward,
    heat=heat,
    gaps=True,
)
show_map(fmap, key="coverage_map", height=MAP_HEIGHT)
st.caption(
    f"{filters.describe()}. Camera views are modelled: a sector or circle whose "
    "range depends on the owner and camera type (scaled by the sidebar slider). "
    "Residential cameras appear only as counts per area unless you are an "
    "investigator. Without internet the street map is blank; outlines still show."
)
for flag in report.flags:
    st.caption(f"Note: {flag}")

st.subheader("Coverage by police district")
districts = report.districts.rename(
    columns={
        "district": "District",
        "incidents": "Incidents",
        "incidents_covered": "Within camera range",
        "incident_coverage_share": "Share within range",
        "live_incident_coverage_share": "Share within live range",
        "weighted_incident_coverage_share": "Crime-weighted share",
    }
)
st.dataframe(
    districts,
    hide_index=True,
    width="stretch",
    column_config={
        c: st.column_config.ProgressColumn(
            c, format="percent", min_value=0, max_value=1
        )
        for c in (
            "Share within range",
            "Share within live range",
            "Crime-weighted share",
        )
    },
    key="districts",
)
d1, d2 = st.columns(2)
d1.download_button(
    "Download district table (CSV)",
    to_safe_csv(report.districts),
    file_name="coverage_by_district.csv",
    mime="text/csv",
    key="download_districts",
)
d2.download_button(
    "Download hex grid (GeoJSON)",
    cached.hexes_for(ds, page.key, filters, page.role).to_json(drop_id=True),
    file_name="coverage_hexes.geojson",
    mime="application/geo+json",
    key="download_hexes",
    help="Incident counts and coverage per H3 cell (camera counts only for "
    "investigators; below them, coverage only in cells with enough cameras and "
    "incidents, over at least a month).",
)
