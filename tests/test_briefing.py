"""The council briefing: escaping, offline embedding, privacy and suppression.

Rendering tests feed hand-made inputs; end-to-end tests build a small registry
with residential cameras at distinctive coordinates, contacts and hostile markup
and check that no public or staff briefing carries any of it.
"""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analytics import briefing
from analytics.briefing_svg import bar_chart, class_breaks, classify, line_chart
from analytics.schema import SYNTHETIC_LABEL, WGS84
from tests.conftest import CENTRE, offset

HOSTILE_WARD = '<b onmouseover="alert(1)">Ward</b>'
EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:|//|data:)""", re.I)


def square(lat: float, lon: float, half_m: float) -> shapely.Polygon:
    """Axis-aligned square of side 2 * half_m metres centred on (lat, lon)."""
    lo_lat, lo_lon = offset(lat, lon, -half_m, -half_m)
    hi_lat, hi_lon = offset(lat, lon, half_m, half_m)
    return shapely.box(lo_lon, lo_lat, hi_lon, hi_lat)


@pytest.fixture
def standin(city):
    """Hand-made inputs: two wards (one with a hostile name), one cell, a forecast."""
    lat, lon = CENTRE
    wards = gpd.GeoDataFrame(
        {"ward_id": ["1", "2"], "ward_name": ["North", HOSTILE_WARD]},
        geometry=[square(*offset(lat, lon, 0, 1000), 1000), square(lat, lon, 500)],
        crs=WGS84,
    )
    table = pd.DataFrame(
        {
            "ward_id": ["1", "2"],
            "ward_name": ["North", HOSTILE_WARD],
            "cameras": [12.0, np.nan],  # ward 2: too few sites, suppressed
            "incidents": [40, 10],
            "coverage_share": [0.25, 0.5],
            "weighted_coverage_share": [0.3, 0.6],
        }
    )
    cell = gpd.GeoDataFrame(
        {"h3": ["x"], "cameras": [12], "sites": [6], "merged": [False]},
        geometry=[square(lat, lon, 300)],
        crs=WGS84,
    )
    days = pd.date_range("2025-01-01", "2026-01-01", freq="MS")
    future = pd.date_range("2026-01-01", "2030-01-01", freq="YS")
    forecast = briefing.ForecastView(
        history=pd.Series(np.linspace(100, 200, len(days)), index=days),
        projection=pd.Series(np.linspace(200, 600, len(future)), index=future),
        lower=pd.Series(np.linspace(200, 400, len(future)), index=future),
        upper=pd.Series(np.linspace(200, 800, len(future)), index=future),
        goal_date=date(2029, 6, 1),
        interval=(date(2028, 1, 1), None),
        model="straight line through the last 12 months",
    )
    return briefing.BriefingInputs(
        city=city,
        audience="public",
        label=SYNTHETIC_LABEL,
        synthetic=True,
        as_of=date(2026, 1, 1),
        since=date(2025, 1, 1),
        until=date(2026, 1, 1),
        ward_names=("North", HOSTILE_WARD),
        headline={"cameras": 12, "goal": 600, "goal_share": 0.02, "incidents": 50},
        ward_table=table,
        ward_shapes=wards,
        outline=wards.dissolve().geometry,
        camera_cells=cell,
        camera_points=gpd.GeoDataFrame(geometry=[], crs=WGS84),
        privacy_note="Public view: <i>note</i>",
        suppressed_cameras=3,
        merged_cameras=0,
        gaps=cell.assign(incidents=9, incidents_uncovered=7, ward_name=HOSTILE_WARD),
        recruitment=cell.assign(
            sites=2, incidents_gained=5, weighted_gain=7.5, ward_name="North"
        ),
        recruitment_note="",
        forecast=forecast,
        costs=pd.DataFrame({"device": ["<img src=x onerror=alert(1)>"], "n": [2]}),
        scenario={"Integrations": "2"},
    )


def test_render_escapes_every_data_text(standin):
    html = briefing.render_briefing(standin)
    assert HOSTILE_WARD not in html
    assert "&lt;b onmouseover&#61;&quot;alert(1)&quot;&gt;Ward&lt;/b&gt;" in html
    assert "<i>note</i>" not in html
    assert "onerror=" not in html
    assert "onmouseover=" not in html
    assert "<img" not in html
    assert "<script" not in html.lower()
    assert re.search(r"<[a-z]+[^>]*\son\w+\s*=", html, re.I) is None


def test_render_is_self_contained_and_printable(standin):
    html = briefing.render_briefing(standin)
    assert "http://" not in html
    assert "https://" not in html
    assert EXTERNAL.search(html) is None
    assert "<link" not in html.lower()
    assert "@import" not in html
    assert "url(" not in html
    assert "@media print" in html
    assert html.count("<svg") >= 5  # progress, ward map, bars, cameras, gaps, areas
    # every figure has a plain-language caption
    assert html.count("<figure>") == html.count("<figcaption>") >= 5


def test_synthetic_label_in_title_and_on_top(standin):
    html = briefing.render_briefing(standin)
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title.startswith(SYNTHETIC_LABEL)
    body = html[html.index("<body>") :]
    assert body.index(SYNTHETIC_LABEL) < body.index("<h1>")
    real = briefing.render_briefing(
        briefing.BriefingInputs(**{**standin.__dict__, "synthetic": False})
    )
    assert SYNTHETIC_LABEL not in re.search(r"<title>(.*?)</title>", real).group(1)
    assert 'class="synthetic"' not in real


def test_suppressed_counts_are_stated(standin, city):
    html = briefing.render_briefing(standin)
    assert f"fewer than {city.min_group_size} sites" in html  # ward 2's count
    assert "3 cameras are in areas too sparse" in html
    assert "suppressed" in html


def test_forecast_dates_and_goal_in_text(standin):
    html = briefing.render_briefing(standin)
    assert "June 2029" in html
    assert "January 2028 to beyond the forecast horizon" in html


def test_investigator_briefing_is_refused(standin):
    inputs = briefing.BriefingInputs(**{**standin.__dict__, "audience": "investigator"})
    with pytest.raises(ValueError, match="investigator"):
        briefing.render_briefing(inputs)


def test_class_breaks_and_colours():
    edges = class_breaks([0, 10, 20, 30, 40], classes=4)
    assert edges.tolist() == [0, 10, 20, 30, 40]
    colours = classify([0, 15, 40, np.nan], edges)
    assert colours[0] != colours[1] != colours[2]
    assert colours[3] == "#f2f2f2"


def test_charts_escape_labels():
    svg = bar_chart(["<script>x</script>"], {"a": [0.5]})
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "50%" in svg
    idx = pd.date_range("2025-01-01", periods=3, freq="MS")
    line = line_chart([("<b>", pd.Series([1.0, 2.0, 3.0], index=idx))])
    assert "<b>" not in line
    assert "polyline" in line
