"""``python -m analytics notify`` (and notify-log, -opt-out, -bounces) end to end.

A real SMTP server (aiosmtpd) and an SMS API on 127.0.0.1; the relay and the
provider are configured through CAMREG_SMTP_* / CAMREG_SMS_* as a city would.
The scenario and its hand-counted answer are in tests/notify_servers.py.
"""

from __future__ import annotations

import json

import pytest

from analytics.cli import main
from analytics.notify_transport import SMS_ENV, SMTP_ENV
from analytics.store import RegistryStore
from tests.conftest import CENTRE, offset
from tests.notify_servers import Mailbox, SmsServer, SmtpServer, scenario_cameras

LAT, LON = CENTRE
CASE = "2026-007777"
DRY_RUN = {
    "recipients": 4,  # o has not opted out yet
    "by_tier": {"registered": 3, "integrated": 1},
    "by_owner_type": {"residential": 3, "business": 1, "institutional": 0, "public": 0},
    "skipped": {"withdrawn": 1, "opted_out": 0, "no_contact": 1},
}
# nothing that identifies or reaches an owner may be printed
SECRETS = ("example.org", "555", "Ann", "Bob", "Cy Chen", "Olga", "Elm St", "Oak St")


@pytest.fixture
def camera_file(tmp_path):
    path = tmp_path / "cameras.csv"
    scenario_cameras().drop(columns="geometry").to_csv(path, index=False)
    return path


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "registry.sqlite"
    RegistryStore.init(path)  # creation is explicit (a typo is an error)
    return path


@pytest.fixture(autouse=True)
def no_relay(monkeypatch):
    for var in (*SMTP_ENV.values(), *SMS_ENV.values()):
        monkeypatch.delenv(var, raising=False)


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    for text in (out, err):
        assert not [s for s in SECRETS if s in text], text
    return code, out, err


def _circle(camera_file, db, *extra):
    return (
        "notify",
        "--lat", str(LAT), "--lon", str(LON), "--radius-m", "200",
        "--cameras", str(camera_file), "--db", str(db), "--case", CASE,
        "--incident", "burglary", *extra,
    )  # fmt: skip


def _relay(monkeypatch, smtp, sms=None):
    monkeypatch.setenv("CAMREG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAMREG_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("CAMREG_SMTP_FROM", "notices@city.test")
    monkeypatch.setenv("CAMREG_SMTP_TLS", "none")
    if sms is not None:
        monkeypatch.setenv("CAMREG_SMS_URL", sms.url)
        monkeypatch.setenv("CAMREG_SMS_TOKEN", "t0k")
        monkeypatch.setenv("CAMREG_SMS_FROM", "+15015550000")


def test_dry_run_json_counts_and_sends_nothing(capsys, camera_file, db, monkeypatch):
    with SmtpServer(Mailbox()) as smtp:
        _relay(monkeypatch, smtp)
        argv = _circle(camera_file, db, "--dry-run", "--json", "--role", "investigator")
        code, out, _ = _run(capsys, *argv)
    assert code == 0
    got = json.loads(out)
    assert got.pop("data_label") == "cameras.csv"
    assert got.pop("synthetic") is False
    assert got == DRY_RUN
    assert smtp.handler.messages == []
    # a preview writes nothing: no notice, no delivery, no audit entry
    assert RegistryStore(db).audit_log().empty


def test_dry_run_for_staff_rounds_the_counts(capsys, camera_file, db):
    code, out, _ = _run(capsys, *_circle(camera_file, db, "--dry-run", "--json"))
    assert code == 0
    got = json.loads(out)
    assert got["recipients"] == 5  # 4 -> nearest multiple of 5
    assert got["rounded_to"] == 5


def test_send_reaches_the_owners_and_prints_only_counts(
    capsys, camera_file, db, monkeypatch
):
    with SmtpServer(Mailbox()) as smtp, SmsServer() as sms:
        _relay(monkeypatch, smtp, sms)
        code, out, _ = _run(
            capsys,
            *_circle(camera_file, db, "--json", "--role", "investigator"),
            "--user", "det. lee",
        )  # fmt: skip
    assert code == 0
    got = json.loads(out)
    assert {k: got[k] for k in DRY_RUN} == DRY_RUN
    assert (got["sent"], got["failed"]) == (4, 0)
    assert got["notice_id"].startswith("N")
    assert sorted(smtp.handler.recipients()) == [
        "a@example.org",
        "c@example.org",
        "o@example.org",
    ]
    assert [r["To"] for r in sms.requests] == ["+15015550101"]
    # the investigator's delivery table for the case: statuses, no contacts
    code, out, _ = _run(
        capsys, "notify-log", "--case", CASE, "--db", str(db), "--role",
        "investigator", "--json",
    )  # fmt: skip
    log = json.loads(out)
    assert code == 0
    assert [n["notice_id"] for n in log["notices"]] == [got["notice_id"]]
    assert sorted(d["status"] for d in log["deliveries"]) == [
        "sent", "sent", "sent", "sent", "skipped", "skipped",
    ]  # fmt: skip
    code, _, err = _run(capsys, "notify-log", "--case", CASE, "--db", str(db))
    assert code == 2
    assert "investigators" in err


def test_opt_out_then_notice_skips_the_owner(capsys, camera_file, db, monkeypatch):
    code, out, _ = _run(
        capsys, "notify-opt-out", "--camera", "O1", "--user", "steward", "--db",
        str(db),
    )  # fmt: skip
    assert code == 0
    eml = db.parent / "reply.eml"
    eml.write_bytes(
        b"From: Cy <c@example.org>\r\nTo: notices@city.test\r\nSubject: Re: check\r\n"
        b"\r\nstop\r\n\r\n> please check your camera\r\n"
    )
    code, out, _ = _run(
        capsys, "notify-opt-out", "--reply-eml", str(eml), "--user", "mailbox",
        "--db", str(db),
    )  # fmt: skip
    assert "opt-out recorded" in out
    argv = _circle(camera_file, db, "--dry-run", "--json", "--role", "investigator")
    code, out, _ = _run(capsys, *argv)
    got = json.loads(out)
    assert got["recipients"] == 2
    assert got["skipped"] == {"withdrawn": 1, "opted_out": 2, "no_contact": 1}
    log = RegistryStore(db).audit_log(action="notice_opt_out")
    assert len(log) == 2
    assert "example.org" not in log.to_json()


def test_drawn_area_file_and_refused_address_as_steward_task(
    capsys, camera_file, db, monkeypatch, tmp_path
):
    # a square from 100 m west to 100 m east, 100 m south to 100 m north
    (s, w), (n, e) = offset(LAT, LON, -100, -100), offset(LAT, LON, 100, 100)
    area = tmp_path / "area.geojson"
    area.write_text(
        json.dumps(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
                },
            }
        )
    )
    with SmtpServer(Mailbox(refuse={"a@example.org"})) as smtp:
        _relay(monkeypatch, smtp)  # e-mail only: b (phone only) has no channel
        code, out, _ = _run(
            capsys, "notify", "--area", str(area), "--cameras", str(camera_file),
            "--db", str(db), "--case", CASE, "--message", "Please check 1-3 Nov.",
            "--user", "det. lee", "--role", "investigator", "--json",
        )  # fmt: skip
    got = json.loads(out)
    assert code == 1  # a message failed: the exit code says so
    assert got["skipped"] == {
        "withdrawn": 1, "opted_out": 0, "no_contact": 1, "no_channel": 1,
    }  # fmt: skip
    assert (got["recipients"], got["sent"], got["failed"]) == (3, 2, 1)
    assert sorted(smtp.handler.recipients()) == ["c@example.org", "o@example.org"]
    body = smtp.handler.messages[0][1].get_content()
    assert "Please check 1-3 Nov." in body
    code, out, _ = _run(capsys, "notify-bounces", "--db", str(db), "--json")
    tasks = json.loads(out)["tasks"]
    assert [t["camera_ids"] for t in tasks] == ["A1 A2"]
    assert tasks[0]["contact_field"] == "contact_email"


def test_unusable_input_is_one_line_exit_2(capsys, camera_file, db):
    code, _, err = _run(capsys, "notify", "--cameras", str(camera_file), "--case", "1")
    assert code == 2
    assert "area" in err
    code, _, err = _run(capsys, *_circle(camera_file, db, "--user", "x"))
    assert code == 2
    assert "CAMREG_SMTP_HOST" in err  # nothing configured: says what to set
    argv = list(_circle(camera_file, db, "--dry-run"))
    argv[argv.index("--case") + 1] = " "
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert "--case" in err
    # a mistyped latitude (134 for 34) was a shapely traceback
    argv = list(_circle(camera_file, db, "--dry-run"))
    argv[argv.index("--lat") + 1] = "134.74"
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert err.startswith("error: --lat/--lon (134.74, ")
    assert "is outside Little Rock, Arkansas: expected latitude 34.6 to 34.9" in err


def test_staff_text_says_counts_are_rounded_not_zero(capsys, tmp_path, db):
    # one owner in the circle (scenario camera 0 alone): staff see 1 rounded to
    # 0, which read "Would reach 0 owners" as if nobody would be told
    path = tmp_path / "one.csv"
    scenario_cameras().drop(columns="geometry").iloc[[0]].to_csv(path, index=False)
    code, out, _ = _run(capsys, *_circle(path, db, "--dry-run"))
    assert code == 0
    assert "Would reach fewer than 3 owners (counts rounded to the nearest 5)" in out
    code, out, _ = _run(capsys, *_circle(path, db, "--dry-run", "--json"))
    assert json.loads(out)["recipients"] == 0  # the JSON keeps the number


def test_a_demo_file_stays_labelled_synthetic(capsys, tmp_path, db):
    # `demo --out` writes a data_origin column; the notice preview read from
    # that file said "synthetic": false
    code = main(["demo", "--out", str(tmp_path / "demo"), "--cameras", "60",
                 "--incidents", "50"])  # fmt: skip
    assert code == 0
    capsys.readouterr()
    argv = _circle(tmp_path / "demo" / "cameras.csv", db, "--dry-run", "--json")
    code = main(list(argv))
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["synthetic"] is True
    code = main(list(_circle(tmp_path / "demo" / "cameras.csv", db, "--dry-run")))
    out, _ = capsys.readouterr()
    assert "data: cameras.csv (synthetic: the owners are fictitious)" in out


def test_staff_send_with_a_refused_address_exits_1(
    capsys, camera_file, db, monkeypatch
):
    # the relay refuses c@example.org: 3 sent, 1 failed. Staff see counts
    # rounded to 5 (sent 5, failed 0), which made the command exit 0 as if
    # every owner was reached; all_sent (not a count, not rounded) says no
    with SmtpServer(Mailbox(refuse={"c@example.org"})) as smtp, SmsServer() as sms:
        _relay(monkeypatch, smtp, sms)
        code, out, _ = _run(
            capsys, *_circle(camera_file, db, "--json"), "--user", "clerk"
        )
    got = json.loads(out)
    assert (got["sent"], got["failed"], got["rounded_to"]) == (5, 0, 5)
    assert got["all_sent"] is False
    assert code == 1
    log = RegistryStore(db).audit_log(["area_notice_delivery"])
    assert json.loads(log["details"].iloc[0])["failed"] == 1  # the log is exact
