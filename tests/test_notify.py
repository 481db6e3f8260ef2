"""Area notices against real servers on loopback (aiosmtpd, an HTTP SMS API).

The scenario (tests/notify_servers.py) is counted by hand: in a 200 m circle
three owners are reached (a and c by e-mail, b by text), one is withdrawn, one
opted out, one has no contact.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest

from analytics.canvass import CameraIndex
from analytics.notify import (
    DELIVERY_ACTION,
    NOTICE_ACTION,
    NoticeError,
    RateLimiter,
    opt_out_reply,
    preview_notice,
    record_opt_out,
    resume_notice,
    send_notice,
)
from analytics.notify_message import notify_settings
from analytics.notify_store import (
    deliveries,
    delivery_table,
    notice_table,
    notify_engine,
    reverify_tasks,
    utc_now,
)
from analytics.notify_transport import (
    HttpSmsSender,
    SmsSettings,
    SmtpSender,
    SmtpSettings,
)
from analytics.store import RegistryStore
from tests.conftest import CENTRE, make_cameras, offset
from tests.notify_servers import (
    Mailbox,
    SmsServer,
    SmtpServer,
    scenario_cameras,
)

AREA = (CENTRE[0], CENTRE[1], 200.0)
CASE = "2026-004242"
EXPECTED = {
    "recipients": 3,
    "by_tier": {"registered": 2, "integrated": 1},
    "by_owner_type": {"residential": 2, "business": 1, "institutional": 0, "public": 0},
    "skipped": {"withdrawn": 1, "opted_out": 1, "no_contact": 1},
}
PRIVATE = ("Ann", "Bob", "Cy Chen", "Olga", "Elm St", "Oak St", "Bakery Row",
           "@example.org", "555")  # fmt: skip


@pytest.fixture
def cams():
    return scenario_cameras()


@pytest.fixture
def index(cams, city):
    return CameraIndex(cams, city)


@pytest.fixture
def store(tmp_path):
    store = RegistryStore.init(tmp_path / "registry.sqlite")
    record_opt_out(store, user="steward", email="o@example.org", reason="asked")
    return store


@pytest.fixture
def settings(city):
    return replace(notify_settings(city), rate_per_minute=10_000)


def _smtp(server: SmtpServer) -> SmtpSender:
    settings = SmtpSettings(
        host="127.0.0.1",
        port=server.port,
        sender="notices@city.test",
        tls="none",
        reply_to="tips@city.test",
    )
    return SmtpSender(settings)


def _sms(server: SmsServer) -> HttpSmsSender:
    settings = SmsSettings(url=server.url, sender="+15015550000", token="t0k")
    return HttpSmsSender(settings)


def _send(index, cams, city, store, senders, settings, **kw):
    args = {
        "cameras": cams,
        "city": city,
        "store": store,
        "senders": senders,
        "case_number": CASE,
        "user": "det. lee",
        "role": "investigator",
        "incident_type": "burglary",
        "settings": settings,
    }
    return send_notice(index, AREA, **{**args, **kw})


def test_preview_counts_owners_once_and_skips_withdrawn_opted_out(index, cams, store):
    got = preview_notice(index, AREA, cameras=cams, store=store, role="investigator")
    assert got == EXPECTED


def test_preview_for_staff_is_rounded_so_small_areas_reveal_nothing(index, cams):
    got = preview_notice(index, AREA, cameras=cams, role="staff")
    # o has not opted out here: 4 reached -> 5; 1 integrated -> 0
    assert got["recipients"] == 5
    assert got["by_tier"] == {"registered": 5, "integrated": 0}
    assert got["rounded_to"] == 5
    with pytest.raises(PermissionError):
        preview_notice(index, AREA, cameras=cams, role="public")


def test_notice_reaches_exactly_the_right_owners_once(
    index, cams, city, store, settings
):
    with SmtpServer(Mailbox()) as smtp, SmsServer() as sms:
        result = _send(
            index, cams, city, store, {"email": _smtp(smtp), "sms": _sms(sms)}, settings
        )
    mailbox = smtp.handler
    # one e-mail each to a and c, as written in their (first) registration
    assert sorted(mailbox.recipients()) == ["a@example.org", "c@example.org"]
    assert [len(r) for r, _ in mailbox.messages] == [1, 1]
    for _, msg in mailbox.messages:
        assert msg["From"] == "notices@city.test"
        assert msg["Reply-To"] == "tips@city.test"
        assert msg.get_content_type() == "text/plain"
        text = msg.get_content()
        assert "burglary" in text
        assert CASE in text
        assert "STOP" in text
        # the same text for every owner: nobody's data in anybody's message
        assert not [p for p in PRIVATE if p in text and p != "@example.org"]
        assert msg["To"] in ("a@example.org", "c@example.org")
        assert msg["Cc"] is None
        assert msg["Bcc"] is None
    # b by text message, through the provider's API, once
    assert len(sms.requests) == 1
    req = sms.requests[0]
    assert req["To"] == "+15015550101"
    assert req["From"] == "+15015550000"
    assert req["auth"] == "Bearer t0k"
    assert "burglary" in req["Body"]
    assert "Reply STOP" in req["Body"]
    assert result == {**EXPECTED, "notice_id": result["notice_id"], "sent": 3,
                      "failed": 0, "queued": 0, "status": "done",
                      "all_sent": True}  # fmt: skip


def test_delivery_table_and_audit_say_how_many_not_who(
    index, cams, city, store, settings
):
    with SmtpServer(Mailbox()) as smtp, SmsServer() as sms:
        result = _send(
            index, cams, city, store, {"email": _smtp(smtp), "sms": _sms(sms)}, settings
        )
    engine = notify_engine(store)
    table = delivery_table(engine, case_number=CASE)
    assert len(table) == 6
    assert Counter(table["status"]) == {"sent": 3, "skipped": 3}
    skipped = table[table["status"] == "skipped"]
    assert sorted(skipped["reason"]) == ["no_contact", "opted_out", "withdrawn"]
    assert set(table[table["status"] == "sent"]["channel"]) == {"email", "sms"}
    shown = table.to_csv()
    assert "@" not in shown
    assert "555" not in shown
    assert "address" not in table
    notices = notice_table(engine, case_number=CASE)
    assert notices.iloc[0]["sent"] == 3
    assert notices.iloc[0]["status"] == "done"

    log = store.audit_log(action=[NOTICE_ACTION, DELIVERY_ACTION])
    assert list(log["action"]) == [DELIVERY_ACTION, NOTICE_ACTION]
    created = json.loads(log.iloc[1]["details"])
    assert created["notice_id"] == result["notice_id"]
    assert created["case_number"] == CASE
    assert created["recipients"] == 3
    assert created["radius_m"] == 200.0
    assert "Polygon" in created["area"]
    assert log.iloc[1]["user"] == "det. lee"
    delivered = json.loads(log.iloc[0]["details"])
    assert delivered["reached"] == 3
    assert delivered["failed"] == 0
    everything = log.to_json()
    assert "@example" not in everything
    assert "555" not in everything


def test_connection_dropped_before_handover_resume_sends_the_rest_once(
    cams, city, store, settings
):
    cams = _many_owners(6)
    index = CameraIndex(cams, city)
    with SmtpServer(Mailbox(drop_at_mail=3)) as first:
        result = _send(index, cams, city, store, {"email": _smtp(first)}, settings)
    assert first.handler.recipients() == ["o0@example.org", "o1@example.org"]
    assert (result["sent"], result["failed"], result["queued"]) == (2, 0, 4)
    assert result["status"] == "interrupted"
    with SmtpServer(Mailbox()) as second:
        again = resume_notice(
            result["notice_id"],
            city=city,
            store=store,
            senders={"email": _smtp(second)},
            user="det. lee",
            role="investigator",
            settings=settings,
        )
    assert second.handler.recipients() == [f"o{i}@example.org" for i in range(2, 6)]
    assert (again["sent"], again["queued"], again["status"]) == (6, 0, "done")


def test_connection_cut_during_handover_is_never_resent(cams, city, store, settings):
    cams = _many_owners(5)
    index = CameraIndex(cams, city)
    with SmtpServer(Mailbox(drop_in_data=2)) as first:
        result = _send(index, cams, city, store, {"email": _smtp(first)}, settings)
    # the server got o1's message but could not say so: failed, not queued
    assert first.handler.recipients() == ["o0@example.org", "o1@example.org"]
    assert (result["sent"], result["failed"], result["queued"]) == (1, 1, 3)
    with SmtpServer(Mailbox()) as second:
        resume_notice(
            result["notice_id"], city=city, store=store,
            senders={"email": _smtp(second)}, user="det. lee",
            role="investigator", settings=settings,
        )  # fmt: skip
    received = first.handler.recipients() + second.handler.recipients()
    assert sorted(received) == [f"o{i}@example.org" for i in range(5)]
    table = delivery_table(notify_engine(store), notice_id=result["notice_id"])
    failed = table[table["status"] == "failed"]
    assert len(failed) == 1
    assert "not resent" in failed.iloc[0]["reason"]


def test_crash_mid_send_leaves_the_row_unsent_on_resume(city, store, settings):
    cams = _many_owners(4)
    index = CameraIndex(cams, city)

    class Crashing(SmtpSender):
        calls = 0

        def send(self, address, subject, text):
            Crashing.calls += 1
            if Crashing.calls == 2:
                raise KeyboardInterrupt  # the process is killed mid-send
            return super().send(address, subject, text)

    with SmtpServer(Mailbox()) as first:
        crashing = Crashing(_smtp(first).settings)
        with pytest.raises(KeyboardInterrupt):
            _send(index, cams, city, store, {"email": crashing}, settings)
        notice_id = notice_table(notify_engine(store)).iloc[0]["notice_id"]
        again = resume_notice(
            notice_id, city=city, store=store, senders={"email": _smtp(first)},
            user="det. lee", role="investigator", settings=settings,
        )  # fmt: skip
    got = first.handler.recipients()
    assert got == ["o0@example.org", "o2@example.org", "o3@example.org"]
    assert (again["sent"], again["failed"], again["queued"]) == (3, 1, 0)


def test_refused_address_is_a_reverification_task(cams, index, city, store, settings):
    with (
        SmtpServer(Mailbox(refuse={"c@example.org"})) as smtp,
        SmsServer(refuse={"+15015550101"}) as sms,
    ):
        result = _send(
            index, cams, city, store, {"email": _smtp(smtp), "sms": _sms(sms)}, settings
        )
    assert (result["sent"], result["failed"]) == (1, 2)
    tasks = reverify_tasks(notify_engine(store))
    assert sorted(tasks["camera_ids"]) == ["B1", "C1 C2"]
    by_cam = tasks.set_index("camera_ids")
    assert "550" in by_cam.loc["C1 C2", "reason"]
    assert by_cam.loc["C1 C2", "contact_field"] == "contact_email"
    assert "User unknown" in by_cam.loc["C1 C2", "reason"]
    assert by_cam.loc["B1", "reason"] == (
        "HTTP 400: The 'To' number <number> is not a valid number."
    )
    # the servers quoted the address and the number back: neither is kept
    assert "@" not in tasks.to_csv()
    assert "555" not in tasks.to_csv()


def test_opt_out_by_reply_is_honoured_by_the_next_notice(index, cams, store):
    assert not opt_out_reply(
        store, sender="c@example.org", text="I have footage", channel="email"
    )
    assert not opt_out_reply(
        store, sender="c@example.org", text="Footage attached\n> STOP", channel="email"
    )
    reply = "\nStop.\n\n> On Monday the police wrote:\n> please check your camera"
    assert opt_out_reply(store, sender="C@Example.org", text=reply, channel="email")
    got = preview_notice(index, AREA, cameras=cams, store=store, role="investigator")
    assert got["recipients"] == 2
    assert got["skipped"]["opted_out"] == 2
    # the owner of B opts out by text; the steward records N1's camera
    assert opt_out_reply(store, sender="+1 501 555 0101", text="STOP", channel="sms")
    got = preview_notice(index, AREA, cameras=cams, store=store, role="investigator")
    assert got["recipients"] == 1
    assert got["skipped"]["opted_out"] == 3


def test_large_notices_need_an_investigator(index, cams, city, store, settings):
    small = replace(settings, max_owners_without_investigator=1)
    with SmtpServer(Mailbox()) as smtp, pytest.raises(NoticeError, match="more than 1"):
        _send(index, cams, city, store, {"email": _smtp(smtp)}, small, role="staff")
    assert smtp.handler.messages == []
    with pytest.raises(NoticeError, match="case"):
        _send(index, cams, city, store, {"email": object()}, small, case_number=" ")


def test_typed_details_cannot_add_headers_or_recipients(
    index, cams, city, store, settings
):
    with SmtpServer(Mailbox()) as smtp:
        _send(
            index, cams, city, store, {"email": _smtp(smtp)}, settings,
            incident_type="burglary\r\nBcc: evil@attacker.test\u202e",
        )  # fmt: skip
    assert "evil@attacker.test" not in smtp.handler.recipients()
    for _, msg in smtp.handler.messages:
        assert msg["Bcc"] is None
        assert "burglary Bcc: evil@attacker.test" in msg.get_content()
        assert "\u202e" not in msg.get_content()


def test_rate_limit_waits_for_the_minute_to_pass():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2, clock=lambda: now[0], sleep=sleep)
    for t in (0.0, 10.0, 20.0, 70.0, 85.0):
        now[0] = max(now[0], t)
        limiter.wait()
    # 3rd send at 20 s waits until 60 s; 4th at 70 s is fine (10 s dropped);
    # 5th at 85 s: sends at 60 and 70 are within the minute -> wait until 120
    assert slept == [40.0, 35.0]


def test_notice_respects_the_city_rate(index, cams, city, store, settings):
    slow = replace(settings, rate_per_minute=2)
    now, slept = [0.0], []
    with SmtpServer(Mailbox()) as smtp, SmsServer() as sms:
        _send(
            index, cams, city, store, {"email": _smtp(smtp), "sms": _sms(sms)}, slow,
            clock=lambda: now[0], sleep=lambda s: slept.append(s),
        )  # fmt: skip
    assert slept == [60.0]  # three messages at t=0, two a minute


def _many_owners(n: int):
    lat, lon = CENTRE
    rows = []
    for i in range(n):
        la, lo = offset(lat, lon, 10 * i, 0)
        rows.append(
            {"camera_id": f"M{i:02d}", "contact_email": f"o{i}@example.org",
             "latitude": la, "longitude": lo}
        )  # fmt: skip
    return make_cameras(rows)


def test_rate_limit_holds_across_a_resume(city, store, settings):
    cams = _many_owners(4)
    index = CameraIndex(cams, city)
    slow = replace(settings, rate_per_minute=2)
    now, slept = [0.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    with SmtpServer(Mailbox(drop_at_mail=3)) as first:
        result = _send(index, cams, city, store, {"email": _smtp(first)}, slow)
    assert result["sent"] == 2
    # as if the resume came right after the first run (on a loaded machine the
    # servers can take many seconds to start)
    engine = notify_engine(store)
    with engine.begin() as con:
        con.execute(
            deliveries.update()
            .where(deliveries.c.status == "sent")
            .values(updated_at=utc_now())
        )
    with SmtpServer(Mailbox()) as second:
        again = resume_notice(
            result["notice_id"], city=city, store=store,
            senders={"email": _smtp(second)}, user="det. lee",
            role="investigator", settings=slow, clock=lambda: now[0], sleep=sleep,
        )  # fmt: skip
    assert again["sent"] == 4
    # without the first run's two messages counted, two more would go at once
    # (no wait); counted, the resume waits until they are a minute old
    assert len(slept) == 1
    assert 55 < slept[0] <= 60
