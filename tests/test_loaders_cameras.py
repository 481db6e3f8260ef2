"""Camera registries and camera lists in every accepted format and alias."""

from __future__ import annotations

import io
import json
import math
import warnings
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analytics.loaders import load_cameras
from analytics.schema import CAMERA_COLUMNS

HEADER = (
    "camera_id,latitude,longitude,tier,owner_type,camera_count,registered_at,status"
)


def load(city, text: str | bytes, name: str = "cams.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_cameras(data, city, name=name)


def test_canonical_registry_round_trip(city):
    text = (
        HEADER + ",address,owner_name,contact_phone,contact_email,direction_deg,"
        "fov_deg,range_m,camera_type,mount,verified_at,retention_days\n"
        "C1,34.7400,-92.3300,integrated,business,4,2024-09-01,active,"
        "1 Main St,Ann's Deli,501-555-0100,ann@example.org,135,50,40,fixed,wall,"
        "2024-10-01,30\n"
        "C2,34.7500,-92.3000,registered,residential,1,2024-08-06,withdrawn,"
        ",,,,90-270,,,dome,,,\n"
    )
    result = load(city, text)
    acc = result.accepted
    assert list(acc.columns) == [*CAMERA_COLUMNS, "geometry"]
    assert acc.crs.to_epsg() == 4326
    assert result.rows_read == 2
    assert result.warnings == []  # canonical names, nothing to fix
    c1, c2 = acc.iloc[0], acc.iloc[1]
    assert c1["camera_id"] == "C1"
    assert (c1["latitude"], c1["longitude"]) == (34.74, -92.33)
    assert c1.geometry.equals(shapely.Point(-92.33, 34.74))
    assert c1["tier"] == "integrated"
    assert c1["camera_count"] == 4
    assert c1["registered_at"] == date(2024, 9, 1)
    assert c1["verified_at"] == date(2024, 10, 1)
    assert c1["retention_days"] == 30
    assert c1["fov_deg"] == 50.0
    assert c1["range_m"] == 40.0
    assert c1["direction_deg"] == "135"
    assert c1["owner_name"] == "Ann's Deli"
    assert c2["status"] == "withdrawn"
    assert c2["direction_deg"] == "90-270"
    assert pd.isna(c2["owner_name"])
    assert pd.isna(c2["retention_days"])
    assert c1["source"] == "cams.csv"


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("id,lat,lon", "A,34.74,-92.33"),
        ("ID,LAT,LNG", "A,34.74,-92.33"),
        ("Camera ID,Latitude,Longitude", "A,34.74,-92.33"),
        ("camera_id,y,x", "A,34.74,-92.33"),
        ("camera_id,location", 'A,"(34.74, -92.33)"'),
        (
            "camera_id,Location 1",
            'A,"1 MAIN ST\nLITTLE ROCK, AR 72201\n(34.74, -92.33)"',
        ),
        ("camera_id,wkt", "A,POINT (-92.33 34.74)"),
        ("camera_id,geom", "A,SRID=4326;POINT(-92.33 34.74)"),
        ("  camera_id , lat , lon ", "  A , 34.74 , -92.33 "),
    ],
)
def test_location_aliases(city, header, row):
    result = load(city, f"{header}\n{row}\n")
    assert len(result.accepted) == 1, result.quarantined
    cam = result.accepted.iloc[0]
    assert cam["camera_id"] == "A"
    assert cam["latitude"] == pytest.approx(34.74)
    assert cam["longitude"] == pytest.approx(-92.33)


def test_projected_xy_beside_degrees_is_ignored(city):
    text = "id,X,Y,LATITUDE,LONGITUDE\nA,1221000.5,152000.25,34.74,-92.33\n"
    cam = load(city, text).accepted.iloc[0]
    assert (cam["latitude"], cam["longitude"]) == (34.74, -92.33)


@pytest.mark.parametrize(
    ("value", "tier"),
    [
        ("Option 1", "registered"),
        ("option-2", "integrated"),
        ("Location only", "registered"),
        ("LIVE", "integrated"),
        ("Fusus", "integrated"),
        ("integrated", "integrated"),
        ("", "registered"),
    ],
)
def test_tier_aliases(city, value, tier):
    result = load(city, f"id,lat,lon,tier,owner_type\nA,34.74,-92.33,{value},home\n")
    assert result.accepted["tier"].tolist() == [tier]


@pytest.mark.parametrize(
    ("value", "owner"),
    [
        ("home", "residential"),
        ("Residence", "residential"),
        ("commercial", "business"),
        ("City", "public"),
        ("government", "public"),
        ("school", "institutional"),
        ("Church", "institutional"),
        ("hospital", "institutional"),
        ("Business", "business"),
    ],
)
def test_owner_aliases(city, value, owner):
    result = load(city, f"id,lat,lon,tier,owner_type\nA,34.74,-92.33,1,{value}\n")
    assert result.accepted["owner_type"].tolist() == [owner]


def test_city_camera_list_defaults(city, data_dir):
    result = load_cameras(data_dir / "cameras" / "city_list.csv", city)
    acc = result.accepted
    assert result.rows_read == 5
    assert len(acc) == 5
    assert acc["camera_id"].tolist() == ["1", "2", "3", "4", "5"]
    assert set(acc["tier"]) == {"registered"}
    # no owner type column: fail closed, as the most protected owner type
    assert set(acc["owner_type"]) == {"residential"}
    assert set(acc["camera_count"]) == {1}
    assert set(acc["status"]) == {"active"}
    assert acc["address"].iloc[0] == "Main St & Capitol Ave"
    assert acc["registered_at"].isna().all()
    text = " ".join(result.warnings)
    assert "no tier column" in text
    assert "no owner type column: all 5 rows treated as 'residential'" in text


def test_missing_or_unknown_owner_type_is_residential_and_counted(city):
    result = load(
        city,
        "id,lat,lon,tier,owner_type\n"
        "A,34.74,-92.33,1,business\n"
        "B,34.74,-92.33,1,\n"
        "C,34.74,-92.33,1,martian\n"
        "D,34.74,-92.33,1,Martian\n",
    )
    assert result.accepted["owner_type"].tolist() == [
        "business",
        "residential",
        "residential",
        "residential",
    ]
    text = " ".join(result.warnings)
    assert "1 row with no owner type: treated as 'residential'" in text
    assert "2 rows with an unrecognised owner type (['Martian', 'martian'])" in text


def test_geojson_crs84_float_ids(city, data_dir):
    result = load_cameras(data_dir / "cameras" / "city_list.geojson", city)
    assert result.accepted["camera_id"].tolist() == ["1001", "1002", "1003"]
    assert result.accepted["longitude"].tolist() == [-92.3441, -92.3450, -92.4600]
    assert result.quarantined["row_number"].tolist() == [4]
    assert result.quarantined["reason"].tolist() == ["missing coordinates"]
    assert result.quarantined["camera_id"].tolist() == ["1004.0"]


def test_chicago_go_live_spellings(city, data_dir):
    hyphen = load_cameras(data_dir / "cameras" / "chicago_go_live_hyphen.csv", city)
    space = load_cameras(data_dir / "cameras" / "chicago_go_live_space.csv", city)
    assert hyphen.accepted["registered_at"].tolist() == [
        date(2023, 10, 3),
        date(2023, 10, 17),
        date(2023, 11, 2),
    ]
    # third row: empty LATITUDE/LONGITUDE, coordinates from LOCATION
    assert hyphen.accepted["latitude"].iloc[2] == 34.7254
    assert space.accepted["registered_at"].tolist() == [
        date(2023, 12, 1),
        date(2024, 1, 15),
    ]
    assert space.accepted["camera_id"].tolist() == ["CHI-01", "CHI-02"]
    assert space.accepted["address"].tolist() == ["1200 S MAIN ST", "500 W MARKHAM ST"]


def test_wkt_points(city, data_dir):
    result = load_cameras(data_dir / "cameras" / "wkt_points.csv", city)
    assert result.accepted["camera_id"].tolist() == ["A1", "A2"]
    assert result.accepted["latitude"].tolist() == [34.7475, 34.7460]
    assert result.reasons == {"unparseable coordinates": 1}


def test_osm_overpass_geojson(city, data_dir):
    result = load_cameras(data_dir / "cameras" / "osm_overpass.geojson", city)
    acc = result.accepted.set_index("camera_id")
    assert list(acc.index) == [
        "node/201",
        "node/202",
        "node/203",
        "way/204",
        "node/205",
    ]
    assert acc["owner_type"].to_dict() == {
        "node/201": "public",  # surveillance=public
        "node/202": "business",  # outdoor with a company operator
        "node/203": "business",  # outdoor, no operator
        "way/204": "institutional",  # hospital operator
        "node/205": "public",  # police operator
    }
    assert acc.loc["node/202", "direction_deg"] == "SW"
    assert acc.loc["node/202", "address"] == "300 Main Street"
    assert acc.loc["node/202", "owner_name"] == "Bank of the Ozarks"
    assert acc.loc["node/201", "camera_type"] == "panning"
    assert acc.loc["node/201", "mount"] == "pole"
    assert acc.loc["node/205", "camera_type"] == "alpr"
    assert acc.loc["node/203", "registered_at"] == date(2021, 5, 1)
    # the way is a square: its centroid is the centre of the square
    assert acc.loc["way/204", "longitude"] == pytest.approx(-92.3586)
    assert acc.loc["way/204", "latitude"] == pytest.approx(34.7485)
    assert any(
        "1 row with a polygon geometry, not a point" in w for w in result.warnings
    )
    assert result.quarantined[["row_number", "reason"]].values.tolist() == [
        [6, "not a surveillance camera (OpenStreetMap tags)"]
    ]


def test_osm_overpass_csv_tab_separated(city, data_dir):
    result = load_cameras(data_dir / "cameras" / "osm_overpass.csv", city)
    acc = result.accepted.set_index("camera_id")
    assert list(acc.index) == ["node/101", "node/102", "node/103", "node/105"]
    assert acc["owner_type"].tolist() == [
        "public",
        "business",
        "business",
        "institutional",
    ]
    assert acc["direction_deg"].tolist()[1:] == ["NE", "90-270", "135"]
    assert acc.loc["node/103", "mount"] == "ceiling"
    assert result.reasons == {"not a surveillance camera (OpenStreetMap tags)": 1}
    assert result.quarantined["row_number"].tolist() == [4]


def _toy_gdf(crs="EPSG:4326"):
    gdf = gpd.GeoDataFrame(
        {
            "camera_id": ["G1", "G2"],
            "tier": ["option 2", "option 1"],
            "owner_type": ["business", "home"],
            "camera_count": [3, 1],
        },
        geometry=[shapely.Point(-92.30, 34.74), shapely.Point(-92.35, 34.70)],
        crs="EPSG:4326",
    )
    return gdf.to_crs(crs)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:26915"])
def test_geopackage_reprojected(city, tmp_path, crs):
    path = tmp_path / "cams.gpkg"
    _toy_gdf(crs).to_file(path, driver="GPKG")
    result = load_cameras(path, city)
    acc = result.accepted
    assert acc["camera_id"].tolist() == ["G1", "G2"]
    assert acc["tier"].tolist() == ["integrated", "registered"]
    assert acc["owner_type"].tolist() == ["business", "residential"]
    assert acc["camera_count"].tolist() == [3, 1]
    assert acc["longitude"].tolist() == pytest.approx([-92.30, -92.35], abs=1e-7)
    assert acc["latitude"].tolist() == pytest.approx([34.74, 34.70], abs=1e-7)


def test_geoparquet_and_plain_parquet(city, tmp_path):
    geo = tmp_path / "cams.parquet"
    _toy_gdf().to_parquet(geo)
    plain = tmp_path / "plain.parquet"
    frame = pd.DataFrame(_toy_gdf().drop(columns="geometry"))
    frame["lat"], frame["lon"] = [34.74, 34.70], [-92.30, -92.35]
    frame.to_parquet(plain)
    for path in (geo, plain):
        acc = load_cameras(path, city).accepted
        assert acc["camera_id"].tolist() == ["G1", "G2"]
        assert acc["latitude"].tolist() == pytest.approx([34.74, 34.70])
        assert acc["camera_count"].tolist() == [3, 1]


def test_bytes_and_file_object_sources(city):
    text = f"{HEADER}\nA,34.74,-92.33,registered,business,1,2024-09-01,active\n"
    from_bytes = load(city, text)
    from_file = load_cameras(io.BytesIO(text.encode()), city, name="up.csv")
    assert from_bytes.accepted["camera_id"].tolist() == ["A"]
    assert from_file.accepted["camera_id"].tolist() == ["A"]
    assert from_file.source == "up.csv"


def test_swapped_coordinates_fixed_with_warning(city):
    text = "id,lat,lon,tier,owner_type\nA,-92.33,34.74,1,home\nB,34.75,-92.30,1,home\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fixes are returned, never warned
        result = load_cameras(text.encode(), city, name="swap.csv")
    assert result.warnings == [
        "swap.csv: 1 row with latitude and longitude swapped: swapped back",
        "swap.csv: no registration date column: registered_at left empty",
        "swap.csv: read columns by alias: 'id' as camera_id; coordinates from "
        "'lat'/'lon'",
    ]
    acc = result.accepted
    assert acc["latitude"].tolist() == [34.74, 34.75]
    assert acc["longitude"].tolist() == [-92.33, -92.30]
    assert acc.geometry.iloc[0].equals(shapely.Point(-92.33, 34.74))


def test_withdrawal_date_without_status_means_withdrawn(city):
    text = "id,lat,lon,withdrawn_at\nA,34.74,-92.33,2025-02-01\nB,34.75,-92.30,\n"
    acc = load(city, text).accepted
    assert acc["status"].tolist() == ["withdrawn", "active"]
    assert acc["withdrawn_at"].tolist()[0] == date(2025, 2, 1)


def test_overpass_api_json(city):
    doc = {
        "version": 0.6,
        "generator": "Overpass API",
        "elements": [
            {
                "type": "node",
                "id": 301,
                "lat": 34.7401,
                "lon": -92.3301,
                "tags": {
                    "man_made": "surveillance",
                    "surveillance": "public",
                    "camera:direction": "NE",
                },
            },
            {
                "type": "way",
                "id": 302,
                "center": {"lat": 34.7502, "lon": -92.3002},
                "tags": {"man_made": "surveillance", "surveillance": "outdoor"},
            },
        ],
    }
    result = load(city, json.dumps(doc), name="export.json")
    acc = result.accepted
    assert acc["camera_id"].tolist() == ["node/301", "way/302"]
    assert acc["latitude"].tolist() == [34.7401, 34.7502]
    assert acc["longitude"].tolist() == [-92.3301, -92.3002]
    assert acc["owner_type"].tolist() == ["public", "business"]
    assert acc["direction_deg"].tolist()[0] == "NE"


def test_geojson_with_projected_crs_member(city):
    # Web Mercator by its formula: x = R * lon, y = R * ln(tan(pi/4 + lat/2))
    radius = 6_378_137.0
    lon, lat = -92.33, 34.74
    x = radius * math.radians(lon)
    y = radius * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"camera_id": "M1", "tier": "1", "owner_type": "home"},
                "geometry": {"type": "Point", "coordinates": [x, y]},
            }
        ],
    }
    cam = load(city, json.dumps(doc), name="mercator.geojson").accepted.iloc[0]
    assert cam["longitude"] == pytest.approx(lon, abs=1e-9)
    assert cam["latitude"] == pytest.approx(lat, abs=1e-9)
