"""Registry: the data steward's page.

Browse the registry store (searchable, paged, redacted for the viewer's role),
upload a registry export and read its validation report and the preview of what
importing it would change, apply the import, record a withdrawal of consent, and
read the audit log. All the work is done by ``analytics.loaders``,
``analytics.import_plan`` and ``analytics.store``; this page only lays out
widgets.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.audit import (
    RECORD_ACTION,
    look_key,
    record_camera_record_look,
)
from analytics.audit_text import describe_audit
from analytics.config import ConfigError, load_city
from analytics.figures import label
from analytics.loaders import LoadError, LoadResult, load_cameras
from analytics.privacy import redact_table
from analytics.safe_output import escape_markdown, to_safe_csv
from analytics.schema import OWNER_TYPES, STATUSES, TIERS
from analytics.store import (
    RegistryStore,
    StoreError,
    configured_store,
    default_store_path,
)
from ui.audit import record_once
from ui.data import get_dataset, source_banner
from ui.exports import later
from ui.notify import steward_section
from ui.role import current_viewer
from ui.sidebar import render_sidebar

UPLOAD_TYPES = ["csv", "geojson", "json", "gpkg", "parquet"]
PREVIEW_ROWS = 20
AUDIT_ROWS = 500
BROWSE_PAGE_SIZE = 50
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
    return load_cameras(data, load_city(city_source), name=name, for_store=True)


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


def consent_clicked(path: str, action: str) -> None:
    """Withdraw (``action="withdraw"``) or reactivate a camera from the form's keys.

    Both forms hold ``registry_<action>_id``, ``_reason`` and ``_confirm``; a
    withdrawal also has its date. Nothing changes unless every field is given.
    """
    state = st.session_state
    key = f"registry_{action}"
    missing = missing_inputs(
        {f"{key}_id": "the camera id", f"{key}_reason": "a reason"},
        f"{key}_confirm",
    )
    if missing:
        say("error", "Nothing was changed: please give " + ", ".join(missing) + ".")
        return
    camera_id = state[f"{key}_id"].strip()
    reason = state[f"{key}_reason"]
    store = RegistryStore(path)
    try:
        if action == "withdraw":
            on = state.get(f"{key}_date") or date.today()
            event = store.withdraw(camera_id, reason=reason, user=steward(), at=on)
            done = (
                f"Camera {code(camera_id)} withdrawn as of {on:%d %b %Y} (audit event "
                f"#{event}). It is kept for the record and left out of analytics and "
                "canvass lists."
            )
        else:
            event = store.reactivate(camera_id, reason=reason, user=steward())
            done = f"Camera {code(camera_id)} is active again (audit event #{event})."
    except StoreError as exc:
        say("error", f"Nothing was changed: {exc}.")
        return
    get_dataset.clear()  # other pages must stop (or start again) counting the camera
    state[f"{key}_confirm"] = False
    state[f"{key}_reason"] = ""
    say("success", done)


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

store_target = default_store_path(city)
try:
    store = RegistryStore(store_target)
except (StoreError, OSError) as exc:
    st.error(
        f"The registry store could not be opened: {exc}. Set `CAMREG_REGISTRY_DB` "
        "(or `[data].registry_db` in the city file) to an SQLite file or a "
        "`postgresql://` URL of a registry; create a new store with "
        "`python -m analytics registry init --db ...`."
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
browse_tab, import_tab, withdraw_tab, audit_tab = st.tabs(
    ["Browse the store", "Import an export", "Withdraw or reactivate", "Audit log"]
)

with browse_tab:
    search_col, status_col, tier_col, owner_col = st.columns([3, 1, 1, 1])
    search_col.text_input(
        "Search",
        key="registry_browse_search",
        placeholder="camera id"
        + (", address, owner or contact" if role == "investigator" else " or address"),
        help="Matches only what your role may see: addresses of cameras whose "
        "location is hidden from you are not searched.",
    )
    status_col.selectbox("Status", ["all", *STATUSES], key="registry_browse_status")
    tier_col.selectbox("Tier", ["all", *TIERS], key="registry_browse_tier")
    owner_col.selectbox("Owner", ["all", *OWNER_TYPES], key="registry_browse_owner")
    state = st.session_state

    def chosen(key: str) -> str | None:
        value = state.get(key) or "all"
        return None if value == "all" else value

    filters = {
        "search": state.get("registry_browse_search") or "",
        "status": chosen("registry_browse_status"),
        "tier": chosen("registry_browse_tier"),
        "owner_type": chosen("registry_browse_owner"),
    }
    _, total = store.browse(role, **filters, page=1, page_size=1)
    pages = max(math.ceil(total / BROWSE_PAGE_SIZE), 1)
    page_number = st.number_input(
        f"Page (of {pages:,})",
        min_value=1,
        max_value=pages,
        value=min(int(state.get("registry_browse_page") or 1), pages),
        step=1,
    )
    state["registry_browse_page"] = int(page_number)
    rows, total = store.browse(
        role, **filters, page=int(page_number), page_size=BROWSE_PAGE_SIZE
    )
    first = (int(page_number) - 1) * BROWSE_PAGE_SIZE
    st.caption(
        f"{total:,} registration(s) match"
        + (f"; showing {first + 1:,}–{first + len(rows):,}" if len(rows) else "")
        + ". Owner contacts"
        + ("" if role == "investigator" else " and residential locations")
        + " are hidden for your role."
    )
    st.dataframe(rows, hide_index=True, key="registry_browse_table")

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
            plan = None
            if len(result.accepted):
                try:
                    plan = store.plan_import(result.accepted)
                except StoreError as exc:
                    st.error(f"These rows cannot be imported: {exc}.")
            if plan is not None:
                counts = plan.counts()
                st.subheader("What importing would change")
                new, updated, gone, same, kept = st.columns(5)
                new.metric("New", f"{counts['inserted']:,}")
                updated.metric("Updated", f"{counts['updated']:,}")
                gone.metric("Withdrawn by the file", f"{counts['withdrawn']:,}")
                same.metric("Unchanged", f"{counts['unchanged']:,}")
                kept.metric(
                    "Kept withdrawn",
                    f"{counts['kept_withdrawn']:,}",
                    help="Listed as active in the file, but their owners withdrew "
                    "consent: they stay withdrawn. Only the owner registering "
                    "again reactivates a camera.",
                )
                preview = plan.preview(role)
                if len(preview):
                    st.dataframe(
                        preview,
                        hide_index=True,
                        key="registry_import_preview",
                        column_config={
                            "what": st.column_config.TextColumn(
                                "what changes", width="large"
                            )
                        },
                    )
                st.text_input(
                    "Why (optional, recorded in the audit log)",
                    key="registry_import_reason",
                    placeholder="e.g. monthly export from the registration portal",
                )
                st.checkbox(
                    "I have reviewed these changes",
                    key="registry_import_confirm",
                    disabled=plan.is_empty,
                )
                if st.button(
                    f"Apply: {len(plan.changes):,} change(s) in one transaction"
                    if not plan.is_empty
                    else "Nothing to import: the store already has these rows",
                    key="registry_import",
                    type="primary",
                    disabled=plan.is_empty,
                ):
                    if not steward():
                        st.error(
                            "Nothing was imported: enter your name at the top of "
                            "the page first; every change is recorded with who "
                            "made it."
                        )
                    elif not st.session_state.get("registry_import_confirm"):
                        st.error(
                            'Nothing was imported: tick "I have reviewed these '
                            'changes" first.'
                        )
                    else:
                        try:
                            with st.spinner("Importing into the registry store..."):
                                summary = store.import_cameras(
                                    result.accepted,
                                    source=upload.name,
                                    user=steward(),
                                    reason=st.session_state.get(
                                        "registry_import_reason"
                                    )
                                    or "",
                                    expected=plan.digest(),
                                )
                        except StoreError as exc:
                            st.error(
                                f"Nothing was imported (the store is unchanged): {exc}"
                            )
                        else:
                            get_dataset.clear()  # other pages reload from the store
                            st.success(
                                f"Import #{summary.import_id} of "
                                f"{code(upload.name)}: {summary.inserted:,} "
                                f"inserted, {summary.updated:,} updated, "
                                f"{summary.unchanged:,} unchanged, "
                                f"{summary.withdrawn:,} withdrawn."
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
        on_click=consent_clicked,
        args=(store.target, "withdraw"),
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
            on_click=consent_clicked,
            args=(store.target, "reactivate"),
        )

with audit_tab:
    left, right = st.columns(2)
    left.text_input("Camera id", key="registry_audit_camera", placeholder="all cameras")
    right.multiselect(
        "Actions", store.actions(), key="registry_audit_actions", placeholder="all"
    )
    camera_filter = str(st.session_state.get("registry_audit_camera") or "").strip()
    action_filter = st.session_state.get("registry_audit_actions") or None
    audit = describe_audit(  # sentences; where investigators looked stays theirs
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
        later(to_safe_csv, audit),
        file_name="registry_audit.csv",
        mime="text/csv",
        key="registry_audit_download",
    )

with overview:
    totals = store.totals()
    cams, sites, withdrawn = st.columns(3)
    # the Overview's headline figure, under the same name, from the same rows
    cams.metric(
        label("active_cameras"),
        f"{totals['cameras']:,}",
        help="Active registered cameras in the store (the sum of each "
        "registration's camera count), as on the Overview.",
    )
    sites.metric(
        label("active_sites"), f"{totals['sites']:,}", help="Active registrations."
    )
    withdrawn.metric("Withdrawn (kept for the record)", f"{totals['withdrawn']:,}")
    engine = "PostgreSQL" if store.is_postgres else "SQLite"
    st.caption(f"Registry store in use: `{store.location}` ({engine})")
    reads_store = (
        ds is not None
        and not ds.synthetic
        and configured_store(city) is not None
        and ds.label.startswith("registry")
    )
    if not reads_store:
        st.caption(
            "The other pages show "
            + ("the demo data" if ds is None or ds.synthetic else "another source")
            + ", not this store: set `CAMREG_REGISTRY_DB` to it (with "
            "`CAMREG_INCIDENTS` for the crime data) so every page reads it."
        )

# --- area notices: bounced contacts and opt-outs (ui/notify.py) --------------------
steward_section(store, user=steward())
