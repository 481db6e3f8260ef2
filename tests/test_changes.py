"""Registrations in a window and ward changes, on hand-made registries."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.changes import registrations_between, ward_changes
from tests.conftest import CENTRE


@pytest.fixture
def registry(camera_factory):
    lat, lon = CENTRE
    rows = [
        # before the window: not added in it
        {"registered_at": date(2026, 9, 1), "camera_count": 4},
        # first and last day of the window are both inside
        {"registered_at": date(2026, 10, 3), "camera_count": 2},
        {"registered_at": date(2026, 11, 1), "camera_count": 3},
        # registered and withdrawn inside the window: added 1, withdrawn 1
        {
            "registered_at": date(2026, 10, 10),
            "camera_count": 1,
            "status": "withdrawn",
            "withdrawn_at": date(2026, 10, 20),
        },
        # registered earlier, withdrawn inside: withdrawn 5
        {
            "registered_at": date(2025, 1, 1),
            "camera_count": 5,
            "status": "withdrawn",
            "withdrawn_at": date(2026, 10, 5),
        },
        # after the window end: ignored
        {"registered_at": date(2026, 11, 2), "camera_count": 7},
    ]
    return camera_factory([{"latitude": lat, "longitude": lon, **r} for r in rows])


def test_registrations_between_counts_both_ends_and_withdrawals(registry):
    got = registrations_between(registry, date(2026, 10, 3), date(2026, 11, 1))
    assert got["cameras_added"] == 2 + 3 + 1
    assert got["sites_added"] == 3
    assert got["cameras_withdrawn"] == 1 + 5
    assert got["sites_withdrawn"] == 2
    assert got["cameras_net"] == 0


def test_registrations_between_refuses_a_reversed_window(registry):
    with pytest.raises(ValueError, match="`start` was 2026-11-01"):
        registrations_between(registry, date(2026, 11, 1), date(2026, 10, 1))


def test_ward_changes_subtracts_before_from_now():
    now = pd.DataFrame(
        {
            "ward_id": ["1", "2"],
            "ward_name": ["North", "South"],
            "cameras": [10, 4],
            "weighted_incident_coverage_share": [0.30, 0.10],
        }
    )
    before = pd.DataFrame(
        {
            "ward_id": ["1"],
            "ward_name": ["North"],
            "cameras": [8],
            "weighted_incident_coverage_share": [0.25],
        }
    )
    out = ward_changes(now, before).set_index("ward_id")
    assert out.loc["1", "cameras_change"] == 2
    assert out.loc["1", "weighted_incident_coverage_share_change"] == pytest.approx(
        0.05
    )
    # a ward missing before counts as zero then
    assert out.loc["2", "cameras_before"] == 0
    assert out.loc["2", "cameras_change"] == 4
    assert "cameras_per_km2_change" not in out  # only measures both tables have


def test_ward_changes_needs_ward_ids():
    with pytest.raises(KeyError, match="'ward_id'"):
        ward_changes(pd.DataFrame({"x": [1]}), pd.DataFrame({"ward_id": []}))
