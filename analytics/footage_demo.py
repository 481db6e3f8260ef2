"""A plausible, deterministic footage-request history for the synthetic demo.

Investigators ask the nearest cameras after a sample of violent incidents.
Answer rates differ by tier and owner type (an integrated camera is viewed or
clipped almost always; a resident answers less often than a business), a few
cameras never answer (stale registrations), and the steward has made
verification visits to most cameras in the last year. Everything is labelled
synthetic by the caller, like the rest of the demo.

>>> demo = demo_footage(cameras, incidents, as_of=date(2026, 11, 1))  # doctest: +SKIP
>>> demo.requests.status.value_counts()                               # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from analytics.footage import REQUEST_COLUMNS

DEMO_SEED = 7
CASE_SHARE = 0.35  # violent incidents that become a case with requests
MONTHS = 18  # history length before as_of
RADIUS_M = 150.0
CAMERAS_PER_CASE = 3
DEAD_SHARE = 0.04  # registrations that never answer any more
VERIFIED_SHARE = 0.7  # cameras with a verification visit in the last year
# (provided, declined, no_footage, no_answer) by owner type for "ask the owner"
ANSWERS = {
    "residential": (0.45, 0.15, 0.15, 0.25),
    "business": (0.60, 0.10, 0.12, 0.18),
    "institutional": (0.70, 0.08, 0.10, 0.12),
    "public": (0.85, 0.02, 0.08, 0.05),
}
INTEGRATED_ANSWERS = (0.93, 0.0, 0.07, 0.0)  # viewed or clipped unless nothing kept
STATUSES = ("provided", "declined", "no_footage", "no_answer")
USEFUL_P = (0.45, 0.35, 0.20)  # yes, no, unknown among provided
_M_PER_DEG = 111_195.0


@dataclass(frozen=True)
class DemoFootage:
    requests: pd.DataFrame  # REQUEST_COLUMNS (request_id from 1)
    cases: pd.DataFrame  # case_id, cleared, cleared_at
    verified: pd.Series  # camera_id -> verification visit date


def demo_footage(
    cameras: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    as_of: date,
    seed: int = DEMO_SEED,
    no_answer_days: int = 14,
) -> DemoFootage:
    """The demo's request history: same inputs and seed, same frames."""
    rng = np.random.default_rng(seed)
    active = cameras[cameras["status"].astype(str) == "active"].reset_index(drop=True)
    today = pd.Timestamp(as_of)
    start = today - pd.DateOffset(months=MONTHS)
    inc = incidents[
        (incidents["category"].astype(str) == "violent")
        & (pd.to_datetime(incidents["occurred_at"]) >= start)
    ].reset_index(drop=True)
    inc = inc[rng.random(len(inc)) < CASE_SHARE].reset_index(drop=True)

    lat0 = float(np.nanmean(active["latitude"])) if len(active) else 0.0
    scale = np.array([_M_PER_DEG * np.cos(np.radians(lat0)), _M_PER_DEG])
    cam_xy = active[["longitude", "latitude"]].to_numpy() * scale
    dead = rng.random(len(active)) < DEAD_SHARE
    # plain arrays: a row lookup (active.iloc[i]) per request took seconds
    cam_ids = active["camera_id"].astype(str).to_numpy()
    cam_tiers = active["tier"].astype(str).to_numpy()
    cam_owners = active["owner_type"].astype(str).to_numpy()
    rows: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    if len(active) and len(inc):
        tree = cKDTree(cam_xy)
        inc_xy = inc[["longitude", "latitude"]].to_numpy() * scale
        dist, idx = tree.query(
            inc_xy, k=CAMERAS_PER_CASE, distance_upper_bound=RADIUS_M
        )
        for n, incident in enumerate(inc.itertuples(index=False)):
            picks = [
                int(i) for i, d in zip(idx[n], dist[n], strict=True) if np.isfinite(d)
            ]
            if not picks:
                continue
            occurred = pd.Timestamp(incident.occurred_at)
            case_id = f"DEMO-{occurred:%Y}-{n + 1:05d}"
            helped = False
            for i in picks:
                integrated = cam_tiers[i] == "integrated"
                asked = occurred + pd.Timedelta(hours=float(rng.exponential(10.0)) + 1)
                if asked > today:
                    continue
                p = (
                    INTEGRATED_ANSWERS
                    if integrated
                    else ANSWERS.get(cam_owners[i], ANSWERS["residential"])
                )
                status = "no_answer" if dead[i] else str(rng.choice(STATUSES, p=p))
                wait_h = float(rng.lognormal(np.log(3 if integrated else 30), 0.6))
                answered = asked + pd.Timedelta(hours=wait_h)
                if status == "no_answer":
                    answered = asked + pd.Timedelta(days=no_answer_days)
                if answered > today:
                    status, answered = "requested", asked
                useful = "unknown"
                if status == "provided":
                    useful = str(rng.choice(("yes", "no", "unknown"), p=USEFUL_P))
                    helped = helped or useful == "yes"
                kind = (
                    ("clip_saved" if rng.random() < 0.7 else "viewed_live")
                    if integrated
                    else "ask_owner"
                )
                rows.append(
                    {
                        "case_id": case_id,
                        "camera_id": str(cam_ids[i]),
                        "kind": kind,
                        "status": status,
                        "requested_at": asked.floor("min"),
                        "status_at": answered.floor("min"),
                        "incident_id": str(incident.incident_id),
                        "incident_at": occurred,
                        "useful": useful,
                        "requested_by": "Synthetic investigator",
                    }
                )
            cleared = rng.random() < (0.5 if helped else 0.2)
            cleared_at = occurred + pd.Timedelta(days=int(rng.integers(10, 120)))
            cleared = cleared and cleared_at <= today
            cases.append(
                {
                    "case_id": case_id,
                    "cleared": bool(cleared),
                    "cleared_at": cleared_at.date() if cleared else None,
                }
            )
    requests = pd.DataFrame(
        rows, columns=[c for c in REQUEST_COLUMNS if c != "request_id"]
    )
    requests.insert(0, "request_id", np.arange(1, len(requests) + 1))
    case_frame = pd.DataFrame(cases, columns=["case_id", "cleared", "cleared_at"])
    case_frame = case_frame[case_frame["case_id"].isin(requests["case_id"])]

    visited = (rng.random(len(active)) < VERIFIED_SHARE) & ~dead
    offsets = rng.integers(0, 365, len(active))
    verified = pd.Series(
        [
            (today - pd.Timedelta(days=int(d))).date() if v else None
            for v, d in zip(visited, offsets, strict=True)
        ],
        index=active["camera_id"].astype(str).to_numpy(),
        name="verified_at",
    )
    return DemoFootage(requests, case_frame.reset_index(drop=True), verified)
