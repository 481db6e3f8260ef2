"""Device cost arithmetic checked by hand against Little Rock's device prices."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.costs import (
    TOTAL,
    cost_per_covered_incident,
    device_costs,
    program_costs,
    split_devices,
)

ENTRY = "Entry device"


@pytest.fixture(scope="module")
def top(city):
    return city.devices[-1].name


def _total(table):
    return table.set_index("device").loc[TOTAL]


def test_ten_entry_devices_over_three_years(city):
    table = device_costs(city, 10, ENTRY, 3)
    total = _total(table)
    assert total["upfront_usd"] == 10 * 350
    assert total["yearly_usd"] == 10 * 150
    assert total["total_usd"] == 10 * 350 + 10 * 150 * 3  # 8,000


def test_mix_of_tiers_by_hand(city, top):
    table = device_costs(city, 10, {ENTRY: 0.8, top: 0.2}, 2).set_index("device")
    assert table.loc[ENTRY, "devices"] == 8
    assert table.loc[top, "devices"] == 2
    assert table.loc[top, "total_usd"] == 2 * (7_200 + 2 * 2_300)
    assert table.loc[TOTAL, "total_usd"] == 8 * (350 + 2 * 150) + 2 * (
        7_200 + 2 * 2_300
    )


def test_cost_per_additional_covered_incident(city):
    table = device_costs(city, 10, ENTRY, 3, additional_covered_incidents=40)
    # $8,000 over 3 years / (40 incidents a year x 3 years)
    assert _total(table)["usd_per_covered_incident"] == pytest.approx(8_000 / 120)
    assert cost_per_covered_incident(8_000, 0, 3) is None


def test_program_costs_staggered_purchases(city):
    frame = program_costs(city, 100, ENTRY, 3).set_index("year")
    # year 1: 100 bought + 100 in fees; year 3: 100 bought + 300 in service
    assert frame.loc[1, "total_usd"] == 100 * 350 + 100 * 150
    assert frame.loc[3, "total_usd"] == 100 * 350 + 300 * 150
    assert frame.loc[3, "cumulative_usd"] == 3 * 100 * 350 + (1 + 2 + 3) * 100 * 150


def test_split_devices_adds_up():
    assert split_devices(10, [0.25, 0.75]) == [3, 7]
    assert sum(split_devices(7, [1 / 3, 1 / 3, 1 / 3])) == 7


def test_bad_inputs_are_named(city):
    with pytest.raises(ValueError, match="'Gold box'"):
        device_costs(city, 1, "Gold box", 1)
    with pytest.raises(ValueError, match="sum to 1"):
        device_costs(city, 1, {ENTRY: 0.5}, 1)
    with pytest.raises(ValueError, match="`integrations` was -1"):
        device_costs(city, -1, ENTRY, 1)
    with pytest.raises(ValueError, match="`years` was -2"):
        device_costs(city, 1, ENTRY, -2)


def test_live_gain_per_device_by_hand(city):
    # Two registered 50 m disks (owner business) and one integrated one, far apart.
    # Registered A sees 3 incidents, registered B sees 1 that the integrated camera
    # also sees (already live), so only A's 3 count: 3 pairs / 2 registered sites
    # over one year of incidents = 1.5 a year.
    from analytics.coverage import coverage_report
    from tests.conftest import CENTRE, make_cameras, make_incidents, offset

    lat, lon = CENTRE
    a = offset(lat, lon, 0, 0)
    b = offset(lat, lon, 2000, 0)
    cams = make_cameras(
        [
            {"latitude": a[0], "longitude": a[1], "camera_id": "A"},
            {"latitude": b[0], "longitude": b[1], "camera_id": "B"},
            {
                "latitude": b[0],
                "longitude": b[1],
                "camera_id": "L",
                "tier": "integrated",
            },
        ]
    )
    spots = [offset(lat, lon, e, 0) for e in (5, 10, 20)] + [offset(lat, lon, 2010, 0)]
    spots.append(offset(lat, lon, 1000, 0))  # seen by nobody
    dates = ["2025-01-01", "2025-05-01", "2025-09-01", "2025-12-01", "2026-01-01"]
    incs = make_incidents(
        [
            {"latitude": p[0], "longitude": p[1], "occurred_at": pd.Timestamp(d)}
            for p, d in zip(spots, dates, strict=True)
        ]
    )
    years = (pd.Timestamp("2026-01-01") - pd.Timestamp("2025-01-01")).days / 365.25
    report = coverage_report(cams, incs, city)
    assert report.live_gain_per_device == pytest.approx(3 / 2 / years)
    # without registered sites there is nothing to convert
    only_live = cams[cams["tier"] == "integrated"]
    assert coverage_report(only_live, incs, city).live_gain_per_device == 0.0
