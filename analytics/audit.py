"""Every look at sensitive data is recorded, without anyone pressing anything.

A canvass, a notification list and every display of owner contacts writes one
entry to the registry store's audit log (``RegistryStore.log_event``): who (the
person's name, never just a role), their role, when (the store stamps it),
where, the radius, how many cameras were listed, whether contacts were shown
and the case number. Investigators see contacts only once they give a case
number (:func:`view_audience`).

The dashboard records to the configured registry store; without one (the demo,
or real data read from files) to ``$CAMREG_AUDIT_DB``, else the default store
``data/registry.sqlite``. The command line records whenever a store is
configured (``--db``, ``$CAMREG_REGISTRY_DB`` or the city file), as
the operating-system user unless ``--user`` names someone.

>>> audience = view_audience("investigator", case_number="")    # no case yet
>>> audience
'staff'
>>> record_canvass_look(store, result, user="jsmith", role="investigator",
...                     case_number="2026-004242")               # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analytics.accounts import audience_for

if TYPE_CHECKING:
    from analytics.config import CityConfig
    from analytics.store import RegistryStore

CANVASS_ACTION = "canvass"
NOTIFY_ACTION = "area_notification"
NOTE_ACTION = "note"
RECORD_ACTION = "camera_record"
SIGN_IN_ACTION = "sign_in"
SIGN_IN_FAILED_ACTION = "sign_in_failed"
SIGN_OUT_ACTION = "sign_out"
ACCOUNT_ACTION = "account"
LOOK_ACTIONS = (CANVASS_ACTION, NOTIFY_ACTION)
AUDIT_DB_ENV = "CAMREG_AUDIT_DB"
# Audiences that must name a case before owner contacts are shown.
CASE_REQUIRED = ("investigator",)
CASE_MAX_LENGTH = 64
_CASE_PATTERN = re.compile(r"^[\w][\w ./:#-]*$")


def case_number_or_none(case_number: str | None) -> str | None:
    """A usable case number (stripped), None when blank; ValueError when unusable.

    >>> case_number_or_none("  2026-004242 ")
    '2026-004242'
    """
    text = str(case_number or "").strip()
    if not text:
        return None
    if len(text) > CASE_MAX_LENGTH or not _CASE_PATTERN.match(text):
        raise ValueError(
            f"case number was {case_number!r} but is expected to be up to "
            f"{CASE_MAX_LENGTH} letters, digits, spaces or . / : # - (e.g. "
            "'2026-004242')"
        )
    return text


def needs_case(role: str) -> bool:
    """True when ``role`` sees owner contacts only with a case number."""
    return audience_for(role) in CASE_REQUIRED


def view_audience(role: str, case_number: str | None) -> str:
    """The audience a look gets: an investigator without a case sees as staff.

    ``role`` is an account role (``analytics.accounts.ROLE_ORDER``). A case
    number that is unusable counts as none.
    """
    audience = audience_for(role)
    if audience in CASE_REQUIRED:
        try:
            case = case_number_or_none(case_number)
        except ValueError:
            case = None
        if case is None:
            return "staff"
    return audience


def configured_store_path(
    city: CityConfig, db: str | os.PathLike[str] | None = None
) -> Path | str | None:
    """The registry store the command line records to, or None when none is set.

    ``db`` (``--db``) first, then ``$CAMREG_REGISTRY_DB`` or the city file's
    ``[data].registry_db``. A ``postgresql://`` URL is returned as text.
    """
    from analytics.store_db import is_url

    if db:
        text = str(db)
        return text if is_url(text) else Path(text)
    env = os.environ.get("CAMREG_REGISTRY_DB", "").strip()
    if env:
        return env if is_url(env) else Path(env).expanduser()
    return city.data_path("registry_db")


def open_dashboard_store(city: CityConfig) -> RegistryStore:
    """The store the dashboard records in, opened.

    A configured registry store must exist (a mistyped path is an error, not a
    new empty registry); the audit-only store of ``$CAMREG_AUDIT_DB`` or the
    default path is created on first use.
    """
    from analytics.store import RegistryStore

    configured = configured_store_path(city)
    if configured is not None:
        return RegistryStore(configured)
    return RegistryStore(dashboard_store_path(city), create=True)


def dashboard_store_path(city: CityConfig) -> Path | str:
    """Where the dashboard records looks and sign-ins.

    The configured registry store; else ``$CAMREG_AUDIT_DB``; else the default
    store (``analytics.store.default_store_path``).
    """
    configured = configured_store_path(city)
    if configured is not None:
        return configured
    env = os.environ.get(AUDIT_DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from analytics.store import default_store_path

    return default_store_path(city)


def os_user() -> str:
    """The operating-system account running the command (for the audit log)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        name = ""
    return f"{name or 'uid ' + str(os.getuid())} (os user)"


def record_look(
    store: RegistryStore,
    action: str,
    *,
    user: str,
    role: str,
    audience: str,
    case_number: str | None = None,
    cameras: int = 0,
    contacts_shown: bool = False,
    where: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    note: str = "",
    case_required: bool = True,
) -> int:
    """Write one look to the audit log; returns the event id.

    Parameters
    ----------
    store
        The registry store (only its ``log_event`` is used).
    action
        What was looked at (``CANVASS_ACTION``, ``NOTIFY_ACTION`` ...).
    user
        The person (account name, SSO e-mail or OS user), never a role.
    role, audience
        The person's role and the data audience the look was made for.
    case_number
        Required (ValueError) when ``contacts_shown``.
    cameras
        How many cameras (sites) the look listed.
    where
        ``lat``, ``lon``, ``radius_m`` or an ``area``.
    details
        Anything else worth keeping (camera ids, incident time).
    note
        Free text, e.g. why the look was made.
    case_required
        False only for the data steward's registry work (a record opened to
        withdraw or correct it), which is not tied to a case.
    """
    user = str(user or "").strip()
    if not user:
        raise ValueError("user was empty but a look must name the person")
    case = case_number_or_none(case_number)
    if contacts_shown and case is None and case_required:
        raise ValueError(
            "case number was empty but owner contacts are shown only for a case"
        )
    record = {
        "role": role,
        "audience": audience,
        "case_number": case,
        "cameras": int(cameras),
        "contacts_shown": bool(contacts_shown),
        **{k: _plain(v) for k, v in (where or {}).items()},
        **{k: _plain(v) for k, v in (details or {}).items()},
    }
    reason = note.strip() or (f"{action} for case {case}" if case else action)
    return store.log_event(action, user=user, details=record, reason=reason)


def canvass_look(result: pd.DataFrame) -> dict[str, Any]:
    """Where, how many and what a canvass result (``canvass()``) showed."""
    meta = result.attrs
    return {
        "where": {
            "lat": round(float(meta["lat"]), 6),
            "lon": round(float(meta["lon"]), 6),
            "radius_m": float(meta["radius_m"]),
        },
        "cameras": int(meta.get("within_radius", len(result))),
        "details": {
            "nearest": int(meta.get("nearest", 0)),
            "incident_at": meta.get("at"),
            "cameras_listed": len(result),
            "camera_ids": _ids(result),
        },
        "contacts_shown": _shows_contacts(result),
    }


def record_canvass_look(
    store: RegistryStore,
    result: pd.DataFrame,
    *,
    user: str,
    role: str,
    case_number: str | None = None,
    note: str = "",
) -> int:
    """Record a canvass as shown: the audience is the one it was made for."""
    look = canvass_look(result)
    return record_look(
        store,
        CANVASS_ACTION,
        user=user,
        role=role,
        audience=str(result.attrs.get("role", audience_for(role))),
        case_number=case_number,
        cameras=look["cameras"],
        contacts_shown=look["contacts_shown"],
        where=look["where"],
        details=look["details"],
        note=note,
    )


def record_notification_look(
    store: RegistryStore,
    notice: Any,
    *,
    user: str,
    role: str,
    case_number: str | None = None,
    circle: tuple[float, float, float] | None = None,
    note: str = "",
) -> int:
    """Record a notification list (``analytics.canvass.Notification``) as shown."""
    import shapely

    if circle is not None:
        where = {"lat": circle[0], "lon": circle[1], "radius_m": circle[2]}
    else:
        where = {"area": shapely.to_geojson(shapely.set_precision(notice.area, 1e-6))}
    sites = notice.sites
    return record_look(
        store,
        NOTIFY_ACTION,
        user=user,
        role=role,
        audience=notice.role,
        case_number=case_number,
        cameras=int(_exact(notice).get("sites", len(sites))),
        contacts_shown=_shows_contacts(notice.recipients),
        where=where,
        details={
            "owners": int(_exact(notice).get("owners", 0)),
            "camera_count": int(_exact(notice).get("cameras", 0)),
            "camera_ids": _ids(sites),
        },
        note=note,
    )


def record_camera_record_look(
    store: RegistryStore, camera_id: str, *, user: str, role: str, audience: str
) -> int:
    """Record that one camera's registry record was shown (Registry page).

    Contacts are shown only to the ``admin`` role (the data steward), without a
    case: registry work such as a withdrawal is not an investigation.
    """
    return record_look(
        store,
        RECORD_ACTION,
        user=user,
        role=role,
        audience=audience,
        cameras=1,
        contacts_shown=audience == "investigator",
        details={"camera_id": str(camera_id)},
        note=f"registry record of {camera_id}",
        case_required=False,
    )


def record_sign_in(
    store: RegistryStore, name: str, outcome: str, *, role: str = "", how: str = ""
) -> int:
    """Record a sign-in, a refused attempt or a sign-out under the name typed."""
    action = {
        "ok": SIGN_IN_ACTION,
        "signed_out": SIGN_OUT_ACTION,
    }.get(outcome, SIGN_IN_FAILED_ACTION)
    return store.log_event(
        action,
        user=str(name or "").strip() or "(no name typed)",
        details={"outcome": outcome, "role": role, "how": how},
        reason=f"{action}: {outcome}",
    )


def look_key(action: str, **parts: Any) -> str:
    """A stable text key for one look, so a page rerun does not record it twice."""
    return action + "|" + "|".join(f"{k}={_plain(parts[k])}" for k in sorted(parts))


def _ids(frame: pd.DataFrame) -> list[str]:
    if "camera_id" not in frame.columns:
        return []
    return [str(c) for c in frame["camera_id"].dropna()]


def _shows_contacts(frame: pd.DataFrame) -> bool:
    """True when ``frame`` carries at least one owner contact value."""
    from analytics.schema import CONTACT_COLUMNS

    present = [c for c in CONTACT_COLUMNS if c in frame.columns]
    return bool(present) and bool(frame[present].notna().to_numpy().any())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, list | tuple | dict):
        return value.item()
    return value


def record_note(store: RegistryStore, event_id: int, note: str, *, user: str) -> int:
    """Add a note to an earlier look (event ``event_id``); returns the note's id."""
    text = str(note or "").strip()
    if not text:
        raise ValueError("note was empty")
    return store.log_event(
        NOTE_ACTION,
        user=str(user),
        details={"event": int(event_id)},
        reason=text,
    )


SUMMARISED_ACTIONS = (
    CANVASS_ACTION,
    NOTIFY_ACTION,
    RECORD_ACTION,
    NOTE_ACTION,
    SIGN_IN_ACTION,
    SIGN_IN_FAILED_ACTION,
    SIGN_OUT_ACTION,
    ACCOUNT_ACTION,
)


def summarise_looks(table: pd.DataFrame, audience: str) -> pd.DataFrame:
    """An audit table whose look events read as a sentence safe for ``audience``.

    The stored details of a canvass name where an investigator looked and the
    ids of the cameras listed; shown to staff next to each other they would
    place residential cameras within a radius. Below ``investigator`` the
    ``what`` of look events keeps only the kind of look, the case, the count
    and whether contacts were shown; investigators also see the place.
    ``table`` is ``RegistryStore.audit_table`` output (``action``, ``what``).
    """
    if "what" not in table.columns or "action" not in table.columns:
        return table
    out = table.copy()
    looks = out["action"].isin(SUMMARISED_ACTIONS).to_numpy()
    out.loc[looks, "what"] = [
        _look_sentence(action, what, audience)
        for action, what in zip(out["action"][looks], out["what"][looks], strict=True)
    ]
    return out


def _look_sentence(action: str, what: Any, audience: str) -> str:
    try:
        details = json.loads(what) if isinstance(what, str) and what else {}
    except json.JSONDecodeError:
        details = {}
    if not isinstance(details, dict):
        details = {}
    if action in (SIGN_IN_ACTION, SIGN_IN_FAILED_ACTION, SIGN_OUT_ACTION):
        return f"{action.replace('_', ' ')}: {details.get('outcome', '')}".strip()
    if action == ACCOUNT_ACTION:
        return f"account {details.get('account', '')}: {details.get('change', '')}"
    if action == NOTE_ACTION:
        return f"note on event {details.get('event', '?')}"
    parts = [action.replace("_", " ")]
    if details.get("case_number"):
        parts.append(f"case {details['case_number']}")
    if "cameras" in details:
        parts.append(f"{details['cameras']} camera sites")
    if details.get("radius_m") is not None:
        parts.append(f"radius {float(details['radius_m']):g} m")
    if audience == "investigator" and details.get("lat") is not None:
        parts.append(f"at {details['lat']}, {details['lon']}")
    if details.get("contacts_shown"):
        parts.append("owner contacts shown")
    return " · ".join(str(p) for p in parts)


def _exact(notice: Any) -> dict[str, int]:
    """A notification's exact counts: the log holds what was there, whatever the
    viewer was shown (rounded below investigator)."""
    counts: dict[str, int] = getattr(notice, "logged", None) or notice.preview
    return counts
