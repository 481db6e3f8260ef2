"""Write the small LRPD-format fixtures in tests/data/lrpd/ (run once; committed).

Hand-listed rows, written in each layout the Little Rock Police Department open
data has used (shared/REFERENCE.md). Expected answers, by construction:
24 rows; row 5 and row 18 have no coordinates anywhere (missing coordinates);
row 20 lies in Conway, outside the city (outside the city extent); row 12 has
empty LATITUDE/LONGITUDE but a `Location 1` with coordinates (recovered);
rows 14 and 15 share an incident number with different offences (both kept);
row 9 is in district CW. So 21 accepted, 3 quarantined.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

OUT = Path(__file__).parent / "lrpd"
# (when, number, district, code, description, weapon, address, zip, lat, lon)
ROWS = [
    ("2018-03-26 06:59", "2018-035460", "61", "13A", "AGGRAVATED ASSAULT", "HANDGUN", "6800 BASELINE RD", "72209", 34.676143, -92.41804),
    ("2018-03-26 14:05", "2018-035501", "51", "23C", "SHOPLIFTING", "", "12312 CHENAL PKWY", "72211", 34.757212, -92.401235),
    ("2018-03-27 01:10", "2018-035600", "41", "220", "BURGLARY/BREAKING & ENTERING", "", "1500 S MAIN ST", "72202", 34.733001, -92.273310),
    ("2018-03-27 09:45", "2018-035633", "42", "23F", "THEFT FROM MOTOR VEHICLE", "", "300 W MARKHAM ST", "72201", 34.748510, -92.272101),
    ("2018-03-27 22:30", "2018-035700", "71", "120", "ROBBERY", "KNIFE/CUTTING INSTRUMENT", "5900 ASHER AVE", "72204", None, None),
    ("2018-03-28 03:15", "2018-035744", "72", "240", "MOTOR VEHICLE THEFT", "", "8000 GEYER SPRINGS RD", "72209", 34.660521, -92.343011),
    ("2018-03-28 11:00", "2018-035781", "81", "23H", "ALL OTHER LARCENY", "", "10 COLONEL GLENN PLAZA DR", "72210", 34.708301, -92.395512),
    ("2018-03-28 17:20", "2018-035802", "82", "13A", "AGGRAVATED ASSAULT", "PERSONAL WEAPONS", "4200 W 12TH ST", "72204", 34.738200, -92.318450),
    ("2018-03-29 00:05", "2018-035850", "CW", "290", "DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY", "", "500 PRESIDENT CLINTON AVE", "72201", 34.747611, -92.264952),
    ("2018-03-29 08:40", "2018-035877", "91", "09A", "MURDER & NONNEGLIGENT MANSLAUGHTER", "HANDGUN", "2600 E ROOSEVELT RD", "72206", 34.725143, -92.238411),
    ("2018-03-29 13:12", "2018-035899", "92", "11A", "RAPE", "", "1800 FAIR PARK BLVD", "72204", 34.739120, -92.335870),
    ("2018-03-29 19:55", "2018-035920", "52", "23D", "THEFT FROM BUILDING", "", "11600 RODNEY PARHAM RD", "72212", 34.780233, -92.405621),
    ("2018-03-30 02:30", "2018-035951", "62", "220", "BURGLARY/BREAKING & ENTERING", "", "7200 KANIS RD", "72205", 34.750121, -92.371420),
    ("2018-03-30 10:10", "2018-035990", "61", "120", "ROBBERY", "HANDGUN", "9400 BASELINE RD", "72209", 34.670012, -92.392133),
    ("2018-03-30 10:10", "2018-035990", "61", "13A", "AGGRAVATED ASSAULT", "HANDGUN", "9400 BASELINE RD", "72209", 34.670012, -92.392133),
    ("2018-03-30 16:45", "2018-036011", "42", "23C", "SHOPLIFTING", "", "400 PRESIDENT CLINTON AVE", "72201", 34.747900, -92.266801),
    ("2018-03-31 07:25", "2018-036040", "51", "23A", "POCKET-PICKING", "", "1 ALLIED DR", "72202", 34.752011, -92.226512),
    ("2018-03-31 12:00", "2018-036066", "71", "240", "MOTOR VEHICLE THEFT", "", "3000 UNIVERSITY AVE", "72204", None, None),
    ("2018-03-31 21:40", "2018-036099", "81", "13A", "AGGRAVATED ASSAULT", "OTHER", "6100 W 65TH ST", "72209", 34.682523, -92.351240),
    ("2018-04-01 04:15", "2018-036123", "72", "23F", "THEFT FROM MOTOR VEHICLE", "", "1200 OAK ST", "72002", 35.088112, -92.442015),
    ("2018-04-01 15:30", "2018-036150", "91", "220", "BURGLARY/BREAKING & ENTERING", "", "1700 S CHESTER ST", "72206", 34.731440, -92.282151),
    ("2018-04-02 09:05", "2018-036188", "62", "23H", "ALL OTHER LARCENY", "", "8900 W MARKHAM ST", "72205", 34.754301, -92.384522),
    ("2018-04-02 18:50", "2018-036207", "82", "120", "ROBBERY", "STRONG-ARM", "5100 W 65TH ST", "72209", 34.684200, -92.338910),
    ("2018-04-03 23:59", "2018-036240", "41", "23G", "THEFT OF MOTOR VEHICLE PARTS", "", "2100 MAIN ST", "72206", 34.727910, -92.273402),
]
RECOVERED_ROW = 12  # empty LATITUDE/LONGITUDE, coordinates only in Location 1
RECOVERED_COORDS = (34.780233, -92.405621)
CURRENT = ["INCIDENT_DATE", "INCIDENT_NUMBER", "LOCATION_DISTRICT", "OFFENSE_CODE", "OFFENSE_DESCRIPTION", "WEAPON_TYPE", "INCIDENT_LOCATION", "CITY", "STATE", "ZIP", "LATITUDE", "LONGITUDE", "Location 1"]
OLDER = ["INCIDENT_DATE", "INCIDENT_NUMBER", "LOCATION_DISTRICT", "OFFENSE_CODE", "OFFENSE_DESCRIPTION", "LOCATION_ADDRESS", "CITY", "STATE", "ZIP", "LATITUDE", "LONGITUDE", "Location 1"]


def _records(older: bool, missing: str = ""):
    for i, (when, num, dist, code, desc, weapon, addr, zipc, lat, lon) in enumerate(ROWS, 1):
        t = datetime.strptime(when, "%Y-%m-%d %H:%M")
        date = t.strftime("%m-%d-%Y %I:%M:%S %p" if older else "%m/%d/%Y %I:%M:%S %p")
        loc_lat, loc_lon = (lat, lon) if i != RECOVERED_ROW else RECOVERED_COORDS
        if i == RECOVERED_ROW:
            lat = lon = None
        if older:
            loc = f"{addr}\nLITTLE ROCK, AR {zipc}"
            if loc_lat is not None:
                loc += f"\n({loc_lat}, {loc_lon})"
        else:
            loc = f"({loc_lat}, {loc_lon})" if loc_lat is not None else missing
        fmt = lambda v: missing if v is None else repr(v)  # noqa: E731
        row = [date, num, dist, code, desc]
        if not older:
            row.append(weapon or missing)
        row += [addr, "LITTLE ROCK", "AR", zipc, fmt(lat), fmt(lon), loc]
        yield row


def _csv(header, rows, *, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator, quoting=quoting)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    # current layout: UTF-8 with a byte-order mark
    (OUT / "lrpd_current.csv").write_bytes(b"\xef\xbb\xbf" + _csv(CURRENT, _records(False)).encode())
    # older layout: LOCATION_ADDRESS, no WEAPON_TYPE, three-line Location 1
    (OUT / "lrpd_older.csv").write_bytes(b"\xef\xbb\xbf" + _csv(OLDER, _records(True)).encode())
    # R write.csv: unnamed index column, Location.1, NA, every string quoted
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    w.writerow([""] + [c.replace(" ", ".") for c in CURRENT])
    for n, row in enumerate(_records(False, missing="NA"), 1):
        # R reads ZIP, LATITUDE and LONGITUDE as numbers and writes them unquoted
        cells = [n] + [
            (float(c) if "." in c else int(c)) if j in (9, 10, 11) and c != "NA" else c
            for j, c in enumerate(row)
        ]
        w.writerow(cells)
    text = buf.getvalue().replace('"NA"', "NA")
    (OUT / "lrpd_rsave.csv").write_text(text, encoding="utf-8")
    # portal API: lowercase names, ISO timestamps, WKT location
    rows = []
    for row, src in zip(_records(False), ROWS):
        t = datetime.strptime(src[0], "%Y-%m-%d %H:%M").strftime("%Y-%m-%dT%H:%M:%S.000")
        loc = row[-1]
        if loc:
            la, lo = loc.strip("()").split(", ")
            loc = f"POINT ({lo} {la})"
        rows.append([t, *row[1:-1], loc])
    (OUT / "lrpd_api.csv").write_text(_csv([c.lower().replace(" ", "_") for c in CURRENT], rows, lineterminator="\n"), encoding="utf-8")


if __name__ == "__main__":
    main()
