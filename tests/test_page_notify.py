"""The Incident canvass page's notice block, driven through AppTest, sending to a
real SMTP server on 127.0.0.1 (aiosmtpd) configured through CAMREG_SMTP_*.

Expected recipients are computed independently: the e-mails of the active demo
cameras within the radius (geodesic distance with pyproj).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from analytics.notify_transport import SMS_ENV, SMTP_ENV
from analytics.store import RegistryStore
from tests.notify_servers import Mailbox, SmtpServer
from tests.pagetest import clear_data_env, sign_in, use_accounts

PAGE = Path(__file__).resolve().parent.parent / "pages" / "5_Incident_canvass.py"
TIMEOUT = 180
GEOD = Geod(ellps="WGS84")
LAT, LON = 34.746, -92.289
RADIUS = 100
CASE = "2026-005151"


@pytest.fixture(autouse=True)
def demo_env(monkeypatch, tmp_path):
    clear_data_env(monkeypatch)
    for var in (*SMTP_ENV.values(), *SMS_ENV.values()):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("analytics.store.DEFAULT_DB", tmp_path / "registry.sqlite")


def _expected_emails() -> set[str]:
    cams = load_dataset().cameras
    cams = cams[(cams["status"] == "active") & cams["withdrawn_at"].isna()]
    _, _, dist = GEOD.inv(
        np.full(len(cams), LON),
        np.full(len(cams), LAT),
        cams["longitude"].to_numpy(float),
        cams["latitude"].to_numpy(float),
    )
    inside = cams[dist <= RADIUS]
    # precondition of the hand count: no two sites here share a phone
    assert not inside["contact_phone"].duplicated().any()
    return set(inside["contact_email"].str.lower())


def _give(at: AppTest) -> AppTest:
    """Type the incident's place: the page lists and notifies nothing before."""
    at.number_input(key="lat").set_value(LAT)
    at.number_input(key="lon").set_value(LON)
    return at.run()


def _page() -> AppTest:
    at = _give(AppTest.from_file(str(PAGE), default_timeout=TIMEOUT).run())
    at.slider(key="notify_radius_m").set_value(RADIUS)
    return at.run()


def _all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "text", "success", "warning",
             "info", "error") for e in getattr(at, kind)]  # fmt: skip
    parts += [m.value for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_without_a_relay_the_page_previews_but_cannot_send():
    at = _page()
    assert not at.exception
    expected = _expected_emails()
    shown = next(m for m in at.metric if m.label.startswith("Owners a notice")).value
    rounded = 5 * round(len(expected) / 5)  # staff: rounded, and it says so
    assert shown == (f"about {rounded:,}" if rounded else "fewer than 3")
    assert any("Sending is off" in i.value for i in at.info)
    assert at.button(key="send_notice").disabled


def test_notice_from_the_page_reaches_the_owners_once(monkeypatch, tmp_path):
    expected = _expected_emails()
    assert 5 < len(expected) < 60  # busy enough to matter, within one minute's rate
    with SmtpServer(Mailbox()) as smtp:
        monkeypatch.setenv("CAMREG_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CAMREG_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("CAMREG_SMTP_FROM", "notices@city.test")
        monkeypatch.setenv("CAMREG_SMTP_TLS", "none")
        at = _page()
        assert at.button(key="send_notice").disabled  # no case, name, confirmation
        at.text_input(key="case_number").input(CASE)
        at.text_input(key="notice_incident").input("burglary")
        at.checkbox(key="notice_confirm").check().run()
        assert not at.button(key="send_notice").disabled
        at.button(key="send_notice").click().run()
        assert not at.exception
    received = smtp.handler.recipients()
    assert sorted(received) == sorted(expected)  # each owner once, nobody else
    body = smtp.handler.messages[0][1].get_content()
    assert "burglary" in body
    assert CASE in body
    assert "STOP" in body
    assert at.success
    assert "Notice N" in at.success[0].value
    # the page shows counts and the notice text, never a recipient
    assert "@example.org" not in _all_text(at)
    # the same notice cannot go out twice by a second click
    assert at.button(key="send_notice").disabled
    assert any("This notice was sent" in c.value for c in at.caption)
    log = RegistryStore(tmp_path / "registry.sqlite").audit_log(action="area_notice")
    details = json.loads(log.iloc[0]["details"])
    assert details["recipients"] == len(expected)
    assert details["case_number"] == CASE
    assert (
        log.iloc[0]["user"] == "demo visitor (no accounts)"
    )  # the demo opens as staff


def test_investigator_sees_exact_counts_and_the_case_deliveries(monkeypatch, tmp_path):
    expected = _expected_emails()
    with SmtpServer(Mailbox()) as smtp:
        monkeypatch.setenv("CAMREG_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CAMREG_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("CAMREG_SMTP_FROM", "notices@city.test")
        monkeypatch.setenv("CAMREG_SMTP_TLS", "none")
        use_accounts(monkeypatch, tmp_path, det="investigator")
        at = sign_in(AppTest.from_file(str(PAGE), default_timeout=TIMEOUT).run(), "det")
        _give(at)
        at.slider(key="notify_radius_m").set_value(RADIUS)
        at.text_input(key="case_number").input(CASE)
        at.checkbox(key="notice_confirm").check().run()
        metric = next(m for m in at.metric if m.label.startswith("Owners a notice"))
        assert int(metric.value) == len(expected)  # exact for investigators
        at.button(key="send_notice").click().run()
        assert not at.exception
    assert sorted(smtp.handler.recipients()) == sorted(expected)
    deliveries = next(d.value for d in at.dataframe if "recipient" in d.value)
    assert len(deliveries) == len(expected)
    assert set(deliveries["status"]) == {"sent"}
    assert "@example.org" not in deliveries.to_csv()


def test_interrupted_notice_is_resumed_from_the_page(monkeypatch):
    expected = _expected_emails()

    def relay(port):
        monkeypatch.setenv("CAMREG_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CAMREG_SMTP_PORT", str(port))
        monkeypatch.setenv("CAMREG_SMTP_FROM", "notices@city.test")
        monkeypatch.setenv("CAMREG_SMTP_TLS", "none")

    with SmtpServer(Mailbox(drop_at_mail=4)) as first:
        relay(first.port)
        at = _page()
        at.text_input(key="case_number").input(CASE)
        at.checkbox(key="notice_confirm").check().run()
        at.button(key="send_notice").click().run()
        assert not at.exception
    assert len(first.handler.recipients()) == 3  # the relay hung up at the 4th
    assert any("Resume to send the rest" in w.value for w in at.warning)
    resume = [b for b in at.button if b.key.startswith("resume_N")]
    assert len(resume) == 1
    with SmtpServer(Mailbox()) as second:
        relay(second.port)
        resume[0].click().run()
        assert not at.exception
    received = first.handler.recipients() + second.handler.recipients()
    assert sorted(received) == sorted(expected)  # everyone once, nobody twice
    assert not [b for b in at.button if b.key.startswith("resume_N")]
