"""Canvass and area notification on hand-placed cameras around one incident.

Cameras are placed with a geodesic forward step (pyproj.Geod.fwd) so their
distance to the incident is known to the millimetre; the canvass measures
geodesic distances too.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from analytics.canvass import (
    CameraIndex,
    area_notification,
    canvass,
    match_address,
)
from analytics.safe_output import to_safe_csv
from analytics.schema import CONTACT_COLUMNS
from analytics.store import RegistryStore
from tests.conftest import CENTRE, make_cameras

LAT, LON = CENTRE
NOW = datetime(2026, 11, 1, 23, 59)
AT = NOW - timedelta(days=3)  # the incident happened three days ago
GEOD = Geod(ellps="WGS84")
BEARING = {"N": 0.0, "E": 90.0, "S": 180.0, "W": 270.0}


def place(metres: float, towards: str = "E") -> tuple[float, float]:
    """(lat, lon) ``metres`` from the incident in compass direction ``towards``."""
    lon, lat, _ = GEOD.fwd(LON, LAT, BEARING[towards], metres)
    return lat, lon


def cam(camera_id: str, metres: float, towards: str = "E", **extra) -> dict:
    lat, lon = place(metres, towards)
    return {
        "camera_id": camera_id,
        "latitude": lat,
        "longitude": lon,
        "owner_type": "business",
        "address": f"{camera_id} Test St",
        "owner_name": f"Owner of {camera_id}",
        "contact_phone": "501-555-0100",
        "contact_email": f"{camera_id.lower()}@example.org",
        **extra,
    }


@pytest.fixture
def cameras():
    return make_cameras(
        [
            # 20 m east, looking west (270) at the incident; keeps 2 days < 3 days
            cam("TOWARD", 20, "E", direction_deg="270", retention_days=2),
            # 30 m north, looking north: the incident is behind it; keeps 30 days
            cam("AWAY", 30, "N", direction_deg="0", retention_days=30),
            # 40 m west, fixed camera, no direction and no retention on record
            cam("NODIR", 40, "W", camera_type="fixed"),
            # 45 m south, a dome sees all round; business range 50 m -> in view
            cam("DOME", 45, "S", camera_type="dome", tier="integrated"),
            # 49.9 m and 50.1 m east: either side of a 50 m radius
            cam("EDGE_IN", 49.9, "N", camera_type="dome"),
            cam("EDGE_OUT", 50.1, "S", camera_type="dome"),
            # withdrawn, right beside the incident: never listed
            cam("GONE", 5, "E", status="withdrawn"),
            cam("FAR1", 300, "E"),
            cam("FAR2", 400, "W", owner_type="residential"),
        ]
    )


@pytest.fixture
def index(cameras, city):
    return CameraIndex(cameras, city)


def run(index, **kwargs):
    kwargs = {"radius_m": 50, "nearest": 0, "at": AT, "now": NOW, **kwargs}
    return canvass(index, LAT, LON, **kwargs)


def test_radius_lists_nearest_first_and_never_withdrawn(index):
    result = run(index)
    assert result["camera_id"].tolist() == [
        "TOWARD",
        "AWAY",
        "NODIR",
        "DOME",
        "EDGE_IN",
    ]
    assert result["distance_m"].tolist() == [20.0, 30.0, 40.0, 45.0, 49.9]
    assert result["within_radius"].all()
    assert "GONE" not in set(run(index, radius_m=500, nearest=9)["camera_id"])


def test_radius_boundary(index):
    ids = set(run(index, radius_m=50)["camera_id"])
    assert "EDGE_IN" in ids
    assert "EDGE_OUT" not in ids
    assert "EDGE_OUT" in set(run(index, radius_m=50.2)["camera_id"])


def test_tier_actions(index):
    result = run(index).set_index("camera_id")
    assert result.loc["DOME", "action"] == "view now"
    assert result.loc["TOWARD", "action"] == "ask the owner"


def test_in_view(index):
    result = run(index).set_index("camera_id")["in_view"]
    assert bool(result["TOWARD"]) is True
    assert bool(result["AWAY"]) is False
    assert pd.isna(result["NODIR"])  # direction unknown: cannot say
    assert bool(result["DOME"]) is True  # all round, 45 m within a 50 m range


def test_in_view_respects_range(city, index):
    # FAR1 is 300 m away: beyond the business range even with no direction given
    far = run(index, radius_m=500).set_index("camera_id")
    assert pd.isna(far.loc["FAR1", "in_view"])  # unknown direction stays unknown
    ptz = make_cameras([cam("PTZ", 100, "E", camera_type="ptz")])
    assert city.range_for("business", "ptz") == 120.0
    row = run(CameraIndex(ptz, city), radius_m=150).iloc[0]
    assert bool(row["in_view"]) is True
    short = make_cameras([cam("DOOR", 100, "E", camera_type="doorbell")])
    row = run(CameraIndex(short, city), radius_m=150).iloc[0]
    assert pd.isna(row["in_view"])  # a doorbell with no direction


def test_footage_available(index):
    result = run(index).set_index("camera_id")["footage_available"]
    assert bool(result["TOWARD"]) is False  # kept 2 days, incident 3 days ago
    assert bool(result["AWAY"]) is True  # kept 30 days
    assert pd.isna(result["NODIR"])  # retention unknown


def test_nearest_regardless_of_radius(index, city):
    result = run(index, radius_m=10, nearest=city.canvass_nearest)
    assert city.canvass_nearest == 4
    assert result["camera_id"].tolist() == ["TOWARD", "AWAY", "NODIR", "DOME"]
    assert not result["within_radius"].any()
    # union with the radius list, no duplicates
    both = run(index, radius_m=50, nearest=4)
    assert len(both) == 5
    assert both["camera_id"].is_unique


def test_defaults_come_from_the_city(index, city):
    result = canvass(index, LAT, LON, at=AT, now=NOW)
    assert result.attrs["radius_m"] == city.canvass_radius_m
    assert result.attrs["nearest"] == city.canvass_nearest
    # 150 m: the six within 50.1 m; FAR1 (300 m) is not among the 4 nearest
    assert len(result) == 6


def test_contacts_only_for_investigators(index):
    staff = run(index, role="staff")
    assert not set(CONTACT_COLUMNS) & set(staff.columns)
    csv = to_safe_csv(staff).decode("utf-8-sig")
    assert "Owner of" not in csv
    assert "@example.org" not in csv
    assert "501-555" not in csv
    inv = run(index, role="investigator")
    assert set(CONTACT_COLUMNS) <= set(inv.columns)
    assert inv.set_index("camera_id").loc["AWAY", "owner_name"] == "Owner of AWAY"
    with pytest.raises(PermissionError, match="'public'"):
        run(index, role="public")


def test_staff_does_not_get_residential_locations(index):
    result = run(index, radius_m=500, nearest=0, role="staff")
    assert "FAR2" not in set(result["camera_id"])
    exact = result.dropna(subset=["camera_id"]).set_index("camera_id")
    assert exact.loc["FAR1", "address"] == "FAR1 Test St"
    # FAR2 (a home 400 m west) is one count in its distance band: its stand-in
    # point is 30-60 m from it, so 340-460 m away, inside the 300-500 m band
    band = result[result["camera_id"].isna()]
    assert band["distance_band"].tolist() == ["300–500 m"]
    assert band["sites"].tolist() == [1]
    assert band["action"].tolist() == ["ask an investigator"]
    assert (
        band[["distance_m", "from_incident", "latitude", "address"]]
        .isna()
        .all(axis=None)
    )
    assert band["in_view"].isna().all()


def test_bad_inputs_name_the_value(index):
    with pytest.raises(ValueError, match="outside"):
        canvass(index, 40.0, -92.3, at=AT, now=NOW)
    with pytest.raises(ValueError, match="radius_m"):
        run(index, radius_m=-5)
    with pytest.raises(ValueError, match="after"):
        run(index, at=NOW + timedelta(hours=1))


def test_csv_export_neutralises_formulas(city):
    evil = make_cameras(
        [
            cam("=HYPERLINK(1)", 10, "E", address="+1 Main St"),
            cam("C2", 12, "E", address="-cmd|calc", owner_name="@SUM(A1)"),
        ]
    )
    result = canvass(
        CameraIndex(evil, city), LAT, LON, at=AT, now=NOW, role="investigator"
    )
    lines = to_safe_csv(result).decode("utf-8-sig").splitlines()
    text = "\n".join(lines[1:])
    assert "'=HYPERLINK(1)" in text
    assert "'+1 Main St" in text
    assert "'-cmd|calc" in text
    assert "'@SUM(A1)" in text
    for line in lines[1:]:
        assert not line.startswith(("=", "+", "-", "@"))


def test_area_notification_circle_counts_owners(city):
    cams = make_cameras(
        [
            cam("A1", 10, "E", camera_count=3, contact_email="Same@Example.org"),
            cam("A2", 20, "N", camera_count=2, contact_email="same@example.org"),
            cam("B1", 30, "W", tier="integrated"),
            cam("R1", 40, "S", owner_type="residential"),
            cam("GONE", 15, "S", status="withdrawn"),
            cam("OUT", 120, "E"),
        ]
    )
    note = area_notification(CameraIndex(cams, city), (LAT, LON, 100), role="staff")
    # A1 and A2 share an owner (e-mail compared case-insensitively)
    # R1, a home 40 m south, is counted (at its stand-in point, at most 40 + 60 m
    # away: inside the 100 m circle) but never listed for staff
    exact = {
        "sites": 4,
        "cameras": 7,
        "owners": 3,
        "integrated_sites": 1,
        "residential_sites": 1,
        "residential_owners": 1,
    }
    assert note.logged == exact  # what the audit log records
    # staff see each count rounded to the nearest 5 (4 -> 5, 7 -> 5, 3 -> 5,
    # 1 -> 0), as the notice preview shows them
    assert note.preview == {
        "sites": 5,
        "cameras": 5,
        "owners": 5,
        "integrated_sites": 0,
        "residential_sites": 0,
        "residential_owners": 0,
        "rounded_to": 5,
    }
    assert set(note.sites["camera_id"]) == {"A1", "A2", "B1"}
    assert "R1" not in " ".join(note.recipients["camera_ids"])
    for frame in (note.sites, note.recipients):
        assert not set(CONTACT_COLUMNS) & set(frame.columns)
    joint = note.recipients[note.recipients["sites"] == 2].iloc[0]
    assert joint["camera_ids"] == "A1 A2"
    assert joint["cameras"] == 5
    inv = area_notification(
        CameraIndex(cams, city), (LAT, LON, 100), role="investigator"
    )
    assert set(CONTACT_COLUMNS) <= set(inv.recipients.columns)
    assert inv.preview == exact == inv.logged  # investigators: exact counts
    csv = to_safe_csv(note.recipients).decode("utf-8-sig")
    assert "example.org" not in csv


def test_area_notification_polygon_and_geojson(index):
    # a square from 5 m to 100 m north, 1 m west to 100 m east of the incident
    # holds AWAY (30 m N) and EDGE_IN (49.9 m N), which lie due north
    north, _ = place(100, "N")
    south, _ = place(5, "N")
    _, east = place(100, "E")
    _, west = place(1, "W")
    square = shapely.box(west, south, east, north)
    ids = set(area_notification(index, square).sites["camera_id"])
    assert ids == {"AWAY", "EDGE_IN"}
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": shapely.geometry.mapping(square),
    }
    assert set(area_notification(index, feature).sites["camera_id"]) == ids
    drawn_circle = {
        "type": "Feature",
        "properties": {"radius": 50},
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
    }
    circle = area_notification(index, drawn_circle)
    assert set(circle.sites["camera_id"]) == {
        "TOWARD",
        "AWAY",
        "NODIR",
        "DOME",
        "EDGE_IN",
    }
    with pytest.raises(ValueError, match="area"):
        area_notification(index, "somewhere")


def test_records_go_to_the_audit_log(index, tmp_path):
    store = RegistryStore.init(tmp_path / "registry.sqlite")
    run(index, store=store, user="det. smith", case_number="2026-012345")
    area_notification(
        index, (LAT, LON, 50), store=store, user="det. smith", case_number="2026-1"
    )
    log = store.audit_log()
    assert set(log["action"]) == {"canvass", "area_notification"}
    row = log[log["action"] == "canvass"].iloc[0]
    assert row["user"] == "det. smith"
    details = json.loads(row["details"])  # stored as JSON text
    assert details["case_number"] == "2026-012345"
    assert details["radius_m"] == 50
    assert details["lat"] == pytest.approx(LAT)
    assert details["camera_ids"] == ["TOWARD", "AWAY", "NODIR", "DOME", "EDGE_IN"]
    with pytest.raises(ValueError, match="case_number"):
        run(index, store=store, user="det. smith", case_number=" ")
    assert len(store.audit_log()) == 2  # the refused one was not written


def test_match_address(cameras):
    cams = cameras.copy()
    cams.loc[cams["camera_id"] == "AWAY", "address"] = "12  Main St."
    cams.loc[cams["camera_id"] == "NODIR", "address"] = "112 Main Street"
    cams.loc[cams["camera_id"] == "FAR2", "address"] = "12 Main St"  # residential
    hits = match_address(cams, " 12 MAIN st ")
    assert hits["camera_id"].tolist() == ["AWAY", "NODIR"]  # exact first
    assert match_address(cams, "12 main st", role="investigator")[
        "camera_id"
    ].tolist() == ["AWAY", "FAR2", "NODIR"]
    assert match_address(cams, "").empty
    assert match_address(cams, "GONE Test").empty  # withdrawn


def test_bench_canvass_times_queries_without_touching_the_registry(city):
    # Speed itself is shown by `python -m analytics bench` (canvass_ms), not here.
    from analytics.bench import bench_canvass
    from analytics.synthetic import generate_demo

    demo = generate_demo(city, cameras=300, incidents=0)
    before = demo.cameras.copy()
    ms = bench_canvass(demo.cameras, city, queries=5)
    assert ms > 0
    assert demo.cameras.equals(before)


def test_incident_from_a_drawn_area_is_its_centre_and_farthest_corner():
    """A 0.01-degree square at 34.745 N: centre in the middle; radius the
    half-diagonal, 554 m north by 457 m east, about 719 m, rounded up."""
    from analytics.canvass import incident_from_area

    square = {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [-92.29, 34.74],
                    [-92.28, 34.74],
                    [-92.28, 34.75],
                    [-92.29, 34.75],
                    [-92.29, 34.74],
                ]
            ],
        },
    }
    lat, lon, radius = incident_from_area(square)
    assert (lat, lon) == pytest.approx((34.745, -92.285), abs=1e-9)
    north = 0.005 * 110_950  # metres per degree of latitude near 34.7 N
    east = 0.005 * 111_320 * np.cos(np.radians(34.745))
    assert radius == pytest.approx(np.hypot(north, east), abs=3)
    assert radius == int(radius)  # whole metres, rounded up
    # a circle is its own centre and radius
    assert incident_from_area((34.75, -92.29, 120.0)) == (34.75, -92.29, 120.0)
    with pytest.raises(ValueError, match="expected"):
        incident_from_area("north of the river")
