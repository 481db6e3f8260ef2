"""Gap ranking: hand-placed clusters of unseen incidents."""

from __future__ import annotations

import geopandas as gpd
import h3
import pytest
import shapely
from pyproj import Geod

from analytics.coverage import coverage_report
from analytics.gaps import GAP_COLUMNS
from analytics.schema import WGS84
from tests.conftest import CENTRE, offset

LAT, LON = CENTRE


def at(east_m: float = 0.0, north_m: float = 0.0, **extra) -> dict:
    lat, lon = offset(LAT, LON, east_m, north_m)
    return {"latitude": lat, "longitude": lon, **extra}


def test_ranking_by_weighted_uncovered(city, camera_factory, incident_factory):
    cams = camera_factory([at(0, 0)])  # 50 m disk at the centre
    incs = incident_factory(
        [at(0, 3000, category="violent")] * 3  # A: 3 violent = 9
        + [at(3000, 0, category="property")] * 5  # B: 5 property = 5
        + [at(3000, 0, category="other")] * 2  # B: + 2 other = 1
        + [at(-3000, 0, category="other")] * 8  # C: 8 other = 4
        + [at(10, 0, category="violent")] * 4  # covered: no gap
    )
    gaps = coverage_report(cams, incs, city, hex_resolution=8).gaps
    assert list(gaps.columns) == [*GAP_COLUMNS, "geometry"]
    cell = {
        name: h3.latlng_to_cell(*offset(LAT, LON, e, n), 8)
        for name, (e, n) in {"A": (0, 3000), "B": (3000, 0), "C": (-3000, 0)}.items()
    }
    assert gaps["h3"].tolist() == [cell["A"], cell["B"], cell["C"]]
    assert gaps["rank"].tolist() == [1, 2, 3]
    assert gaps["weighted_uncovered"].tolist() == pytest.approx([9.0, 6.0, 4.0])
    b = gaps.iloc[1]
    assert (b["violent"], b["property"], b["other"]) == (0, 5, 2)
    assert b["incidents_uncovered"] == 7
    # distance from the cell centre to the camera, by geodesic as a cross-check
    lat_c, lon_c = h3.cell_to_latlng(cell["A"])
    _, _, dist = Geod(ellps="WGS84").inv(LON, LAT, lon_c, lat_c)
    assert gaps.iloc[0]["nearest_camera_m"] == pytest.approx(dist, rel=0.002)
    assert gaps["ward_id"].isna().all()  # no wards given
    assert len(gaps) == 3  # the covered cluster is no gap


def test_gap_ward_is_ward_of_cell_centre(city, camera_factory, incident_factory):
    cams = camera_factory([at(0, 0)])
    incs = incident_factory([at(0, 3000)])
    lat_c, lon_c = h3.cell_to_latlng(h3.latlng_to_cell(*offset(LAT, LON, 0, 3000), 8))
    big = shapely.box(lon_c - 0.05, lat_c - 0.05, lon_c + 0.05, lat_c + 0.05)
    wards = gpd.GeoDataFrame(
        {"ward_id": ["7"], "ward_name": ["Seven"]}, geometry=[big], crs=WGS84
    )
    gaps = coverage_report(
        cams, incs, city, city_limit=wards, wards=wards, hex_resolution=8
    ).gaps
    assert gaps["ward_id"].tolist() == ["7"]
