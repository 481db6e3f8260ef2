"""Write the fixtures of tests/data/real4 (run from the repo root).

Real layouts the earlier rounds never loaded: state-plane GeoJSON without a
``crs`` member, European CSVs (``;`` and decimal commas), intersections without
a house number, Excel's UTF-16 "Unicode Text", trailing summary and blank rows,
a header repeated where two exports were pasted together, mixed date formats and
time zones, null-island and blank coordinates. Expected counts are worked out
by hand in tests/test_real_exports4.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).resolve().parent
BOM = "\ufeff"
LRPD_HEADER = (
    "INCIDENT_DATE,INCIDENT_NUMBER,LOCATION_DISTRICT,OFFENSE_CODE,"
    "OFFENSE_DESCRIPTION,WEAPON_TYPE,INCIDENT_LOCATION,CITY,STATE,ZIP,LATITUDE,"
    "LONGITUDE,Location 1"
)


def write(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def stateplane_geojson() -> None:
    """Arkansas North state plane feet (EPSG:3433), no ``crs`` member."""
    to_feet = Transformer.from_crs("EPSG:4326", "EPSG:3433", always_xy=True)
    places = [
        ("2021-000101", "03/02/2021 10:15:00 PM", "120", -92.2896, 34.7465),
        ("2021-000102", "03/03/2021 01:40:00 AM", "23F", -92.3302, 34.7401),
        ("2021-000103", "03/03/2021 11:05:00 AM", "220", -92.4180, 34.6761),
    ]
    features = []
    for number, when, code, lon, lat in places:
        x, y = to_feet.transform(lon, lat)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "INCIDENT_NUMBER": number,
                    "INCIDENT_DATE": when,
                    "OFFENSE_CODE": code,
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(x, 2), round(y, 2)],
                },
            }
        )
    features.append(
        {
            "type": "Feature",
            "properties": {
                "INCIDENT_NUMBER": "2021-000104",
                "INCIDENT_DATE": "03/04/2021 09:00:00 AM",
                "OFFENSE_CODE": "11A",
            },
            "geometry": None,
        }
    )
    doc = {"type": "FeatureCollection", "name": "incidents", "features": features}
    write("stateplane_no_crs.geojson", json.dumps(doc, indent=1) + "\n")


def european_csv() -> None:
    """Semicolon-separated, decimal commas, day-first dotted dates, BOM, CRLF."""
    rows = [
        "camera_id;location;owner_type;registration_date;lat;lon",
        "EU-1;Main St & Capitol Ave;Business;26.03.2024;34,7455;-92,2733",
        "EU-2;W Markham St & Broadway;Home;01.04.2024;34,7484;-92,2760",
        'EU-3;"Kanis Rd; Gate 2";Business;02.04.2024;34,7501;-92,3712',
        "EU-4;Asher Ave;Business;03.04.2024;abc;-92,3302",
    ]
    write("european_semicolon.csv", BOM + "\r\n".join(rows) + "\r\n")


def intersections() -> None:
    """Older LRPD address-only export: intersections without house numbers."""
    header = (
        "INCIDENT_DATE,INCIDENT_NUMBER,LOCATION_DISTRICT,OFFENSE_CODE,"
        "OFFENSE_DESCRIPTION,LOCATION_ADDRESS,CITY,STATE,ZIP"
    )
    rows = [
        "01-05-2016 01:20:00 AM,2016-000501,42,13A,AGGRAVATED ASSAULT,"
        "MAIN ST / W 7TH ST,LITTLE ROCK,AR,72201",
        "01-05-2016 02:20:00 AM,2016-000502,42,120,ROBBERY,MAIN ST & 7TH ST,"
        "LITTLE ROCK,AR,72201",
        "01-05-2016 03:20:00 AM,2016-000503,42,23F,THEFT FROM MOTOR VEHICLE,"
        "S BROADWAY AT W 12TH ST,LITTLE ROCK,AR,72202",
        "01-05-2016 04:20:00 AM,2016-000504,42,220,BURGLARY/BREAKING & ENTERING,"
        "ELM ST & OAK ST,LITTLE ROCK,AR,72205",
        "01-05-2016 05:20:00 AM,2016-000505,42,23C,SHOPLIFTING,"
        "S BROADWAY & W 7TH ST,LITTLE ROCK,AR,72201",
        "01-05-2016 06:20:00 AM,2016-000506,42,23H,ALL OTHER LARCENY,"
        "700 S MAIN ST,LITTLE ROCK,AR,72201",
    ]
    write("lrpd_intersections.csv", "\n".join([header, *rows]) + "\n")
    points = [
        "address,latitude,longitude",
        "600 S MAIN ST,34.7452,-92.2712",
        "700 S MAIN ST,34.7436,-92.2712",
        "800 S MAIN ST,34.7420,-92.2712",
        "100 W 7TH ST,34.7438,-92.2720",
        "200 W 7TH ST,34.7438,-92.2735",
        "1100 S BROADWAY,34.7388,-92.2807",
        "1200 S BROADWAY,34.7372,-92.2807",
        "600 W 12TH ST,34.7370,-92.2815",
        "700 W 12TH ST,34.7370,-92.2830",
    ]
    write("street_points.csv", "\n".join(points) + "\n")


def utf16_excel() -> None:
    """Excel's "Unicode Text": UTF-16 LE with BOM, tab-separated, CRLF."""
    rows = [
        "camera_id\tlocation\tarea_name\tarea_code\tlon\tlat",
        "1\tMain St & Capitol Ave\tDowntown\tD1\t-92.2733\t34.7455",
        "2\tW Markham St & Broadway\tDowntown\tD1\t-92.2760\t34.7484",
        "3\tCafé Étoile, 5th & Main\tDowntown\tD1\t-92.2731\t34.7440",
    ]
    write("cameras_utf16_excel.txt", BOM + "\r\n".join(rows) + "\r\n", "utf-16-le")


def summary_rows() -> None:
    """An LRPD export saved from a spreadsheet: blank row and a totals line."""
    rows = [
        LRPD_HEADER,
        "03/26/2018 06:59:00 AM,2018-035460,61,13A,AGGRAVATED ASSAULT,HANDGUN,"
        '6800 BASELINE RD,LITTLE ROCK,AR,72209,34.676143,-92.41804,"(34.676143, '
        '-92.41804)"',
        "03/26/2018 02:05:00 PM,2018-035501,51,23C,SHOPLIFTING,,12312 CHENAL PKWY,"
        'LITTLE ROCK,AR,72211,34.757212,-92.401235,"(34.757212, -92.401235)"',
        "03/27/2018 01:10:00 AM,2018-035600,41,220,BURGLARY/BREAKING & ENTERING,,"
        '1500 S MAIN ST,LITTLE ROCK,AR,72202,34.733001,-92.27331,"(34.733001, '
        '-92.27331)"',
        ",,,,,,,,,,,,",
        "Total incidents: 3,,,,,,,,,,,,",
    ]
    write("lrpd_summary_rows.csv", BOM + "\r\n".join(rows) + "\r\n")


def repeated_header() -> None:
    """Two monthly exports pasted together: the second keeps its header."""
    rows = [
        LRPD_HEADER,
        "03/26/2018 06:59:00 AM,2018-035460,61,13A,AGGRAVATED ASSAULT,HANDGUN,"
        '6800 BASELINE RD,LITTLE ROCK,AR,72209,34.676143,-92.41804,"(34.676143, '
        '-92.41804)"',
        BOM + LRPD_HEADER,  # `cat` of two downloads keeps the second's mark
        "04/02/2018 02:05:00 PM,2018-041501,51,23C,SHOPLIFTING,,12312 CHENAL PKWY,"
        'LITTLE ROCK,AR,72211,34.757212,-92.401235,"(34.757212, -92.401235)"',
        "04/03/2018 01:10:00 AM,2018-041600,41,220,BURGLARY/BREAKING & ENTERING,,"
        '1500 S MAIN ST,LITTLE ROCK,AR,72202,34.733001,-92.27331,"(34.733001, '
        '-92.27331)"',
    ]
    write("lrpd_repeated_header.csv", BOM + "\n".join(rows) + "\n")


def mixed_dates() -> None:
    """One column, many date spellings, some with a time zone."""
    rows = [
        "case_number,offense_date,nibrs_code,latitude,longitude",
        "M-1,03/26/2018 06:59:00 AM,13A,34.7401,-92.3302",
        "M-2,2018-03-26T11:59:00Z,13A,34.7402,-92.3303",
        "M-3,2018/03/26 11:59:00+00,13A,34.7403,-92.3304",
        "M-4,2018-03-26T06:59:00.000-05:00,13A,34.7404,-92.3305",
        "M-5,01-01-2017 01:20:00 AM,220,34.7405,-92.3306",
        "M-6,3/26/18 6:59,220,34.7406,-92.3307",
        "M-7,2018-03-26 06:59:00 CDT,220,34.7407,-92.3308",
        "M-8,Mon Mar 26 2018,220,34.7408,-92.3309",
        "M-9,26.03.2018 06:59,220,34.7409,-92.3310",
    ]
    write("mixed_dates.csv", "\n".join(rows) + "\n")


def null_island() -> None:
    """Camera list with 0/0, blank and half-blank coordinates, one swapped row."""
    rows = [
        "camera_id,location,lat,lon",
        "Z-1,Main St & Capitol Ave,34.7455,-92.2733",
        "Z-2,Unknown,0,0",
        "Z-3,Unknown,0.000000,0.000000",
        "Z-4,Unknown,,",
        "Z-5,Half,34.7484,",
        "Z-6,Swapped,-92.2760,34.7484",
        "Z-7,Zero latitude,0,-92.2760",
    ]
    write("cameras_null_island.csv", "\n".join(rows) + "\n")


def trailing_columns() -> None:
    """Excel re-save in Windows-1252: empty trailing columns and empty rows."""
    rows = [
        "Camera ID,Address,Latitude,Longitude,Owner,,",
        "T-1,1500 S Main St,34.733001,-92.27331,Café Roma,,",
        "T-2,300 W Markham St,34.74851,-92.272101,Bob’s Pawn,,",
        ",,,,,,",
        ",,,,,,",
    ]
    write("cameras_excel_trailing.csv", "\r\n".join(rows) + "\r\n", "cp1252")


def hemisphere_letters() -> None:
    """GPS-style coordinates with hemisphere letters and degree signs."""
    rows = [
        "camera_id,latitude,longitude",
        "H-1,34.7455 N,92.2733 W",
        "H-2,34.7484°N,92.2760°W",
        "H-3,N 34.7440,W 92.2731",
        "H-4,34.7440,-92.2731",
    ]
    write("cameras_hemispheres.csv", "\n".join(rows) + "\n")


def pipe_multiline() -> None:
    """Pipe-delimited older LRPD layout with three-line ``Location 1``."""
    rows = [
        "INCIDENT_DATE|INCIDENT_NUMBER|OFFENSE_CODE|OFFENSE_DESCRIPTION|Location 1",
        '01-01-2017 01:20:00 AM|2017-000011|23F|THEFT FROM MOTOR VEHICLE|"1500 S MAIN '
        'ST\nLITTLE ROCK, AR 72202\n(34.733001, -92.27331)"',
        '01-01-2017 03:40:00 AM|2017-000012|220|BURGLARY|"300 W MARKHAM ST\nLITTLE '
        'ROCK, AR 72201\n(34.74851, -92.272101)"',
    ]
    write("lrpd_pipe_multiline.csv", "\n".join(rows) + "\n")


if __name__ == "__main__":
    stateplane_geojson()
    european_csv()
    intersections()
    utf16_excel()
    summary_rows()
    repeated_header()
    mixed_dates()
    null_island()
    trailing_columns()
    hemisphere_letters()
    pipe_multiline()
