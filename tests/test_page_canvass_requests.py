"""Footage requests from the Incident canvass page (issue 15 item 1), via AppTest.

The registry is a small store named by CAMREG_REGISTRY_DB: three cameras near
CENTRE, one integrated, one registered, one integrated but withdrawn, so the
requests can be checked against the store's own tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CENTRE, make_cameras
from streamlit.testing.v1 import AppTest

from analytics.footage_store import REQUEST_ACTION, FootageStore
from analytics.store import RegistryStore
from tests.pagetest import sign_in, use_accounts, use_store_data
from ui.data import get_dataset

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "5_Incident_canvass.py")
CASE = "2026-004242"


@pytest.fixture
def store(tmp_path, monkeypatch, data_dir) -> RegistryStore:
    path = tmp_path / "registry.sqlite"
    use_store_data(monkeypatch, path, data_dir / "lrpd" / "lrpd_current.csv")
    use_accounts(monkeypatch, tmp_path, det="investigator", clerk="staff")
    lat, lon = CENTRE
    store = RegistryStore.init(path)
    store.import_cameras(
        make_cameras(
            [
                {
                    "camera_id": "LIVE-1",
                    "latitude": lat,
                    "longitude": lon,
                    "tier": "integrated",
                },
                {"camera_id": "ASK-2", "latitude": lat + 0.0005, "longitude": lon},
                {
                    "camera_id": "GONE-3",
                    "latitude": lat,
                    "longitude": lon + 0.0005,
                    "tier": "integrated",
                },
            ]
        ),
        source="seed.csv",
        user="seeder",
    )
    store.withdraw("GONE-3", user="seeder", reason="owner withdrew")
    get_dataset.clear()
    yield store
    get_dataset.clear()


def _open(name: str) -> AppTest:
    at = sign_in(AppTest.from_file(PAGE, default_timeout=120).run(), name)
    lat, lon = CENTRE
    at.number_input(key="lat").set_value(lat)
    at.number_input(key="lon").set_value(lon)
    at.slider(key="radius_m").set_value(200).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_investigator_requests_footage_for_two_listed_cameras(store):
    at = _open("det")
    button = at.button(key="request_footage")
    assert button.disabled  # no case yet
    assert any("Enter the case number" in c.value for c in at.caption)
    # the withdrawn camera is never listed, so it cannot be chosen
    assert set(at.multiselect(key="request_cameras").options) == {"LIVE-1", "ASK-2"}

    at.text_input(key="case_number").input(CASE).run()
    at.multiselect(key="request_cameras").set_value(["LIVE-1", "ASK-2"]).run()
    at.radio(key="request_kind").set_value("clip_saved").run()
    assert not at.button(key="request_footage").disabled
    at.button(key="request_footage").click().run()
    assert not at.exception, [e.message for e in at.exception]

    requests = FootageStore(store).requests(CASE)
    assert len(requests) == 2
    kinds = dict(zip(requests["camera_id"], requests["kind"], strict=True))
    assert kinds == {"LIVE-1": "clip_saved", "ASK-2": "ask_owner"}
    assert set(requests["requested_by"]) == {"det"}
    assert set(requests["status"]) == {"requested"}
    ids = sorted(int(i) for i in requests["request_id"])
    assert any(
        f"Requests {', '.join(map(str, ids))}" in s.value
        or f"Requests {', '.join(map(str, ids[::-1]))}" in s.value
        for s in at.success
    )
    log = store.audit_log(action=REQUEST_ACTION)
    assert set(log["user"]) == {"det"}
    logged = sorted(i for d in log["details"] for i in json.loads(d)["requests"])
    assert logged == ids
    # the case's requests are listed below the button
    shown = at.dataframe[-1].value
    assert set(shown["Camera"]) == {"LIVE-1", "ASK-2"}
    assert set(shown["Kind"]) == {"clip saved", "ask the owner"}

    # a rerun does not request again
    at.run()
    assert len(FootageStore(store).requests(CASE)) == 2


def test_staff_sees_no_request_block(store):
    at = _open("clerk")
    assert not [b for b in at.button if b.key == "request_footage"]
    assert not [m for m in at.multiselect if m.key == "request_cameras"]
    assert not [h for h in at.subheader if h.value == "Request footage"]
    assert FootageStore(store).requests().empty
