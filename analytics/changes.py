"""What changed: registrations in a window, and ward figures then versus now.

Small pure helpers for "cameras added in the last 30 days" and "what changed since
last month"; the counting rules (withdrawal dates, undated withdrawals) are those
of :func:`analytics.history.registry_events`.

>>> start, end = date(2026, 10, 3), date(2026, 11, 1)
>>> registrations_between(cameras, start, end)  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from analytics.history import registry_events

# ward-table columns compared by ward_changes
WARD_MEASURES = (
    "cameras",
    "incident_coverage_share",
    "weighted_incident_coverage_share",
    "cameras_per_km2",
)


def registrations_between(
    cameras: pd.DataFrame, start: date, end: date
) -> dict[str, Any]:
    """Cameras and sites registered and withdrawn from ``start`` to ``end``.

    Both days are included. Counts are by ``camera_count`` (``cameras_*``) and by
    registry row (``sites_*``); ``cameras_net`` is added minus withdrawn.

    Raises
    ------
    ValueError
        ``start`` after ``end``.
    """
    if start > end:
        raise ValueError(f"`start` was {start} but is expected to be <= `end` {end}")
    events = registry_events(cameras, as_of=end)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    added = (events["registered"] >= lo) & (events["registered"] < hi)
    gone = (events["withdrawn"] >= lo) & (events["withdrawn"] < hi)
    count = events["camera_count"]
    added_cameras = int(count[added].sum())
    withdrawn_cameras = int(count[gone].sum())
    out: dict[str, Any] = {
        "start": start,
        "end": end,
        "cameras_added": int(count[added].sum()),
        "sites_added": int(added.sum()),
        "cameras_withdrawn": int(count[gone].sum()),
        "sites_withdrawn": int(gone.sum()),
    }
    out["cameras_net"] = added_cameras - withdrawn_cameras
    return out


def ward_changes(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Ward table of ``now`` with, per measure, its value ``before`` and the change.

    Parameters
    ----------
    now, before
        Ward tables (``CoverageReport.wards``) with ``ward_id``, ``ward_name`` and
        the ``WARD_MEASURES`` they have.

    Returns
    -------
    DataFrame
        One row per ward of ``now``: ``ward_id``, ``ward_name``, and for each
        measure ``<measure>``, ``<measure>_before`` and ``<measure>_change``
        (a ward missing from ``before`` counts as zero then).
    """
    for name, frame in (("now", now), ("before", before)):
        if "ward_id" not in frame:
            raise KeyError(
                f"`{name}` has columns {list(frame.columns)} but is expected to "
                "have 'ward_id'"
            )
    measures = [m for m in WARD_MEASURES if m in now and m in before]
    left = now[["ward_id", "ward_name", *measures]].copy()
    right = before[["ward_id", *measures]].rename(
        columns={m: f"{m}_before" for m in measures}
    )
    out = left.merge(right, on="ward_id", how="left")
    for m in measures:
        out[f"{m}_before"] = out[f"{m}_before"].fillna(0)
        out[f"{m}_change"] = out[m] - out[f"{m}_before"]
    return out.reset_index(drop=True)
