"""Vectorised row checks: parse coordinates, dates, numbers and coded values.

Each parser takes a text Series (as read from the file) and returns parsed values
plus boolean masks saying which rows were empty and which held text that does
not parse, so the loader can quarantine a row with the right reason. No per-row
Python loop on the common path: a million rows parse in seconds.

>>> text = pd.Series(["(34.7, -92.3)", "", "1 Main St", "(x, y)"])
>>> lat, lon, empty, bad = coords_from_text(text)
>>> lat.tolist()[0], empty.tolist(), bad.tolist()
(34.7, [False, True, True, False], [False, False, False, True])
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pyarrow loads when a column is parsed
    import pyarrow as pa

# Cell values that mean "no value" (compared stripped and lower-cased).
NA_TOKENS = ("", "na", "n/a", "nan", "null", "none", "#n/a", "-", "--", "nil")

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# "(lat, lon)" at the end of the text: LRPD `Location 1`, Chicago LOCATION.
PAIR_AT_END = re.compile(rf"\(\s*({_NUM})\s*,\s*({_NUM})\s*\)\s*$")
BARE_PAIR = re.compile(rf"^\s*({_NUM})\s*,\s*({_NUM})\s*$")
# WKT / EWKT point: lon first.
WKT_POINT = re.compile(
    rf"^\s*(?:SRID=\d+\s*;\s*)?POINT\s*Z?\s*\(\s*({_NUM})\s+({_NUM})", re.IGNORECASE
)
# Text that tried to be coordinates (so "unparseable", not just "missing").
# A pair in parentheses at the end, or WKT: "(foo, bar)" tried, "(White City)" did not.
LOOKS_LIKE_COORDS = re.compile(
    r"(?:\([^(),]*,[^(),]*\)\s*$)|(?:^\s*(?:SRID=\d+\s*;\s*)?POINT\b)",
    re.IGNORECASE,
)

DATETIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",  # LRPD: 03/26/2018 06:59:00 AM
    "%m-%d-%Y %I:%M:%S %p",  # older LRPD: 01-01-2017 01:20:00 AM
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%m-%d-%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%m/%d/%y %H:%M",  # Excel's short form: 2/3/24 13:05
    "%m/%d/%y",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%b %d %Y %H:%M:%S",  # JavaScript's Date.toString without its weekday
    "%b %d %Y",
    # day first, as dotted dates always are (European spreadsheets: 26.03.2018)
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)
# Timestamps with a UTC offset ("2022/02/03 11:17:21+00") and ISO 8601.
AWARE_FORMATS = (
    "%Y/%m/%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%b %d %Y %H:%M:%S%z",
    "%m/%d/%Y %I:%M:%S %p%z",
)
_OFFSET_HOURS_ONLY = re.compile(r"([+-]\d\d)$")
# an offset after a time of day (a bare date such as 2024-08-05 has none)
_HAS_OFFSET = r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*(?:[AP]M)?\s*(?:[+-]\d\d(?::?\d\d)?|Z)$"
# Dates written as numbers, told apart by size (the ranges do not overlap):
# spreadsheet serial days (Excel's 1900 system: 43550.79 is 26 Mar 2019 18:59,
# local time), Unix epoch seconds and milliseconds (ArcGIS REST and its GeoJSON
# write dates as UTC milliseconds: 1553644740000). Read as such only when most
# of a column's values are plain numbers, so a stray number in a column of text
# dates stays a bad date.
EXCEL_SERIAL_DAYS = (20_000.0, 80_000.0)  # 3 Oct 1954 to 11 Jan 2119
EPOCH_SECONDS = (3e8, 4.2e9)  # 1979 to 2103
EPOCH_MILLISECONDS = (3e11, 4.2e12)  # 1979 to 2103
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's 1900 date system
NUMERIC_DATE_SHARE = 0.5


# The formula guard of a CSV export: a single quote before text a spreadsheet
# would run (``'=SUM(A1)``, ``'-cmd``); see analytics.safe_output.
_GUARD = r"^'(?=[=+\-@\t\r])"


def clean_text(series: pd.Series) -> pd.Series:
    """Strip surrounding whitespace; every value a str (missing -> "").

    The leading apostrophe our CSV formula guard adds (``'=1+2``, ``'-92.3``) is
    removed again, so an exported quarantine file reloads as it was read.
    """
    text = series.fillna("").astype("str").str.strip()
    guarded = text.str.startswith("'").to_numpy(dtype=bool, na_value=False)
    if guarded.any():  # rare: the lookahead runs in Python, so only on these cells
        text = text.copy()
        text[guarded] = text[guarded].str.replace(_GUARD, "", regex=True)
    return text


def is_empty(text: pd.Series) -> pd.Series:
    """True where a stripped cell is empty or an NA token such as ``NA``, ``N/A``."""
    return text.str.lower().isin(NA_TOKENS)


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(float values, empty mask, unparseable mask) of a stripped text Series."""
    empty = is_empty(text)
    values = pd.to_numeric(text.where(~empty, None), errors="coerce").astype(float)
    bad = values.isna() & ~empty
    return values, empty, bad


# One coordinate as GPS devices and European spreadsheets write it: a decimal
# comma (34,7465), a degree sign, a hemisphere letter before or after
# (34.7455 N, W 92.2733, 92.2760°W).
_COORDINATE = re.compile(
    r"^(?P<pre>[NSEW])?\s*(?P<num>[-+]?\d+(?:[.,]\d+)?)\s*°?\s*(?P<post>[NSEW])?$",
    re.IGNORECASE,
)


_SPACES = re.compile(r"\s+")


def squeeze_spaces(text: pd.Series) -> pd.Series:
    """Each run of whitespace as one space, ends stripped (text cells only).

    Patterns with optional spaces around optional parts (``\\s*°?\\s*``) try
    every split of a run of blanks: on a hostile cell of 10,000 spaces that is
    seconds per cell. After this, every run is one character.

    >>> squeeze_spaces(pd.Series(["  34,7  \\t N "])).tolist()
    ['34,7 N']
    """
    return text.astype("str").str.replace(_SPACES, " ", regex=True).str.strip()


def parse_coordinate(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(float degrees, empty mask, unparseable mask) of a coordinate column.

    Plain numbers parse as in :func:`parse_number`; the cells that do not are
    read again allowing a decimal comma, a degree sign and one hemisphere letter
    (``S`` and ``W`` make the value negative).

    >>> parse_coordinate(pd.Series(["34,7465", "92.2896 W", "N 34.7", "x"]))[0].tolist()
    [34.7465, -92.2896, 34.7, nan]
    """
    values, empty, bad = parse_number(text)
    if not bad.any():
        return values, empty, bad
    # one space for each run first: the pattern's optional spaces then cost a
    # step each, so a cell padded with thousands of blanks is not quadratic
    found = squeeze_spaces(text[bad]).str.extract(_COORDINATE)
    both = found["pre"].notna() & found["post"].notna()
    number = pd.to_numeric(
        found["num"].str.replace(",", ".", regex=False), errors="coerce"
    ).where(~both)
    hemisphere = found["pre"].fillna(found["post"]).str.upper()
    south_west = hemisphere.isin(["S", "W"]).to_numpy()
    number[south_west] = -number[south_west].abs()
    values = values.copy()
    values[number.index] = number.astype(float)
    return values, empty, values.isna() & ~empty


def coords_from_text(
    text: pd.Series,
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(lat, lon, empty, bad) from ``"(lat, lon)"``, ``"lat, lon"`` or WKT text.

    A multi-line address ending in ``(lat, lon)`` (older LRPD exports) parses; an
    address with no coordinates counts as empty, text such as ``"(foo, bar)"`` or
    ``"POINT (x y)"`` as bad. Each pattern runs (in RE2, through pyarrow) only on
    the rows the previous ones left unparsed.
    """
    lat = pd.Series(np.nan, index=text.index)
    lon = pd.Series(np.nan, index=text.index)
    for pattern in (PAIR_AT_END, BARE_PAIR, WKT_POINT):
        todo = lat.isna().to_numpy()
        if not todo.any():
            break
        first, second = _extract_pair(text[todo], pattern.pattern)
        if pattern is WKT_POINT:
            first, second = second, first  # WKT is lon lat
        lat[todo], lon[todo] = first, second
    found = lat.notna() & lon.notna()
    attempted = matches(text, LOOKS_LIKE_COORDS.pattern)
    bad = ~found & attempted & ~is_empty(text)
    empty = ~found & ~bad
    return lat.where(found), lon.where(found), empty, bad


def _arrow(text: pd.Series) -> pa.StringArray:
    import pyarrow as pa

    return pa.array(text.astype("str"), type=pa.string(), from_pandas=True)


def _extract_pair(text: pd.Series, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """The two numeric groups of ``pattern`` as floats (NaN where no match)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(text):
        return np.empty(0), np.empty(0)
    named = pattern.replace("(" + _NUM + ")", "(?P<a>" + _NUM + ")", 1)
    named = named.replace("(" + _NUM + ")", "(?P<b>" + _NUM + ")", 1)
    found = pc.extract_regex(_arrow(text), pattern="(?i)" + named)
    out = []
    for name in ("a", "b"):
        values = pc.cast(pc.struct_field(found, name), pa.float64(), safe=False)
        out.append(np.asarray(values.to_numpy(zero_copy_only=False), dtype=float))
    return out[0], out[1]


def matches(text: pd.Series, pattern: str) -> pd.Series:
    """Case-insensitive RE2 search of ``pattern`` in each value (fast, vectorised)."""
    import pyarrow.compute as pc

    if not len(text):
        return pd.Series(False, index=text.index)
    hit = pc.match_substring_regex(_arrow(text), pattern=pattern, ignore_case=True)
    return (
        pd.Series(hit.to_numpy(zero_copy_only=False), index=text.index)
        .fillna(False)
        .astype(bool)
    )


def parse_datetimes(
    text: pd.Series, timezone: str, *, notes: list[str] | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(naive local timestamps, empty mask, unparseable mask).

    Tries the formats of :data:`DATETIME_FORMATS`, dates written as numbers
    (spreadsheet serial days, Unix epoch seconds or milliseconds: see
    :data:`EXCEL_SERIAL_DAYS`) and ISO 8601 on the rows still unparsed;
    timestamps with a UTC offset, and epoch numbers, are converted to
    ``timezone`` local time. ``notes``, when given, receives one sentence per
    kind of number read as a date.
    """
    empty = is_empty(text)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    todo = ~empty
    aware = todo & matches(text, _HAS_OFFSET)
    if aware.any():
        sub = text[aware].str.replace(_OFFSET_HOURS_ONLY, r"\1:00", regex=True)
        parsed = pd.Series(pd.NaT, index=sub.index, dtype="datetime64[us, UTC]")
        for fmt in (*AWARE_FORMATS, "ISO8601"):
            left = parsed.isna()
            if not left.any():
                break
            parsed[left] = pd.to_datetime(
                sub[left], format=fmt, errors="coerce", utc=True
            )
        local = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
        out[aware] = local.astype("datetime64[us]")
        todo = todo & ~aware
    for fmt in DATETIME_FORMATS:
        left = todo & out.isna()
        if not left.any():
            break
        out[left] = _strptime(text[left], fmt)
    left = todo & out.isna()
    if left.any():
        numeric = _numeric_dates(text[left], int((~empty).sum()), timezone, notes)
        out[numeric.index] = numeric
    left = todo & out.isna()
    if left.any():
        parsed = pd.to_datetime(text[left], format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
        out[left] = parsed.astype("datetime64[us]")
    left = todo & out.isna()
    if left.any():
        # rare spellings, normalised only on the rows nothing else read
        again = _plain_spelling(text[left])
        changed = again != text[left]
        if changed.any():
            stamps, _, _ = parse_datetimes(again[changed], timezone)
            out[stamps.index] = stamps
    bad = out.isna() & ~empty
    return out, empty, bad


# US time zone abbreviations as UTC offsets (a zone name alone is ambiguous
# worldwide; these are the ones US exports write)
ZONE_OFFSETS = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
}
_WEEKDAY = r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+"
_ZONE_NAME = r"\s*\([A-Za-z ]+\)$"  # JavaScript's "(Central Daylight Time)"
_ZONE = re.compile(
    r"\s*\b(" + "|".join(ZONE_OFFSETS) + r")\b([+-]\d\d:?\d\d)?$", re.IGNORECASE
)


def _plain_spelling(text: pd.Series) -> pd.Series:
    """Dates as spreadsheets and JavaScript write them, in a form the formats read.

    ``Monday, March 26, 2018`` loses its weekday, ``... 06:59:00 CDT`` and
    ``... GMT-0500 (Central Daylight Time)`` get a numeric UTC offset.

    >>> _plain_spelling(pd.Series(["Mon Mar 26 2018 06:59:00 GMT-0500 (CDT)"]))[0]
    'Mar 26 2018 06:59:00-0500'
    """
    out = squeeze_spaces(text).str.replace(_WEEKDAY, "", regex=True, case=False)
    out = out.str.replace(_ZONE_NAME, "", regex=True)

    def offset(match: re.Match[str]) -> str:
        return match.group(2) or ZONE_OFFSETS[match.group(1).upper()]

    return out.str.replace(_ZONE, offset, regex=True)


TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p")


def parse_times(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(time of day as timedeltas, empty mask, unparseable mask).

    Reads ``06:59``, ``23:15:07``, ``6:59 PM`` and the 24-hour clock written as a
    number (``2130``, ``5`` for 00:05: Los Angeles' ``TIME OCC``).

    >>> parse_times(pd.Series(["2130", "6:59 PM", "25:00"]))[0].tolist()
    [Timedelta('0 days 21:30:00'), Timedelta('0 days 18:59:00'), NaT]
    """
    empty = is_empty(text)
    out = pd.Series(pd.NaT, index=text.index, dtype="timedelta64[ns]")
    clock = ~empty & text.str.fullmatch(r"\d{1,4}(?:\.0+)?").fillna(False)
    if clock.any():
        number = pd.to_numeric(text[clock], errors="coerce")
        hours, minutes = number // 100, number % 100
        valid = (hours < 24) & (minutes < 60)
        out[valid.index[valid]] = pd.to_timedelta(
            hours[valid] * 60 + minutes[valid], unit="min"
        )
    for fmt in TIME_FORMATS:
        left = ~empty & ~clock & out.isna()
        if not left.any():
            break
        parsed = pd.to_datetime(text[left], format=fmt, errors="coerce")
        out[left] = parsed - parsed.dt.normalize()
    bad = out.isna() & ~empty
    return out, empty, bad


def _numeric_dates(
    text: pd.Series, filled: int, timezone: str, notes: list[str] | None
) -> pd.Series:
    """Timestamps of the values that are dates written as numbers (NaT elsewhere).

    ``filled`` is the number of non-empty values in the whole column: numbers
    are read as dates only when they are most of it.
    """
    values, _, _ = parse_number(text)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if not values.notna().any() or values.notna().sum() <= NUMERIC_DATE_SHARE * filled:
        return out
    serial = values.between(*EXCEL_SERIAL_DAYS)
    if serial.any():
        seconds = (values[serial] * 86_400).round()
        out[serial] = EXCEL_EPOCH + pd.to_timedelta(seconds, unit="s")
        if notes is not None:
            notes.append(
                f"{int(serial.sum()):,} dates given as spreadsheet serial day numbers "
                f"(e.g. {text[serial].iloc[0]}) read as days since 30 Dec 1899"
            )
    for (low, high), unit, words in (
        (EPOCH_SECONDS, "s", "seconds"),
        (EPOCH_MILLISECONDS, "ms", "milliseconds"),
    ):
        epoch = values.between(low, high)
        if not epoch.any():
            continue
        stamps = pd.to_datetime(values[epoch].round(), unit=unit, utc=True)
        out[epoch] = stamps.dt.tz_convert(timezone).dt.tz_localize(None)
        if notes is not None:
            notes.append(
                f"{int(epoch.sum()):,} dates given as Unix time in {words} (e.g. "
                f"{text[epoch].iloc[0]}) read as UTC and shown in local time"
            )
    return out.astype("datetime64[us]")


def _strptime(text: pd.Series, fmt: str) -> pd.Series:
    """Strict parse with ``fmt``: pyarrow's fast parser, checked by a round trip.

    pyarrow rolls 02/30 over to 03/01 and reads a 2-digit year as year 24, so a
    value whose re-formatted text differs from the original (also the case for
    ``2/3/2024`` without zero padding) is re-parsed strictly by pandas.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = _arrow(text)
    fast = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(fast, format=fmt), values)
    same = np.asarray(same.to_numpy(zero_copy_only=False), dtype=object)
    same = same == True  # noqa: E712 (nulls -> False)
    out = pd.Series(
        np.asarray(fast.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)),
        index=text.index,
    ).astype("datetime64[us]")
    out[~same] = pd.NaT
    recheck = ~same & fast.is_valid().to_numpy(zero_copy_only=False)
    if recheck.any():
        strict = pd.to_datetime(text[recheck], format=fmt, errors="coerce")
        out[recheck] = strict.astype("datetime64[us]")
    return out


def normalise_code(text: pd.Series) -> pd.Series:
    """Coded value for lookup: lower case, punctuation -> single spaces."""
    return text.str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()


def map_values(
    text: pd.Series, mapping: dict[str, str]
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(canonical values, empty mask, unknown mask) through an alias ``mapping``.

    ``mapping`` keys are normalised with :func:`normalise_code`.
    """
    empty = is_empty(text)
    mapped = normalise_code(text).map(mapping)
    unknown = mapped.isna() & ~empty
    return mapped, empty, unknown


def whole_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(float values, empty mask, mask of values that are not whole numbers)."""
    values, empty, bad = parse_number(text)
    frac = values.notna() & (values != np.floor(values.fillna(0)))
    return values, empty, bad | frac


def normalise_id(text: pd.Series) -> pd.Series:
    """Identifier text: ``1001.0`` (a float id from GeoJSON or Excel) -> ``1001``."""
    return text.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)


def first_reason(reasons: list[tuple[pd.Series, str]], index: pd.Index) -> pd.Series:
    """Per row, the first reason whose mask is True (None where none is)."""
    out = pd.Series(None, index=index, dtype=object)
    for mask, reason in reasons:
        out = out.mask(out.isna() & mask.to_numpy(dtype=bool), reason)
    return out
