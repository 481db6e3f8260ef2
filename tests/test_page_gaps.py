"""AppTest of the Gaps and targeting page on the synthetic demo."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.datasets import load_dataset
from analytics.privacy import sites_per_cell
from analytics.targeting import recommend_sites
from tests.pagetest import app, clear_data_env, expected_report, metrics

PAGE = "pages/2_Gaps_and_targeting.py"


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


@pytest.fixture(scope="module")
def run():
    return app(PAGE)


def _number(text: str) -> float:
    return float(text.replace(",", "").rstrip("×%"))


def test_recommendation_figures_match_recommend_sites(run, demo):
    at = run
    assert not at.exception
    _, cams, incs = expected_report(demo)
    k = at.slider(key="k").value
    rec = recommend_sites(
        cams, incs, demo.city, k, city_limit=demo.city_limit, wards=demo.wards
    )
    shown = metrics(at)
    assert shown["Weighted incidents newly covered"] == f"{rec.greedy_total:,.0f}"
    assert shown["As usual"] == f"{rec.baseline_total:,.0f}"
    sites = at.dataframe[0].value
    assert list(sites["Rank"]) == list(range(1, len(rec.sites) + 1))


def test_gap_table_is_ranked_by_weighted_uncovered(run, demo):
    report = expected_report(demo)[0]
    gaps = run.dataframe[1].value
    assert len(gaps) == len(report.gaps)
    weights = list(gaps["Weighted incidents out of range"])
    assert weights == sorted(weights, reverse=True)
    # staff (the demo role) never sees distances to the nearest camera
    assert "Nearest camera (m)" not in gaps


def test_more_sites_cover_more_but_each_adds_less(run):
    at = run
    small = _number(metrics(at)["Weighted incidents newly covered"])
    k = at.slider(key="k").value
    at.slider(key="k").set_value(k * 2).run()
    assert not at.exception
    large = _number(metrics(at)["Weighted incidents newly covered"])
    assert large > small
    assert large < 2 * small  # diminishing returns of greedy coverage
    assert len(at.dataframe[0].value) == k * 2


def test_violent_only_changes_the_gap_ranking(demo):
    at = app(PAGE)
    at.multiselect(key="categories").set_value(["violent"]).run()
    assert not at.exception
    report = expected_report(demo, categories=["violent"])[0]
    gaps = at.dataframe[1].value
    shown = gaps["Weighted incidents out of range"].to_numpy()
    expected = report.gaps["weighted_uncovered"].to_numpy()
    # staff: a cell holding 1-4 registered sites or fewer than 5 incidents shows
    # no coverage figures (analytics.privacy.protect_hexes); the others the report's
    k = demo.city.min_group_size
    sites = sites_per_cell(demo.cameras, demo.city.hex_resolution)
    held = sites.reindex(gaps["H3 cell"]).fillna(0).to_numpy()
    withheld = ((held > 0) & (held < k)) | (gaps["Incidents"].to_numpy() < k)
    assert 0 < withheld.sum() < len(gaps)
    assert list(np.isnan(shown)) == list(withheld)
    assert list(shown[~withheld]) == list(expected[~withheld])
    assert gaps["Property"].sum() == 0


def test_biggest_gap_is_named_at_the_top(demo):
    at = app(PAGE)
    report = expected_report(demo)[0]
    first = report.gaps.iloc[0]
    names = dict(zip(demo.wards["ward_id"], demo.wards["ward_name"], strict=True))
    summary = next(i.value for i in at.info if "Biggest gap" in i.value)
    assert names[first["ward_id"]] in summary
    assert f"{int(first['incidents_uncovered']):,} incidents out of camera range" in (
        summary
    )
