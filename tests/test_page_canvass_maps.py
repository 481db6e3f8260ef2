"""Incident canvass that cannot mislead (issue 13 item 5): a click outside the
city is refused and clears the list, investigators see contacts without
scrolling, the draw-an-area map shows the listed cameras, and the reason a
greyed button is unavailable is written beside it.

The page opens on an empty form: each test gives the incident's place first
(typed, or a click on the map), as a person would."""

from __future__ import annotations

import folium
import pytest
from streamlit.testing.v1 import AppTest

# imported before any test replaces st_folium: the start map's show_map keeps
# the real one (a module imported while patched would keep the fake for good)
import ui.mapview  # noqa: F401
from tests.pagetest import ROOT, TIMEOUT, clear_data_env, sign_in, use_accounts

PAGE = ROOT / "pages" / "5_Incident_canvass.py"
# Downtown, where the demo's business corridors meet
LAT, LON = 34.746, -92.289


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


def _markers(fmap: folium.Map) -> int:
    """Camera markers: white-edged circle markers other than the incident's."""
    return sum(
        isinstance(child, folium.CircleMarker) and child.options.get("radius") == 6
        for child in fmap._children.values()
    )


def _give(at: AppTest, lat: float = LAT, lon: float = LON) -> AppTest:
    """Type the incident's coordinates."""
    at.number_input(key="lat").set_value(lat)
    at.number_input(key="lon").set_value(lon)
    return at.run()


def test_the_area_map_shows_the_cameras_of_the_list(monkeypatch):
    maps: dict[str, folium.Map] = {}

    def fake_st_folium(fig, *, key, **_):
        maps[key] = fig
        return

    monkeypatch.setattr("streamlit_folium.st_folium", fake_st_folium)
    at = _give(AppTest.from_file(str(PAGE), default_timeout=TIMEOUT).run())
    at.radio(key="notify_area").set_value("drawn").run()
    assert not at.exception
    listed = _markers(maps["canvass_map"])
    assert listed > 0  # downtown has cameras (staff: businesses and more)
    assert _markers(maps["notify_map"]) == listed


def test_the_reason_for_a_greyed_add_note_is_beside_it():
    at = _give(AppTest.from_file(str(PAGE), default_timeout=TIMEOUT).run())
    assert at.button(key="record_canvass").disabled
    assert any("Write a note first" in c.value for c in at.caption)
    at.text_input(key="canvass_note").input("door-to-door on Main St").run()
    assert not at.button(key="record_canvass").disabled
    assert not any("Write a note first" in c.value for c in at.caption)


def test_a_click_outside_the_city_is_refused_and_clears_the_list(monkeypatch):
    clicks = iter([None, {"last_clicked": {"lat": 40.0, "lng": -100.0}}])

    def fake_st_folium(fig, *, key, **_):
        if key == "canvass_map":
            return next(clicks, {"last_clicked": {"lat": 40.0, "lng": -100.0}})
        return None

    monkeypatch.setattr("streamlit_folium.st_folium", fake_st_folium)
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.run()
    assert not at.dataframe  # an empty form: nothing listed yet
    _give(at)
    assert at.dataframe  # the typed point has its list
    at.run()  # the map reports a click far outside Little Rock
    assert not at.exception
    assert not at.dataframe  # no list of the earlier point under the message
    assert any("outside Little Rock" in e.value for e in at.error)
    # the refused click also emptied the form: the old point is not kept
    assert at.number_input(key="lat").value is None
    # typing a point inside the city lists its cameras again
    _give(at)
    assert not at.exception
    assert at.dataframe
    assert not at.error


def test_investigators_see_contacts_right_after_the_action(monkeypatch, tmp_path):
    use_accounts(monkeypatch, tmp_path, det="investigator")
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.run()
    _give(sign_in(at, "det"))
    at.text_input(key="case_number").input("2026-004242").run()
    assert not at.exception
    columns = list(at.dataframe[0].value.columns)
    assert columns[:6] == [
        "Camera",
        "Distance (m)",
        "Action",
        "Owner",
        "Phone",
        "E-mail",
    ]


def test_no_sidebar_filter_is_offered_where_none_applies():
    """The call list is the registry at the incident's time, whatever the window,
    offences, tiers, owners or range assumption say: no filter is drawn."""
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    _give(at)
    sidebar = at.sidebar
    assert not sidebar.date_input
    assert not sidebar.pills
    assert not sidebar.slider
    assert not sidebar.toggle
    assert at.dataframe  # the page itself still works
