"""Gaps and targeting: where crime happens out of camera view, and where to recruit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.maps import MAX_GAP_CELLS
from analytics.privacy import AREA_FILTERS_NOTE
from analytics.safe_output import escape_markdown, mark_geojson, to_safe_csv
from ui import cached, exports
from ui.charts import curve_chart
from ui.exports import later
from ui.focus import focus_chip, focus_map, focus_sidebar, ward_figures, ward_names
from ui.formatting import format_table, points, share
from ui.page import start_page

K_MIN, K_MAX, K_DEFAULT = 1, 200, 25
TOP_GAPS = 10  # gap cells summarised at the top of the page
MAP_HEIGHT = 560

page = start_page(
    "Gaps and targeting",
    icon=":material/my_location:",
    caption="For planners: the areas where most crime happens out of view of any "
    "registered camera, and the camera sites that would close the most of it.",
)
ds, filters = page.ds, page.filters
focus = focus_sidebar(ds)
ward_name = ward_names(ds).get(focus or "")
focus_chip(ds, key="gaps")

named_gaps = cached.gap_places(ds, page.key, filters)
if focus is not None:
    named_gaps = named_gaps[named_gaps["ward_id"].astype(str) == focus]
if len(named_gaps):
    top = named_gaps.head(TOP_GAPS)
    wards_of_top = top["ward_name"].replace("", "outside the wards")
    worst = wards_of_top.value_counts()
    first = top.iloc[0]
    st.info(
        f"**Biggest gap{' in the ward' if focus else ''}:** "
        f"{escape_markdown(first['place'])}, with "
        f"{int(first['incidents_uncovered']):,} incidents out of camera range "
        f"({first['weighted_uncovered']:,.0f} severity-weighted)"
        + (
            f", number {int(first['rank']):,} of the city."
            if focus
            else f". {worst.iloc[0]} of the top {len(top)} gap cells are in "
            f"{escape_markdown(worst.index[0])}."
        )
        + " Details in the table at the bottom of the page."
    )
elif focus is not None:
    st.info(
        f"No gap cell in {escape_markdown(ward_name)}: every incident recorded in "
        "it is within range of a camera, or none was recorded."
    )

# --- recruitment run ----------------------------------------------------------------
st.subheader(
    f"Where to recruit next in {escape_markdown(ward_name)}"
    if focus
    else "Where to recruit next"
)
k = st.slider(
    "Number of new camera sites (K)",
    min_value=K_MIN,
    max_value=K_MAX,
    value=K_DEFAULT,
    key="k",
    help="Sites are chosen one by one, each adding the most severity-weighted "
    "incidents not yet within any camera's range (greedy maximum coverage).",
)
rec = cached.recommendation(ds, page.key, filters, k, focus)
ratio = rec.greedy_total / rec.baseline_total if rec.baseline_total else None
# a ward whose coverage the viewer may not see (the Wards page's small-group rule)
# gets no recruitment figures either: with a large K they give its coverage away
hidden = False
if focus is not None:
    shown_wards, _ = ward_figures(  # below investigator: the whole registry
        cached.coverage(ds, page.key, cached.area_filters(filters, page.role)).wards,
        page.role,
        ds,
        cached.window_days(filters),
    )
    hidden = bool(
        shown_wards.loc[
            shown_wards["ward_id"].astype(str) == focus,
            "weighted_incident_coverage_share",
        ]
        .isna()
        .all()
    ) and bool(rec.total_weight)
if hidden:
    st.info(
        f"{escape_markdown(ward_name)} has too few sites or incidents for its "
        "coverage to be shown at your access level, so the figures of its "
        "recruitment sites are withheld too; the sites and their places are shown."
    )
total = rec.total_weight
if not hidden:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        "Weighted incidents newly covered",
        f"{rec.greedy_total:,.0f}",
        help=f"By the {len(rec.sites):,} recommended sites, each seeing "
        f"{rec.range_m:,.0f} m around it (a business camera).",
    )
    m2.metric(
        "As usual",
        f"{rec.baseline_total:,.0f}",
        help=f"{rec.k:,} sites placed where registrations came from over the last 12 "
        "months, scored the same way: the mean over 32 seeded draws, so the same K "
        "always gives the same figure.",
    )
    m3.metric(
        "Targeted vs as usual",
        f"{ratio:,.1f}×" if ratio else "–",
        help="How many times more crime the recommended sites would bring into view.",
    )
    already = rec.already_covered_weight / total if total else None
    after = (rec.already_covered_weight + rec.greedy_total) / total if total else None
    m4.metric(
        "Crime-weighted coverage after",
        share(after),
        delta=points(after - already) if total else None,
        help=f"From {share(already)} today (new cameras modelled as full circles)"
        + (", of the incidents in the ward." if focus else "."),
    )
if not total:
    st.warning(
        "No incidents match the sidebar filters, so there is nothing to target: "
        "widen the dates or choose more offence categories."
    )

left, right = st.columns([3, 2])
with left:
    fmap = cached.coverage_map(
        ds,
        page.key,
        filters,
        page.role,
        choropleth="incidents_uncovered",
        heat=False,
        gaps=True,
        k=k,
        ward=focus,
        show_cameras=False,
    )
    focus_map(fmap, ds, key="gaps_map", height=MAP_HEIGHT)
    st.caption(
        f"Numbered circles: the {len(rec.sites):,} recommended sites, by rank (the "
        f"numbers of the table below). Orange dashed: the top {MAX_GAP_CELLS} gap "
        "cells. Hexagons: incidents out of camera range."
    )
with right:
    if not hidden:
        st.altair_chart(curve_chart(rec), width="stretch", key="curve")
    st.caption(
        "Each point: coverage added by the first k sites. The curve flattens as the "
        "best spots are taken; the gap to the dashed line is what targeting gains "
        "over recruiting wherever sign-ups happen to come from."
    )

named_sites = cached.site_places(ds, page.key, filters, k, focus)
if hidden:
    named_sites = named_sites.assign(
        marginal_gain=float("nan"),
        new_incidents=float("nan"),
        cumulative_share=float("nan"),
    )
sites = format_table(
    pd.DataFrame(
        {
            "Site": named_sites["rank"],
            "Place": named_sites["place"],
            "Weighted incidents added": named_sites["marginal_gain"],
            "Incidents added": named_sites["new_incidents"],
            "Cumulative share of weighted incidents": named_sites["cumulative_share"],
            "Latitude": named_sites["latitude"],
            "Longitude": named_sites["longitude"],
        }
    ),
    {
        "Latitude": "coord",
        "Longitude": "coord",
        "Weighted incidents added": "number",
        "Incidents added": "count",
        "Cumulative share of weighted incidents": "pct",
    },
)
st.dataframe(sites, hide_index=True, width="stretch", height=280, key="sites_table")
d1, d2 = st.columns(2)
d1.download_button(
    "Download sites (CSV)",
    later(to_safe_csv, named_sites.drop(columns="geometry")),
    file_name=f"recommended_sites_k{k}.csv",
    mime="text/csv",
    key="download_sites_csv",
)
d2.download_button(
    "Download sites (GeoJSON)",
    later(lambda: mark_geojson(rec.to_geojson())),
    file_name=f"recommended_sites_k{k}.geojson",
    mime="application/geo+json",
    key="download_sites_geojson",
)

# --- gap ranking --------------------------------------------------------------------
st.subheader("Biggest coverage gaps")
st.caption(
    "Areas of about 0.7 km² (H3 cells, ids in the downloads) ranked by "
    f"severity-weighted incidents out of camera range ({filters.describe()})."
)
gaps = cached.hexes_for(ds, page.key, filters, page.role, "gaps")
if page.role != "investigator" and filters.narrowed:
    st.caption(AREA_FILTERS_NOTE)
if focus is not None:
    gaps = gaps[gaps["ward_id"].astype(str) == focus]
    st.caption(
        f"{len(gaps):,} gap cells in {escape_markdown(ward_name)}; the rank is the "
        "cell's rank in the whole city."
    )
table = pd.DataFrame(
    {
        "Rank": gaps["rank"],
        "Place": gaps["place"],
        "Weighted incidents out of range": gaps["weighted_uncovered"],
        "Incidents out of range": gaps["incidents_uncovered"],
        "Incidents": gaps["incidents"],
        "Violent": gaps["violent"],
        "Property": gaps["property"],
        "Other": gaps["other"],
    }
)
if "nearest_camera_m" in gaps:  # investigators only
    table["Nearest camera (m)"] = gaps["nearest_camera_m"]
table = format_table(
    table,
    {
        "Weighted incidents out of range": "number",
        "Incidents out of range": "count",
        "Incidents": "count",
        "Violent": "count",
        "Property": "count",
        "Other": "count",
        "Nearest camera (m)": "count",
    },
)
st.dataframe(table, hide_index=True, width="stretch", height=320, key="gap_table")
g1, g2 = st.columns(2)
g1.download_button(
    "Download gap ranking (CSV)",
    later(to_safe_csv, gaps),
    file_name="coverage_gaps.csv",
    mime="text/csv",
    key="download_gaps_csv",
)
g2.download_button(
    "Download gap cells (GeoJSON)",
    later(exports.geojson, gaps),
    file_name="coverage_gaps.geojson",
    mime="application/geo+json",
    key="download_gaps_geojson",
)
