"""AppTest of the Wards page on the synthetic demo."""

from __future__ import annotations

from datetime import timedelta

import pytest

from analytics.coverage import filter_cameras
from analytics.datasets import load_dataset
from analytics.safe_output import escape_markdown
from tests.pagetest import app, clear_data_env, expected_report, metrics

PAGE = "pages/4_Wards.py"


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


@pytest.fixture(scope="module")
def run():
    return app(PAGE)


def test_least_covered_ward_is_the_analytics_minimum(run, demo):
    assert not run.exception
    wards = expected_report(demo)[0].wards
    least = wards.loc[wards["weighted_incident_coverage_share"].idxmin()]
    shown = metrics(run)
    assert shown["Least covered ward"] == escape_markdown(least["ward_name"])
    assert shown["City-wide crime-weighted coverage"] == (
        f"{expected_report(demo)[0].headline['weighted_incident_coverage_share']:.1%}"
    )


def test_ward_table_has_every_ward_and_adds_up(run, demo):
    report, _, incs = expected_report(demo)
    table = run.dataframe[0].value
    assert sorted(table["Ward"]) == sorted(demo.wards["ward_name"])
    assert table["Cameras"].sum() <= report.headline["cameras"]
    assert table["Incidents"].sum() <= len(incs)
    # sorted from least to best covered
    shares = list(table["Crime-weighted coverage (%)"])
    assert shares == sorted(shares)


def test_cameras_added_in_period_match_the_registry(run, demo):
    """New cameras per ward add up to the registry's net growth over the window
    (every demo camera lies in a ward)."""
    table = run.dataframe[0].value
    since = run.date_input(key="since").value
    now = filter_cameras(demo.cameras, as_of=demo.as_of)
    then = filter_cameras(demo.cameras, as_of=since - timedelta(days=1))
    growth = (
        now.loc[now["status"] == "active", "camera_count"].sum()
        - then.loc[then["status"] == "active", "camera_count"].sum()
    )
    assert table["New cameras in period"].sum() == growth


def test_property_only_changes_ward_coverage(demo):
    at = app(PAGE)
    before = at.dataframe[0].value.set_index("Ward")["Crime-weighted coverage (%)"]
    at.multiselect(key="categories").set_value(["property"]).run()
    assert not at.exception
    after = at.dataframe[0].value.set_index("Ward")["Crime-weighted coverage (%)"]
    wards = expected_report(demo, categories=["property"])[0].wards.set_index(
        "ward_name"
    )
    for ward, share in after.items():
        assert share == pytest.approx(
            100 * wards.loc[ward, "weighted_incident_coverage_share"]
        )
    assert not after.sort_index().equals(before.sort_index())


def test_focusing_a_ward_narrows_the_table_and_back_shows_the_city(demo):
    at = app(PAGE)
    wards = expected_report(demo)[0].wards
    pick = wards.sort_values("ward_id").iloc[2]
    assert len(at.dataframe[0].value) == len(wards)
    at.selectbox(key="ward_pick").set_value(str(pick["ward_id"])).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Ward"].tolist() == [pick["ward_name"]]
    shown = metrics(at)
    assert shown["Cameras"] == f"{int(pick['cameras']):,}"
    assert shown["Crime-weighted coverage"] == (
        f"{pick['weighted_incident_coverage_share']:.1%}"
    )
    at.button(key="ward_back").click().run()
    assert len(at.dataframe[0].value) == len(wards)
    assert "Cameras" not in metrics(at)
