"""Coverage below investigator comes from homes at their stand-in points.

Hand-made geometry: one home (residential, no direction: a 30 m full circle,
``little_rock.toml``) at ``CENTRE``; its stand-in with the key ``KEY`` is
30-60 m away (:func:`analytics.privacy.stand_in_positions`), and every expected
answer follows from the stand-in's distance and bearing read off that output.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.attacks import (
    MIN_LOCATION_ERROR_M,
    locate_by_coverage,
    single_incident_windows,
)
from analytics.coverage import coverage_report
from analytics.datasets import Dataset
from analytics.privacy import (
    DISPLACE_MAX_M,
    DISPLACE_MIN_M,
    cameras_for_coverage,
    distance_m,
    stand_in_positions,
)
from tests.conftest import CENTRE, make_cameras, make_incidents, offset

KEY = "standin-test-key"
RANGE_M = 30.0  # residential default range (little_rock.toml)


def _home_and_shop():
    lat, lon = CENTRE
    s_lat, s_lon = offset(*CENTRE, east_m=1_000.0)
    return make_cameras(
        [
            {
                "camera_id": "H1",
                "latitude": lat,
                "longitude": lon,
                "owner_type": "residential",
                "address": "100 Quiet Lane",
                "owner_name": "Resident One",
            },
            {
                "camera_id": "S1",
                "latitude": float(s_lat),
                "longitude": float(s_lon),
                "owner_type": "business",
                "address": "1 Market St",
            },
        ]
    )


def _stand_in(cams):
    """Stand-in of H1 as (lat, lon), distance (m) and (east, north) unit vector."""
    lat, lon = stand_in_positions(cams.iloc[[0]], key=KEY)
    d = float(distance_m(*CENTRE, lat[0], lon[0]))
    # local east/north metres of the stand-in from the home
    north = (lat[0] - CENTRE[0]) * 110_950.0
    east = (lon[0] - CENTRE[1]) * 110_950.0 * math.cos(math.radians(CENTRE[0]))
    unit = np.array([east, north]) / math.hypot(east, north)
    return (float(lat[0]), float(lon[0])), d, unit


def _incident(lat, lon, day):
    return {
        "latitude": float(lat),
        "longitude": float(lon),
        "occurred_at": pd.Timestamp("2025-03-01 12:00") + pd.Timedelta(days=day),
    }


def test_cameras_for_coverage_moves_homes_only_below_investigator():
    cams = _home_and_shop()
    (s_lat, s_lon), d, _ = _stand_in(cams)
    assert DISPLACE_MIN_M <= d <= DISPLACE_MAX_M
    inv = cameras_for_coverage(cams, "investigator", key=KEY)
    assert inv is cams
    for audience in ("staff", "public", "no-such-role"):  # unknown: fail closed
        moved = cameras_for_coverage(cams, audience, key=KEY)
        assert moved.loc[0, "latitude"] == pytest.approx(s_lat, abs=1e-12)
        assert moved.loc[0, "longitude"] == pytest.approx(s_lon, abs=1e-12)
        assert moved.geometry.iloc[0].y == pytest.approx(s_lat, abs=1e-12)
        assert moved.geometry.iloc[0].x == pytest.approx(s_lon, abs=1e-12)
        # the business camera keeps its exact place
        assert moved.loc[1, "latitude"] == cams.loc[1, "latitude"]
        assert moved.geometry.iloc[1] == cams.geometry.iloc[1]
    # an owner type nobody recognises counts as a home (fail closed)
    odd = cams.assign(owner_type=[None, "business"])
    assert cameras_for_coverage(odd, "staff", key=KEY).loc[0, "latitude"] == (
        pytest.approx(s_lat, abs=1e-12)
    )
    assert cams.loc[0, "latitude"] == CENTRE[0]  # the input is not changed


def test_incident_20_m_from_a_home_staff_coverage_is_the_stand_ins(city):
    """Incident A: 20 m from the home, directly away from the stand-in, so
    d + 20 >= 50 m from the stand-in: in view for the investigator (20 <= 30),
    out of view below. Incident B: at the stand-in point, d > 30 m from the
    home: out of view for the investigator, in view (0 m) below."""
    cams = _home_and_shop()
    (s_lat, s_lon), d, unit = _stand_in(cams)
    a_lat, a_lon = offset(*CENTRE, east_m=-20.0 * unit[0], north_m=-20.0 * unit[1])
    assert float(distance_m(*CENTRE, a_lat, a_lon)) == pytest.approx(20.0, abs=0.1)
    assert float(distance_m(s_lat, s_lon, a_lat, a_lon)) == pytest.approx(
        d + 20.0, abs=0.5
    )
    assert d > RANGE_M  # with this key; B is then out of the home's reach
    for point, inv_share, staff_share in (
        ((a_lat, a_lon), 1.0, 0.0),
        ((s_lat, s_lon), 0.0, 1.0),
    ):
        incs = make_incidents([_incident(*point, 0)])
        for audience, share in (
            ("investigator", inv_share),
            ("staff", staff_share),
            ("public", staff_share),
        ):
            report = coverage_report(
                cameras_for_coverage(cams, audience, key=KEY), incs, city
            )
            assert report.headline["incident_coverage_share"] == share, audience


def _attack_data(city) -> tuple[Dataset, float]:
    """The home, a shop 1 km east and one incident a day on a 10 m grid within
    80 m of the home (289 days), plus one a day on a 3 x 3 grid 10 m apart
    around the shop (so the shop's coverage is there to difference out)."""
    cams = _home_and_shop()
    steps = np.arange(-80.0, 80.1, 10.0)
    rows = []
    for east in steps:
        for north in steps:
            lat, lon = offset(*CENTRE, east_m=float(east), north_m=float(north))
            rows.append(_incident(lat, lon, len(rows)))
    for east in (990.0, 1_000.0, 1_010.0):
        for north in (-10.0, 0.0, 10.0):
            lat, lon = offset(*CENTRE, east_m=east, north_m=north)
            rows.append(_incident(lat, lon, len(rows)))
    ds = Dataset(
        cams,
        make_incidents(rows),
        None,
        None,
        city,
        "hand-made",
        False,
        date(2026, 6, 1),
    )
    return ds, len(rows)


def test_single_incident_windows_are_days_with_one_incident(city):
    ds, n = _attack_data(city)
    assert len(single_incident_windows(ds.incidents)) == n == 289 + 9
    twice = pd.concat([ds.incidents, ds.incidents.iloc[[0]]])
    # the doubled day holds two incidents of one category: neither is alone
    assert len(single_incident_windows(twice)) == n - 1


def test_coverage_attack_finds_the_home_only_on_the_old_computation(city):
    """Grid incidents within 30 m of the true home: the 29 grid points at most
    30 m from (0, 0) (0, +-10, +-20, +-30 on the axes; +-10/+-20 diagonals ...).
    The control (true places, or an investigator) pins the home to within a
    few metres; staff coverage only ever finds the stand-in, d m away."""
    ds, n = _attack_data(city)
    target = ds.cameras.iloc[[0]]
    (s_lat, s_lon), d, _ = _stand_in(ds.cameras)

    control = locate_by_coverage(ds, target, "staff", protected=False, key=KEY)[0]
    # grid points (10 m apart) with e^2 + n^2 <= 900: 29 of them
    assert control.observations == 29
    assert control.queries == n
    assert control.error_m < 3.0
    inv = locate_by_coverage(ds, target, "investigator", key=KEY)[0]
    assert inv.error_m == pytest.approx(control.error_m)

    staff = locate_by_coverage(ds, target, "staff", key=KEY)[0]
    assert staff.observations > 0  # it still learns something: the stand-in
    to_stand_in = float(distance_m(*staff.estimate, s_lat, s_lon))
    assert to_stand_in < 3.0
    assert staff.error_m >= d - 3.0
    assert staff.error_m >= MIN_LOCATION_ERROR_M


def test_privacy_check_reports_the_coverage_attack(city):
    """``privacy-check`` runs the attack on staff and on the control, and would
    fail on the control's figure (the threshold is 25 m)."""
    from analytics.attacks import failures, privacy_check

    ds, n = _attack_data(city)
    result = privacy_check(ds, targets=1, briefing=False, key=KEY)
    got = result["coverage"]
    assert got["staff"]["windows"] == got["control"]["windows"] == n
    assert got["control"]["closest_m"] < 3.0
    assert got["staff"]["closest_m"] >= MIN_LOCATION_ERROR_M
    assert not any("coverage windows" in f for f in result["failures"])
    broken = {**result, "coverage": {"staff": got["control"]}}
    assert any(
        "one-incident coverage windows locate a home" in f
        for f in failures(broken, city)
    )
