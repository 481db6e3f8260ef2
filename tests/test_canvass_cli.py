"""``python -m analytics canvass`` on a hand-made camera file."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod

from analytics.cli import main
from analytics.schema import CONTACT_COLUMNS
from analytics.store import RegistryStore
from tests.conftest import CENTRE, make_cameras

LAT, LON = CENTRE
GEOD = Geod(ellps="WGS84")


def _at(metres: float, bearing: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(LON, LAT, bearing, metres)
    return round(lat, 7), round(lon, 7)


@pytest.fixture
def camera_file(tmp_path):
    rows = []
    for camera_id, metres, bearing, extra in (
        # 25 m east looking west at the incident, keeps 30 days, integrated
        (
            "NEAR",
            25,
            90,
            {"direction_deg": "270", "retention_days": 30, "tier": "integrated"},
        ),
        # 60 m north looking north (away), keeps 2 days
        ("AWAY", 60, 0, {"direction_deg": "0", "retention_days": 2}),
        # 90 m west, direction unknown, retention unknown
        ("NODIR", 90, 270, {}),
        ("GONE", 10, 180, {"status": "withdrawn"}),
        ("FAR", 800, 180, {}),
    ):
        lat, lon = _at(metres, bearing)
        rows.append(
            {
                "camera_id": camera_id,
                "latitude": lat,
                "longitude": lon,
                "owner_name": f"Owner {camera_id}",
                "contact_phone": "501-555-0199",
                "contact_email": f"{camera_id.lower()}@example.org",
                "address": f"1 {camera_id} St",
                **extra,
            }
        )
    path = tmp_path / "cameras.csv"
    make_cameras(rows).drop(columns="geometry").to_csv(path, index=False)
    return path


def _run(capsys, *argv):
    code = main(["canvass", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, camera_file, *argv):
    code, out, err = _run(
        capsys,
        "--lat",
        LAT,
        "--lon",
        LON,
        "--cameras",
        camera_file,
        "--at",
        "2026-10-29 12:00",
        "--now",
        "2026-11-01 12:00",
        "--json",
        *argv,
    )
    assert code == 0, err
    return json.loads(out)


def test_json_lists_cameras_nearest_first(capsys, camera_file):
    data = _json(capsys, camera_file, "--radius-m", 100, "--nearest", 0)
    cams = data["cameras"]
    assert [c["camera_id"] for c in cams] == ["NEAR", "AWAY", "NODIR"]
    assert [c["distance_m"] for c in cams] == [25.0, 60.0, 90.0]
    assert [c["tier"] for c in cams] == ["integrated", "registered", "registered"]
    # NEAR faces the incident within 50 m; AWAY looks away; NODIR unknown
    assert [c["in_view"] for c in cams] == [True, False, None]
    # incident 3 days before now: 30 days kept, 2 days gone, unknown
    assert [c["footage_available"] for c in cams] == [True, False, None]
    for cam in cams:
        assert not set(CONTACT_COLUMNS) & set(cam)
    assert data["role"] == "staff"


def test_nearest_reaches_beyond_the_radius(capsys, camera_file):
    data = _json(capsys, camera_file, "--radius-m", 30, "--nearest", 4)
    assert [c["camera_id"] for c in data["cameras"]] == [
        "NEAR",
        "AWAY",
        "NODIR",
        "FAR",
    ]
    assert [c["within_radius"] for c in data["cameras"]] == [True, False, False, False]


def test_contacts_only_with_investigator_role(capsys, camera_file):
    data = _json(
        capsys,
        camera_file,
        "--radius-m",
        30,
        "--role",
        "investigator",
        "--case",
        "2026-000001",
    )
    near = data["cameras"][0]
    assert near["owner_name"] == "Owner NEAR"
    assert near["contact_email"] == "near@example.org"
    code, out, _ = _run(
        capsys,
        "--lat",
        LAT,
        "--lon",
        LON,
        "--cameras",
        camera_file,
        "--radius-m",
        30,
    )
    assert code == 0
    assert "NEAR" in out
    assert "example.org" not in out
    assert "Owner NEAR" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lat", 36.0, "--lon", LON], "outside"),
        (["--lat", LAT, "--lon", 0.0], "outside"),
        (["--lat", LAT, "--lon", LON, "--at", "31/10/2026"], "--at"),
        (["--lat", LAT, "--lon", LON, "--radius-m", -1], "--radius-m was -1"),
        (["--lat", LAT, "--lon", LON, "--role", "investigator"], "--case"),
        (["--lat", LAT, "--lon", LON, "--case", "x" * 65], "--case"),
        (
            [
                "--lat",
                LAT,
                "--lon",
                LON,
                "--at",
                "2026-11-02 00:00",
                "--now",
                "2026-11-01 00:00",
            ],
            "after",
        ),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(capsys, camera_file, argv, message):
    code, _out, err = _run(capsys, *argv, "--cameras", camera_file)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_record_writes_the_audit_log(capsys, camera_file, tmp_path):
    db = tmp_path / "registry.sqlite"
    RegistryStore.init(db)  # creating a store is explicit (registry init)
    code, _, err = _run(
        capsys,
        "--lat",
        LAT,
        "--lon",
        LON,
        "--cameras",
        camera_file,
        "--radius-m",
        100,
        "--nearest",
        0,
        "--record",
        "--case",
        "2026-000777",
        "--user",
        "det. jones",
        "--db",
        db,
    )
    assert code == 0, err
    log = RegistryStore(db).audit_log(action="canvass")
    assert len(log) == 1
    assert log.iloc[0]["user"] == "det. jones"
    details = json.loads(log.iloc[0]["details"])
    assert details["case_number"] == "2026-000777"
    assert details["radius_m"] == 100
    assert details["camera_ids"] == ["NEAR", "AWAY", "NODIR"]


def test_demo_default_runs(capsys):
    code, out, err = _run(capsys, "--lat", 34.746, "--lon", -92.289, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["synthetic"] is True
    assert data["now"] == "2026-11-01 23:59"  # the demo's own "now"
    distances = [c["distance_m"] for c in data["cameras"] if c["camera_id"]]
    assert distances == sorted(distances)
    # staff: homes only as counts per band, without id, distance or direction
    homes = [c for c in data["cameras"] if c["owner_type"] == "residential"]
    assert homes, "the demo has homes near this point"
    for home in homes:
        assert home["camera_id"] is None
        assert home["distance_m"] is None
        assert home["from_incident"] is None
        assert home["latitude"] is None
        assert home["distance_band"].endswith(" m")


def test_a_configured_store_records_every_canvass_as_the_os_user(
    capsys, camera_file, tmp_path, monkeypatch
):
    db = tmp_path / "registry.sqlite"
    RegistryStore.init(db)  # a configured store exists (a typo is an error)
    monkeypatch.setenv("CAMREG_REGISTRY_DB", str(db))
    monkeypatch.setattr("getpass.getuser", lambda: "jdoe")
    # staff, no --record, no --user, no case: still recorded, by the OS user
    _json(capsys, camera_file, "--radius-m", 100, "--nearest", 0)
    _json(
        capsys,
        camera_file,
        "--radius-m",
        30,
        "--nearest",
        0,
        "--role",
        "investigator",
        "--case",
        "2026-000778",
        "--user",
        "det. jones",
    )
    log = RegistryStore(db).audit_log(action="canvass")
    assert list(log["user"]) == ["det. jones", "jdoe (os user)"]  # newest first
    newest, oldest = (json.loads(d) for d in log["details"])
    assert oldest["role"] == "staff"
    assert oldest["case_number"] is None
    assert oldest["contacts_shown"] is False
    assert (oldest["radius_m"], oldest["cameras"]) == (100, 3)  # NEAR, AWAY, NODIR
    assert (oldest["lat"], oldest["lon"]) == (LAT, LON)
    assert newest["role"] == "investigator"
    assert newest["contacts_shown"] is True
    assert newest["case_number"] == "2026-000778"
    assert newest["camera_ids"] == ["NEAR"]


def test_without_a_configured_store_nothing_is_written(
    capsys, camera_file, tmp_path, monkeypatch
):
    monkeypatch.delenv("CAMREG_REGISTRY_DB", raising=False)
    default = tmp_path / "default.sqlite"
    monkeypatch.setattr("analytics.store.DEFAULT_DB", default)
    _json(capsys, camera_file, "--radius-m", 100)
    assert not default.exists()
    _json(capsys, camera_file, "--radius-m", 100, "--record")  # asked for
    assert len(RegistryStore(default).audit_log(action="canvass")) == 1


def test_an_unwritable_audit_log_means_no_list(
    capsys, camera_file, tmp_path, monkeypatch
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CAMREG_REGISTRY_DB", str(blocker / "registry.sqlite"))
    code, out, err = _run(
        capsys, "--lat", LAT, "--lon", LON, "--cameras", camera_file, "--json"
    )
    assert code == 2
    assert out == ""  # nothing shown that was not recorded
    assert "audit log" in err
    assert len(err.strip().splitlines()) == 1
