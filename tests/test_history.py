"""History: additions, withdrawals and running totals counted by hand."""

from __future__ import annotations

import warnings
from datetime import date

import geopandas as gpd
import pytest
import shapely

from analytics.history import camera_history, cameras_on, registry_events
from analytics.schema import WGS84
from tests.conftest import CENTRE, offset

LAT, LON = CENTRE


def _rows():
    # Jan: +3 cameras (two sites); Feb: +5 (one site) and the Jan 2-camera site
    # withdrawn in March; an undated withdrawal registered in Feb.
    return [
        {"registered_at": date(2025, 1, 10), "camera_count": 2, "tier": "registered"},
        {"registered_at": date(2025, 1, 20), "camera_count": 1, "tier": "integrated"},
        {"registered_at": date(2025, 2, 3), "camera_count": 5, "tier": "registered"},
        {
            "registered_at": date(2025, 2, 5),
            "camera_count": 4,
            "status": "withdrawn",
            "withdrawn_at": None,
        },
    ]


@pytest.fixture
def cams(camera_factory):
    rows = _rows()
    rows[0].update(status="withdrawn", withdrawn_at=date(2025, 3, 15))
    for i, row in enumerate(rows):
        row["latitude"], row["longitude"] = offset(LAT, LON, east_m=100 * i)
    return camera_factory(rows)


def test_monthly_added_withdrawn_and_running_total(cams):
    hist = camera_history(cams, as_of=date(2025, 4, 30))
    assert list(hist["period"].dt.month) == [1, 2, 3, 4]
    assert list(hist["added"]) == [3, 5, 0, 0]  # undated withdrawal never counted
    assert list(hist["withdrawn"]) == [0, 0, 2, 0]
    assert list(hist["net"]) == [3, 5, -2, 0]
    assert list(hist["cameras"]) == [3, 8, 6, 6]
    assert list(hist["sites"]) == [2, 3, 2, 2]
    assert hist.attrs["undated_withdrawals"] == 1
    assert hist["complete"].all()


def test_as_of_cuts_future_events_and_marks_partial_month(cams):
    hist = camera_history(cams, as_of=date(2025, 3, 1))
    assert list(hist["cameras"]) == [3, 8, 8]  # the 15 March withdrawal not yet
    assert list(hist["complete"]) == [True, True, False]
    assert cameras_on(cams, date(2025, 1, 31)) == (3, 2)
    assert cameras_on(cams, date(2025, 3, 15)) == (6, 2)


def test_by_tier_splits_counts(cams):
    hist = camera_history(cams, by="tier", as_of=date(2025, 3, 31))
    last = hist[hist["period"] == hist["period"].max()].set_index("tier")
    assert last.loc["registered", "cameras"] == 5
    assert last.loc["integrated", "cameras"] == 1


def test_by_ward_uses_spatial_join(cams):
    west = shapely.box(LON - 0.01, LAT - 0.01, LON + 0.0005, LAT + 0.01)
    wards = gpd.GeoDataFrame(
        {"ward_id": ["1"], "ward_name": ["West"]}, geometry=[west], crs=WGS84
    )
    hist = camera_history(cams, by="ward", wards=wards, as_of=date(2025, 2, 28))
    end = hist[hist["period"] == hist["period"].max()].set_index("ward")
    # only the first camera (0 m east) is inside; the others are 100-300 m east
    assert end.loc["West", "cameras"] == 2
    assert end.loc["(outside wards)", "cameras"] == 6


def test_quarterly_frequency(cams):
    hist = camera_history(cams, freq="QS", as_of=date(2025, 6, 30))
    assert list(hist["net"]) == [6, 0]


def test_withdrawal_before_registration_is_clamped(camera_factory):
    lat, lon = CENTRE
    cams = camera_factory(
        [
            {
                "registered_at": date(2025, 5, 1),
                "status": "withdrawn",
                "withdrawn_at": date(2025, 4, 1),
                "latitude": lat,
                "longitude": lon,
            }
        ]
    )
    events = registry_events(cams)
    assert events["withdrawn"].iloc[0] == events["registered"].iloc[0]


def test_bad_arguments_are_named(cams):
    with pytest.raises(ValueError, match="`freq` was 'D'"):
        camera_history(cams, freq="D")
    with pytest.raises(ValueError, match="no `wards`"):
        camera_history(cams, by="ward")
    with pytest.raises(ValueError, match="`by` was 'colour'"):
        camera_history(cams, by="colour")


def test_undated_registration_joins_the_starting_stock(cams):
    cams.loc[2, "registered_at"] = None  # the 5-camera February site
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the count is returned, never warned
        hist = camera_history(cams, as_of=date(2025, 4, 30))
    # counted from January (the first known registration) instead of February
    assert list(hist["added"]) == [8, 0, 0, 0]
    assert list(hist["cameras"]) == [8, 8, 6, 6]
    assert hist.attrs["undated_registrations"] == 1
