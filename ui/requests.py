"""Footage requests on the pages: request from a canvass, record what came back.

An investigator with a case number chooses cameras of the call list and creates
one request per camera (``analytics.footage_store.FootageStore.add``, which
refuses withdrawn or unknown cameras and writes the audit log). The case's
requests are listed below. The page calls this only for roles that need a case
to see contacts; staff never see it.

On the synthetic demo the cameras are in no registry store, so requests go to a
temporary store of this browser session (:func:`demo_store`), labelled
synthetic, where the Requests and outcomes page records their answers too
(:func:`answer_section`).
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.datasets import Dataset
from analytics.footage import (
    FINAL_STATUSES,
    KIND_LABELS,
    KINDS_BY_TIER,
    STATUS_LABELS,
    USEFUL_VALUES,
    RequestError,
    check_camera_requestable,
)
from analytics.footage_store import FootageStore
from analytics.formatting import format_table
from analytics.safe_output import escape_markdown
from analytics.store import RegistryStore, StoreError, configured_store

DEMO_STORE_KEY = "_demo_requests_store"
DEMO_NOTE = (
    "Synthetic demo: the demo's cameras are in no registry store, so requests "
    "made here go to a temporary store kept for this browser session only. "
    "Nobody is contacted. Record their answers on the Requests and outcomes page."
)
FLASH_KEY = "_answer_recorded"
USEFUL_LABELS = {"yes": "helped", "no": "did not help", "unknown": "not yet known"}

SHOWN = {
    "request_id": "Request",
    "camera_id": "Camera",
    "kind": "Kind",
    "status": "Status",
}


def request_section(
    result: pd.DataFrame,
    store: RegistryStore,
    *,
    role: str,
    case: str | None,
    user: str,
    at: datetime,
    demo_cameras: pd.DataFrame | None = None,
) -> None:
    """Choose cameras of the canvass list and request their footage for ``case``.

    Parameters
    ----------
    result
        The canvass list as shown (``analytics.canvass.canvass``); only rows with
        a camera id and a known tier can be chosen.
    store
        The registry store the page records in; requests are kept beside it.
    role
        The viewer's audience for this look: requests need ``"investigator"``.
    case
        The case number, or None when none (or an unusable one) was entered.
    user
        The person, as written to the audit log.
    at
        The incident time, kept with each request.
    demo_cameras
        The synthetic demo's cameras: requests go to this session's demo store
        (:func:`demo_store`) and are checked against these cameras.
    """
    st.subheader("Request footage")
    if demo_cameras is not None:
        st.info(DEMO_NOTE)
        store = demo_store()
    footage = FootageStore(store, cameras=demo_cameras)
    listed = result[
        result["camera_id"].notna() & result["tier"].isin(list(KINDS_BY_TIER))
    ]
    tiers = dict(zip(listed["camera_id"].astype(str), listed["tier"], strict=True))
    chosen = st.multiselect(
        "Cameras to request",
        list(tiers),
        key="request_cameras",
        help="One request per camera, under the case number. Registered cameras: "
        "ask the owner. Integrated cameras: say whether you viewed it live or "
        "saved a clip.",
    )
    kind = "viewed_live"
    if any(tiers[c] == "integrated" for c in chosen):
        kind = st.radio(
            "Integrated cameras",
            list(KINDS_BY_TIER["integrated"]),
            format_func=KIND_LABELS.get,
            horizontal=True,
            key="request_kind",
        )
    reason = (
        "Enter the case number above to request footage."
        if role != "investigator" or case is None
        else "Choose at least one camera."
        if not chosen
        else ""
    )
    b_col, why_col = st.columns([1, 3])
    pressed = b_col.button(
        "Request footage", key="request_footage", type="primary", disabled=bool(reason)
    )
    if reason:
        why_col.caption(reason)
    if pressed and not reason and case is not None:
        try:
            # checked first so a withdrawn camera refuses the whole choice
            for camera_id in chosen:
                check_camera_requestable(footage.camera_record(camera_id), camera_id)
            ids = []
            for tier in KINDS_BY_TIER:  # one call (one audit entry) per tier
                cameras = [c for c in chosen if tiers[c] == tier]
                if cameras:
                    ids += footage.add(
                        case,
                        cameras,
                        user=user,
                        kind=kind if tier == "integrated" else None,
                        incident_at=at,
                    )
        except (RequestError, StoreError, ValueError) as exc:
            st.error(f"No request created: {exc}")
        else:
            st.success(
                f"Requests {', '.join(str(i) for i in ids)} created for case "
                f"{escape_markdown(case)} and recorded in the audit log."
            )
    if case is None:
        return
    existing = footage.requests(case)
    if existing.empty:
        st.caption(f"No footage request yet for case {escape_markdown(case)}.")
        return
    table = existing[list(SHOWN)].assign(
        kind=existing["kind"].map(KIND_LABELS).fillna(existing["kind"]),
        status=existing["status"].map(STATUS_LABELS).fillna(existing["status"]),
    )
    st.caption(f"Requests for case {escape_markdown(case)}")
    st.dataframe(table.rename(columns=SHOWN), hide_index=True, width="stretch")


def demo_store() -> RegistryStore:
    """This browser session's store for requests on the synthetic demo's cameras.

    A new SQLite file in a temporary folder on first use, the same one for the
    rest of the session (every page), so a request made on the canvass page can
    be answered on the Requests and outcomes page. Nothing real is in it.
    """
    path = st.session_state.get(DEMO_STORE_KEY)
    if path is None or not Path(path).exists():
        folder = tempfile.mkdtemp(prefix="camreg-demo-requests-")
        path = str(Path(folder) / "demo_requests.sqlite")
        st.session_state[DEMO_STORE_KEY] = path
    return RegistryStore.init(path)


def page_footage(dataset: Dataset) -> FootageStore | None:
    """Where the pages record requests for ``dataset``: this session's demo
    store for the synthetic demo, else the configured registry store (None when
    there is none)."""
    if dataset.synthetic:
        return FootageStore(demo_store(), cameras=dataset.cameras)
    target = configured_store(dataset.city)
    if not target:
        return None
    return FootageStore(RegistryStore(target))


def answer_section(footage: FootageStore, *, user: str, demo: bool) -> None:
    """Record what came back for a request, and whether a case was cleared.

    For investigators (the page checks). Every change goes through the store's
    status machine (a final status is corrected only with a reason) and into the
    audit log. ``demo``: the store is this session's demo store (labelled so).
    """
    st.subheader("Your demo requests" if demo else "Record an answer")
    if demo:
        st.caption(
            "Synthetic demo: the requests you made on the Incident canvass page in "
            "this browser session, kept in a temporary store and not counted in "
            "the figures above (those come from the demo's made-up history)."
        )
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    requests = footage.requests()
    if requests.empty:
        st.caption(
            "No request yet: choose cameras under 'Request footage' on the "
            "Incident canvass page, with a case number."
        )
        return
    shown = requests[
        ["request_id", "case_id", "camera_id", "kind", "status", "status_at", "useful"]
    ].assign(
        kind=requests["kind"].map(KIND_LABELS).fillna(requests["kind"]),
        status=requests["status"].map(STATUS_LABELS).fillna(requests["status"]),
        useful=requests["useful"].map(USEFUL_LABELS).fillna(requests["useful"]),
    )
    st.dataframe(
        format_table(
            shown,
            {"request_id": "text", "status_at": "timestamp"},
            rename={
                "request_id": "Request",
                "case_id": "Case",
                "camera_id": "Camera",
                "kind": "Kind",
                "status": "Status",
                "status_at": "Status since",
                "useful": "Footage helped",
            },
        ),
        hide_index=True,
        width="stretch",
    )
    labels = {
        int(r.request_id): f"{r.request_id}: {r.camera_id}, case {r.case_id}"
        for r in requests.itertuples(index=False)
    }
    left, right = st.columns(2)
    with left:
        request_id = st.selectbox(
            "Request", list(labels), format_func=labels.get, key="answer_request"
        )
        current = requests.set_index("request_id").loc[request_id]
        status = st.selectbox(
            "What came back",
            list(FINAL_STATUSES),
            format_func=STATUS_LABELS.get,
            key="answer_status",
        )
        useful = st.radio(
            "Did the footage help?",
            list(USEFUL_VALUES),
            index=list(USEFUL_VALUES).index("unknown"),
            format_func=USEFUL_LABELS.get,
            horizontal=True,
            key="answer_useful",
            disabled=status != "provided",
            help="Only provided footage can help.",
        )
        final = current["status"] in FINAL_STATUSES
        reason = st.text_input(
            "Why the correction" if final else "Note (optional)",
            key="answer_reason",
            help="A request that already has a final status is corrected only "
            "with a reason, kept in the audit log.",
        )
        if st.button("Record answer", key="record_answer", type="primary"):
            same = status == current["status"]
            try:
                result = footage.update(
                    request_id,
                    user=user,
                    status=None if same else status,
                    useful=useful if status == "provided" else None,
                    reason=reason.strip() or None,
                )
            except (RequestError, StoreError, ValueError) as exc:
                st.error(f"Not recorded: {exc}")
            else:  # again from the top, so the figures above count it
                st.session_state[FLASH_KEY] = (
                    f"Request {result['request_id']}: "
                    f"{STATUS_LABELS.get(result['from'], result['from'])} -> "
                    f"{STATUS_LABELS.get(result['status'], result['status'])}; "
                    "recorded in the audit log."
                )
                st.rerun()
    with right:
        cases = sorted(requests["case_id"].astype(str).unique())
        case = st.selectbox("Case", cases, key="outcome_case")
        cleared = st.radio(
            "Case cleared?",
            ("no", "yes"),
            horizontal=True,
            key="outcome_cleared",
        )
        on = st.date_input(
            "Cleared on",
            value=date.today(),
            key="outcome_on",
            disabled=cleared != "yes",
        )
        if st.button("Record outcome", key="record_outcome"):
            try:
                footage.set_outcome(case, cleared=cleared == "yes", user=user, on=on)
            except (RequestError, StoreError, ValueError) as exc:
                st.error(f"Not recorded: {exc}")
            else:
                st.session_state[FLASH_KEY] = (
                    f"Case {escape_markdown(case)}: "
                    f"{'cleared' if cleared == 'yes' else 'not cleared'}; recorded "
                    "in the audit log."
                )
                st.rerun()
