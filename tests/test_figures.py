"""The figure catalogue, the formatting helpers and the time-window rule."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import figures, formatting, windows
from analytics.config import load_city
from analytics.costs import DEFAULT_COST_SCENARIO, CostScenario, cost_plan, plan_total
from analytics.forecast import forecast_goal

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"<!-- figures:start[^>]*-->\n(.*?)\n<!-- figures:end -->", re.S)


# --- catalogue ---------------------------------------------------------------------
def test_readme_table_is_the_catalogue():
    block = BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert block, "README.md lost its generated figure table"
    assert block.group(1) == figures.markdown_table()


def test_docs_page_lists_every_figure_from_the_catalogue():
    text = (ROOT / "docs" / "figures.md").read_text(encoding="utf-8")
    block = BLOCK.search(text)
    assert block, "docs/figures.md lost its generated figure table"
    assert block.group(1) == figures.docs_table()
    for fig in figures.FIGURES.values():
        assert f"`{fig.key}`" in block.group(1)


def test_names_are_unique_and_never_the_tier_registered():
    names = [f.name for f in figures.FIGURES.values()]
    assert len(names) == len(set(names))
    for name in names:
        assert "registered" not in name.lower(), name
    assert figures.label("active_cameras") == "Active cameras"
    for fig in figures.FIGURES.values():
        assert fig.fmt in formatting.FORMATS
        assert fig.scope in ("program", "window")
        assert fig.meaning.endswith(".")
    with pytest.raises(KeyError, match="not in the catalogue"):
        figures.label("registered_cameras")


def test_show_uses_the_figures_format():
    assert figures.show("active_cameras", 4731) == "4,731"
    assert figures.show("goal_share", 4731 / 30000) == "15.8%"
    assert figures.show("years_at_pace", 392.78 / 12) == "32.7 years"
    assert figures.show("current_pace", 64.33) == "64 cameras a month"
    assert figures.show("device_cost_total", 800000.0) == "$800,000"
    assert figures.show("incident_coverage_share", float("nan")) == "–"


def _history(monthly: list[int], start: str = "2024-09-01") -> pd.DataFrame:
    """One registration of ``n`` cameras on the 1st of each month."""
    days = pd.date_range(start, periods=len(monthly), freq="MS")
    return pd.DataFrame(
        {
            "camera_id": [f"C{i}" for i in range(len(monthly))],
            "camera_count": monthly,
            "registered_at": days,
            "status": "active",
            "tier": "registered",
            "owner_type": "business",
            "withdrawn_at": pd.NaT,
        }
    )


def test_goal_sentence_reconciles_pace_and_projected_date(city):
    # 100 cameras a month for 12 months: 1,200 today, 28,800 to go at 100/month
    cams = _history([100] * 12)
    fc = forecast_goal(cams, city, as_of=date(2025, 8, 31), model="linear")
    assert fc.current_cameras == 1200
    assert fc.current_monthly_pace == pytest.approx(100.0)
    texts = figures.program_texts(fc)
    assert texts["years_at_pace"] == "24.0 years"  # 28,800 / 100 / 12
    # the horizon: 120 months after the last full month (Aug 2025)
    assert texts["projected_goal_date"] == "Not by Aug 2035"
    sentence = figures.goal_sentence(fc)
    assert sentence.startswith(
        "At today's pace of 100 cameras a month (net, last 6 full months) the goal "
        "of 30,000 cameras is 24.0 years away; the forecast, a steady pace"
    )
    assert sentence.endswith(
        "does not reach it by Aug 2035, the end of its 10-year horizon."
    )


def test_goal_date_text_states(city):
    short = forecast_goal(_history([10, 10]), city, as_of=date(2024, 10, 31))
    assert short.status == "too_short"
    assert figures.goal_date_text(short) == "Too early"
    done = forecast_goal(_history([30000]), city, as_of=date(2024, 9, 30))
    assert figures.goal_date_text(done) == "Reached"
    assert figures.goal_sentence(done).startswith(
        "The goal of 30,000 cameras is reached"
    )
    fast = forecast_goal(
        _history([1500] + [1000] * 11), city, as_of=date(2025, 8, 31), model="linear"
    )
    # 12,500 today at 12,500 / 12 = 1,041.7 a month: 17,500 to go take 16.8
    # months after Aug 2025, i.e. during the 17th month, Jan 2027
    assert figures.goal_date_text(fast) == "Jan 2027"
    assert "reaches it in Jan 2027" in figures.goal_sentence(fast)


# --- formatting --------------------------------------------------------------------
def test_formatting_helpers():
    f = formatting
    assert f.count(24807) == "24,807"
    assert f.count(None) == f.DASH
    assert f.pct(0.17444) == "17.4%"
    assert f.number(297.2973) == "297.3"
    assert f.money(220000) == "$220,000"
    assert f.money(-5) == "-$5"
    assert f.coord(-92.2896123456) == "-92.28961"
    assert f.timestamp(datetime(2026, 11, 1, 14, 5, 59)) == "01 Nov 2026 14:05"
    assert f.day(date(2026, 11, 1)) == "01 Nov 2026"
    assert f.month(pd.Timestamp("2036-10-31")) == "Oct 2036"
    assert f.signed_count(3) == "+3"
    assert f.signed_count(0) == "0"
    assert f.points(0.004) == "+0.4 pts"
    assert f.km2(14.575) == "14.6 km²"
    assert f.pct(pd.NA) == f.DASH
    assert f.month(pd.NaT) == f.DASH


def test_format_table_never_writes_none_or_nan():
    frame = pd.DataFrame(
        {
            "name": ["a", None, np.nan],
            "cameras": [24807, np.nan, 3],
            "share": [0.1744, None, 1.0],
            "cost": [800000.0, np.nan, 0.0],
        }
    )
    out = formatting.format_table(
        frame, {"cameras": "count", "share": "pct", "cost": "money"}
    )
    assert out.to_dict("list") == {
        "name": ["a", "–", "–"],
        "cameras": ["24,807", "–", "3"],
        "share": ["17.4%", "–", "100.0%"],
        "cost": ["$800,000", "–", "$0"],
    }


# --- windows -----------------------------------------------------------------------
def test_default_window_is_12_months_ending_at_the_newest_incident():
    incidents = pd.DataFrame(
        {"occurred_at": pd.to_datetime(["2017-02-03 10:00", "2018-04-03 23:59"])}
    )
    w = windows.default_window(incidents, date(2025, 3, 1))
    assert (w.since, w.until) == (date(2017, 4, 4), date(2018, 4, 3))
    # never before the first incident, never after the data's date
    w = windows.default_window(incidents.iloc[1:], date(2025, 3, 1))
    assert w.since == date(2018, 4, 3)
    assert windows.default_window(incidents, date(2018, 1, 1)).until == date(2018, 1, 1)
    empty = windows.default_window(incidents.iloc[:0], date(2025, 3, 1))
    assert (empty.since, empty.until) == (date(2024, 3, 2), date(2025, 3, 1))


def test_registry_rule_and_its_words():
    cams = _history([2, 3, 4], start="2024-08-01")
    cams.loc[0, ["status", "withdrawn_at"]] = ["withdrawn", pd.Timestamp("2024-10-15")]
    today = windows.Window(date(2024, 8, 1), date(2024, 9, 30))
    end = windows.Window(date(2024, 8, 1), date(2024, 9, 30), "window_end")
    as_of = date(2024, 12, 1)
    # today: the 3 + 4 still active; at the window's end: 3 (the third not yet
    # registered; the first, withdrawn since, is left out of every view: a
    # withdrawal means gone, whatever the window, issue 10)
    assert windows.window_cameras(windows.registry_for(cams, today, as_of)) == 7
    assert windows.window_cameras(windows.registry_for(cams, end, as_of)) == 3
    assert today.describe(as_of) == (
        "Incidents 01 Aug 2024 – 30 Sep 2024 against the active registry on 01 Dec 2024"
    )
    assert end.describe(as_of).endswith("the registry as it stood on 30 Sep 2024")
    assert windows.registry_note(cams, end, as_of) is None
    early = windows.Window(date(2017, 1, 1), date(2017, 12, 31), "window_end")
    assert windows.registry_note(cams, early, as_of) == (
        "No camera was registered yet on 31 Dec 2017: the registry starts in Aug 2024."
    )
    with pytest.raises(ValueError, match="registry"):
        windows.Window(date(2017, 1, 1), date(2017, 2, 1), "then")
    with pytest.raises(ValueError, match="after it ends"):
        windows.Window(date(2017, 2, 1), date(2017, 1, 1))


# --- costs -------------------------------------------------------------------------
def test_one_cost_model_and_default():
    city = load_city()
    plan = cost_plan(city, DEFAULT_COST_SCENARIO)
    # 200 entry devices a year for 5 years: 5 x 200 x 350 + 15 x 200 x 150
    assert plan_total(plan) == 800_000
    assert plan["year"].tolist() == [*(f"Year {y}" for y in range(1, 6)), "Total"]
    assert plan.iloc[0]["total_usd"] == 200 * 350 + 200 * 150
    assert plan.attrs["device_years"] == 200 * 15
    assert not plan.isna().any().any()
    top = city.devices[-1].name
    mixed = cost_plan(city, CostScenario(10, 1, ((top, 1.0),)))
    assert plan_total(mixed) == 10 * (
        city.devices[-1].upfront_usd + city.devices[-1].yearly_usd
    )
    with pytest.raises(ValueError, match=r"`years` was 2\.5"):
        cost_plan(city, CostScenario(10, 2.5))
