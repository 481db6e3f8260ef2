"""Withdrawal means gone: no window, date or re-import brings a camera back."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from analytics.canvass import CameraIndex, area_notification, canvass
from analytics.cli import main
from analytics.coverage import filter_cameras
from analytics.identity import CameraMatcher, normalise_id, owner_key
from analytics.privacy import redact_cameras
from analytics.store import RegistryStore, StoreError
from tests.conftest import CENTRE, make_cameras, offset

NOW = datetime(2026, 1, 1, 12, 0)


def camera(camera_id: str, east: float, **extra) -> dict:
    lat, lon = offset(*CENTRE, east_m=east)
    return {
        "camera_id": camera_id,
        "latitude": lat,
        "longitude": lon,
        "owner_type": "residential",
        "address": f"{100 + int(east)} Elm St",
        "owner_name": f"Owner {camera_id}",
        "contact_email": f"{camera_id.lower()}@example.org",
        "registered_at": date(2024, 1, 1),
        **extra,
    }


@pytest.fixture
def registry():
    return make_cameras(
        [
            camera("KEEP-1", 10.0),
            camera(
                "GONE-1",
                20.0,
                status="withdrawn",
                withdrawn_at=date(2025, 6, 1),
            ),
        ]
    )


@pytest.mark.parametrize("until", [date(2024, 6, 1), date(2025, 5, 31), None])
def test_until_before_a_withdrawal_does_not_bring_the_camera_back(
    registry, city, until
):
    cams = filter_cameras(registry, as_of=until)
    assert cams.set_index("camera_id").loc["GONE-1", "status"] == "withdrawn"
    # no view shows it: investigator points, canvass, notification list
    inv = redact_cameras(cams, "investigator", city)
    assert list(inv.points["camera_id"]) == ["KEEP-1"]
    index = CameraIndex(cams, city)
    listed = canvass(index, *CENTRE, radius_m=100, at=NOW, now=NOW, role="investigator")
    assert list(listed["camera_id"]) == ["KEEP-1"]
    note = area_notification(index, (*CENTRE, 100.0), role="investigator")
    assert list(note.sites["camera_id"]) == ["KEEP-1"]
    assert "gone-1@example.org" not in note.recipients.to_csv()


def test_withdrawal_in_the_future_is_refused(tmp_path, city):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    store.import_cameras(
        make_cameras([camera("A", 0.0)]), source="seed.csv", user="ann"
    )
    with pytest.raises(StoreError, match="2099-01-01 is in the future"):
        store.withdraw("A", reason="owner", user="ann", at="2099-01-01")
    assert store.cameras().iloc[0]["status"] == "active"
    code = main(
        [
            "registry",
            "withdraw",
            "A",
            "--reason",
            "owner",
            "--date",
            "2099-01-01",
            "--db",
            str(tmp_path / "r.sqlite"),
        ]
    )
    assert code == 2
    store.withdraw("A", reason="owner", user="ann", at=date.today().isoformat())
    assert store.cameras().iloc[0]["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("incoming", "how"),
    [
        ({"camera_id": "cam-0042"}, "id"),  # case and leading zeros
        ({"camera_id": " CAM 42 "}, "id"),  # spaces
        # a new id, same owner (e-mail in other case) at the same place
        (
            {"camera_id": "NEW-9", "contact_email": "OWNER@Example.org"},
            "place and owner",
        ),
        # a new id, same owner, same address written differently, 40 m off
        (
            {
                "camera_id": "NEW-10",
                "latitude": offset(*CENTRE, east_m=40.0)[0],
                "longitude": offset(*CENTRE, east_m=40.0)[1],
                "address": "100  elm st.",
            },
            "place and owner",
        ),
    ],
)
def test_reimport_keeps_a_withdrawn_camera_withdrawn(tmp_path, incoming, how):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    first = camera("CAM-42", 0.0, contact_email="owner@example.org")
    store.import_cameras(make_cameras([first]), source="seed.csv", user="ann")
    store.withdraw("CAM-42", reason="owner asked", user="ann", at="2025-03-01")
    again = make_cameras([{**first, **incoming}])
    summary = store.import_cameras(again, source="monthly.csv", user="bob")
    assert summary.inserted == 0
    new_id = incoming["camera_id"]
    assert summary.kept_withdrawn == (f"{new_id} (= CAM-42, same {how})",)
    assert any("kept withdrawn 1" in line for line in summary.lines())
    cams = store.cameras()
    assert list(cams["camera_id"]) == ["CAM-42"]
    assert list(cams["status"]) == ["withdrawn"]


def test_a_different_owner_at_the_same_place_is_a_new_camera(tmp_path):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    first = camera("CAM-42", 0.0, contact_email="owner@example.org")
    store.import_cameras(make_cameras([first]), source="seed.csv", user="ann")
    store.withdraw("CAM-42", reason="moved away", user="ann", at="2025-03-01")
    newcomer = {
        **first,
        "camera_id": "CAM-77",
        "owner_name": "New Family",
        "contact_email": "new@example.org",
    }
    summary = store.import_cameras(
        make_cameras([newcomer]), source="monthly.csv", user="bob"
    )
    assert (summary.inserted, summary.kept_withdrawn) == (1, ())


def test_normalise_id_and_owner_key():
    assert normalise_id("cam-0042") == normalise_id(" CAM 42 ") == "CAM42"
    assert normalise_id("0007") == "7"
    assert normalise_id("000") == "0"
    assert normalise_id("A10") != normalise_id("A1")
    assert owner_key({"contact_email": " Ann@X.org "}) == "e:ann@x.org"
    assert owner_key({"contact_phone": "+1 (501) 555-0100"}) == "p:5015550100"
    assert owner_key({"owner_name": "Ann  O'Neil"}) == "n:ann o neil"
    assert owner_key({"owner_name": float("nan")}) == ""
    matcher = CameraMatcher([{"camera_id": "X1", "latitude": 1.0, "longitude": 2.0}])
    # no owner on record: only the id can match (a place alone is not an owner)
    assert matcher.find({"camera_id": "Y", "latitude": 1.0, "longitude": 2.0}) is None
    assert matcher.find({"camera_id": "x01"}).how == "id"


def test_unknown_owner_type_is_never_an_exact_point_below_investigator(city):
    frame = make_cameras([camera("U1", 0.0), camera("U2", 5.0)])
    frame["owner_type"] = [None, "martian"]
    staff = redact_cameras(frame, "staff", city)
    assert staff.points.empty
    result = canvass(
        CameraIndex(frame, city), *CENTRE, radius_m=100, at=NOW, now=NOW, role="staff"
    )
    assert result["camera_id"].isna().all()
    assert int(result["sites"].sum()) == 2
    assert pd.isna(result["latitude"]).all()


def test_audit_log_hides_home_ids_in_canvass_events_below_investigator(tmp_path, city):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    cams = make_cameras(
        [camera("HOME-1", 10.0), {**camera("SHOP-1", 20.0), "owner_type": "business"}]
    )
    store.import_cameras(cams, source="seed.csv", user="ann")
    canvass(
        CameraIndex(store.cameras(), city),
        *CENTRE,
        radius_m=100,
        at=NOW,
        now=NOW,
        role="investigator",
        store=store,
        user="det. lee",
        case_number="2026-1",
    )
    staff = store.audit_table("staff", action="canvass").iloc[0]["what"]
    assert "SHOP-1" in staff
    assert "HOME-1" not in staff
    assert '"private_cameras_not_shown": 1' in staff
    inv = store.audit_table("investigator", action="canvass").iloc[0]["what"]
    assert "HOME-1" in inv
