"""The Incident canvass page before an incident is given (issue 13 item 5), via AppTest.

It opens on an empty form and the city's cameras as the viewer may see them, with
no call list, request or notice; the incident's place is then given by a click,
a drawn shape or a ``?lat=&lon=`` link. The start map is captured by replacing
``ui.mapview.show_map``; expected cameras and counts are computed here from the
demo registry (owner types, bounds, geodesic distances with pyproj).
"""

from __future__ import annotations

import math

import folium
import numpy as np
import pytest
from folium.plugins import FastMarkerCluster
from pyproj import Geod
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from tests.pagetest import ROOT, TIMEOUT, clear_data_env, sign_in, use_accounts
from ui.mapview import MapSource

PAGE = ROOT / "pages" / "5_Incident_canvass.py"
LAT, LON = 34.746, -92.289  # downtown
GEOD = Geod(ellps="WGS84")
# A 0.004 x 0.004 degree rectangle around downtown, as Leaflet.draw reports it
WEST, SOUTH, EAST, NORTH = -92.291, 34.744, -92.287, 34.748
RECTANGLE = {
    "type": "Feature",
    "properties": {},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[WEST, SOUTH], [WEST, NORTH], [EAST, NORTH], [EAST, SOUTH], [WEST, SOUTH]]
        ],
    },
}


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def active():
    cams = load_dataset().cameras
    return cams[(cams["status"] == "active") & cams["withdrawn_at"].isna()]


class StartMap:
    """Stands in for ``ui.mapview.show_map``: keeps the maps, reports ``value``."""

    def __init__(self, monkeypatch, value=None):
        self.maps: dict[str, folium.Map] = {}
        self.value = value
        monkeypatch.setattr("ui.mapview.show_map", self)

    def __call__(self, fmap, *, key, clicks=False, **_):
        self.maps[key] = fmap.build() if isinstance(fmap, MapSource) else fmap
        return self.value if clicks else None

    def camera_ids(self) -> set[str]:
        fmap = self.maps["canvass_start_map"]
        return {
            str(row[2])
            for child in fmap._children.values()
            if isinstance(child, FastMarkerCluster)
            for row in child.data
        }


def _open(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    return at.run()


def _headings(at: AppTest) -> list[str]:
    return [h.value for h in at.subheader]


def test_the_page_opens_on_an_empty_form_and_the_citys_cameras(
    monkeypatch, tmp_path, active
):
    shown = StartMap(monkeypatch)
    at = _open()
    assert not at.exception
    # nothing listed, requested or notified: only the form and what to do
    assert not at.dataframe
    assert not at.metric
    assert not at.get("download_button")
    assert _headings(at) == ["Incident"]
    assert at.number_input(key="lat").value is None
    assert at.number_input(key="lon").value is None
    assert any("Give the incident's place" in i.value for i in at.info)
    assert not (tmp_path / "default.sqlite").exists()  # no look to record
    # the map: every active business, institutional and city camera; no home
    expected = active[active["owner_type"] != "residential"]
    assert shown.camera_ids() == set(expected["camera_id"].astype(str))
    html = shown.maps["canvass_start_map"].get_root().render()
    homes = active[active["owner_type"] == "residential"]
    assert len(homes) > 100
    for lat, lon in zip(homes["latitude"], homes["longitude"], strict=True):
        assert f"{lat:.5f}, {lon:.5f}" not in html  # camera_rows: 5 decimals
    assert "Cameras by area" in html  # homes as counts per area


def test_an_investigator_with_a_case_sees_every_camera_on_the_start_map(
    monkeypatch, tmp_path, active
):
    use_accounts(monkeypatch, tmp_path, det="investigator")
    shown = StartMap(monkeypatch)
    at = sign_in(_open(), "det")
    assert len(shown.camera_ids()) < len(active)  # no case yet: the staff view
    at.text_input(key="case_number").input("2026-004242").run()
    assert not at.exception
    assert shown.camera_ids() == set(active["camera_id"].astype(str))
    assert not at.dataframe  # still no incident: no list


def test_a_click_on_the_start_map_gives_the_place(monkeypatch):
    StartMap(monkeypatch, {"last_clicked": {"lat": LAT, "lng": LON}})
    at = _open()
    assert not at.exception
    assert at.number_input(key="lat").value == LAT
    assert at.number_input(key="lon").value == LON
    assert at.dataframe
    assert "Notify owners in the area" in _headings(at)
    # the link reopens this incident
    assert at.query_params["lat"] == f"{LAT:.6f}"
    assert at.query_params["lon"] == f"{LON:.6f}"


def test_a_click_outside_the_city_on_the_start_map_is_refused(monkeypatch):
    StartMap(monkeypatch, {"last_clicked": {"lat": 40.0, "lng": -100.0}})
    at = _open()
    assert not at.exception
    assert not at.dataframe
    assert any("outside Little Rock" in e.value for e in at.error)
    assert at.number_input(key="lat").value is None


def test_a_drawn_rectangle_gives_place_radius_and_notification_area(
    monkeypatch, active
):
    StartMap(monkeypatch, {"last_active_drawing": RECTANGLE})
    at = _open()
    assert not at.exception
    lat, lon = (SOUTH + NORTH) / 2, (WEST + EAST) / 2
    assert at.number_input(key="lat").value == pytest.approx(lat, abs=1e-6)
    assert at.number_input(key="lon").value == pytest.approx(lon, abs=1e-6)
    # the canvass circle holds the rectangle: its half-diagonal, in 10 m steps
    _, _, half_diagonal = GEOD.inv(lon, lat, EAST, NORTH)
    assert 280 < half_diagonal < 300  # 222 m north, 183 m east: about 288 m
    radius = math.ceil(half_diagonal / 10) * 10
    assert at.slider(key="radius_m").value == radius
    within = active[
        (active["longitude"] >= WEST)
        & (active["longitude"] <= EAST)
        & (active["latitude"] >= SOUTH)
        & (active["latitude"] <= NORTH)
    ]
    assert len(within) > 10
    # the rectangle is the notification area; staff see counts rounded to 5
    assert at.radio(key="notify_area").value == "drawn"
    sites = int(next(m for m in at.metric if m.label == "Sites").value)
    assert sites == 5 * round(len(within) / 5)
    # every camera inside is also inside the canvass circle
    _, _, dist = GEOD.inv(
        np.full(len(within), lon),
        np.full(len(within), lat),
        within["longitude"].to_numpy(float),
        within["latitude"].to_numpy(float),
    )
    assert (dist <= radius).all()
    within_radius = int(
        next(m for m in at.metric if m.label.startswith("Camera sites within")).value
    )
    assert within_radius >= len(within)


def test_a_link_with_a_point_opens_its_list():
    at = _open({"lat": f"{LAT}", "lon": f"{LON}"})
    assert not at.exception
    assert at.number_input(key="lat").value == LAT
    assert at.dataframe
    # a new incident empties the form, the list and the link
    at.button(key="new_incident").click().run()
    assert not at.exception
    assert at.number_input(key="lat").value is None
    assert not at.dataframe
    assert "lat" not in at.query_params


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"lat": "40.0", "lon": "-100.0"}, "outside Little Rock"),
        ({"lat": "north", "lon": "-92.289"}, "not two numbers"),
        ({"lat": "34.746"}, "not two numbers"),
    ],
)
def test_a_link_outside_the_city_or_garbled_lists_nothing(query, message):
    at = _open(query)
    assert not at.exception
    assert not at.dataframe
    assert any(message in e.value for e in at.error)
    assert at.number_input(key="lat").value is None
