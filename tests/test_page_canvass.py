"""The Incident canvass page, driven through Streamlit's AppTest.

Expected counts are computed independently of analytics.canvass: geodesic
distances (pyproj) from the incident to every active demo camera.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from analytics.schema import CONTACT_COLUMNS
from analytics.store import RegistryStore

PAGE = Path(__file__).resolve().parent.parent / "pages" / "5_Incident_canvass.py"
TIMEOUT = 120
GEOD = Geod(ellps="WGS84")
# Downtown, where the demo's business corridors meet
LAT, LON = 34.746, -92.289
CONTACT_HEADERS = {"Owner", "Phone", "E-mail"}


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


def _distances(demo, lat, lon) -> np.ndarray:
    cams = demo.cameras[demo.cameras["status"] == "active"]
    cams = cams[cams["withdrawn_at"].isna()]
    n = len(cams)
    _, _, dist = GEOD.inv(
        np.full(n, lon),
        np.full(n, lat),
        cams["longitude"].to_numpy(float),
        cams["latitude"].to_numpy(float),
    )
    return np.sort(dist)


def _metric(at: AppTest, prefix: str) -> int:
    return int(next(m for m in at.metric if m.label.startswith(prefix)).value)


def _open(**secrets) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    for key, value in secrets.items():
        at.secrets[key] = value
    return at.run()


def test_page_runs_as_staff_without_contacts():
    at = _open()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) > 0
    assert not CONTACT_HEADERS & set(table.columns)
    assert not set(CONTACT_COLUMNS) & set(table.columns)


def test_lat_lon_radius_change_the_count_as_computed_by_hand(demo):
    at = _open()
    at.number_input(key="lat").set_value(LAT)
    at.number_input(key="lon").set_value(LON)
    at.number_input(key="nearest").set_value(4)
    at.slider(key="radius_m").set_value(150).run()
    assert not at.exception
    dist = _distances(demo, LAT, LON)
    within_150 = int((dist <= 150).sum())
    assert within_150 > 5  # downtown is busy: the test would catch a zero
    assert _metric(at, "Camera sites within 150 m") == within_150
    assert len(at.dataframe[0].value) == max(within_150, 4)

    at.slider(key="radius_m").set_value(50).run()
    within_50 = int((dist <= 50).sum())
    assert within_50 < within_150
    assert _metric(at, "Camera sites within 50 m") == within_50
    # the 4 nearest are listed whatever the radius
    assert len(at.dataframe[0].value) == max(within_50, 4)
    shown = at.dataframe[0].value["Distance (m)"].to_numpy()
    assert np.allclose(shown, np.round(dist[: len(shown)], 1), atol=0.051)

    at.number_input(key="nearest").set_value(0).run()
    assert len(at.dataframe[0].value) == within_50


def test_investigator_sees_contacts_and_public_sees_nothing():
    roles = {"investigator": "inv-pass", "staff": "staff-pass"}
    at = _open(roles=roles)
    assert not at.exception
    assert not at.dataframe  # public: no list at all
    assert at.warning
    at.sidebar.text_input(key="role_password").input("inv-pass").run()
    assert not at.exception
    assert set(at.dataframe[0].value.columns) >= CONTACT_HEADERS


def test_record_canvass_writes_the_audit_log(monkeypatch, tmp_path):
    db = tmp_path / "registry.sqlite"
    monkeypatch.setattr("analytics.store.DEFAULT_DB", db)
    at = _open()
    assert at.button(key="record_canvass").disabled  # no case number yet
    at.text_input(key="case_number").input("2026-004242")
    at.text_input(key="canvass_user").input("det. lee").run()
    at.button(key="record_canvass").click().run()
    assert not at.exception
    assert at.success
    log = RegistryStore(db).audit_log(action="canvass")
    assert len(log) == 1
    details = json.loads(log.iloc[0]["details"])
    assert details["case_number"] == "2026-004242"
    assert log.iloc[0]["user"] == "det. lee"
    # the listed cameras; residential ones are band counts without an id
    assert len(details["camera_ids"]) == at.dataframe[0].value["Camera"].notna().sum()


def test_notification_area_circle_then_drawn_shape(demo):
    at = _open()
    at.number_input(key="lat").set_value(LAT)
    at.number_input(key="lon").set_value(LON)
    at.slider(key="notify_radius_m").set_value(300).run()
    assert not at.exception
    within_300 = int((_distances(demo, LAT, LON) <= 300).sum())
    assert within_300 > 10
    assert _metric(at, "Sites") == within_300
    # a drawn shape: until one is drawn the page asks for it and lists nobody
    at.radio(key="notify_area").set_value("drawn").run()
    assert not at.exception
    assert any("Draw a polygon" in i.value for i in at.info)
    assert not [m for m in at.metric if m.label == "Owners to notify"]
