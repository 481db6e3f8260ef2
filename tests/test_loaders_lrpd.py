"""LRPD open-data incident exports load exactly as downloaded, in every layout.

The fixtures in tests/data/lrpd/ hold the same 24 hand-listed incidents
(tests/data/make_lrpd_fixtures.py): rows 5 and 18 have no coordinates anywhere,
row 20 is in Conway (outside the city), row 12 has coordinates only in
`Location 1`, rows 14-15 are one incident with two offences, row 9 is in CW.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from analytics.loaders import load_incidents

LAYOUTS = ("lrpd_current.csv", "lrpd_older.csv", "lrpd_rsave.csv", "lrpd_api.csv")


@pytest.fixture(params=LAYOUTS)
def lrpd(request, city, data_dir):
    return load_incidents(data_dir / "lrpd" / request.param, city)


@pytest.mark.parametrize(
    ("layout", "fixes"),
    [
        ("lrpd_current.csv", ["byte-order mark removed"]),
        ("lrpd_older.csv", ["byte-order mark removed"]),
        ("lrpd_rsave.csv", ["ignored the unnamed row-number column"]),
        ("lrpd_api.csv", []),
    ],
)
def test_layout_fixes_reported(city, data_dir, layout, fixes):
    path = data_dir / "lrpd" / layout
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fixes are returned, never warned
        result = load_incidents(path, city)
    assert result.warnings[:-1] == [f"{path}: {fix}" for fix in fixes]
    alias = result.warnings[-1]
    assert "read columns by alias:" in alias
    assert " as incident_id" in alias
    location = "'Location.1'" if layout == "lrpd_rsave.csv" else "'Location 1'"
    if layout == "lrpd_api.csv":
        location = "'location_1'"
    assert alias.endswith(f"then {location}")


def test_every_row_accounted_for(lrpd):
    assert lrpd.rows_read == 24
    # incident 2018-035990 has two rows, robbery and aggravated assault: one
    # incident with two offences, its second row folded into the first
    assert len(lrpd.accepted) == 20
    assert lrpd.folded == 1
    assert len(lrpd.quarantined) == 3
    assert lrpd.rows_read == len(lrpd.accepted) + lrpd.folded + len(lrpd.quarantined)
    assert any("1 row is another offence of an incident" in n for n in lrpd.notes)


def test_quarantine_reasons_and_row_numbers(lrpd):
    q = lrpd.quarantined
    assert q["row_number"].tolist() == [5, 18, 20]
    assert q["reason"].tolist() == [
        "missing coordinates",
        "missing coordinates",
        "outside the city extent",
    ]
    assert lrpd.reasons == {"missing coordinates": 2, "outside the city extent": 1}


def test_quarantined_rows_keep_original_columns(lrpd):
    q = lrpd.quarantined
    number_col = next(c for c in q.columns if c.lower() == "incident_number")
    assert q[number_col].tolist() == ["2018-035700", "2018-036066", "2018-036123"]


def test_coordinates_recovered_from_location_text(lrpd):
    row = lrpd.accepted.set_index("incident_id").loc["2018-035920"]
    assert row["latitude"] == pytest.approx(34.780233)
    assert row["longitude"] == pytest.approx(-92.405621)
    assert row.geometry.x == pytest.approx(-92.405621)


def test_fields_parsed(lrpd):
    acc = lrpd.accepted
    first = acc.iloc[0]
    assert first["incident_id"] == "2018-035460"
    assert first["occurred_at"] == pd.Timestamp("2018-03-26 06:59:00")
    assert first["offense_code"] == "13A"
    assert first["category"] == "violent"
    assert first["district"] == "61"
    by_id = acc.groupby("incident_id")["offense_code"].apply(list)
    # two offences, one incident: counted once, as its robbery (listed first of
    # two violent offences)
    assert by_id["2018-035990"] == ["120"]
    # vandalism (NIBRS 290) is a crime against property
    assert acc.loc[acc["offense_code"] == "290", "category"].tolist() == ["property"]
    assert acc.loc[acc["offense_code"] == "290", "district"].tolist() == ["CW"]
    assert acc.loc[acc["incident_id"] == "2018-035501", "occurred_at"].iloc[
        0
    ] == pd.Timestamp("2018-03-26 14:05:00")
    assert acc.crs.to_epsg() == 4326


def test_category_counts(lrpd):
    # accepted rows (all but 5, 18, 20, and 2018-035990's second offence, 13A):
    # violent 13A x3, 09A, 11A, 120 x2 -> 7;
    # property 23C x2, 220 x3, 23F, 240, 23H x2, 23D, 23A, 23G, 290 (vandalism,
    # a NIBRS crime against property) -> 13
    counts = lrpd.accepted["category"].value_counts().to_dict()
    assert counts == {"property": 13, "violent": 7}
