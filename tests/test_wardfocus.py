"""analytics.wardfocus: which ward a map click names, and what lies in a ward."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from analytics.wardfocus import clicked_point, in_ward, ward_area, ward_at


@pytest.fixture
def wards():
    # two unit squares side by side: ward "A" west of lon 1, ward "B" east of it
    return gpd.GeoDataFrame(
        {"ward_id": ["A", "B"], "ward_name": ["Ward A", "Ward B"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )


def test_a_click_on_an_area_names_its_place():
    assert clicked_point({"last_clicked": {"lat": 0.5, "lng": 1.5}}) == (0.5, 1.5)
    # a polygon clicked (hexagon, ward): the same event on a layer still counts
    where = {"lat": 0.5, "lng": 1.5}
    polygon = {"geometry": {"type": "Polygon", "coordinates": []}}
    returned = {
        "last_clicked": where,
        "last_object_clicked": where,
        "last_active_drawing": polygon,
    }
    assert clicked_point(returned) == (0.5, 1.5)


def test_a_click_on_a_marker_names_nothing_but_a_later_area_click_does():
    where = {"lat": 0.5, "lng": 0.5}
    point = {"geometry": {"type": "Point", "coordinates": [0.5, 0.5]}}
    marker = {
        "last_clicked": where,
        "last_object_clicked": where,
        "last_active_drawing": point,
    }
    assert clicked_point(marker) is None
    # then a click beside it: the map's click moved, the marker's did not
    later = {**marker, "last_clicked": {"lat": 0.6, "lng": 0.4}}
    assert clicked_point(later) == (0.6, 0.4)


@pytest.mark.parametrize(
    "returned",
    [None, {}, {"last_clicked": None}, {"last_clicked": {"lat": "x", "lng": 1}}],
)
def test_nothing_clicked_names_nothing(returned):
    assert clicked_point(returned) is None


def test_ward_at_finds_the_ward_holding_the_point(wards):
    assert ward_at(wards, 0.5, 0.25) == "A"
    assert ward_at(wards, 0.5, 1.75) == "B"
    assert ward_at(wards, 5.0, 5.0) is None
    # projected boundaries are read in WGS84 all the same
    assert ward_at(wards.to_crs("EPSG:3857"), 0.5, 1.75) == "B"


def test_in_ward_selects_the_rows_inside(wards):
    points = pd.DataFrame(
        {"latitude": [0.5, 0.5, 0.5, None], "longitude": [0.2, 1.2, 3.0, 0.2]}
    )
    assert in_ward(points, wards, "A").tolist() == [True, False, False, False]
    assert in_ward(points, wards, "B").tolist() == [False, True, False, False]
    assert not in_ward(points, wards, "Z").any()
    assert ward_area(wards, "B").geometry.iloc[0].equals(box(1, 0, 2, 1))


def test_wards_without_ids_are_refused():
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(ValueError, match="`ward_id`"):
        ward_at(frame, 0.5, 0.5)
