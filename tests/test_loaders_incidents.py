"""Incident exports other than LRPD's: projected X/Y beside lat/lon, UTC offsets."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from analytics.loaders import load_incidents

# fixes are checked through LoadResult.warnings where they matter here


@pytest.fixture
def stateplane(city, data_dir):
    return load_incidents(data_dir / "incidents_stateplane.csv", city)


def test_stateplane_rows_accounted_for(stateplane):
    assert stateplane.rows_read == 4
    # row 3 has only X/Y feet, read in the city's state plane (EPSG:3433);
    # row 4 has month 13
    assert stateplane.accepted["incident_id"].tolist() == [
        "2022-014001",
        "2022-070412",
        "2022-070413",
    ]
    assert stateplane.quarantined[["row_number", "reason"]].values.tolist() == [
        [4, "bad date"],
    ]
    assert any(
        "read as EPSG:3433 (NAD83 / Arkansas North (ftUS)" in w
        for w in stateplane.warnings
    )


def test_stateplane_xy_without_a_city_crs_stay_unplaced(city, data_dir):
    plain = dataclasses.replace(city, state_plane_crs=None)
    result = load_incidents(data_dir / "incidents_stateplane.csv", plain)
    # no CRS to read row 3's X/Y feet with
    assert result.quarantined[["row_number", "reason"]].values.tolist() == [
        [3, "missing coordinates"],
        [4, "bad date"],
    ]


def test_utc_offsets_become_local_time(stateplane):
    # Little Rock is UTC-6 in February (CST) and UTC-5 in July (CDT)
    assert stateplane.accepted["occurred_at"].tolist() == [
        pd.Timestamp("2022-02-03 05:17:21"),
        pd.Timestamp("2022-07-04 13:00:00"),
        pd.Timestamp("2022-07-04 18:30:00"),
    ]
    assert stateplane.accepted["occurred_at"].dt.tz is None


def test_lat_lon_preferred_over_projected_xy(stateplane):
    # X/Y place only the row without degrees: (1230000, 150000) US feet in
    # Arkansas North (origin 34 20' N, 92 W, false easting 1,312,333.333 ft) is
    # 82,333 ft west of 92 W and 150,000 ft north of the origin's parallel
    assert stateplane.accepted["latitude"].tolist()[:2] == [34.7401, 34.7469]
    assert stateplane.accepted["longitude"].tolist()[:2] == [-92.3302, -92.2883]
    assert stateplane.accepted["latitude"].iloc[2] == pytest.approx(34.74512, abs=1e-5)
    assert stateplane.accepted["longitude"].iloc[2] == pytest.approx(
        -92.27404, abs=1e-5
    )


def test_categories_from_city_codes(stateplane):
    assert stateplane.accepted["category"].tolist() == [
        "property",
        "violent",
        "property",
    ]


def test_category_column_used_when_there_is_no_code(city):
    text = (
        "id,date,category,lat,lon\n"
        "1,2024-01-01,Violent,34.74,-92.33\n"
        "2,2024-01-01,burglary,34.74,-92.33\n"
        "3,2024-01-01,,34.74,-92.33\n"
    )
    result = load_incidents(text.encode(), city, name="inc.csv")
    assert result.accepted["category"].tolist() == ["violent", "other", "other"]


def test_offense_codes_normalised(city):
    text = (
        "incident_id,occurred_at,offense_code,latitude,longitude,district\n"
        "1,2024-01-01 10:00,13a,34.74,-92.33,61.0\n"
        "2,2024-01-01 10:00,220.0,34.74,-92.33, CW \n"
    )
    acc = load_incidents(text.encode(), city, name="inc.csv").accepted
    assert acc["offense_code"].tolist() == ["13A", "220"]
    assert acc["category"].tolist() == ["violent", "property"]
    assert acc["district"].tolist() == ["61", "CW"]


def test_geojson_incidents(city):
    doc = (
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"incident_number": "2024-000001", '
        '"incident_date": "01/05/2024 11:30:00 PM", "offense_code": "120"}, '
        '"geometry": {"type": "Point", "coordinates": [-92.3, 34.7]}}]}'
    )
    acc = load_incidents(doc.encode(), city, name="inc.geojson").accepted
    assert acc["incident_id"].tolist() == ["2024-000001"]
    assert acc["occurred_at"].tolist() == [pd.Timestamp("2024-01-05 23:30:00")]
    assert acc["category"].tolist() == ["violent"]
    assert (acc["longitude"].iloc[0], acc["latitude"].iloc[0]) == (-92.3, 34.7)


def test_socrata_json_records(city):
    doc = (
        '[{"incident_number": "2024-1", "incident_date": "2024-01-05T23:30:00.000",'
        ' "offense_code": "23C", "location_1": {"latitude": "34.75", '
        '"longitude": "-92.28", "human_address": "{}"}}]'
    )
    acc = load_incidents(doc.encode(), city, name="api.json").accepted
    assert acc["incident_id"].tolist() == ["2024-1"]
    assert (acc["latitude"].iloc[0], acc["longitude"].iloc[0]) == (34.75, -92.28)
