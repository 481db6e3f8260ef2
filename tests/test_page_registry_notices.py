"""The Registry page's notice block: the steward records an opt-out and sees
refused contacts as re-verification tasks, never the contacts themselves."""

from __future__ import annotations

from test_page_registry import run_page, store  # noqa: F401 - the shared fixture

from analytics.canvass import CameraIndex
from analytics.config import load_city
from analytics.notify import send_notice
from analytics.notify_store import notify_engine, opted_out
from analytics.notify_transport import SmtpSender, SmtpSettings
from tests.conftest import CENTRE
from tests.notify_servers import Mailbox, SmtpServer


def test_steward_records_an_opt_out_by_camera(store):  # noqa: F811
    at = run_page()
    assert at.button(key="notice_optout").disabled  # no name, no camera yet
    at.text_input(key="notice_optout_camera").input("B")
    at.text_input(key="notice_optout_reason").input("asked at the front desk").run()
    at.button(key="notice_optout").click().run()
    assert not at.exception
    assert any("Opt-out #1 recorded" in s.value for s in at.success)
    assert opted_out(notify_engine(store)) == (set(), {"B"})
    shown = at.dataframe[-1].value
    assert shown["camera_id"].tolist() == ["B"]
    assert shown["recorded_by"].tolist() == ["j.smith"]
    assert "opted_out_at" in shown
    log = store.audit_log(action="notice_opt_out")
    assert log["user"].tolist() == ["j.smith"]


def test_refused_contact_is_a_task_without_the_address(store):  # noqa: F811
    city = load_city()
    cams = store.cameras()
    cams.loc[cams["camera_id"] == "A", "contact_email"] = "gone@example.org"
    with SmtpServer(Mailbox(refuse={"gone@example.org"})) as smtp:
        settings = SmtpSettings(
            host="127.0.0.1", port=smtp.port, sender="n@city.test", tls="none"
        )
        send_notice(
            CameraIndex(cams, city), (*CENTRE, 50.0), cameras=cams, city=city,
            store=store, senders={"email": SmtpSender(settings)}, case_number="C-9",
            user="det. lee", role="investigator", incident_type="theft",
        )  # fmt: skip
    at = run_page()
    tasks = next(d.value for d in at.dataframe if "contact_field" in d.value)
    assert tasks["camera_ids"].tolist() == ["A"]
    assert "550" in tasks["reason"].iloc[0]
    assert "gone@example.org" not in tasks.to_csv()
