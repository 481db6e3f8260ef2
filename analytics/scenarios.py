"""Scenarios: what extra recruitment, a campaign or funded devices would change.

Each :class:`Scenario` is a driver added on top of the baseline forecast of
:func:`analytics.forecast.forecast_goal`; :func:`run_scenarios` puts them side
by side with the same bootstrap uncertainty as the baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from analytics.forecast import (
    INTERVAL,
    ForecastResult,
    add_months,
    crossing_date,
    interval_dates,
    month_end,
    months_between,
    ordinal,
)

BASELINE = "Baseline (current trend)"


@dataclass(frozen=True)
class Scenario:
    """A driver added on top of the baseline forecast.

    Parameters
    ----------
    name
        Label shown in tables and charts.
    extra_per_month
        Additional net cameras every month from ``start`` (e.g. an outreach
        programme or a subsidy).
    campaign_cameras
        One-off sign-ups in the month of ``campaign_month``.
    devices_per_year
        Integration devices funded each year from ``start`` (spread evenly over
        the months). Each converts ``cameras_per_device`` registered cameras to
        integrated and adds ``new_cameras_per_device`` cameras that were not
        registered before.
    device_tier
        Name of the device in ``city.devices`` (for costs).
    start, campaign_month
        Default: the first projected month.
    cameras_per_device
        Default: the registry's mean cameras per registered site.
    """

    name: str
    extra_per_month: float = 0.0
    campaign_cameras: float = 0.0
    campaign_month: date | None = None
    devices_per_year: float = 0.0
    device_tier: str | None = None
    new_cameras_per_device: float = 0.0
    cameras_per_device: float | None = None
    start: date | None = None

    def __post_init__(self) -> None:
        for name in (
            "extra_per_month",
            "campaign_cameras",
            "devices_per_year",
            "new_cameras_per_device",
        ):
            value = getattr(self, name)
            if value < 0:
                raise ValueError(
                    f"`{name}` was {value} but is expected to be >= 0 "
                    f"(scenario {self.name!r})"
                )


@dataclass(frozen=True)
class ScenarioComparison:
    """Scenarios side by side: one summary row and one monthly curve each."""

    summary: pd.DataFrame
    curves: pd.DataFrame


def scenario_additions(
    scenario: Scenario, month_starts: Sequence[date], per_site: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extra cameras, new devices and converted cameras per projected month.

    Returns three arrays aligned with ``month_starts``: cameras added on top of
    the baseline, devices installed, and registered cameras converted to
    integrated (before any cap).
    """
    starts = np.array(month_starts, dtype="datetime64[D]")
    first = starts[0] if len(starts) else None
    start = np.datetime64(scenario.start, "D") if scenario.start else first
    # a month counts from `start` when the start falls in it or before it
    month_ends = np.array([month_end(s) for s in month_starts], dtype="datetime64[D]")
    on = month_ends >= start
    extra = np.where(on, scenario.extra_per_month, 0.0)
    if scenario.campaign_cameras:
        when = scenario.campaign_month or month_starts[0]
        hit = np.array(
            [(s.year, s.month) == (when.year, when.month) for s in month_starts]
        )
        if not hit.any():
            raise ValueError(
                f"campaign month {when.isoformat()} of scenario {scenario.name!r} is "
                f"outside the projection ({month_starts[0]} to {month_starts[-1]})"
            )
        extra = extra + np.where(hit, scenario.campaign_cameras, 0.0)
    devices = np.where(on, scenario.devices_per_year / 12.0, 0.0)
    extra = extra + devices * scenario.new_cameras_per_device
    per_device = (
        per_site if scenario.cameras_per_device is None else scenario.cameras_per_device
    )
    return extra, devices, devices * per_device


def run_scenarios(
    forecast: ForecastResult, scenarios: Sequence[Scenario]
) -> ScenarioComparison:
    """Each scenario's curve, goal date and 80% interval beside the baseline.

    The scenario's extra cameras are added to every bootstrap path of the
    baseline, so its interval carries the same uncertainty as the baseline's.

    Returns
    -------
    ScenarioComparison
        ``summary``: ``scenario``, ``goal_date``, ``low``, ``high``,
        ``months_sooner`` (than the baseline; None when either is not reached),
        ``cameras_at_end``, ``integrated_at_end``, ``devices``, plus
        ``cameras_at_target`` if the forecast has a target date. ``curves``:
        ``scenario``, ``date``, ``cameras``, ``low``, ``high``, ``integrated``.

    Raises
    ------
    ValueError
        The forecast has no projection (too short a history, or goal reached).
    """
    if forecast.status != "ok" or forecast.paths is None:
        raise ValueError(
            f"scenarios need a projection but the forecast status is "
            f"{forecast.status!r}: {forecast.message}"
        )
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names) or BASELINE in names:
        raise ValueError(
            f"scenario names {names} must be unique and differ from {BASELINE!r}"
        )
    assert forecast.anchor_date is not None  # status "ok" has a projection
    assert forecast.anchor_cameras is not None
    horizon = forecast.horizon_months
    month_starts = [
        add_months(forecast.anchor_date + timedelta(days=1), k) for k in range(horizon)
    ]
    dates = forecast.projection["date"].tolist()
    base = forecast.projection["cameras"].to_numpy()[1:]
    anchor = forecast.anchor_cameras
    rows, curves = [], []
    base_goal = forecast.projected_goal_date
    for scenario in [Scenario(BASELINE), *scenarios]:
        extra, devices, converted = scenario_additions(
            scenario, month_starts, forecast.cameras_per_registered_site
        )
        added = np.cumsum(extra)
        total = base + added
        paths = forecast.paths + added
        goal_date = crossing_date(np.r_[anchor, total], forecast.goal, month_starts)
        low, high = interval_dates(paths, anchor, forecast.goal, month_starts)
        lo_q, hi_q = np.quantile(paths, INTERVAL, axis=0)
        new_integrated = np.cumsum(devices * scenario.new_cameras_per_device)
        registered_left = np.maximum(
            total - forecast.current_integrated - new_integrated, 0
        )
        integrated = (
            forecast.current_integrated
            + new_integrated
            + np.minimum(np.cumsum(converted), registered_left)
        )
        row = {
            "scenario": scenario.name,
            "goal_date": goal_date,
            "low": low,
            "high": high,
            "months_sooner": (
                round(months_between(goal_date, base_goal), 1)
                if goal_date and base_goal
                else None
            ),
            "cameras_at_end": round(float(total[-1])),
            "integrated_at_end": round(float(integrated[-1])),
            "devices": round(float(devices.sum()), 1),
        }
        if forecast.target_date:
            at_target = np.interp(
                ordinal(forecast.target_date),
                [ordinal(d) for d in dates],
                np.r_[anchor, total],
            )
            row["cameras_at_target"] = round(float(at_target))
        rows.append(row)
        curves.append(
            pd.DataFrame(
                {
                    "scenario": scenario.name,
                    "date": dates,
                    "cameras": np.r_[anchor, total],
                    "low": np.r_[anchor, lo_q],
                    "high": np.r_[anchor, hi_q],
                    "integrated": np.r_[forecast.current_integrated, integrated],
                }
            )
        )
    return ScenarioComparison(pd.DataFrame(rows), pd.concat(curves, ignore_index=True))
