"""Offline geocoding: place address-only incidents from a city address-point file.

Cities publish their address points (one point per street address) as CSV or
GeoJSON. Older LRPD exports carry an address and no coordinates; matching the
address against those points places the incident without any network service.

Addresses are compared after :func:`parse_address`: upper case, unit numbers
dropped (``APT 4``, ``#12``, ``SUITE B``), directions and street types in their
USPS abbreviations (``SOUTH`` -> ``S``, ``ROAD`` -> ``RD``), the city/state tail
after a comma ignored. A block address (``5200 BLOCK GEYER SPRINGS RD``) lands on
the middle of the block's points (house numbers 5200-5299 on that street).

>>> index = AddressIndex.from_frame(pd.DataFrame({
...     "address": ["5201 Geyer Springs Road", "5299 GEYER SPRINGS RD"],
...     "latitude": [34.70, 34.72], "longitude": [-92.34, -92.36]}))
>>> lat, lon, how = index.locate(pd.Series(["5200 BLOCK GEYER SPRINGS RD"]))
>>> float(round(lat[0], 2)), how[0]
(34.71, 'block')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.columns import LATITUDE, LONGITUDE, find_column, normalise_name
from analytics.intersections import meeting_point
from analytics.readers import LoadError, Source, read_table, source_name
from analytics.validation import clean_text, is_empty, parse_number

# USPS street suffix abbreviations (Publication 28, the common ones).
STREET_TYPES = {
    "STREET": "ST",
    "STR": "ST",
    "ST": "ST",
    "ROAD": "RD",
    "RD": "RD",
    "AVENUE": "AVE",
    "AV": "AVE",
    "AVE": "AVE",
    "AVN": "AVE",
    "BOULEVARD": "BLVD",
    "BLVD": "BLVD",
    "BLV": "BLVD",
    "DRIVE": "DR",
    "DRV": "DR",
    "DR": "DR",
    "LANE": "LN",
    "LN": "LN",
    "PARKWAY": "PKWY",
    "PKY": "PKWY",
    "PKWY": "PKWY",
    "PLACE": "PL",
    "PL": "PL",
    "COURT": "CT",
    "CT": "CT",
    "CIRCLE": "CIR",
    "CIR": "CIR",
    "HIGHWAY": "HWY",
    "HWY": "HWY",
    "TERRACE": "TER",
    "TER": "TER",
    "TRAIL": "TRL",
    "TRL": "TRL",
    "PLAZA": "PLZ",
    "PLZ": "PLZ",
    "SQUARE": "SQ",
    "SQ": "SQ",
    "EXPRESSWAY": "EXPY",
    "EXPY": "EXPY",
    "FREEWAY": "FWY",
    "FWY": "FWY",
    "COVE": "CV",
    "CV": "CV",
    "CROSSING": "XING",
    "XING": "XING",
    "ALLEY": "ALY",
    "ALY": "ALY",
    "HEIGHTS": "HTS",
    "HTS": "HTS",
    "LOOP": "LOOP",
    "WAY": "WAY",
    "PIKE": "PIKE",
    "RIDGE": "RDG",
    "RDG": "RDG",
}
DIRECTIONS = {
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
    **{d: d for d in ("N", "S", "E", "W", "NE", "NW", "SE", "SW")},
}
# A unit designator and the token after it (``APT 4``, ``STE B``, ``# 12``).
_UNIT = re.compile(
    r"(?:\b(?:APT|APARTMENT|UNIT|STE|SUITE|BLDG|BUILDING|LOT|RM|ROOM|SPC|SPACE|"
    r"TRLR|FL|FLOOR|DEPT)\b\.?\s*[\w-]+)|(?:#\s*[\w-]+)"
)
_BLOCK = ("BLOCK", "BLK")
_HOUSE_NUMBER_FIRST = re.compile(r"^\s*\d")
# "/", " & " and "@" between streets ("AND" is left alone: SANDERS AND SONS RD)
_CROSS_STREET = re.compile(r"\s*/\s*|\s+&\s+|\s*@\s*")
# Between the two streets of an intersection without a house number: the
# above, and "AT" (S BROADWAY AT W 12TH ST)
_INTERSECTION = re.compile(_CROSS_STREET.pattern + r"|\s+AT\s+")
# "AND" joins two streets only after a street type (MAIN ST AND 7TH ST), never
# inside a name (SANDERS AND SONS RD)
_AND = re.compile(r"\s+AND\s+")
_NUMBER_SUFFIX = re.compile(r"^\s*(\d+)(?:\s*-\s*(?:[A-Z]|\d+)\b|\s+1/2\b)")
# Columns of an address-point file (normalised names), best first.
ADDRESS_COLUMNS = (
    "address",
    "full_address",
    "fulladdr",
    "full_addr",
    "site_address",
    "siteaddress",
    "street_address",
    "add_full",
    "addr",
    "location",
)
NUMBER_COLUMNS = (
    "add_number",
    "addnum",
    "address_number",
    "house_number",
    "housenumber",
    "addr_housenumber",
    "st_num",
    "number",
)
STREET_COLUMNS = (
    "street",
    "street_name",
    "st_name",
    "full_street",
    "fullname",
    "addr_street",
    "streetname",
)
BLOCK_SIZE = 100


@dataclass(frozen=True)
class ParsedAddress:
    """An address as matched: house number, full street key, core street name."""

    number: int | None
    street: str
    core: str
    block: bool


def _first_part(text: object) -> str:
    """Upper-case text before the first comma or line break, each run of blanks
    one space (the patterns' optional spaces then stay linear on padded cells)."""
    return " ".join(str(text).upper().split(",")[0].split("\n")[0].split())


def parse_address(text: object) -> ParsedAddress | None:
    """Normalise one address; None when it has no street.

    >>> parse_address("1500 South Main Street, Apt 4, Little Rock AR")
    ParsedAddress(number=1500, street='S MAIN ST', core='MAIN', block=False)
    >>> parse_address("52XX GEYER SPRINGS RD").block
    True
    >>> parse_address("300 W MARKHAM ST / S MAIN ST").street
    'W MARKHAM ST'
    >>> parse_address("7200-A KANIS RD").number
    7200
    """
    if text is None:
        return None
    raw = _first_part(text)
    if _HOUSE_NUMBER_FIRST.match(raw):
        # "300 W MARKHAM ST / S MAIN ST": the numbered street, not the cross street
        raw = _CROSS_STREET.split(raw)[0]
    # "7200-A", "7200-7210", "7200 1/2": the house number is 7200
    raw = _NUMBER_SUFFIX.sub(r"\1", raw)
    raw = _UNIT.sub(" ", raw)
    tokens = re.sub(r"[^\w ]+", " ", raw).split()
    if not tokens:
        return None
    number: int | None = None
    block = False
    head = tokens[0]
    match = re.fullmatch(r"(\d+)(X{1,2})?[A-Z]?", head)
    if match:
        digits, xs = match.group(1), match.group(2)
        number = int(digits) * (10 ** len(xs)) if xs else int(digits)
        block = bool(xs)
        tokens = tokens[1:]
    if tokens and tokens[0] in _BLOCK:
        block = True
        tokens = tokens[1:]
        if tokens and tokens[0] == "OF":
            tokens = tokens[1:]
    if block and number is not None:
        number = number // BLOCK_SIZE * BLOCK_SIZE
    words = [DIRECTIONS.get(t, t) for t in tokens]
    if len(words) > 1:
        words[-1] = STREET_TYPES.get(words[-1], words[-1])
    if not words:
        return None
    core = list(words)
    if len(core) > 1 and core[-1] in STREET_TYPES.values():
        core = core[:-1]
    if len(core) > 1 and core[-1] in DIRECTIONS.values():
        core = core[:-1]
    if len(core) > 1 and core[0] in DIRECTIONS.values():
        core = core[1:]
    return ParsedAddress(number, " ".join(words), " ".join(core), block)


def parse_intersection(text: object) -> tuple[ParsedAddress, ParsedAddress] | None:
    """The two streets of an intersection written without a house number.

    >>> a, b = parse_intersection("S BROADWAY AT W 12TH ST")
    >>> a.street, b.core
    ('S BROADWAY', '12TH')
    >>> parse_intersection("300 W MARKHAM ST / S MAIN ST") is None  # an address
    True
    """
    if text is None:
        return None
    raw = _first_part(text)
    parts = _INTERSECTION.split(raw)
    if len(parts) == 1:
        parts = _AND.split(raw, maxsplit=1)
        if len(parts) == 2 and (parts[0].split() or [""])[-1] not in STREET_TYPES:
            return None
    if len(parts) != 2:
        return None
    streets = [parse_address(p) for p in parts]
    if any(s is None or s.number is not None for s in streets):
        return None
    first, second = streets
    if first is None or second is None:  # checked above; narrows the types
        return None
    return first, second


@dataclass
class AddressIndex:
    """Address points by (house number, street), for exact and block lookups."""

    name: str
    exact: dict[tuple[int, str], tuple[float, float]] = field(default_factory=dict)
    by_core: dict[tuple[int, str], tuple[float, float]] = field(default_factory=dict)
    streets: dict[str, pd.DataFrame] = field(default_factory=dict)
    cores: dict[str, pd.DataFrame] = field(default_factory=dict)
    points: int = 0

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, name: str = "addresses") -> AddressIndex:
        """Index a frame of ``address``, ``latitude``, ``longitude``."""
        parsed = [parse_address(a) for a in frame["address"]]
        rows = [
            (p.number, p.street, p.core, lat, lon)
            for p, lat, lon in zip(
                parsed, frame["latitude"], frame["longitude"], strict=True
            )
            if p is not None and p.number is not None and lat == lat and lon == lon
        ]
        table = pd.DataFrame(rows, columns=["number", "street", "core", "lat", "lon"])
        index = cls(name=name, points=len(table))
        if not len(table):
            return index
        for key, target in (("street", index.exact), ("core", index.by_core)):
            means = table.groupby(["number", key])[["lat", "lon"]].mean()
            target.update(
                {
                    (int(n), str(s)): (float(r.lat), float(r.lon))
                    for (n, s), r in means.iterrows()
                }
            )
        index.streets = {
            s: g[["number", "lat", "lon"]] for s, g in table.groupby("street")
        }
        index.cores = {s: g[["number", "lat", "lon"]] for s, g in table.groupby("core")}
        return index

    def _find(self, parsed: ParsedAddress) -> tuple[float, float, str] | None:
        if parsed.number is None:
            return None
        if not parsed.block:
            for key, table in (
                (parsed.street, self.exact),
                (parsed.core, self.by_core),
            ):
                hit = table.get((parsed.number, key))
                if hit is not None:
                    return hit[0], hit[1], "address"
            return None
        low = parsed.number
        for key, by_street in (
            (parsed.street, self.streets),
            (parsed.core, self.cores),
        ):
            points = by_street.get(key)
            if points is None:
                continue
            inside = points[
                (points["number"] >= low) & (points["number"] < low + BLOCK_SIZE)
            ]
            if len(inside):
                return float(inside["lat"].mean()), float(inside["lon"].mean()), "block"
        return None

    def _street(self, parsed: ParsedAddress) -> pd.DataFrame | None:
        """Address points of a street: its full name first, else its core name."""
        points = self.streets.get(parsed.street)
        return points if points is not None else self.cores.get(parsed.core)

    def _crossing(
        self, streets: tuple[ParsedAddress, ParsedAddress]
    ) -> tuple[float, float, str] | None:
        first, second = (self._street(s) for s in streets)
        if first is None or second is None:
            return None
        point = meeting_point(first, second)
        return None if point is None else (point[0], point[1], "intersection")

    def locate(self, addresses: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(lat, lon, how) per address; ``how`` is ``address``, ``block``,
        ``intersection`` or None.

        Each distinct address is parsed once (a year's export repeats addresses).
        """
        found: dict[str, tuple[float, float, str] | None] = {}
        for text in pd.unique(addresses.dropna()):
            crossing = parse_intersection(text)
            if crossing is not None:
                found[text] = self._crossing(crossing)
                continue
            parsed = parse_address(text)
            found[text] = self._find(parsed) if parsed is not None else None
        hits = addresses.map(found)
        lat = hits.map(lambda h: h[0] if h else np.nan).astype(float)
        lon = hits.map(lambda h: h[1] if h else np.nan).astype(float)
        how = hits.map(lambda h: h[2] if h else None).astype(object)
        return lat, lon, how


def intersections(addresses: pd.Series) -> pd.Series:
    """True where an address is an intersection without a house number."""
    unique = pd.unique(addresses.dropna())
    crossing = {t: parse_intersection(t) is not None for t in unique}
    return addresses.map(crossing).fillna(False).astype(bool)


def load_address_points(source: Source, *, name: str | None = None) -> AddressIndex:
    """Read a city address-point file (CSV or GeoJSON) into an :class:`AddressIndex`.

    The file needs an address (one ``address`` column, or house number and street
    columns) and a point (latitude/longitude columns or point geometry).

    Raises
    ------
    LoadError
        No address or no coordinates in the file.
    """
    label = source_name(source, name)
    raw = read_table(source, name=label)
    frame = raw.frame
    columns = list(frame.columns)
    addr_col = find_column(columns, ADDRESS_COLUMNS)
    num_col = find_column(columns, NUMBER_COLUMNS)
    street_col = find_column(columns, STREET_COLUMNS)
    if (
        addr_col is not None
        and normalise_name(addr_col) == "location"
        and (num_col and street_col)
    ):
        addr_col = None
    if addr_col is not None:
        address = clean_text(frame[addr_col])
    elif num_col and street_col:
        address = clean_text(frame[num_col]) + " " + clean_text(frame[street_col])
    else:
        raise LoadError(
            f"{label}: an address-point file needs an address column (one of "
            f"{list(ADDRESS_COLUMNS[:4])}) or house number and street columns; "
            f"found columns {columns}"
        )
    lat_col = find_column(columns, LATITUDE)
    lon_col = find_column(columns, LONGITUDE)
    if raw.geom_lat is not None:
        lat = pd.Series(raw.geom_lat, index=frame.index)
        lon = pd.Series(raw.geom_lon, index=frame.index)
    elif lat_col and lon_col:
        lat = parse_number(clean_text(frame[lat_col]))[0]
        lon = parse_number(clean_text(frame[lon_col]))[0]
    else:
        raise LoadError(
            f"{label}: an address-point file needs latitude/longitude columns or "
            f"point geometry; found columns {columns}"
        )
    usable = ~is_empty(address)
    table = pd.DataFrame(
        {"address": address[usable], "latitude": lat[usable], "longitude": lon[usable]}
    )
    index = AddressIndex.from_frame(table, name=str(label).rsplit("/", 1)[-1])
    if not index.points:
        raise LoadError(f"{label}: no address points with a house number and a point")
    return index
