"""``python -m analytics registry ...``: import, withdraw, reactivate, history, log."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import CENTRE, make_cameras

from analytics.cli import main
from analytics.store import RegistryStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(store_target) -> str:
    """A new, empty store: an SQLite file, then a PostgreSQL database."""
    RegistryStore.init(store_target)
    return str(store_target)


@pytest.fixture
def seeded(db) -> str:
    lat, lon = CENTRE
    RegistryStore(db).import_cameras(
        make_cameras(
            [
                {"camera_id": "A", "latitude": lat, "longitude": lon},
                {"camera_id": "B", "latitude": lat + 0.001, "longitude": lon},
            ]
        ),
        source="seed.csv",
        user="seeder",
    )
    return db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "command",
    ["init", "import", "withdraw", "reactivate", "history", "log", "check", "export"],
)
def test_every_command_has_help_with_db(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main(["registry", command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--db PATH" in out
    # only the commands that change the registry record who made the change
    assert ("--user" in out) == (command in {"import", "withdraw", "reactivate"})


# --- withdraw / reactivate -----------------------------------------------------------
def test_withdraw_records_user_reason_and_date(capsys, seeded):
    code, out, err = run(
        capsys,
        "registry",
        "withdraw",
        "A",
        "--reason",
        "owner asked by phone",
        "--date",
        "2025-05-06",
        "--user",
        "ann",
        "--db",
        str(seeded),
    )
    assert (code, err) == (0, "")
    assert "camera A withdrawn as of 2025-05-06" in out
    cams = RegistryStore(seeded).cameras().set_index("camera_id")
    assert cams.loc["A", "status"] == "withdrawn"
    assert cams.loc["A", "withdrawn_at"] == date(2025, 5, 6)
    assert cams.loc["B", "status"] == "active"
    last = RegistryStore(seeded).history("A").iloc[-1]
    assert (last["user"], last["reason"]) == ("ann", "owner asked by phone")


def test_user_defaults_to_the_login_name(capsys, seeded, monkeypatch):
    monkeypatch.setenv("USER", "jdoe")
    assert (
        main(["registry", "withdraw", "B", "--reason", "r", "--db", str(seeded)]) == 0
    )
    assert RegistryStore(seeded).history("B").iloc[-1]["user"] == "jdoe"
    monkeypatch.delenv("USER")
    main(["registry", "reactivate", "B", "--reason", "back", "--db", str(seeded)])
    assert RegistryStore(seeded).history("B").iloc[-1]["user"] == "cli"


def test_withdraw_unknown_camera_is_one_clear_line(capsys, seeded):
    code, out, err = run(
        capsys, "registry", "withdraw", "NOPE", "--reason", "r", "--db", str(seeded)
    )
    assert code == 2
    assert out == ""
    assert err == "error: camera 'NOPE' is not in the registry\n"


def test_withdraw_needs_a_reason(capsys, seeded):
    with pytest.raises(SystemExit) as exc:
        main(["registry", "withdraw", "A", "--db", str(seeded)])
    assert exc.value.code == 2
    assert "--reason" in capsys.readouterr().err


def test_withdraw_twice_and_bad_date_exit_2(capsys, seeded):
    base = ["registry", "withdraw", "A", "--reason", "r", "--db", str(seeded)]
    assert run(capsys, *base)[0] == 0
    code, _, err = run(capsys, *base)
    assert code == 2
    assert "already withdrawn" in err
    code, _, err = run(capsys, "registry", "withdraw", "B", "--reason", "r",
                       "--date", "soon", "--db", str(seeded))  # fmt: skip
    assert code == 2
    assert "YYYY-MM-DD" in err


# --- history / log -------------------------------------------------------------------
def test_history_table_and_json(capsys, seeded):
    main(["registry", "withdraw", "A", "--reason", "moved", "--user", "ann",
          "--date", "2025-05-06", "--db", str(seeded)])  # fmt: skip
    capsys.readouterr()
    code, out, _ = run(capsys, "registry", "history", "A", "--db", str(seeded))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "History of camera A (2 events):"
    assert lines[1].split() == [
        "when", "(UTC)", "action", "by", "import", "why", "what", "changed",
    ]  # fmt: skip
    assert " insert " in lines[3]
    assert "seed.csv" in lines[3]
    assert "withdraw" in lines[4]
    assert lines[4].endswith("Camera A withdrawn as of 06 May 2025: moved")
    # times to the minute: "30 Nov 2026 10:46", no seconds
    assert re.match(r"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d  ", lines[4])
    code, out, _ = run(
        capsys, "registry", "history", "A", "--json", "--db", str(seeded)
    )
    records = json.loads(out)
    assert [r["action"] for r in records] == ["insert", "withdraw"]
    assert records[1]["changes"]["status"] == {"old": "active", "new": "withdrawn"}
    assert records[1]["import_id"] is None
    assert records[0]["import_id"] == 1


def test_history_of_unknown_camera_exits_2(capsys, seeded):
    code, _, err = run(capsys, "registry", "history", "ZZ", "--db", str(seeded))
    assert code == 2
    assert "'ZZ' is not in the registry" in err


def test_log_lists_events_by_action(capsys, seeded):
    RegistryStore(seeded).log_event(
        "canvass",
        user="det",
        reason="case 2025-000001",
        details={"radius_m": 150, "cameras_listed": 12, "case_number": "2025-000001"},
    )
    code, out, _ = run(
        capsys, "registry", "log", "--action", "canvass", "--json", "--db", str(seeded)
    )
    assert code == 0
    records = json.loads(out)
    assert len(records) == 1
    assert records[0]["details"] == {
        "radius_m": 150,
        "cameras_listed": 12,
        "case_number": "2025-000001",
    }
    assert records[0]["reason"] == "case 2025-000001"
    code, out, _ = run(capsys, "registry", "log", "--limit", "2", "--db", str(seeded))
    assert code == 0
    # newest first: the canvass, then the seed import event
    body = out.splitlines()[3:]
    assert [line.split()[5] for line in body] == ["canvass", "import"]
    # sentences, never the stored JSON (issue 11)
    assert "{" not in out
    assert body[0].endswith("Canvass of 12 cameras within 150 m, case 2025-000001")
    assert body[1].endswith(
        "Import of 2 rows: 2 new, 0 updated, 0 unchanged, 0 withdrawn"
    )


# --- import --------------------------------------------------------------------------
def test_import_prints_validation_and_counts(capsys, db, data_dir):
    export = data_dir / "registry_export.csv"
    code, out, err = run(
        capsys, "registry", "import", str(export), "--db", str(db), "--user", "ann"
    )
    # R-4 lies in London: quarantined, so "done with findings"
    assert code == 1, err
    assert "rows read    4" in out
    assert "accepted     3" in out
    assert "quarantined  1" in out
    assert "inserted   3" in out
    store = RegistryStore(db)
    assert store.cameras()["camera_id"].tolist() == ["R-1", "R-2", "R-3"]
    # text is kept verbatim in the store (escaped on output only)
    assert store.cameras().set_index("camera_id").loc["R-2", "address"] == (
        '=HYPERLINK("http://x")'
    )
    assert store.history("R-1").iloc[0]["source"] == "registry_export.csv"

    code, out, _ = run(
        capsys,
        "registry",
        "import",
        str(data_dir / "registry_export_v2.csv"),
        "--json",
        "--db",
        str(db),
    )
    assert code == 0
    result = json.loads(out)
    assert result["validation"]["quarantined"] == 0
    imp = result["import"]
    # R-1 tier changed, R-2 same, R-5 new; R-3 absent and left alone
    assert (imp["inserted"], imp["updated"], imp["unchanged"]) == (1, 1, 1)
    assert imp["fields_changed"] == {"tier": 1}
    assert store.counts() == {"active": 4, "withdrawn": 0}


def test_import_keeps_withdrawn_and_says_so(capsys, db, data_dir):
    export = str(data_dir / "registry_export_v2.csv")
    main(["registry", "import", export, "--db", str(db)])
    main(["registry", "withdraw", "R-5", "--reason", "owner", "--db", str(db)])
    capsys.readouterr()
    code, out, _ = run(capsys, "registry", "import", export, "--db", str(db))
    assert code == 1
    assert "kept withdrawn 1: R-5" in out
    assert RegistryStore(db).cameras().set_index("camera_id").loc["R-5", "status"] == (
        "withdrawn"
    )


def test_import_missing_file_exits_2(capsys, db):
    code, _, err = run(capsys, "registry", "import", "no/such.csv", "--db", str(db))
    assert code == 2
    assert err == "error: no/such.csv: no such file\n"


def run_module(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", "registry", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("error: ")


def test_store_that_is_not_a_registry_gives_one_line(tmp_path):
    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_text("just text, not a database\n" * 40)
    proc = run_module("history", "A", "--db", str(not_a_db))
    assert_one_line_error(proc)
    assert "not a registry database" in proc.stderr


def test_unusable_file_gives_one_line_and_no_traceback(tmp_path):
    junk = tmp_path / "cameras.csv"
    junk.write_bytes(bytes(range(256)) * 8)
    db = RegistryStore.init(tmp_path / "r.sqlite").path
    assert_one_line_error(run_module("import", str(junk), "--db", str(db)))
    assert RegistryStore(db).audit_log().empty  # nothing recorded


# --- init / dry run / check / export -------------------------------------------------
def test_mistyped_db_is_an_error_and_init_creates(capsys, tmp_path):
    typo = tmp_path / "registy.sqlite"
    code, out, err = run(capsys, "registry", "log", "--db", str(typo))
    assert code == 2
    assert "no registry store at" in err
    assert "registry init" in err
    assert not typo.exists()
    code, out, err = run(capsys, "registry", "init", "--db", str(typo))
    assert (code, err) == (0, "")
    assert out.startswith(f"registry store ready: {typo} (sqlite; 0 active")
    assert run(capsys, "registry", "log", "--db", str(typo))[0] == 0


def test_init_on_postgres(capsys, pg_url, monkeypatch):
    code, out, err = run(capsys, "registry", "log", "--db", pg_url)
    assert code == 2
    assert "holds no camera registry yet" in err
    code, out, err = run(capsys, "registry", "init", "--db", pg_url)
    assert code == 0, err
    assert "(postgresql; 0 active, 0 withdrawn)" in out
    # the URL also comes from the environment, like a path
    monkeypatch.setenv("CAMREG_REGISTRY_DB", pg_url)
    code, out, err = run(capsys, "registry", "check")
    assert code == 0, err
    assert out.startswith(f"Store {pg_url}: OK -- 0 audit events")


def test_dry_run_shows_the_plan_and_writes_nothing(capsys, seeded, data_dir, tmp_path):
    export = tmp_path / "e.csv"
    frame = RegistryStore(seeded).cameras().drop(columns="geometry")
    frame.loc[frame["camera_id"] == "A", "tier"] = "integrated"
    new = frame.iloc[[1]].assign(camera_id="NEW")
    frame = pd.concat([frame, new], ignore_index=True)
    frame.to_csv(export, index=False)
    before = RegistryStore(seeded).audit_log()
    code, out, err = run(
        capsys, "registry", "import", str(export), "--dry-run", "--json",
        "--db", seeded,
    )  # fmt: skip
    assert code == 0, err
    plan = json.loads(out)["plan"]
    assert plan == {
        "rows": 3, "inserted": 1, "updated": 1, "unchanged": 1, "withdrawn": 0,
        "kept_withdrawn": 0,
    }  # fmt: skip
    assert len(RegistryStore(seeded).audit_log()) == len(before)
    code, out, _ = run(capsys, "registry", "import", str(export), "--dry-run",
                       "--db", seeded)  # fmt: skip
    assert "Dry run against" in out
    assert "new          1" in out
    assert "fields updated: tier 1" in out


def test_check_passes_then_finds_a_tampered_row(capsys, seeded):
    main(["registry", "withdraw", "A", "--reason", "r", "--date", "2025-05-06",
          "--db", seeded])  # fmt: skip
    capsys.readouterr()
    code, out, _ = run(capsys, "registry", "check", "--db", seeded)
    assert code == 0
    assert "OK -- 4 audit events replay to the 1 active and 1 withdrawn" in out
    # someone edits the table behind the store's back
    store = RegistryStore(seeded)
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE cameras SET tier = 'integrated' WHERE camera_id = 'B'")
        )
    code, out, _ = run(capsys, "registry", "check", "--json", "--db", seeded)
    assert code == 1
    result = json.loads(out)
    assert result["ok"] is False
    assert result["problems"] == [
        "camera 'B': tier is 'integrated' in the store but 'registered' by the "
        "audit log"
    ]


@pytest.mark.parametrize("suffix", [".csv", ".gpkg"])
def test_export_redacts_per_role_unless_admin(capsys, db, tmp_path, suffix):
    lat, lon = CENTRE
    store = RegistryStore(db)
    store.import_cameras(
        make_cameras(
            [
                {
                    "camera_id": "HOME",
                    "latitude": lat,
                    "longitude": lon,
                    "owner_type": "residential",
                    "address": "12 Home Rd",
                    "owner_name": "Ann Owner",
                    "contact_phone": "501-555-0199",
                },
                {
                    "camera_id": "SHOP",
                    "latitude": lat + 0.001,
                    "longitude": lon,
                    "owner_type": "business",
                    "address": "=1 Shop St",
                },
                {"camera_id": "GONE", "latitude": lat + 0.002, "longitude": lon},
            ]
        ),
        source="s.csv",
        user="u",
    )
    store.withdraw("GONE", reason="owner", user="u", at="2025-02-01")

    def export(role: str) -> pd.DataFrame:
        out = tmp_path / f"{role}{suffix}"
        code, _, err = run(
            capsys, "registry", "export", "--out", str(out), "--role", role,
            "--db", db,
        )  # fmt: skip
        assert code == 0, err
        if suffix == ".csv":
            return pd.read_csv(out, dtype=str, keep_default_na=False)
        frame = gpd.read_file(out)
        assert frame.crs.to_epsg() == 4326
        return frame

    staff = export("staff").set_index("camera_id")
    assert sorted(staff.index) == ["HOME", "SHOP"]  # withdrawn left out
    everything = export("staff").to_string()
    for secret in ("12 Home Rd", "Ann Owner", "501-555-0199"):
        assert secret not in everything
    assert "owner_name" not in staff.columns
    if suffix == ".gpkg":
        assert staff.loc["HOME"].geometry is None
        assert staff.loc["SHOP"].geometry is not None
    else:
        assert staff.loc["HOME", "latitude"] == ""
        assert staff.loc["SHOP", "address"] == "'=1 Shop St"  # formula neutralised
    admin = export("admin").set_index("camera_id")
    assert sorted(admin.index) == ["GONE", "HOME", "SHOP"]
    assert admin.loc["HOME", "owner_name"] == "Ann Owner"
    assert admin.loc["GONE", "status"] == "withdrawn"
    assert str(admin.loc["GONE", "withdrawn_at"])[:10] == "2025-02-01"
    code, _, err = run(capsys, "registry", "export", "--out", str(tmp_path / "x.txt"),
                       "--role", "staff", "--db", db)  # fmt: skip
    assert code == 2
    assert ".gpkg (GeoPackage) or .csv" in err
