"""Relay and provider settings, STARTTLS with a verified certificate, a relay that
is down, and two sessions resuming one notice at once (all on 127.0.0.1)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from dataclasses import replace

import pytest
from aiosmtpd.controller import Controller

from analytics.canvass import CameraIndex
from analytics.notify import resume_notice, send_notice
from analytics.notify_message import notify_settings
from analytics.notify_store import delivery_table, notify_engine
from analytics.notify_transport import (
    SettingsError,
    SmtpSender,
    SmtpSettings,
    configured_senders,
    sms_settings,
    smtp_settings,
)
from analytics.store import RegistryStore
from tests.conftest import CENTRE, make_cameras, offset
from tests.notify_servers import Mailbox, SmtpServer, free_port

AREA = (CENTRE[0], CENTRE[1], 300.0)


def test_environment_wins_over_secrets_key_by_key():
    secrets = {"smtp": {"host": "relay.city.gov", "from": "notices@city.gov",
                        "user": "svc", "password": "from-secrets"}}  # fmt: skip
    env = {"CAMREG_SMTP_PASSWORD": "from-env", "CAMREG_SMTP_TLS": "ssl"}
    got = smtp_settings(secrets, env)
    assert (got.host, got.port, got.tls, got.user) == (
        "relay.city.gov",
        465,
        "ssl",
        "svc",
    )
    assert got.password == "from-env"
    assert "from-env" not in repr(got)  # never printed in a traceback or log
    assert smtp_settings({}, {}) is None  # nothing configured: e-mail is off
    assert configured_senders({}, {}) == {}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CAMREG_SMTP_PORT": "smtp"}, "port was 'smtp'"),
        ({"CAMREG_SMTP_TLS": "maybe"}, "TLS was 'maybe'"),
        ({"CAMREG_SMTP_FROM": "police"}, "sender was 'police'"),
        ({"CAMREG_SMTP_USER": "svc"}, "user and password go together"),
        ({"CAMREG_SMTP_CAFILE": "/nonexistent/ca.pem"}, "no such file"),
    ],
)
def test_bad_relay_settings_name_the_value(env, message):
    base = {"CAMREG_SMTP_HOST": "relay", "CAMREG_SMTP_FROM": "n@city.gov"}
    with pytest.raises(SettingsError, match=message):
        smtp_settings({}, {**base, **env})


def test_sms_provider_must_use_https_beyond_loopback():
    env = {"CAMREG_SMS_URL": "http://sms.example.com/send", "CAMREG_SMS_FROM": "+1"}
    with pytest.raises(SettingsError, match="https"):
        sms_settings({}, env)
    env["CAMREG_SMS_URL"] = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages"
    got = sms_settings({"sms": {"token": "t", "user": "AC1"}}, env)
    assert (got.user, got.sender) == ("AC1", "+1")


def _owners(n: int):
    rows = []
    for i in range(n):
        lat, lon = offset(*CENTRE, 10 * i, 5)
        rows.append({"camera_id": f"T{i:02d}", "contact_email": f"t{i}@example.org",
                     "latitude": lat, "longitude": lon})  # fmt: skip
    return make_cameras(rows)


@pytest.fixture
def parts(city, tmp_path):
    cams = _owners(8)
    settings = replace(notify_settings(city), rate_per_minute=10_000)
    store = RegistryStore.init(tmp_path / "registry.sqlite")
    return CameraIndex(cams, city), cams, store, settings


def _send(parts, city, sender):
    index, cams, store, settings = parts
    return send_notice(
        index, AREA, cameras=cams, city=city, store=store,
        senders={"email": sender}, case_number="C-1", user="det. lee",
        role="investigator", incident_type="theft", settings=settings,
    )  # fmt: skip


def test_relay_down_leaves_everything_queued(parts, city):
    sender = SmtpSender(
        SmtpSettings(host="127.0.0.1", port=free_port(), sender="n@city.test",
                     tls="none"), timeout=2,
    )  # fmt: skip
    result = _send(parts, city, sender)
    assert (result["sent"], result["failed"], result["queued"]) == (0, 0, 8)
    assert result["status"] == "interrupted"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_starttls_relay_with_an_internal_ca(parts, city, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, port = Mailbox(), free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=context,
        require_starttls=True,
    )  # fmt: skip
    controller.start()
    try:
        base = SmtpSettings(host="127.0.0.1", port=port, sender="n@city.test")
        # the relay's certificate is not trusted by default: nothing is sent
        first = _send(parts, city, SmtpSender(base, timeout=5))
        assert (first["sent"], first["queued"]) == (0, 8)
        assert handler.messages == []
        trusted = SmtpSender(replace(base, ca_file=str(cert)), timeout=5)
        again = resume_notice(
            first["notice_id"], city=city, store=parts[2],
            senders={"email": trusted}, user="det. lee", role="investigator",
            settings=parts[3],
        )  # fmt: skip
    finally:
        controller.stop()
    assert (again["sent"], again["queued"]) == (8, 0)
    assert sorted(handler.recipients()) == sorted(f"t{i}@example.org" for i in range(8))


def test_two_sessions_resuming_at_once_send_each_message_once(parts, city):
    with SmtpServer(Mailbox(drop_at_mail=1)) as down:
        first = _send(parts, city, SmtpSender(_local(down.port)))
    assert first["queued"] == 8
    with SmtpServer(Mailbox()) as smtp:
        errors = []

        def resume():
            try:
                resume_notice(
                    first["notice_id"], city=city, store=parts[2],
                    senders={"email": SmtpSender(_local(smtp.port))},
                    user="det. lee", role="investigator", settings=parts[3],
                )  # fmt: skip
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=resume) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    got = smtp.handler.recipients()
    assert sorted(got) == sorted(f"t{i}@example.org" for i in range(8))
    table = delivery_table(notify_engine(parts[2]), notice_id=first["notice_id"])
    assert set(table["status"]) == {"sent"}


def _local(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="n@city.test", tls="none")


def test_sms_adapter_speaks_twilio_and_keeps_throttled_messages_queued():
    import base64

    from analytics.notify_transport import HttpSmsSender, SmsSettings
    from tests.notify_servers import SmsServer

    with SmsServer() as ok:
        sender = HttpSmsSender(
            SmsSettings(url=ok.url, sender="+15015550000", token="secret", user="AC1")
        )
        got = sender.send("(501) 555-0199", "ignored subject", "Check your camera.")
    assert (got.status, got.provider_id) == ("sent", "SM0001")
    request = ok.requests[0]
    assert request["auth"] == "Basic " + base64.b64encode(b"AC1:secret").decode()
    assert request["path"] == "/Messages.json"
    assert (request["To"], request["Body"]) == ("+15015550199", "Check your camera.")
    with SmsServer(status=429) as busy:
        sender = HttpSmsSender(SmsSettings(url=busy.url, sender="+1", token="t"))
        got = sender.send("5015550199", "", "x")
    assert (got.status, got.fatal, got.bounced) == ("retry", True, False)
    # nothing listening: certainly not sent
    down = HttpSmsSender(
        SmsSettings(url=f"http://127.0.0.1:{free_port()}/x", sender="+1", token="t")
    )
    got = down.send("5015550199", "", "x")
    assert (got.status, got.fatal) == ("retry", True)
