"""Viewshed model: direction parsing, resolved ranges, point-in-viewshed join."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from analytics.viewshed import (
    CameraArrays,
    nominal_area_m2,
    parse_direction,
    prepare_cameras,
    to_metric,
    viewshed_polygons,
    visible_pairs,
)
from tests.conftest import CENTRE, offset

LAT, LON = CENTRE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("135", (135.0, None)),
        (" 90 ", (90.0, None)),
        ("370", (10.0, None)),
        ("-90", (270.0, None)),
        ("22.5", (22.5, None)),
        (135, (135.0, None)),
        ("N", (0.0, None)),
        ("ne", (45.0, None)),
        ("NNE", (22.5, None)),
        ("WNW", (292.5, None)),
        ("SSW", (202.5, None)),
        ("90-270", (180.0, 180.0)),
        ("330-30", (0.0, 60.0)),
        ("270-90", (0.0, 180.0)),
        ("0-90", (45.0, 90.0)),
        ("E-S", (135.0, 90.0)),
        ("0-360", (0.0, 360.0)),
        (None, None),
        (float("nan"), None),
        ("", None),
        ("up", None),
        ("1-2-3", None),
    ],
)
def test_parse_direction(text, expected):
    assert parse_direction(text) == expected


def _xy(lat, lon, city):
    x, y = to_metric(np.array([lon]), np.array([lat]), city)
    return x[0], y[0]


def test_prepare_resolves_ranges_fov_and_circles(city, camera_factory):
    cams = camera_factory(
        [
            {"latitude": LAT, "longitude": LON, "owner_type": "residential"},
            {
                "latitude": LAT,
                "longitude": LON,
                "owner_type": "residential",
                "camera_type": "doorbell",
                "direction_deg": "90",
            },
            {
                "latitude": LAT,
                "longitude": LON,
                "camera_type": "dome",
                "direction_deg": "90",
            },
            {"latitude": LAT, "longitude": LON, "range_m": 75.0, "fov_deg": 40.0},
            {
                "latitude": LAT,
                "longitude": LON,
                "direction_deg": "45",
                "fov_deg": 40.0,
            },
            {"latitude": LAT, "longitude": LON, "status": "withdrawn"},
        ]
    )
    p = prepare_cameras(cams, city, range_scale=2.0)
    assert list(p.index) == [0, 1, 2, 3, 4]  # withdrawn row dropped
    # residential 30 m, doorbell 10 m, business 50 m, given 75 m; all doubled
    assert p["range_m"].tolist() == [60.0, 20.0, 100.0, 150.0, 100.0]
    assert p["full_circle"].tolist() == [True, False, True, True, False]
    assert p["width_deg"].tolist() == [360.0, 85.0, 360.0, 360.0, 40.0]
    assert p.loc[1, "centre_deg"] == 90.0
    assert np.isnan(p.loc[2, "centre_deg"])  # dome: full circle whatever direction
    assert p.attrs["metric_crs"] == city.metric_crs
    # nominal areas: disk pi r^2, sector pi r^2 * 85/360
    assert nominal_area_m2(p)[0] == pytest.approx(np.pi * 60**2)
    assert nominal_area_m2(p)[1] == pytest.approx(np.pi * 20**2 * 85 / 360)


def test_prepare_rejects_bad_scale_and_warns_on_unreadable(city, camera_factory):
    cams = camera_factory([{"latitude": LAT, "longitude": LON, "direction_deg": "up"}])
    with pytest.raises(ValueError, match="range_scale"):
        prepare_cameras(cams, city, range_scale=0)
    with pytest.warns(UserWarning, match="could not be read"):
        p = prepare_cameras(cams, city)
    assert bool(p["full_circle"].iloc[0])


def _pairs(city, cams, points):
    prepared = prepare_cameras(cams, city)
    arrays = CameraArrays.from_prepared(prepared)
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    x, y = to_metric(lon, lat, city)
    return visible_pairs(arrays, x, y)


def test_disk_in_wgs84_measured_in_metres(city, camera_factory):
    cams = camera_factory(
        [{"latitude": LAT, "longitude": LON, "owner_type": "business"}]
    )  # 50 m disk
    points = [
        offset(LAT, LON, east_m=49),
        offset(LAT, LON, east_m=51),
        offset(LAT, LON, north_m=-49),
        offset(LAT, LON, north_m=-51),
        offset(LAT, LON, east_m=34, north_m=34),  # 48.1 m
        offset(LAT, LON, east_m=36, north_m=36),  # 50.9 m
        (LAT, LON),  # at the camera
    ]
    point, camera, dist = _pairs(city, cams, points)
    assert sorted(point.tolist()) == [0, 2, 4, 6]
    assert set(camera.tolist()) == {0}
    assert dist[np.argsort(point)][0] == pytest.approx(49.0, abs=0.05)


@pytest.mark.parametrize(
    ("direction", "inside", "outside"),
    [
        # 85-degree sector facing east: +-42.5 degrees around 90
        ("90", [(40, 0), (30, 20), (30, -20)], [(-40, 0), (0, 40), (20, 30)]),
        # compass NE = 45: north-east inside, east-south-east outside
        ("NE", [(25, 25), (35, 5), (5, 35)], [(35, -5), (-25, 25), (25, -25)]),
        # range across north 330-30: +-30 around 0
        ("330-30", [(0, 40), (-15, 40), (15, 40)], [(25, 25), (-25, 25), (0, -40)]),
        # clockwise 90-270: the whole southern half
        ("90-270", [(40, -1), (0, -40), (-40, -1)], [(0, 40), (20, 30), (-20, 30)]),
    ],
)
def test_sectors(city, camera_factory, direction, inside, outside):
    cams = camera_factory(
        [{"latitude": LAT, "longitude": LON, "direction_deg": direction}]
    )  # business, fixed: 50 m
    points = [offset(LAT, LON, east_m=e, north_m=n) for e, n in inside + outside]
    point, _, _ = _pairs(city, cams, points)
    assert sorted(point.tolist()) == list(range(len(inside)))


def test_withdrawn_camera_sees_nothing(city, camera_factory):
    cams = camera_factory([{"latitude": LAT, "longitude": LON, "status": "withdrawn"}])
    point, _, _ = _pairs(city, cams, [offset(LAT, LON, east_m=5)])
    assert len(point) == 0


def test_many_cameras_match_polygons(city, camera_factory):
    """The numpy join agrees with point-in-polygon on the drawn viewsheds."""
    rng = np.random.default_rng(5)
    rows = []
    directions = ["90", "NE", "330-30", None, "200", "90-270", "SW"]
    for i in range(40):
        lat, lon = offset(LAT, LON, *rng.uniform(-400, 400, 2))
        rows.append(
            {
                "latitude": lat,
                "longitude": lon,
                "owner_type": ["business", "residential", "public"][i % 3],
                "direction_deg": directions[i % len(directions)],
            }
        )
    cams = camera_factory(rows)
    points = [offset(LAT, LON, *rng.uniform(-500, 500, 2)) for _ in range(3000)]
    point, camera, _ = _pairs(city, cams, points)
    prepared = prepare_cameras(cams, city)
    polys = viewshed_polygons(prepared, segments=64)
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    x, y = to_metric(lon, lat, city)
    tree = shapely.STRtree(polys.values)
    a, b = tree.query(shapely.points(x, y), predicate="intersects")
    mine = set(zip(point.tolist(), camera.tolist(), strict=True))
    theirs = set(zip(a.tolist(), b.tolist(), strict=True))
    assert len(theirs) > 100
    # polygons are inscribed in the true arc: they may miss a sliver, never add
    assert theirs <= mine
    assert len(mine - theirs) <= 0.01 * len(mine)


def test_polygon_areas(city, camera_factory):
    cams = camera_factory(
        [
            {"latitude": LAT, "longitude": LON},
            {"latitude": LAT, "longitude": LON, "direction_deg": "0-90"},
        ]
    )
    polys = viewshed_polygons(prepare_cameras(cams, city))
    assert str(polys.crs) == city.metric_crs
    assert polys.area.iloc[0] == pytest.approx(np.pi * 50**2, rel=0.01)
    assert polys.area.iloc[1] == pytest.approx(np.pi * 50**2 / 4, rel=0.01)
