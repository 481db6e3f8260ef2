"""A rerun that changes only the window redraws inside the drawn map.

``ui.mapview`` sends a map's window elements (``analytics.maps.
window_elements``: hexagons, heat map, gaps, sites, layer control, legend) as
streamlit-folium's ``feature_group`` script and the rest as the map, whose
component key is worked out from the rest alone. Same key: the browser keeps
the frame (and the visitor's pan and zoom) and runs the new window script in it
(tests/test_browser.py checks that in Chromium). Checked here on what the
component is sent.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace

import pandas as pd
import pytest
import streamlit as st

import ui.cached
import ui.data
from analytics.safe_output import SYNTHETIC_COLUMN, set_synthetic_exports, to_safe_csv
from tests.pagetest import small_demo
from ui.exports import later
from ui.mapview import prepare_map, sent_text
from ui.page import dataset_key
from ui.sidebar import date_presets, default_filters_for, earliest_incident

HEXAGONS = "Hexagons: share of incidents within camera range"


@pytest.fixture
def demo(monkeypatch, tmp_path):
    """A small demo on an empty disk cache, with empty shared caches."""
    small_demo(monkeypatch, tmp_path / "cache")
    st.cache_resource.clear()
    st.cache_data.clear()
    ui.data.get_dataset.clear()
    ds = ui.data.get_dataset()
    yield ds, dataset_key(ds), default_filters_for(ds)
    st.cache_resource.clear()
    ui.data.get_dataset.clear()


def _sent(ds, key, filters, role="staff", **options):
    source = ui.cached.coverage_map(ds, key, filters, role, gaps=True, **options)
    return prepare_map(source, key="coverage_map_city", height=640, clicks=True)


@pytest.mark.parametrize("role", ["public", "staff"])
def test_another_period_or_layer_keeps_the_map_and_sends_a_new_window(demo, role):
    ds, key, year = demo
    since, until = date_presets(year.until, earliest_incident(ds))["90 days"]
    quarter = replace(year, since=since, until=until)
    a = _sent(ds, key, year, role)
    b = _sent(ds, key, quarter, role)
    c = _sent(ds, key, year, role, thematic="camera_cells")
    # the map itself (background, wards, cameras) and so the frame stay
    assert a["key"] == b["key"] == c["key"]
    assert a["script"] == b["script"] == c["script"]
    # the window differs: other hexagons, another thematic layer switched on
    assert len({a["feature_group"], b["feature_group"], c["feature_group"]}) == 3
    assert re.search(r"var shown = \[geo_json_w0\]", a["feature_group"])
    assert not re.search(r"var shown = \[geo_json_w0\]", c["feature_group"])
    # the hexagons and their legend are in the window script only
    assert HEXAGONS not in a["script"]
    assert HEXAGONS in a["feature_group"]
    assert '"covered"' not in a["script"]
    assert '"covered"' in a["feature_group"]


def test_other_cameras_or_another_ward_load_a_new_map(demo):
    ds, key, year = demo
    base = _sent(ds, key, year)
    registered = _sent(ds, key, replace(year, tiers=("registered",)))
    ward = str(ds.wards["ward_id"].iloc[0])
    focused = _sent(ds, key, year, ward=ward)
    assert len({base["key"], registered["key"], focused["key"]}) == 3


def test_the_window_script_takes_away_what_it_adds(demo):
    """Every layer and control the window script makes is removed by the next
    one (window.camregUndo), and the map's own layers above it are raised."""
    ds, key, year = demo
    window = _sent(ds, key, year)["feature_group"]
    made = set(re.findall(r"var (\w+_w\d+) = L\.", window)) | set(
        re.findall(r"let (layer_control_w\d+) = L\.control", window)
    )
    removed = set(re.findall(r"map_div\.remove(?:Layer|Control)\((\w+)\)", window))
    assert made
    assert made <= removed, (made, removed)
    assert window.index("undo.forEach") < window.index("var geo_json_w0")
    # the ward outlines (a map layer, named in the layer control) are put
    # back above the new hexagons; the map's own layers are never removed
    wards = re.search(r'"Wards" : (\w+),', window).group(1)
    assert wards.startswith("feature_group_div_")
    assert f"{wards}.bringToFront();" in window
    assert wards not in removed
    assert window.rstrip().endswith(
        "window.camregRedrawn = (window.camregRedrawn || 0) + 1;"
    )


def test_every_sent_part_is_searched_for_what_a_map_gives_away(demo):
    """sent_text covers the window script too: the tests that search a map for
    residential cameras (tests/test_warmup.py) read all of it."""
    ds, key, year = demo
    args = _sent(ds, key, year)
    text = sent_text(args)
    assert args["script"] in text
    assert args["feature_group"] in text
    assert HEXAGONS in text


def test_a_download_made_later_on_another_thread_keeps_the_synthetic_label():
    frame = pd.DataFrame({"ward": ["1", "2"], "cameras": [3, 4]})
    made: dict[str, bytes] = {}

    def click(name, make):  # Streamlit runs a deferred download on its own thread
        worker = threading.Thread(target=lambda: made.update({name: make()}))
        worker.start()
        worker.join()

    set_synthetic_exports(True)
    try:
        click("demo", later(to_safe_csv, frame))
    finally:
        set_synthetic_exports(False)
    click("real", later(to_safe_csv, frame))
    assert made["demo"].decode("utf-8-sig").splitlines() == [
        f"{SYNTHETIC_COLUMN},ward,cameras",
        "synthetic,1,3",
        "synthetic,2,4",
    ]
    assert made["real"].decode("utf-8-sig").splitlines() == [
        "ward,cameras",
        "1,3",
        "2,4",
    ]
