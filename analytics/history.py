"""Registry history: cameras and sites added, withdrawn and in the registry, by period.

Counts are by ``camera_count`` (cameras) and by row (sites). A camera counts from
its ``registered_at`` day until its withdrawal day. Withdrawals subtract from the
period in which they happened, not from the registration period.

Withdrawal dates and their assumptions
--------------------------------------
* ``status == "withdrawn"`` with a ``withdrawn_at`` date: withdrawn on that date
  (a date before the registration is read as the registration date).
* ``status == "withdrawn"`` without ``withdrawn_at`` (the audit log does not know
  when): assumed withdrawn on its registration day, i.e. left out of the whole
  history (neither added nor withdrawn). Today's total is right either way; the
  alternative (withdrawn "today") would put every undated withdrawal into the
  latest month and make the current pace look worse than it is. The number of
  such rows is in ``frame.attrs["undated_withdrawals"]``.
* No readable ``registered_at``: the camera is in the registry but cannot be
  placed in time, so it is counted from the first known registration date (part
  of the starting stock); ``frame.attrs["undated_registrations"]`` counts them.
* ``status == "active"``: active, whatever ``withdrawn_at`` says (a camera can be
  re-registered; the status is the registry's answer for today).

The ``tier`` of a camera is its tier today: the registry does not record when a
camera was converted from registered to integrated.

>>> hist = camera_history(cameras)                       # doctest: +SKIP
>>> hist[["period", "added", "withdrawn", "net", "cameras"]].tail(1)  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

# pandas frequency alias -> period code used to bucket dates
FREQUENCIES = {"MS": "M", "QS": "Q", "YS": "Y", "W": "W"}
WARD = "ward"
OUTSIDE_WARDS = "(outside wards)"
COUNT_COLUMNS = (
    "added",
    "withdrawn",
    "net",
    "cameras",
    "sites_added",
    "sites_withdrawn",
    "sites_net",
    "sites",
)


def registry_events(
    cameras: pd.DataFrame, *, as_of: date | None = None
) -> pd.DataFrame:
    """One row per registry row with its registration and withdrawal timestamps.

    Returns a frame aligned with ``cameras`` (same index) with ``registered``
    (Timestamp), ``withdrawn`` (Timestamp or NaT: the day it left the registry)
    and ``camera_count`` (int). Rows without a readable registration date are
    placed at the earliest known registration (the starting stock) and counted
    in ``attrs["undated_registrations"]``; withdrawn rows without a withdrawal
    date are dropped (see the module docstring). Rows registered after
    ``as_of`` are dropped; withdrawals after ``as_of`` are not yet withdrawals
    (NaT).
    ``attrs["undated_withdrawals"]`` counts withdrawn rows without a date.
    """
    for col in ("registered_at", "camera_count", "status"):
        if col not in cameras.columns:
            raise KeyError(
                f"`cameras` lacks column {col!r}; expected the canonical camera "
                "columns of analytics.schema"
            )
    registered = pd.to_datetime(cameras["registered_at"], errors="coerce")
    no_date = registered.isna()
    if no_date.any():
        # still in the registry today, but not placeable in time: counted from the
        # start of the history, i.e. as part of the starting stock
        start = registered.min()
        if pd.isna(start):
            start = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now()
        # returned as attrs["undated_registrations"] (the forecast says so in
        # words), not as a Python warning nobody on a page would see
        registered = registered.fillna(start.normalize())
    if "withdrawn_at" in cameras.columns:
        withdrawn_at = pd.to_datetime(cameras["withdrawn_at"], errors="coerce")
    else:
        withdrawn_at = pd.Series(pd.NaT, index=cameras.index, dtype="datetime64[ns]")
    is_withdrawn = cameras["status"].astype("string").str.lower().eq("withdrawn")
    is_withdrawn = is_withdrawn.fillna(False).astype(bool)
    undated = is_withdrawn & withdrawn_at.isna()
    withdrawn = withdrawn_at.where(is_withdrawn)
    withdrawn = withdrawn.mask(withdrawn < registered, registered)
    count = pd.to_numeric(cameras["camera_count"], errors="coerce").fillna(1)
    events = pd.DataFrame(
        {
            "registered": registered,
            "withdrawn": withdrawn,
            "camera_count": count.astype(int),
        },
        index=cameras.index,
    )
    # undated withdrawal: assumed to have left on its registration day, so it is
    # dropped rather than counted as an addition and a withdrawal (module doc)
    keep = events["registered"].notna()
    if as_of is not None:
        cutoff = pd.Timestamp(as_of)
        keep &= events["registered"] <= cutoff
        events["withdrawn"] = events["withdrawn"].where(events["withdrawn"] <= cutoff)
    events = events[keep & ~undated]
    events.attrs["undated_withdrawals"] = int((undated & keep).sum())
    events.attrs["undated_registrations"] = int((no_date & keep & ~undated).sum())
    return events


def assign_wards(cameras: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.Series:
    """Ward name (or id) of each camera by a point-in-polygon join.

    Cameras outside every ward get ``"(outside wards)"``; a camera on a shared
    border takes the first ward listed.
    """
    label = "ward_name" if "ward_name" in wards.columns else "ward_id"
    if label not in wards.columns:
        raise KeyError(
            f"`wards` has columns {list(wards.columns)} but is expected to have "
            "'ward_name' or 'ward_id'"
        )
    points = gpd.GeoDataFrame(geometry=cameras.geometry.values, crs=cameras.crs)
    polys = wards[[label, "geometry"]]
    if polys.crs is not None and points.crs is not None and polys.crs != points.crs:
        polys = polys.to_crs(points.crs)
    joined = gpd.sjoin(points, polys, how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    names = joined[label].astype("string").fillna(OUTSIDE_WARDS)
    return pd.Series(names.to_numpy(), index=cameras.index, name=WARD)


def camera_history(
    cameras: pd.DataFrame,
    *,
    freq: str = "MS",
    by: str | None = None,
    as_of: date | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Cameras and sites added, withdrawn and in the registry per period.

    Parameters
    ----------
    cameras
        Canonical camera frame (``registered_at``, ``camera_count``, ``status``,
        optionally ``withdrawn_at``).
    freq
        ``"MS"`` monthly (default), ``"QS"`` quarterly, ``"YS"`` yearly or
        ``"W"`` weekly.
    by
        None for the whole registry, a camera column (``"tier"``,
        ``"owner_type"``) or ``"ward"`` (needs ``wards``, or a ``ward`` column).
    as_of
        The data's "today": later registrations and withdrawals are ignored.
        Default: the newest registration or withdrawal date.
    wards
        Ward polygons (``ward_name`` or ``ward_id``) for ``by="ward"``.

    Returns
    -------
    DataFrame
        One row per period (and group): ``period`` (Timestamp, start of the
        period), the group column if ``by``, ``added``, ``withdrawn``, ``net``
        (cameras), ``cameras`` (in the registry at the end of the period, or at
        ``as_of`` for the last one), the same four for ``sites_*``, and
        ``complete`` (the period ended on or before ``as_of``). Periods run from
        the first registration to ``as_of``, with zero rows where nothing
        happened. ``attrs["undated_withdrawals"]`` and ``attrs["as_of"]`` are set.

    Examples
    --------
    >>> camera_history(cams, by="tier")                 # doctest: +SKIP
    """
    if freq not in FREQUENCIES:
        raise ValueError(
            f"`freq` was {freq!r} but is expected to be in {list(FREQUENCIES)}"
        )
    if as_of is None:
        as_of = _latest_date(cameras)
    events = registry_events(cameras, as_of=as_of)
    groups = _group_labels(cameras, by, wards)

    code = FREQUENCIES[freq]
    if events.empty:
        out = pd.DataFrame(
            {
                "period": pd.Series([], dtype="datetime64[ns]"),
                **({by: pd.Series([], dtype="string")} if by else {}),
                **{c: pd.Series([], dtype="int64") for c in COUNT_COLUMNS},
                "complete": pd.Series([], dtype=bool),
            }
        )
        out.attrs.update(undated_withdrawals=0, undated_registrations=0, as_of=as_of)
        return out

    first = events["registered"].min().to_period(code)
    last = pd.Timestamp(as_of).to_period(code)
    periods = pd.period_range(first, last, freq=code)
    keys = [None] if groups is None else sorted(groups.loc[events.index].unique())

    frames = []
    for key in keys:
        sub = events if groups is None else events[groups.loc[events.index] == key]
        added = _bucket(sub["registered"], sub["camera_count"], periods, code)
        gone = sub["withdrawn"].notna()
        withdrawn = _bucket(
            sub.loc[gone, "withdrawn"], sub.loc[gone, "camera_count"], periods, code
        )
        ones = pd.Series(1, index=sub.index)
        sites_added = _bucket(sub["registered"], ones, periods, code)
        sites_withdrawn = _bucket(sub.loc[gone, "withdrawn"], ones[gone], periods, code)
        frame = pd.DataFrame(
            {
                "period": periods.start_time,
                "added": added,
                "withdrawn": withdrawn,
                "net": added - withdrawn,
                "cameras": np.cumsum(added - withdrawn),
                "sites_added": sites_added,
                "sites_withdrawn": sites_withdrawn,
                "sites_net": sites_added - sites_withdrawn,
                "sites": np.cumsum(sites_added - sites_withdrawn),
                "complete": (periods.end_time.normalize() <= pd.Timestamp(as_of)),
            }
        )
        if by is not None:
            frame.insert(1, by, key)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(
        undated_withdrawals=events.attrs["undated_withdrawals"],
        undated_registrations=events.attrs["undated_registrations"],
        as_of=as_of,
    )
    return out


def cameras_on(cameras: pd.DataFrame, day: date) -> tuple[int, int]:
    """(cameras, sites) in the registry at the end of ``day``."""
    events = registry_events(cameras, as_of=day)
    active = events["withdrawn"].isna()
    return int(events.loc[active, "camera_count"].sum()), int(active.sum())


def _bucket(
    dates: pd.Series, weights: pd.Series, periods: pd.PeriodIndex, code: str
) -> np.ndarray:
    if dates.empty:
        return np.zeros(len(periods), dtype=np.int64)
    sums = weights.groupby(dates.dt.to_period(code)).sum()
    counts: np.ndarray = sums.reindex(periods, fill_value=0).to_numpy(dtype=np.int64)
    return counts


def _group_labels(
    cameras: pd.DataFrame, by: str | None, wards: gpd.GeoDataFrame | None
) -> pd.Series | None:
    if by is None:
        return None
    if by == WARD and WARD not in cameras.columns:
        if wards is None:
            raise ValueError(
                "`by` was 'ward' but no `wards` were given: pass the ward polygons "
                "or add a 'ward' column to the cameras"
            )
        return assign_wards(cameras, wards)
    if by not in cameras.columns:
        raise ValueError(
            f"`by` was {by!r} but is expected to be 'ward' or a camera column such "
            "as 'tier' or 'owner_type'"
        )
    return cameras[by].astype("string").fillna("(unknown)")


def _latest_date(cameras: pd.DataFrame) -> date:
    dates = [pd.to_datetime(cameras["registered_at"], errors="coerce").max()]
    if "withdrawn_at" in cameras.columns:
        dates.append(pd.to_datetime(cameras["withdrawn_at"], errors="coerce").max())
    dates = [d for d in dates if pd.notna(d)]
    return max(dates).date() if dates else date.today()
