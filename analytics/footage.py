"""Footage requests and their outcomes: the status machine, freshness and figures.

A footage request asks for one camera's footage under a case number. Its kind
follows the camera's tier: a *registered* camera's owner is asked ("ask the
owner"); an *integrated* camera is viewed live or a clip is saved. A request
starts ``requested`` and ends in one final status:

    requested -> provided | declined | no_footage | no_answer

``no_answer`` is set by :func:`expire_unanswered` once a request has waited
``no_answer_days`` (a city setting). Leaving a final status is a correction and
needs a reason, which the store writes to the audit log.

Everything here is pure: frames in, frames or numbers out. The store
(``analytics.footage_store``) keeps the rows; the pages and the command line
read the figures from :func:`request_stats`.

>>> check_transition("requested", "provided")
>>> check_transition("provided", "declined")  # doctest: +SKIP
Traceback (most recent call last):
RequestError: request is already 'provided' (final); give a reason to correct it
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

REQUESTED = "requested"
FINAL_STATUSES = ("provided", "declined", "no_footage", "no_answer")
REQUEST_STATUSES = (REQUESTED, *FINAL_STATUSES)
# The owner answered (a camera heard from) for these; no_answer is silence.
ANSWERED_STATUSES = ("provided", "declined", "no_footage")
STATUS_LABELS = {
    "requested": "requested",
    "provided": "footage provided",
    "declined": "owner declined",
    "no_footage": "no footage kept",
    "no_answer": "no answer",
}
KINDS_BY_TIER = {
    "registered": ("ask_owner",),
    "integrated": ("viewed_live", "clip_saved"),
}
KIND_LABELS = {
    "ask_owner": "ask the owner",
    "viewed_live": "viewed live",
    "clip_saved": "clip saved",
}
USEFUL_VALUES = ("yes", "no", "unknown")
REQUEST_COLUMNS = (
    "request_id",
    "case_id",
    "camera_id",
    "kind",
    "status",
    "requested_at",
    "status_at",
    "incident_id",
    "incident_at",
    "useful",
    "requested_by",
)
CASE_COLUMNS = ("case_id", "cleared", "cleared_at")
STALE_COLUMNS = (
    "camera_id",
    "tier",
    "owner_type",
    "last_verified",
    "months_since_verified",
    "unanswered_in_a_row",
    "footage_never_arrived",
    "reasons",
)
DEFAULT_NO_ANSWER_DAYS = 14
DEFAULT_STALE_MONTHS = 12
DEFAULT_UNANSWERED_K = 2
_DAYS_PER_MONTH = 30.4375


class RequestError(ValueError):
    """A request that the rules do not allow (withdrawn camera, bad status...)."""


def kind_for(tier: str, kind: str | None = None) -> str:
    """The request kind for a camera of ``tier``; ``kind`` checked if given.

    >>> kind_for("registered")
    'ask_owner'
    >>> kind_for("integrated", "clip_saved")
    'clip_saved'
    """
    if tier not in KINDS_BY_TIER:
        raise RequestError(
            f"`tier` was {tier!r} but is expected to be in {tuple(KINDS_BY_TIER)}"
        )
    allowed = KINDS_BY_TIER[tier]
    if kind is None:
        return allowed[0]
    if kind not in allowed:
        article = "an" if tier[0] in "aeiou" else "a"
        raise RequestError(
            f"`kind` was {kind!r} but {article} {tier} camera takes one of {allowed}"
        )
    return kind


def check_transition(old: str, new: str, *, reason: str | None = None) -> None:
    """Refuse a status change the machine does not allow.

    From ``requested`` any final status may follow. A final status may be
    corrected to another status only with a ``reason`` (it goes to the audit
    log); nothing moves to the status it already has.
    """
    for name, value in (("old", old), ("new", new)):
        if value not in REQUEST_STATUSES:
            raise RequestError(
                f"`{name}` status was {value!r} but is expected to be in "
                f"{REQUEST_STATUSES}"
            )
    if old == new:
        raise RequestError(f"request is already {old!r}")
    if old in FINAL_STATUSES and not (reason and str(reason).strip()):
        raise RequestError(
            f"request is already {old!r} (final); give a reason to correct it"
        )


def check_camera_requestable(camera: dict[str, Any] | None, camera_id: str) -> None:
    """A request needs a known, active camera: withdrawn cameras never."""
    if camera is None:
        raise RequestError(f"camera {camera_id!r} is not in the registry")
    if str(camera.get("status")) != "active":
        raise RequestError(
            f"camera {camera_id!r} is withdrawn: its owner withdrew consent, "
            "so footage can never be requested from it"
        )


def expire_unanswered(
    requests: pd.DataFrame, now: datetime, days: int = DEFAULT_NO_ANSWER_DAYS
) -> pd.Series:
    """Ids of requests still ``requested`` after ``days`` days (-> no_answer)."""
    if days < 1:
        raise RequestError(f"`days` was {days!r} but is expected to be >= 1")
    if requests.empty:
        return pd.Series([], dtype=object, name="request_id")
    asked = pd.to_datetime(requests["requested_at"])
    due = (requests["status"] == REQUESTED) & (
        asked <= pd.Timestamp(now) - pd.Timedelta(days=days)
    )
    return requests.loc[due, "request_id"].reset_index(drop=True)


def last_verified(cameras: pd.DataFrame, requests: pd.DataFrame) -> pd.Series:
    """Each camera's last-verified date, indexed by ``camera_id``.

    Registration, a verification visit (``verified_at``), an owner's answer to
    a request (provided, declined, no footage kept) and provided footage all
    count; silence does not.
    """
    ids = cameras["camera_id"].astype(str)
    dates = pd.DataFrame(
        {
            "registered": _day(cameras.get("registered_at")),
            "verified": _day(cameras.get("verified_at")),
        }
    ).set_axis(ids)
    latest = dates.max(axis=1)
    if not requests.empty:
        answered = requests[requests["status"].isin(ANSWERED_STATUSES)]
        heard = (
            pd.to_datetime(answered["status_at"])
            .dt.normalize()
            .groupby(answered["camera_id"].astype(str))
            .max()
        )
        latest = pd.concat([latest, heard.reindex(latest.index)], axis=1).max(axis=1)
    return latest.rename("last_verified")


def stale_queue(
    cameras: pd.DataFrame,
    requests: pd.DataFrame,
    as_of: date,
    *,
    months: int = DEFAULT_STALE_MONTHS,
    unanswered_k: int = DEFAULT_UNANSWERED_K,
) -> pd.DataFrame:
    """The re-verification queue: active cameras to check again, and why.

    A camera is listed when it was not verified for ``months`` months, when its
    owner did not answer the last ``unanswered_k`` requests, or when footage it
    was asked for never arrived (a request still open past its answer window is
    counted by :func:`expire_unanswered` as no answer first). Oldest first.
    """
    if months < 1 or unanswered_k < 1:
        raise RequestError(
            f"`months` was {months!r} and `unanswered_k` {unanswered_k!r}; "
            "both are expected to be >= 1"
        )
    active = cameras[cameras["status"].astype(str) == "active"]
    verified = last_verified(active, requests)
    today = pd.Timestamp(as_of)
    age = ((today - verified).dt.days / _DAYS_PER_MONTH).round(1)
    streak = _unanswered_streak(requests)
    never = _footage_never_arrived(requests, unanswered_k)
    ids = active["camera_id"].astype(str)
    frame = pd.DataFrame(
        {
            "camera_id": ids.to_numpy(),
            "tier": active["tier"].astype(str).to_numpy(),
            "owner_type": active["owner_type"].astype(str).to_numpy(),
            "last_verified": verified.reindex(ids).dt.date.to_numpy(),
            "months_since_verified": age.reindex(ids).to_numpy(),
            "unanswered_in_a_row": streak.reindex(ids, fill_value=0).to_numpy(),
            "footage_never_arrived": never.reindex(ids, fill_value=False)
            .astype(bool)
            .to_numpy(),
        }
    )
    reasons = []
    for row in frame.itertuples(index=False):
        why = []
        if not (row.months_since_verified < months):  # NaN (no date) is stale too
            why.append(
                f"not verified for {months}+ months"
                if not math.isnan(row.months_since_verified)
                else "never verified"
            )
        if row.unanswered_in_a_row >= unanswered_k:
            why.append(f"no answer to the last {row.unanswered_in_a_row} requests")
        if row.footage_never_arrived:
            why.append("asked repeatedly, footage never arrived")
        reasons.append("; ".join(why))
    frame["reasons"] = reasons
    frame = frame[frame["reasons"] != ""]
    frame = frame.sort_values(
        ["last_verified", "camera_id"], na_position="first", kind="stable"
    )
    return frame.reset_index(drop=True)[list(STALE_COLUMNS)]


def verified_cameras(
    cameras: pd.DataFrame,
    requests: pd.DataFrame,
    as_of: date,
    *,
    months: int = DEFAULT_STALE_MONTHS,
) -> pd.DataFrame:
    """The cameras verified within the last ``months`` months (rows of ``cameras``).

    The same age rule as :func:`stale_queue`'s "not verified for N months": a
    camera whose last-verified date (:func:`last_verified`) is unknown or
    ``months`` or more months before ``as_of`` is left out. Coverage "for
    verified cameras only" is measured with these.
    """
    if months < 1:
        raise RequestError(f"`months` was {months!r}; expected >= 1")
    if cameras.empty:
        return cameras
    verified = last_verified(cameras, requests)
    age = (pd.Timestamp(as_of) - verified).dt.days / _DAYS_PER_MONTH
    fresh = age.round(1) < months
    keep = cameras["camera_id"].astype(str).map(fresh).fillna(False).astype(bool)
    return cameras[keep.to_numpy()]


@dataclass(frozen=True)
class RequestStats:
    """Program figures over a window (see ``docs/requests.md``)."""

    requests: int
    per_month: pd.DataFrame  # month, requests, provided
    fulfilled_share: float | None
    fulfilled_by_tier: pd.DataFrame  # group, requests, decided, provided, share
    fulfilled_by_owner_type: pd.DataFrame
    median_hours_to_footage: float | None
    violent_incidents: int
    violent_incidents_with_request_share: float | None
    useful_share: float | None
    cases: int
    cases_helped: int
    cases_cleared: int
    integrated_cases_helped: int
    device_cost_usd: float | None
    cost_per_case_helped_usd: float | None
    stale_cameras: int

    def to_dict(self) -> dict[str, Any]:
        """The JSON keys of ``requests stats --json``."""
        return {
            "requests": self.requests,
            "fulfilled_share": self.fulfilled_share,
            "median_hours_to_footage": self.median_hours_to_footage,
            "violent_incidents_with_request_share": (
                self.violent_incidents_with_request_share
            ),
            "useful_share": self.useful_share,
            "stale_cameras": self.stale_cameras,
            "violent_incidents": self.violent_incidents,
            "cases": self.cases,
            "cases_helped": self.cases_helped,
            "cases_cleared": self.cases_cleared,
            "cost_per_case_helped_usd": self.cost_per_case_helped_usd,
            "fulfilled_by_tier": _records(self.fulfilled_by_tier),
            "fulfilled_by_owner_type": _records(self.fulfilled_by_owner_type),
            "per_month": [
                {"month": str(r.month), "requests": int(r.requests)}
                for r in self.per_month.itertuples(index=False)
            ],
        }


def request_stats(
    requests: pd.DataFrame,
    cameras: pd.DataFrame,
    *,
    incidents: pd.DataFrame | None = None,
    cases: pd.DataFrame | None = None,
    since: date | None = None,
    until: date | None = None,
    device_cost_usd_per_year: float | None = None,
    stale_cameras: int = 0,
) -> RequestStats:
    """Figures of the requests made in [since, until] (by request date).

    Definitions (one place, used by every page, the briefing and the CLI):

    - ``fulfilled_share``: provided / requests with a final status (open
      requests are not yet decided and left out).
    - ``median_hours_to_footage``: median hours from the incident to the
      footage, over provided requests whose incident time is known.
    - ``violent_incidents_with_request_share``: violent incidents in the window
      with at least one request, over violent incidents in the window.
    - ``useful_share``: provided requests marked useful over provided requests
      whose usefulness is known (yes or no).
    - ``cost_per_case_helped_usd``: yearly integration-device cost for the
      window's length, over cases helped by footage from an integrated camera.
    """
    req = _window(requests, "requested_at", since, until)
    tiers = cameras.set_index(cameras["camera_id"].astype(str))
    req = req.assign(
        tier=req["camera_id"].astype(str).map(tiers["tier"].astype(str)),
        owner_type=req["camera_id"].astype(str).map(tiers["owner_type"].astype(str)),
    )
    decided = req[req["status"].isin(FINAL_STATUSES)]
    provided = req[req["status"] == "provided"]
    fulfilled = _share(len(provided), len(decided))
    hours = (
        pd.to_datetime(provided["status_at"]) - pd.to_datetime(provided["incident_at"])
    ).dt.total_seconds() / 3600.0
    hours = hours.dropna()
    median_hours = float(np.median(hours)) if len(hours) else None
    known = provided[provided["useful"].isin(("yes", "no"))]
    useful = _share(int((known["useful"] == "yes").sum()), len(known))

    violent_n, violent_share = 0, None
    if incidents is not None:
        inc = _window(incidents, "occurred_at", since, until)
        violent = inc[inc["category"].astype(str) == "violent"]
        violent_n = len(violent)
        asked = set(req["incident_id"].dropna().astype(str))
        hit = int(violent["incident_id"].astype(str).isin(asked).sum())
        violent_share = _share(hit, violent_n)

    helped = set(provided.loc[provided["useful"] == "yes", "case_id"].astype(str))
    helped_live = set(
        provided.loc[
            (provided["useful"] == "yes") & (provided["tier"] == "integrated"),
            "case_id",
        ].astype(str)
    )
    case_ids = set(req["case_id"].astype(str))
    cleared = 0
    if cases is not None and not cases.empty:
        mine = cases[cases["case_id"].astype(str).isin(case_ids)]
        cleared = int(mine["cleared"].fillna(False).astype(bool).sum())
    cost = None
    if device_cost_usd_per_year is not None and since and until:
        cost = device_cost_usd_per_year * ((until - since).days + 1) / 365.25
    per_case = cost / len(helped_live) if cost is not None and helped_live else None
    return RequestStats(
        requests=len(req),
        per_month=_per_month(req),
        fulfilled_share=fulfilled,
        fulfilled_by_tier=_by_group(req, "tier"),
        fulfilled_by_owner_type=_by_group(req, "owner_type"),
        median_hours_to_footage=median_hours,
        violent_incidents=violent_n,
        violent_incidents_with_request_share=violent_share,
        useful_share=useful,
        cases=len(case_ids),
        cases_helped=len(helped),
        cases_cleared=cleared,
        integrated_cases_helped=len(helped_live),
        device_cost_usd=cost,
        cost_per_case_helped_usd=per_case,
        stale_cameras=int(stale_cameras),
    )


def suppress_groups(frame: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Public edition of a by-group table: shares of small groups blanked.

    A group with fewer than ``min_group_size`` decided requests keeps its row
    but not its counts or share, so one owner's answers cannot be read off.
    """
    out = frame.copy()
    small = out["decided"] < min_group_size
    for column in ("requests", "decided", "provided", "share"):
        out[column] = out[column].astype(object).where(~small, None)
    return out


def empty_requests() -> pd.DataFrame:
    """A requests frame with the canonical columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REQUEST_COLUMNS})


# --- helpers ---------------------------------------------------------------------
def _day(values: Any) -> pd.Series:
    if values is None:
        return pd.Series(dtype="datetime64[ns]")
    return pd.to_datetime(pd.Series(values).reset_index(drop=True), errors="coerce")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _window(
    frame: pd.DataFrame, column: str, since: date | None, until: date | None
) -> pd.DataFrame:
    if frame.empty:
        return frame
    stamp = pd.to_datetime(frame[column])
    keep = pd.Series(True, index=frame.index)
    if since is not None:
        keep &= stamp >= pd.Timestamp(since)
    if until is not None:
        keep &= stamp < pd.Timestamp(until) + pd.Timedelta(days=1)
    return frame[keep]


def _per_month(req: pd.DataFrame) -> pd.DataFrame:
    if req.empty:
        return pd.DataFrame({"month": [], "requests": [], "provided": []})
    month = pd.to_datetime(req["requested_at"]).dt.to_period("M")
    grouped = req.assign(month=month, provided=req["status"] == "provided").groupby(
        "month"
    )
    out = grouped.agg(requests=("request_id", "size"), provided=("provided", "sum"))
    return out.reset_index()


def _by_group(req: pd.DataFrame, column: str) -> pd.DataFrame:
    rows = []
    for group, part in req.groupby(column, sort=True):
        decided = int(part["status"].isin(FINAL_STATUSES).sum())
        provided = int((part["status"] == "provided").sum())
        rows.append(
            {
                "group": str(group),
                "requests": len(part),
                "decided": decided,
                "provided": provided,
                "share": _share(provided, decided),
            }
        )
    return pd.DataFrame(
        rows, columns=["group", "requests", "decided", "provided", "share"]
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in row.items()
        }
        for row in frame.to_dict("records")
    ]


def _unanswered_streak(requests: pd.DataFrame) -> pd.Series:
    """Per camera: how many of its latest decided requests got no answer."""
    if requests.empty:
        return pd.Series(dtype=int)
    decided = requests[requests["status"].isin(FINAL_STATUSES)].copy()
    decided["_at"] = pd.to_datetime(decided["requested_at"])
    decided = decided.sort_values(["camera_id", "_at", "request_id"])
    out = {}
    for camera_id, part in decided.groupby(decided["camera_id"].astype(str)):
        streak = 0
        for status in reversed(part["status"].tolist()):
            if status != "no_answer":
                break
            streak += 1
        out[camera_id] = streak
    return pd.Series(out, dtype=int)


def _footage_never_arrived(requests: pd.DataFrame, asked_k: int) -> pd.Series:
    """Per camera: True when it was asked ``asked_k``+ times and never provided.

    Owners who answer but never have footage (nothing kept, declined) may have
    a camera that no longer records: the steward checks it.
    """
    if requests.empty:
        return pd.Series(dtype=bool)
    decided = requests[requests["status"].isin(FINAL_STATUSES)]
    camera = decided["camera_id"].astype(str)
    asked = decided.groupby(camera).size()
    # a boolean column grouped stays boolean even with no rows
    provided = decided["status"].eq("provided").groupby(camera).any().astype(bool)
    return (asked >= asked_k) & ~provided
