"""The Incident canvass page, driven through Streamlit's AppTest.

The page opens on an empty form (tests/test_page_canvass_start.py); every test
here first gives the incident's place, as a person would, by typing it.

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
from analytics.formatting import DASH
from analytics.schema import CONTACT_COLUMNS
from analytics.store import RegistryStore
from tests.pagetest import sign_in, use_accounts

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


def _give(at: AppTest, lat: float = LAT, lon: float = LON) -> AppTest:
    """Type the incident's coordinates, as an investigator would."""
    at.number_input(key="lat").set_value(lat)
    at.number_input(key="lon").set_value(lon)
    return at.run()


def test_page_runs_as_staff_without_contacts():
    at = _open()
    assert not at.exception
    assert not at.dataframe  # no incident yet: no list
    _give(at)
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
    # whole metres as text (analytics.formatting), nearest first
    shown = at.dataframe[0].value["Distance (m)"].str.replace(",", "").astype(float)
    assert np.allclose(shown, dist[: len(shown)], atol=0.51)
    table = at.dataframe[0].value
    placed = table[table["Latitude"] != DASH]
    assert len(placed) > 0
    for column in ("Latitude", "Longitude"):  # 5 decimals, about a metre
        assert placed[column].str.fullmatch(r"-?\d+\.\d{5}").all()
    kept = table.loc[table["Kept until"] != DASH, "Kept until"]
    assert kept.str.fullmatch(r"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d").all()

    at.number_input(key="nearest").set_value(0).run()
    assert len(at.dataframe[0].value) == within_50


def test_public_sees_nothing_and_investigator_needs_a_case_for_contacts(
    monkeypatch, tmp_path
):
    use_accounts(monkeypatch, tmp_path, det="investigator")
    at = _open()
    assert not at.exception
    assert not at.dataframe  # public: no list at all
    assert at.warning
    sign_in(at, "det")
    assert not at.exception
    _give(at)
    # signed in, but no case number yet: no contacts
    assert not CONTACT_HEADERS & set(at.dataframe[0].value.columns)
    assert any("Enter the case number" in i.value for i in at.info)
    at.text_input(key="case_number").input("2026-004242").run()
    assert not at.exception
    assert set(at.dataframe[0].value.columns) >= CONTACT_HEADERS


def test_every_list_shown_is_in_the_audit_log_with_the_name(monkeypatch, tmp_path):
    """Nobody presses anything: opening the page and changing the radius record."""
    use_accounts(monkeypatch, tmp_path, det="investigator")
    at = _give(sign_in(_open(), "det"))
    at.text_input(key="case_number").input("2026-004242").run()
    at.slider(key="radius_m").set_value(200).run()
    at.text_input(key="canvass_note").input("burglary, rear door").run()  # a rerun
    assert not at.exception
    store = RegistryStore(tmp_path / "default.sqlite")
    looks = store.audit_log(action="canvass")
    # before the case (staff view), with the case, then 200 m; the rerun for
    # the note did not write the same look again
    assert list(looks["user"]) == ["det", "det", "det"]
    newest = json.loads(looks.iloc[0]["details"])
    assert newest["case_number"] == "2026-004242"
    assert newest["role"] == "investigator"
    assert newest["contacts_shown"] is True
    assert newest["radius_m"] == 200
    assert newest["cameras"] == _metric(at, "Camera sites within 200 m")
    assert len(newest["camera_ids"]) == len(at.dataframe[0].value)
    first = json.loads(looks.iloc[2]["details"])
    assert first["audience"] == "staff"
    assert first["contacts_shown"] is False
    # the notification list shown below is recorded too
    notices = store.audit_log(action="area_notification")
    assert set(notices["user"]) == {"det"}
    # a note is added only on request, pointing at the canvass
    at.button(key="record_canvass").click().run()
    note = store.audit_log(action="note").iloc[0]
    assert note["reason"] == "burglary, rear door"
    assert json.loads(note["details"])["event"] == int(looks.iloc[0]["event_id"])


def test_demo_looks_are_recorded_as_the_demo_visitor(tmp_path):
    at = _open()
    assert not at.exception
    path = tmp_path / "default.sqlite"
    # nothing listed, nothing logged
    assert not path.exists() or RegistryStore(path).audit_log(action="canvass").empty
    _give(at)
    assert not at.exception
    looks = RegistryStore(path).audit_log(action="canvass")
    assert list(looks["user"]) == ["demo visitor (no accounts)"]


def test_notification_area_circle_then_drawn_shape(demo):
    at = _give(_open())
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
