"""The Requests and outcomes page on a registry store (not the demo), via AppTest.

A request written by another page or the command line shows on the next rerun
(the history was cached for the life of the process before), and a request
past the city's 14-day answer window is counted as no answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import CENTRE, make_cameras
from streamlit.testing.v1 import AppTest

from analytics.footage_store import EXPIRY_USER, FootageStore
from analytics.store import RegistryStore
from tests.pagetest import TIMEOUT, metrics, sign_in, use_accounts, use_store_data
from ui.data import get_dataset

PAGE = str(
    Path(__file__).resolve().parent.parent / "pages" / "8_Requests_and_outcomes.py"
)


@pytest.fixture
def store(tmp_path, monkeypatch, data_dir) -> RegistryStore:
    path = tmp_path / "registry.sqlite"
    use_store_data(monkeypatch, path, data_dir / "lrpd" / "lrpd_current.csv")
    use_accounts(monkeypatch, tmp_path, det="investigator")
    lat, lon = CENTRE
    store = RegistryStore.init(path)
    store.import_cameras(
        make_cameras(
            [
                {"camera_id": "ASK-1", "latitude": lat, "longitude": lon},
                {"camera_id": "ASK-2", "latitude": lat + 0.0005, "longitude": lon},
            ]
        ),
        source="seed.csv",
        user="seeder",
    )
    get_dataset.clear()
    yield store
    get_dataset.clear()


def test_new_requests_and_expired_ones_show_without_a_restart(store):
    from analytics.datasets import load_dataset
    from ui.sidebar import default_filters_for

    # the page's window ends on the newest incident's day (April 2018 in this
    # file): requests are dated inside it, so all are past the 14-day window
    until = default_filters_for(load_dataset()).until
    asked = datetime.combine(until, datetime.min.time()) - timedelta(days=1)
    footage = FootageStore(store)
    footage.add("C-1", ["ASK-1"], user="det", at=asked)
    at = sign_in(AppTest.from_file(PAGE, default_timeout=TIMEOUT).run(), "det")
    assert not at.exception, [e.message for e in at.exception]
    # read as "no answer" (an audited change by the answer window): 0 of 1
    assert metrics(at)["Footage requests"] == "1"
    assert metrics(at)["Requests fulfilled"] == "0.0%"
    assert footage.requests()["status"].tolist() == ["no_answer"]
    log = store.audit_log(["footage_request_update"])
    assert log["user"].tolist() == [EXPIRY_USER]
    assert not any(h.value == "Your demo requests" for h in at.subheader)
    assert "Record an answer" in [h.value for h in at.subheader]

    # written elsewhere (the canvass page, the command line): 1 -> 2 on rerun
    (second,) = footage.add("C-2", ["ASK-2"], user="det", at=asked)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert metrics(at)["Footage requests"] == "2"

    # the owner answered late: a correction of "no answer" needs a reason; once
    # recorded on the page it counts at once: 1 provided of 2 decided = 50.0%
    at.selectbox(key="answer_request").set_value(second).run()
    at.selectbox(key="answer_status").set_value("provided").run()
    at.text_input(key="answer_reason").input("owner answered after the window").run()
    at.button(key="record_answer").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert metrics(at)["Requests fulfilled"] == "50.0%"
    assert footage.requests()["status"].tolist() == ["no_answer", "provided"]
