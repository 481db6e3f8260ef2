"""Bad-input corpus: malformed and hostile files, each with its expected outcome.

Every case either raises LoadError with a clear message naming the file, or
loads with the expected quarantine reasons; rows read = accepted + quarantined
holds for all of them.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from analytics.loaders import LoadError, load_cameras, load_incidents

CAM = "camera_id,latitude,longitude,tier,owner_type,camera_count,registered_at"
INC = "incident_id,occurred_at,offense_code,latitude,longitude"


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _geojson(features: list[dict], **extra) -> bytes:
    doc = {"type": "FeatureCollection", "features": features, **extra}
    return json.dumps(doc).encode()


def _feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [-92.31, 34.73],
            [-92.29, 34.73],
            [-92.29, 34.75],
            [-92.31, 34.75],
            [-92.31, 34.73],
        ]
    ],
}

# (id, kind, file name, content, error match) -> LoadError
UNUSABLE = [
    ("empty", "cameras", "empty.csv", b"", "the file is empty"),
    ("blank_lines_and_bom", "cameras", "blank.csv", b"\xef\xbb\xbf\r\n \n", "empty"),
    (
        "binary_garbage",
        "cameras",
        "cams.csv",
        bytes(range(256)) * 8,
        "binary content",
    ),
    (
        "control_characters",
        "incidents",
        "inc.csv",
        b"\x01\x02\x03\x04\x05\x06\x07\x08" * 50,
        "binary content",
    ),
    (
        "json_not_geojson",
        "cameras",
        "cams.json",
        b'{"hello": "world", "cameras": 3}',
        "JSON but not GeoJSON.*'cameras', 'hello'",
    ),
    ("json_list_of_numbers", "cameras", "cams.json", b"[1, 2, 3]", "not GeoJSON"),
    ("broken_json", "cameras", "cams.geojson", b'{"type": "Feat', "does not parse"),
    (
        "no_location_columns",
        "cameras",
        "cams.csv",
        _csv("camera_id,address,owner", "A,1 Main St,Ann"),
        r"no location columns.*\['camera_id', 'address', 'owner'\]",
    ),
    (
        "projected_xy_only",
        "incidents",
        "inc.csv",
        # UTM metres: read as the city's state plane feet they miss the city
        _csv("id,date,X,Y", "1,2024-01-01,567000.5,3844000.2"),
        "projected values.*EPSG:3433 they fall outside the city",
    ),
    (
        "html_error_page",
        "cameras",
        "cams.csv",
        b"<html><body><h1>502 Bad Gateway</h1></body></html>\n",
        "no location columns",
    ),
    (
        "parquet_name_csv_content",
        "cameras",
        "cams.parquet",
        _csv("id,lat,lon", "A,34.7,-92.3"),
        "the name says .parquet",
    ),
    (
        "xlsx_spreadsheet",
        "cameras",
        "cams.xlsx",
        b"PK\x03\x04" + b"\x14\x00\x06\x00" + b"\x00" * 60,
        "an Excel workbook: save the sheet as CSV",
    ),
    (
        "legacy_xls_renamed_csv",
        "incidents",
        "export.csv",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "an Excel workbook",
    ),
    (
        "zip_that_is_not_a_shapefile",
        "cameras",
        "cams.zip",
        b"PK\x03\x04" + b"\x14\x00\x06\x00" + b"\x00" * 60,
        "not a readable zip file",
    ),
    (
        "incidents_without_dates",
        "incidents",
        "inc.csv",
        _csv("incident_id,latitude,longitude", "1,34.74,-92.33"),
        "no date column",
    ),
]


@pytest.mark.parametrize(
    ("kind", "name", "content", "match"),
    [case[1:] for case in UNUSABLE],
    ids=[case[0] for case in UNUSABLE],
)
def test_unusable_file_raises_one_clear_error(city, kind, name, content, match):
    loader = load_cameras if kind == "cameras" else load_incidents
    with pytest.raises(LoadError, match=match) as info:
        loader(content, city, name=name)
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message


# (id, kind, name, content, accepted, reasons)
ROWS = [
    ("header_only", "cameras", "cams.csv", _csv(CAM), 0, {}),
    (
        "swapped_lat_lon",
        "cameras",
        "cams.csv",
        _csv(CAM, "A,-92.33,34.74,registered,business,1,2024-09-01"),
        1,
        {},
    ),
    (
        "zero_zero",
        "cameras",
        "cams.csv",
        _csv(CAM, "A,0,0,registered,business,1,2024-09-01", "B,0.0,0.0,1,home,1,"),
        0,
        {"coordinates are (0, 0)": 2},
    ),
    (
        "outside_extent",
        "cameras",
        "cams.csv",
        # New York; Conway AR; a projected value in the latitude column
        _csv(
            CAM,
            "A,40.71,-74.00,1,home,1,",
            "B,35.09,-92.44,1,home,1,",
            "C,152000,-92.3,1,home,1,",
        ),
        0,
        {"outside the city extent": 3},
    ),
    (
        "na_coordinates",
        "cameras",
        "cams.csv",
        _csv(CAM, "A,N/A,N/A,1,home,1,", "B,NA,NA,1,home,1,", "C,,,1,home,1,"),
        0,
        {"missing coordinates": 3},
    ),
    (
        "garbage_coordinates",
        "cameras",
        "cams.csv",
        # "34.7N, 92.3W" is a coordinate with hemisphere letters: it parses
        _csv(CAM, "A,north,west,1,home,1,", "B,34.7N,92.3W,1,home,1,"),
        1,
        {"unparseable coordinates": 1},
    ),
    (
        "location_string_garbage",
        "incidents",
        "inc.csv",
        _csv(
            "INCIDENT_NUMBER,INCIDENT_DATE,LATITUDE,LONGITUDE,Location 1",
            '1,01/02/2024 10:00:00 AM,,,"(foo, bar)"',
            '2,01/02/2024 10:00:00 AM,,,"1 MAIN ST\nLITTLE ROCK, AR"',
            '3,01/02/2024 10:00:00 AM,,,"(34.74, -92.33)"',
        ),
        1,
        {"unparseable coordinates": 1, "missing coordinates": 1},
    ),
    (
        "bad_dates",
        "cameras",
        "cams.csv",
        _csv(
            CAM,
            "A,34.74,-92.33,1,home,1,2024-13-45",
            "B,34.74,-92.33,1,home,1,yesterday",
            "C,34.74,-92.33,1,home,1,02/30/2024",
            "D,34.74,-92.33,1,home,1,2099-01-01",
            "E,34.74,-92.33,1,home,1,",
        ),
        1,
        {"bad date": 3, "date in the future": 1},
    ),
    (
        "incident_missing_date_and_id",
        "incidents",
        "inc.csv",
        _csv(INC, "1,,13A,34.74,-92.33", ",2024-01-01,13A,34.74,-92.33"),
        0,
        {"missing date": 1, "missing id": 1},
    ),
    (
        "duplicate_ids",
        "cameras",
        "cams.csv",
        _csv(
            CAM,
            "A,34.74,-92.33,1,home,1,",
            "A,34.75,-92.34,1,home,1,",
            "1001.0,34.74,-92.33,1,home,1,",
            "1001,34.74,-92.33,1,home,1,",
        ),
        2,
        {"duplicate id": 2},
    ),
    (
        "duplicate_incident_offence",
        "incidents",
        "inc.csv",
        # same incident, two offences: one incident (its robbery, listed first
        # of two violent offences, is kept); the exact repeat (a second victim)
        # is folded, not quarantined; the same incident and offence at another
        # place is a conflict
        _csv(
            INC,
            "2024-1,2024-01-01,120,34.74,-92.33",
            "2024-1,2024-01-01,13A,34.74,-92.33",
            "2024-1,2024-01-01,13A,34.74,-92.33",
            "2024-1,2024-01-01,13A,34.75,-92.33",
        ),
        1,
        {"incident number and offence repeated at another place or time": 1},
    ),
    (
        "bad_camera_counts",
        "cameras",
        "cams.csv",
        _csv(
            CAM,
            "A,34.74,-92.33,1,home,-2,",
            "B,34.74,-92.33,1,home,0,",
            "C,34.74,-92.33,1,home,2.5,",
            "D,34.74,-92.33,1,home,many,",
            "E,34.74,-92.33,1,home,3.0,",
        ),
        1,
        {"camera count is not a positive whole number": 4},
    ),
    (
        "unknown_tier_owner_status",
        "cameras",
        "cams.csv",
        _csv(
            CAM + ",status",
            "A,34.74,-92.33,platinum,home,1,,active",
            "B,34.74,-92.33,1,martian,1,,active",
            "C,34.74,-92.33,1,home,1,,maybe",
        ),
        1,  # B: an unknown owner type is kept, as residential (fail closed)
        {"unknown tier": 1, "unknown status": 1},
    ),
    (
        "ragged_rows",
        "cameras",
        "cams.csv",
        _csv(
            CAM,
            "A,34.74,-92.33,1,home,1,2024-01-01",
            "B,34.74,-92.33,1,home,1,2024-01-01,extra,fields",
            "C,34.74,-92.33",
        ),
        1,
        {
            "ragged row: more fields than the header": 1,
            "ragged row: fewer fields than the header": 1,
        },
    ),
    (
        "geojson_polygons",
        "cameras",
        "cams.geojson",
        _geojson(
            [_feature(SQUARE, id="P1", tier="1"), _feature(SQUARE, id="P2", tier="1")]
        ),
        2,
        {},
    ),
    (
        "geojson_null_and_broken_geometry",
        "cameras",
        "cams.geojson",
        _geojson(
            [
                _feature(None, id="N1"),
                _feature({"type": "Point", "coordinates": ["a", "b"]}, id="N2"),
                _feature({"type": "Point", "coordinates": [-92.3, 34.7]}, id="N3"),
            ]
        ),
        1,
        {"missing coordinates": 1, "unparseable coordinates": 1},
    ),
    (
        "crlf_line_endings",
        "cameras",
        "cams.csv",
        (CAM + "\r\nA,34.74,-92.33,1,home,1,2024-01-01\r\n").encode(),
        1,
        {},
    ),
    (
        "stray_carriage_return_in_ragged_file",
        "cameras",
        "cams.csv",
        (CAM + "\nA,34.74,-92.33,1,home,1,2024-01-01\nB,34.7\r4\nC,34.74\n").encode(),
        1,
        {"ragged row: fewer fields than the header": 3},
    ),
    (
        "semicolon_delimited",
        "cameras",
        "cams.csv",
        _csv(CAM.replace(",", ";"), "A;34.74;-92.33;1;home;1;2024-01-01"),
        1,
        {},
    ),
]


@pytest.mark.parametrize(
    ("kind", "name", "content", "accepted", "reasons"),
    [case[1:] for case in ROWS],
    ids=[case[0] for case in ROWS],
)
def test_rows_quarantined_with_expected_reasons(
    city, kind, name, content, accepted, reasons
):
    loader = load_cameras if kind == "cameras" else load_incidents
    result = loader(content, city, name=name)
    assert result.reasons == reasons
    assert len(result.accepted) == accepted
    assert result.rows_read == (
        len(result.accepted) + result.folded + len(result.quarantined)
    )
    assert result.quarantined["row_number"].is_unique


def test_ragged_long_row_keeps_its_extra_fields(city):
    content = _csv(CAM, "B,34.74,-92.33,1,home,1,2024-01-01,extra,fields")
    result = load_cameras(content, city, name="cams.csv")
    row = result.quarantined.iloc[0]
    assert row["extra_fields"] == "extra,fields"
    assert row["camera_id"] == "B"
    assert row["row_number"] == 1


def test_hostile_text_kept_verbatim(city):
    owner = "<script>alert('x')</script>"
    address = '=HYPERLINK("http://evil.example","click")'
    content = _csv(
        CAM + ",owner_name,address",
        f'A,34.74,-92.33,1,home,1,,{owner},"{address.replace(chr(34), chr(34) * 2)}"',
        "B,34.74,-92.33,1,home,1,,@SUM(1+1),+1-555",
    )
    result = load_cameras(content, city, name="cams.csv")
    acc = result.accepted
    assert acc["owner_name"].tolist() == [owner, "@SUM(1+1)"]
    assert acc["address"].tolist() == [address, "+1-555"]
    assert result.reasons == {}


def test_byte_order_mark_removed_with_warning(city):
    content = b"\xef\xbb\xbf" + _csv(CAM, "A,34.74,-92.33,1,home,1,2024-01-01")
    result = load_cameras(content, city, name="bom.csv")
    assert any("byte-order mark removed" in fix for fix in result.warnings), (
        result.warnings
    )
    assert result.accepted["camera_id"].tolist() == ["A"]


def test_latin1_file_decoded(city):
    content = (
        CAM + ",owner_name\nA,34.74,-92.33,1,business,1,2024-01-01,Café Olé\n"
    ).encode("latin-1")
    result = load_cameras(content, city, name="latin1.csv")
    assert any("not UTF-8" in f for f in result.warnings)
    assert result.accepted["owner_name"].tolist() == ["Café Olé"]


def test_surrounding_whitespace_stripped(city):
    content = _csv(CAM, "  A  , 34.74 ,-92.33 , Option 2 , Business ,  2 , 2024-01-01 ")
    result = load_cameras(content, city, name="ws.csv")
    assert any("whitespace removed from 7 cells" in f for f in result.warnings)
    cam = result.accepted.iloc[0]
    assert cam["camera_id"] == "A"
    assert cam["tier"] == "integrated"
    assert cam["owner_type"] == "business"
    assert cam["camera_count"] == 2


@pytest.mark.filterwarnings("ignore:poly.geojson. read columns")
def test_polygons_warn_and_use_centroid(city):
    props = {"id": "P1", "tier": "1", "owner_type": "home", "registered_at": "2024-1-2"}
    content = _geojson([_feature(SQUARE, **props)])
    result = load_cameras(content, city, name="poly.geojson")
    assert any("polygon geometry, not a point" in f for f in result.warnings)
    cam = result.accepted.iloc[0]
    assert cam["longitude"] == pytest.approx(-92.30)
    assert cam["latitude"] == pytest.approx(34.74)


def test_first_reason_wins_in_documented_order(city):
    # row 1: outside the extent and an unknown tier -> the location problem
    # row 2: bad date and unknown owner -> the date problem
    # row 3: unknown status and a zero count -> the status problem
    content = _csv(
        CAM + ",status",
        "A,40.7,-74.0,platinum,home,1,2024-01-01,active",
        "B,34.74,-92.33,1,martian,1,not a date,active",
        "C,34.74,-92.33,1,home,0,2024-01-01,maybe",
    )
    result = load_cameras(content, city, name="cams.csv")
    assert result.quarantined["reason"].tolist() == [
        "outside the city extent",
        "bad date",
        "unknown status",
    ]


def _corrupted_copies(data: bytes, seed: int) -> list[bytes]:
    """Truncated copies and copies with a few random bytes replaced."""
    rng = random.Random(seed)
    copies = [data[: len(data) * k // 4] for k in (1, 2, 3)]
    for _ in range(3):
        b = bytearray(data)
        for _ in range(4):
            b[rng.randrange(len(b))] = rng.randrange(256)
        copies.append(bytes(b))
    return copies


FIXTURES = sorted(
    p
    for p in (Path(__file__).parent / "data").rglob("*")
    if p.is_file() and p.suffix in (".csv", ".geojson")
)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_corrupted_fixtures_load_or_raise_load_error(city, path):
    for i, data in enumerate(_corrupted_copies(path.read_bytes(), seed=len(path.name))):
        for loader in (load_cameras, load_incidents):
            try:
                result = loader(data, city, name=path.name)
            except LoadError as exc:
                message = str(exc)
            else:
                message = None
            if message is not None:
                assert message.startswith(f"{path.name}: "), (i, message)
                continue
            assert result.rows_read == (
                len(result.accepted) + result.folded + len(result.quarantined)
            )
