"""File formats: turn a CSV, GeoJSON, GeoPackage or Parquet source into raw text.

The loaders validate rows; this module only reads. Every reader returns a
:class:`RawTable`: the file's own columns as text (so a quarantined row can be
shown exactly as the file had it), plus point coordinates taken from a geometry
when the format has one.

>>> raw = read_table(b"camera_id,lat,lon\\nA,34.7,-92.3\\n", name="cams.csv")
>>> raw.frame.columns.tolist(), raw.format
(['camera_id', 'lat', 'lon'], 'csv')
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pandas as pd

from analytics.projection import MAX_LON

if TYPE_CHECKING:  # geopandas and pyarrow load when a format needs them
    import geopandas as gpd
    import pyarrow.parquet as pq

    from analytics.config import CityConfig

BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", "\t", ";", "|")
SNIFF_BYTES = 65_536
# Share of control characters (NUL included) above which "text" is taken for
# binary garbage; a few stray NUL bytes only cost their rows.
MAX_CONTROL_SHARE = 0.02
# A CSV field longer than this is an unclosed quote or garbage: its row is
# quarantined (a real address or description is a few hundred characters).
MAX_FIELD_CHARS = 10_000
# Default for the city setting `limits.max_expansion`: a file may take at most this
# multiple of its size once decompressed (Parquet, zip) before it is refused.
DEFAULT_MAX_EXPANSION = 100.0
# Byte-order marks of UTF-32 and UTF-16 (UTF-32 first: its LE mark starts like
# UTF-16's).
WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
# Deepest JSON nesting a data file may have (GeoJSON polygons need about 5).
MAX_JSON_DEPTH = 64
GEOJSON_TYPES = ("FeatureCollection", "Feature")
PARQUET_MAGIC = b"PAR1"
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls workbooks
EXCEL_HINT = "an Excel workbook: save the sheet as CSV (UTF-8) and load that"
# Names of a "Long/lat" CRS in a GeoJSON ``crs`` member: already what we want.
LONLAT_CRS_NAMES = (
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "crs84",
    "epsg:4326",
    "urn:ogc:def:crs:epsg::4326",
    "urn:ogc:def:crs:epsg:6.6:4326",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
)

Source = str | os.PathLike[str] | bytes | bytearray | BinaryIO


class LoadError(ValueError):
    """A file that cannot be used at all (empty, not a table, no location columns)."""


@dataclass
class RawTable:
    """A file read as text, before any validation.

    Attributes
    ----------
    frame
        The file's columns as strings, one row per data record, in file order.
    name
        File name used in messages.
    format
        ``csv``, ``geojson``, ``json``, ``gpkg``, ``parquet`` or ``geoparquet``.
    geom_lon, geom_lat
        Point coordinates (WGS84) from the geometry column, NaN where the feature
        had none; None when the format has no geometry.
    geom_note
        Per-row note on the geometry (``"polygon"``, ``"bad"``, ...) or None.
    ragged
        Per-row field count minus header length (CSV only; 0 for good rows).
    extra_fields
        Fields beyond the header in ragged rows, joined by the delimiter.
    row_reasons
        Per-row quarantine reason found while reading (a field swallowed by an
        unclosed quote, an overlong field) or None.
    warnings
        Fixes applied while reading (byte-order mark, encoding, index column).
    geom_crs_named
        False when the file's geometry came with no CRS (a GeoJSON without a
        ``crs`` member, a shapefile without ``.prj``): the loader may then read
        projected values in the city's state plane (:mod:`analytics.projection`).
    """

    frame: pd.DataFrame
    name: str
    format: str
    geom_lon: np.ndarray | None = None
    geom_lat: np.ndarray | None = None
    geom_note: np.ndarray | None = None
    ragged: np.ndarray | None = None
    extra_fields: np.ndarray | None = None
    row_reasons: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    row_offset: int = 0  # data rows before this table (a chunk of a bigger file)
    geom_crs_named: bool = True


def source_name(source: Source, name: str | None = None) -> str:
    """Human name of a source: ``name``, the path, or ``"upload"``."""
    if name:
        return str(name)
    if isinstance(source, str | os.PathLike):
        return str(source)
    return str(getattr(source, "name", None) or "upload")


def read_bytes(source: Source, name: str) -> bytes:
    """All bytes of a path, bytes object or binary file object.

    A path is checked from its first bytes before the rest is read, so a huge
    file of binary garbage (a 2 GB sparse file) is refused without reading it.
    """
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise LoadError(f"{name}: file not found")
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            wide = head.startswith(tuple(bom for bom, _, _ in WIDE_BOMS))
            if not _binary_format(head) and not wide:
                _reject_binary(head, name)
            return head + handle.read()
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data)
    raise LoadError(
        f"`source` was {type(source).__name__} but is expected to be a path, bytes "
        "or a binary file object"
    )


def sniff_format(data: bytes, name: str) -> str:
    """``csv``, ``json``, ``gpkg``, ``parquet`` or ``zip`` from content and name."""
    if data.startswith(PARQUET_MAGIC):
        return "parquet"
    if data.startswith(SQLITE_MAGIC):
        return "gpkg"
    suffix = Path(name).suffix.lower()
    if data.startswith(OLE_MAGIC) or (
        data.startswith(ZIP_MAGIC)
        and (suffix in (".xlsx", ".xlsm") or b"[Content_Types].xml" in data[:4096])
    ):
        raise LoadError(f"{name}: {EXCEL_HINT}")
    if data.startswith(ZIP_MAGIC):
        return "zip"
    head = data[:SNIFF_BYTES].lstrip(BOM).lstrip()
    if head[:1] in (b"{", b"["):
        return "json"
    if suffix in (".parquet", ".geoparquet", ".gpkg", ".zip", ".shp"):
        # the extension promises a binary format the content does not have
        raise LoadError(
            f"{name}: the name says {suffix} but the content is not a "
            f"{suffix.lstrip('.')} file"
        )
    return "csv"


def read_table(
    source: Source, *, name: str | None = None, city: CityConfig | None = None
) -> RawTable:
    """Read any supported table into a :class:`RawTable`.

    ``city`` (a :class:`analytics.config.CityConfig`) supplies the expansion
    limit ``max_expansion``; without it :data:`DEFAULT_MAX_EXPANSION` applies.

    Raises
    ------
    LoadError
        Empty file, binary garbage, JSON that is not GeoJSON, unreadable
        GeoPackage or Parquet, a file that would expand past the limit.
    """
    label = source_name(source, name)
    data = read_bytes(source, label)
    data, wide_note = _as_utf8(data, label)
    if not data.strip(BOM + b" \t\r\n"):
        raise LoadError(f"{label}: the file is empty")
    limit = float(getattr(city, "max_expansion", None) or DEFAULT_MAX_EXPANSION)
    kind = sniff_format(data, label)
    if kind == "json":
        raw = _read_json(data, label)
    elif kind in ("gpkg", "zip"):
        if kind == "zip":
            _check_zip_expansion(data, label, limit)
        raw = _read_vector(data, label, kind)
    elif kind == "parquet":
        raw = _read_parquet(data, label, limit)
    else:
        raw = _read_csv(data, label)
    if wide_note:
        raw.warnings.insert(0, f"{label}: {wide_note}")
    return raw


def _binary_format(head: bytes) -> bool:
    return head.startswith((PARQUET_MAGIC, SQLITE_MAGIC, ZIP_MAGIC, OLE_MAGIC))


def _as_utf8(data: bytes, name: str) -> tuple[bytes, str | None]:
    """UTF-16/UTF-32 text (told by its byte-order mark) re-encoded as UTF-8."""
    for bom, codec, label in WIDE_BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise LoadError(
                    f"{name}: starts with a {label} byte-order mark but is not valid "
                    f"{label} (byte {exc.start})"
                ) from exc
            return text.encode("utf-8"), f"{label} text (byte-order mark) read"
    return data, None


def _too_big(name: str, expanded: float, size: int, limit: float) -> LoadError:
    return LoadError(
        f"{name}: would expand to {expanded / 1e6:,.0f} MB in memory, more than "
        f"{limit:g} times its {size / 1e6:,.1f} MB (the city setting "
        "`limits.max_expansion`): refused to protect the server"
    )


def _check_zip_expansion(data: bytes, name: str, limit: float) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise LoadError(f"{name}: not a readable zip file ({exc})") from exc
    if expanded > limit * max(len(data), 1):
        raise _too_big(name, expanded, len(data), limit)


# --- CSV -------------------------------------------------------------------------
def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """Text of a CSV: UTF-8 (byte-order mark dropped), else Windows-1252/latin-1."""
    notes: list[str] = []
    if data.startswith(BOM):
        data = data[len(BOM) :]
        notes.append("byte-order mark removed")
    _reject_binary(data, name)
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        notes.append("not UTF-8: read as Windows-1252 (latin-1)")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        notes.append("not UTF-8: read as latin-1")
    return text, notes


def _reject_binary(data: bytes, name: str) -> None:
    head = data[:SNIFF_BYTES]
    control = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if head and control / len(head) > MAX_CONTROL_SHARE:
        raise LoadError(
            f"{name}: binary content ({control} control bytes in the first "
            f"{len(head)}), not a CSV, GeoJSON, GeoPackage or Parquet table"
        )


def _sniff_delimiter(text: str) -> str:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, name: str) -> RawTable:
    text, notes = decode_text(data, name)
    text = text.lstrip("\r\n")
    # pyarrow reads UTF-8 bytes; reuse the file's own bytes when they are UTF-8
    utf8 = not any(n.startswith("not UTF-8") for n in notes)
    payload = data.lstrip(BOM).lstrip(b"\r\n") if utf8 else text.encode("utf-8")
    delimiter = _sniff_delimiter(text)
    try:
        frame = _csv_arrow(text, payload, delimiter)
        ragged = extra = None
    except Exception:  # any parse problem: the slower reader that keeps bad rows
        try:
            frame, ragged, extra = _csv_python(text, delimiter)
        except csv.Error as exc:
            raise LoadError(f"{name}: not a readable CSV table ({exc})") from exc
    if frame is None or not len(frame.columns):
        raise LoadError(f"{name}: no header row found")
    frame, ragged, extra, reasons = split_swallowed(frame, ragged, extra, delimiter)
    frame, index_note = _drop_index_column(frame)
    if index_note:
        notes.append(index_note)
    raw = RawTable(
        frame, name, "csv", ragged=ragged, extra_fields=extra, row_reasons=reasons
    )
    raw.warnings.extend(f"{name}: {n}" for n in notes)
    return raw


def _unique_names(header: list[str]) -> list[str]:
    """Header cells stripped of whitespace, duplicates suffixed ``.1``, ``.2``."""
    seen: dict[str, int] = {}
    out = []
    for cell in header:
        base = cell.strip().lstrip("\ufeff")
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}.{n}")
    return out


def _csv_arrow(text: str, payload: bytes, delimiter: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    stream = io.StringIO(text[:SNIFF_BYTES], newline="")
    header = next(csv.reader(stream, delimiter=delimiter), None)
    if header is None:
        return pd.DataFrame()
    names = _unique_names(header)
    table = pacsv.read_csv(
        io.BytesIO(payload),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.to_pandas()


def _csv_python(
    text: str, delimiter: str
) -> tuple[pd.DataFrame | None, np.ndarray, np.ndarray]:
    # a long free-text cell must not make the whole file unreadable
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    stream = io.StringIO(text, newline="")
    rows = [r for r in csv.reader(stream, delimiter=delimiter) if r]
    if not rows:
        return None, np.zeros(0, int), np.zeros(0, object)
    names = _unique_names(rows[0])
    width = len(names)
    body = rows[1:]
    ragged = np.array([len(r) - width for r in body], dtype=int)
    extra = np.array(
        [delimiter.join(r[width:]) if len(r) > width else "" for r in body],
        dtype=object,
    )
    padded = [(r + [""] * width)[:width] for r in body]
    frame = pd.DataFrame(padded, columns=names, dtype="str")
    if not len(body):
        frame = pd.DataFrame({n: pd.Series([], dtype="str") for n in names})
    return frame, ragged, extra


def split_swallowed(
    frame: pd.DataFrame,
    ragged: np.ndarray | None,
    extra: np.ndarray | None,
    delimiter: str,
) -> tuple[pd.DataFrame, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Give back the rows an unclosed quote swallowed, and mark overlong fields.

    A quote left open makes one field run over the following lines of the file.
    When a field holds lines that look like whole records (as many delimiters as
    the header), each of those lines becomes a row of its own again, and they and
    the row that opened the quote are marked "inside an unclosed quote" with the
    file line where it opened. A field longer than :data:`MAX_FIELD_CHARS` marks
    its row "field longer than the limit". Returns the frame, ``ragged``,
    ``extra`` and per-row reasons (None when nothing was found).
    """
    width = len(frame.columns)
    if not len(frame):
        return frame, ragged, extra, None
    text = {c: frame[c].fillna("").astype("str") for c in frame.columns}
    newlines = np.zeros(len(frame), dtype=np.int64)
    longest = np.zeros(len(frame), dtype=np.int64)
    for col in frame.columns:
        newlines += text[col].str.count("\n").to_numpy(dtype=np.int64)
        longest = np.maximum(longest, text[col].str.len().to_numpy(dtype=np.int64))
    suspect = np.flatnonzero((newlines > 0) | (longest > MAX_FIELD_CHARS))
    if not len(suspect):
        return frame, ragged, extra, None
    # file line of each record: header on line 1, one line per record plus the
    # line breaks inside its quoted fields
    lines = 2 + np.concatenate([[0], np.cumsum(newlines + 1)[:-1]])
    pieces: list[pd.DataFrame] = []
    reasons = np.full(len(frame), None, dtype=object)
    new_ragged = np.zeros(len(frame), dtype=int) if ragged is None else ragged.copy()
    new_extra = np.full(len(frame), "", dtype=object) if extra is None else extra
    insert: dict[int, tuple[list[list[str]], str]] = {}
    for i in suspect.tolist():
        row = [text[c].iat[i] for c in frame.columns]
        for j, cell in enumerate(row):
            parts = cell.split("\n")
            # a line with a whole record's delimiters (at least two, so the
            # "city, state" line of an older LRPD location does not count)
            records = [p for p in parts[1:] if p.count(delimiter) >= max(width - 1, 2)]
            if records:
                line = int(lines[i])
                # each swallowed line is a record of its own (blank lines are none)
                lines_in = [p for p in parts[1:] if p.strip()]
                swallowed = [
                    (next(csv.reader([p], delimiter=delimiter), []) + [""] * width)[
                        :width
                    ]
                    for p in lines_in
                ]
                why = (
                    f"inside an unclosed quote: opened on line {line} in column "
                    f"{frame.columns[j]!r}, it ran over the next {len(lines_in)} lines"
                )
                frame.iat[i, j] = parts[0]
                insert[i] = (swallowed, why)
                reasons[i] = why
                break
            if len(cell) > MAX_FIELD_CHARS:
                reasons[i] = (
                    f"field longer than the limit: {len(cell):,} characters in column "
                    f"{frame.columns[j]!r} on line {int(lines[i])} (limit "
                    f"{MAX_FIELD_CHARS:,})"
                )
                frame.iat[i, j] = cell[:200] + "..."
                break
    if not insert:
        found = reasons if any(r is not None for r in reasons) else None
        return frame, ragged, extra, found
    out_reasons: list[str | None] = []
    out_ragged: list[int] = []
    out_extra: list[str] = []
    start = 0
    for i in sorted(insert):
        pieces.append(frame.iloc[start : i + 1])
        out_reasons.extend(reasons[start : i + 1])
        out_ragged.extend(new_ragged[start : i + 1])
        out_extra.extend(new_extra[start : i + 1])
        swallowed, why = insert[i]
        pieces.append(pd.DataFrame(swallowed, columns=frame.columns, dtype="str"))
        out_reasons.extend([why] * len(swallowed))
        out_ragged.extend([0] * len(swallowed))
        out_extra.extend([""] * len(swallowed))
        start = i + 1
    pieces.append(frame.iloc[start:])
    out_reasons.extend(reasons[start:])
    out_ragged.extend(new_ragged[start:])
    out_extra.extend(new_extra[start:])
    merged = pd.concat(pieces, ignore_index=True)
    return (
        merged,
        np.asarray(out_ragged, dtype=int),
        np.asarray(out_extra, dtype=object),
        np.asarray(out_reasons, dtype=object),
    )


def _drop_index_column(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Drop the unnamed row-number column R's ``write.csv`` puts first."""
    first = frame.columns[0]
    if (
        str(first).strip() not in ("", "Unnamed: 0", "X", "...1")
        or len(frame.columns) < 2
    ):
        return frame, None
    values = frame[first].astype("str").str.strip()
    if str(first).strip() == "X" and not values.str.fullmatch(r"\d+").all():
        return frame, None
    if str(first).strip() == "" or values.str.fullmatch(r"\d*").all():
        return frame.drop(columns=first), "ignored the unnamed row-number column"
    return frame, None


# --- JSON / GeoJSON ----------------------------------------------------------------
def _read_json(data: bytes, name: str) -> RawTable:
    text, notes = decode_text(data, name)
    depth = _json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise LoadError(
            f"{name}: JSON nested {depth} levels deep (a data file needs fewer than "
            f"{MAX_JSON_DEPTH}): not a GeoJSON or record list"
        )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{name}: looks like JSON but does not parse ({exc})") from exc
    except RecursionError as exc:
        raise LoadError(f"{name}: JSON nested too deeply to read") from exc
    if isinstance(doc, dict) and doc.get("type") in GEOJSON_TYPES:
        raw = _geojson(doc, name)
    elif isinstance(doc, dict) and isinstance(doc.get("elements"), list):
        raw = _records(_overpass_rows(doc["elements"]), name)
    elif _is_esri_json(doc):
        raw = _geojson(_esri_to_geojson(doc), name)
        raw.warnings.append(f"{name}: ArcGIS REST JSON read (features' attributes)")
    elif isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc):
        if all(r.get("type") == "Feature" for r in doc):
            raw = _geojson({"type": "FeatureCollection", "features": doc}, name)
        else:
            raw = _records(doc, name)
    else:
        found = (
            f"an object with keys {sorted(doc)[:10]}"
            if isinstance(doc, dict)
            else f"a {type(doc).__name__}"
        )
        raise LoadError(
            f"{name}: JSON but not GeoJSON: expected a FeatureCollection, a Feature "
            f"or a list of records, found {found}"
        )
    raw.warnings[:0] = [f"{name}: {n}" for n in notes]
    return raw


# Esri's own code for Web Mercator, older than EPSG:3857
ESRI_WKIDS = {102100: 3857, 102113: 3857}


def _is_esri_json(doc: Any) -> bool:
    """An ArcGIS REST query answer (``f=json``): features of attributes + geometry."""
    if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
        return False
    if "spatialReference" in doc or "geometryType" in doc:
        return True
    feats = doc["features"]
    return bool(feats) and all(
        isinstance(f, dict) and "attributes" in f for f in feats[:10]
    )


def _esri_geometry(geom: Any) -> dict[str, Any] | None:
    """GeoJSON geometry of an Esri JSON geometry (point, multipoint, polyline,
    polygon), or the value as given when it is none of these (then "bad")."""
    if not isinstance(geom, dict):
        return None if geom is None else {"type": "Point", "coordinates": geom}
    if "x" in geom and "y" in geom:
        if geom["x"] is None or geom["y"] is None:
            return None  # ArcGIS writes an empty point as x: null ("NaN" too)
        return {"type": "Point", "coordinates": [geom["x"], geom["y"]]}
    if "points" in geom:
        return {"type": "MultiPoint", "coordinates": geom["points"]}
    if "paths" in geom:
        return {"type": "MultiLineString", "coordinates": geom["paths"]}
    if "rings" in geom:
        # outer rings run clockwise, holes counter-clockwise: one polygon per ring
        # is enough for a centroid or to tell the file holds polygons
        return {
            "type": "MultiPolygon",
            "coordinates": [[ring] for ring in geom["rings"]],
        }
    return {"type": "Point", "coordinates": geom}  # unreadable: marked bad


def _esri_to_geojson(doc: dict[str, Any]) -> dict[str, Any]:
    """An ArcGIS REST JSON answer as a GeoJSON FeatureCollection with its CRS."""
    features = []
    for feat in doc["features"]:
        feat = feat if isinstance(feat, dict) else {}
        attributes = feat.get("attributes")
        features.append(
            {
                "type": "Feature",
                "properties": attributes if isinstance(attributes, dict) else {},
                "geometry": _esri_geometry(feat.get("geometry")),
            }
        )
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    ref = doc.get("spatialReference")
    if isinstance(ref, dict):
        wkid = ref.get("latestWkid") or ref.get("wkid")
        if isinstance(wkid, int) and wkid != 4326:
            code = ESRI_WKIDS.get(wkid, wkid)
            out["crs"] = {"type": "name", "properties": {"name": f"EPSG:{code}"}}
        elif ref.get("wkt") and not wkid:
            out["crs"] = {"type": "name", "properties": {"name": str(ref["wkt"])}}
    return out


def _json_depth(text: str) -> int:
    """Deepest bracket nesting of JSON text (brackets inside strings ignored),
    counted without building the document, so a hostile file cannot exhaust the
    stack or memory first."""
    # drop string literals, then count brackets by running sum
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    opens = np.frombuffer(bare.encode("utf-8", "replace"), dtype=np.uint8)
    step = np.zeros(len(opens), dtype=np.int32)
    step[(opens == ord("[")) | (opens == ord("{"))] = 1
    step[(opens == ord("]")) | (opens == ord("}"))] = -1
    return int(np.cumsum(step).max()) if len(step) else 0


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if {"latitude", "longitude"} <= set(value):
            return f"({value['latitude']}, {value['longitude']})"
        if value.get("type") == "Point" and isinstance(value.get("coordinates"), list):
            coords = value["coordinates"]
            if len(coords) >= 2:
                return f"POINT ({coords[0]} {coords[1]})"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _overpass_rows(elements: list[Any]) -> list[dict[str, Any]]:
    """Overpass API JSON (``out center;``): one record per element, tags flattened."""
    rows: list[dict[str, Any]] = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        centre = element.get("center")
        if not isinstance(centre, dict):
            centre = {}
        row = {
            "@id": f"{element.get('type', 'node')}/{element.get('id', '')}",
            "@lat": element.get("lat", centre.get("lat")),
            "@lon": element.get("lon", centre.get("lon")),
        }
        tags = element.get("tags")
        row.update(tags if isinstance(tags, dict) else {})
        rows.append(row)
    return rows


def _records(rows: list[dict[str, Any]], name: str) -> RawTable:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(str(k) for k in row))
    frame = pd.DataFrame(
        {c: [_text(r.get(c)) for r in rows] for c in columns}, dtype="str"
    )
    return RawTable(frame, name, "json")


def _geojson(doc: dict[str, Any], name: str) -> RawTable:
    features = doc.get("features") if doc["type"] == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise LoadError(f"{name}: GeoJSON `features` is not a list")
    transform = _crs_transform(doc.get("crs"), name)
    columns: dict[str, None] = {}
    props_list = []
    for feat in features:
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        if isinstance(feat, dict) and "id" in feat and "id" not in props:
            props = {"id": feat["id"], **props}
        props_list.append(props)
        columns.update(dict.fromkeys(str(k) for k in props))
    n = len(features)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    note = np.full(n, None, dtype=object)
    wkt = []
    for i, feat in enumerate(features):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        x, y, kind, text = _point_of(geom)
        lon[i], lat[i], note[i] = x, y, kind
        wkt.append(text)
    if transform is not None:
        ok = ~np.isnan(lon)
        lon[ok], lat[ok] = transform(lon[ok], lat[ok])
    frame = pd.DataFrame(
        {c: [_text(p.get(c)) for p in props_list] for c in columns}, dtype="str"
    )
    frame["geometry"] = pd.Series(wkt, dtype="str")
    frame.index = pd.RangeIndex(n)
    raw = RawTable(frame, name, "geojson", lon, lat, note)
    raw.geom_crs_named = bool(doc.get("crs"))
    return raw


def _point_of(geom: Any) -> tuple[float, float, str | None, str]:
    """(lon, lat, note, text) of a GeoJSON geometry; note says what was done."""
    if geom is None:
        return np.nan, np.nan, None, ""
    if not isinstance(geom, dict):
        return np.nan, np.nan, "bad", _text(geom)
    try:
        import shapely.geometry

        shape = shapely.geometry.shape(geom)
    except Exception:  # malformed coordinates of any kind
        return np.nan, np.nan, "bad", _text(geom)
    if shape.is_empty:
        return np.nan, np.nan, None, shape.wkt
    kind = shape.geom_type
    if kind == "Point":
        return shape.x, shape.y, None, shape.wkt
    if kind == "MultiPoint" and len(shape.geoms) == 1:
        point = shape.geoms[0]
        return point.x, point.y, None, shape.wkt
    centre = shape.centroid  # polygons, lines, multi-points: one representative
    return centre.x, centre.y, kind.lower(), shape.wkt


def _crs_transform(crs: Any, name: str) -> Callable[[Any, Any], Any] | None:
    """A (x, y) -> (lon, lat) function for a GeoJSON ``crs`` member, or None."""
    if not crs:
        return None
    crs_name = ""
    if isinstance(crs, dict):
        props = crs.get("properties") or {}
        crs_name = str(props.get("name") or props.get("href") or "")
    if not crs_name or crs_name.strip().lower() in LONLAT_CRS_NAMES:
        return None
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_user_input(crs_name)
    except CRSError as exc:
        raise LoadError(f"{name}: unknown GeoJSON crs {crs_name!r}") from exc
    transformer = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    return transformer.transform


# --- GeoPackage, zipped shapefile, Parquet --------------------------------------
def _frame_from_geo(gdf: gpd.GeoDataFrame, name: str, fmt: str) -> RawTable:
    import geopandas as gpd

    notes: list[str] = []
    geom_name = gdf.geometry.name
    geom = gdf.geometry
    if gdf.crs is None:
        bounds = np.abs(geom.total_bounds)
        # projected values are the loader's to explain (analytics.projection)
        if not np.isfinite(bounds).all() or bounds.max() <= MAX_LON:
            notes.append(f"{name}: no CRS given: coordinates taken as WGS84")
    elif not gdf.crs.equals("EPSG:4326"):
        notes.append(f"{name}: reprojected from {gdf.crs.to_string()} to WGS84")
        geom = geom.to_crs("EPSG:4326")
    kinds = geom.geom_type.to_numpy(dtype=object)
    missing = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    with warnings.catch_warnings():
        # a centroid in degrees is within centimetres of the metric one at city scale
        warnings.simplefilter("ignore", UserWarning)
        points = geom.where(kinds == "Point", geom.centroid)
    lon = np.where(missing, np.nan, points.x.to_numpy())
    lat = np.where(missing, np.nan, points.y.to_numpy())
    note = pd.Series(kinds).str.lower().to_numpy(dtype=object)
    note[missing | (kinds == "Point")] = None
    attrs = pd.DataFrame(gdf.drop(columns=geom_name))
    frame = _as_text(attrs)
    frame["geometry"] = pd.Series(
        gpd.GeoSeries(gdf.geometry).to_wkt().fillna("").to_numpy(), dtype="str"
    )
    raw = RawTable(frame.reset_index(drop=True), name, fmt, lon, lat, note)
    raw.warnings.extend(notes)
    raw.geom_crs_named = gdf.crs is not None
    return raw


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, missing values as "" (vectorised: Parquet can be big)."""
    out = {}
    for col in frame.columns:
        series = frame[col]
        missing = series.isna().to_numpy()
        if pd.api.types.is_object_dtype(series):
            # mixed Python objects (dates, bytes...): str() each, once
            series = series.map(str, na_action="ignore")
        text = series.astype("str")
        out[str(col)] = text.where(~missing, "")
    return pd.DataFrame(out, index=frame.index)


def _read_vector(data: bytes, name: str, kind: str) -> RawTable:
    import geopandas as gpd

    try:
        with warnings.catch_warnings():
            # bytes are read through an in-memory file that has no extension
            warnings.filterwarnings("ignore", "File /vsimem", RuntimeWarning)
            gdf = gpd.read_file(io.BytesIO(data))
    except Exception as exc:  # pyogrio raises many kinds; all mean "unreadable"
        raise LoadError(f"{name}: not a readable {kind} file ({exc})") from exc
    if "geometry" not in gdf or gdf.geometry.isna().all():
        return RawTable(_as_text(pd.DataFrame(gdf)), name, kind)
    return _frame_from_geo(gdf, name, kind)


def parquet_decoded_size(meta: pq.FileMetaData) -> int:
    """Bytes a Parquet file's rows take once decoded, from its footer alone.

    Dictionary and run-length encoding make the stored sizes tiny for repeated
    text (a 2 MB file can hold gigabytes), so text columns are sized from their
    min/max statistics (rows x mean length of the two) or their uncompressed
    pages, whichever is larger; other columns at 8 bytes a value.
    """
    total = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        rows = max(group.num_rows, 1)
        for c in range(group.num_columns):
            column = group.column(c)
            width = 8
            if column.physical_type in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
                width = max(column.total_uncompressed_size // rows, 1)
                stats = column.statistics
                if stats is not None and stats.has_min_max:
                    mean = (len(str(stats.min)) + len(str(stats.max))) // 2
                    width = max(width, mean)
            total += width * group.num_rows
    return int(total)


def _read_parquet(
    data: bytes, name: str, limit: float = DEFAULT_MAX_EXPANSION
) -> RawTable:
    import geopandas as gpd
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as exc:  # pyarrow raises several kinds for a damaged footer
        raise LoadError(f"{name}: not a readable Parquet file ({exc})") from exc
    expanded = parquet_decoded_size(meta)
    if expanded > limit * max(len(data), 1):
        raise _too_big(name, expanded, len(data), limit)
    try:
        gdf = gpd.read_parquet(io.BytesIO(data))
    except Exception:  # plain parquet without geo metadata
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:
            raise LoadError(f"{name}: not a readable Parquet file ({exc})") from exc
        if (
            "geometry" in frame
            and frame["geometry"].map(lambda v: isinstance(v, bytes | bytearray)).any()
        ):
            geom = gpd.GeoSeries.from_wkb(frame["geometry"], crs="EPSG:4326")
            gdf = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geom)
            return _frame_from_geo(gdf, name, "parquet")
        return RawTable(_as_text(frame).reset_index(drop=True), name, "parquet")
    return _frame_from_geo(gdf, name, "geoparquet")
