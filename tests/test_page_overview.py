"""AppTest of the Overview (entry page) on the synthetic demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.coverage import coverage_report, filter_cameras, filter_incidents
from analytics.datasets import load_dataset
from analytics.forecast import forecast_goal
from analytics.safe_output import escape_markdown
from analytics.schema import SYNTHETIC_LABEL
from tests.pagetest import clear_data_env
from ui.sidebar import default_filters

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "dashboard.py")


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    """The pages must run on the demo, whatever the developer's environment says."""
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


def _expected(ds, *, categories=None, tiers=None):
    f = default_filters(ds.as_of, ds.incidents["occurred_at"].min().date())
    cams = filter_cameras(ds.cameras, tiers=tiers, as_of=f.until)
    incs = filter_incidents(
        ds.incidents, since=f.since, until=f.until, categories=categories
    )
    return coverage_report(
        cams, incs, ds.city, city_limit=ds.city_limit, wards=ds.wards
    ).headline


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    return at


def test_overview_runs_and_is_labelled_synthetic(app):
    assert not app.exception
    assert any(SYNTHETIC_LABEL in i.value for i in app.info)


def test_headline_tiles_match_the_analytics(app, demo):
    head = _expected(demo)
    shown = _metrics(app)
    assert shown["Cameras in the registry"] == f"{head['cameras']:,}"
    assert shown["Share of the 30,000 goal"] == f"{head['goal_share']:.1%}"
    assert shown["Integrated cameras"] == f"{head['integrated_cameras']:,}"
    assert (
        shown["Crime-weighted coverage"]
        == f"{head['weighted_incident_coverage_share']:.1%}"
    )


def test_projected_goal_date_tile_matches_the_forecast(app, demo):
    result = forecast_goal(demo.cameras, demo.city, as_of=demo.as_of)
    shown = _metrics(app)["Projected goal date"]
    if result.projected_goal_date is not None:
        assert shown == f"{result.projected_goal_date:%b %Y}"
    else:  # the demo's pace does not reach the goal within the horizon
        assert shown.startswith("After ")


def test_added_in_last_30_days_counts_registrations_up_to_as_of(app, demo):
    cams = demo.cameras
    registered = cams["registered_at"]
    start = demo.as_of.toordinal() - 29
    recent = cams[
        [start <= d.toordinal() <= demo.as_of.toordinal() for d in registered]
    ]
    assert (
        _metrics(app)["Added in the last 30 days"]
        == f"{recent['camera_count'].sum():,}"
    )


def test_violent_only_changes_weighted_coverage_not_cameras(demo):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    before = _metrics(at)
    at.multiselect(key="categories").set_value(["violent"]).run()
    assert not at.exception
    after = _metrics(at)
    head = _expected(demo, categories=["violent"])
    assert after["Crime-weighted coverage"] == (
        f"{head['weighted_incident_coverage_share']:.1%}"
    )
    assert after["Crime-weighted coverage"] != before["Crime-weighted coverage"]
    assert after["Cameras in the registry"] == before["Cameras in the registry"]


def test_integrated_only_counts_integrated_cameras(demo):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    at.multiselect(key="tiers").set_value(["integrated"]).run()
    assert not at.exception
    head = _expected(demo, tiers=["integrated"])
    shown = _metrics(at)
    assert shown["Cameras in the registry"] == f"{head['cameras']:,}"
    assert shown["Cameras in the registry"] == shown["Integrated cameras"]
    assert at.query_params["tiers"] == "integrated"  # shared through the URL


def test_overview_names_the_least_covered_ward(app, demo):
    f = default_filters(demo.as_of, demo.incidents["occurred_at"].min().date())
    cams = filter_cameras(demo.cameras, as_of=f.until)
    incs = filter_incidents(demo.incidents, since=f.since, until=f.until)
    wards = coverage_report(
        cams, incs, demo.city, city_limit=demo.city_limit, wards=demo.wards
    ).wards
    least = wards.loc[wards["weighted_incident_coverage_share"].idxmin(), "ward_name"]
    where = next(m.value for m in app.markdown if m.value.startswith("**Where.**"))
    assert f"least covered ward is **{escape_markdown(least)}**" in where
