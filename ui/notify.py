"""The "Send a notice" block of the Incident canvass page: compose, preview, send.

The page calls :func:`notice_section` with the area it already chose. Everything
shown here is counts, the notice's own text and delivery statuses: contacts are
read and used by ``analytics.notify`` only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analytics.canvass import CameraIndex
from analytics.config import CityConfig
from analytics.notify import (
    NoticeError,
    count_text,
    preview_notice,
    resume_notice,
    send_notice,
)
from analytics.notify_message import compose, notify_settings
from analytics.notify_store import delivery_table, notice_table, notify_engine
from analytics.notify_transport import SettingsError, configured_senders
from analytics.store import RegistryStore, StoreError, default_store_path
from ui.role import read_secrets

WINDOW_MINUTES = 30  # default window: half an hour either side of the incident
LAST_KEY = "_notice_last"
TEMPLATE_LABELS = {
    "check_camera": "Check your camera (incident type, time window, case)",
    "general": "Free message",
}
CHANNEL_NAMES = {"email": "e-mail (SMTP relay)", "sms": "text message (SMS provider)"}


def notice_section(
    index: CameraIndex,
    cameras: pd.DataFrame,
    city: CityConfig,
    *,
    area: Any,
    area_text: str,
    role: str,
    at: datetime,
    case_number: str,
    user: str,
) -> None:
    """Compose, preview and send an area notice for ``area``; show its deliveries."""
    st.markdown("#### Send a notice to these owners")
    settings = notify_settings(city)
    try:
        # a broken secrets file is already an error page (ui.role)
        secrets, _ = read_secrets()
        senders = configured_senders(secrets)
    except SettingsError as exc:
        st.error(f"Notice delivery is misconfigured: {exc}")
        senders = {}
    path = default_store_path(city)
    store = _store(path) if isinstance(path, str) or path.exists() else None

    names = sorted(settings.templates)
    c1, c2 = st.columns(2)
    template = c1.selectbox(
        "Template",
        names,
        index=names.index("check_camera") if "check_camera" in names else 0,
        key="notice_template",
        format_func=_template_label,
        help="Templates live in the city file ([notify.templates]).",
    )
    incident = c2.text_input(
        "Incident type", key="notice_incident", placeholder="e.g. burglary"
    )
    w1, w2, w3, w4 = st.columns(4)
    start_default = at - timedelta(minutes=WINDOW_MINUTES)
    end_default = at + timedelta(minutes=WINDOW_MINUTES)
    start = datetime.combine(
        w1.date_input("Window from", value=start_default.date(), key="notice_d0"),
        w2.time_input("at", value=start_default.time(), step=900, key="notice_t0"),
    )
    end = datetime.combine(
        w3.date_input("to", value=end_default.date(), key="notice_d1"),
        w4.time_input("at ", value=end_default.time(), step=900, key="notice_t1"),
    )
    message = ""
    if "$message" in settings.templates[template]["body"]:
        message = st.text_area("Message", key="notice_message", max_chars=2_000)

    try:
        counts = preview_notice(
            index,
            area,
            cameras=cameras,
            store=store,
            role=role,
            channels=tuple(senders) or ("email", "sms"),
        )
    except ValueError as exc:
        st.error(f"No preview for that area: {exc}")
        return
    _show_counts(counts, area_text)

    try:
        text = compose(
            settings,
            city,
            case_number=case_number or "[case number]",
            template=template,
            message=message or None,
            incident_type=incident,
            start=start,
            end=end,
        )
    except ValueError as exc:
        st.error(f"The message cannot be composed: {exc}")
        return
    with st.expander("Message as the owners will read it", expanded=False):
        st.text(f"Subject: {text.subject}\n\n{text.body}")
        st.caption("Text message version:")
        st.text(text.sms)

    if senders:
        st.caption(
            "Sends by "
            + " and ".join(CHANNEL_NAMES[c] for c in senders)
            + f", at most {settings.rate_per_minute} a minute. One message per "
            "owner; e-mail when the owner gave one, else a text message."
        )
    else:
        st.info(
            "Sending is off: no e-mail relay or SMS provider is configured. Set "
            "`[smtp]` (and `[sms]`) in `.streamlit/secrets.toml` or the "
            "`CAMREG_SMTP_*` / `CAMREG_SMS_*` environment variables "
            "(docs/privacy-and-canvass.md)."
        )
    limit = settings.max_owners_without_investigator
    too_many = role != "investigator" and counts["recipients"] > limit
    if too_many:
        st.warning(
            f"More than {limit} owners: a notice this large must be sent by an "
            "investigator."
        )
    confirmed = st.checkbox(
        "I have read the message; send it to every owner counted above",
        key="notice_confirm",
    )
    fingerprint = _fingerprint(area, case_number, text.subject, text.body)
    previous = st.session_state.get(LAST_KEY) or {}
    already = previous.get("fingerprint") == fingerprint
    if already:
        st.caption(
            f"This notice was sent ({previous['notice_id']}). Change the area or "
            "the message to send another one."
        )
    ready = (
        bool(senders and case_number.strip() and user.strip() and confirmed)
        and not too_many
        and not already
    )
    if st.button(
        "Send notice",
        key="send_notice",
        type="primary",
        disabled=not ready,
        help="Needs a case number, your name, a configured relay or provider and "
        "the confirmation above.",
    ) and _send(
        lambda: send_notice(
            index,
            area,
            cameras=cameras,
            city=city,
            store=_store(path),
            senders=senders,
            case_number=case_number,
            user=user,
            role=role,
            template=template,
            message=message or None,
            incident_type=incident,
            start=start,
            end=end,
            settings=settings,
        ),
        counts["recipients"],
        settings.rate_per_minute,
        fingerprint,
    ):
        st.rerun()  # redraw the button as sent
    last = st.session_state.get(LAST_KEY)
    if last:
        _show_result(last)
    if case_number.strip() and store is not None and senders and user.strip():
        # any interrupted notice of the case, from this session or another one
        notices = notice_table(notify_engine(store), case_number=case_number)
        for row in notices[notices["status"] == "interrupted"].itertuples():
            left = f" ({row.queued:,} still queued)" if role == "investigator" else ""
            if st.button(
                f"Resume notice {row.notice_id}{left}",
                key=f"resume_{row.notice_id}",
                help="Sends only the messages still queued; nobody gets it twice.",
            ) and _send(
                partial(
                    resume_notice,
                    str(row.notice_id),
                    city=city,
                    store=_store(path),
                    senders=senders,
                    user=user,
                    role=role,
                    settings=settings,
                ),
                int(row.queued),
                settings.rate_per_minute,
                (last or {}).get("fingerprint")
                if (last or {}).get("notice_id") == row.notice_id
                else None,
            ):
                st.rerun()
    if role == "investigator" and case_number.strip() and store is not None:
        table = delivery_table(notify_engine(store), case_number=case_number)
        if len(table):
            with st.expander(f"Deliveries for case {case_number}", expanded=False):
                st.dataframe(table, hide_index=True, width="stretch")


def _template_label(name: str) -> str:
    """``check_camera`` -> ``Check camera``; built-in ones say what they hold."""
    return TEMPLATE_LABELS.get(name) or name.replace("_", " ").capitalize()


def _store(path: Path) -> RegistryStore:
    return RegistryStore(path)


def _show_counts(counts: dict[str, Any], area_text: str) -> None:
    rounded = counts.get("rounded_to")
    m1, m2, m3 = st.columns(3)
    m1.metric("Owners a notice reaches", count_text(counts["recipients"], rounded))
    m2.metric("Integrated", f"{counts['by_tier'].get('integrated', 0):,}")
    m3.metric("Registered", f"{counts['by_tier'].get('registered', 0):,}")
    types = ", ".join(f"{k} {v:,}" for k, v in counts["by_owner_type"].items() if v)
    skipped = counts["skipped"]
    why = {
        "withdrawn": "withdrawn",
        "opted_out": "opted out of notices",
        "no_contact": "no e-mail or phone",
        "no_channel": "only reachable by a channel not configured",
    }
    skip_text = "; ".join(f"{v:,} {why[k]}" for k, v in skipped.items() if v)
    st.caption(
        f"Owners {area_text}, one message each however many cameras. "
        + (f"By owner type: {types}. " if types else "")
        + (f"Not contacted: {skip_text}. " if skip_text else "")
        + (
            f"Counts rounded to the nearest {rounded} (investigators see exact "
            "counts). "
            if rounded
            else ""
        )
        + "Who receives it is never shown."
    )


def _fingerprint(area: Any, case_number: str, subject: str, body: str) -> str:
    """Same area, case and text: the same notice (sent once per session)."""
    raw = json.dumps([area, case_number.strip(), subject, body], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _send(
    action: Callable[[], dict[str, Any]],
    count: int,
    rate: int,
    fingerprint: str | None,
) -> bool:
    """Run a send or resume under a spinner; False (and an error) if refused."""
    minutes = count / rate
    with st.spinner(
        f"Sending about {count:,} messages at up to {rate} a minute"
        + (f" (about {minutes:.0f} min)" if minutes >= 1 else "")
        + "..."
    ):
        try:
            result = action()
        except (NoticeError, PermissionError, ValueError, StoreError) as exc:
            st.error(f"Not sent: {exc}")
            return False
    st.session_state[LAST_KEY] = {**result, "fingerprint": fingerprint}
    return True


def _show_result(result: dict[str, Any]) -> None:
    step = result.get("rounded_to")
    rounded = f" (counts rounded to the nearest {step})" if step else ""
    exact = None if result.get("all_sent") else step  # all sent: 0 is exact
    text = (
        f"Notice {result['notice_id']}: sent {count_text(result['sent'], step)}, "
        f"failed {count_text(result['failed'], exact)}, still queued "
        f"{count_text(result['queued'], exact)}{rounded}."
    )
    if result.get("all_sent", result["status"] == "done" and not result["failed"]):
        st.success(text + " Recorded in the audit log.")
    else:
        st.warning(
            text + " Failed messages are listed in the case's deliveries; refused "
            "addresses go to the data steward to re-verify."
            + (" Resume to send the rest." if result["status"] == "interrupted" else "")
        )


def steward_section(store: RegistryStore, *, user: str) -> None:
    """For the Registry page: bounced contacts to re-verify, and opt-outs.

    Shows camera ids, channels and the servers' reasons; the address itself is
    in the camera's record. An opt-out recorded here is dated and honoured by
    every later notice.
    """
    from analytics.notify import record_opt_out
    from analytics.notify_store import opt_out_table, reverify_tasks

    engine = notify_engine(store)
    st.subheader("Area notices: contacts to re-verify and opt-outs")
    tasks = reverify_tasks(engine)
    if tasks.empty:
        st.caption("No e-mail address or phone number has been refused by the relay.")
    else:
        st.caption(
            f"{len(tasks):,} contact(s) refused by the relay or the SMS provider: "
            "check them with the owner and update the registration (look the "
            "camera up in the Withdraw or reactivate tab)."
        )
        st.dataframe(tasks, hide_index=True, width="stretch")
    with st.expander("Record that an owner wants no more notices"):
        st.text_input("Camera id", key="notice_optout_camera")
        st.text_input(
            "Reason",
            key="notice_optout_reason",
            placeholder="e.g. owner asked by phone on 3 March",
        )
        camera = str(st.session_state.get("notice_optout_camera") or "").strip()
        if st.button(
            "Record opt-out",
            key="notice_optout",
            disabled=not (camera and user.strip()),
            help="Needs the camera id and your name at the top of the page.",
        ):
            if not store.has_camera(camera):
                st.error(f"No camera `{camera}` in the store: nothing recorded.")
            else:
                opt_id = record_opt_out(
                    store,
                    user=user,
                    camera_id=camera,
                    method="steward",
                    reason=str(st.session_state.get("notice_optout_reason") or ""),
                )
                st.success(
                    f"Opt-out #{opt_id} recorded: later notices skip the owner of "
                    "this camera (all their cameras)."
                )
        table = opt_out_table(engine)
        if len(table):
            st.dataframe(table, hide_index=True, width="stretch")
