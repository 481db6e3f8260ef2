"""AppTest of the Wards page on the synthetic demo."""

from __future__ import annotations

from datetime import timedelta

import pytest

from analytics.coverage import filter_cameras
from analytics.datasets import load_dataset
from analytics.privacy import change_days
from analytics.safe_output import escape_markdown
from tests.pagetest import (
    app,
    clear_data_env,
    expected_report,
    metrics,
    window_shown,
)

PAGE = "pages/4_Wards.py"
COVERAGE = "Crime-weighted coverage"


def _number(text: str) -> float:
    """A table cell as written by analytics.formatting ("1,234", "17.4%", "+3")."""
    return float(text.replace(",", "").replace("%", "").replace("+", ""))


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
    # the value is Markdown: a ward name from a data file is shown as typed
    assert shown["Least covered ward"] == escape_markdown(least["ward_name"])
    assert shown["City-wide crime-weighted coverage"] == (
        f"{expected_report(demo)[0].headline['weighted_incident_coverage_share']:.1%}"
    )


def test_ward_table_has_every_ward_and_adds_up(run, demo):
    report, _, incs = expected_report(demo)
    table = run.dataframe[0].value
    assert sorted(table["Ward"]) == sorted(demo.wards["ward_name"])
    assert table["Active cameras"].map(_number).sum() <= report.headline["cameras"]
    assert table["Incidents in the window"].map(_number).sum() <= len(incs)
    # violent crime per ward, under the catalogue's names: the demo has one row
    # per incident, so victims equal violent incidents, which are incidents too
    shown = table.set_index("Ward")
    violent = shown["Violent incidents"].map(_number)
    assert violent.sum() == report.headline["violent_incidents"] > 0
    assert (shown["Victims of violent crime"].map(_number) == violent).all()
    assert (violent <= shown["Incidents in the window"].map(_number)).all()
    # sorted from least to best covered, written with one decimal, never "None"
    shares = [_number(v) for v in table[COVERAGE]]
    assert shares == sorted(shares)
    assert all(v.endswith("%") and len(v.split(".")[1]) == 2 for v in table[COVERAGE])
    assert not table.isin(["None", "nan", "NaN"]).any().any()


def test_cameras_added_in_period_match_the_registry(run, demo):
    """New cameras per ward add up to the registry's net growth between the two
    month ends around the window (staff: whole months, so moving a date by a
    day cannot date a registration; every demo camera lies in a ward)."""
    table = run.dataframe[0].value
    since, until = window_shown(run)
    before, after = change_days(since, until, demo.as_of, "staff")
    assert (before + timedelta(days=1)).day == 1  # a month end
    assert (after + timedelta(days=1)).day == 1
    now = filter_cameras(demo.cameras, as_of=after)
    then = filter_cameras(demo.cameras, as_of=before)
    growth = (
        now.loc[now["status"] == "active", "camera_count"].sum()
        - then.loc[then["status"] == "active", "camera_count"].sum()
    )
    assert table["New cameras in the window (net)"].map(_number).sum() == growth


def test_property_only_changes_ward_coverage(demo):
    at = app(PAGE)
    before = at.dataframe[0].value.set_index("Ward")[COVERAGE]
    at.pills(key="categories").set_value(["property"]).run()
    assert not at.exception
    after = at.dataframe[0].value.set_index("Ward")[COVERAGE]
    wards = expected_report(demo, categories=["property"])[0].wards.set_index(
        "ward_name"
    )
    for ward, share in after.items():
        assert share == f"{wards.loc[ward, 'weighted_incident_coverage_share']:.1%}"
    assert not after.sort_index().equals(before.sort_index())


def test_focusing_a_ward_narrows_the_table_and_back_shows_the_city(demo):
    at = app(PAGE)
    wards = expected_report(demo)[0].wards
    pick = wards.sort_values("ward_id").iloc[2]
    assert len(at.dataframe[0].value) == len(wards)
    at.sidebar.selectbox(key="ward_focus_pick").set_value(str(pick["ward_id"])).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Ward"].tolist() == [pick["ward_name"]]
    shown = metrics(at)
    assert shown["Active cameras"] == f"{int(pick['cameras']):,}"
    assert shown["Crime-weighted coverage"] == (
        f"{pick['weighted_incident_coverage_share']:.1%}"
    )
    at.button(key="wards_whole_city").click().run()
    assert len(at.dataframe[0].value) == len(wards)
    assert "Active cameras" not in metrics(at)


def test_owner_filter_changes_no_ward_figure_below_investigator(demo):
    """Staff choosing homes only (or all but homes) see the same ward table:
    per-ward figures count the whole registry below investigator, and the page
    says why; the city-wide tile follows the filter."""
    at = app(PAGE)
    before = at.dataframe[0].value.set_index("Ward")
    tile = metrics(at)["City-wide crime-weighted coverage"]
    at.pills(key="owner_types").set_value(["residential"]).run()
    assert not at.exception
    after = at.dataframe[0].value.set_index("Ward")
    assert after.sort_index().equals(before.sort_index())
    assert metrics(at)["City-wide crime-weighted coverage"] != tile
    assert any("single out homes" in i.value for i in at.info)
