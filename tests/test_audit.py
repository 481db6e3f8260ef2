"""analytics.audit: who looked at what, recorded without asking."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from analytics import audit
from analytics.canvass import CameraIndex, area_notification, canvass
from analytics.store import RegistryStore
from tests.conftest import CENTRE, make_cameras, offset

LAT, LON = CENTRE
NOW = datetime(2026, 11, 1, 12, 0)


@pytest.fixture
def index(city):
    rows = []
    for i, (east, owner) in enumerate(
        ((20, "business"), (40, "institutional"), (500, "business"))
    ):
        lat, lon = offset(LAT, LON, east_m=east)
        rows.append(
            {
                "camera_id": f"K{i}",
                "latitude": lat,
                "longitude": lon,
                "owner_type": owner,
                "owner_name": f"Owner {i}",
                "contact_email": f"o{i}@example.org",
            }
        )
    return CameraIndex(make_cameras(rows), city)


@pytest.mark.parametrize(
    ("role", "case", "expected"),
    [
        ("investigator", None, "staff"),
        ("investigator", "   ", "staff"),
        ("investigator", "2026-1", "investigator"),
        ("investigator", "<script>", "staff"),  # unusable counts as none
        ("admin", "", "staff"),
        ("admin", "2026-1", "investigator"),
        ("staff", "2026-1", "staff"),
        ("public", "2026-1", "public"),
    ],
)
def test_view_audience_needs_a_case_for_contacts(role, case, expected):
    assert audit.view_audience(role, case) == expected


def test_case_numbers_are_checked():
    assert audit.case_number_or_none(" 2026-004242 ") == "2026-004242"
    assert audit.case_number_or_none("") is None
    with pytest.raises(ValueError, match="case number"):
        audit.case_number_or_none("x" * 65)


def test_a_canvass_is_recorded_with_the_person_where_and_how_many(index, tmp_path):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    result = canvass(index, LAT, LON, radius_m=100, nearest=0, now=NOW, role="staff")
    event = audit.record_canvass_look(store, result, user="ann", role="staff")
    row = store.audit_log(action="canvass").iloc[0]
    assert int(row["event_id"]) == event
    assert row["user"] == "ann"
    details = json.loads(row["details"])
    assert details["role"] == "staff"
    assert details["audience"] == "staff"
    assert (details["lat"], details["lon"], details["radius_m"]) == (LAT, LON, 100.0)
    assert details["cameras"] == 2  # 20 m and 40 m; 500 m is outside
    assert details["contacts_shown"] is False
    assert details["case_number"] is None


def test_contacts_cannot_be_recorded_without_a_case(index, tmp_path):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    shown = canvass(index, LAT, LON, radius_m=100, now=NOW, role="investigator")
    with pytest.raises(ValueError, match="case"):
        audit.record_canvass_look(store, shown, user="det", role="investigator")
    audit.record_canvass_look(
        store, shown, user="det", role="investigator", case_number="2026-9"
    )
    details = json.loads(store.audit_log(action="canvass").iloc[0]["details"])
    assert details["contacts_shown"] is True
    assert details["case_number"] == "2026-9"
    with pytest.raises(ValueError, match="name the person"):
        audit.record_canvass_look(store, shown, user=" ", role="staff")


def test_a_notification_list_is_recorded(index, tmp_path):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    notice = area_notification(index, (LAT, LON, 50.0), role="staff")
    audit.record_notification_look(
        store, notice, user="ann", role="staff", circle=(LAT, LON, 50.0)
    )
    row = store.audit_log(action="area_notification").iloc[0]
    details = json.loads(row["details"])
    assert (row["user"], details["cameras"], details["radius_m"]) == ("ann", 2, 50.0)
    assert details["camera_ids"] == ["K0", "K1"]


def test_where_the_dashboard_records(city, monkeypatch, tmp_path):
    monkeypatch.delenv("CAMREG_REGISTRY_DB", raising=False)
    # nothing set: the default store (tmp, from the autouse fixture)
    assert audit.dashboard_store_path(city) == tmp_path / "default.sqlite"
    assert audit.configured_store_path(city) is None
    monkeypatch.setenv("CAMREG_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    assert audit.dashboard_store_path(city) == tmp_path / "audit.sqlite"
    # a configured registry store always wins
    monkeypatch.setenv("CAMREG_REGISTRY_DB", str(tmp_path / "registry.sqlite"))
    assert audit.dashboard_store_path(city) == tmp_path / "registry.sqlite"
    assert audit.configured_store_path(city, "x.sqlite").name == "x.sqlite"


def test_look_keys_tell_looks_apart():
    a = audit.look_key("canvass", lat=1.0, radius=100.0, case=None)
    assert a == audit.look_key("canvass", radius=100.0, case=None, lat=1.0)
    assert a != audit.look_key("canvass", lat=1.0, radius=150.0, case=None)
    assert a != audit.look_key("canvass", lat=1.0, radius=100.0, case="2026-1")


def test_staff_reading_the_audit_log_learn_neither_place_nor_cameras(index, tmp_path):
    store = RegistryStore.init(tmp_path / "r.sqlite")
    shown = canvass(index, LAT, LON, radius_m=100, now=NOW, role="investigator")
    audit.record_canvass_look(
        store, shown, user="det", role="investigator", case_number="2026-9"
    )
    audit.record_sign_in(store, "det", "ok", role="investigator", how="account")
    staff = audit.summarise_looks(store.audit_table("staff"), "staff")
    text = " ".join(staff["what"].astype(str))
    assert "K1" not in text
    assert f"{LAT}" not in text
    assert f"{LON}" not in text
    assert list(staff["what"]) == [
        "sign in: ok",
        "canvass · case 2026-9 · 2 camera sites · radius 100 m · owner contacts shown",
    ]
    inv = audit.summarise_looks(store.audit_table("investigator"), "investigator")
    assert f"at {LAT}, {LON}" in inv["what"].iloc[1]
