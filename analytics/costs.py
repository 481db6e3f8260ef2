"""Integration device costs: upfront, yearly and in total, for a mix of devices.

Device prices come from the city configuration (``city.devices``: for Little Rock
an entry device at $350 + $150/year up to a top-tier one at $7,200 + $2,300/year).
A device's yearly fee is paid for every year it is in service, the first year
included, so one entry device kept 3 years costs 350 + 3 x 150 = $800.

>>> table = device_costs(city, 10, {"Entry device": 1.0}, 3)   # doctest: +SKIP
>>> table.loc[table["device"] == "Total", "total_usd"].item()  # doctest: +SKIP
8000.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics.config import CityConfig, DeviceTier
from analytics.coverage_state import CoverageState

TOTAL = "Total"
SHARE_TOLERANCE = 1e-6
COST_COLUMNS = (
    "device",
    "devices",
    "upfront_each_usd",
    "yearly_each_usd",
    "upfront_usd",
    "yearly_usd",
    "total_usd",
)


def device_costs(
    city: CityConfig,
    integrations: int,
    tier_mix: Mapping[str, float] | str,
    years: float,
    *,
    additional_covered_incidents: float | None = None,
) -> pd.DataFrame:
    """Upfront, yearly and total cost of ``integrations`` devices kept ``years``.

    Parameters
    ----------
    city
        Supplies the device tiers (``city.devices``).
    integrations
        Number of devices (one per integrated site).
    tier_mix
        Share of the devices per device name, e.g. ``{"Entry device": 0.8, ...}``
        (shares sum to 1), or one device name for all of them. Devices are split
        by largest remainder, so the counts add up to ``integrations`` exactly.
    years
        Years the devices are kept (yearly fees paid for each).
    additional_covered_incidents
        Incidents a year the devices would add to live coverage (from the
        coverage engine), for the cost per additional covered incident.

    Returns
    -------
    DataFrame
        One row per device tier in the mix and a ``"Total"`` row: ``device``,
        ``devices``, ``upfront_each_usd``, ``yearly_each_usd``, ``upfront_usd``,
        ``yearly_usd`` (a year, all devices), ``total_usd`` (upfront + yearly x
        years); with ``additional_covered_incidents`` also
        ``usd_per_covered_incident`` on the total row (total over the years
        divided by the incidents covered over the same years; NaN when none).

    Raises
    ------
    ValueError
        Negative counts or years, an unknown device name, or shares not summing
        to 1.
    """
    if integrations < 0 or int(integrations) != integrations:
        raise ValueError(
            f"`integrations` was {integrations!r} but is expected to be a whole "
            "number >= 0"
        )
    if years < 0:
        raise ValueError(f"`years` was {years!r} but is expected to be >= 0")
    tiers = _tiers(city)
    shares = _shares(tier_mix, tiers)
    counts = split_devices(int(integrations), list(shares.values()))
    rows = []
    for (name, _), count in zip(shares.items(), counts, strict=True):
        tier = tiers[name]
        rows.append(
            {
                "device": name,
                "devices": count,
                "upfront_each_usd": tier.upfront_usd,
                "yearly_each_usd": tier.yearly_usd,
                "upfront_usd": count * tier.upfront_usd,
                "yearly_usd": count * tier.yearly_usd,
                "total_usd": count * tier.cost(years),
            }
        )
    table = pd.DataFrame(rows, columns=list(COST_COLUMNS))
    total = {
        "device": TOTAL,
        "devices": int(table["devices"].sum()),
        "upfront_each_usd": np.nan,
        "yearly_each_usd": np.nan,
        "upfront_usd": float(table["upfront_usd"].sum()),
        "yearly_usd": float(table["yearly_usd"].sum()),
        "total_usd": float(table["total_usd"].sum()),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["devices"] = table["devices"].astype(int)
    if additional_covered_incidents is not None:
        # the incidents are covered by all devices together: only the total has one
        per_incident = cost_per_covered_incident(
            float(table["total_usd"].iloc[-1]), additional_covered_incidents, years
        )
        table["usd_per_covered_incident"] = np.nan
        if per_incident is not None:
            table.loc[table["device"] == TOTAL, "usd_per_covered_incident"] = (
                per_incident
            )
    table.attrs["years"] = years
    return table


def program_costs(
    city: CityConfig,
    devices_per_year: int,
    tier_mix: Mapping[str, float] | str,
    years: int,
) -> pd.DataFrame:
    """Year-by-year cost of funding ``devices_per_year`` new devices every year.

    Devices bought in year ``i`` (1-based) pay their upfront price that year and
    a yearly fee in every year from ``i`` to ``years``.

    Returns
    -------
    DataFrame
        ``year``, ``devices_bought``, ``devices_in_service``, ``upfront_usd``,
        ``yearly_fees_usd``, ``total_usd``, ``cumulative_usd``.
    """
    if years < 1 or int(years) != years:
        raise ValueError(f"`years` was {years!r} but is expected to be a whole >= 1")
    one_year = device_costs(city, devices_per_year, tier_mix, 1)
    total_row = one_year[one_year["device"] == TOTAL].iloc[0]
    upfront, fee = float(total_row["upfront_usd"]), float(total_row["yearly_usd"])
    year = np.arange(1, int(years) + 1)
    in_service = year * int(devices_per_year)
    frame = pd.DataFrame(
        {
            "year": year,
            "devices_bought": int(devices_per_year),
            "devices_in_service": in_service,
            "upfront_usd": upfront,
            "yearly_fees_usd": fee * year,
        }
    )
    frame["total_usd"] = frame["upfront_usd"] + frame["yearly_fees_usd"]
    frame["cumulative_usd"] = frame["total_usd"].cumsum()
    return frame


def cost_per_covered_incident(
    total_usd: float, additional_covered_incidents: float, years: float = 1.0
) -> float | None:
    """Dollars per additional incident covered: total / (incidents a year x years).

    None when no additional incident would be covered (the cost per incident is
    unbounded, not zero).
    """
    if additional_covered_incidents < 0:
        raise ValueError(
            "`additional_covered_incidents` was "
            f"{additional_covered_incidents!r} but is expected to be >= 0"
        )
    covered = additional_covered_incidents * years
    if covered <= 0:
        return None
    return total_usd / covered


def split_devices(total: int, shares: list[float]) -> list[int]:
    """Whole device counts in proportion to ``shares`` that add up to ``total``.

    >>> split_devices(10, [0.25, 0.75])
    [3, 7]
    """
    raw = [total * s for s in shares]
    counts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _tiers(city: CityConfig) -> dict[str, DeviceTier]:
    if not city.devices:
        raise ValueError(
            f"city {city.id!r} lists no integration devices: add "
            "[[integration.devices]] to its configuration"
        )
    return {d.name: d for d in city.devices}


def _shares(
    tier_mix: Mapping[str, float] | str, tiers: dict[str, DeviceTier]
) -> dict[str, float]:
    mix = {tier_mix: 1.0} if isinstance(tier_mix, str) else dict(tier_mix)
    unknown = [name for name in mix if name not in tiers]
    if unknown:
        raise ValueError(
            f"device(s) {unknown} in `tier_mix` but is expected to be in {list(tiers)}"
        )
    if any(v < 0 for v in mix.values()) or not math.isclose(
        sum(mix.values()), 1.0, abs_tol=SHARE_TOLERANCE
    ):
        raise ValueError(
            f"`tier_mix` shares were {mix} but are expected to be >= 0 and sum to 1"
        )
    return mix


def live_gain_per_device(state: CoverageState, incidents: pd.DataFrame) -> float:
    """Incidents a year one integration device would newly bring into live view.

    A device turns a registered ("ask the owner") site into an integrated one, so
    the incidents that site sees and no integrated camera already sees become
    visible live. Which sites will integrate is unknown, so this is the average
    over today's registered sites: (pairs of registered site and incident seen
    only on request) / registered sites / years of incidents. Two registered
    sites seeing the same incident both count it, so K devices at this rate can
    overstate the gain where registered sites overlap.

    Parameters
    ----------
    state
        The coverage arrays :func:`analytics.coverage.coverage_report` built
        (which sites see which incidents); nothing is recomputed here. The
        report carries the result as ``CoverageReport.live_gain_per_device``.
    incidents
        The incidents of ``state`` (same rows), for the years they span.

    Returns 0.0 when there are no registered sites or no incidents.
    """
    if len(incidents) != state.incidents:
        raise ValueError(
            f"`incidents` has {len(incidents)} rows but `state` was built for "
            f"{state.incidents}"
        )
    n_registered = int((~state.cameras.integrated).sum())
    if n_registered == 0 or state.incidents == 0:
        return 0.0
    registered_seeing = state.sites_seeing - state.live_sites_seeing
    on_request_pairs = int(registered_seeing[~state.covered_live].sum())
    occurred = pd.to_datetime(incidents["occurred_at"])
    days = (occurred.max() - occurred.min()).days if occurred.notna().any() else 0
    years = max(days, 30) / 365.25  # a month at least: no rate from one day
    return on_request_pairs / n_registered / years
