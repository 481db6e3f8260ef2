"""Registry store: upsert semantics, withdrawal, atomic imports, append-only audit."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import CENTRE, make_cameras, offset

from analytics import store as store_module
from analytics.schema import CAMERA_COLUMNS, WGS84
from analytics.store import RegistryStore, StoreError, default_store_path


def three_cameras(**overrides) -> pd.DataFrame:
    lat, lon = CENTRE
    rows = [
        {"camera_id": "A", "latitude": lat, "longitude": lon},
        {
            "camera_id": "B",
            **dict(zip(("latitude", "longitude"), offset(lat, lon, 100), strict=True)),
            "tier": "integrated",
            "owner_type": "residential",
            "camera_count": 2,
            "address": "=1 Main St",
            "direction_deg": "NE",
            "fov_deg": 50.0,
            "retention_days": 30,
            "verified_at": date(2025, 2, 1),
        },
        {
            "camera_id": "C",
            **dict(
                zip(("latitude", "longitude"), offset(lat, lon, 0, 200), strict=True)
            ),
            "registered_at": date(2024, 9, 1),
        },
    ]
    for row in rows:
        row.update(overrides.get(row["camera_id"], {}))
    return make_cameras(rows)


@pytest.fixture
def store(store_target):
    """A new empty store, on SQLite and then on PostgreSQL (``store_target``)."""
    return RegistryStore.init(store_target)


@pytest.fixture
def loaded(store):
    store.import_cameras(three_cameras(), source="first.csv", user="steward")
    return store


def camera_events(store) -> pd.DataFrame:
    log = store.audit_log()
    return log[log["camera_id"].notna()]


# --- creation ----------------------------------------------------------------------
def test_store_created_only_by_init_in_a_new_folder(tmp_path):
    path = tmp_path / "sub" / "dir" / "reg.sqlite"
    with pytest.raises(StoreError, match=r"no registry store at .*registry init"):
        RegistryStore(path)
    assert not path.exists()
    assert not path.parent.exists()
    store = RegistryStore.init(path)
    assert path.is_file()
    assert len(store.cameras()) == 0
    assert list(store.cameras().columns) == [*CAMERA_COLUMNS, "geometry"]
    # opening again reuses it
    assert len(RegistryStore(path).audit_log()) == 0


def test_mistyped_path_is_an_error_not_a_new_store(tmp_path):
    RegistryStore.init(tmp_path / "registry.sqlite")
    typo = tmp_path / "registy.sqlite"
    with pytest.raises(StoreError, match=r"registy\.sqlite"):
        RegistryStore(typo)
    assert not typo.exists()


def test_empty_postgres_database_needs_init(pg_url):
    with pytest.raises(StoreError, match="holds no camera registry yet"):
        RegistryStore(pg_url)
    store = RegistryStore.init(pg_url)
    assert store.backend == "postgresql"
    assert store.counts() == {"active": 0, "withdrawn": 0}


def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(StoreError, match="cannot reach the registry database"):
        RegistryStore("postgresql://nobody@127.0.0.1:1/registry")


def test_password_is_not_shown_in_the_location():
    from analytics.store_db import describe

    assert describe("postgresql://ann:s3cret@db.city/reg") == (
        "postgresql://ann:***@db.city/reg"
    )


def test_not_a_registry_is_refused(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all, just some bytes" * 50)
    with pytest.raises(StoreError, match="not a registry database"):
        RegistryStore(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE things (x INTEGER)")
    with pytest.raises(StoreError, match="not a camera registry"):
        RegistryStore(other)
    with pytest.raises(StoreError, match="folder"):
        RegistryStore(tmp_path)


HOT_WRITER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA cache_size = 1")  # spill changed pages into the file early
con.execute("BEGIN IMMEDIATE")
con.executemany(
    "INSERT INTO audit_log (event_id, recorded_at, action, user_name, reason) "
    "VALUES (?, '2025-01-01', 'canvass', 'x', ?)",
    [(100 + i, "r" * 500) for i in range(2000)],
)
print("written", flush=True)
time.sleep(600)
"""


def test_store_left_by_a_killed_writer_opens_as_it_was(tmp_path):
    """A writer killed mid-transaction leaves a hot journal: the next open rolls
    it back and the store is as before, not refused as damaged."""
    import signal
    import subprocess
    import sys

    path = tmp_path / "registry.sqlite"
    store = RegistryStore.init(path)
    store.import_cameras(three_cameras(), source="first.csv", user="steward")
    before = path.read_bytes()
    writer = subprocess.Popen(
        [sys.executable, "-c", HOT_WRITER, str(path)], stdout=subprocess.PIPE
    )
    try:
        assert writer.stdout.readline().strip() == b"written"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert path.read_bytes() != before  # rows spilled into the file...
    journal = tmp_path / "registry.sqlite-journal"
    assert journal.stat().st_size > 0  # ...and their undo is in a hot journal
    after = RegistryStore(path)
    assert path.read_bytes() == before
    assert len(after.audit_log()) == 4  # three inserts and the import
    assert after.check() == []


def test_default_store_path_follows_env(monkeypatch, tmp_path, city):
    monkeypatch.setenv("CAMREG_REGISTRY_DB", str(tmp_path / "x.sqlite"))
    assert default_store_path(city) == tmp_path / "x.sqlite"
    monkeypatch.delenv("CAMREG_REGISTRY_DB")
    assert default_store_path(city) == store_module.DEFAULT_DB


# --- import ------------------------------------------------------------------------
def test_first_import_inserts_and_round_trips(store):
    summary = store.import_cameras(three_cameras(), source="first.csv", user="ann")
    assert (summary.inserted, summary.updated, summary.unchanged) == (3, 0, 0)
    assert summary.rows == 3
    assert summary.import_id == 1
    cams = store.cameras()
    assert cams.crs == WGS84
    assert list(cams.columns) == [*CAMERA_COLUMNS, "geometry"]
    assert cams["camera_id"].tolist() == ["A", "B", "C"]
    b = cams.set_index("camera_id").loc["B"]
    lat, lon = offset(*CENTRE, 100)
    assert b["latitude"] == lat
    assert b["longitude"] == lon
    assert (b.geometry.x, b.geometry.y) == (lon, lat)
    assert b["tier"] == "integrated"
    assert b["camera_count"] == 2
    assert b["address"] == "=1 Main St"  # kept verbatim; escaped only on output
    assert b["direction_deg"] == "NE"
    assert b["retention_days"] == 30
    assert b["verified_at"] == date(2025, 2, 1)
    assert b["registered_at"] == date(2025, 1, 1)
    assert cams["retention_days"].dtype == "Int64"
    assert pd.isna(cams.set_index("camera_id").loc["A", "retention_days"])
    assert cams["withdrawn_at"].isna().all()
    # one insert row per camera plus the import event
    log = store.audit_log()
    assert sorted(log["action"]) == ["import", "insert", "insert", "insert"]
    insert_b = store.history("B").iloc[0]
    changes = json.loads(insert_b["changes"])
    assert changes["tier"] == {"old": None, "new": "integrated"}
    assert (insert_b["source"], insert_b["user"], insert_b["import_id"]) == (
        "first.csv",
        "ann",
        1,
    )


def test_reimport_of_same_rows_changes_nothing(loaded):
    before = loaded.cameras()
    # another file name: provenance is not registry content
    summary = loaded.import_cameras(three_cameras(), source="again.csv", user="bob")
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, 3)
    assert summary.import_id == 2
    pd.testing.assert_frame_equal(pd.DataFrame(loaded.cameras()), pd.DataFrame(before))
    assert len(camera_events(loaded)) == 3  # still only the three inserts
    imports = loaded.audit_log(action="import")
    assert imports["import_id"].tolist() == [2, 1]
    assert json.loads(imports.iloc[0]["details"])["unchanged"] == 3


def test_upsert_updates_changed_fields_and_inserts_new(loaded):
    frame = three_cameras(B={"tier": "registered", "camera_count": 3})
    extra = make_cameras(
        [{"camera_id": "D", "latitude": CENTRE[0], "longitude": CENTRE[1] + 0.01}]
    )
    frame = pd.concat([frame, extra], ignore_index=True)
    summary = loaded.import_cameras(frame, source="second.csv", user="ann")
    assert (summary.inserted, summary.updated, summary.unchanged) == (1, 1, 2)
    assert summary.fields_changed == {"camera_count": 1, "tier": 1}
    b = loaded.cameras().set_index("camera_id").loc["B"]
    assert (b["tier"], b["camera_count"]) == ("registered", 3)
    last = loaded.history("B").iloc[-1]
    assert last["action"] == "update"
    assert json.loads(last["changes"]) == {
        "tier": {"old": "integrated", "new": "registered"},
        "camera_count": {"old": 2, "new": 3},
    }
    assert last["summary"] == "tier: integrated -> registered; camera_count: 2 -> 3"
    assert (last["source"], last["import_id"]) == ("second.csv", 2)


def test_cameras_missing_from_an_import_are_left_alone(loaded):
    only_a = three_cameras().iloc[[0]]
    summary = loaded.import_cameras(only_a, source="partial.csv", user="ann")
    assert (summary.rows, summary.unchanged) == (1, 1)
    assert loaded.counts() == {"active": 3, "withdrawn": 0}


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"B": {"camera_id": "A"}}, "more than once"),
        ({"C": {"tier": "live"}}, "`tier` was \\['live'\\]"),
        ({"A": {"status": "paused"}}, "`status`"),
        ({"A": {"camera_count": 0}}, "camera_count"),
    ],
)
def test_invalid_frames_are_refused_without_writing(loaded, overrides, match):
    before = loaded.audit_log()
    with pytest.raises(StoreError, match=match):
        loaded.import_cameras(three_cameras(**overrides), source="bad.csv", user="x")
    pd.testing.assert_frame_equal(loaded.audit_log(), before)


def test_missing_required_column_is_refused(store):
    with pytest.raises(StoreError, match="lacks required columns \\['tier'\\]"):
        store.import_cameras(
            three_cameras().drop(columns="tier"), source="x.csv", user="x"
        )


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_import_failing_midway_leaves_store_unchanged(loaded, monkeypatch, error):
    before_bytes = loaded.path.read_bytes() if loaded.path else None
    before_cams = loaded.cameras()
    before_log = loaded.audit_log()
    real = store_module._write_chunks
    calls = []

    def flaky(conn, statement, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise error("disk on fire")
        return real(conn, statement, rows)

    monkeypatch.setattr(store_module, "_write_chunks", flaky)
    # the insert of N is written, then the update of A fails
    frame = pd.concat(
        [
            three_cameras(A={"tier": "integrated"}).iloc[[0]],
            make_cameras([{"camera_id": "N", "latitude": 34.7, "longitude": -92.3}]),
            three_cameras().iloc[[1]],
        ],
        ignore_index=True,
    )
    with pytest.raises(error, match="disk on fire"):
        loaded.import_cameras(frame, source="broken.csv", user="x")
    assert calls == [1, 1]
    if before_bytes is not None:
        assert loaded.path.read_bytes() == before_bytes
    pd.testing.assert_frame_equal(
        pd.DataFrame(loaded.cameras()), pd.DataFrame(before_cams)
    )
    pd.testing.assert_frame_equal(loaded.audit_log(), before_log)
    # and the store still works afterwards
    monkeypatch.setattr(store_module, "_write_chunks", real)
    assert loaded.import_cameras(frame, source="ok.csv", user="x").inserted == 1
    assert loaded.check() == []


# --- withdrawal --------------------------------------------------------------------
def test_withdraw_marks_keeps_and_dates(loaded):
    event = loaded.withdraw(
        "B", reason="owner asked by phone", user="ann", at="2025-03-04"
    )
    cams = loaded.cameras().set_index("camera_id")
    assert cams.loc["B", "status"] == "withdrawn"
    assert cams.loc["B", "withdrawn_at"] == date(2025, 3, 4)
    assert pd.isna(cams.loc["A", "withdrawn_at"])
    active = loaded.cameras(include_withdrawn=False)
    assert active["camera_id"].tolist() == ["A", "C"]
    row = loaded.history("B").iloc[-1]
    assert row["event_id"] == event
    assert row["action"] == "withdraw"
    assert (row["user"], row["reason"]) == ("ann", "owner asked by phone")
    assert json.loads(row["changes"])["withdrawn_at"] == {
        "old": None,
        "new": "2025-03-04",
    }
    assert loaded.counts() == {"active": 2, "withdrawn": 1}


def test_withdraw_defaults_to_today(loaded):
    loaded.withdraw("A", reason="moved away", user="ann")
    got = loaded.cameras().set_index("camera_id").loc["A", "withdrawn_at"]
    assert abs((got - date.today()).days) <= 1  # UTC vs local date


@pytest.mark.parametrize(
    ("camera_id", "kwargs", "match"),
    [
        ("ZZZ", {}, "'ZZZ' is not in the registry"),
        ("A", {"reason": "  "}, "`reason`"),
        ("A", {"at": "2024-12-31"}, "before camera 'A' was registered"),
        ("A", {"at": "last tuesday"}, "YYYY-MM-DD"),
    ],
)
def test_withdraw_refuses_bad_requests(loaded, camera_id, kwargs, match):
    before = loaded.audit_log()
    with pytest.raises(StoreError, match=match):
        loaded.withdraw(camera_id, **{"reason": "r", "user": "u", **kwargs})
    pd.testing.assert_frame_equal(loaded.audit_log(), before)


def test_withdraw_twice_is_refused(loaded):
    loaded.withdraw("A", reason="r", user="u", at=date(2025, 5, 1))
    with pytest.raises(StoreError, match="already withdrawn \\(since 2025-05-01\\)"):
        loaded.withdraw("A", reason="r", user="u")


def test_reimport_does_not_reactivate_a_withdrawn_camera(loaded):
    loaded.withdraw("C", reason="owner request", user="ann", at="2025-03-01")
    # the next export still lists C as active, with a changed address
    frame = three_cameras(C={"address": "new address"})
    summary = loaded.import_cameras(frame, source="monthly.csv", user="bob")
    assert summary.kept_withdrawn == ("C",)
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, 3)
    assert any("kept withdrawn 1: C" in line for line in summary.lines())
    c = loaded.cameras().set_index("camera_id").loc["C"]
    assert c["status"] == "withdrawn"
    assert c["withdrawn_at"] == date(2025, 3, 1)
    assert pd.isna(c["address"])  # frozen as of the withdrawal
    details = json.loads(loaded.audit_log(action="import").iloc[0]["details"])
    assert details["kept_withdrawn"] == ["C"]


def test_import_can_withdraw_and_insert_withdrawn(loaded):
    frame = three_cameras(A={"status": "withdrawn", "withdrawn_at": date(2025, 4, 2)})
    extra = make_cameras(
        [
            {
                "camera_id": "W",
                "latitude": 34.7,
                "longitude": -92.3,
                "status": "withdrawn",
                "withdrawn_at": "2025-02-01",
            }
        ]
    )
    summary = loaded.import_cameras(
        pd.concat([frame, extra], ignore_index=True), source="s.csv", user="u"
    )
    assert (summary.withdrawn, summary.inserted, summary.unchanged) == (1, 1, 2)
    cams = loaded.cameras().set_index("camera_id")
    assert cams.loc["A", "withdrawn_at"] == date(2025, 4, 2)
    assert cams.loc["W", "withdrawn_at"] == date(2025, 2, 1)
    assert loaded.history("A").iloc[-1]["action"] == "withdraw"


def test_reactivate_after_owner_registers_again(loaded):
    loaded.withdraw("A", reason="r", user="u", at="2025-03-01")
    loaded.reactivate("A", reason="owner re-registered 2025-06-01", user="ann")
    a = loaded.cameras().set_index("camera_id").loc["A"]
    assert a["status"] == "active"
    assert pd.isna(a["withdrawn_at"])
    assert loaded.history("A")["action"].tolist() == [
        "insert",
        "withdraw",
        "reactivate",
    ]
    with pytest.raises(StoreError, match="is active, not withdrawn"):
        loaded.reactivate("A", reason="r", user="u")


# --- audit log ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET reason = 'edited'", "DELETE FROM audit_log"],
)
def test_audit_log_is_append_only_in_the_database(loaded, statement):
    with (
        pytest.raises(sa.exc.DatabaseError, match="append-only"),
        loaded.engine.begin() as conn,
    ):
        conn.execute(sa.text(statement))
    assert len(loaded.audit_log()) == 4


def test_log_event_records_a_canvass(loaded):
    event = loaded.log_event(
        "canvass",
        user="det. smith",
        reason="case 2025-001234",
        details={
            "lat": np.float64(34.74),
            "lon": -92.33,
            "radius_m": np.int64(150),
            "cameras": ["A", "B"],
            "on": date(2025, 6, 1),
        },
    )
    assert event == 5  # after three inserts and the import event
    rows = loaded.audit_log(action="canvass")
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["user"], row["reason"]) == ("det. smith", "case 2025-001234")
    assert pd.isna(row["camera_id"])
    assert json.loads(row["details"]) == {
        "lat": 34.74,
        "lon": -92.33,
        "radius_m": 150,
        "cameras": ["A", "B"],
        "on": "2025-06-01",
    }


@pytest.mark.parametrize(
    ("action", "details", "match"),
    [
        ("withdraw", {}, "written by the store itself"),
        ("", {}, "`action`"),
        ("canvass", ["not", "a", "dict"], "`details` was list"),
        ("canvass", {"x": object()}, "not JSON-serialisable"),
    ],
)
def test_log_event_refuses_bad_input(loaded, action, details, match):
    with pytest.raises(StoreError, match=match):
        loaded.log_event(action, user="u", details=details)
    assert len(loaded.audit_log()) == 4


def test_audit_log_filters_and_limits_newest_first(loaded):
    loaded.withdraw("A", reason="r", user="u")
    loaded.log_event("canvass", user="u", details={})
    log = loaded.audit_log()
    assert log["event_id"].tolist() == [6, 5, 4, 3, 2, 1]
    assert loaded.audit_log(limit=2)["action"].tolist() == ["canvass", "withdraw"]
    assert loaded.audit_log(action=["withdraw", "canvass"])["event_id"].tolist() == [
        6,
        5,
    ]
    assert loaded.audit_log(camera_id="A")["action"].tolist() == ["withdraw", "insert"]
    assert loaded.history("nobody").empty
    assert loaded.actions() == ["canvass", "import", "insert", "withdraw"]
    with pytest.raises(StoreError, match="`limit` was -1"):
        loaded.audit_log(limit=-1)


# --- reading for people --------------------------------------------------------------
def test_audit_table_hides_contacts_and_private_locations(store):
    lat, lon = CENTRE
    frame = make_cameras(
        [
            {
                "camera_id": "H",
                "latitude": lat,
                "longitude": lon,
                "owner_type": "residential",
                "address": "12 Home Rd",
                "owner_name": "Ann Owner",
            },
            {
                "camera_id": "S",
                "latitude": lat,
                "longitude": lon + 0.001,
                "owner_type": "business",
                "address": "1 Shop St",
                "contact_phone": "501-555-0100",
            },
        ]
    )
    store.import_cameras(frame, source="x.csv", user="u")
    store.log_event("canvass", user="det", details={"radius_m": 150})

    def what(audience: str) -> dict[str, str]:
        table = store.audit_table(audience)
        assert list(table.columns) == list(store_module.AUDIT_TABLE_COLUMNS)
        keys = table["camera_id"].fillna(table["action"])
        return dict(zip(keys, table["what"], strict=True))

    staff = what("staff")
    assert "owner_name: (hidden)" in staff["H"]
    assert "Ann Owner" not in staff["H"]
    assert "12 Home Rd" not in staff["H"]
    assert "latitude: (hidden)" in staff["H"]
    assert "tier: - -> registered" in staff["H"]
    # a business camera's place is visible to staff, its contact is not
    assert "address: - -> 1 Shop St" in staff["S"]
    assert "501-555-0100" not in staff["S"]
    assert staff["canvass"] == '{"radius_m": 150}'  # non-camera event: details
    assert '"inserted": 2' in staff["import"]
    public = what("public")
    assert "1 Shop St" not in public["S"]
    investigator = what("investigator")
    assert "owner_name: - -> Ann Owner" in investigator["H"]
    assert "address: - -> 12 Home Rd" in investigator["H"]
    with pytest.raises(ValueError, match="`audience` was 'boss'"):
        store.audit_table("boss")


def test_camera_record(loaded):
    assert loaded.camera_record("nobody") is None
    loaded.withdraw("B", reason="r", user="u", at="2025-05-01")
    record = loaded.camera_record("B")
    assert (record["status"], record["withdrawn_at"], record["tier"]) == (
        "withdrawn",
        "2025-05-01",
        "integrated",
    )


def test_import_file_validates_then_imports(store, city, data_dir):
    path = data_dir / "registry_export.csv"
    result, summary = store.import_file(path, city, user="ann")
    # four rows, one in London
    assert (result.rows_read, len(result.accepted), len(result.quarantined)) == (
        4,
        3,
        1,
    )
    assert (summary.inserted, summary.source) == (3, "registry_export.csv")
    # an upload: bytes with a name
    result, summary = store.import_file(
        path.read_bytes(), city, user="ann", name="upload.csv"
    )
    assert (summary.unchanged, summary.source) == (3, "upload.csv")


# --- schema versions -----------------------------------------------------------------
SCHEMA_1 = (
    "CREATE TABLE schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT INTO schema_info VALUES ('version', '1')",
    """CREATE TABLE cameras (camera_id TEXT PRIMARY KEY, tier TEXT NOT NULL,
    owner_type TEXT NOT NULL, status TEXT NOT NULL, address TEXT, owner_name TEXT,
    contact_phone TEXT, contact_email TEXT, direction_deg TEXT, camera_type TEXT,
    mount TEXT, source TEXT, latitude REAL NOT NULL, longitude REAL NOT NULL,
    fov_deg REAL, range_m REAL, camera_count INTEGER NOT NULL,
    retention_days INTEGER, registered_at TEXT NOT NULL, verified_at TEXT,
    updated_at TEXT NOT NULL)""",
    """CREATE TABLE audit_log (event_id INTEGER PRIMARY KEY, recorded_at TEXT NOT
    NULL, action TEXT NOT NULL, camera_id TEXT, changes TEXT, import_id INTEGER,
    source TEXT, user_name TEXT NOT NULL, reason TEXT NOT NULL, details TEXT)""",
    """INSERT INTO cameras VALUES ('A', 'registered', 'business', 'withdrawn', NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, 34.74, -92.33, NULL, NULL, 2, NULL,
    '2025-01-01', NULL, '2025-03-01T00:00:00+00:00')""",
    """INSERT INTO audit_log VALUES (1, '2025-01-02T00:00:00+00:00', 'insert', 'A',
    '{"tier": {"old": null, "new": "registered"}, "owner_type": {"old": null,
    "new": "business"}, "status": {"old": null, "new": "active"}, "latitude":
    {"old": null, "new": 34.74}, "longitude": {"old": null, "new": -92.33},
    "camera_count": {"old": null, "new": 2}, "registered_at": {"old": null,
    "new": "2025-01-01"}}', 1, 'a.csv', 'ann', 'import of a.csv', NULL)""",
    """INSERT INTO audit_log VALUES (2, '2025-01-02T00:00:00+00:00', 'import', NULL,
    NULL, 1, 'a.csv', 'ann', 'import of a.csv', '{"rows": 1, "inserted": 1,
    "updated": 0, "unchanged": 0, "withdrawn": 0}')""",
    """INSERT INTO audit_log VALUES (3, '2025-03-01T00:00:00+00:00', 'withdraw', 'A',
    '{"status": {"old": "active", "new": "withdrawn"}, "withdrawn_at": {"old": null,
    "new": "2025-02-14"}}', NULL, NULL, 'ann', 'owner', NULL)""",
)


def test_schema_1_store_upgrades_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        for statement in SCHEMA_1:
            con.execute(statement)
    store = RegistryStore(path)  # no init: an existing store is upgraded
    a = store.cameras().set_index("camera_id").loc["A"]
    # withdrawn_at now stored, filled once from the audit log
    assert (a["status"], a["withdrawn_at"]) == ("withdrawn", date(2025, 2, 14))
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT withdrawn_at FROM cameras").fetchone() == (
            "2025-02-14",
        )
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0002",
        )
        assert con.execute("SELECT value FROM schema_info").fetchone() == ("2",)
    top = store.audit_log().iloc[0]
    assert (top["action"], top["reason"]) == ("migrate", "schema upgrade 0001 -> 0002")
    assert store.check() == []
    # opening again does nothing more
    assert len(RegistryStore(path).audit_log()) == 4
    store.reactivate("A", reason="back", user="ann")
    assert store.check() == []


def test_store_newer_than_the_code_is_refused(store_target):
    store = RegistryStore.init(store_target)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(StoreError, match="revision '0099', newer than this code"):
        RegistryStore(store_target)


def test_postgres_points_are_geometry_under_a_spatial_index(pg_url):
    store = RegistryStore.init(pg_url)
    store.import_cameras(three_cameras(), source="a.csv", user="u")
    store.import_cameras(three_cameras(A={"latitude": 34.75}), source="b.csv", user="u")
    with store.engine.connect() as conn:
        srid, kind = conn.execute(
            sa.text("SELECT srid, type FROM geometry_columns WHERE f_table_name = "
                    "'cameras' AND f_geometry_column = 'geom'")
        ).one()  # fmt: skip
        index = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = "
                    "'cameras_geom_gist'")
        ).scalar()  # fmt: skip
        # the geometry follows longitude/latitude, also after an update
        near = conn.execute(
            sa.text(
                "SELECT camera_id FROM cameras WHERE ST_DWithin(geom::geography, "
                "ST_SetSRID(ST_MakePoint(-92.33, 34.75), 4326)::geography, 1) "
            )
        ).scalars().all()  # fmt: skip
    assert (srid, kind) == (4326, "POINT")
    assert "USING gist (geom)" in index
    assert near == ["A"]


# --- plan ----------------------------------------------------------------------------
def test_plan_is_pure_and_counts_each_outcome():
    from analytics.import_plan import plan_import

    stored = {
        "A": {"camera_id": "A", "status": "active", "tier": "registered",
              "camera_count": 1, "registered_at": date(2025, 1, 1)},
        "C": {"camera_id": "C", "status": "withdrawn", "tier": "registered",
              "camera_count": 1, "registered_at": date(2024, 9, 1)},
    }  # fmt: skip
    frame = three_cameras(A={"tier": "integrated", "status": "withdrawn"})
    plan = plan_import(stored, frame, today="2025-06-01")
    assert plan.counts() == {
        "rows": 3, "inserted": 1, "updated": 0, "unchanged": 1, "withdrawn": 1,
        "kept_withdrawn": 1,
    }  # fmt: skip
    withdraw = next(c for c in plan.changes if c.action == "withdraw")
    assert withdraw.camera_id == "A"
    assert withdraw.changes["withdrawn_at"] == {"old": None, "new": "2025-06-01"}
    assert withdraw.changes["tier"] == {"old": "registered", "new": "integrated"}
    assert plan.kept_withdrawn == ("C",)
    preview = plan.preview("staff").set_index("camera_id")
    assert preview.loc["B", "outcome"] == "new"
    # B is residential: staff see that its place is set, not where
    assert "latitude: (hidden)" in preview.loc["B", "what"]
    assert "1 Main St" not in preview.loc["B", "what"]
    assert (
        "=1 Main St"
        in plan.preview("investigator").set_index("camera_id").loc["B", "what"]
    )
    assert preview.loc["C", "outcome"] == "kept withdrawn"
    assert plan.digest() == plan_import(stored, frame, today="2025-06-01").digest()
    assert plan.digest() != plan_import({}, frame, today="2025-06-01").digest()


def test_import_refuses_a_plan_the_store_no_longer_matches(loaded):
    frame = three_cameras(B={"camera_count": 5})
    plan = loaded.plan_import(frame)
    assert plan.counts()["updated"] == 1
    loaded.import_cameras(frame, source="other.csv", user="bob")  # got there first
    before = loaded.audit_log()
    with pytest.raises(StoreError, match="changed since the preview"):
        loaded.import_cameras(frame, source="mine.csv", user="ann", expected=plan)
    pd.testing.assert_frame_equal(loaded.audit_log(), before)
    fresh = loaded.plan_import(frame)
    summary = loaded.import_cameras(frame, source="m.csv", user="a", expected=fresh)
    assert summary.unchanged == 3


# --- browsing ------------------------------------------------------------------------
def test_browse_pages_and_never_searches_what_the_role_cannot_see(loaded):
    rows, total = loaded.browse("staff", page=1, page_size=2)
    assert (rows["camera_id"].tolist(), total) == (["A", "B"], 3)
    rows, total = loaded.browse("staff", page=2, page_size=2)
    assert (rows["camera_id"].tolist(), total) == (["C"], 3)
    # B is residential at "=1 Main St": staff cannot find it by its address...
    assert loaded.browse("staff", search="main st")[1] == 0
    assert loaded.browse("staff", search="MAIN")[1] == 0
    # ...investigators can
    rows, total = loaded.browse("investigator", search="main st")
    assert (rows["camera_id"].tolist(), total) == (["B"], 1)
    assert rows.loc[0, "address"] == "=1 Main St"
    # staff rows are redacted
    rows, _ = loaded.browse("staff", search="b")
    assert rows.loc[0, "address"] is None
    assert "owner_name" not in rows.columns
    # filters; LIKE wildcards in the search are plain text
    assert loaded.browse("staff", tier="integrated")[0]["camera_id"].tolist() == ["B"]
    assert loaded.browse("staff", search="%")[1] == 0
    loaded.withdraw("C", reason="r", user="u")
    assert loaded.browse("staff", status="withdrawn")[0]["camera_id"].tolist() == ["C"]
    with pytest.raises(StoreError, match="`status` was 'gone'"):
        loaded.browse("staff", status="gone")


def test_totals_are_active_sites_and_their_cameras(loaded):
    assert loaded.totals() == {"sites": 3, "cameras": 4, "withdrawn": 0}
    loaded.withdraw("B", reason="r", user="u")
    assert loaded.totals() == {"sites": 2, "cameras": 2, "withdrawn": 1}


def test_engine_is_shared_for_other_modules_tables(loaded):
    # other modules (e.g. notifications) keep their tables in the same database
    assert loaded.engine is RegistryStore(loaded.target).engine
    with loaded.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE extra_things (x INTEGER)"))
    assert RegistryStore(loaded.target).counts() == {"active": 3, "withdrawn": 0}


def test_plan_keeps_a_withdrawn_twin_found_by_the_identity_matcher(monkeypatch):
    # analytics.identity (privacy work) matches ids like "a" to "A"; the plan
    # asks it about new rows when the module is there
    import importlib.machinery
    import sys
    import types
    from dataclasses import dataclass

    from analytics.import_plan import plan_import

    @dataclass
    class Match:
        camera_id: str
        how: str

    class CameraMatcher:
        def __init__(self, known):
            self.known = {r["camera_id"].upper(): r["camera_id"] for r in known}

        def find(self, record):
            cid = self.known.get(record["camera_id"].upper())
            return Match(cid, "id") if cid else None

    fake = types.ModuleType("analytics.identity")
    fake.CameraMatcher = CameraMatcher
    fake.__spec__ = importlib.machinery.ModuleSpec("analytics.identity", None)
    monkeypatch.setitem(sys.modules, "analytics.identity", fake)
    stored = {"A": {"camera_id": "A", "status": "withdrawn", "tier": "registered"}}
    plan = plan_import(stored, three_cameras(A={"camera_id": "a"}), today="2025-06-01")
    assert plan.kept_withdrawn == ("a (= A, same id)",)
    assert sorted(plan.ids("insert")) == ["B", "C"]
    assert "a" in plan.unchanged


def test_withdrawal_in_the_future_is_refused(loaded):
    with pytest.raises(StoreError, match="in the future"):
        loaded.withdraw("A", reason="r", user="u", at="2999-01-01")
