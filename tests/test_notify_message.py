"""The words of a notice (templates, escaping, the stop line, city settings) and
what comes back (STOP replies, bounce reports)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.config import ConfigError, load_city
from analytics.notify_inbox import read_bounce_report, read_reply
from analytics.notify_message import (
    SMS_LIMIT,
    compose,
    is_stop_reply,
    notify_settings,
    plain_field,
    plain_message,
    time_window,
)
from analytics.store import RegistryStore
from tests.notify_servers import Mailbox, SmtpServer, scenario_cameras
from tests.test_notify_cli import CASE, _circle, _relay, _run

CITY_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "cities" / "little_rock.toml"
)


def _city_with(tmp_path, notify: str):
    path = tmp_path / "city.toml"
    path.write_text(CITY_FILE.read_text().split("\n[notify]")[0] + notify)
    return load_city(path)


def test_typed_fields_become_one_safe_line():
    assert plain_field("  burglary\r\n\tat  night ", "x") == "burglary at night"
    # bidi override and zero-width space removed, not just hidden
    assert plain_field("ab\u202ecd\u200b", "x") == "abcd"
    with pytest.raises(ValueError, match="at most 5"):
        plain_field("123456", "incident_type", 5)
    assert plain_message("a\r\n\r\n\r\n\r\nb\x07c") == "a\n\nb c"


def test_template_text_is_substituted_once(city):
    settings = notify_settings(city)
    text = compose(
        settings,
        city,
        case_number="2026-1",
        incident_type="$case_number ${program} {0}",
        start=datetime(2026, 10, 31, 22, 0),
        end=datetime(2026, 10, 31, 23, 30),
    )
    # what staff typed stays as typed: no placeholder is expanded inside it
    assert "What happened: $case_number ${program} {0}" in text.body
    assert "between 31 Oct 2026 22:00 and 31 Oct 2026 23:30" in text.body
    assert text.subject == "Eyes on the Rock: please check your camera (case 2026-1)"
    assert text.body.rstrip().endswith(
        "the Little Rock Police Department to remove you."
    )
    assert text.sms.endswith("Reply STOP to receive no more notices.")
    assert len(text.sms) <= SMS_LIMIT
    with pytest.raises(ValueError, match="case"):
        compose(settings, city, case_number=" ")
    with pytest.raises(ValueError, match="ends"):
        time_window(datetime(2026, 1, 2), datetime(2026, 1, 1))


def test_city_file_templates_and_settings(tmp_path):
    city = _city_with(
        tmp_path,
        '\n[notify]\nrate_per_minute = 30\nsender_name = "Otherville PD"\n'
        '[notify.templates.shots]\nsubject = "Shots fired ($case_number)"\n'
        'body = "Shots fired $window. $reply."\n',
    )
    settings = notify_settings(city)
    assert settings.rate_per_minute == 30
    assert settings.max_owners_without_investigator == 250  # the default
    text = compose(settings, city, case_number="C7", template="shots")
    assert text.subject == "Shots fired (C7)"
    assert text.body.startswith("Shots fired recently. reply to this message.")
    assert "ask Otherville PD to remove you" in text.body
    assert text.sms.startswith("Shots fired recently.")  # body when no sms given


@pytest.mark.parametrize(
    ("notify", "message"),
    [
        ("\n[notify]\nrate_per_minute = 0\n", "rate_per_minute"),
        ('\n[notify]\nmax_owners_without_investigator = "many"\n', "max_owners"),
        ('\n[notify.templates.x]\nsubject = "only a subject"\n', "`subject` and"),
    ],
)
def test_bad_notify_settings_name_the_value(tmp_path, notify, message):
    with pytest.raises(ConfigError, match=message):
        notify_settings(_city_with(tmp_path, notify))


def test_unknown_placeholder_in_a_template_is_a_config_error(tmp_path):
    city = _city_with(
        tmp_path, '\n[notify.templates.bad]\nsubject = "$subjekt"\nbody = "b"\n'
    )
    with pytest.raises(ConfigError, match="subjekt"):
        compose(notify_settings(city), city, case_number="1", template="bad")


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        ("STOP", True),
        ("stop.", True),
        ("  Unsubscribe me please", True),
        ("\n> quoted notice\nSTOP", True),
        ("I have footage, call me", False),
        ("Footage attached\n> STOP", False),
        ("nonstop", False),
        ("", False),
    ],
)
def test_stop_replies(text, stop):
    assert is_stop_reply(text) is stop


def test_html_only_reply_is_read():
    raw = (
        b"From: Cy <c@example.org>\r\nContent-Type: text/html\r\n\r\n"
        b"<p>STOP</p><blockquote>check your camera</blockquote>"
    )
    sender, text = read_reply(raw)
    assert sender == "c@example.org"
    assert is_stop_reply(text)


def test_bounce_report_lists_only_failed_recipients(data_dir):
    raw = (data_dir / "notify" / "bounce_postfix.eml").read_bytes()
    got = read_bounce_report(raw)
    assert len(got) == 1  # c@ is only delayed
    address, reason = got[0]
    assert address == "a@example.org"
    assert "5.1.1" in reason
    assert "User unknown" in reason
    assert read_bounce_report(b"From: x@y.z\r\n\r\nhello") == []


def test_a_later_bounce_becomes_a_reverification_task(
    capsys, tmp_path, monkeypatch, data_dir
):
    cameras = tmp_path / "cameras.csv"
    scenario_cameras().drop(columns="geometry").to_csv(cameras, index=False)
    db = tmp_path / "registry.sqlite"
    RegistryStore.init(db)  # creation is explicit
    with SmtpServer(Mailbox()) as smtp:
        _relay(monkeypatch, smtp)
        argv = (*_circle(cameras, db, "--role", "investigator"), "--user", "det. lee")
        code, _, _ = _run(capsys, *argv)
    assert code == 0
    report = data_dir / "notify" / "bounce_postfix.eml"
    code, out, _ = _run(capsys, "notify-bounces", "--db", str(db), "--report",
                        str(report), "--json")  # fmt: skip
    tasks = json.loads(out)["tasks"]
    assert [t["camera_ids"] for t in tasks] == ["A1 A2"]
    assert tasks[0]["case_number"] == CASE
    assert "User unknown" in tasks[0]["reason"]
    code, out, _ = _run(capsys, "notify-log", "--case", CASE, "--db", str(db),
                        "--role", "investigator", "--json")  # fmt: skip
    statuses = sorted(d["status"] for d in json.loads(out)["deliveries"])
    assert statuses.count("failed") == 1
    assert main(["notify-bounces", "--db", str(db), "--report", "nope.eml"]) == 2


def test_reply_mailbox_is_processed_once(capsys, tmp_path, monkeypatch, data_dir):
    import mailbox

    cameras = tmp_path / "cameras.csv"
    scenario_cameras().drop(columns="geometry").to_csv(cameras, index=False)
    db = tmp_path / "registry.sqlite"
    RegistryStore.init(db)  # creation is explicit
    with SmtpServer(Mailbox()) as smtp:
        _relay(monkeypatch, smtp)
        argv = (*_circle(cameras, db, "--role", "investigator"), "--user", "det. lee")
        assert _run(capsys, *argv)[0] == 0
    box = mailbox.Maildir(tmp_path / "tips", create=True)
    box.add((data_dir / "notify" / "bounce_postfix.eml").read_bytes())  # a@ bounced
    box.add(b"From: Cy <C@example.org>\r\nSubject: Re: check\r\n\r\nSTOP\r\n")
    box.add(b"From: o@example.org\r\nSubject: Re: check\r\n\r\nI have footage\r\n")
    inbox = ("notify-inbox", "--maildir", str(tmp_path / "tips"), "--db", str(db))
    code, out, _ = _run(capsys, *inbox, "--json")
    assert code == 0
    assert json.loads(out) == {"messages": 3, "opt_outs": 1, "bounces": 1, "other": 1}
    # a second run finds nothing new: each mail is handled once
    code, out, _ = _run(capsys, *inbox, "--json")
    assert json.loads(out) == {"messages": 0, "opt_outs": 0, "bounces": 0, "other": 0}
    assert sum(1 for _ in mailbox.Maildir(tmp_path / "tips").iterkeys()) == 3
    argv = _circle(cameras, db, "--dry-run", "--json", "--role", "investigator")
    got = json.loads(_run(capsys, *argv)[1])
    assert got["skipped"]["opted_out"] == 1  # c stopped
    tasks = json.loads(_run(capsys, "notify-bounces", "--db", str(db), "--json")[1])
    assert [t["camera_ids"] for t in tasks["tasks"]] == ["A1 A2"]
