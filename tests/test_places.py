"""Places in words: street from non-home addresses, ward, district, fallbacks."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from analytics.places import name_places, street_of
from analytics.schema import WGS84
from tests.conftest import CENTRE, offset


def _point(east_m: float = 0.0, north_m: float = 0.0) -> shapely.Point:
    lat, lon = offset(*CENTRE, east_m, north_m)
    return shapely.Point(lon, lat)


def _where(*points) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(points), crs=WGS84)


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("1200 W Markham St", "W Markham St"),
        ("1200-1210 Main St, Suite 4", "Main St"),
        ("12B Elm Ave #3", "Elm Ave"),
        ("500 BLOCK OF MAIN ST", "MAIN ST"),
        ("Broadway", "Broadway"),
        ("", ""),
        (float("nan"), ""),
    ],
)
def test_street_of_drops_house_numbers_and_units(address, street):
    assert street_of(address) == street


def test_nearest_business_address_names_the_street_never_a_home(camera_factory, city):
    lat, lon = CENTRE
    home = offset(lat, lon, 20, 0)  # the nearest camera is a home: never used
    shop = offset(lat, lon, 150, 0)
    far = offset(lat, lon, 0, 1500)
    cams = camera_factory(
        [
            {
                "latitude": home[0],
                "longitude": home[1],
                "owner_type": "residential",
                "address": "7 Secret Ln",
            },
            {
                "latitude": shop[0],
                "longitude": shop[1],
                "owner_type": "business",
                "address": "1200 W Markham St",
            },
            {
                "latitude": far[0],
                "longitude": far[1],
                "owner_type": "public",
                "address": "1 City Hall Plz",
            },
        ]
    )
    names = name_places(_where(_point(), _point(0, 2400)), city, cameras=cams)
    assert names["street"].tolist() == ["W Markham St", "City Hall Plz"]
    assert names.loc[0, "street_m"] == pytest.approx(150, abs=1)
    assert names.loc[0, "place"] == "near W Markham St"
    # 900 m away: the distance is said, not "near"
    assert names.loc[1, "place"] == "0.9 km from City Hall Plz"
    assert "Secret" not in " ".join(names["place"])


def test_ward_and_majority_district_join_the_street(
    camera_factory, incident_factory, city
):
    lat, lon = CENTRE
    south, west = offset(lat, lon, -1000, -1000)
    north, east = offset(lat, lon, 1000, 1000)
    wards = gpd.GeoDataFrame(
        {"ward_id": ["3"], "ward_name": ["Ward 3"]},
        geometry=[shapely.box(west, south, east, north)],
        crs=WGS84,
    )
    near = [offset(lat, lon, 10 * k, 0) for k in range(5)]
    incs = incident_factory(
        [{"latitude": a, "longitude": b, "district": "71"} for a, b in near[:3]]
        + [{"latitude": a, "longitude": b, "district": "42"} for a, b in near[3:]]
    )
    shop = offset(lat, lon, 50, 50)
    cams = camera_factory(
        [{"latitude": shop[0], "longitude": shop[1], "address": "9 Main St"}]
    )
    names = name_places(
        _where(_point(), _point(5000, 0)),
        city,
        cameras=cams,
        wards=wards,
        incidents=incs,
    )
    assert names.loc[0, "ward"] == "Ward 3"
    assert names.loc[0, "district"] == "71"  # 3 of the 5 nearest incidents
    assert names.loc[0, "place"] == "near Main St · Ward 3 · district 71"
    assert names.loc[1, "ward"] == ""  # outside every ward


def test_a_place_with_nothing_known_falls_back_to_coordinates(city):
    names = name_places(_where(_point()), city)
    lat, lon = CENTRE
    assert names.loc[0, "place"] == f"{lat:.4f}, {lon:.4f}"


def test_polygons_are_named_at_a_point_inside_and_keep_the_index(city):
    lat, lon = CENTRE
    cell = shapely.box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
    names = name_places(gpd.GeoSeries([cell], index=[7], crs=WGS84), city)
    assert names.index.tolist() == [7]


def test_points_without_crs_are_refused(city):
    with pytest.raises(ValueError, match="no CRS"):
        name_places(gpd.GeoSeries([shapely.Point(0, 0)]), city)
