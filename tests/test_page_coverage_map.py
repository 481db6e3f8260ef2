"""AppTest of the Coverage map page on the synthetic demo."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from tests.pagetest import (
    ROOT,
    TIMEOUT,
    app,
    clear_data_env,
    expected_report,
    metrics,
    use_accounts,
)

PAGE = "pages/1_Coverage_map.py"


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


@pytest.fixture(scope="module")
def default_run():
    return app(PAGE)


def test_page_runs_with_headline_figures_of_the_analytics(default_run, demo):
    at = default_run
    assert not at.exception
    head = expected_report(demo)[0].headline
    shown = metrics(at)
    assert shown["Cameras in this view"] == f"{head['cameras']:,}"
    assert shown["Incidents in camera view"] == (
        f"{head['incident_coverage_share']:.1%}"
    )
    assert shown["Crime-weighted coverage"] == (
        f"{head['weighted_incident_coverage_share']:.1%}"
    )
    assert shown["Incidents in live view"] == (
        f"{head['live_incident_coverage_share']:.1%}"
    )
    assert shown["Effective cameras"] == f"{head['effective_cameras']:,.0f}"


def test_district_table_accounts_for_every_incident(default_run, demo):
    report, _, incidents = expected_report(demo)
    table = default_run.dataframe[0].value
    assert table["Incidents"].sum() == len(incidents)
    assert len(table) == len(report.districts)


def test_integrated_only_lowers_cameras_and_coverage(demo):
    at = app(PAGE)
    before = metrics(at)
    at.pills(key="tiers").set_value(["integrated"]).run()
    assert not at.exception
    after = metrics(at)
    head = expected_report(demo, tiers=["integrated"])[0].headline
    assert after["Cameras in this view"] == f"{head['cameras']:,}"
    assert int(after["Cameras in this view"].replace(",", "")) < int(
        before["Cameras in this view"].replace(",", "")
    )
    # with only live cameras, all coverage is live coverage
    assert after["Incidents in camera view"] == after["Incidents in live view"]


def test_longer_range_assumption_raises_coverage():
    at = app(PAGE)
    before = metrics(at)["Incidents in camera view"]
    at.slider(key="range_scale").set_value(2.0).run()
    assert not at.exception
    after = metrics(at)["Incidents in camera view"]
    assert float(after.rstrip("%")) > float(before.rstrip("%"))


def test_choropleth_and_ward_views_run(demo):
    at = app(PAGE)
    at.radio(key="choropleth").set_value("incidents_uncovered").run()
    assert not at.exception
    # focusing a ward (the sidebar's choice) opens the map on it with its views
    ward = str(sorted(demo.wards["ward_id"].astype(str))[0])
    at.sidebar.selectbox(key="ward_focus_pick").set_value(ward).run()
    assert not at.exception
    assert any("draws the view of each visible camera" in c.value for c in at.caption)


def test_a_window_without_incidents_shows_dashes_not_nan():
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.query_params["since"] = "2026-11-01"  # the demo's incidents end before
    at.query_params["until"] = "2026-11-01"
    at.run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Incidents in camera view"] == "–"
    assert any("No incidents match" in w.value for w in at.warning)


def test_public_viewer_gets_the_page_without_camera_points(demo, monkeypatch, tmp_path):
    use_accounts(monkeypatch, tmp_path, clerk="staff")  # visitors are public
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("Viewing as: **public**" in c.value for c in at.sidebar.caption)
    head = expected_report(demo)[0].headline
    assert (
        metrics(at)["Cameras in this view"] == f"{head['cameras']:,}"
    )  # totals stay public


def test_verified_cameras_only_lowers_cameras_and_coverage(demo):
    from analytics.coverage import coverage_report
    from analytics.footage_demo import demo_footage
    from analytics.footage_view import FootageHistory, verified_only

    at = app(PAGE)
    before = metrics(at)
    assert at.toggle(key="verified_only").value is False  # default off
    at.toggle(key="verified_only").set_value(True).run()
    assert not at.exception
    after = metrics(at)
    _, cams, incs = expected_report(demo)
    made = demo_footage(demo.cameras, demo.incidents, as_of=demo.as_of)
    history = FootageHistory(made.requests, made.cases, made.verified, "synthetic")
    fresh = verified_only(cams, history, demo.as_of, months=demo.city.stale_months)
    assert 0 < len(fresh) < len(cams)
    head = coverage_report(
        fresh, incs, demo.city, city_limit=demo.city_limit, wards=demo.wards
    ).headline
    assert after["Cameras in this view"] == f"{head['cameras']:,}"
    assert int(after["Cameras in this view"].replace(",", "")) < int(
        before["Cameras in this view"].replace(",", "")
    )
    assert after["Incidents in camera view"] == (
        f"{head['incident_coverage_share']:.1%}"
    )
    assert "verified cameras only" in " ".join(c.value for c in at.caption)
