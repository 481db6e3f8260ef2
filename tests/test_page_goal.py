"""Goal progress page: runs on the demo, reacts to the target date and scenarios."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pagetest import window_shown

PAGE = Path(__file__).resolve().parent.parent / "pages" / "3_Goal_progress.py"


def _metric(at, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return matches[0]


def _month(text: str) -> datetime:
    return datetime.strptime(text, "%b %Y")


def _number(text: str) -> float:
    return float(text.split()[0].replace(",", "").replace("+", ""))


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    return at


def test_page_runs_and_labels_synthetic_data(app):
    assert not app.exception
    assert any("Synthetic demo data" in i.value for i in app.info)
    assert _metric(app, "Active cameras") == "4,731"  # the whole demo registry


def test_required_pace_rises_when_the_target_comes_closer(app):
    before = _number(_metric(app, "Required pace"))
    app.date_input(key="target_date").set_value(date(2028, 12, 31)).run()
    assert not app.exception
    after = _number(_metric(app, "Required pace"))
    # same cameras to add in fewer months: by hand the ratio of the months
    as_of = date(2026, 11, 1)
    ratio = (date(2030, 12, 31) - as_of).days / (date(2028, 12, 31) - as_of).days
    assert after == pytest.approx(before * ratio, rel=0.01)


def test_past_target_date_shows_an_error(app):
    app.date_input(key="target_date").set_value(date(2025, 6, 1)).run()
    assert not app.exception
    assert any("2025-06-01" in e.value for e in app.error)
    app.date_input(key="target_date").set_value(date(2030, 12, 31)).run()
    assert not app.error


def test_a_bigger_scenario_brings_its_goal_date_forward(app):
    label = "Goal date: All of the above"
    before = _metric(app, label)
    app.number_input(key="extra_per_month").set_value(2_000).run()
    assert not app.exception
    after = _metric(app, label)
    assert after != before
    assert _month(after) < _month(before)
    table = app.table[0].value
    assert "+2,000 a month" in set(table["Scenario"])


def test_cost_table_follows_the_devices_and_offers_a_csv(app):
    app.number_input(key="devices_per_year").set_value(10).run()
    app.selectbox(key="device_tier").set_value("Entry device").run()
    app.number_input(key="cost_years").set_value(3).run()
    assert not app.exception
    costs = app.table[1].value.set_index("Year")
    # 10 entry devices bought every year: $3,500 up front a year plus $150 for
    # each device in service (10, 20, 30): 5,000 + 6,500 + 8,000
    assert costs.loc["Year 2", "Total"] == "$6,500"
    assert costs.loc["Total", "Total"] == "$19,500"
    assert costs.loc["Total", "Devices bought"] == "30"
    assert _metric(app, "Device cost over 3 years") == "$19,500"
    assert not costs.isin(["None", "nan", "NaN"]).any().any()
    assert any(
        b.proto.label.startswith("Download the cost table")
        for b in app.get("download_button")
    )


def test_covered_incidents_default_comes_from_the_coverage_engine():
    from analytics.coverage import coverage_report, filter_incidents
    from analytics.datasets import load_dataset
    from analytics.privacy import cameras_for_coverage
    from analytics.windows import Window, registry_for

    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    at.number_input(key="devices_per_year").set_value(40).run()
    assert not at.exception
    ds = load_dataset()
    since, until = window_shown(at)
    # the demo visitor is staff: homes count at their stand-in points
    gain = coverage_report(
        cameras_for_coverage(
            registry_for(ds.cameras, Window(since, until), ds.as_of), "staff"
        ),
        filter_incidents(ds.incidents, since=since, until=until),
        ds.city,
    ).live_gain_per_device
    assert gain > 0
    assert at.number_input(key="live_gain_per_device").value == pytest.approx(
        round(gain, 2)
    )
    # 40 entry devices a year for 5 years: $160,000 over 600 device-years
    per_incident = 160_000 / (round(gain, 2) * 600)
    assert (
        _metric(at, "Cost per incident newly in live view") == f"${per_incident:,.0f}"
    )
