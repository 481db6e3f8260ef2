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
from analytics.safe_output import to_safe_csv
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
    # months are written as everywhere else (analytics.formatting.month)
    assert "Projected goal date: Jun 2029" in html
    assert "Jan 2028 to beyond the forecast horizon" in html


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


# --- end to end: a hostile registry through gather + render ------------------------
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
AS_OF = date(2026, 1, 1)


def _registered(i: int) -> date:
    """Spread registrations over the months since launch, for the forecast."""
    return (pd.Timestamp("2024-09-01") + pd.DateOffset(months=i % 16)).date()


@pytest.fixture(scope="module")
def hostile():
    """Two wards; residential cameras with contacts and markup; a lone far camera.

    Ward 1 ("North", north of CENTRE) holds a cluster of 6 residential sites
    (1 camera each) and 3 business sites (2 cameras each): 9 sites, 12 cameras.
    Ward 2 (named with markup, south) holds 2 residential sites: fewer than the
    city's 5, so its counts are withheld. A lone residential site with 3 cameras
    sits ~21 km away, outside both wards, alone in its parent cells: suppressed.
    """
    from analytics.config import load_city
    from analytics.datasets import Dataset
    from tests.conftest import make_cameras, make_incidents

    city = load_city("little_rock")
    lat, lon = CENTRE
    rows = []
    for i in range(6):
        a, b = offset(lat, lon, 20.0 * i + 3.3, 1300.0 + 7.7 * i)
        rows.append(
            {
                "latitude": round(a, 6),
                "longitude": round(b, 6),
                "owner_type": "residential",
                "owner_name": SCRIPT if i == 0 else f"Resident Alvarez{i}",
                "address": IMG if i == 0 else f"{100 + i} Quietlane Rd",
                "contact_phone": f"501-555-01{i:02d}",
                "contact_email": f"resident{i}@homes.example",
                "registered_at": _registered(i),
            }
        )
    for i in range(3):
        a, b = offset(lat, lon, -400.0 + 150 * i, 900.0)
        rows.append(
            {
                "latitude": round(a, 6),
                "longitude": round(b, 6),
                "owner_type": "business",
                "camera_count": 2,
                "owner_name": f"Shopkeeper Brightwater{i}",
                "address": f"{500 + i} Market St",
                "contact_phone": f"501-555-02{i:02d}",
                "contact_email": f"shop{i}@biz.example",
                "registered_at": _registered(6 + i),
            }
        )
    for i in range(2):
        a, b = offset(lat, lon, 300.0 * i + 11.1, -1200.0)
        rows.append(
            {
                "latitude": round(a, 6),
                "longitude": round(b, 6),
                "owner_type": "residential",
                "owner_name": f"Resident Okonkwo{i}",
                "address": f"{20 + i} Hiddenhill Ct",
                "contact_phone": f"501-555-03{i:02d}",
                "contact_email": f"south{i}@homes.example",
                "registered_at": _registered(9 + i),
            }
        )
    a, b = offset(lat, lon, 15_000.0, 15_000.0)
    rows.append(
        {
            "latitude": round(a, 6),
            "longitude": round(b, 6),
            "owner_type": "residential",
            "camera_count": 3,
            "owner_name": "Resident Farawayson",
            "address": "9 Lonelyfarm Rd",
            "contact_phone": "501-555-0999",
            "contact_email": "lonely@homes.example",
            "registered_at": _registered(11),
        }
    )
    cameras = make_cameras(rows)
    # incidents 9 days apart from 1 Jun 2025 (15 over 126 days): the default
    # window spans more than the month a coverage figure needs below
    # investigator (all on one day, every ward's coverage would be withheld)
    incidents = make_incidents(
        [
            {"latitude": r["latitude"] + 0.0001, "longitude": r["longitude"]}
            for r in rows[:11]
        ]
        + [
            {
                "latitude": a,
                "longitude": b,
                "category": "property",
                "offense_code": "23C",
            }
            for a, b in (
                offset(lat, lon, 700, 1700),
                offset(lat, lon, -700, 300),
                offset(lat, lon, 600, -500),
                offset(lat, lon, -600, -1700),
            )
        ]
    )
    incidents["occurred_at"] = pd.Timestamp("2025-06-01 12:00") + pd.to_timedelta(
        9 * np.arange(len(incidents)), unit="D"
    )
    wards = gpd.GeoDataFrame(
        {"ward_id": ["1", "2"], "ward_name": ["North", HOSTILE_WARD]},
        geometry=[
            square(*offset(lat, lon, 0, 1000), 1000),
            square(*offset(lat, lon, 0, -1000), 1000),
        ],
        crs=WGS84,
    )
    ds = Dataset(
        cameras,
        incidents,
        wards,
        wards.dissolve()[["geometry"]],
        city,
        "hostile test registry",
        False,
        AS_OF,
    )
    editions = {
        aud: briefing.gather_briefing(ds, audience=aud, recruit_k=3)
        for aud in briefing.BRIEFING_AUDIENCES
    }
    html = {aud: briefing.render_briefing(inp) for aud, inp in editions.items()}
    return ds, rows, editions, html


def _secrets(rows, owner_type="residential") -> list[str]:
    out = []
    for r in rows:
        if r["owner_type"] != owner_type:
            continue
        out += [f"{r['latitude']:.4f}", f"{r['longitude']:.4f}"]
        out += [str(r[k]) for k in ("owner_name", "address", "contact_phone")]
        out.append(str(r["contact_email"]))
    return out


@pytest.mark.parametrize("audience", ["public", "staff"])
def test_no_resident_can_be_traced(hostile, audience):
    _, rows, editions, html = hostile
    doc = html[audience]
    csvs = [
        to_safe_csv(f).decode("utf-8-sig")
        for f in briefing.briefing_tables(editions[audience]).values()
    ]
    contacts = [s for s in _secrets(rows, "business") if "@" in s or "501-" in s]
    for text in [doc, *csvs]:
        for secret in _secrets(rows) + contacts:
            assert secret not in text, secret
    # no live markup in the document (CSV is data: markup there is inert text)
    assert "<script" not in doc.lower()
    assert "onerror=" not in doc
    assert "onmouseover=" not in doc
    assert re.search(r"<[a-z]+[^>]*\son\w+\s*=", doc, re.I) is None


def test_csv_downloads_neutralise_formulas(standin):
    inputs = briefing.BriefingInputs(
        **{
            **standin.__dict__,
            "ward_table": standin.ward_table.assign(ward_name=["=1+1", "@SUM(A1)"]),
        }
    )
    text = to_safe_csv(briefing.briefing_tables(inputs)["wards"]).decode("utf-8-sig")
    assert "'=1+1" in text
    assert "'@SUM(A1)" in text


def test_investigator_view_has_the_contacts(hostile):
    from analytics.privacy import redact_table

    ds, rows, _, _ = hostile
    full = redact_table(ds.cameras, "investigator")
    assert set(full["contact_email"]) == {r["contact_email"] for r in rows}
    assert SCRIPT in set(full["owner_name"])


def test_staff_sees_business_points_public_none(hostile):
    _, _, editions, html = hostile
    assert len(editions["public"].camera_points) == 0
    assert "<circle" not in html["public"]
    assert len(editions["staff"].camera_points) == 3  # the three business sites
    assert html["staff"].count("<circle") == 3
    assert "Staff edition" in html["staff"]
    assert "Staff edition" not in html["public"]


def test_headline_figures_come_through(hostile):
    """11 violent incidents ~11 m north of a camera, 4 property ones >= 500 m away.

    The 3 at business cameras (50 m range) are in view; the 8 at homes only
    where a home's stand-in point (30-60 m off) is within the 30 m range: 3 of
    8 with no CAMREG_PRIVACY_KEY (12.9, 15.4, 4.7 m; the others 31.9-43.1 m),
    so 6 of 15 (not the 11 of 15 of the homes' true places).
    """
    from analytics.privacy import distance_m, stand_in_positions

    ds, _, editions, html = hostile
    homes = ds.cameras[ds.cameras["owner_type"] == "residential"]
    lat, lon = stand_in_positions(homes)
    at_homes = ds.incidents.iloc[[0, 1, 2, 3, 4, 5, 9, 10]]
    seen = sum(
        bool((distance_m(r.latitude, r.longitude, lat, lon) <= 30.0).any())
        for r in at_homes.itertuples()
    )
    h = editions["public"].headline
    assert h["incidents"] == 15
    assert h["incident_coverage_share"] == pytest.approx((3 + seen) / 15)
    # violent weighs 3, property 1: 11 * 3 + 4 = 37
    assert h["weighted_incident_coverage_share"] == pytest.approx(3 * (3 + seen) / 37)
    assert h["cameras"] == 12 + 2 + 3  # ward 1, ward 2, the lone far camera
    assert f"{100 * (3 + seen) / 15:.1f}%" in html["public"]


def test_small_wards_and_cells_are_withheld_and_said(hostile, city):
    _, _, editions, html = hostile
    table = editions["public"].ward_table.set_index("ward_id")
    assert table.loc["1", "cameras"] == 12  # 6 x 1 residential + 3 x 2 business
    assert np.isnan(table.loc["2", "cameras"])  # 2 sites < 5
    assert np.isnan(table.loc["2", "coverage_share"])  # public: shares withheld
    # staff too: 2 sites and 4 incidents are fewer than 5 (the same rule as cells)
    assert np.isnan(
        editions["staff"].ward_table.set_index("ward_id").loc["2", "coverage_share"]
    )
    assert not np.isnan(table.loc["1", "coverage_share"])  # 9 sites, 11 incidents
    # ... over 126 days; a one-day window shows no ward's coverage (single
    # incidents could be tested against single homes)
    ds = hostile[0]
    one_day = briefing.gather_briefing(
        ds, audience="public", since=date(2025, 6, 1), until=date(2025, 6, 1)
    )
    assert one_day.ward_table["coverage_share"].isna().all()
    # the lone far camera (3 cameras) shares no parent cell with anything
    assert editions["public"].suppressed_cameras == 3
    doc = html["public"]
    assert f"fewer than {city.min_group_size} sites" in doc
    assert "3 cameras are in areas too sparse even after merging" in doc


def test_ward_selection_limits_the_briefing(hostile, city):
    ds, *_ = hostile
    inputs = briefing.gather_briefing(ds, audience="public", wards=["2"], recruit_k=2)
    # ward 2 alone: 2 residential sites, fewer than 5, so no counts at all
    assert inputs.headline.get("suppressed")
    assert inputs.headline["incidents"] == 4  # 2 at the cameras + 2 property
    doc = briefing.render_briefing(inputs)
    assert f"fewer than {city.min_group_size} sites" in doc
    assert "&lt;b onmouseover&#61;" in doc  # the chosen ward's name, escaped
    with pytest.raises(ValueError, match=r"ward '9' is not a ward id.*\['1', '2'\]"):
        briefing.gather_briefing(ds, audience="public", wards=["9"])


def test_end_to_end_document_is_offline(hostile):
    *_, html = hostile
    for doc in html.values():
        assert "http://" not in doc
        assert "https://" not in doc
        assert EXTERNAL.search(doc) is None
        assert "Synthetic demo data" not in doc  # real data is not labelled


# --- requests and outcomes -------------------------------------------------------
def test_requests_section_is_the_pages_figures_with_small_groups_withheld(
    monkeypatch,
):
    from analytics.datasets import load_dataset
    from analytics.figures import request_texts
    from analytics.footage_view import (
        integration_cost_per_year,
        load_history,
        requests_view,
    )
    from tests.pagetest import clear_data_env

    clear_data_env(monkeypatch)
    ds = load_dataset()
    since, until = date(2026, 10, 1), date(2026, 10, 14)
    view = requests_view(
        load_history(ds), ds.cameras, ds.incidents, role="staff", since=since,
        until=until, as_of=ds.as_of, min_group_size=ds.city.min_group_size,
        device_cost_usd_per_year=integration_cost_per_year(
            ds.cameras, ds.city.devices
        ),
    )  # fmt: skip
    # the demo's two weeks: 55 requests; the public owners' group has 3 answers,
    # fewer than the city's 5
    assert view.stats.requests == 55
    small = view.by_owner_type.set_index("group").loc["public"]
    assert small["decided"] == 3
    staff = briefing._requests_brief(ds, "staff", since, until)
    inputs = briefing.gather_briefing(ds, audience="public", since=since, until=until)
    public = inputs.requests
    assert staff is not None
    assert public is not None
    # same figures, same words, whoever reads
    assert staff.texts == request_texts(view.stats)
    assert public.texts == staff.texts
    assert staff.by_owner_type.set_index("group").loc["public", "decided"] == 3
    assert public.by_owner_type.set_index("group").loc["public", "decided"] is None
    html = briefing.render_briefing(inputs)
    section = html[html.index('id="requests"') : html.index('id="methods"')]
    assert "Requests and outcomes" in section
    assert "55 footage requests in the window" in section
    assert "fewer than 5 answers" in section
    assert ">3<" not in section.split("public", 1)[1].split("</tr>", 1)[0]
    assert "DEMO-" not in section  # no case number
    assert "CAM-" not in section  # no camera
