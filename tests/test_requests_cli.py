"""``python -m analytics requests ...``: add, update, list, stats, stale."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import CENTRE, make_cameras

from analytics.cli import main
from analytics.store import RegistryStore

LAT, LON = CENTRE


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "reg.sqlite"
    store = RegistryStore.init(path)  # creating a store is explicit
    store.import_cameras(
        make_cameras(
            [
                {"camera_id": "A", "latitude": LAT, "longitude": LON,
                 "owner_name": "Ann Owner", "contact_phone": "501-555-0100",
                 "registered_at": date(2020, 1, 1)},
                {"camera_id": "B", "latitude": LAT + 0.001, "longitude": LON,
                 "tier": "integrated", "registered_at": date.today()},
                {"camera_id": "W", "latitude": LAT, "longitude": LON + 0.001},
            ]
        ),
        source="seed.csv",
        user="seeder",
    )  # fmt: skip
    store.withdraw("W", reason="owner request", user="steward")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_update_list_and_stats_round_trip(capsys, db):
    code, out, _ = run(
        capsys, "requests", "add", "--db", str(db), "--case", "C-1",
        "--camera", "A", "--camera", "B", "--user", "det. smith", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == {"case": "C-1", "request_ids": [1, 2]}
    code, out, _ = run(
        capsys, "requests", "update", "1", "--db", str(db), "--status",
        "provided", "--useful", "yes", "--user", "det. smith",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "Request 1: requested -> provided")
    code, out, _ = run(capsys, "requests", "update", "2", "--db", str(db),
                       "--status", "no-footage", "--user", "det. smith")  # fmt: skip
    _, out, _ = run(capsys, "requests", "list", "--db", str(db), "--json")
    rows = json.loads(out)
    assert [(r["camera_id"], r["kind"], r["status"]) for r in rows] == [
        ("A", "ask_owner", "provided"),
        ("B", "viewed_live", "no_footage"),
    ]
    _, out, _ = run(capsys, "requests", "stats", "--db", str(db), "--json")
    stats = json.loads(out)
    assert stats["requests"] == 2
    assert stats["fulfilled_share"] == 0.5
    assert stats["useful_share"] == 1.0
    for key in ("median_hours_to_footage", "violent_incidents_with_request_share",
                "stale_cameras"):  # fmt: skip
        assert key in stats
    log = RegistryStore(db).audit_log(["footage_request", "footage_request_update"])
    assert len(log) == 3
    assert set(log["user"]) == {"det. smith"}


def test_withdrawn_camera_is_refused_with_one_line(capsys, db):
    code, _out, err = run(capsys, "requests", "add", "--db", str(db), "--case",
                         "C-1", "--camera", "W", "--user", "x")  # fmt: skip
    assert code == 2
    assert "withdrawn" in err
    assert "Traceback" not in err


def test_going_back_from_a_final_status_needs_a_reason(capsys, db):
    run(capsys, "requests", "add", "--db", str(db), "--case", "C", "--camera", "A",
        "--user", "x")  # fmt: skip
    run(capsys, "requests", "update", "1", "--db", str(db), "--status", "declined",
        "--user", "x")  # fmt: skip
    code, _, err = run(capsys, "requests", "update", "1", "--db", str(db),
                       "--status", "provided", "--user", "x")  # fmt: skip
    assert code == 2
    assert "give a reason" in err
    code, _, _ = run(
        capsys, "requests", "update", "1", "--db", str(db), "--status",
        "provided", "--reason", "owner called back", "--user", "x",
    )  # fmt: skip
    assert code == 0


def test_stale_call_list_names_old_registrations_only(capsys, db, tmp_path):
    out_file = tmp_path / "calls.csv"
    code, _out, _ = run(capsys, "requests", "stale", "--db", str(db), "--months",
                       "12", "--out", str(out_file), "--user", "steward")  # fmt: skip
    assert code == 0
    with out_file.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    # A registered 2020 and never heard from; B registered today; W withdrawn
    assert [r["camera_id"] for r in rows] == ["A"]
    assert rows[0]["owner_name"] == "Ann Owner"
    assert rows[0]["reasons"] == "not verified for 12+ months"
    log = RegistryStore(db).audit_log("stale_call_list")
    assert log.iloc[0]["user"] == "steward"


def test_stats_text_uses_the_catalogue_names_and_formats(capsys, db):
    run(capsys, "requests", "add", "--db", str(db), "--case", "C-1",
        "--camera", "A", "--camera", "B", "--user", "det. smith")  # fmt: skip
    run(capsys, "requests", "update", "1", "--db", str(db), "--status",
        "provided", "--useful", "yes", "--user", "det. smith")  # fmt: skip
    code, out, _ = run(capsys, "requests", "stats", "--db", str(db))
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    # 2 requests, 1 decided and provided -> 100.0%; useful 1/1; A is stale
    # (registered 2020, its answer today makes it fresh: 0 stale)
    assert "Footage requests: 2" in lines
    assert "Requests fulfilled: 100.0%" in lines
    assert "Footage that helped: 100.0%" in lines
    assert "Violent incidents with a request: –" in lines
    assert "Stale registrations: 0" in lines
    assert not any("0.500" in line or "None" in line for line in lines)


def test_registry_stale_is_the_same_command(capsys, db, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run(capsys, "requests", "stale", "--db", str(db), "--out", str(a),
               "--user", "steward")[0] == 0  # fmt: skip
    assert run(capsys, "registry", "stale", "--db", str(db), "--out", str(b),
               "--user", "steward")[0] == 0  # fmt: skip
    assert a.read_bytes() == b.read_bytes()
    # months default to the city's [footage] stale_months (12): A only
    with b.open(encoding="utf-8-sig") as fh:
        assert [r["reasons"] for r in csv.DictReader(fh)] == [
            "not verified for 12+ months"
        ]
    _, out, _ = run(capsys, "registry", "stale", "--db", str(db), "--json")
    assert [r["camera_id"] for r in json.loads(out)] == ["A"]
    code, _, err = run(capsys, "registry", "stale", "--db", str(db), "--months", "0")
    assert code != 0
    assert "--months was 0" in err
    assert len(RegistryStore(db).audit_log("stale_call_list")) == 2


def test_expire_closes_requests_past_the_answer_window(capsys, db):
    # Little Rock gives owners 14 days ([footage] no_answer_days). A request made
    # 20 days ago is closed as no answer, dated at its window's end (asked + 14
    # days), by the answer window, with an audit entry; one made 3 days ago stays.
    from datetime import datetime, timedelta

    from analytics.footage_store import EXPIRY_USER, FootageStore

    footage = FootageStore(RegistryStore(db))
    now = datetime.now().replace(microsecond=0, second=0)
    old = now - timedelta(days=20)
    (late,) = footage.add("C-9", ["A"], user="det", at=old)
    (fresh,) = footage.add("C-9", ["B"], user="det", at=now - timedelta(days=3))
    code, out, _ = run(capsys, "requests", "expire", "--db", str(db), "--json")
    assert code == 0
    assert json.loads(out) == {"days": 14, "closed": [late]}
    rows = {r["request_id"]: r for r in footage.requests().to_dict("records")}
    assert rows[late]["status"] == "no_answer"
    assert rows[late]["status_at"] == old + timedelta(days=14)
    assert rows[fresh]["status"] == "requested"
    log = footage.store.audit_log(["footage_request_update"])
    assert log["user"].tolist() == [EXPIRY_USER]
    assert log["reason"].tolist() == ["no answer within 14 days"]
    # a second run finds nothing more to close, and list agrees
    code, out, _ = run(capsys, "requests", "expire", "--db", str(db))
    assert out.strip() == "0 request(s) unanswered after 14 days closed as no answer"
    _, out, _ = run(capsys, "requests", "list", "--db", str(db), "--json")
    assert [r["status"] for r in json.loads(out)] == ["no_answer", "requested"]


def test_list_closes_overdue_requests_first(capsys, db):
    from datetime import datetime, timedelta

    from analytics.footage_store import FootageStore

    footage = FootageStore(RegistryStore(db))
    footage.add("C-9", ["A"], user="det", at=datetime.now() - timedelta(days=15))
    _, out, _ = run(capsys, "requests", "list", "--db", str(db), "--json")
    assert [r["status"] for r in json.loads(out)] == ["no_answer"]


def test_outcome_records_a_cleared_case_in_the_figures(capsys, db):
    run(capsys, "requests", "add", "--db", str(db), "--case", "C-1",
        "--camera", "A", "--user", "det")  # fmt: skip
    code, out, _ = run(
        capsys, "requests", "outcome", "--db", str(db), "--case", "C-1",
        "--cleared", "yes", "--on", "2026-05-02", "--user", "sgt. jones",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "Case C-1: cleared")
    _, out, _ = run(capsys, "requests", "stats", "--db", str(db), "--json")
    assert json.loads(out)["cases_cleared"] == 1
    from analytics.footage_store import FootageStore

    cases = FootageStore(RegistryStore(db)).cases()
    assert cases.to_dict("records") == [
        {"case_id": "C-1", "cleared": True, "cleared_at": date(2026, 5, 2)}
    ]
    log = RegistryStore(db).audit_log(["case_outcome"])
    assert log["user"].tolist() == ["sgt. jones"]
    # a case the registry was never asked about is refused, with why
    code, _, err = run(capsys, "requests", "outcome", "--db", str(db), "--case",
                       "C-404", "--cleared", "yes")  # fmt: skip
    assert code == 2
    assert "case 'C-404' has no footage request" in err


def test_stats_cost_per_case_helped_uses_the_city_devices(capsys, db):
    # One active integrated camera (B); Little Rock's cheapest device costs
    # $150 a year. Window of 365 days: 150 * 365 / 365.25 = $149.897 for the
    # one case helped by B's footage. Without a window there is no cost.
    from datetime import timedelta

    run(capsys, "requests", "add", "--db", str(db), "--case", "C-1",
        "--camera", "B", "--user", "det")  # fmt: skip
    run(capsys, "requests", "update", "1", "--db", str(db), "--status",
        "provided", "--useful", "yes", "--user", "det")  # fmt: skip
    today = date.today()
    since = (today - timedelta(days=364)).isoformat()
    _, out, _ = run(capsys, "requests", "stats", "--db", str(db), "--since", since,
                    "--until", today.isoformat(), "--json")  # fmt: skip
    assert json.loads(out)["cost_per_case_helped_usd"] == pytest.approx(
        149.897, abs=1e-3
    )
    _, out, _ = run(capsys, "requests", "stats", "--db", str(db), "--json")
    assert json.loads(out)["cost_per_case_helped_usd"] is None


def test_stats_demo_prints_the_dashboard_figures(capsys, monkeypatch):
    # one truth: on the demo the page shows the made-up history's figures; the
    # command line printed zeros from an empty store. --demo prints the same
    # figures as the page's default window (tests/test_page_requests.py checks
    # the page against this same requests_view), labelled synthetic.
    from analytics.datasets import load_dataset
    from analytics.footage_view import (
        integration_cost_per_year,
        load_history,
        requests_view,
    )
    from analytics.windows import default_window
    from tests.pagetest import clear_data_env

    clear_data_env(monkeypatch)
    code, out, _ = run(capsys, "requests", "stats", "--demo", "--json")
    assert code == 0
    got = json.loads(out)
    ds = load_dataset()
    window = default_window(ds.incidents, ds.as_of)
    view = requests_view(
        load_history(ds), ds.cameras, ds.incidents, role="staff",
        since=window.since, until=window.until, as_of=ds.as_of,
        min_group_size=ds.city.min_group_size,
        device_cost_usd_per_year=integration_cost_per_year(ds.cameras, ds.city.devices),
        stale_months=ds.city.stale_months,
    )  # fmt: skip
    want = json.loads(
        json.dumps({**view.stats.to_dict(), "synthetic": True}, default=str)
    )
    assert got == want
    assert got["requests"] > 100
    assert got["stale_cameras"] == view.stale_count
    code, out, _ = run(capsys, "requests", "stats", "--demo")
    assert (
        out.splitlines()[0]
        == "data: Synthetic demo data (made-up requests and answers)"
    )
    code, _, err = run(capsys, "requests", "stats", "--demo", "--db", "x.sqlite")
    assert code == 2
    assert "drop --db" in err


def test_unreadable_incident_time_is_one_line_exit_2(capsys, db):
    code, _, err = run(capsys, "requests", "add", "--db", str(db), "--case", "C-1",
                         "--camera", "A", "--incident-at", "yesterday")  # fmt: skip
    assert code == 2
    assert err.strip() == (
        "error: --incident-at was 'yesterday' but is expected to be an ISO date "
        "and time, e.g. 2026-03-01T21:30"
    )
    assert RegistryStore(db).audit_log(["footage_request"]).empty
