"""Ward and district tables on two hand-made square wards."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analytics.coverage import coverage_report, incident_coverage
from analytics.schema import WGS84
from analytics.wards import WARD_TABLE_COLUMNS, district_table
from tests.conftest import CENTRE, offset

LAT, LON = CENTRE


def at(east_m: float = 0.0, north_m: float = 0.0, **extra) -> dict:
    lat, lon = offset(LAT, LON, east_m, north_m)
    return {"latitude": lat, "longitude": lon, **extra}


def rect(west: float, south: float, east: float, north: float) -> shapely.Polygon:
    corners = [(west, south), (east, south), (east, north), (west, north)]
    return shapely.Polygon(
        [(lon, lat) for lat, lon in (offset(LAT, LON, e, n) for e, n in corners)]
    )


@pytest.fixture
def two_wards() -> gpd.GeoDataFrame:
    """West ward [-500, 0] x [-500, 500] m, east ward [0, 500] x [-500, 500] m."""
    return gpd.GeoDataFrame(
        {"ward_id": ["W", "E"], "ward_name": ["West", "East"]},
        geometry=[rect(-500, -500, 0, 500), rect(0, -500, 500, 500)],
        crs=WGS84,
    )


def ward_table(cams, incs, city, wards) -> pd.DataFrame:
    """The report's ward table, the wards also serving as the city limit."""
    report = coverage_report(cams, incs, city, city_limit=wards, wards=wards)
    return report.wards.set_index("ward_id")


def test_ward_table_by_hand(city, camera_factory, incident_factory, two_wards):
    cams = camera_factory([at(-250, 0, camera_count=2)])  # 50 m disk in West
    incs = incident_factory(
        [
            at(-250, 10, category="violent"),  # West, covered (3)
            at(-400, 0, category="property"),  # West, not covered (1)
            at(0, 500, category="other"),  # shared corner: counted once (0.5)
            at(0, 0, category="property"),  # on the shared edge: counted once
            at(250, 0, category="violent"),  # East, not covered
        ]
    )
    table = ward_table(cams, incs, city, two_wards)
    assert list(table.reset_index().columns) == list(WARD_TABLE_COLUMNS)
    assert table["incidents"].sum() == 5  # border incidents counted exactly once
    assert table.loc["W", "incidents"] >= 3  # the shared corner goes to the first
    west, east = table.loc["W"], table.loc["E"]
    assert west["incidents_covered"] == 1
    assert east["incidents_covered"] == 0
    assert west["cameras"] == 2
    assert west["sites"] == 1
    assert west["integrated_cameras"] == 0
    assert east["cameras"] == 0
    assert west["area_km2"] == pytest.approx(0.5, rel=0.005)
    assert west["cameras_per_km2"] == pytest.approx(2 / west["area_km2"])
    disk = np.pi * 50**2 / 1e6
    assert west["covered_area_km2"] == pytest.approx(disk, rel=0.02)
    assert west["area_coverage_share"] == pytest.approx(disk / 0.5, rel=0.02)
    assert east["area_coverage_share"] == 0.0
    # the edge point (property, weight 1) lands in one ward; weights by hand
    if west["incidents"] == 4:
        assert west["weighted_incident_coverage_share"] == pytest.approx(3 / 5.5)
        assert east["weighted_incident_coverage_share"] == 0.0
    else:
        assert west["weighted_incident_coverage_share"] == pytest.approx(3 / 4.5)


def test_shared_corner_goes_to_first_ward(city, camera_factory, incident_factory):
    cams = camera_factory([at(-250, 0)])
    incs = incident_factory([at(0, 500)])
    west_first = gpd.GeoDataFrame(
        {"ward_id": ["W", "E"], "ward_name": ["West", "East"]},
        geometry=[rect(-500, -500, 0, 500), rect(0, -500, 500, 500)],
        crs=WGS84,
    )
    east_first = west_first.iloc[::-1].reset_index(drop=True)
    for wards, first in ((west_first, "W"), (east_first, "E")):
        table = ward_table(cams, incs, city, wards)
        assert table["incidents"].to_dict()[first] == 1
        assert table["incidents"].sum() == 1


def test_incident_outside_wards_flagged(city, camera_factory, incident_factory):
    cams = camera_factory([at(-250, 0)])
    incs = incident_factory([at(-250, 0), at(2000, 0)])
    wards = gpd.GeoDataFrame(
        {"ward_id": ["W"], "ward_name": ["West"]},
        geometry=[rect(-500, -500, 0, 500)],
        crs=WGS84,
    )
    report = coverage_report(cams, incs, city, city_limit=wards, wards=wards)
    assert report.wards["incidents"].tolist() == [1]
    assert any("outside every ward" in f for f in report.flags)


def test_district_table(city, camera_factory, incident_factory):
    cams = camera_factory([at(0, 0, tier="integrated")])
    incs = incident_factory(
        [
            at(5, 0, district="51", category="violent"),  # covered, live
            at(900, 0, district="51", category="property"),
            at(0, 10, district="62", category="other"),  # covered, live
            at(0, 900, district=None, category="violent"),  # no district
        ]
    )
    cov = incident_coverage(cams, incs, city)
    table = district_table(incs, cov, city).set_index("district")
    assert list(table.index) == ["51", "62"]
    assert table.loc["51", "incidents"] == 2
    assert table.loc["51", "incident_coverage_share"] == 0.5
    assert table.loc["51", "weighted_incident_coverage_share"] == pytest.approx(3 / 4)
    assert table.loc["62", "live_incident_coverage_share"] == 1.0
    with pytest.raises(ValueError, match="coverage"):
        district_table(incs, cov.iloc[:2], city)
    empty = district_table(incs.assign(district=pd.NA), cov, city)
    assert len(empty) == 0
