"""Footage requests from the Incident canvass page: one block, kept out of the page.

An investigator with a case number chooses cameras of the call list and creates
one request per camera (``analytics.footage_store.FootageStore.add``, which
refuses withdrawn or unknown cameras and writes the audit log). The case's
requests are listed below. The page calls this only for roles that need a case
to see contacts; staff never see it.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.footage import (
    KIND_LABELS,
    KINDS_BY_TIER,
    STATUS_LABELS,
    RequestError,
    check_camera_requestable,
)
from analytics.footage_store import FootageStore
from analytics.safe_output import escape_markdown
from analytics.store import RegistryStore, StoreError

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
    """
    st.subheader("Request footage")
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
    footage = FootageStore(store)
    if pressed and not reason and case is not None:
        try:
            # checked first so a withdrawn camera refuses the whole choice
            for camera_id in chosen:
                check_camera_requestable(store.camera_record(camera_id), camera_id)
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
