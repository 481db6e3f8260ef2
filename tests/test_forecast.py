"""Forecast, pace and scenarios on hand-made registries with known answers.

Every registry has a pre-launch stock of 3,200 cameras (Little Rock's launch is
2024-08-05, so the first full month since launch is September 2024) and then a
known number of cameras registered on the 1st of each month.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.forecast import (
    DAYS_PER_MONTH,
    backtest,
    forecast_goal,
    required_pace,
)
from analytics.scenarios import BASELINE, Scenario, run_scenarios
from tests.conftest import CENTRE, make_cameras

STOCK = 3_200
FIRST_MONTH = date(2024, 9, 1)
AS_OF = date(2026, 8, 31)  # end of the 24th month since launch
GOAL = 30_000


def _month(k: int, day: int = 1) -> date:
    year, month = divmod(FIRST_MONTH.month - 1 + k, 12)
    return date(FIRST_MONTH.year + year, month + 1, day)


def registry(monthly, withdrawn_monthly=None, stock=STOCK):
    """Stock registered in January 2024, then ``monthly[k]`` cameras in month k.

    ``withdrawn_monthly[k]`` cameras of the stock are withdrawn on the 15th of
    month k (the stock is split so those rows exist).
    """
    lat, lon = CENTRE
    withdrawn_monthly = withdrawn_monthly or []
    rows = []
    for k, n in enumerate(withdrawn_monthly):
        rows.append(
            {
                "registered_at": date(2024, 1, 15),
                "camera_count": n,
                "status": "withdrawn",
                "withdrawn_at": _month(k, 15),
            }
        )
    rest = stock - sum(withdrawn_monthly)
    rows.append({"registered_at": date(2024, 1, 15), "camera_count": rest})
    rows += [
        {"registered_at": _month(k), "camera_count": n}
        for k, n in enumerate(monthly)
        if n
    ]
    for row in rows:
        row["latitude"], row["longitude"] = lat, lon
    return make_cameras(rows)


def test_exactly_linear_growth_reaches_goal_on_the_rulers_date(city):
    cams = registry([100] * 24)
    result = forecast_goal(cams, city, as_of=AS_OF, horizon_months=300)
    assert result.status == "ok"
    assert result.stock_at_launch == STOCK
    assert result.current_cameras == STOCK + 24 * 100
    assert result.current_monthly_pace == pytest.approx(100)
    assert result.model == "linear"  # both models fit exactly; the simpler wins
    assert result.backtest_error == pytest.approx(0, abs=1e-6)
    # ruler: 5,600 now + 100 a month -> 30,000 after 244 more months, i.e. the
    # registrations of 1 December 2046
    ruler = date(2046, 12, 1)
    assert abs((result.projected_goal_date - ruler).days) <= 31
    low, high = result.interval
    assert abs((low - ruler).days) <= 31
    assert abs((high - ruler).days) <= 31


def test_linear_growth_from_launch_stock_is_268_months(city):
    # the example: from 3,200 at +100 a month the goal is 268 months away
    # 2,600 stock, five quiet months, then six months of +100: 3,200 at the end
    # of July 2025 and a 6-month pace of 100 -> (30,000 - 3,200) / 100 = 268
    cams = registry([0] * 5 + [100] * 6, stock=STOCK - 600)
    result = forecast_goal(cams, city, as_of=date(2025, 7, 31))
    assert result.months_since_launch == 11
    assert result.current_cameras == STOCK
    assert result.current_monthly_pace == pytest.approx(100)
    assert result.months_to_goal_at_pace == pytest.approx(268)


def test_flat_growth_is_not_reached_within_the_horizon(city):
    result = forecast_goal(registry([0] * 24), city, as_of=AS_OF)
    assert result.status == "ok"
    assert result.current_monthly_pace == 0
    assert result.projected_goal_date is None
    assert result.interval == (None, None)
    assert "not reached" in result.message
    assert result.to_dict()["projected_goal_date"] is None
    assert result.months_to_goal_at_pace is None


def test_withdrawals_subtract_from_the_pace(city):
    cams = registry([100] * 24, withdrawn_monthly=[20] * 24)
    result = forecast_goal(cams, city, as_of=AS_OF, horizon_months=400)
    assert result.current_monthly_pace == pytest.approx(100 - 20)
    assert result.current_cameras == STOCK + 24 * (100 - 20)
    # 5,120 now + 80 a month: 24,880 more take 311 months -> July 2052
    assert abs((result.projected_goal_date - date(2052, 7, 31)).days) <= 31


def test_too_short_history_gives_a_message_and_no_date(city):
    cams = registry([100] * 5)
    result = forecast_goal(cams, city, as_of=date(2025, 1, 31))
    assert result.status == "too_short"
    assert result.months_since_launch == 5
    assert result.projected_goal_date is None
    assert result.model is None
    assert "Only 5 full month(s)" in result.message
    assert "no goal date" in result.message
    with pytest.raises(ValueError, match="too_short"):
        run_scenarios(result, [Scenario("more", extra_per_month=10)])


def test_partial_month_is_not_used_for_the_fit(city):
    cams = registry([100] * 24 + [5000])  # 1 Sep 2026: a partial month at as_of
    result = forecast_goal(cams, city, as_of=date(2026, 9, 1))
    assert result.months_since_launch == 24
    assert result.current_monthly_pace == pytest.approx(100)
    assert result.current_cameras == STOCK + 2400 + 5000


@pytest.mark.parametrize("target", [date(2026, 8, 31), date(2020, 1, 1)])
def test_target_date_not_in_the_future_is_refused(city, target):
    with pytest.raises(ValueError, match=target.isoformat()):
        forecast_goal(registry([100] * 24), city, as_of=AS_OF, target_date=target)


def test_required_pace_by_hand(city):
    target = date(2030, 8, 31)  # 1,461 days after AS_OF
    result = forecast_goal(registry([100] * 24), city, as_of=AS_OF, target_date=target)
    months = 1461 / (365.2425 / 12)
    expected = (GOAL - 5_600) / months
    assert result.required_monthly_pace == pytest.approx(expected)
    assert result.pace_gap == pytest.approx(expected - 100)
    assert required_pace(29_000, GOAL, date(2026, 1, 1), date(2026, 1, 31)) == (
        pytest.approx(1_000 / (30 / DAYS_PER_MONTH))
    )
    assert required_pace(31_000, GOAL, date(2026, 1, 1), date(2027, 1, 1)) == 0


def test_backtest_error_by_hand():
    # trained on ten months of 100, the constant pace predicts 100 a month; the
    # six held-out months had 200, so the running total is short by 100, 200, ...
    # 600: mean absolute error 350 cameras
    x = np.array([100.0] * 10 + [200.0] * 6)
    assert backtest(x, 1_000, "linear", 6) == pytest.approx(350)


def test_accelerating_growth_chooses_the_exponential_model(city):
    monthly = [round(100 * 1.05**k) for k in range(24)]
    result = forecast_goal(registry(monthly), city, as_of=AS_OF)
    assert result.model == "exponential"
    assert result.backtest_errors["exponential"] < result.backtest_errors["linear"]


def test_noisy_growth_interval_brackets_the_projection(city):
    monthly = [50, 150] * 12
    result = forecast_goal(registry(monthly), city, as_of=AS_OF, horizon_months=400)
    low, high = result.interval
    assert low < result.projected_goal_date < high
    band = result.projection
    assert (band["low"] <= band["cameras"] + 1e-9).all()
    assert (band["cameras"] <= band["high"] + 1e-9).all()


def test_undated_withdrawal_is_noted_and_not_counted(city):
    cams = registry([100] * 24)
    cams.loc[len(cams) - 1, "status"] = "withdrawn"  # the last month's 100, no date
    result = forecast_goal(cams, city, as_of=AS_OF)
    assert result.current_cameras == STOCK + 23 * 100
    assert any("no withdrawal date" in note for note in result.notes)


def test_goal_already_reached(city):
    result = forecast_goal(registry([100] * 24, stock=GOAL), city, as_of=AS_OF)
    assert result.status == "goal_reached"
    assert result.projected_goal_date is None


def test_json_summary_has_the_documented_keys(city):
    result = forecast_goal(registry([100] * 24), city, as_of=AS_OF)
    data = json.loads(json.dumps(result.to_dict()))
    for key in (
        "current_cameras",
        "goal",
        "goal_share",
        "current_monthly_pace",
        "required_monthly_pace",
        "model",
        "backtest_error",
        "projected_goal_date",
        "interval",
    ):
        assert key in data
    assert data["goal_share"] == pytest.approx(5_600 / GOAL, abs=1e-4)


# --- scenarios ---------------------------------------------------------------------
@pytest.fixture
def linear_forecast(city):
    return forecast_goal(registry([100] * 24), city, as_of=AS_OF, horizon_months=300)


def test_scenario_adds_exactly_n_a_month(linear_forecast):
    out = run_scenarios(linear_forecast, [Scenario("plus 50", extra_per_month=50)])
    curves = out.curves.pivot(index="date", columns="scenario", values="cameras")
    diff = (curves["plus 50"] - curves[BASELINE]).to_numpy()
    assert np.allclose(diff, 50 * np.arange(len(diff)))
    row = out.summary.set_index("scenario").loc["plus 50"]
    # 5,600 + 150 a month: 29,900 at the end of February 2040, the last 100 come
    # two thirds into March 2040
    assert abs((row["goal_date"] - date(2040, 3, 21)).days) <= 3
    assert row["months_sooner"] > 0


def test_campaign_is_a_one_off_step(linear_forecast):
    month = date(2027, 3, 1)
    out = run_scenarios(
        linear_forecast,
        [Scenario("drive", campaign_cameras=1_000, campaign_month=month)],
    )
    curves = out.curves.pivot(index="date", columns="scenario", values="cameras")
    diff = curves["drive"] - curves[BASELINE]
    assert (diff[diff.index < date(2027, 3, 31)] == 0).all()
    assert (diff[diff.index >= date(2027, 3, 31)] == 1_000).all()


def test_scenario_starting_later_adds_nothing_before(linear_forecast):
    out = run_scenarios(
        linear_forecast,
        [Scenario("later", extra_per_month=10, start=date(2027, 1, 1))],
    )
    curves = out.curves.pivot(index="date", columns="scenario", values="cameras")
    diff = curves["later"] - curves[BASELINE]
    assert diff.loc[date(2026, 12, 31)] == 0
    assert diff.loc[date(2027, 1, 31)] == 10
    assert diff.loc[date(2027, 12, 31)] == 120


def test_devices_convert_and_add_cameras(linear_forecast):
    scenario = Scenario(
        "devices",
        devices_per_year=120,
        new_cameras_per_device=1,
        cameras_per_device=2,
    )
    out = run_scenarios(linear_forecast, [scenario])
    curves = out.curves[out.curves["scenario"] == "devices"].reset_index(drop=True)
    base = out.curves[out.curves["scenario"] == BASELINE].reset_index(drop=True)
    # 10 devices a month: +10 new cameras, +20 converted + 10 new integrated
    assert curves.loc[12, "cameras"] - base.loc[12, "cameras"] == pytest.approx(120)
    assert curves.loc[12, "integrated"] - curves.loc[0, "integrated"] == (
        pytest.approx(12 * 30)
    )
    assert out.summary.set_index("scenario").loc["devices", "devices"] == 3_000


def test_scenario_validation(linear_forecast):
    with pytest.raises(ValueError, match="`extra_per_month` was -5"):
        Scenario("bad", extra_per_month=-5)
    with pytest.raises(ValueError, match="unique"):
        run_scenarios(linear_forecast, [Scenario("a"), Scenario("a")])
    with pytest.raises(ValueError, match="outside the projection"):
        run_scenarios(
            linear_forecast,
            [Scenario("past", campaign_cameras=5, campaign_month=date(2020, 1, 1))],
        )


def test_empty_registry_says_there_is_no_history(city):
    empty = registry([100] * 3).iloc[:0]
    result = forecast_goal(empty, city, as_of=AS_OF)
    assert result.status == "too_short"
    assert result.current_cameras == 0
    assert "no history" in result.message


def test_projection_starts_at_todays_total_including_the_launch_month(city):
    # 500 sign-ups between launch (5 Aug 2024) and the first full month: they are
    # not a full month of pace, but they are cameras, so the curve starts at
    # 3,200 + 500 + 24 * 100 = 6,100, not 5,600.
    cams = registry([100] * 24)
    lat, lon = CENTRE
    extra = make_cameras(
        [
            {
                "registered_at": date(2024, 8, 20),
                "camera_count": 500,
                "latitude": lat,
                "longitude": lon,
                "camera_id": "LAUNCH",
            }
        ]
    )
    cams = type(cams)(pd.concat([cams, extra], ignore_index=True), crs=cams.crs)
    result = forecast_goal(cams, city, as_of=AS_OF, horizon_months=300)
    assert result.current_cameras == 6_100
    assert result.anchor_cameras == 6_100
    assert result.projection["cameras"].iloc[0] == 6_100
    assert result.current_monthly_pace == pytest.approx(100)  # the spike is no pace
