"""Goal tracker: is the registry on course for its goal, and when will it get there?

Method, in short (docs/goal-tracker.md says it in plain words):

1. **History since launch.** Monthly net additions (registrations minus
   withdrawals, by ``camera_count``) for every *full* month from the first month
   that starts on or after ``city.launch_date`` to the last month that ended by
   ``as_of``. Cameras registered before the launch are the program's starting
   stock: they count in today's total but the models never see them as growth.
2. **Two models** of the monthly net additions ``x_t``:
   ``linear`` - a constant pace, the mean of the last ``LINEAR_WINDOW`` months
   (a straight line of the running total); ``exponential`` - a pace that grows or
   shrinks by a constant share each month, ``x_t = a * exp(g t)``, fitted by least
   squares on every month since launch (``g < 0`` is a saturating total that
   levels off, ``g > 0`` an accelerating one).
3. **Backtest.** Each model is fitted without the last ``BACKTEST_MONTHS`` months
   and asked to predict the running total over them; the error is the **mean
   absolute error in cameras** of the running total over those months. The
   simpler ``linear`` model is kept unless the other is at least
   ``MODEL_MARGIN`` (10%) better: six months cannot tell two close models apart.
4. **80% interval** by residual bootstrap: the chosen model's monthly residuals
   are resampled (with replacement) to make ``BOOTSTRAP_SAMPLES`` alternative
   histories; the model is refitted to each (uncertainty of the pace) and run
   forward with freshly resampled residuals (month-to-month noise). The interval
   is the 10th to 90th percentile of the simulated dates of reaching the goal.
5. **Horizon.** Nothing is projected past ``horizon_months``: a goal not reached
   by then is reported as not reached, never as a far-off date.

Scenarios on top of this forecast are in :mod:`analytics.scenarios`; the
sentences a forecast is reported in are in :mod:`analytics.forecast_text`.

>>> result = forecast_goal(cameras, city, as_of=date(2026, 11, 1))  # doctest: +SKIP
>>> result.projected_goal_date, result.interval                     # doctest: +SKIP
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from analytics import forecast_text as text
from analytics.config import CityConfig
from analytics.history import camera_history, cameras_on, registry_events

MIN_MONTHS = 6  # full months since launch needed before any forecast is made
PACE_MONTHS = 6  # "current pace" = mean net additions of the last 6 full months
LINEAR_WINDOW = 12  # the constant-pace model looks at the last 12 months
BACKTEST_MONTHS = 6  # held-out recent months for choosing the model
MIN_FIT_MONTHS = 4  # a model is never fitted on fewer months
MODEL_MARGIN = 0.10  # keep `linear` unless the other model is 10% better
BOOTSTRAP_SAMPLES = 1000
INTERVAL = (0.10, 0.90)  # 80% interval
DEFAULT_HORIZON_MONTHS = 120
MAX_MONTHLY_GROWTH = 0.10  # the exponential model's pace changes <= 10% a month
DAYS_PER_MONTH = 365.2425 / 12  # average Gregorian month, for "months until"
DEFAULT_SEED = 42
# fitted parameters of a model, one row per series: name -> array
Params = dict[str, np.ndarray]
MODELS = ("linear", "exponential")


# --- models ----------------------------------------------------------------------
# Each model works on a (B, n) array of monthly net additions (B alternative
# histories) and returns the (B, h) expected additions of the h months after them.
def _linear_fit(x: np.ndarray) -> dict[str, np.ndarray]:
    window = x[:, -LINEAR_WINDOW:]
    return {"pace": window.mean(axis=1), "start": x.shape[1] - window.shape[1]}


def _linear_fitted(params: Params, n: int) -> np.ndarray:
    pace = params["pace"][:, None]
    return np.repeat(pace, n - params["start"], axis=1)


def _linear_ahead(params: Params, n: int, h: int) -> np.ndarray:  # noqa: ARG001
    return np.repeat(params["pace"][:, None], h, axis=1)


def _exponential_fit(x: np.ndarray) -> dict[str, np.ndarray]:
    """Least squares ``x_t = a exp(g (t - tc))``, vectorised Levenberg-Marquardt."""
    n = x.shape[1]
    t = np.arange(n) - (n - 1) / 2.0
    a = x.mean(axis=1)
    g = np.zeros(len(x))
    lam = np.full(len(x), 1e-3)
    cost = ((x - a[:, None]) ** 2).sum(axis=1)
    for _ in range(60):
        e = np.exp(g[:, None] * t)
        r = x - a[:, None] * e
        ja, jg = e, a[:, None] * t * e
        saa, sgg, sag = (ja * ja).sum(1), (jg * jg).sum(1), (ja * jg).sum(1)
        ra, rg = (ja * r).sum(1), (jg * r).sum(1)
        saa_d, sgg_d = saa * (1 + lam) + 1e-12, sgg * (1 + lam) + 1e-12
        det = saa_d * sgg_d - sag**2
        da = (sgg_d * ra - sag * rg) / det
        dg = (saa_d * rg - sag * ra) / det
        g_new = np.clip(g + dg, -MAX_MONTHLY_GROWTH, MAX_MONTHLY_GROWTH)
        a_new = a + da
        new_cost = ((x - a_new[:, None] * np.exp(g_new[:, None] * t)) ** 2).sum(1)
        better = new_cost < cost
        a, g = np.where(better, a_new, a), np.where(better, g_new, g)
        cost = np.where(better, new_cost, cost)
        lam = np.where(better, lam / 3, lam * 5)
    return {"a": a, "g": g, "tc": (n - 1) / 2.0, "start": 0}


def _exponential_fitted(params: Params, n: int) -> np.ndarray:
    t = np.arange(n) - params["tc"]
    return np.asarray(params["a"][:, None] * np.exp(params["g"][:, None] * t))


def _exponential_ahead(params: Params, n: int, h: int) -> np.ndarray:
    t = np.arange(n, n + h) - params["tc"]
    return np.asarray(params["a"][:, None] * np.exp(params["g"][:, None] * t))


_MODELS = {
    "linear": (_linear_fit, _linear_fitted, _linear_ahead),
    "exponential": (_exponential_fit, _exponential_fitted, _exponential_ahead),
}


def _predict(model: str, x: np.ndarray, h: int) -> np.ndarray:
    fit, _, ahead = _MODELS[model]
    return np.asarray(ahead(fit(x[None, :]), len(x), h)[0])


def backtest(x: np.ndarray, stock: float, model: str, holdout: int) -> float:
    """Mean absolute error (cameras) of the running total over the last months.

    ``x`` are the monthly net additions since launch, ``stock`` the total before
    the first of them. The model is fitted on ``x[:-holdout]``.
    """
    train, test = x[:-holdout], x[-holdout:]
    start = stock + train.sum()
    predicted = start + np.cumsum(_predict(model, train, holdout))
    actual = start + np.cumsum(test)
    return float(np.mean(np.abs(predicted - actual)))


# --- result ----------------------------------------------------------------------
@dataclass(frozen=True)
class ForecastResult:
    """Where the registry stands, its pace, and when it reaches the goal.

    ``status`` is ``"ok"``, ``"too_short"`` (fewer than ``MIN_MONTHS`` full months
    since launch: no model, no date) or ``"goal_reached"``. ``message`` says the
    outcome in one plain sentence. ``projected_goal_date`` is None when the goal
    is not reached within ``horizon_months``; ``interval`` is the 80% interval
    ``(low, high)``, where ``high`` None means "later than the horizon".
    """

    as_of: date
    goal: int
    current_cameras: int
    current_sites: int
    current_integrated: int
    launch_date: date
    stock_at_launch: int
    months_since_launch: int
    status: str
    message: str
    current_monthly_pace: float | None
    pace_months: int
    target_date: date | None
    required_monthly_pace: float | None
    model: str | None
    backtest_error: float | None
    backtest_months: int
    backtest_errors: dict[str, float]
    projected_goal_date: date | None
    interval: tuple[date | None, date | None] | None
    horizon_months: int
    anchor_date: date | None
    anchor_cameras: int | None
    cameras_per_registered_site: float
    history: pd.DataFrame = field(repr=False)
    projection: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    paths: np.ndarray | None = field(default=None, repr=False)

    @property
    def goal_share(self) -> float:
        return self.current_cameras / self.goal

    @property
    def pace_gap(self) -> float | None:
        """Required minus current monthly pace (positive: the program is short)."""
        if self.required_monthly_pace is None or self.current_monthly_pace is None:
            return None
        return self.required_monthly_pace - self.current_monthly_pace

    @property
    def months_to_goal_at_pace(self) -> float | None:
        """Months to the goal if today's pace simply continued (None if <= 0)."""
        if not self.current_monthly_pace or self.current_monthly_pace <= 0:
            return None
        return max(self.goal - self.current_cameras, 0) / self.current_monthly_pace

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (dates as ISO strings)."""

        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "as_of": iso(self.as_of),
            "status": self.status,
            "message": self.message,
            "current_cameras": self.current_cameras,
            "current_sites": self.current_sites,
            "current_integrated": self.current_integrated,
            "goal": self.goal,
            "goal_share": round(self.goal_share, 4),
            "launch_date": iso(self.launch_date),
            "stock_at_launch": self.stock_at_launch,
            "months_since_launch": self.months_since_launch,
            "current_monthly_pace": _round(self.current_monthly_pace),
            "pace_months": self.pace_months,
            "target_date": iso(self.target_date),
            "required_monthly_pace": _round(self.required_monthly_pace),
            "pace_gap": _round(self.pace_gap),
            "months_to_goal_at_pace": _round(self.months_to_goal_at_pace),
            "model": self.model,
            "backtest_error": _round(self.backtest_error),
            "backtest_error_unit": "mean absolute error, cameras",
            "backtest_months": self.backtest_months,
            "backtest_errors": {k: _round(v) for k, v in self.backtest_errors.items()},
            "projected_goal_date": iso(self.projected_goal_date),
            "interval": {
                "level": round(INTERVAL[1] - INTERVAL[0], 2),
                "low": iso(self.interval[0]) if self.interval else None,
                "high": iso(self.interval[1]) if self.interval else None,
            },
            "horizon_months": self.horizon_months,
            "notes": list(self.notes),
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


# --- public functions --------------------------------------------------------------
def months_between(start: date, end: date) -> float:
    """Months from ``start`` to ``end`` in average Gregorian months (365.2425/12 d)."""
    return (end - start).days / DAYS_PER_MONTH


def required_pace(current: float, goal: float, as_of: date, target_date: date) -> float:
    """Net cameras a month needed to go from ``current`` on ``as_of`` to ``goal``.

    ``(goal - current) / months from as_of to target_date``; 0 when the goal is
    already reached.

    >>> required_pace(3_200, 30_000, date(2026, 1, 1), date(2027, 1, 1))
    2200.0...

    Raises
    ------
    ValueError
        ``target_date`` is not after ``as_of``.
    """
    if target_date <= as_of:
        raise ValueError(
            f"target date {target_date.isoformat()} is not after the data's date "
            f"{as_of.isoformat()}: pick a date in the future"
        )
    return max(goal - current, 0) / months_between(as_of, target_date)


def forecast_goal(
    cameras: pd.DataFrame,
    city: CityConfig,
    *,
    as_of: date | None = None,
    target_date: date | None = None,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    model: str | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> ForecastResult:
    """Current standing, pace, required pace and projected goal date.

    Parameters
    ----------
    cameras
        Canonical camera frame (all statuses: withdrawals matter).
    city
        Supplies ``goal_cameras`` and ``launch_date``.
    as_of
        The data's "today" (``Dataset.as_of``); default the newest date in the data.
    target_date
        Date by which the goal should be reached, for the required pace.
    horizon_months
        How far ahead to project (months after the last full month).
    model
        ``"linear"`` or ``"exponential"`` to force a model; None picks by backtest.
    samples, seed
        Bootstrap size and random seed (fixed: the same data gives the same answer).

    Raises
    ------
    ValueError
        ``target_date`` not after ``as_of``; bad ``model`` or ``horizon_months``.
    """
    if model is not None and model not in MODELS:
        raise ValueError(f"`model` was {model!r} but is expected to be in {MODELS}")
    if horizon_months < 1:
        raise ValueError(
            f"`horizon_months` was {horizon_months} but is expected to be >= 1"
        )
    history = camera_history(cameras, as_of=as_of)
    as_of = history.attrs["as_of"]
    goal = city.goal_cameras
    current, sites = cameras_on(cameras, as_of)
    integrated = _integrated_now(cameras, as_of)
    launch = city.launch_date
    stock = cameras_on(cameras, launch - timedelta(days=1))[0]
    per_site = _cameras_per_registered_site(cameras, as_of)
    required = required_pace(current, goal, as_of, target_date) if target_date else None
    notes = []
    no_date = history.attrs.get("undated_registrations", 0)
    if no_date:
        notes.append(text.undated_registrations_note(no_date))
    undated = history.attrs.get("undated_withdrawals", 0)
    if undated:
        notes.append(text.undated_withdrawals_note(undated))

    x, anchor_date = _monthly_since_launch(history, launch)
    n = len(x)
    # the real total at the end of the last full month: stock + full months would
    # miss the partial launch month (the sign-up spike) and start the curve low
    anchor = int(cameras_on(cameras, anchor_date)[0]) if anchor_date else None
    pace_n = min(PACE_MONTHS, n)
    pace = float(x[-pace_n:].mean()) if pace_n else None
    common = {
        "as_of": as_of,
        "goal": goal,
        "current_cameras": current,
        "current_sites": sites,
        "current_integrated": integrated,
        "launch_date": launch,
        "stock_at_launch": stock,
        "months_since_launch": n,
        "current_monthly_pace": pace,
        "pace_months": pace_n,
        "target_date": target_date,
        "required_monthly_pace": required,
        "horizon_months": horizon_months,
        "anchor_date": anchor_date,
        "anchor_cameras": anchor,
        "cameras_per_registered_site": per_site,
        "history": history,
    }
    empty = pd.DataFrame(columns=["date", "cameras", "low", "high"])
    no_model = {
        "model": None,
        "backtest_error": None,
        "backtest_months": 0,
        "backtest_errors": {},
        "projected_goal_date": None,
        "interval": None,
        "projection": empty,
    }
    if current >= goal:
        return ForecastResult(
            **common,
            **no_model,
            status="goal_reached",
            message=text.goal_reached(goal, current),
            notes=tuple(notes),
        )
    if history.empty:
        return ForecastResult(
            **common,
            **no_model,
            status="too_short",
            message=text.no_history(as_of),
            notes=tuple(notes),
        )
    if n < MIN_MONTHS:
        return ForecastResult(
            **common,
            **no_model,
            status="too_short",
            message=text.too_short(n, launch, MIN_MONTHS),
            notes=tuple(notes),
        )

    # n >= MIN_MONTHS here, so there is a last full month and its total
    assert anchor_date is not None
    assert anchor is not None
    holdout = min(BACKTEST_MONTHS, n - MIN_FIT_MONTHS)
    errors = {m: backtest(x, stock, m, holdout) for m in MODELS}
    chosen = model or _choose(errors)
    rng = np.random.default_rng(seed)
    paths = _bootstrap_paths(chosen, x, anchor, horizon_months, samples, rng)
    point = anchor + np.cumsum(_predict(chosen, x, horizon_months))
    point = np.maximum(point, 0)
    month_starts = [
        add_months(anchor_date + timedelta(days=1), k) for k in range(horizon_months)
    ]
    projected = crossing_date(np.r_[anchor, point], goal, month_starts)
    low, high = interval_dates(paths, anchor, goal, month_starts)
    lo_q, hi_q = np.quantile(paths, INTERVAL, axis=0)
    projection = pd.DataFrame(
        {
            "date": [anchor_date, *[month_end(s) for s in month_starts]],
            "cameras": np.r_[anchor, point],
            "low": np.r_[anchor, lo_q],
            "high": np.r_[anchor, hi_q],
        }
    )
    message = text.projection(goal, projected, (low, high), horizon_months, chosen)
    return ForecastResult(
        **common,
        status="ok",
        message=message,
        model=chosen,
        backtest_error=errors[chosen],
        backtest_months=holdout,
        backtest_errors=errors,
        projected_goal_date=projected,
        interval=(low, high),
        projection=projection,
        notes=tuple(notes),
        paths=paths,
    )


# --- helpers -----------------------------------------------------------------------
def _choose(errors: dict[str, float]) -> str:
    best = min(errors, key=lambda m: errors[m])
    if best != "linear" and errors[best] >= (1 - MODEL_MARGIN) * errors["linear"]:
        return "linear"
    return best


def _bootstrap_paths(
    model: str,
    x: np.ndarray,
    anchor: float,
    horizon: int,
    samples: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """(samples, horizon) running totals from the residual bootstrap."""
    fit, fitted, ahead = _MODELS[model]
    n = len(x)
    params = fit(x[None, :])
    start = int(params["start"])
    base = fitted(params, n)[0]
    resid = x[start:] - base
    resid = resid - resid.mean()
    m = len(resid)
    sim = base[None, :] + resid[rng.integers(0, m, size=(samples, m))]
    if start:
        # the window model only sees its window; earlier months are irrelevant
        x_star = np.concatenate([np.repeat(x[None, :start], samples, axis=0), sim], 1)
    else:
        x_star = sim
    refit = fit(x_star)
    future = (
        ahead(refit, n, horizon) + resid[rng.integers(0, m, size=(samples, horizon))]
    )
    return np.maximum(anchor + np.cumsum(future, axis=1), 0)


def _crossing_positions(levels: np.ndarray, goal: float) -> np.ndarray:
    """Months after the anchor at which each row of ``levels`` reaches ``goal``.

    ``levels`` is (B, 1 + h): the total at the anchor, then at each month end.
    Linear within the month of crossing; ``inf`` when never reached.
    """
    levels = np.atleast_2d(levels)
    reached = levels[:, 1:] >= goal
    hit = reached.any(axis=1)
    k = reached.argmax(axis=1)
    rows = np.arange(len(levels))
    before, after = levels[rows, k], levels[rows, k + 1]
    step = np.where(after > before, after - before, 1.0)
    share = np.clip(np.where(after > before, (goal - before) / step, 1.0), 0.0, 1.0)
    return np.where(hit, k + share, np.inf)


def _position_date(position: float, month_starts: Sequence[date]) -> date | None:
    """Calendar day ``position`` months after the anchor (None past the horizon)."""
    if not np.isfinite(position) or position > len(month_starts):
        return None
    k = min(int(position), len(month_starts) - 1)
    share = position - k
    start = month_starts[k]
    days = calendar.monthrange(start.year, start.month)[1]
    return start + timedelta(days=min(max(math.ceil(share * days) - 1, 0), days - 1))


def crossing_date(
    levels: np.ndarray, goal: float, month_starts: Sequence[date]
) -> date | None:
    """Day a single path of totals (anchor first) reaches ``goal``, or None."""
    return _position_date(float(_crossing_positions(levels, goal)[0]), month_starts)


def interval_dates(
    paths: np.ndarray, anchor: float, goal: float, month_starts: Sequence[date]
) -> tuple[date | None, date | None]:
    """10th and 90th percentile of the simulated goal dates (None: not reached)."""
    levels = np.c_[np.full(len(paths), anchor), paths]
    positions = _crossing_positions(levels, goal)
    # never reached = later than anything in the horizon
    positions = np.where(np.isfinite(positions), positions, len(month_starts) + 1.0)
    low, high = np.quantile(positions, INTERVAL)
    return _position_date(low, month_starts), _position_date(high, month_starts)


def _monthly_since_launch(
    history: pd.DataFrame, launch: date
) -> tuple[np.ndarray, date | None]:
    """Net additions of the full months since launch, and the last one's end."""
    first = pd.Timestamp(launch).to_period("M")
    if launch.day != 1:
        first += 1
    months = history[
        history["complete"] & (history["period"] >= first.start_time)
    ].sort_values("period")
    if months.empty:
        return np.zeros(0), None
    anchor = month_end(months["period"].iloc[-1].date())
    return months["net"].to_numpy(dtype=float), anchor


def _integrated_now(cameras: pd.DataFrame, as_of: date) -> int:
    events = registry_events(cameras, as_of=as_of)
    active = events["withdrawn"].isna()
    tier = cameras.loc[events.index, "tier"].astype("string").eq("integrated")
    return int(events.loc[active & tier.fillna(False).to_numpy(), "camera_count"].sum())


def _cameras_per_registered_site(cameras: pd.DataFrame, as_of: date) -> float:
    events = registry_events(cameras, as_of=as_of)
    active = events["withdrawn"].isna()
    tier = cameras.loc[events.index, "tier"].astype("string").eq("registered")
    sel = events.loc[active & tier.fillna(False).to_numpy(), "camera_count"]
    return float(sel.mean()) if len(sel) else 1.0


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 1)


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def ordinal(day: date) -> int:
    return int(pd.Timestamp(day).toordinal())
