"""Incident canvass (issue 13 item 5): the draw-an-area map shows the listed
cameras, and the reason a greyed button is unavailable is written beside it."""

from __future__ import annotations

import folium
import pytest
from streamlit.testing.v1 import AppTest

from tests.pagetest import ROOT, TIMEOUT, clear_data_env

PAGE = ROOT / "pages" / "5_Incident_canvass.py"


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


def _markers(fmap: folium.Map) -> int:
    """Camera markers: white-edged circle markers other than the incident's."""
    return sum(
        isinstance(child, folium.CircleMarker) and child.options.get("radius") == 6
        for child in fmap._children.values()
    )


def test_the_area_map_shows_the_cameras_of_the_list(monkeypatch):
    maps: dict[str, folium.Map] = {}

    def fake_st_folium(fig, *, key, **_):
        maps[key] = fig
        return

    monkeypatch.setattr("streamlit_folium.st_folium", fake_st_folium)
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.run()
    at.radio(key="notify_area").set_value("drawn").run()
    assert not at.exception
    listed = _markers(maps["canvass_map"])
    assert listed > 0  # the demo opens on cameras (staff: businesses and more)
    assert _markers(maps["notify_map"]) == listed


def test_the_reason_for_a_greyed_add_note_is_beside_it():
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.run()
    assert at.button(key="record_canvass").disabled
    assert any("Write a note first" in c.value for c in at.caption)
    at.text_input(key="canvass_note").input("door-to-door on Main St").run()
    assert not at.button(key="record_canvass").disabled
    assert not any("Write a note first" in c.value for c in at.caption)
