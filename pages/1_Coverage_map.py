"""Coverage map: where registered cameras see, and where crime happens out of view."""

from __future__ import annotations

import streamlit as st

from analytics.figures import FIGURES, label, show
from analytics.maps import CHOROPLETHS, MAX_VIEWSHEDS
from analytics.privacy import (
    AREA_FILTERS_NOTE,
    MIN_COVERAGE_WINDOW_DAYS,
    protect_districts,
)
from analytics.safe_output import to_safe_csv
from ui import cached, exports
from ui.exports import later
from ui.focus import focus_chip, focus_map, focus_sidebar, ward_figures
from ui.formatting import count, km2
from ui.page import start_page

MAP_HEIGHT = 640
# headline tiles a focused ward takes from its row of the ward table
WARD_TILES = (
    "cameras",
    "sites",
    "incident_coverage_share",
    "weighted_incident_coverage_share",
    "live_incident_coverage_share",
    "area_coverage_share",
    "covered_area_km2",
    "incidents",
)

page = start_page(
    "Coverage map",
    icon=":material/map:",
    caption="Cameras by tier over one chosen layer: the share of incidents "
    "within camera range per hexagon, incidents out of range, or crime as a heat "
    "map; the biggest gaps outlined in orange.",
)
ds, filters = page.ds, page.filters
focus = focus_sidebar(ds)
report = cached.coverage(ds, page.key, filters)
head = report.headline
focus_chip(ds, key="coverage")
if focus is not None:  # the ward's row of the ward table, as the Wards page shows it
    table, withheld = ward_figures(  # below investigator: the whole registry
        cached.coverage(ds, page.key, cached.area_filters(filters, page.role)).wards,
        page.role,
        ds,
        cached.window_days(filters),
    )
    row = table[table["ward_id"].astype(str) == focus].iloc[0]
    head = {**head, **{k: row[k] for k in WARD_TILES}, "city_area_km2": row["area_km2"]}
if head["incidents"] == 0:
    st.warning(
        "No incidents match the sidebar filters, so coverage cannot be measured: "
        "widen the dates or choose more offence categories."
    )

c1, c2, c3 = st.columns(3, border=True)
c4, c5, c6 = st.columns(3, border=True)
c1.metric(
    label("view_cameras"),
    show("view_cameras", head["cameras"]),
    help=f"{count(head['sites'])} sites. {FIGURES['view_cameras'].meaning}",
)
c2.metric(
    label("incident_coverage_share"),
    show("incident_coverage_share", head["incident_coverage_share"]),
    help=f"Of {count(head['incidents'])} incidents in the time window.",
)
c3.metric(
    label("weighted_incident_coverage_share"),
    show("weighted_incident_coverage_share", head["weighted_incident_coverage_share"]),
    help="Violent incidents weigh more (weights in the sidebar help).",
)
c4.metric(
    label("live_incident_coverage_share"),
    show("live_incident_coverage_share", head["live_incident_coverage_share"]),
    help=FIGURES["live_incident_coverage_share"].meaning,
)
c5.metric(
    label("area_coverage_share"),
    show("area_coverage_share", head["area_coverage_share"]),
    help=f"{km2(head['covered_area_km2'])} of {km2(head['city_area_km2'])} "
    + ("(the ward's area)." if focus else f"(the city's {report.area_basis})."),
)
if focus is None:
    c6.metric(
        label("effective_cameras"),
        show("effective_cameras", head["effective_cameras"]),
        help="Area seen by all cameras together divided by the area one camera "
        "sees: clustered cameras count less.",
    )
else:
    c6.metric(
        label("incidents"),
        show("incidents", head["incidents"]),
        help="Incidents in the time window inside the ward.",
    )
st.caption(
    f"{filters.window.describe(ds.as_of)}."
    + (f" {withheld}" if focus is not None and withheld else "")
)

# one thematic layer at a time: the switch here and in the map's layer control
cells = cached.redacted(ds, page.key, filters, page.role).cells
LAYERS = {
    "coverage_share": "Share of incidents within camera range",
    "incidents_uncovered": "Incidents out of camera range",
    "heat": "Incident heat map",
}
if cells is not None and len(cells):
    LAYERS["camera_cells"] = "Cameras by area"
shown = st.radio(
    "Show on the map",
    list(LAYERS),
    format_func=LAYERS.get,
    key="choropleth",
    horizontal=True,
    help="One layer at a time, so its colours match the legend. The layer "
    "control (top right of the map) switches the same layers.",
)

fmap = cached.coverage_map(
    ds,
    page.key,
    filters,
    page.role,
    choropleth=shown if shown in CHOROPLETHS else "coverage_share",
    thematic="choropleth" if shown in CHOROPLETHS else shown,
    ward=focus,
    gaps=True,
)
focus_map(fmap, ds, key="coverage_map", height=MAP_HEIGHT)
st.caption(
    f"{filters.describe()}. "
    + (
        f"The map opens on the ward and draws the view of each visible camera in "
        f"it (at most {MAX_VIEWSHEDS:,}); zoom in to see them. "
        if focus is not None
        else "Click a ward to focus the page on it and draw its cameras' views. "
    )
    + "Camera views are modelled: a sector or circle whose "
    "range depends on the owner and camera type (scaled by the sidebar slider). "
    "Residential cameras appear only as counts per area unless you are an "
    "investigator. Without internet the map falls back to the city's own wards."
)
for flag in report.flags:
    st.caption(f"Note: {flag}")

st.subheader("Coverage by police district")
# per-area figures: the whole registry below investigator (analytics.privacy)
area_report = cached.coverage(ds, page.key, cached.area_filters(filters, page.role))
district_table = protect_districts(
    area_report.districts,
    page.role,
    ds.city,
    window_days=cached.window_days(filters),
)
if page.role != "investigator":
    st.caption(
        f"{AREA_FILTERS_NOTE} A district or map cell with fewer than "
        f"{ds.city.min_group_size} incidents, or a window shorter than "
        f"{MIN_COVERAGE_WINDOW_DAYS} days, shows no coverage."
    )
if focus is not None:
    st.caption(
        "Whole city: patrol districts cross ward lines, so this table is not "
        "narrowed to the ward."
    )
districts = district_table.rename(
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
    later(to_safe_csv, district_table),
    file_name="coverage_by_district.csv",
    mime="text/csv",
    key="download_districts",
)
d2.download_button(
    "Download hex grid (GeoJSON)",
    later(exports.geojson, cached.hexes_for(ds, page.key, filters, page.role)),
    file_name="coverage_hexes.geojson",
    mime="application/geo+json",
    key="download_hexes",
    help="Incident counts and coverage per H3 cell (camera counts only for "
    "investigators; below them, coverage only in cells with enough cameras and "
    "incidents, over at least a month).",
)
