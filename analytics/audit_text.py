"""Audit log entries as sentences a person reads, instead of JSON and snake_case.

:func:`describe_event` turns one entry (its action and what the audit table
already shows of its details) into a sentence; :func:`describe_audit` does it
for a whole ``RegistryStore.audit_table`` / ``audit_log`` frame. Redaction stays
where it is (``RegistryStore.audit_table``): these functions only word what they
are given, and below ``investigator`` they also leave out the place of a look
(coordinates, area) and camera ids, which the stored details of a canvass hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from analytics.formatting import coord, day, timestamp

ARROW = "→"
# the withdrawal date in a withdraw event's changes ("withdrawn_at: - -> 2025-03-01")
WITHDRAWN_AT = re.compile(r"withdrawn_at: \S+ -> (\d{4}-\d{2}-\d{2})")
# actions whose details may hold where an investigator looked
PLACE_KEYS = ("lat", "lon", "area", "camera_ids", "camera_id")


def describe_event(
    action: str,
    details: str | Mapping[str, Any] | None,
    *,
    audience: str,
    camera_id: str | None = None,
    reason: str = "",
) -> str:
    """One audit entry as a sentence.

    Parameters
    ----------
    action
        The stored action (``canvass``, ``footage_request_update`` ...).
    details
        The entry's details as a dict or JSON text, or, for camera events, the
        readable changes ``audit_table`` shows (``tier: a -> b``).
    audience
        The reader's data audience; below ``investigator`` the place of a look
        and camera ids are never worded.
    camera_id, reason
        The entry's camera and reason, for camera events.

    >>> describe_event("sign_in_failed", '{"outcome": "bad_password"}',
    ...                audience="staff")
    'Sign-in failed (bad password)'
    >>> describe_event("withdraw", "", audience="staff", camera_id="CAM-000042",
    ...                reason="owner request")
    'Camera CAM-000042 withdrawn: owner request'
    """
    action = str(action or "").strip()
    data, text = _parse(details)
    if audience != "investigator":
        for key in PLACE_KEYS:
            if key != "camera_id" or action not in CAMERA_WORDS:
                data.pop(key, None)
    if action in CAMERA_WORDS:
        return _camera(action, camera_id, text, reason)
    describe = SENTENCES.get(action)
    if describe is not None and (data or text is None):
        return describe(data)
    return _fallback(action, data, text)


def describe_audit(table: pd.DataFrame, audience: str) -> pd.DataFrame:
    """``table`` (``audit_table``/``audit_log`` output) with ``what`` as sentences.

    Uses ``what`` when present (``audit_table``, already redacted), else
    ``summary`` and ``details``; ``action`` becomes words and ``recorded_at``
    drops its seconds.
    """
    out = table.copy()
    if "what" in out.columns:
        shown = list(out["what"])
    else:
        shown = [
            s if isinstance(s, str) and s else d
            for s, d in zip(out["summary"], out["details"], strict=True)
        ]
    cameras = out["camera_id"] if "camera_id" in out.columns else [None] * len(out)
    reasons = out["reason"] if "reason" in out.columns else [""] * len(out)
    out["what"] = [
        describe_event(
            a,
            w,
            audience=audience,
            camera_id=None if _missing(c) else str(c),
            reason="" if _missing(r) else str(r),
        )
        for a, w, c, r in zip(out["action"], shown, cameras, reasons, strict=True)
    ]
    out["action"] = [action_words(a) for a in out["action"]]
    if "recorded_at" in out.columns:
        out["recorded_at"] = [timestamp(v) for v in out["recorded_at"]]
    return out


def action_words(action: object) -> str:
    """``footage_request_update`` -> ``footage request update``."""
    return str(action or "").replace("_", " ").strip()


# --- sentences ----------------------------------------------------------------------
def _camera(action: str, camera_id: str | None, what: str | None, reason: str) -> str:
    name = f"Camera {camera_id}" if camera_id else "A camera"
    sentence = f"{name} {CAMERA_WORDS[action]}"
    since = WITHDRAWN_AT.search(what or "") if action == "withdraw" else None
    if since:
        sentence += f" as of {day(since.group(1))}"
    tail = what if action in ("insert", "update") else reason
    return f"{sentence}: {tail}" if tail else sentence


CAMERA_WORDS = {
    "insert": "registered",
    "update": "updated",
    "withdraw": "withdrawn",
    "reactivate": "active again",
}


def _case(data: Mapping[str, Any]) -> str:
    case = data.get("case_number") or data.get("case")
    return f", case {case}" if case else ""


def _n(value: Any, one: str, many: str | None = None) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return f"? {many or one + 's'}"
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def _where(data: Mapping[str, Any]) -> str:
    parts = []
    if data.get("radius_m") is not None:
        parts.append(f" within {float(data['radius_m']):g} m")
    if data.get("lat") is not None and data.get("lon") is not None:
        parts.append(f" of {coord(data['lat'])}, {coord(data['lon'])}")
    elif data.get("area") and data.get("radius_m") is None:
        parts.append(" in a drawn area")
    return "".join(parts)


def _canvass(data: Mapping[str, Any]) -> str:
    cameras = data.get("cameras_listed", data.get("cameras"))
    text = f"Canvass of {_n(cameras, 'camera')}{_where(data)}{_case(data)}"
    if data.get("contacts_shown"):
        text += "; owner contacts shown"
    hidden = data.get("private_cameras_not_shown")
    if hidden:
        text += f"; {_n(hidden, 'residential camera')} not listed"
    return text


def _notification(data: Mapping[str, Any]) -> str:
    if "owners" in data:
        count = f"{_n(data['owners'], 'owner')} ({_n(data.get('sites'), 'site')})"
    else:
        count = _n(data.get("cameras"), "camera site")
    text = f"Area notification list of {count}{_where(data)}{_case(data)}"
    if data.get("contacts_shown"):
        text += "; owner contacts shown"
    return text


def _notice(data: Mapping[str, Any]) -> str:
    owners = data.get("owners", data.get("recipients"))
    who = f" to {_n(owners, 'owner')}" if owners is not None else ""
    return f"Area notice {data.get('notice_id', '')}{who}{_where(data)}{_case(data)}"


def _delivery(data: Mapping[str, Any]) -> str:
    text = (
        f"Notice {data.get('notice_id', '')} delivery {data.get('status', '')}: "
        f"{_n(data.get('sent'), 'message')} sent, {data.get('failed', 0)} failed, "
        f"{data.get('queued', 0)} queued{_case(data)}"
    )
    if data.get("stopped_by"):
        text += f"; stopped by {data['stopped_by']}"
    return text


def _opt_out(data: Mapping[str, Any]) -> str:
    by = " and ".join(str(b) for b in data.get("by") or [])
    camera = data.get("camera_id")
    what = f"camera {camera}" if camera else (f"by {by}" if by else "")
    how = action_words(data.get("method", ""))
    return " ".join(p for p in ("Owner opted out of notices", what) if p) + (
        f" ({how})" if how else ""
    )


def _request(data: Mapping[str, Any]) -> str:
    ids = [str(i) for i in data.get("requests") or []]
    kinds = ", ".join(action_words(k) for k in data.get("kinds") or [])
    text = f"Footage requested from {_n(data.get('cameras'), 'camera')}{_case(data)}"
    if ids:
        text += f" (request{'s' if len(ids) > 1 else ''} {', '.join(ids)})"
    return text + (f"; {kinds}" if kinds else "")


def _update(data: Mapping[str, Any]) -> str:
    old, new = action_words(data.get("from")), action_words(data.get("to"))
    text = f"Footage request {data.get('request', '?')}"
    text += f": {old} {ARROW} {new}" if old != new else f": {new}"
    if data.get("useful") is not None:
        text += f"; useful: {action_words(data['useful'])}"
    return text + _case(data)


def _outcome(data: Mapping[str, Any]) -> str:
    cleared = "cleared" if data.get("cleared") else "not cleared"
    return f"Case {data.get('case', '?')} marked {cleared}"


def _record(data: Mapping[str, Any]) -> str:
    camera = data.get("camera_id")
    text = (
        f"Registry record of camera {camera} opened"
        if camera
        else ("Registry record of a camera opened")
    )
    return text + ("; owner contacts shown" if data.get("contacts_shown") else "")


def _sign(label: str) -> Callable[[Mapping[str, Any]], str]:
    def sentence(data: Mapping[str, Any]) -> str:
        outcome = str(data.get("outcome") or "")
        role = f" as {data['role']}" if data.get("role") else ""
        if label == "Sign-in failed" and outcome and outcome != "failed":
            return f"{label} ({action_words(outcome)})"
        return f"{label}{role if label == 'Signed in' else ''}"

    return sentence


def _account(data: Mapping[str, Any]) -> str:
    role = f" ({data['role']})" if data.get("role") else ""
    return f"Account {data.get('account', '?')}{role}: {data.get('change', '')}"


def _note(data: Mapping[str, Any]) -> str:
    return f"Note on event {data.get('event', '?')}"


def _import(data: Mapping[str, Any]) -> str:
    return (
        f"Import of {_n(data.get('rows'), 'row')}: {data.get('inserted', 0):,} new, "
        f"{data.get('updated', 0):,} updated, {data.get('unchanged', 0):,} "
        f"unchanged, {data.get('withdrawn', 0):,} withdrawn"
    )


def _migrate(data: Mapping[str, Any]) -> str:
    old, new = data.get("from", "?"), data.get("to", "?")
    return f"Store schema upgraded {old} {ARROW} {new}"


def _stale(data: Mapping[str, Any]) -> str:
    return f"Call list of {_n(data.get('cameras'), 'camera')} to verify again"


def _history(data: Mapping[str, Any]) -> str:
    return f"Footage request history loaded: {_n(data.get('requests'), 'request')}"


SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "canvass": _canvass,
    "area_notification": _notification,
    "area_notice": _notice,
    "area_notice_delivery": _delivery,
    "notice_opt_out": _opt_out,
    "footage_request": _request,
    "footage_request_update": _update,
    "case_outcome": _outcome,
    "camera_record": _record,
    "sign_in": _sign("Signed in"),
    "sign_in_failed": _sign("Sign-in failed"),
    "sign_out": _sign("Signed out"),
    "account": _account,
    "note": _note,
    "import": _import,
    "migrate": _migrate,
    "stale_call_list": _stale,
    "footage_history_load": _history,
}


# --- helpers --------------------------------------------------------------------------
def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _parse(details: object) -> tuple[dict[str, Any], str | None]:
    """(dict of the details, or {}; the text when they are not a JSON object)."""
    if isinstance(details, Mapping):
        return dict(details), None
    if _missing(details) or details == "":
        return {}, None
    text = str(details)
    try:
        data = json.loads(text)
    except ValueError:
        return {}, text
    return (dict(data), None) if isinstance(data, dict) else ({}, text)


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{action_words(k)} {_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _fallback(action: str, data: Mapping[str, Any], text: str | None) -> str:
    words = action_words(action) or "event"
    head = words[:1].upper() + words[1:]
    if data:
        pairs = ", ".join(
            f"{action_words(k)}: {_value(v)}" for k, v in data.items() if v is not None
        )
        return f"{head}: {pairs}" if pairs else head
    return f"{head}: {text}" if text else head
