"""The footage-request flow on the synthetic demo (issue 15 item 1, known gap).

The demo's cameras are in no registry store, so a request made on the Incident
canvass page goes to a temporary store of the browser session
(``ui.requests.demo_store``), labelled synthetic; the Requests and outcomes page
lists it under "Your demo requests" and records its answer and the case outcome,
each with an audit entry in that store. The real stores are never touched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from analytics.footage_store import (
    OUTCOME_ACTION,
    REQUEST_ACTION,
    UPDATE_ACTION,
    FootageStore,
)
from analytics.store import RegistryStore
from tests.pagetest import TIMEOUT, clear_data_env, sign_in, use_accounts
from ui.requests import DEMO_NOTE, DEMO_STORE_KEY

ROOT = Path(__file__).resolve().parent.parent
CANVASS = str(ROOT / "pages" / "5_Incident_canvass.py")
REQUESTS = str(ROOT / "pages" / "8_Requests_and_outcomes.py")
CASE = "2026-000777"


@pytest.fixture
def det(monkeypatch, tmp_path):
    clear_data_env(monkeypatch)
    # looks go to a throwaway audit store, never the developer's
    monkeypatch.setenv("CAMREG_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    use_accounts(monkeypatch, tmp_path, det="investigator")


@pytest.fixture(scope="module")
def camera():
    """An active registered business camera of the demo (listed by name)."""
    cams = load_dataset().cameras
    pick = cams[
        (cams["status"] == "active")
        & (cams["tier"] == "registered")
        & (cams["owner_type"] == "business")
    ].iloc[0]
    return str(pick["camera_id"]), float(pick["latitude"]), float(pick["longitude"])


def test_investigator_requests_demo_footage_into_a_session_store(det, camera):
    camera_id, lat, lon = camera
    at = sign_in(AppTest.from_file(CANVASS, default_timeout=TIMEOUT).run(), "det")
    at.number_input(key="lat").set_value(lat)
    at.number_input(key="lon").set_value(lon)
    at.slider(key="radius_m").set_value(100).run()
    at.text_input(key="case_number").input(CASE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert DEMO_NOTE in [i.value for i in at.info]
    assert camera_id in at.multiselect(key="request_cameras").options
    at.multiselect(key="request_cameras").set_value([camera_id]).run()
    at.button(key="request_footage").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]  # was "not in the registry"
    assert any("Requests 1 created for case" in s.value for s in at.success)

    path = at.session_state[DEMO_STORE_KEY]
    store = RegistryStore(path)
    requests = FootageStore(store).requests()
    assert requests[["case_id", "camera_id", "kind", "status", "requested_by"]].to_dict(
        "records"
    ) == [
        {
            "case_id": CASE,
            "camera_id": camera_id,
            "kind": "ask_owner",
            "status": "requested",
            "requested_by": "det",
        }
    ]
    assert store.audit_log(action=REQUEST_ACTION)["user"].tolist() == ["det"]


def test_demo_refuses_a_withdrawn_camera_like_a_store(det, tmp_path):
    cams = load_dataset().cameras
    gone = str(cams.loc[cams["status"] == "withdrawn", "camera_id"].iloc[0])
    from ui.requests import FootageStore as PageFootage  # the class the page uses

    footage = PageFootage(RegistryStore.init(tmp_path / "s.sqlite"), cameras=cams)
    with pytest.raises(ValueError, match="withdrawn"):
        footage.add(CASE, [gone], user="det")
    with pytest.raises(ValueError, match="not in the registry"):
        footage.add(CASE, ["NO-SUCH-CAMERA"], user="det")


def test_requests_page_records_the_answer_and_outcome_of_a_demo_request(
    det, camera, tmp_path
):
    camera_id, _, _ = camera
    path = tmp_path / "session.sqlite"
    footage = FootageStore(RegistryStore.init(path), cameras=load_dataset().cameras)
    (rid,) = footage.add(CASE, [camera_id], user="det")

    at = AppTest.from_file(REQUESTS, default_timeout=TIMEOUT)
    at.session_state[DEMO_STORE_KEY] = str(path)
    at = sign_in(at.run(), "det")
    assert not at.exception, [e.message for e in at.exception]
    assert "Your demo requests" in [h.value for h in at.subheader]
    (mine,) = [  # the session's table (the history's has "Requested" too)
        d.value
        for d in at.dataframe
        if "Request" in d.value.columns and "Requested" not in d.value.columns
    ]
    assert mine[["Request", "Camera", "Status"]].to_dict("records") == [
        {"Request": str(rid), "Camera": camera_id, "Status": "requested"}
    ]
    assert mine["Status since"].str.fullmatch(r"\d\d \w{3} \d{4} \d\d:\d\d").all()

    at.selectbox(key="answer_status").set_value("provided").run()
    at.radio(key="answer_useful").set_value("yes").run()
    at.button(key="record_answer").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(
        f"Request {rid}: requested -> footage provided" in s.value for s in at.success
    )
    row = footage.requests().iloc[0]
    assert (row["status"], row["useful"]) == ("provided", "yes")

    # a final status is corrected only with a reason
    at.selectbox(key="answer_status").set_value("declined").run()
    at.button(key="record_answer").click().run()
    assert any("give a reason" in e.value for e in at.error)
    assert footage.requests().iloc[0]["status"] == "provided"

    at.radio(key="outcome_cleared").set_value("yes").run()
    at.button(key="record_outcome").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert footage.cases()["cleared"].tolist() == [True]
    log = footage.store.audit_log([REQUEST_ACTION, UPDATE_ACTION, OUTCOME_ACTION])
    assert sorted(log["action"]) == sorted(
        [REQUEST_ACTION, UPDATE_ACTION, OUTCOME_ACTION]
    )
    assert set(log["user"]) == {"det"}


def test_staff_get_no_answer_form(monkeypatch):
    clear_data_env(monkeypatch)  # the demo opens as staff
    at = AppTest.from_file(REQUESTS, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert not [b for b in at.button if b.key in ("record_answer", "record_outcome")]
    assert DEMO_STORE_KEY not in at.session_state
