"""Coverage figures on hand-made cameras and incidents with known answers."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analytics import areagrid
from analytics.coverage import (
    HEADLINE_KEYS,
    coverage_report,
    coverage_state,
    filter_cameras,
    filter_incidents,
    incident_coverage,
)
from analytics.schema import WGS84
from analytics.viewshed import (
    CameraArrays,
    prepare_cameras,
    to_metric,
    viewshed_polygons,
)
from tests.conftest import CENTRE, offset

LAT, LON = CENTRE


def square(half_m: float, east_m: float = 0.0, north_m: float = 0.0):
    """WGS84 square of side 2*half_m centred east_m/north_m from CENTRE."""
    corners = [
        offset(LAT, LON, east_m + dx, north_m + dy)
        for dx, dy in [
            (-half_m, -half_m),
            (half_m, -half_m),
            (half_m, half_m),
            (-half_m, half_m),
        ]
    ]
    return shapely.Polygon([(lon, lat) for lat, lon in corners])


def limit_frame(half_m: float = 500.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["toy"]}, geometry=[square(half_m)], crs=WGS84)


def at(east_m: float = 0.0, north_m: float = 0.0, **extra) -> dict:
    lat, lon = offset(LAT, LON, east_m, north_m)
    return {"latitude": lat, "longitude": lon, **extra}


def test_incident_coverage_live_on_request_and_withdrawn(
    city, camera_factory, incident_factory
):
    cams = camera_factory(
        [
            at(0, 0, tier="integrated"),  # 50 m disk (business)
            at(80, 0, tier="registered"),  # 50 m disk, overlaps the first
            at(300, 0, status="withdrawn"),  # sees nothing
        ]
    )
    incs = incident_factory(
        [
            at(-30, 0),  # integrated only -> live
            at(40, 0),  # both -> live, not on request
            at(110, 0),  # registered only -> on request
            at(300, 5),  # next to the withdrawn camera -> not covered
            at(0, 60),  # 60 m from the first: outside
        ]
    )
    cov = incident_coverage(cams, incs, city)
    assert list(cov.index) == list(incs.index)
    assert cov["covered"].tolist() == [True, True, True, False, False]
    assert cov["covered_live"].tolist() == [True, True, False, False, False]
    assert cov["covered_on_request"].tolist() == [False, False, True, False, False]
    assert cov["n_cameras"].tolist() == [1, 2, 1, 0, 0]
    # nearest active site: withdrawn camera ignored (200 m to the one at 80 m east)
    # offset() steps along the ellipsoid; UTM 15N shrinks distances by ~0.04% here
    assert cov["nearest_camera_m"].iloc[3] == pytest.approx(np.hypot(220, 5), rel=1e-3)
    assert cov["nearest_camera_m"].iloc[4] == pytest.approx(60.0, rel=1e-3)


def test_incident_coverage_can_skip_nearest(city, camera_factory, incident_factory):
    cov = incident_coverage(
        camera_factory([at(0, 0)]), incident_factory([at(5, 0)]), city, nearest=False
    )
    assert list(cov.columns) == [
        "covered",
        "covered_live",
        "covered_on_request",
        "n_cameras",
    ]
    assert cov["covered"].tolist() == [True]


def test_incident_coverage_without_cameras(city, camera_factory, incident_factory):
    cams = camera_factory([at(0, 0, status="withdrawn")])
    cov = incident_coverage(cams, incident_factory([at(1, 1)]), city)
    assert not cov["covered"].iloc[0]
    assert np.isnan(cov["nearest_camera_m"].iloc[0])


def test_headline_by_hand(city, camera_factory, incident_factory):
    cams = camera_factory(
        [
            at(0, 0, tier="integrated", camera_count=3),
            at(200, 0, camera_count=2),
            at(-300, 0, camera_count=4, status="withdrawn"),
        ]
    )
    incs = incident_factory(
        [
            at(10, 0, category="violent"),  # live, weight 3
            at(210, 0, category="property"),  # on request, weight 1
            at(205, 5, category="other"),  # on request, weight 0.5
            at(-300, 0, category="violent"),  # withdrawn camera: unseen, 3
        ]
    )
    report = coverage_report(cams, incs, city, city_limit=limit_frame())
    h = report.headline
    assert tuple(h) == HEADLINE_KEYS
    assert h["cameras"] == 5
    assert h["sites"] == 2
    assert h["integrated_cameras"] == 3
    assert h["goal"] == city.goal_cameras
    assert h["goal_share"] == pytest.approx(5 / city.goal_cameras)
    assert h["incidents"] == 4
    assert h["incident_coverage_share"] == pytest.approx(3 / 4)
    assert h["live_incident_coverage_share"] == pytest.approx(1 / 4)
    assert h["on_request_incident_coverage_share"] == pytest.approx(2 / 4)
    assert h["weighted_incident_coverage_share"] == pytest.approx(4.5 / 7.5)
    # two disjoint 50 m disks in a 1 km2 square
    disk = np.pi * 50**2
    assert h["city_area_km2"] == pytest.approx(1.0, rel=0.005)
    assert h["covered_area_km2"] == pytest.approx(2 * disk / 1e6, rel=0.02)
    assert h["area_coverage_share"] == pytest.approx(2 * disk / 1e6, rel=0.02)
    assert h["effective_cameras"] == pytest.approx(2.0, rel=0.02)
    assert any("withdrawn" in f for f in report.flags)


def test_effective_cameras_disjoint_vs_coincident(city, camera_factory):
    incs = gpd.GeoDataFrame(
        pd.DataFrame({"latitude": [], "longitude": [], "category": []}),
        geometry=[],
        crs=WGS84,
    )
    disjoint = camera_factory([at(0, 0), at(300, 0)])
    same = camera_factory([at(0, 0), at(0, 0)])
    half_overlap = camera_factory([at(0, 0, direction_deg="0-180"), at(0, 0)])
    limit = limit_frame()
    e = {
        name: coverage_report(c, incs, city, city_limit=limit).headline[
            "effective_cameras"
        ]
        for name, c in [
            ("disjoint", disjoint),
            ("same", same),
            ("half", half_overlap),
        ]
    }
    assert e["disjoint"] == pytest.approx(2.0, rel=0.02)
    assert e["same"] == pytest.approx(1.0, rel=0.02)
    # union = the full disk; mean nominal area = (1/2 + 1) / 2 of a disk
    assert e["half"] == pytest.approx(1 / 0.75, rel=0.02)


def test_raster_area_within_two_percent_of_exact_union(city):
    """Raster covered area vs shapely union_all of the viewshed polygons."""
    rng = np.random.default_rng(11)
    n = 400
    east, north = rng.normal(0, 500, n), rng.normal(0, 500, n)
    lat, lon = offset(LAT, LON, east, north)
    directions = np.array(
        ["", "45", "NE", "330-30", "90-270", "200", "S"], dtype=object
    )
    cams = gpd.GeoDataFrame(
        {
            "camera_id": [f"C{i}" for i in range(n)],
            "latitude": lat,
            "longitude": lon,
            "tier": "registered",
            "owner_type": rng.choice(
                ["residential", "business", "institutional", "public"], n
            ),
            "camera_type": rng.choice(["fixed", "doorbell", "dome", "ptz"], n),
            "camera_count": 1,
            "status": "active",
            "direction_deg": directions[rng.integers(0, len(directions), n)],
            "fov_deg": np.nan,
            "range_m": np.nan,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )
    prepared = prepare_cameras(cams, city)
    exact = shapely.union_all(viewshed_polygons(prepared, segments=64).values).area
    limit = gpd.GeoSeries([square(3000)], crs=WGS84).to_crs(city.metric_crs).iloc[0]
    grid = areagrid.area_grid(limit)
    arrays = CameraArrays.from_prepared(prepared)
    covered, outside = areagrid.covered_cells(arrays, grid)
    assert outside == 0
    raster = covered.sum() * grid.cell_area_m2
    assert abs(raster - exact) / exact < 0.02
    # the figure the report gives is the same raster count
    report = coverage_report(
        cams,
        cams.iloc[:0],
        city,
        city_limit=gpd.GeoDataFrame(geometry=[square(3000)], crs=WGS84),
    )
    share = report.headline["area_coverage_share"]
    assert abs(share * grid.city_area_m2 - exact) / exact < 0.02


def test_range_scale_grows_coverage(city, camera_factory, incident_factory):
    cams = camera_factory([at(0, 0)])  # 50 m
    incs = incident_factory([at(70, 0)])
    assert not incident_coverage(cams, incs, city)["covered"].iloc[0]
    assert incident_coverage(cams, incs, city, range_scale=1.5)["covered"].iloc[0]


def test_no_city_limit_uses_the_ward_boundaries(city, camera_factory, incident_factory):
    """Without a city limit the area is the wards' union, whatever the incidents:
    a crime filter must not move the denominator (it used to be their hull)."""
    cams = camera_factory([at(0, 0)])
    corners = [(-500, -500), (500, -500), (500, 500), (-500, 500)]
    incs = incident_factory([at(e, n) for e, n in corners])
    lon0, lat0 = at(-1000, -1000)["longitude"], at(-1000, -1000)["latitude"]
    lon1, lat1 = at(1000, 1000)["longitude"], at(1000, 1000)["latitude"]
    wards = gpd.GeoDataFrame(
        {"ward_id": ["1"], "ward_name": ["All"]},
        geometry=[shapely.box(lon0, lat0, lon1, lat1)],
        crs=WGS84,
    )
    report = coverage_report(cams, incs, city, wards=wards)
    fewer = coverage_report(cams, incs.iloc[:2], city, wards=wards)
    assert report.headline["city_area_km2"] == pytest.approx(4.0, rel=0.01)
    assert fewer.headline["city_area_km2"] == report.headline["city_area_km2"]
    assert report.area_basis == "ward boundaries"
    assert any("ward boundaries' union" in f for f in report.flags)


def test_no_city_limit_nor_wards_uses_the_configured_extent(
    city, camera_factory, incident_factory
):
    cams = camera_factory([at(0, 0)])
    incs = incident_factory([at(e, 0) for e in (-500, 0, 500)])
    report = coverage_report(cams, incs, city)
    box = gpd.GeoSeries([shapely.box(*city.extent.bounds)], crs=WGS84)
    km2 = box.to_crs(city.metric_crs).area.iloc[0] / 1e6
    assert report.headline["city_area_km2"] == pytest.approx(km2, rel=0.01)
    assert report.area_basis == "configured extent"
    assert any("configured extent box" in f for f in report.flags)


def test_filter_incidents(incident_factory):
    incs = incident_factory(
        [
            at(0, 0, occurred_at=pd.Timestamp("2025-01-01 00:00"), category="violent"),
            at(0, 0, occurred_at=pd.Timestamp("2025-01-31 23:59"), category="other"),
            at(0, 0, occurred_at=pd.Timestamp("2025-02-01 00:00"), category="violent"),
        ]
    )
    got = filter_incidents(incs, since="2025-01-01", until=dt.date(2025, 1, 31))
    assert list(got.index) == [0, 1]
    got = filter_incidents(incs, until=pd.Timestamp("2025-01-31 12:00"))
    assert list(got.index) == [0]
    assert list(filter_incidents(incs, categories=["violent"]).index) == [0, 2]
    with pytest.raises(ValueError, match="categories"):
        filter_incidents(incs, categories=["murder"])


def test_filter_cameras_as_of_restates_status(camera_factory):
    cams = camera_factory(
        [
            at(0, 0, registered_at=dt.date(2024, 1, 1)),
            at(0, 0, registered_at=dt.date(2025, 6, 1)),  # later: dropped
            at(
                0,
                0,
                registered_at=dt.date(2024, 1, 1),
                status="withdrawn",
                withdrawn_at=dt.date(2025, 3, 1),
            ),
            at(0, 0, tier="integrated", owner_type="public"),
        ]
    )
    got = filter_cameras(cams, as_of=dt.date(2025, 1, 1))
    assert list(got.index) == [0, 2, 3]
    # withdrawn after as_of: consent withdrawn now covers the past too
    assert got.loc[2, "status"] == "withdrawn"
    got = filter_cameras(cams, as_of="2025-04-01")
    assert got.loc[2, "status"] == "withdrawn"
    assert list(filter_cameras(cams, tiers=["integrated"]).index) == [3]
    assert list(filter_cameras(cams, owner_types="business").index) == [0, 1, 2]
    with pytest.raises(ValueError, match="tiers"):
        filter_cameras(cams, tiers=["live"])


def test_report_on_demo_is_consistent(city):
    from analytics.synthetic import generate_demo

    demo = generate_demo(city, cameras=400, incidents=3000, seed=2)
    report = coverage_report(
        demo.cameras, demo.incidents, city, city_limit=demo.city_limit, wards=demo.wards
    )
    h = report.headline
    cov = incident_coverage(demo.cameras, demo.incidents, city)
    assert h["incident_coverage_share"] == pytest.approx(cov["covered"].mean())
    assert report.hexes["incidents"].sum() == len(demo.incidents)
    assert report.wards["incidents"].sum() == len(demo.incidents)
    assert report.wards["cameras"].sum() == h["cameras"]
    assert report.districts["incidents"].sum() == len(demo.incidents)
    assert 0 < h["area_coverage_share"] < 1
    # ward areas add up to the city (wards tile the synthetic limit)
    assert report.wards["area_km2"].sum() == pytest.approx(h["city_area_km2"], rel=1e-4)
    covered_by_wards = report.wards["covered_area_km2"].sum()
    assert covered_by_wards == pytest.approx(h["covered_area_km2"], rel=0.01)


def test_metric_helpers_roundtrip(city):
    lat2, lon2 = offset(LAT, LON, east_m=100)
    x, y = to_metric(np.array([LON, lon2]), np.array([LAT, lat2]), city)
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(100, abs=0.1)


def test_incidents_without_coordinates(city, camera_factory, incident_factory):
    cams = camera_factory([at(0, 0)])
    incs = incident_factory([at(5, 0), at(1000, 0)])
    incs.loc[1, "latitude"] = np.nan
    report = coverage_report(cams, incs, city, city_limit=limit_frame())
    assert report.headline["incidents"] == 2
    assert report.headline["incident_coverage_share"] == 0.5
    assert report.hexes["incidents"].sum() == 1
    assert any("no usable coordinates" in f for f in report.flags)


@pytest.mark.parametrize(
    ("sites", "side_km", "expected"),
    [
        (10, 1.0, 2.5),  # few cameras: fine cells
        (5000, 1.0, 10.0),  # a city's worth: 10 m
        (10, 25.0, 10.0),  # fine cells would not fit in memory: 6.25 -> 10
        (5000, 100.0, 40.0),  # 1e10 m2 / 16M cells -> >= 25 m -> 40
    ],
)
def test_choose_cell_m(sites, side_km, expected):
    side = side_km * 1000
    assert areagrid.choose_cell_m(sites, (0.0, 0.0, side, side)) == expected


def test_coverage_state_refuses_misaligned_arrays(
    city, camera_factory, incident_factory
):
    import dataclasses

    cams = camera_factory([at(0, 0)])
    incs = incident_factory([at(10, 0), at(2000, 0)])
    prepared = prepare_cameras(cams, city)
    state = coverage_state(prepared, incs, city)
    assert state.covered.tolist() == [True, False]
    assert state.incidents == 2
    assert not state.has_wards
    with pytest.raises(ValueError, match="`weights` has 1 values but there are 2"):
        dataclasses.replace(state, weights=state.weights[:1])
