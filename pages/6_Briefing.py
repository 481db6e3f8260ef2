"""Council briefing: one self-contained HTML document to download, print or email.

Widgets and layout only; the document comes from analytics.briefing (which runs
every figure through analytics.privacy for the chosen edition). docs/briefing.md
says what it contains.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from analytics.briefing import (
    BRIEFING_AUDIENCES,
    DEFAULT_RECRUIT_K,
    briefing_tables,
    ward_choices,
)
from analytics.costs import DEFAULT_COST_SCENARIO
from analytics.safe_output import to_safe_csv
from ui import cached
from ui.page import start_page

# Editions each viewer role may export: the briefing never carries contacts, so
# investigators export the staff edition at most.
EXPORTABLE = {
    "public": ("public",),
    "staff": BRIEFING_AUDIENCES,
    "investigator": BRIEFING_AUDIENCES,
}
EDITION_HELP = {
    "public": "Aggregates only: safe to publish or send to council.",
    "staff": "Adds exact points of business, institutional and city cameras. "
    "Not for public release.",
}
DEFAULT_DEVICES = DEFAULT_COST_SCENARIO.devices_per_year  # same as Goal progress
DEFAULT_YEARS = DEFAULT_COST_SCENARIO.years
MAX_RECRUIT = 500
PREVIEW_HEIGHT = 900
TABLE_LABELS = {
    "wards": "Ward table",
    "gaps": "Gap cells",
    "areas": "Recruitment areas",
}

page = start_page(
    "Council briefing",
    icon=":material/description:",
    # the briefing counts every active camera: tier and owner filters do not apply
    filters=("since", "until", "categories", "range_scale"),
    caption="A self-contained document for council members and the public: it "
    "opens offline, prints cleanly and never shows where a resident keeps a camera.",
)
ds, filters, role = page.ds, page.filters, page.role
city = ds.city


allowed = EXPORTABLE.get(role, ("public",))
left, right = st.columns([1, 2])
audience = left.radio(
    "Edition",
    allowed,
    key="audience",
    format_func=str.capitalize,
    help=" ".join(f"{a.capitalize()}: {EDITION_HELP[a]}" for a in allowed),
)
if len(allowed) == 1:
    left.caption("Signed in as public: only the public edition can be exported.")
names = ward_choices(ds)
picked_wards = right.multiselect(
    "Wards (none = the whole city)",
    list(names),
    key="wards",
    format_func=lambda w: names.get(w, w),
    disabled=not names,
    help="Limit incidents and camera counts to these wards. The goal forecast "
    "stays city-wide.",
)
offences = "" if filters.all_categories else f", {', '.join(filters.categories)} only"
st.caption(
    f"Crime period and offence categories come from the sidebar "
    f"({filters.since:%d %b %Y} – {filters.until:%d %b %Y}{offences}). The camera "
    "tier and owner filters do not apply: a briefing counts every active camera."
)

with st.expander("Scenario: integration devices and recruitment", expanded=False):
    c1, c2, c3, c4 = st.columns(4)
    devices = c1.number_input(
        "Integration devices bought a year",
        min_value=0,
        max_value=100_000,
        value=DEFAULT_DEVICES,
        step=10,
        key="devices",
        help="New devices giving live access bought every year, to be costed "
        "(the same cost model and default as Goal progress).",
    )
    years = c2.number_input(
        "Years budgeted", min_value=1, max_value=20, value=DEFAULT_YEARS, key="years"
    )
    top_share = 0.0
    if len(city.devices) > 1:
        top_share = c3.slider(
            f"Share of '{city.devices[-1].name}'",
            min_value=0.0,
            max_value=1.0,
            value=0.0,
            step=0.05,
            key="top_share",
        )
    recruit_k = c4.number_input(
        "Sites to recommend",
        min_value=1,
        max_value=MAX_RECRUIT,
        value=DEFAULT_RECRUIT_K,
        key="recruit",
    )
scenario = cached.briefing_scenario(city, int(devices), int(years), top_share)

# shared by every session and kept on disk (the warm-up works out the default)
briefing = cached.briefing(
    ds,
    page.key,
    audience,
    filters.since,
    filters.until,
    tuple(picked_wards),
    filters.categories,
    filters.range_scale,
    int(recruit_k),
    scenario,
)
inputs, html = briefing.inputs, briefing.html
# kept for tests and for a second download without recomputing
st.session_state["briefing_html"] = html

stamp = f"{ds.as_of:%Y-%m-%d}"
scope = "-wards-" + "-".join(picked_wards) if picked_wards else ""
size_kb = len(html.encode("utf-8")) / 1024
st.download_button(
    f"Download the {audience} briefing (HTML, {size_kb:,.0f} KB)",
    data=html.encode("utf-8"),
    file_name=f"briefing-{audience}{scope}-{stamp}.html",
    mime="text/html",
    key="download_briefing",
    type="primary",
    icon=":material/download:",
)
st.caption(
    "Opens offline in any browser (maps and charts are embedded, nothing is "
    "fetched); use the browser's Print for paper or PDF: each section starts on "
    "a new page."
)

tables = briefing_tables(inputs)
cols = st.columns(len(tables))
for col, (name, frame) in zip(cols, tables.items(), strict=True):
    col.download_button(
        f"{TABLE_LABELS[name]} (CSV)",
        data=to_safe_csv(frame),
        file_name=f"briefing-{name}-{audience}-{stamp}.csv",
        mime="text/csv",
        key=f"download_{name}",
    )

st.subheader("Preview")
st.caption(
    f"The {audience} edition exactly as it will be downloaded "
    f"(generated {datetime.now():%d %b %Y %H:%M})."
)
st.iframe(html, height=PREVIEW_HEIGHT)
