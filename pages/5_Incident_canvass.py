"""Incident canvass: which registered cameras may have seen an incident, and who
to notify in the area.

Widgets and layout only: the lists come from ``analytics.canvass`` (redacted by
``analytics.privacy`` for the viewer's role) and every list shown is recorded in
the registry's audit log under the signed-in person's name (``analytics.audit``).
Investigators see owner contacts once they enter a case number.
docs/privacy-and-canvass.md explains each column.

The page opens on an empty incident form and the city's cameras (redacted for
the viewer's role): no list, no request or notice, until the incident's place
is given by coordinates, a registered address, a click or a shape drawn on the
map, or a ``?lat=&lon=`` link.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analytics import audit
from analytics.canvass import (
    CameraIndex,
    area_notification,
    canvass,
    incident_from_area,
    match_address,
)
from analytics.formatting import format_table, number
from analytics.maplayout import MapFrame
from analytics.maps import TIER_COLOURS, use_local_assets
from analytics.safe_output import escape_html, escape_markdown, to_safe_csv
from ui.audit import audit_store, record_once
from ui.cached import (
    CANVASS_MAP_HEIGHT,
    CANVASS_START_KEY,
    asset_base,
    canvass_start_source,
    draw_tools,
)
from ui.mapview import show_map
from ui.notify import notice_section
from ui.page import start_page
from ui.requests import request_section

AREA_KINDS = {"circle": "Circle around the incident", "drawn": "Shape drawn on a map"}
RADIUS_MIN_M = 10
RADIUS_MAX_M = 1_000
RADIUS_STEP_M = 10
NEAREST_MAX = 20
MAP_ZOOM = 16
MAP_HEIGHT = CANVASS_MAP_HEIGHT
INCIDENT_COLOUR = "#d7191c"
CITY_STYLE = {
    "color": "#888888",
    "weight": 1,
    "fillColor": "#f3efe4",
    "fillOpacity": 0.5,
}
# whom to call comes right after what to do: contacts (investigators only) are
# on screen without scrolling sideways, also on a phone
TABLE_COLUMNS = {
    "camera_id": "Camera",
    "distance_m": "Distance (m)",
    "action": "Action",
    "owner_name": "Owner",
    "contact_phone": "Phone",
    "contact_email": "E-mail",
    "address": "Address",
    "from_incident": "Direction",
    "distance_band": "Distance band",
    "in_view": "Incident in view",
    "footage_available": "Footage likely kept",
    "footage_until": "Kept until",
    "owner_type": "Owner type",
    "sites": "Sites",
    "camera_count": "Cameras",
    "within_radius": "Within radius",
    "latitude": "Latitude",
    "longitude": "Longitude",
}
# the shared formats (analytics.formatting): whole metres, coordinates to 5
# decimals, times to the minute
TABLE_FORMATS = {
    "distance_m": lambda v: number(v, 0),
    "footage_until": "timestamp",
    "latitude": "coord",
    "longitude": "coord",
    "camera_count": "count",
    "sites": "count",
}
REFUSED_KEY = "_canvass_refused"  # why the last place given was refused
SEEN_KEY = "_canvass_seen_"  # + map key: the click or drawing already used
AREA_KEY = "_canvass_area"  # a shape drawn as the incident's place
POINT_PARAMS = ("lat", "lon")  # the deep link: ?lat=34.746&lon=-92.289
KEEP_KEY = "_canvass_point"  # the place given, kept while another page is open

page = start_page(
    "Incident canvass",
    icon=":material/search:",
    caption="Cameras that may have seen an incident, nearest first, and the owners "
    "to notify in an area.",
    filters=(),  # the registry at the incident's time: no sidebar filter applies
)
ds, viewer, city = page.ds, page.viewer, page.ds.city
# an investigator sees contacts (and residential cameras) only for a case
role = audit.view_audience(viewer.role, st.session_state.get("case_number"))
if role == "public":
    st.warning(
        "The canvass lists private cameras by distance from a point, which would "
        "reveal where they are. Sign in as staff or investigator in the sidebar."
    )
    st.stop()


@st.cache_resource(show_spinner="Indexing the registry's cameras...", max_entries=4)
def camera_index(_ds, key: tuple) -> CameraIndex:  # noqa: ARG001
    """The spatial index of active cameras, shared by every rerun and session."""
    return CameraIndex(_ds.cameras, _ds.city)


index = camera_index(ds, page.key)
now = ds.now if ds.synthetic else datetime.now().replace(second=0, microsecond=0)


def _refuse(message: str) -> None:
    """Forget the incident's place (its list would mislead) and say why."""
    st.session_state[REFUSED_KEY] = message
    st.session_state["lat"] = st.session_state["lon"] = None
    st.session_state.pop(AREA_KEY, None)


def _point_from_link() -> None:
    """The incident's place from a ``?lat=&lon=`` link, else the one given
    before another page was opened (the form's own state goes with the page)."""
    raw = [st.query_params.get(p) for p in POINT_PARAMS]
    st.session_state["lat"], st.session_state["lon"] = st.session_state.get(
        KEEP_KEY, (None, None)
    )
    if raw == [None, None]:
        return
    try:
        lat, lon = (float(v) for v in raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        _refuse(
            "The link's coordinates are not two numbers (expected "
            "`?lat=34.746&lon=-92.289`), so no incident is set."
        )
        return
    if not (math.isfinite(lat) and math.isfinite(lon)) or not bool(
        city.extent.contains(lon, lat)
    ):
        _refuse(
            f"The link's point ({lat:.5f}, {lon:.5f}) is outside {city.name}, so "
            "no cameras are listed."
        )
        return
    st.session_state["lat"], st.session_state["lon"] = round(lat, 6), round(lon, 6)


def _clear_incident() -> None:
    st.session_state["lat"] = st.session_state["lon"] = None
    st.session_state.pop(AREA_KEY, None)
    st.session_state.pop(REFUSED_KEY, None)


if "lat" not in st.session_state or "lon" not in st.session_state:
    _point_from_link()  # an empty form unless a link gives the place
if "radius_m" not in st.session_state:
    st.session_state["radius_m"] = int(city.canvass_radius_m)
if "nearest" not in st.session_state:
    st.session_state["nearest"] = int(city.canvass_nearest)


def _use_address(candidates: pd.DataFrame) -> None:
    label = st.session_state.get("address_choice")
    match = candidates[candidates["label"] == label]
    if len(match):
        st.session_state["lat"] = round(float(match.iloc[0]["latitude"]), 6)
        st.session_state["lon"] = round(float(match.iloc[0]["longitude"]), 6)
        st.session_state.pop(AREA_KEY, None)
        st.session_state.pop(REFUSED_KEY, None)


def _run_canvass(lat: float, lon: float, radius: float, nearest: int, at: datetime):
    try:
        return canvass(
            index, lat, lon, radius_m=radius, nearest=nearest, at=at, now=now, role=role
        )
    except ValueError as exc:
        st.error(f"Cannot canvass: {exc}")
        st.stop()
        raise  # st.stop() raises; keeps type checkers happy


def _incident_base(lat: float, lon: float, zoom: int) -> folium.Map:
    """City limit and the incident marker: the part both canvass maps share."""
    m = folium.Map(location=[lat, lon], zoom_start=zoom, control_scale=True)
    if ds.city_limit is not None and len(ds.city_limit):
        # drawn under the tiles' place so the map reads without a tile server
        folium.GeoJson(
            ds.city_limit.to_crs("EPSG:4326").geometry.to_json(),
            name="City limit",
            style_function=lambda _: CITY_STYLE,
            interactive=False,
        ).add_to(m)
    # a plain circle marker: folium.Icon needs a script that is not vendored
    folium.CircleMarker(
        [lat, lon],
        radius=8,
        color="#ffffff",
        weight=2,
        fill=True,
        fill_color=INCIDENT_COLOUR,
        fill_opacity=1.0,
        tooltip="Incident",
    ).add_to(m)
    MapFrame().add_to(m)  # the scale bar clear of the attribution on a phone
    return m


def _incident_map(lat: float, lon: float, radius: float, result: pd.DataFrame):
    m = _incident_base(lat, lon, MAP_ZOOM)
    folium.Circle(
        [lat, lon], radius=radius, color=INCIDENT_COLOUR, weight=2, fill=False
    ).add_to(m)
    _add_listed_cameras(m, result)
    return use_local_assets(m, asset_base())


def _add_listed_cameras(m: folium.Map, result: pd.DataFrame) -> None:
    """The listed cameras the viewer may place (``canvass`` already redacted)."""
    shown = result[result["latitude"].notna()]
    for row in shown.itertuples(index=False):
        text = (
            f"<b>{escape_html(row.camera_id)}</b><br>{row.distance_m:.0f} m "
            f"{escape_html(row.from_incident)} · {escape_html(row.action)}"
        )
        if isinstance(row.address, str) and row.address:
            text += f"<br>{escape_html(row.address)}"
        folium.CircleMarker(
            [row.latitude, row.longitude],
            radius=6,
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color=TIER_COLOURS.get(row.tier, "#555555"),
            fill_opacity=0.9,
            tooltip=text,
        ).add_to(m)


def _drawing_map(
    lat: float, lon: float, result: pd.DataFrame, area: dict | None
) -> folium.Map:
    """Map to draw a notification area on (polygon or rectangle, one at a time),
    with the listed cameras, so the shape can be drawn around them, and the
    area in use (``area``, a drawn GeoJSON shape) outlined."""
    m = _incident_base(lat, lon, MAP_ZOOM - 1)
    if area:
        folium.GeoJson(
            area,
            name="Notification area",
            style_function=lambda _: {"color": INCIDENT_COLOUR, "weight": 2},
            interactive=False,
        ).add_to(m)
    _add_listed_cameras(m, result)
    draw_tools().add_to(m)
    return use_local_assets(m, asset_base())


def _new(key: str, value) -> bool:
    """True the first time the map ``key`` reports ``value`` (a click or shape).

    A map reports its last click on every rerun; only a new one moves the point.
    """
    if not value or st.session_state.get(SEEN_KEY + key) == value:
        return False
    st.session_state[SEEN_KEY + key] = value
    return True


def _use_click(click: dict) -> None:
    """A click on a map: the incident's place, or refused outside the city."""
    if bool(city.extent.contains(click["lng"], click["lat"])):
        st.session_state["lat"] = round(float(click["lat"]), 6)
        st.session_state["lon"] = round(float(click["lng"]), 6)
        st.session_state.pop(AREA_KEY, None)
        st.session_state.pop(REFUSED_KEY, None)
    else:  # refused, and the earlier point's list goes (it would mislead)
        _refuse(
            f"The point clicked is outside {city.name}, so no cameras are listed. "
            "Click inside the city, type its coordinates or search an address."
        )
    st.rerun()


def _use_drawing(shape: dict) -> None:
    """A shape drawn on the start map: its centre and a radius that holds it;
    the shape becomes the notification area."""
    try:
        lat, lon, reach = incident_from_area(shape)
    except ValueError as exc:
        _refuse(f"That shape cannot be used: {exc}. Draw a polygon or a rectangle.")
        st.rerun()
    if not bool(city.extent.contains(lon, lat)):
        _refuse(
            f"The shape drawn is outside {city.name}, so no cameras are listed. "
            "Draw it inside the city."
        )
        st.rerun()
    st.session_state["lat"], st.session_state["lon"] = round(lat, 6), round(lon, 6)
    steps = math.ceil(reach / RADIUS_STEP_M) * RADIUS_STEP_M
    st.session_state["radius_m"] = int(min(max(steps, RADIUS_MIN_M), RADIUS_MAX_M))
    st.session_state["notify_area"] = "drawn"
    st.session_state[AREA_KEY] = shape
    st.session_state.pop(REFUSED_KEY, None)
    st.rerun()


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text.strip())[:40] or "no-case"


# --- where and when ---------------------------------------------------------------
given = st.session_state["lat"] is not None and st.session_state["lon"] is not None
if not given:  # what to do first, above the map and the form (also on a phone)
    refused = st.session_state.get(REFUSED_KEY)
    if refused:
        st.error(refused)
    st.info(
        "Give the incident's place to list the cameras that may have seen it: "
        "click it on the map, draw its area, type its latitude and longitude or "
        "search a registered address."
    )
map_col, input_col = st.columns([3, 2])
with input_col:
    st.subheader("Incident")
    query = st.text_input(
        "Search a registered address",
        key="address_query",
        placeholder="e.g. 1104 Main St",
        help="Matches the registry's addresses, ignoring case and extra spaces. "
        + (
            "Residential addresses are searchable by investigators only."
            if role != "investigator"
            else ""
        ),
    )
    if query.strip():
        candidates = match_address(ds.cameras, query, role=role)
        if candidates.empty:
            st.caption("No registered address matches.")
        else:
            candidates = candidates.assign(
                label=candidates["address"].astype(str)
                + " ("
                + candidates["camera_id"].astype(str)
                + ")"
            )
            st.selectbox("Matches", candidates["label"].tolist(), key="address_choice")
            st.button(
                "Use this address",
                key="use_address",
                on_click=_use_address,
                args=(candidates,),
            )

with map_col:
    if given:
        lat0, lon0 = float(st.session_state["lat"]), float(st.session_state["lon"])
        radius0 = float(st.session_state["radius_m"])
        preview = _run_canvass(
            lat0,
            lon0,
            radius0,
            int(st.session_state["nearest"]),
            now,
        )
        clicked = st_folium(
            _incident_map(lat0, lon0, radius0, preview),
            key="canvass_map",
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=["last_clicked"],
        )
        click = (clicked or {}).get("last_clicked")
        if _new("canvass_map", click):
            _use_click(click)
        st.caption(
            "Red: incident and search radius. Blue: registered (ask the owner); "
            "purple: integrated (view now). Residential cameras are drawn only for "
            "investigators."
        )
    else:
        reported = show_map(
            canvass_start_source(ds, page.key, role),
            key=CANVASS_START_KEY,
            height=MAP_HEIGHT,
            clicks=True,
        )
        reported = reported or {}
        if _new("canvass_start_map", reported.get("last_active_drawing")):
            _use_drawing(reported["last_active_drawing"])
        if _new("canvass_start_map:click", reported.get("last_clicked")):
            _use_click(reported["last_clicked"])
        st.caption(
            "The registered cameras you may see (residential ones as counts per "
            "area below investigator). Click the incident's place, or draw the "
            "area with the tools at the top left."
        )

with input_col:
    ext = city.extent
    c1, c2 = st.columns(2)
    lat = c1.number_input(
        "Latitude",
        min_value=ext.min_lat,
        max_value=ext.max_lat,
        value=None,
        step=0.0001,
        format="%.6f",
        key="lat",
        placeholder=f"{ext.min_lat:.2f} to {ext.max_lat:.2f}",
    )
    lon = c2.number_input(
        "Longitude",
        min_value=ext.min_lon,
        max_value=ext.max_lon,
        value=None,
        step=0.0001,
        format="%.6f",
        key="lon",
        placeholder=f"{ext.min_lon:.2f} to {ext.max_lon:.2f}",
    )
    d1, d2 = st.columns(2)
    day = d1.date_input(
        "Date", value=now.date(), max_value=now.date(), key="incident_date"
    )
    hour = d2.time_input(
        "Time", value=now.time().replace(second=0), step=900, key="incident_time"
    )
    radius = st.slider(
        "Radius (m)",
        min_value=RADIUS_MIN_M,
        max_value=RADIUS_MAX_M,
        step=RADIUS_STEP_M,
        key="radius_m",
    )
    nearest = st.number_input(
        "Also list the N nearest at any distance",
        min_value=0,
        max_value=NEAREST_MAX,
        step=1,
        key="nearest",
        help=f"Investigators expect the {city.canvass_nearest} nearest "
        "(as the real-time crime center's tools dock them).",
    )
    case_number = st.text_input("Case number", key="case_number")
    try:
        case = audit.case_number_or_none(case_number)
    except ValueError as exc:
        st.warning(str(exc))
        case = None
    if audit.needs_case(viewer.role) and case is None:
        st.info(
            "Enter the case number to see owner contacts and residential cameras; "
            "each list is recorded in the audit log with it."
        )

    if lat is not None or lon is not None or st.session_state.get(AREA_KEY):
        st.button(
            "New incident (clear the place)",
            key="new_incident",
            on_click=_clear_incident,
        )

if lat is None or lon is None:  # no incident yet: nothing to list or notify
    for param in POINT_PARAMS:
        if param in st.query_params:
            del st.query_params[param]
    st.session_state.pop(KEEP_KEY, None)
    st.stop()
st.session_state.pop(REFUSED_KEY, None)  # a place was given
st.session_state[KEEP_KEY] = (float(lat), float(lon))
wanted = {"lat": f"{float(lat):.6f}", "lon": f"{float(lon):.6f}"}
if {p: st.query_params.get(p) for p in POINT_PARAMS} != wanted:
    st.query_params.update(wanted)  # the link reopens this incident

at = min(datetime.combine(day, hour), now)
result = _run_canvass(float(lat), float(lon), float(radius), int(nearest), at)
store = audit_store(city)
looked = record_once(  # before the list is shown: no record, no list
    audit.look_key(
        audit.CANVASS_ACTION,
        lat=float(lat),
        lon=float(lon),
        radius=float(radius),
        nearest=int(nearest),
        at=at,
        audience=role,
        case=case,
        user=viewer.audit_name,
    ),
    lambda: audit.record_canvass_look(
        store, result, user=viewer.audit_name, role=viewer.role, case_number=case
    ),
)

# --- the call list ----------------------------------------------------------------
st.subheader("Cameras to check, nearest first")
within = result[result["within_radius"]]
m1, m2, m3, m4 = st.columns(4)
m1.metric(f"Camera sites within {radius:g} m", f"{int(within['sites'].sum()):,}")
m2.metric("View now (integrated)", f"{int((within['tier'] == 'integrated').sum()):,}")
m3.metric("Incident in view", f"{int(within['in_view'].fillna(False).sum()):,}")
m4.metric(
    "Footage likely kept", f"{int(within['footage_available'].fillna(False).sum()):,}"
)
st.caption(
    f"Incident {at:%d %b %Y %H:%M}; footage judged against {now:%d %b %Y %H:%M}. "
    "'In view' is blank when the camera's direction is not registered; 'footage "
    "likely kept' is blank when its retention is unknown. Withdrawn cameras never "
    "appear."
    + (
        ""
        if role == "investigator"
        else " Owner names and contacts: investigators. Residential cameras are "
        "counted per distance band (about ±60 m), never listed one by one."
    )
)
table = format_table(
    result[[c for c in TABLE_COLUMNS if c in result.columns]],
    TABLE_FORMATS,
    rename=TABLE_COLUMNS,
)
table.attrs = {}  # the query metadata is shown above, not serialised
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    # on a phone the list scrolls sideways inside its frame: the camera stays
    column_config={TABLE_COLUMNS["camera_id"]: st.column_config.Column(pinned=True)},
)

st.caption(
    f"Recorded in the audit log as {escape_markdown(viewer.audit_name)} (event "
    f"{looked}): who, "
    "when, where, the radius, the cameras listed and the case."
)
note_col, button_col = st.columns([2, 3])
note = note_col.text_input("Note for the audit log (optional)", key="canvass_note")
with button_col:
    b1, b2 = st.columns(2)
    b1.download_button(
        "Download call list (CSV)",
        data=to_safe_csv(result),
        file_name=f"canvass_{_file_part(case_number)}.csv",
        mime="text/csv",
        key="download_canvass",
    )
    if b2.button(
        "Add note",
        key="record_canvass",
        disabled=not note.strip(),
        help="The canvass is already in the audit log; a note says why it was run.",
    ):
        event = audit.record_note(store, looked, note, user=viewer.audit_name)
        st.success(f"Note added to the audit log (event {event}).")
    if not note.strip():  # the reason beside the greyed button, not in a tooltip
        b2.caption("Write a note first to add it.")

if audit.needs_case(viewer.role):  # investigators; staff never see requests
    request_section(
        result,
        store,
        role=role,
        case=case,
        user=viewer.audit_name,
        at=at,
        demo_cameras=ds.cameras if ds.synthetic else None,  # no store holds them
    )

# --- area notification ------------------------------------------------------------
st.subheader("Notify owners in the area")
area_kind = st.radio(
    "Area",
    list(AREA_KINDS),
    format_func=AREA_KINDS.get,
    horizontal=True,
    key="notify_area",
    help="A circle around the incident, or any shape you draw on the map below "
    "(a street, a block, a park).",
)
if area_kind == "circle":
    notify_radius = st.slider(
        "Notification radius (m)",
        min_value=RADIUS_MIN_M,
        max_value=RADIUS_MAX_M * 3,
        step=RADIUS_STEP_M,
        value=int(city.canvass_radius_m),
        key="notify_radius_m",
    )
    area = (float(lat), float(lon), notify_radius)
    area_text = f"within {notify_radius:g} m of the incident"
else:
    drawn = st_folium(
        _drawing_map(float(lat), float(lon), result, st.session_state.get(AREA_KEY)),
        key="notify_map",
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
    shape = (drawn or {}).get("last_active_drawing")
    if _new("notify_map", shape):  # a new shape replaces the one in use
        st.session_state[AREA_KEY] = shape
    area = st.session_state.get(AREA_KEY)
    area_text = "inside the drawn shape"
    if not area:
        st.info(
            "Draw a polygon or a rectangle with the tools at the top left of the "
            "map; the owners inside it are listed here."
        )
        st.stop()
try:
    notice = area_notification(index, area, role=role)
except ValueError as exc:
    st.error(f"That area cannot be used: {exc}. Draw a polygon or a rectangle.")
    st.stop()
circle = area if area_kind == "circle" else None
notified = record_once(
    audit.look_key(
        audit.NOTIFY_ACTION,
        area=str(area),
        audience=role,
        case=case,
        user=viewer.audit_name,
    ),
    lambda: audit.record_notification_look(
        store,
        notice,
        user=viewer.audit_name,
        role=viewer.role,
        case_number=case,
        circle=circle,
    ),
)
n1, n2, n3 = st.columns(3)
n1.metric("Owners to notify", f"{notice.preview['owners']:,}")
n2.metric("Sites", f"{notice.preview['sites']:,}")
n3.metric("Cameras", f"{notice.preview['cameras']:,}")
st.caption(
    f"Every active registration (registered and integrated) {area_text}; an "
    "owner with several sites is counted once. "
    + (
        "The export carries names and contacts for the mass-notification system."
        if role == "investigator"
        else "The export lists owners by reference only: contacts are released to "
        "investigators. Counts are rounded to the nearest "
        f"{notice.preview['rounded_to']} (investigators see exact counts): two "
        "areas a house apart must not show whether a home is registered between "
        "them."
    )
)
st.caption(
    f"Recorded in the audit log as {escape_markdown(viewer.audit_name)} (event "
    f"{notified})."
)
st.download_button(
    "Download notification list (CSV)",
    data=to_safe_csv(notice.recipients),
    file_name=f"notify_{_file_part(case_number)}.csv",
    mime="text/csv",
    key="download_notify",
)

# --- area notice: compose, preview, send (ui/notify.py) -----------------------------
notice_section(
    index,
    ds.cameras,
    city,
    area=area,
    area_text=area_text,
    role=role,
    at=at,
    case_number=case or "",
    user=viewer.audit_name,
)
