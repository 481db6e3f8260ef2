"""AppTest of the Gaps and targeting page on the synthetic demo."""

from __future__ import annotations

import pytest

from analytics.datasets import load_dataset
from analytics.privacy import sites_per_cell
from analytics.safe_output import escape_markdown
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
    assert list(sites["Site"]) == list(range(1, len(rec.sites) + 1))
    # every site is named in words (street, ward, district), never an H3 id
    assert sites["Place"].str.contains(" · ").all()
    assert not sites["Place"].str.fullmatch(r"[0-9a-f]{15}").any()
    # coordinates to 5 decimals, as every table writes them
    assert list(sites["Latitude"]) == [f"{v:.5f}" for v in rec.sites["latitude"]]


def test_gap_table_is_ranked_by_weighted_uncovered(run, demo):
    report = expected_report(demo)[0]
    gaps = run.dataframe[1].value
    assert len(gaps) == len(report.gaps)
    # ranked by the report's weights; a cell whose figures are withheld for
    # privacy shows a dash (tested in test_violent_only_...)
    weights = [_number(v) for v in gaps["Weighted incidents out of range"] if v != "–"]
    assert weights == sorted(weights, reverse=True)
    assert not gaps.isin(["None", "nan", "NaN"]).any().any()
    # staff (the demo role) never sees distances to the nearest camera
    assert "Nearest camera (m)" not in gaps
    assert "H3 cell" not in gaps
    assert gaps["Place"].head(10).str.contains("Ward").all()  # top gaps: in wards
    assert gaps["Place"].str.contains("district").all()


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
    at.pills(key="categories").set_value(["violent"]).run()
    assert not at.exception
    report = expected_report(demo, categories=["violent"])[0]
    gaps = at.dataframe[1].value
    shown = gaps["Weighted incidents out of range"].tolist()
    expected = report.gaps["weighted_uncovered"].to_numpy()
    # staff: a cell holding 1-4 registered sites or fewer than 5 incidents shows
    # no coverage figures (analytics.privacy.protect_hexes); the others the report's
    k = demo.city.min_group_size
    sites = sites_per_cell(demo.cameras, demo.city.hex_resolution)
    held = sites.reindex(report.gaps["h3"].astype(str)).fillna(0).to_numpy()
    withheld = ((held > 0) & (held < k)) | (report.gaps["incidents"].to_numpy() < k)
    assert 0 < withheld.sum() < len(gaps)
    assert [s == "–" for s in shown] == list(withheld)
    assert [s for s, w in zip(shown, withheld, strict=True) if not w] == [
        f"{v:,.1f}" for v, w in zip(expected, withheld, strict=True) if not w
    ]
    assert set(gaps["Property"]) <= {"0", "–"}  # violent only; dash: withheld


def test_biggest_gap_is_named_at_the_top(demo):
    at = app(PAGE)
    report = expected_report(demo)[0]
    first = report.gaps.iloc[0]
    names = dict(zip(demo.wards["ward_id"], demo.wards["ward_name"], strict=True))
    summary = next(i.value for i in at.info if "Biggest gap" in i.value)
    assert escape_markdown(names[first["ward_id"]]) in summary  # the place names it
    assert f"{int(first['incidents_uncovered']):,} incidents out of camera range" in (
        summary
    )
