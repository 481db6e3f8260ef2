"""Requests and outcomes: what the registry has done for investigations."""

from __future__ import annotations

import streamlit as st

from analytics.figures import FIGURES, REQUEST_FIGURES, label, request_texts
from analytics.formatting import format_table
from analytics.safe_output import to_safe_csv
from ui import cached
from ui.charts import requests_chart
from ui.exports import later
from ui.formatting import count
from ui.page import start_page
from ui.requests import answer_section, page_footage

ROW_FORMATS = {
    "request_id": "text",
    "requested_at": "timestamp",
    "status_at": "timestamp",
}
ROW_NAMES = {
    "request_id": "Request",
    "case_id": "Case",
    "camera_id": "Camera",
    "kind": "Kind",
    "status": "Status",
    "requested_at": "Requested",
    "status_at": "Status since",
    "useful": "Footage helped",
    "requested_by": "Requested by",
}
STALE_FORMATS = {
    "last_verified": "day",
    "months_since_verified": "number",
    "unanswered_in_a_row": "count",
    "footage_never_arrived": lambda v: "yes" if v else "no",
}
STALE_NAMES = {
    "camera_id": "Camera",
    "tier": "Tier",
    "owner_type": "Owner",
    "last_verified": "Last verified",
    "months_since_verified": "Months since",
    "unanswered_in_a_row": "Unanswered in a row",
    "footage_never_arrived": "Footage never arrived",
    "reasons": "Why",
}

page = start_page(
    "Requests and outcomes",
    icon=":material/assignment_turned_in:",
    caption="Footage asked for after incidents, what came back, whether it helped, "
    "and which registrations have gone quiet.",
    # the requests of a window, over the whole registry: only the dates apply
    filters=("since", "until"),
)
ds, filters = page.ds, page.filters
history = cached.footage_history(ds, page.key)
if history is None:
    st.info(
        "No footage requests are recorded yet: requests are kept in the registry "
        "store. The data steward configures one on the Registry page; "
        "investigators then record requests from the Incident canvass page or "
        "with `python -m analytics requests add`."
    )
    st.stop()

view = cached.requests_figures(ds, page.key, page.role, filters.since, filters.until)
assert view is not None  # a history exists (checked above)
stats = view.stats
st.caption(
    f"Requests made {filters.since:%d %b %Y} – {filters.until:%d %b %Y}, "
    f"against the registry as it is today. Source: {history.source}."
)
texts = request_texts(stats)
HELP = {
    "fulfilled_share": "Footage provided, over requests with an answer or past the "
    "answer window (open requests are left out).",
    "median_hours_to_footage": "From the incident to the footage, over provided "
    "requests.",
    "useful_share": "Provided footage the investigator marked useful, over provided "
    "footage whose usefulness is known.",
    "violent_incidents_with_request_share": f"Of {count(stats.violent_incidents)} "
    "violent incidents in the window.",
    "cost_per_case_helped_usd": FIGURES["cost_per_case_helped_usd"].meaning,
    "stale_cameras": FIGURES["stale_cameras"].meaning,
}
for column, key in zip(st.columns(4) + st.columns(4), REQUEST_FIGURES, strict=True):
    column.metric(label(key), texts[key], help=HELP.get(key))

if len(stats.per_month):
    st.altair_chart(requests_chart(stats.per_month), width="stretch", key="per_month")

st.subheader("Who answers")
left, right = st.columns(2)
for column, title, frame in (
    (left, "By tier", view.by_tier),
    (right, "By owner type", view.by_owner_type),
):
    shown = format_table(
        frame,
        {"requests": "count", "decided": "count", "provided": "count", "share": "pct"},
        rename={
            "group": title.removeprefix("By ").capitalize(),
            "requests": "Requests",
            "decided": "Answered or expired",
            "provided": "Provided",
            "share": label("fulfilled_share"),
        },
    )
    column.dataframe(shown, hide_index=True, use_container_width=True)
if page.role == "public":
    st.caption(
        f"Groups with fewer than {ds.city.min_group_size} answered requests "
        "show a dash so no owner's answers can be read off."
    )

if view.rows is None:
    st.caption(
        "Request rows and the re-verification queue are shown to investigators "
        "and the data steward."
    )
    st.stop()

st.subheader("Requests")
st.dataframe(
    format_table(view.rows, ROW_FORMATS, rename=ROW_NAMES),
    hide_index=True,
    use_container_width=True,
)
st.download_button(
    "Download requests (CSV)",
    later(to_safe_csv, view.rows),
    file_name="footage_requests.csv",
    mime="text/csv",
)
if page.role == "investigator":  # answers and outcomes are entered by investigators
    footage = page_footage(ds)
    if footage is not None:
        answer_section(footage, user=page.viewer.audit_name, demo=ds.synthetic)
st.subheader("Re-verification queue")
st.caption(f"{count(len(view.stale))} active cameras to check again, oldest first.")
st.dataframe(
    format_table(view.stale, STALE_FORMATS, rename=STALE_NAMES),
    hide_index=True,
    use_container_width=True,
)
