"""What the Requests and outcomes page shows to each role, decided in analytics/.

Investigators and the data steward (``admin``) see request rows and the
re-verification queue; staff see aggregates; the public sees aggregates with
groups smaller than the city's ``min_group_size`` blanked. Request rows name
cameras and cases, so they never leave this module below investigator.

>>> view = requests_view(history, cams, incs, role="staff", ...)  # doctest: +SKIP
>>> view.rows is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analytics.config import DeviceTier
from analytics.datasets import Dataset
from analytics.footage import (
    DEFAULT_STALE_MONTHS,
    KIND_LABELS,
    STATUS_LABELS,
    RequestStats,
    empty_requests,
    request_stats,
    stale_queue,
    suppress_groups,
    verified_cameras,
)

ROW_ROLES = ("investigator", "admin")
ROW_COLUMNS = (
    "request_id",
    "case_id",
    "camera_id",
    "kind",
    "status",
    "requested_at",
    "status_at",
    "useful",
    "requested_by",
)


@dataclass(frozen=True)
class FootageHistory:
    """Requests, case outcomes and verification visits from one source."""

    requests: pd.DataFrame
    cases: pd.DataFrame
    verified: pd.Series | None  # camera_id -> visit date (the demo's), else None
    source: str  # "synthetic demo" or the store's name


@dataclass(frozen=True)
class RequestsView:
    stats: RequestStats
    by_tier: pd.DataFrame
    by_owner_type: pd.DataFrame
    stale_count: int
    rows: pd.DataFrame | None  # investigators and the steward only
    stale: pd.DataFrame | None  # the re-verification queue, same roles


def load_history(dataset: Dataset) -> FootageHistory | None:
    """Requests and outcomes of a dataset: the demo's made-up history, or the
    registry store's (the city's ``[data].registry_db``).

    None when real data is loaded without a registry store (nothing recorded).
    """
    from analytics.footage_demo import demo_footage
    from analytics.footage_store import FootageStore
    from analytics.store import RegistryStore, configured_store

    if dataset.synthetic:
        demo = demo_footage(dataset.cameras, dataset.incidents, as_of=dataset.as_of)
        return FootageHistory(demo.requests, demo.cases, demo.verified, "synthetic")
    # a path or a postgresql:// URL (city.data_path would mangle a URL)
    db_path = configured_store(dataset.city)
    if not db_path:
        return None
    store = RegistryStore(db_path)
    footage = FootageStore(store)
    # silence past the city's answer window is "no answer" before anyone counts
    footage.expire(days=dataset.city.no_answer_days)
    return FootageHistory(footage.requests(), footage.cases(), None, store.location)


def history_version(dataset: Dataset) -> tuple[object, ...] | None:
    """What a cached history of ``dataset`` is keyed on: it changes with every
    request, answer and case outcome written to the store (by a page or the
    command line). None for the demo (its history never changes) or without a
    store.
    """
    from analytics import store_db
    from analytics.footage_store import version
    from analytics.store import configured_store

    if dataset.synthetic:
        return None
    target = configured_store(dataset.city)
    if not target:
        return None
    if not store_db.is_url(str(target)) and not Path(target).exists():
        return (str(target), "missing")  # load_history says what is wrong
    # the shared engine, not a RegistryStore: no integrity check on every rerun
    return (str(target), *version(store_db.engine_for(target)))


def with_visits(cameras: pd.DataFrame, verified: pd.Series | None) -> pd.DataFrame:
    """Cameras with verification visits merged into ``verified_at``."""
    if verified is None:
        return cameras
    visits = pd.to_datetime(cameras["camera_id"].astype(str).map(verified))
    out = cameras.copy()
    out["verified_at"] = pd.concat(
        [pd.to_datetime(out["verified_at"]), visits], axis=1
    ).max(axis=1)
    return out


def verified_only(
    cameras: pd.DataFrame,
    history: FootageHistory | None,
    as_of: date,
    *,
    months: int = DEFAULT_STALE_MONTHS,
) -> pd.DataFrame:
    """``cameras`` narrowed to those verified in the last ``months`` months.

    Registration and verification visits count even without a request history
    (``history`` None); the demo's visits are merged first (:func:`with_visits`).
    """
    requests = history.requests if history is not None else empty_requests()
    visits = history.verified if history is not None else None
    fresh = verified_cameras(
        with_visits(cameras, visits), requests, as_of, months=months
    )
    return cameras[
        cameras["camera_id"].astype(str).isin(fresh["camera_id"].astype(str))
    ]


def dataset_requests_view(
    history: FootageHistory, dataset: Dataset, *, role: str, since: date, until: date
) -> RequestsView:
    """:func:`requests_view` of a dataset with its city's settings: the one
    definition of the request figures the pages, the briefing and ``requests
    stats --demo`` show (group size, device costs, months before stale)."""
    return requests_view(
        history,
        dataset.cameras,
        dataset.incidents,
        role=role,
        since=since,
        until=until,
        as_of=dataset.as_of,
        min_group_size=dataset.city.min_group_size,
        device_cost_usd_per_year=integration_cost_per_year(
            dataset.cameras, dataset.city.devices
        ),
        stale_months=dataset.city.stale_months,
    )


def requests_view(
    history: FootageHistory,
    cameras: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    role: str,
    since: date,
    until: date,
    as_of: date,
    min_group_size: int,
    device_cost_usd_per_year: float | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> RequestsView:
    """Figures for [since, until] and, for investigators, the rows behind them."""
    cams = with_visits(cameras, history.verified)
    queue = stale_queue(cams, history.requests, as_of, months=stale_months)
    stats = request_stats(
        history.requests,
        cams,
        incidents=incidents,
        cases=history.cases,
        since=since,
        until=until,
        device_cost_usd_per_year=device_cost_usd_per_year,
        stale_cameras=len(queue),
    )
    by_tier, by_owner = stats.fulfilled_by_tier, stats.fulfilled_by_owner_type
    if role == "public":
        by_tier = suppress_groups(by_tier, min_group_size)
        by_owner = suppress_groups(by_owner, min_group_size)
    rows = stale = None
    if role in ROW_ROLES:
        stamp = pd.to_datetime(history.requests["requested_at"])
        keep = (stamp >= pd.Timestamp(since)) & (
            stamp < pd.Timestamp(until) + pd.Timedelta(days=1)
        )
        rows = history.requests.loc[keep, list(ROW_COLUMNS)].copy()
        rows["kind"] = rows["kind"].map(KIND_LABELS).fillna(rows["kind"])
        rows["status"] = rows["status"].map(STATUS_LABELS).fillna(rows["status"])
        rows = rows.sort_values("requested_at", ascending=False)
        stale = queue
    return RequestsView(stats, by_tier, by_owner, len(queue), rows, stale)


def integration_cost_per_year(
    cameras: pd.DataFrame, devices: Sequence[DeviceTier]
) -> float | None:
    """Yearly fees of one entry device per active integrated site.

    The cheapest device the city offers is assumed for every site, so the cost
    per case helped is a lower bound; upfront prices are not included.
    """
    if not devices:
        return None
    active = cameras[
        (cameras["status"].astype(str) == "active")
        & (cameras["tier"].astype(str) == "integrated")
    ]
    cheapest = min(device.yearly_usd for device in devices)
    return float(len(active) * cheapest)
