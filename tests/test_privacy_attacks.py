"""The insider's attacks, with hand-made geometry: they fail below investigator and
succeed (the control) with an investigator's view.

Geometry: homes placed by hand metres from ``CENTRE``; every canvass point and
every expected distance follows from those offsets.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
import shapely

from analytics import attacks
from analytics.attacks import (
    MIN_LOCATION_ERROR_M,
    ViewFilters,
    differencing,
    locate_by_canvass,
    parse_band,
    probe_points,
    search_exports,
)
from analytics.canvass import CameraIndex, area_notification, canvass
from analytics.coverage import filter_cameras
from analytics.datasets import Dataset, load_dataset
from analytics.privacy import (
    DISPLACE_MAX_M,
    DISPLACE_MIN_M,
    distance_m,
    redact_cameras,
    stand_in_positions,
)
from analytics.safe_output import to_safe_csv
from tests.conftest import CENTRE, make_cameras, make_incidents, offset

NOW = datetime(2026, 1, 1, 12, 0)


def home(camera_id: str, east: float, north: float, **extra) -> dict:
    lat, lon = offset(*CENTRE, east_m=east, north_m=north)
    return {
        "camera_id": camera_id,
        "latitude": lat,
        "longitude": lon,
        "owner_type": "residential",
        "address": f"{abs(int(east)) + 100} Quiet Lane",
        "owner_name": f"Resident {camera_id}",
        "contact_phone": f"501-555-{abs(int(east * 7 + north)) % 10000:04d}",
        "contact_email": f"{camera_id.lower()}@home.example",
        "registered_at": date(2025, 1, 1),
        **extra,
    }


def shop(camera_id: str, east: float, north: float, **extra) -> dict:
    return {
        **home(camera_id, east, north),
        "owner_type": "business",
        "address": f"{camera_id} Market St",
        "owner_name": f"Shop {camera_id}",
        **extra,
    }


# --- trilateration ------------------------------------------------------------------
def test_three_staff_canvasses_do_not_locate_a_home_but_investigator_ones_do(city):
    """The issue's attack: three canvasses 150-200 m around one isolated home."""
    target = make_cameras([home("H1", 0.0, 0.0)])
    points = [
        offset(*CENTRE, east_m=120.0, north_m=40.0),
        offset(*CENTRE, east_m=-90.0, north_m=110.0),
        offset(*CENTRE, east_m=-30.0, north_m=-140.0),
    ]
    control = locate_by_canvass(target, city, "investigator", points=points)
    assert control.observations == 3
    assert control.error_m < 0.5  # three distances to 0.1 m pin it down
    staff = locate_by_canvass(target, city, "staff", points=points)
    assert staff.error_m >= MIN_LOCATION_ERROR_M


def test_dense_staff_canvassing_converges_on_the_stand_in_not_the_home(city):
    """81 canvasses 30 m apart: band edges everywhere; the estimate is the
    stand-in point, 30-60 m from the home, and the attacker is sure of it."""
    target = make_cameras([home("H1", 0.0, 0.0)])
    staff = locate_by_canvass(target, city, "staff")
    assert staff.queries == len(probe_points(*CENTRE)) == 81
    assert staff.observations == 81
    s_lat, s_lon = stand_in_positions(target)
    est_to_stand_in = distance_m(*staff.estimate, s_lat[0], s_lon[0])
    assert est_to_stand_in < 10.0  # the attack works ... on the stand-in
    assert DISPLACE_MIN_M - 10.0 <= staff.error_m <= DISPLACE_MAX_M + 10.0
    assert staff.error_m >= MIN_LOCATION_ERROR_M
    control = locate_by_canvass(target, city, "investigator")
    assert control.error_m < 0.5


def test_homes_close_together_cannot_be_told_apart_or_located(city):
    """Six homes 15-40 m apart among shops: staff answers carry no id, so no
    query can be tied to one home; even the attacker who knows all the others
    (each attacked alone) stays 25 m off. Investigators find each one."""
    rows = [
        home("H1", 0.0, 0.0),
        home("H2", 15.0, 5.0),
        home("H3", -20.0, 12.0),
        home("H4", 8.0, -25.0),
        home("H5", 30.0, 30.0),
        home("H6", -35.0, -15.0),
        shop("S1", 60.0, 0.0),
        shop("S2", -70.0, 40.0),
    ]
    cams = make_cameras(rows)
    index = CameraIndex(cams, city)
    for lat, lon in probe_points(*CENTRE, step_m=60.0):
        result = canvass(index, lat, lon, radius_m=150, at=NOW, now=NOW, role="staff")
        homes = result[result["owner_type"] == "residential"]
        assert homes["camera_id"].isna().all()
        assert homes["distance_m"].isna().all()
        assert homes["from_incident"].isna().all()
        assert set(result["camera_id"].dropna()) <= {"S1", "S2"}
    for i in range(6):
        target, others = cams.iloc[[i]], cams.drop(index=cams.index[i])
        staff = locate_by_canvass(target, city, "staff", others=others.iloc[6:])
        assert staff.error_m >= MIN_LOCATION_ERROR_M, target["camera_id"].iloc[0]
        control = locate_by_canvass(target, city, "investigator", others=others)
        assert control.error_m < 0.5


def test_stand_ins_are_fixed_per_place_and_owner_and_keyed(city):
    rows = [home("H1", 0.0, 0.0), home("H1b", 0.0, 0.0), home("H2", 200.0, 0.0)]
    rows[1].update(
        {
            k: rows[0][k]
            for k in ("address", "owner_name", "contact_email", "contact_phone")
        }
    )
    cams = make_cameras(rows)
    lat, lon = stand_in_positions(cams, key="city-secret")
    moved = distance_m(cams["latitude"], cams["longitude"], lat, lon)
    assert ((moved >= DISPLACE_MIN_M - 0.01) & (moved <= DISPLACE_MAX_M + 0.01)).all()
    # one owner's two registrations at one place share one stand-in point
    assert (lat[0], lon[0]) == (lat[1], lon[1])
    assert (lat[0], lon[0]) != (lat[2], lon[2])
    # same answer every time (averaging queries gains nothing) ...
    again = stand_in_positions(cams, key="city-secret")
    assert np.array_equal(again[0], lat)
    # ... but a different key moves it: the offset cannot be computed without it
    other = stand_in_positions(cams, key="another-city")
    assert distance_m(lat[0], lon[0], other[0][0], other[1][0]) > 1.0


def test_tiny_notification_areas_find_only_the_stand_in(city):
    """Staff drawing 10 m squares over the neighbourhood: the squares that count
    a home are 30-60 m from it; an investigator's square holds the home."""
    target = make_cameras([home("H1", 0.0, 0.0)])
    index = CameraIndex(target, city)
    found = {"staff": [], "investigator": []}
    # squares from -83 m: the home (at 0, 0) is inside one, not on an edge
    for east in np.arange(-83.0, 80.0, 10.0):
        for north in np.arange(-83.0, 80.0, 10.0):
            south_west = offset(*CENTRE, east_m=east, north_m=north)
            north_east = offset(*CENTRE, east_m=east + 10.0, north_m=north + 10.0)
            square = shapely.box(
                south_west[1], south_west[0], north_east[1], north_east[0]
            )
            for role in found:
                note = area_notification(index, square, role=role)
                # the exact count (the audit log's): where the role's index
                # places the home
                if note.logged["sites"]:
                    found[role].append((east + 5.0, north + 5.0))
                if role == "staff":
                    assert note.sites.empty
                    assert note.recipients.empty
                    assert note.preview["sites"] == 0  # shown: rounded, 1 -> 0
    assert len(found["staff"]) == 1
    assert len(found["investigator"]) == 1
    assert math.hypot(*found["investigator"][0]) < 7.1  # the home's own square
    assert math.hypot(*found["staff"][0]) >= MIN_LOCATION_ERROR_M


def test_parse_band():
    assert parse_band("0–50 m") == (0.0, 50.0)
    assert parse_band("50–150 m") == (50.0, 150.0)
    assert parse_band("beyond 150 m") == (150.0, math.inf)
    with pytest.raises(ValueError, match="'near'"):
        parse_band("near")


# --- differencing ---------------------------------------------------------------
@pytest.fixture
def small_city_data(city):
    """Homes and shops in two H3 cells, incidents around them over a year.

    Cell A: 5 homes + 1 shop (6 sites); one lone home 2 km east (1 site); a
    home registered on the last day; a withdrawn home.
    """
    rows = [home(f"HOME-A{i}", 10.0 * i, 5.0 * i) for i in range(5)]
    rows.append(shop("SHOP-1", 20.0, -10.0))
    rows.append(home("LONE", 2_000.0, 0.0))
    rows.append(home("NEW", 25.0, 20.0, registered_at=date(2025, 12, 31)))
    rows.append(
        home(
            "GONE",
            -15.0,
            8.0,
            status="withdrawn",
            withdrawn_at=date(2025, 6, 1),
        )
    )
    cams = make_cameras(rows)
    incs = []
    for day in range(0, 360, 6):
        for east, north in ((5.0, 3.0), (2_003.0, 1.0), (500.0, 500.0)):
            lat, lon = offset(*CENTRE, east_m=east, north_m=north)
            incs.append(
                {
                    "latitude": lat,
                    "longitude": lon,
                    "occurred_at": pd.Timestamp("2025-01-03") + pd.Timedelta(days=day),
                    "category": "violent" if day % 12 else "property",
                    "offense_code": "13A" if day % 12 else "23C",
                }
            )
    return Dataset(
        cams,
        make_incidents(incs),
        None,
        None,
        city,
        "hand-made",
        False,
        date(2025, 12, 31),
    )


def test_public_views_are_identical_whatever_the_filters(small_city_data):
    result = differencing(small_city_data, "public")
    assert result["views"] == 8
    assert result["smallest_site_difference"] is None  # no cell ever changes
    assert result["smallest_incident_difference"] is None
    assert result["camera_driven_changes"] == 0
    assert result["cells_1_to_k"] == 0  # the lone home is never a cell
    assert result["bare_camera_cells"] == 0


def test_staff_camera_cells_do_not_move_with_filters(small_city_data):
    result = differencing(small_city_data, "staff")
    assert result["smallest_site_difference"] is None
    assert result["cells_1_to_k"] == 0
    assert result["bare_camera_cells"] == 0


def test_control_differencing_unprotected_counts_finds_single_homes(
    small_city_data, city
):
    """Counting cells from the *filtered* registry (as before) gives the attack:
    'Until' one day earlier, or homes only vs all, differ by one home."""
    cams = small_city_data.cameras

    def cells(**kw):
        frame = filter_cameras(cams, **kw)
        return redact_cameras(frame, "public", city).cells.set_index("h3")["sites"]

    all_types = cells(as_of=date(2025, 12, 31))
    day_before = cells(as_of=date(2025, 12, 30))
    diff = all_types.sub(day_before, fill_value=0)
    assert sorted(diff[diff != 0].tolist()) == [1]  # NEW, dated to its day
    # the fix: counts from the whole registry, whatever the filter
    fixed = [
        redact_cameras(filter_cameras(cams, **kw), "public", city, cell_source=cams)
        .cells.set_index("h3")["sites"]
        .to_dict()
        for kw in ({"as_of": date(2025, 12, 31)}, {"as_of": date(2025, 12, 30)})
    ]
    assert fixed[0] == fixed[1]


def test_coverage_of_a_cell_needs_k_sites_k_incidents_and_a_month(
    small_city_data, city
):
    def view(since, until, audience="staff"):
        return attacks.visitor_view(
            small_city_data, audience, ViewFilters(since, until)
        )["hexes"].set_index("h3")

    year = view(date(2025, 1, 1), date(2025, 12, 31))
    lone = year[year["incidents"] == 60]  # the cell of the lone home
    # cell A (6 sites, 60 incidents) shows coverage; the lone home's cell (1
    # site) and the empty cell (0 sites) do not
    assert year["coverage_share"].notna().sum() == 1
    assert lone["coverage_share"].notna().sum() == 1
    day = view(date(2025, 6, 2), date(2025, 6, 2))
    assert day["coverage_share"].isna().all()  # one day: never
    assert "cameras" not in year.columns
    inv = attacks.visitor_view(
        small_city_data, "investigator", ViewFilters(date(2025, 6, 2), date(2025, 6, 2))
    )["hexes"]
    assert inv["coverage_share"].notna().any()  # the control sees single days


# --- searching exports ----------------------------------------------------------
def test_search_finds_what_an_investigator_export_holds(small_city_data, city):
    """The search works: an investigator's canvass CSV names every home."""
    index = CameraIndex(small_city_data.cameras, city)
    result = canvass(
        index,
        *offset(*CENTRE, east_m=30, north_m=-20),
        at=NOW,
        now=NOW,
        role="investigator",
        radius_m=300,
    )
    leaks = search_exports(
        small_city_data.cameras, {"csv": to_safe_csv(result).decode("utf-8-sig")}
    )["csv"]
    assert leaks["id"] == 6  # A0-A4 and NEW (GONE is withdrawn: not listed)
    assert leaks["email"] == 6
    assert leaks["name"] == 6
    assert leaks["phone"] >= 5
    assert leaks["coordinates"] >= 6
    assert leaks["address"] >= 5


def test_no_staff_or_public_export_names_a_home_hand_made(small_city_data):
    points = [offset(*CENTRE, east_m=35, north_m=-20)]
    for role in ("public", "staff"):
        texts = attacks.export_texts(small_city_data, role, points, briefing=False)
        assert texts, role
        assert search_exports(small_city_data.cameras, texts) == {}, role


@pytest.fixture(scope="module")
def demo():
    return load_dataset(demo_cameras=800, demo_incidents=6_000, seed=3)


def test_no_staff_or_public_export_names_a_home_on_the_demo(demo):
    homes = attacks.attack_targets(demo.cameras, 3)
    points = [
        tuple(v[0] for v in attacks._offset(r.latitude, r.longitude, [35.0], [-20.0]))
        for r in homes.itertuples(index=False)
    ]
    for role in ("public", "staff"):
        texts = attacks.export_texts(demo, role, points, briefing=True)
        assert {"briefing HTML", "hex grid CSV", "ward table CSV"} <= set(texts)
        assert search_exports(demo.cameras, texts) == {}, role
    inv = attacks.export_texts(demo, "investigator", points, briefing=False)
    assert search_exports(demo.cameras, inv)  # the control: it finds them


def test_requests_outputs_name_no_home_below_investigator(demo):
    """The Requests and outcomes page and ``requests stats``: figures and group
    tables only below investigator; the investigator's rows name the cameras."""
    for role in ("public", "staff"):
        texts = attacks.requests_texts(demo, role)
        assert set(texts) == {"requests figures JSON", "requests group tables"}
        assert search_exports(demo.cameras, texts) == {}, role
    inv = attacks.requests_texts(demo, "investigator")
    assert {"requests rows CSV", "stale queue CSV"} <= set(inv)
    # the control: request rows name residential cameras by id
    assert search_exports(demo.cameras, inv)["requests rows CSV"]["id"] > 0


def test_privacy_check_on_the_demo_passes(demo):
    result = attacks.privacy_check(demo, targets=2, briefing=False)
    assert result["failures"] == []
    assert result["canvass"]["staff"]["closest_m"] >= MIN_LOCATION_ERROR_M
    assert result["canvass"]["investigator"]["closest_m"] < 0.5
    assert result["public"]["smallest_cell_sites"] >= demo.city.min_group_size
