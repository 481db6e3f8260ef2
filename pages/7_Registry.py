"""Registry: the data steward's page.

Upload a registry export and read its validation report, import the accepted rows
into the registry store, record a withdrawal of consent, and read the audit log.
All the work is done by ``analytics.loaders`` and ``analytics.store``; this page
only lays out widgets.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.audit import (
    RECORD_ACTION,
    look_key,
    record_camera_record_look,
    summarise_looks,
)
from analytics.config import ConfigError, load_city
from analytics.loaders import LoadError, LoadResult, load_cameras
from analytics.privacy import redact_table
from analytics.safe_output import escape_markdown, to_safe_csv
from analytics.store import RegistryStore, StoreError, default_store_path
from ui.audit import record_once
from ui.data import get_dataset, source_banner
from ui.notify import steward_section
from ui.role import current_viewer
from ui.sidebar import render_sidebar

UPLOAD_TYPES = ["csv", "geojson", "json", "gpkg", "parquet"]
PREVIEW_ROWS = 20
AUDIT_ROWS = 500
BAR_HEIGHT_BASE = 80  # px: axis and padding of the quarantine chart
BAR_HEIGHT_PER_REASON = 32
RECORD_FIELDS = (
    "camera_id",
    "status",
    "withdrawn_at",
    "tier",
    "owner_type",
    "camera_count",
    "registered_at",
    "address",
    "owner_name",
    "contact_phone",
    "contact_email",
)
MESSAGE_KEY = "registry_message"


# --- cached work -------------------------------------------------------------------
@st.cache_data(max_entries=4, show_spinner="Validating the export...")
def validate_upload(data: bytes, name: str, city_source: str) -> LoadResult:
    """Loader validation of an uploaded file, keyed on its bytes and name."""
    return load_cameras(data, load_city(city_source), name=name)


# --- helpers -----------------------------------------------------------------------
def code(text: object) -> str:
    """Registry text as inline code in a message, so Markdown in it stays text."""
    return "`" + str(text).replace("`", "'").replace("\n", " ") + "`"


def steward() -> str:
    return str(st.session_state.get("registry_user") or "").strip()


def say(kind: str, text: str) -> None:
    """Keep a message for the next run (callbacks run before the page is drawn)."""
    st.session_state[MESSAGE_KEY] = (kind, text)


def show_message() -> None:
    kind, text = st.session_state.pop(MESSAGE_KEY, (None, None))
    if kind == "success":
        st.success(text)
    elif kind == "error":
        st.error(text)


def missing_inputs(fields: dict[str, str], confirm_key: str) -> list[str]:
    state = st.session_state
    missing = [
        label for key, label in fields.items() if not str(state.get(key) or "").strip()
    ]
    if not steward():
        missing.insert(0, "your name (top of the page)")
    if not state.get(confirm_key):
        missing.append("the confirmation tick")
    return missing


def withdraw_clicked(path: str) -> None:
    state = st.session_state
    missing = missing_inputs(
        {
            "registry_withdraw_id": "the camera id",
            "registry_withdraw_reason": "a reason",
        },
        "registry_withdraw_confirm",
    )
    if missing:
        say("error", "Nothing was changed: please give " + ", ".join(missing) + ".")
        return
    camera_id = state["registry_withdraw_id"].strip()
    on = state.get("registry_withdraw_date") or date.today()
    try:
        event = RegistryStore(path).withdraw(
            camera_id,
            reason=state["registry_withdraw_reason"],
            user=steward(),
            at=on,
        )
    except (StoreError, sqlite3.Error) as exc:
        say("error", f"Nothing was changed: {exc}.")
        return
    get_dataset.clear()  # other pages must stop counting the camera
    state["registry_withdraw_confirm"] = False
    state["registry_withdraw_reason"] = ""
    say(
        "success",
        f"Camera {code(camera_id)} withdrawn as of {on:%d %b %Y} (audit event "
        f"#{event}). It is kept for the record and left out of analytics and "
        "canvass lists.",
    )


def reactivate_clicked(path: str) -> None:
    state = st.session_state
    missing = missing_inputs(
        {
            "registry_reactivate_id": "the camera id",
            "registry_reactivate_reason": "a reason",
        },
        "registry_reactivate_confirm",
    )
    if missing:
        say("error", "Nothing was changed: please give " + ", ".join(missing) + ".")
        return
    camera_id = state["registry_reactivate_id"].strip()
    try:
        event = RegistryStore(path).reactivate(
            camera_id, reason=state["registry_reactivate_reason"], user=steward()
        )
    except (StoreError, sqlite3.Error) as exc:
        say("error", f"Nothing was changed: {exc}.")
        return
    get_dataset.clear()
    state["registry_reactivate_confirm"] = False
    state["registry_reactivate_reason"] = ""
    say("success", f"Camera {code(camera_id)} is active again (audit event #{event}).")


# --- page --------------------------------------------------------------------------
st.set_page_config(
    page_title="Registry · Camera registry dashboard",
    page_icon=":material/database:",
    layout="wide",
)
st.title("Registry")
st.caption(
    "For data stewards: validate and import registry exports, record withdrawals "
    "of consent, and read the audit log of every change."
)

ds = None
try:
    ds = get_dataset()
except ConfigError as exc:
    st.error(
        f"The city configuration could not be read: {exc}. Fix the file in "
        "`data/cities/` or unset `CAMREG_CITY` to use Little Rock."
    )
    st.stop()
except (ValueError, OSError) as exc:  # LoadError is a ValueError
    # the store must stay manageable while the rest of the data is being set up
    st.warning(
        f"The dashboard's dataset could not be loaded: {exc}. The registry store "
        "can still be managed on this page."
    )
city = ds.city if ds is not None else load_city()
# sign-in at the top of the sidebar
viewer = current_viewer(city, synthetic=ds is not None and ds.synthetic)
role = viewer.audience
if ds is not None:
    source_banner(ds)
    render_sidebar(ds, show=())  # no filter applies to the registry
if role == "public":
    st.warning(
        "The registry holds private camera locations and owner contacts. Sign in "
        "as staff or investigator (in the sidebar) to manage it."
    )
    st.stop()

store_path = default_store_path(city)
try:
    store = RegistryStore(store_path)
except (StoreError, sqlite3.Error, OSError) as exc:
    st.error(
        f"The registry store could not be opened: {exc}. Set `CAMREG_REGISTRY_DB` "
        "(or `[data].registry_db` in the city file) to a registry database, or to "
        "a new file name to start an empty one."
    )
    st.stop()

overview = st.container()
if viewer.name:  # signed in: the audit log names the account, not a typed name
    st.session_state["registry_user"] = viewer.name
    st.caption(
        f"Changes are recorded in the audit log as **{escape_markdown(viewer.name)}**."
    )
else:
    st.text_input(
        "Your name (recorded in the audit log with every change)",
        key="registry_user",
        placeholder="e.g. J. Smith, records unit",
    )
import_tab, withdraw_tab, audit_tab = st.tabs(
    ["Import an export", "Withdraw or reactivate", "Audit log"]
)

with import_tab:
    upload = st.file_uploader(
        "Registry export",
        type=UPLOAD_TYPES,
        key="registry_upload",
        help="One row per registration with latitude/longitude (or a location "
        "column), as CSV, GeoJSON, GeoPackage or Parquet. Rows that cannot be "
        "used are quarantined, never imported.",
    )
    if upload is None:
        st.caption(
            "Upload an export to see its validation report before anything is "
            "written. Importing updates cameras by `camera_id`; cameras missing "
            "from the file are left as they are."
        )
    else:
        result = None
        try:
            result = validate_upload(upload.getvalue(), upload.name, str(city.source))
        except LoadError as exc:
            st.error(
                f"{code(upload.name)} cannot be used: {exc}. Export the registry "
                "again as CSV (a header row, then one row per camera with latitude "
                "and longitude), GeoJSON, GeoPackage or Parquet, and upload that."
            )
        if result is not None:
            read, accepted, quarantined = st.columns(3)
            read.metric("Rows read", f"{result.rows_read:,}")
            accepted.metric("Accepted", f"{len(result.accepted):,}")
            quarantined.metric("Quarantined", f"{len(result.quarantined):,}")
            for note in result.notes:  # e.g. the whole file lies in another city
                st.warning(note)
            for warning in result.warnings:
                st.caption(f"Fixed while loading: {warning}")
            if result.reasons:
                reasons = pd.DataFrame(
                    {
                        "reason": list(result.reasons),
                        "rows": list(result.reasons.values()),
                    }
                )
                st.subheader("Quarantined rows by reason")
                st.bar_chart(
                    reasons,
                    x="reason",
                    y="rows",
                    horizontal=True,
                    height=BAR_HEIGHT_BASE + BAR_HEIGHT_PER_REASON * len(reasons),
                )
                st.dataframe(reasons, hide_index=True)
                st.download_button(
                    "Download the quarantined rows (CSV)",
                    to_safe_csv(result.quarantined, synthetic=result.synthetic),
                    file_name=f"{Path(upload.name).stem}_quarantine.csv",
                    mime="text/csv",
                    key="registry_quarantine_download",
                    help="Rows from your file that were not imported, with the row "
                    "number and the reason; fix them and upload again.",
                )
            if len(result.accepted):
                with st.expander(f"First {PREVIEW_ROWS} accepted rows"):
                    preview = pd.DataFrame(
                        result.accepted.drop(columns="geometry").head(PREVIEW_ROWS)
                    )
                    st.dataframe(redact_table(preview, role), hide_index=True)
            st.text_input(
                "Why (optional, recorded in the audit log)",
                key="registry_import_reason",
                placeholder="e.g. monthly export from the registration portal",
            )
            if st.button(
                f"Import {len(result.accepted):,} accepted rows into the store",
                key="registry_import",
                type="primary",
                disabled=not len(result.accepted),
            ):
                if not steward():
                    st.error(
                        "Nothing was imported: enter your name at the top of the "
                        "page first; every change is recorded with who made it."
                    )
                else:
                    try:
                        with st.spinner("Importing into the registry store..."):
                            summary = store.import_cameras(
                                result.accepted,
                                source=upload.name,
                                user=steward(),
                                reason=st.session_state.get("registry_import_reason")
                                or "",
                            )
                    except (StoreError, sqlite3.Error) as exc:
                        st.error(
                            f"Nothing was imported (the store is unchanged): {exc}."
                        )
                    else:
                        get_dataset.clear()  # other pages reload from the store
                        st.success(
                            f"Import #{summary.import_id} of {code(upload.name)}: "
                            f"{summary.inserted:,} inserted, {summary.updated:,} "
                            f"updated, {summary.unchanged:,} unchanged, "
                            f"{summary.withdrawn:,} withdrawn."
                        )
                        if summary.kept_withdrawn:
                            st.info(
                                f"{len(summary.kept_withdrawn):,} camera(s) in the "
                                "file are withdrawn in the store and were kept "
                                "withdrawn: only the owner registering again "
                                "reactivates a camera (Withdraw or reactivate tab). "
                                "Their ids are in the audit log's import event."
                            )

with withdraw_tab:
    # inside the tab: an element added above the tabs would re-create them and
    # send the browser back to the first tab
    show_message()
    st.text_input("Camera id", key="registry_withdraw_id")
    wanted = str(st.session_state.get("registry_withdraw_id") or "").strip()
    if wanted:
        record = store.camera_record(wanted)
        if record is None:
            st.warning(f"No camera {code(wanted)} in the store.")
        else:
            shown = pd.DataFrame([{k: record.get(k) for k in RECORD_FIELDS}])
            # contacts here for the data steward (admin) only, and recorded;
            # investigators see them on the canvass page, for a case
            seen_as = "investigator" if viewer.role == "admin" else "staff"
            record_once(
                look_key(RECORD_ACTION, camera=wanted, user=viewer.audit_name),
                lambda: record_camera_record_look(
                    store,
                    wanted,
                    user=viewer.audit_name,
                    role=viewer.role,
                    audience=seen_as,
                ),
            )
            st.dataframe(redact_table(shown, seen_as), hide_index=True)
    st.text_input(
        "Reason",
        key="registry_withdraw_reason",
        placeholder="e.g. owner asked by phone on 3 March",
    )
    st.date_input(
        "Consent withdrawn on",
        key="registry_withdraw_date",
        value=date.today(),
        max_value=date.today(),
        format="YYYY-MM-DD",
    )
    st.checkbox(
        "I confirm the owner withdrew consent for this camera",
        key="registry_withdraw_confirm",
    )
    st.button(
        "Withdraw camera",
        key="registry_withdraw",
        on_click=withdraw_clicked,
        args=(str(store.path),),
        help="The camera is kept for the record, marked withdrawn, and left out of "
        "analytics and canvass lists. Imports never reactivate it.",
    )
    with st.expander("Reactivate a camera whose owner registered again"):
        st.text_input("Camera id", key="registry_reactivate_id")
        st.text_input(
            "Reason",
            key="registry_reactivate_reason",
            placeholder="e.g. owner re-registered online on 12 June",
        )
        st.checkbox(
            "I confirm the owner registered this camera again",
            key="registry_reactivate_confirm",
        )
        st.button(
            "Reactivate camera",
            key="registry_reactivate",
            on_click=reactivate_clicked,
            args=(str(store.path),),
        )

with audit_tab:
    left, right = st.columns(2)
    left.text_input("Camera id", key="registry_audit_camera", placeholder="all cameras")
    right.multiselect(
        "Actions", store.actions(), key="registry_audit_actions", placeholder="all"
    )
    camera_filter = str(st.session_state.get("registry_audit_camera") or "").strip()
    action_filter = st.session_state.get("registry_audit_actions") or None
    audit = summarise_looks(  # where investigators looked stays theirs
        store.audit_table(
            role,
            camera_id=camera_filter or None,
            action=action_filter,
            limit=AUDIT_ROWS,
        ),
        role,
    )
    st.caption(
        f"Newest first, up to {AUDIT_ROWS} events. Times are UTC. Owner contacts"
        + ("" if role == "investigator" else " and residential locations")
        + " are hidden for your role."
    )
    st.dataframe(
        audit,
        hide_index=True,
        column_config={
            "what": st.column_config.TextColumn("what changed", width="large"),
            "recorded_at": st.column_config.TextColumn("recorded (UTC)"),
        },
    )
    st.download_button(
        "Download this table (CSV)",
        to_safe_csv(audit),
        file_name="registry_audit.csv",
        mime="text/csv",
        key="registry_audit_download",
    )

with overview:
    counts = store.counts()
    active, withdrawn = st.columns(2)
    active.metric("Active cameras in the store", f"{counts['active']:,}")
    withdrawn.metric("Withdrawn (kept for the record)", f"{counts['withdrawn']:,}")
    st.caption(f"Registry store in use: `{store.path}`")
    reads_store = (
        ds is not None and not ds.synthetic and ds.label.startswith("registry")
    )
    if not reads_store:
        st.caption(
            "The other pages do not read this store yet: set `CAMREG_REGISTRY_DB` "
            "to it (with `CAMREG_INCIDENTS` for the crime data) to analyse it."
        )

# --- area notices: bounced contacts and opt-outs (ui/notify.py) --------------------
steward_section(store, user=steward())
