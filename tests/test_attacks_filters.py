"""The insider's differencing attacks on filters, dates and drawn areas.

Each attack runs twice on the same hand-made registry: against the rule the
dashboard follows now (it must learn nothing below the group size) and, as the
control, against the computation the pages used before (it singles out a home).

Geometry, metres from ``CENTRE``: six shops (business, dome cameras, 50 m range)
at 120-140 m east; two homes (residential domes, 30 m range) at the centre, one of
them registered ten days before the data's date; 122 incidents every third day
of 2025, one in three (41) at the homes (2 m east of the centre), the others (81)
at the shops (130 m east).
Ward W1 is a 2 km square around the centre, ward W2 the square east of it.
"""

from __future__ import annotations

from datetime import date, timedelta

import h3
import pandas as pd
import pytest
import shapely

from analytics import attacks
from analytics.attacks import ViewFilters
from analytics.datasets import Dataset
from analytics.privacy import change_days, distance_m, stand_in_positions
from analytics.schema import OWNER_TYPES
from tests.conftest import CENTRE, make_cameras, make_incidents, offset

AS_OF = date(2025, 12, 31)
NEW_HOME_DAY = AS_OF - timedelta(days=10)
SHOPS = [(120.0, 0.0), (120.0, 10.0), (130.0, 0.0), (130.0, 10.0), (140.0, 0.0)]
SHOPS.append((140.0, 10.0))


def _site(camera_id, east, north, owner, registered=date(2025, 1, 1)):
    lat, lon = offset(*CENTRE, east_m=east, north_m=north)
    return {
        "camera_id": camera_id,
        "latitude": lat,
        "longitude": lon,
        "owner_type": owner,
        "camera_type": "dome",
        "registered_at": registered,
        "address": f"{camera_id} Lane",
        "owner_name": f"Owner {camera_id}",
        "contact_email": f"{camera_id.lower()}@example.org",
    }


def _box(west, south, east, north):
    sw = offset(*CENTRE, east_m=west, north_m=south)
    ne = offset(*CENTRE, east_m=east, north_m=north)
    return shapely.box(sw[1], sw[0], ne[1], ne[0])


@pytest.fixture(scope="module")
def scene():
    import geopandas as gpd

    from analytics.config import load_city

    city = load_city("little_rock")
    rows = [_site(f"SHOP-{i}", e, n, "business") for i, (e, n) in enumerate(SHOPS)]
    rows.append(_site("HOME-1", 0.0, 0.0, "residential"))
    rows.append(_site("HOME-2", -10.0, 5.0, "residential", NEW_HOME_DAY))
    cams = make_cameras(rows)
    incs = []
    for i, day in enumerate(range(0, 364, 3)):
        east, north = (2.0, 1.0) if i % 3 == 0 else (130.0, 5.0)
        lat, lon = offset(*CENTRE, east_m=east, north_m=north)
        incs.append(
            {
                "latitude": lat,
                "longitude": lon,
                "occurred_at": pd.Timestamp("2025-01-01 12:00")
                + pd.Timedelta(days=day),
            }
        )
    wards = gpd.GeoDataFrame(
        {"ward_id": ["W1", "W2"], "ward_name": ["Ward 1", "Ward 2"]},
        geometry=[_box(-1000, -1000, 1000, 1000), _box(1000, -1000, 3000, 1000)],
        crs="EPSG:4326",
    )
    ds = Dataset(
        cams, make_incidents(incs), wards, None, city, "hand-made", False, AS_OF
    )
    # the precondition of the cell attack: every site in one map cell
    cells = {
        h3.latlng_to_cell(a, b, city.hex_resolution)
        for a, b in zip(cams["latitude"], cams["longitude"], strict=True)
    }
    assert len(cells) == 1
    return ds


def _variants():
    since = AS_OF - timedelta(days=364)
    others = tuple(o for o in OWNER_TYPES if o != "residential")
    return [
        ViewFilters(since, AS_OF),
        ViewFilters(since, AS_OF, owner_types=("residential",)),
        ViewFilters(since, AS_OF, owner_types=others),
    ]


# --- owner-type filter differencing --------------------------------------------------
def test_owner_filters_single_out_homes_in_the_old_staff_view(scene):
    """The control: cells and wards from the filtered cameras. Homes only vs all
    but homes: W1 shows 2 and 6 sites (8 in all), and the coverage of the one
    cell and of W1 moves with the filter over the same 122 incidents (all 122 in
    view with every camera, 41 with homes only, 81 without homes)."""
    old = attacks.differencing(scene, "staff", _variants(), protected=False)
    assert old["smallest_ward_site_difference"] == 2  # 8 - 6: the two homes
    assert old["camera_driven_changes"] == 3  # one cell, three pairs of views
    assert old["ward_camera_driven_changes"] >= 3  # W1 (and its district)
    views = [
        attacks.visitor_view(scene, "staff", v, protected=False) for v in _variants()
    ]
    w1 = [v["wards"].set_index("ward_id").loc["W1"] for v in views]
    assert [w["incidents"] for w in w1] == [122, 122, 122]
    # homes only: W1 has 2 sites (fewer than 5), its coverage is withheld; but
    # all-but-homes shows 81/122 beside 122/122: the homes see the other 41
    assert pd.isna(w1[1]["incident_coverage_share"])
    assert w1[0]["incident_coverage_share"] == pytest.approx(1.0)
    assert w1[2]["incident_coverage_share"] == pytest.approx(81 / 122)


def test_owner_filters_change_no_cell_or_ward_below_investigator(scene):
    for audience in ("staff", "public"):
        now = attacks.differencing(scene, audience, _variants())
        assert now["smallest_ward_site_difference"] is None, audience
        assert now["camera_driven_changes"] == 0, audience
        assert now["ward_camera_driven_changes"] == 0, audience
        assert now["smallest_site_difference"] is None, audience
    # W1's coverage below investigator: the 81 shop incidents, plus the 41 at
    # (2, 1) m only if a home's stand-in point (30-60 m off) is within 30 m
    homes = scene.cameras[scene.cameras["owner_type"] == "residential"]
    lat, lon = stand_in_positions(homes)
    at = offset(*CENTRE, east_m=2.0, north_m=1.0)
    seen = bool((distance_m(at[0], at[1], lat, lon) <= 30.0).any())
    views = [attacks.visitor_view(scene, "staff", v) for v in _variants()]
    for view in views:
        w1 = view["wards"].set_index("ward_id").loc["W1"]
        assert w1["sites"] == 8  # every active site, whatever the owner filter
        assert w1["incident_coverage_share"] == pytest.approx((81 + 41 * seen) / 122)
    # investigators keep their filters (and may single out homes)
    inv = attacks.differencing(scene, "investigator", _variants())
    assert inv["camera_driven_changes"] == 3


# --- moving "Until" one day at a time ------------------------------------------------
def test_one_day_window_steps_dated_a_home_in_the_old_ward_changes(scene):
    old = attacks.ward_dating(scene, "staff", days=40, protected=False)
    # HOME-2 leaves the change column when Until moves from its day to the day
    # before: a difference of one site over one day
    assert old["smallest_change_difference"] == 1
    assert old["finest_dating_days"] == 1
    assert old["dated_closer_than_a_month"] == 1
    inv = attacks.ward_dating(scene, "investigator", days=40)
    assert inv["finest_dating_days"] == 1  # the control: investigators see days


def test_ward_changes_below_investigator_compare_whole_months(scene):
    now = attacks.ward_dating(scene, "staff", days=40)
    assert now["windows"] == 40
    # HOME-2 (21 Dec) is counted once December is complete: 30 Nov vs 31 Dec
    assert now["dated_closer_than_a_month"] == 0
    assert now["finest_dating_days"] in (None, 31)
    assert change_days(date(2025, 1, 1), AS_OF, AS_OF, "staff") == (
        date(2024, 12, 31),
        date(2025, 12, 31),
    )
    assert change_days(date(2024, 12, 21), date(2025, 12, 20), AS_OF, "staff") == (
        date(2024, 11, 30),
        date(2025, 12, 31),
    )
    # a window ending inside an unfinished month stops at the month before
    assert change_days(
        date(2025, 1, 1), date(2025, 12, 20), date(2025, 12, 20), "staff"
    ) == (date(2024, 12, 31), date(2025, 11, 30))
    assert attacks.ward_dating(scene, "public")["windows"] == 0  # one fixed view


# --- notification areas drawn a few metres apart -------------------------------------
def test_growing_a_notification_circle_counts_single_homes_only_for_the_control(
    scene,
):
    """Circles 20-300 m around a point 35 m east of the homes, 2 m apart: exact
    counts step by one registration (the control); the counts staff are shown
    step by 5 or not at all."""
    city = scene.city
    centre = offset(*CENTRE, east_m=35.0, north_m=0.0)
    old = attacks.notify_differencing(scene.cameras, city, "staff", centre, shown=False)
    assert old["smallest_difference"] == 1
    assert old["steps_of_one_home"] >= 1
    now = attacks.notify_differencing(scene.cameras, city, "staff", centre)
    assert now["areas"] == old["areas"] == 141
    assert now["steps_of_one_home"] == 0
    assert now["smallest_difference"] == 5  # 0 -> 5 -> 10 as 8 sites come in
    inv = attacks.notify_differencing(scene.cameras, city, "investigator", centre)
    assert inv["smallest_difference"] == 1  # investigators see exact counts
