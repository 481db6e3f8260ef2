"""Real exports, round four: layouts from REFERENCE.md no earlier fixture had.

State-plane GeoJSON without a ``crs`` member, European CSVs (``;`` and decimal
commas), intersections without a house number, hemisphere letters, dates with
time zone names, and the rows spreadsheets leave behind (blank rows, a header
pasted again, a totals line). Fixtures in tests/data/real4/ (written by
make_real4.py); every expected count is worked out by hand from them.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from analytics.cli import main
from analytics.geocode import parse_intersection
from analytics.intersections import meeting_point
from analytics.loaders import LoadError, load_cameras, load_incidents
from analytics.validation import parse_coordinate, parse_datetimes


@pytest.fixture
def r4(data_dir):
    return data_dir / "real4"


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- 1. state plane feet in a GeoJSON without `crs` -----------------------------
def test_stateplane_geojson_without_crs_is_read_in_the_city_state_plane(city, r4):
    result = load_incidents(r4 / "stateplane_no_crs.geojson", city)
    # 4 features: 3 points in Arkansas North feet, 1 without geometry (a rape)
    assert (result.rows_read, len(result.accepted)) == (4, 3)
    assert result.reasons == {"missing coordinates": 1}
    acc = result.accepted.set_index("incident_id")
    # the points were written from these degrees (make_real4.py), to 0.01 ft
    assert acc.loc["2021-000101", "latitude"] == pytest.approx(34.7465, abs=1e-6)
    assert acc.loc["2021-000101", "longitude"] == pytest.approx(-92.2896, abs=1e-6)
    assert acc.loc["2021-000103", "longitude"] == pytest.approx(-92.4180, abs=1e-6)
    assert any(
        "the geometry's coordinates hold projected values and the file names no "
        "CRS: read as EPSG:3433 (NAD83 / Arkansas North (ftUS)"
        in w
        and "3 of 3 points then fall inside the city" in w
        for w in result.warnings
    )


def test_stateplane_geojson_without_a_city_crs_keeps_the_projected_note(city, r4):
    plain = dataclasses.replace(city, state_plane_crs=None)
    result = load_incidents(r4 / "stateplane_no_crs.geojson", plain)
    assert result.reasons == {"outside the city extent": 3, "missing coordinates": 1}
    assert "projected coordinates" in result.notes[0]


def test_geojson_in_another_state_plane_is_not_moved_into_the_city(city):
    # Arkansas South feet (EPSG:3434) of downtown Little Rock: y is ~ 1.9e6 ft
    # larger than in Arkansas North; read as North it lands in Missouri (40.0 N)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"incident_number": "S-1", "incident_date": "2021-03-02"},
                "geometry": {"type": "Point", "coordinates": [1225331.62, 2069300.94]},
            }
        ],
    }
    result = load_incidents(json.dumps(doc).encode(), city, name="south.geojson")
    assert result.reasons == {"outside the city extent": 1}
    assert not any("EPSG:3433" in w for w in result.warnings)


# --- 2. European CSV: `;` and decimal commas ----------------------------------
def test_european_csv_with_decimal_commas_loads(city, r4):
    result = load_cameras(r4 / "european_semicolon.csv", city)
    # 4 rows: 3 good (one with a quoted ';' in its location), 1 latitude "abc"
    assert (result.rows_read, len(result.accepted)) == (4, 3)
    assert result.quarantined[["row_number", "reason"]].values.tolist() == [
        [4, "unparseable coordinates"]
    ]
    acc = result.accepted.set_index("camera_id")
    assert acc.loc["EU-1", "latitude"] == 34.7455
    assert acc.loc["EU-1", "longitude"] == -92.2733
    assert acc.loc["EU-3", "address"] == "Kanis Rd; Gate 2"
    # dotted dates are day first: 01.04.2024 is 1 April
    assert str(acc.loc["EU-2", "registered_at"]) == "2024-04-01"


def test_validate_european_csv_exit_code_and_counts(capsys, r4):
    code, out, _ = run_cli(
        capsys, "validate", "cameras", r4 / "european_semicolon.csv", "--json"
    )
    data = json.loads(out)
    assert code == 1
    assert (data["rows_read"], data["accepted"], data["quarantined"]) == (4, 3, 1)


def test_coordinates_with_commas_degree_signs_and_hemispheres():
    text = pd.Series(["34,7465", "-92,2896", "92.2896 W", "N 34.7", "34.7°S", "3,4,5"])
    values, empty, bad = parse_coordinate(text)
    assert values.tolist()[:5] == [34.7465, -92.2896, -92.2896, 34.7, -34.7]
    assert bad.tolist() == [False, False, False, False, False, True]
    assert not empty.any()


def test_hemisphere_letters_place_cameras(city, r4):
    result = load_cameras(r4 / "cameras_hemispheres.csv", city)
    # "34.7455 N, 92.2733 W", "34.7484°N", "N 34.7440 / W 92.2731", plain
    assert (result.rows_read, len(result.accepted), len(result.quarantined)) == (
        4,
        4,
        0,
    )
    assert result.accepted["longitude"].tolist() == [
        -92.2733,
        -92.2760,
        -92.2731,
        -92.2731,
    ]


# --- 3. intersections without a house number ----------------------------------
def test_intersections_placed_where_the_streets_meet(city, r4):
    result = load_incidents(
        r4 / "lrpd_intersections.csv", city, addresses=r4 / "street_points.csv"
    )
    # 6 rows: "/", "&" and "AT" intersections placed, one numbered address;
    # ELM & OAK are not in the points, BROADWAY and 7TH never come near
    assert (result.rows_read, len(result.accepted)) == (6, 4)
    assert result.quarantined[["row_number", "reason"]].values.tolist() == [
        [4, "intersection: streets not found"],
        [5, "intersection: streets not found"],
    ]
    acc = result.accepted.set_index("incident_id")
    # closest pair 700 S MAIN (34.7436, -92.2712) / 100 W 7TH (34.7438,
    # -92.2720): midpoint (34.7437, -92.2716)
    assert (
        acc.loc["2016-000501", "latitude"],
        acc.loc["2016-000501", "longitude"],
    ) == (
        34.7437,
        -92.2716,
    )
    assert acc.loc["2016-000502", "latitude"] == 34.7437
    # 1200 S BROADWAY (34.7372, -92.2807) / 600 W 12TH (34.7370, -92.2815)
    assert (
        acc.loc["2016-000503", "latitude"],
        acc.loc["2016-000503", "longitude"],
    ) == (
        34.7371,
        -92.2811,
    )
    assert result.geocoding["by_intersection"] == 3
    assert "3 intersections placed" in result.notes[-1]


def test_intersection_spellings():
    for text in ("MAIN ST / W 7TH ST", "MAIN ST & 7TH ST", "MAIN ST AND 7TH ST"):
        first, second = parse_intersection(text)
        assert (first.core, second.core) == ("MAIN", "7TH")
    first, second = parse_intersection("S BROADWAY AT W 12TH ST")
    assert (first.street, second.street) == ("S BROADWAY", "W 12TH ST")
    # a name with AND in it, and a numbered address with a cross street
    assert parse_intersection("SANDERS AND SONS RD") is None
    assert parse_intersection("300 W MARKHAM ST / S MAIN ST") is None


def test_streets_far_apart_do_not_meet():
    a = pd.DataFrame({"lat": [34.7388], "lon": [-92.2807]})
    # 0.0050 degrees of latitude north and 0.0072 east: about 880 m away
    b = pd.DataFrame({"lat": [34.7438], "lon": [-92.2735]})
    assert meeting_point(a, b) is None


# --- 4. rows spreadsheets leave behind --------------------------------------------
def test_blank_row_and_totals_line_say_what_they_are(city, r4):
    result = load_incidents(r4 / "lrpd_summary_rows.csv", city)
    # 3 incidents, then ",,,,,,,,,,,," and "Total incidents: 3,,,..."
    assert (result.rows_read, len(result.accepted)) == (5, 3)
    assert result.quarantined[["row_number", "reason"]].values.tolist() == [
        [4, "empty row"],
        [5, "a totals line, not data"],
    ]


def test_header_pasted_again_is_named(city, r4):
    result = load_incidents(r4 / "lrpd_repeated_header.csv", city)
    # two exports joined with `cat`: the second header (with its byte-order
    # mark) is data row 2
    assert (result.rows_read, len(result.accepted)) == (4, 3)
    assert result.quarantined[["row_number", "reason"]].values.tolist() == [
        [2, "the header row again"]
    ]


def test_excel_trailing_empty_rows_are_empty_rows(city, r4):
    result = load_cameras(r4 / "cameras_excel_trailing.csv", city)
    assert (result.rows_read, len(result.accepted)) == (4, 2)
    assert result.reasons == {"empty row": 2}
    assert result.accepted["owner_name"].tolist() == ["Café Roma", "Bob’s Pawn"]


def test_a_place_named_total_is_data(city):
    text = "camera_id,location,lat,lon\nTotal Wine,Total Wine & More,34.7455,-92.2733\n"
    result = load_cameras(text.encode(), city, name="cams.csv")
    assert len(result.accepted) == 1


# --- 5. dates with time zone names and weekdays -----------------------------------
def test_mixed_date_spellings_in_one_column(city, r4):
    result = load_incidents(r4 / "mixed_dates.csv", city)
    # 9 spellings of 26 Mar 2018 06:59 Little Rock time (CDT, UTC-5), one of
    # 1 Jan 2017 01:20 and one bare date
    assert (result.rows_read, len(result.accepted), len(result.quarantined)) == (
        9,
        9,
        0,
    )
    when = dict(
        zip(result.accepted["incident_id"], result.accepted["occurred_at"], strict=True)
    )
    six_59 = pd.Timestamp("2018-03-26 06:59:00")
    for key in ("M-1", "M-2", "M-3", "M-4", "M-6", "M-7", "M-9"):
        assert when[key] == six_59, key
    assert when["M-5"] == pd.Timestamp("2017-01-01 01:20:00")
    assert when["M-8"] == pd.Timestamp("2018-03-26 00:00:00")


def test_zone_names_and_javascript_dates():
    text = pd.Series(
        [
            "03/26/2018 06:59:00 AM CST",  # 12:59 UTC = 07:59 CDT
            "Mon Mar 26 2018 06:59:00 GMT-0500 (Central Daylight Time)",
            "Monday, March 26, 2018",
            "26.03.2018",
            "Sunday",
        ]
    )
    stamps, _, bad = parse_datetimes(text, "America/Chicago")
    assert stamps.tolist()[:4] == [
        pd.Timestamp("2018-03-26 07:59:00"),
        pd.Timestamp("2018-03-26 06:59:00"),
        pd.Timestamp("2018-03-26 00:00:00"),
        pd.Timestamp("2018-03-26 00:00:00"),
    ]
    assert bad.tolist() == [False, False, False, False, True]


# --- layouts that already loaded right (kept so they stay right) ----------------
def test_utf16_excel_unicode_text_camera_list(city, r4):
    result = load_cameras(r4 / "cameras_utf16_excel.txt", city)
    assert (result.rows_read, len(result.accepted)) == (3, 3)
    assert result.accepted["address"].tolist()[2] == "Café Étoile, 5th & Main"


def test_null_island_and_blank_coordinates(city, r4):
    result = load_cameras(r4 / "cameras_null_island.csv", city)
    # Z-1 good, Z-6 swapped back; 0,0 twice; blank and half blank; lat 0
    assert result.accepted["camera_id"].tolist() == ["Z-1", "Z-6"]
    assert result.quarantined[["row_number", "reason"]].values.tolist() == [
        [2, "coordinates are (0, 0)"],
        [3, "coordinates are (0, 0)"],
        [4, "missing coordinates"],
        [5, "missing coordinates"],
        [7, "outside the city extent"],
    ]


def test_pipe_delimited_three_line_locations(city, r4):
    result = load_incidents(r4 / "lrpd_pipe_multiline.csv", city)
    assert (result.rows_read, len(result.accepted)) == (2, 2)
    assert result.accepted["latitude"].tolist() == [34.733001, 34.74851]


def test_projected_xy_only_file_without_a_city_crs_is_refused(city):
    plain = dataclasses.replace(city, state_plane_crs=None)
    content = b"id,date,X,Y\n1,2024-01-01,1221000.5,152000.2\n"
    with pytest.raises(LoadError, match="projected values"):
        load_incidents(content, plain, name="inc.csv")
    # with the city's state plane the same row is placed
    placed = load_incidents(content, city, name="inc.csv").accepted
    assert placed["latitude"].iloc[0] == pytest.approx(34.7505, abs=1e-4)
