"""Load camera registries, crime incidents and boundaries from real files.

Every data row is either accepted (canonical columns of :mod:`analytics.schema`,
WGS84 point geometry) or quarantined with a human-readable reason; fixable
problems (swapped latitude/longitude, alias column names, byte-order marks,
surrounding whitespace) are fixed and the fix is listed in the result's
``warnings`` (a returned value, not a Python warning). A file that cannot be used
at all raises :class:`LoadError`.

>>> result = load_incidents("tests/data/lrpd/lrpd_current.csv", load_city())
>>> result.rows_read, len(result.accepted), result.reasons
(24, 21, {'missing coordinates': 2, 'outside the city extent': 1})
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analytics import codes
from analytics.columns import (
    CAMERA_ALIASES,
    DBF_NAME_LENGTH,
    INCIDENT_ALIASES,
    LATITUDE,
    LOCATION_TEXT,
    LONGITUDE,
    OSM_MARKERS,
    X_NAMES,
    Y_NAMES,
    find_column,
    find_columns,
    match_columns,
    normalise_name,
)
from analytics.config import CityConfig, Extent
from analytics.projection import PROJECTED_SHARE, assume_crs
from analytics.readers import (
    LoadError,
    RawTable,
    Source,
    read_bytes,
    read_table,
    sniff_format,
    source_name,
)
from analytics.schema import (
    CAMERA_COLUMNS,
    CATEGORIES,
    INCIDENT_COLUMNS,
    SYNTHETIC_COLUMN,
    SYNTHETIC_LABEL,
    SYNTHETIC_VALUE,
    WARD_COLUMNS,
    WGS84,
)
from analytics.stray_rows import R_EMPTY_ROW, R_HEADER_AGAIN, R_TOTALS, stray_rows
from analytics.validation import (
    clean_text,
    coords_from_text,
    first_reason,
    is_empty,
    map_values,
    normalise_id,
    parse_coordinate,
    parse_datetimes,
    parse_number,
    parse_times,
    whole_numbers,
)

__all__ = [
    "LoadError",
    "LoadResult",
    "check_kind",
    "load_boundaries",
    "load_cameras",
    "load_incidents",
    "looks_like",
]

KINDS = ("cameras", "incidents")
# Quarantine reasons: the exact wording shown to people and counted in summaries.
R_RAGGED_LONG = "ragged row: more fields than the header"
R_RAGGED_SHORT = "ragged row: fewer fields than the header"
R_NOT_CAMERA = "not a surveillance camera (OpenStreetMap tags)"
R_MISSING_COORDS = "missing coordinates"
R_BAD_COORDS = "unparseable coordinates"
R_ZERO = "coordinates are (0, 0)"
R_OUTSIDE = "outside the city extent"
R_MISSING_ID = "missing id"
R_DUPLICATE = "duplicate id"
R_CONFLICT = "incident number and offence repeated at another place or time"
R_NUL = "NUL byte in the row (damaged file)"
R_SWALLOWED = "inside an unclosed quote"
R_OVERLONG = "field longer than the limit"
R_NOT_FOUND = "address not found"
# an intersection without a house number whose two streets the address points
# do not show crossing (a street missing, or the two never come near)
R_INTERSECTION = "intersection: streets not found"
R_COUNT_RANGE = "camera count past a sane range"
R_MISSING_DATE = "missing date"
# a registry store records the day each camera joined (its history and pace)
R_NO_REGISTRATION = "no registration date (the registry store needs one)"
R_BAD_DATE = "bad date"
R_FUTURE = "date in the future"
R_TIER = "unknown tier"
R_OWNER = "unknown owner type"
R_COUNT = "camera count is not a positive whole number"
R_STATUS = "unknown status"
# When a row has several problems, the first of these is its reason.
REASON_ORDER = (
    R_NUL,
    R_SWALLOWED,
    R_OVERLONG,
    R_EMPTY_ROW,
    R_HEADER_AGAIN,
    R_TOTALS,
    R_RAGGED_LONG,
    R_RAGGED_SHORT,
    R_NOT_CAMERA,
    R_BAD_COORDS,
    R_MISSING_COORDS,
    R_ZERO,
    R_OUTSIDE,
    R_MISSING_ID,
    R_BAD_DATE,
    R_FUTURE,
    R_MISSING_DATE,
    R_NO_REGISTRATION,
    R_TIER,
    R_OWNER,
    R_STATUS,
    R_COUNT,
    R_COUNT_RANGE,
    R_NOT_FOUND,
    R_INTERSECTION,
)
# Rows of a location-text column parsed to decide it holds coordinates at all.
SAMPLE_ROWS = 5_000
# Degrees values above this cannot be latitude/longitude: projected X/Y.
MAX_DEGREES = 180.0
# Registrations and incidents more than this far ahead of today are errors.
FUTURE_TOLERANCE = pd.Timedelta(days=1)
DEFAULT_TIER = "registered"  # location only: never claim live access not granted
# Owner type when a file does not say or says something unknown: the most
# protected one (fail closed: a home camera must never show as a city one).
DEFAULT_OWNER = "residential"
DEFAULT_STATUS = "active"
# More cameras than this on one row is a typing or overflow error: more than the
# whole city's goal (a CityProtect account holds at most 100 cameras; a row for a
# legacy stock of city cameras can hold thousands).
MAX_CAMERA_COUNT = 100_000
# Share of located rows outside the city above which the whole file is suspect.
FOREIGN_SHARE = 0.5
# The words that end the first sentence of that file-level note (the rest says
# where the data and the city are, and the likely cause)
FOREIGN_MARK = "lie outside the city."
# Share of sampled non-empty cells that must parse for a location column to be
# read as coordinates (otherwise it holds addresses or place names).
COORDINATE_SHARE = 0.5
# Incident repeats are the same incident, offence and place (one row per victim).
FOLD_DECIMALS = 6


@dataclass
class LoadResult:
    """Outcome of loading one file: accepted rows, quarantined rows, warnings.

    Attributes
    ----------
    kind
        ``"cameras"`` or ``"incidents"``.
    source
        File name.
    accepted
        GeoDataFrame (WGS84) with the canonical columns and point geometry.
    quarantined
        DataFrame of the rejected rows' original columns as text, plus
        ``row_number`` (1-based data row, header not counted) and ``reason``.
    rows_read
        Data rows in the file; always
        ``len(accepted) + folded + len(quarantined)``.
    warnings
        Fixes applied while loading (the rows were kept), one sentence each.
        They are returned here, never raised as Python warnings: the pages, the
        command line and the tests read them from the result.
    folded
        Incident rows that repeat an accepted row (same incident number, offence,
        time and place: one row per victim) and were folded into it; the kept
        row's ``rows`` column counts them.
    synthetic
        True when the file carries the demo's synthetic marker.
    unknown_offenses
        Offence descriptions without a code that no NIBRS spelling matched, with
        their row counts.
    notes
        Findings about the whole file (e.g. most rows lie in another city), one
        sentence each, shown before the per-row reasons.
    geocoding
        Address matching figures when rows were placed from an address-point
        file (``addresses``, ``matched``, ``rate``), else None.
    unmapped_offenses
        Per quarantine reason, the offences of the rows it holds (incidents).
    """

    kind: str
    source: str
    accepted: gpd.GeoDataFrame
    quarantined: pd.DataFrame
    rows_read: int
    warnings: list[str] = field(default_factory=list)
    folded: int = 0
    offences_folded: int = 0  # of ``folded``: further offences of an incident
    synthetic: bool = False
    unknown_offenses: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    geocoding: dict[str, Any] | None = None
    unmapped_offenses: dict[str, dict[str, int]] = field(default_factory=dict)
    # set by validate_file on a file read in chunks: the accepted rows are counted,
    # not kept (``accepted`` is then empty)
    accepted_total: int | None = None
    accepted_positions: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_accepted(self) -> int:
        """Accepted rows (counted when the file was validated in chunks)."""
        if self.accepted_total is not None:
            return int(self.accepted_total)
        return len(self.accepted)

    @property
    def reasons(self) -> dict[str, int]:
        """Quarantine reason -> number of rows, most frequent first."""
        if not len(self.quarantined):
            return {}
        counts = self.quarantined["reason"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    def summary(self) -> dict[str, Any]:
        """Plain dict for JSON output and dataset load reports."""
        return {
            "kind": self.kind,
            "source": self.source,
            "rows_read": int(self.rows_read),
            "accepted": self.n_accepted,
            "folded": int(self.folded),
            "offences_folded": int(self.offences_folded),
            "quarantined": len(self.quarantined),
            "reasons": self.reasons,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
            "synthetic": bool(self.synthetic),
            "unknown_offenses": dict(self.unknown_offenses),
            "geocoding": self.geocoding,
            "unmapped_offenses": {
                k: dict(v) for k, v in self.unmapped_offenses.items()
            },
        }


# --- public API ----------------------------------------------------------------------
def load_cameras(
    source: Source,
    city: CityConfig,
    *,
    name: str | None = None,
    for_store: bool = False,
) -> LoadResult:
    """Load a camera registry or camera list.

    Parameters
    ----------
    source
        Path, bytes or binary file object of a CSV, GeoJSON, GeoPackage or
        Parquet file (an OpenStreetMap export works too).
    city
        City configuration: its extent bounds valid coordinates.
    name
        File name for messages (and for the format) when ``source`` is bytes.
    for_store
        The rows go into the registry store, which records the day each camera
        was registered: a row without a registration date is quarantined
        (:data:`R_NO_REGISTRATION`) instead of refusing the whole import. For
        coverage, an undated list is fine (stock of unknown date).

    Raises
    ------
    LoadError
        The file cannot be used at all (empty, not a table, no location columns).
    """
    raw = read_table(source, name=name, city=city)
    return _load(raw, city, "cameras", for_store=for_store)


def load_incidents(
    source: Source,
    city: CityConfig,
    *,
    name: str | None = None,
    addresses: Source | None = None,
) -> LoadResult:
    """Load a crime incident export (LRPD open data as downloaded, and others).

    ``category`` is derived from the NIBRS ``offense_code`` with
    ``city.category_for`` (codes missing: from the offence description, see
    :func:`analytics.codes.code_for_description`); ``occurred_at`` is naive local
    time. Rows repeating an incident (one per victim) are folded into one row
    whose ``rows`` counts them.

    Parameters
    ----------
    addresses
        An address-point file (CSV or GeoJSON of address + point, see
        :mod:`analytics.geocode`) that places rows given by address only.

    Raises
    ------
    LoadError
        The file cannot be used at all (empty, not a table, no location columns,
        not an incident export).
    """
    raw = read_table(source, name=name, city=city)
    return _load(raw, city, "incidents", addresses=addresses)


def load_table(
    kind: str,
    source: Source,
    city: CityConfig,
    *,
    name: str | None = None,
    addresses: Source | None = None,
) -> LoadResult:
    """:func:`load_cameras` or :func:`load_incidents` by ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"`kind` was {kind!r} but is expected to be in {KINDS}")
    raw = read_table(source, name=name, city=city)
    return _load(raw, city, kind, addresses=addresses)


def _rows(mask: pd.Series) -> str:
    """``"1 row"``, ``"3 rows"``: how many rows a mask selects."""
    n = int(mask.sum())
    return f"{n} row" if n == 1 else f"{n} rows"


# --- shared pipeline -----------------------------------------------------------------
@dataclass
class _Rows:
    """Working state while validating one file."""

    raw: RawTable
    city: CityConfig
    kind: str
    text: dict[str, pd.Series] = field(default_factory=dict)
    address_column: str | None = None
    location_sources: list[str] = field(default_factory=list)
    reasons: list[tuple[pd.Series, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_offenses: dict[str, int] = field(default_factory=dict)
    geocoding: dict[str, Any] | None = None
    for_store: bool = False  # camera rows bound for the registry store

    @property
    def index(self) -> pd.Index:
        return self.raw.frame.index

    def column(self, name: str) -> pd.Series:
        """Stripped text of a file column (cached)."""
        if name not in self.text:
            self.text[name] = clean_text(self.raw.frame[name])
        return self.text[name]

    def reject(self, mask: pd.Series | np.ndarray, reason: str) -> None:
        self.reasons.append(
            (pd.Series(np.asarray(mask, dtype=bool), self.index), reason)
        )

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.raw.name}: {message}")


def _load(
    raw: RawTable,
    city: CityConfig,
    kind: str,
    *,
    addresses: Source | None = None,
    for_store: bool = False,
) -> LoadResult:
    raw.frame = raw.frame.reset_index(drop=True)
    rows = _Rows(raw, city, kind, warnings=list(raw.warnings), for_store=for_store)
    n = len(raw.frame)
    aliases = CAMERA_ALIASES if kind == "cameras" else INCIDENT_ALIASES
    columns = list(raw.frame.columns)
    check_kind(raw, kind)
    mapping = match_columns(columns, aliases)
    _damaged_rows(rows)
    for why, mask in stray_rows(raw.frame).items():
        rows.reject(mask, why)
    synthetic = _synthetic_marker(rows, mapping)
    lat, lon = _locate(rows, mapping, addresses)
    load_rows = _cameras if kind == "cameras" else _incidents
    values = load_rows(rows, mapping)
    _note_fixes(rows, mapping)
    ordered = sorted(rows.reasons, key=lambda pair: _reason_rank(pair[1]))
    reason = first_reason(ordered, rows.index)
    folded = pd.Series(False, index=rows.index)
    offences = 0  # folded rows that are further offences of an incident
    if kind == "cameras":
        # duplicates among otherwise valid rows: the first valid copy is kept
        ok = reason.isna() & values["camera_id"].notna()
        dup = pd.Series(False, index=rows.index)
        dup[ok] = values.loc[ok, ["camera_id"]].duplicated(keep="first")
        reason = reason.mask(dup, R_DUPLICATE)
    else:
        numbered = mapping.get("incident_id") is not None
        folded, conflict, offences = _fold_repeats(
            values, lat, lon, reason, numbered=numbered
        )
        reason = reason.mask(conflict, R_CONFLICT)
        if offences:
            rows.notes.append(offences_note(rows.raw.name, offences))
        if folded.any() and not numbered:
            rows.warn(
                f"{_rows(folded)} repeat the date, offence and place of another row "
                "and the file has no incident number: read as one row per victim "
                "and folded into that incident"
            )
    if n == 0:
        rows.warn("no data rows (header only)")
    accepted_mask = (reason.isna() & ~folded).to_numpy()
    accepted = _assemble(values, lat, lon, accepted_mask, kind)
    quarantined = _quarantine(raw, reason, reason.notna().to_numpy())
    n_folded = int(folded.sum())
    assert len(accepted) + n_folded + len(quarantined) == n, (
        "every row accepted, folded or quarantined"
    )
    if synthetic:
        accepted.attrs["synthetic"] = True
        accepted.attrs["label"] = SYNTHETIC_LABEL
    result = LoadResult(
        kind,
        raw.name,
        accepted,
        quarantined,
        n,
        rows.warnings,
        folded=n_folded,
        offences_folded=offences,
        synthetic=synthetic,
        unknown_offenses=rows.unknown_offenses,
        notes=rows.notes,
        geocoding=rows.geocoding,
    )
    if kind == "incidents" and len(quarantined):
        result.unmapped_offenses = _offenses_by_reason(values, reason)
    result.accepted_positions = np.flatnonzero(accepted_mask)
    return result


def offences_note(source: str, n: int) -> str:
    """The load report's sentence for ``n`` rows folded as further offences."""
    return (
        f"{source}: "
        + ("1 row is another offence" if n == 1 else f"{n:,} rows are other offences")
        + " of an incident already read (same number, time and place) and folded "
        "into it: each incident is counted once, as its most serious offence"
    )


def _reason_rank(reason: str) -> int:
    """Position of a reason in :data:`REASON_ORDER` (variants share their stem's)."""
    for i, stem in enumerate(REASON_ORDER):
        if reason == stem or reason.startswith((stem + " ", stem + ":")):
            return i
    return len(REASON_ORDER)


def _fold_repeats(
    values: pd.DataFrame,
    lat: pd.Series,
    lon: pd.Series,
    reason: pd.Series,
    *,
    numbered: bool = True,
) -> tuple[pd.Series, pd.Series, int]:
    """(folded, conflict) masks over valid incident rows and how many of the folded
    rows were further offences of an incident; sets ``values["rows"]``.

    Rows agreeing on incident number, offence, time and place are one incident
    reported once per victim: the first is kept and counts them in ``rows``, the
    others are folded. Rows of one number, time and place that differ only in
    offence are one incident with several offences: the most serious (violent,
    then property, then other) is kept with the largest victim count of its
    offences, the others are folded. The same number and offence at another
    place or time is a conflict the data steward has to resolve (quarantined).
    A file without incident numbers (``numbered=False``: the ids were made from
    row numbers, as in derived violent-crime exports) folds rows agreeing on
    offence, time and place, and has no conflicts.
    """
    idx = values.index
    values["rows"] = 1
    ok = (reason.isna() & values["incident_id"].notna()).to_numpy()
    folded = pd.Series(False, index=idx)
    conflict = pd.Series(False, index=idx)
    if not ok.any():
        return folded, conflict, 0
    offence = values["offense_code"].fillna(values["offense"].str.upper())
    keys = pd.DataFrame(
        {
            "id": values["incident_id"] if numbered else "",
            "offence": offence.fillna(""),
            "when": values["occurred_at"],
            "lat": lat.round(FOLD_DECIMALS),
            "lon": lon.round(FOLD_DECIMALS),
        },
        index=idx,
    )[ok]
    same = keys.duplicated(keep="first")
    if same.any():
        sizes = keys.groupby(list(keys.columns), sort=False, dropna=False)[
            "id"
        ].transform("size")
        firsts = keys.index[~same.to_numpy()]
        values.loc[firsts, "rows"] = sizes.loc[firsts].to_numpy()
        folded[keys.index[same.to_numpy()]] = True
    if not numbered:
        return folded, conflict, 0
    rest = keys[~same.to_numpy()]
    clash = rest.duplicated(["id", "offence"], keep="first")
    conflict[rest.index[clash.to_numpy()]] = True
    # one incident with several offences (same number, time and place, another
    # offence): counted once, as its most serious offence (the hierarchy rule of
    # summary crime counts: violent before property before other); it keeps the
    # largest victim count of its offences
    rest = rest[~clash.to_numpy()]
    place = ["id", "when", "lat", "lon"]
    several = rest.duplicated(place, keep=False).to_numpy()
    if several.any():
        group = rest[several]
        rank = (
            values.loc[group.index, "category"]
            .map({c: i for i, c in enumerate(CATEGORIES)})
            .fillna(len(CATEGORIES))
        )
        order = group.assign(rank=rank.to_numpy()).sort_values("rank", kind="stable")
        kept = ~order.duplicated(place, keep="first")
        victims = (
            values.loc[order.index, "rows"]
            .groupby([order[c] for c in place], sort=False, dropna=False)
            .transform("max")
        )
        values.loc[order.index[kept.to_numpy()], "rows"] = victims[
            kept.to_numpy()
        ].to_numpy()
        folded[order.index[~kept.to_numpy()]] = True
        return folded, conflict, int((~kept).sum())
    return folded, conflict, 0


def _offenses_by_reason(
    values: pd.DataFrame, reason: pd.Series
) -> dict[str, dict[str, int]]:
    """Quarantine reason -> {offence name: rows}, for "what was not mapped"."""
    out: dict[str, dict[str, int]] = {}
    quarantined = reason.notna()
    if not quarantined.any():
        return out
    held = values.loc[quarantined]
    names = {c: entry[0] for c, entry in codes.NIBRS_OFFENSES.items()}
    name = held["offense_code"].map(names)
    name = name.fillna(held["offense"].str.lower()).fillna("offence not given")
    table = pd.crosstab(reason[quarantined], name)
    for why, row in table.iterrows():
        row = row[row > 0].sort_values(ascending=False)
        out[str(why)] = {str(k): int(v) for k, v in row.items()}
    return out


# --- what kind of file is this? ------------------------------------------------------
# Normalised column names that only an incident export or only a camera list has.
INCIDENT_MARKERS = (
    "incident_number",
    "incident_id",
    "incident_no",
    "incident_date",
    "offense_code",
    "offense_description",
    "offense",
    "offense_desc",
    "nibrs_code",
    "ucr_code",
    "weapon_type",
    "crime_type",
    "case_number",
    "occurred_at",
    "occurred_date",
)
CAMERA_MARKERS = (
    "camera_id",
    "cameraid",
    "cam_id",
    "camera_count",
    "num_cameras",
    "number_of_cameras",
    "cameras",
    "tier",
    "owner_type",
    "registered_at",
    "registration_date",
    "go_live_date",
    "golive_date",
    "camera_type",
    "camera_direction",
    "direction_deg",
    "fov_deg",
    "man_made",
    "surveillance",
    "surveillance_type",
)
KIND_NAMES = {
    "incidents": "a crime incident export",
    "cameras": "a camera list",
    "polygons": "a polygon file (ward or boundary shapes)",
}


def looks_like(raw: RawTable) -> tuple[str | None, str]:
    """(kind, evidence): what a file appears to hold, from its columns and shapes.

    ``kind`` is ``"incidents"``, ``"cameras"``, ``"polygons"`` or None when the
    file could be either (bare coordinates); ``evidence`` names what decided it.
    """
    names = {normalise_name(c): c for c in raw.frame.columns}
    for norm, col in list(names.items()):
        if len(norm) == DBF_NAME_LENGTH:  # a shapefile's cut name (INCIDENT_D)
            for marker in (*INCIDENT_MARKERS, *CAMERA_MARKERS):
                if marker.startswith(norm) and marker not in names:
                    names[marker] = col
    incident = list(dict.fromkeys(names[m] for m in INCIDENT_MARKERS if m in names))
    camera = list(dict.fromkeys(names[m] for m in CAMERA_MARKERS if m in names))
    if raw.geom_note is not None and len(raw.frame) and not (incident or camera):
        polygonal = pd.Series(raw.geom_note).astype("str").str.contains("polygon")
        if polygonal.mean() > 0.5:
            evidence = f"{int(polygonal.sum())} polygons, no camera or incident columns"
            return "polygons", evidence
    if incident and not camera:
        return "incidents", f"columns {incident[:3]}"
    if camera and not incident:
        return "cameras", f"columns {camera[:3]}"
    return None, ""


def check_kind(raw: RawTable, kind: str) -> None:
    """Refuse a file that is plainly of another kind than ``kind``.

    Raises
    ------
    LoadError
        One sentence naming what the file looks like and how to load it.
    """
    seen, evidence = looks_like(raw)
    if seen is None or seen == kind:
        return
    wanted = KIND_NAMES[kind]
    hint = {
        "incidents": "load it as incidents",
        "cameras": "load it as a camera registry",
        "polygons": "load it as ward boundaries or the city limit",
    }[seen]
    raise LoadError(
        f"{raw.name}: this looks like {KIND_NAMES[seen]} ({evidence}), not "
        f"{wanted}: {hint}"
    )


def _damaged_rows(rows: _Rows) -> None:
    """Quarantine rows holding NUL bytes, swallowed by an unclosed quote or with
    an overlong field (the reader marks the last two in ``raw.row_reasons``)."""
    frame = rows.raw.frame
    nul = pd.Series(False, index=rows.index)
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            nul |= values.astype("str").str.contains("\x00", regex=False).fillna(False)
    if nul.any():
        rows.reject(nul, R_NUL)
        for col in frame.columns:
            frame[col] = frame[col].astype("str").str.replace("\x00", "", regex=False)
    if rows.raw.row_reasons is not None:
        marks = pd.Series(rows.raw.row_reasons, index=rows.index)
        for why in marks.dropna().unique():
            rows.reject(marks == why, str(why))
    if rows.raw.ragged is not None:
        rows.reject(rows.raw.ragged > 0, R_RAGGED_LONG)
        rows.reject(rows.raw.ragged < 0, R_RAGGED_SHORT)


def _synthetic_marker(rows: _Rows, mapping: dict[str, str]) -> bool:
    """True when the file carries the demo's marker (a ``data_origin`` column
    saying "synthetic", or a camera ``source`` of "synthetic")."""
    columns = list(rows.raw.frame.columns)
    for col in (find_column(columns, (SYNTHETIC_COLUMN,)), mapping.get("source")):
        if col is None:
            continue
        text = rows.column(col).str.lower()
        if len(text) and (text == SYNTHETIC_VALUE).mean() > 0.5:
            rows.notes.append(
                f"{rows.raw.name}: column {col!r} marks these rows as "
                f"{SYNTHETIC_LABEL.lower()}: everything built from them is labelled "
                "synthetic"
            )
            return True
    return False


def _note_fixes(rows: _Rows, mapping: dict[str, str]) -> None:
    """Warn about alias column names and whitespace stripped from cells."""
    output = CAMERA_COLUMNS if rows.kind == "cameras" else INCIDENT_COLUMNS
    renamed = [
        f"{col!r} as {canonical}"
        for canonical, col in mapping.items()
        if col != canonical and canonical in output
    ]
    located = [s for s in rows.location_sources if s != "'latitude'/'longitude'"]
    if renamed or located:
        parts = []
        if renamed:
            parts.append("read columns by alias: " + ", ".join(renamed))
        if located:
            parts.append("coordinates from " + ", then ".join(rows.location_sources))
        rows.warn("; ".join(parts))
    padded = {}
    for col, text in rows.text.items():
        original = rows.raw.frame[col].fillna("").astype("str")
        changed = int((original.str.len() != text.str.len()).sum())
        if changed:
            padded[col] = changed
    if padded:
        cells = sum(padded.values())
        rows.warn(
            f"surrounding whitespace removed from {cells} cell"
            f"{'' if cells == 1 else 's'} (columns {sorted(padded)})"
        )


def _locate(
    rows: _Rows, mapping: dict[str, str], addresses: Source | None = None
) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude per row from geometry, numeric columns or text.

    Adds the coordinate quarantine reasons and swaps rows whose latitude and
    longitude were exchanged. A location column holding no coordinates at all
    is remembered in ``rows.address_column`` (a street address or intersection).
    With an address-point file, rows given by address only are placed from it.
    """
    raw, idx, city = rows.raw, rows.index, rows.city
    columns = list(raw.frame.columns)
    claimed = set(mapping.values())
    lat = pd.Series(np.nan, index=idx)
    lon = pd.Series(np.nan, index=idx)
    bad_text = pd.Series(False, index=idx)
    sources = 0
    projected_note = ""
    if raw.geom_lon is not None and raw.geom_lat is not None:  # set together
        sources += 1
        rows.location_sources.append("the geometry")
        geom_lon, geom_lat = raw.geom_lon, raw.geom_lat
        assumed = None if raw.geom_crs_named else assume_crs(geom_lon, geom_lat, city)
        if assumed is not None:
            geom_lon, geom_lat = assumed.lon, assumed.lat
            rows.warn(assumed.sentence("the geometry's coordinates"))
        lat = lat.fillna(pd.Series(geom_lat, index=idx))
        lon = lon.fillna(pd.Series(geom_lon, index=idx))
        note = pd.Series(raw.geom_note, index=idx)
        bad_text |= note.eq("bad").fillna(False).astype(bool)
        shaped = note.notna() & note.ne("bad") & lat.notna()
        if shaped.any():
            kinds = "/".join(sorted(note[shaped].unique()))
            rows.warn(
                f"{_rows(shaped)} with a {kinds} geometry, not a point: the "
                "centroid is used as the location"
            )
    pairs = [(find_column(columns, LATITUDE), find_column(columns, LONGITUDE))]
    # X/Y beside latitude/longitude: state plane for the rows the degrees miss
    pairs.append((find_column(columns, Y_NAMES), find_column(columns, X_NAMES)))
    for lat_col, lon_col in dict.fromkeys(pairs):
        if not (lat_col and lon_col):
            continue
        y, _, y_bad = parse_coordinate(rows.column(lat_col))
        x, _, x_bad = parse_coordinate(rows.column(lon_col))
        xy_names = normalise_name(lat_col) in Y_NAMES
        projected = (y.abs() > MAX_DEGREES) | (x.abs() > MAX_DEGREES)
        if xy_names and projected.mean() > PROJECTED_SHARE:
            assumed = assume_crs(x.to_numpy(), y.to_numpy(), city)
            if assumed is None:
                projected_note = (
                    f"columns {lat_col!r}/{lon_col!r} hold projected values (e.g. "
                    f"{rows.column(lon_col).iloc[int(np.argmax(projected))]}), not "
                    "degrees"
                )
                if city.state_plane_crs:
                    projected_note += (
                        f", and read as the city's {city.state_plane_crs} they "
                        "fall outside the city"
                    )
                rows.warn(f"{projected_note}: ignored")
                continue
            rows.warn(assumed.sentence(f"columns {lat_col!r}/{lon_col!r}"))
            y = pd.Series(assumed.lat, index=idx)
            x = pd.Series(assumed.lon, index=idx)
        elif xy_names and sources and lat_col != pairs[0][0]:
            continue  # X/Y in degrees beside latitude/longitude: the same points
        sources += 1
        rows.location_sources.append(f"{lat_col!r}/{lon_col!r}")
        bad_text |= (y_bad | x_bad) & lat.isna()
        use = lat.isna() & y.notna() & x.notna()
        lat[use], lon[use] = y[use], x[use]
    skip = {"geometry"} if raw.geom_lon is not None else set()
    for col in find_columns(columns, LOCATION_TEXT):
        if col in skip or col in claimed:
            continue
        # parse the rows still without coordinates, plus a sample that tells a
        # coordinate column from one of addresses (parsing 1M strings costs seconds)
        look = lat.isna().to_numpy(copy=True)
        look[:SAMPLE_ROWS] = True
        text = rows.column(col)[look]
        t_lat, t_lon, _, t_bad = coords_from_text(text)
        sample = ~is_empty(text.iloc[:SAMPLE_ROWS])
        tried = (t_lat.notna() | t_bad).iloc[:SAMPLE_ROWS] & sample
        if not sample.any() or tried.sum() < COORDINATE_SHARE * sample.sum():
            # place names or addresses ("Chester Road (White City)"), not coordinates
            rows.address_column = rows.address_column or col
            continue
        sources += 1
        rows.location_sources.append(repr(col))
        fill = t_lat.index[(lat[look].isna() & t_lat.notna()).to_numpy()]
        lat.loc[fill], lon.loc[fill] = t_lat[fill], t_lon[fill]
        bad_text.loc[t_bad.index] |= t_bad & lat[t_bad.index].isna()
    address_col = mapping.get("address") or rows.address_column
    geocoded_only = False
    if rows.kind != "incidents":
        address_col = None  # camera registries must give their points
    if sources == 0:
        if address_col is None:
            if projected_note:
                projected_note = f" ({projected_note}, without a CRS)"
            raise LoadError(
                f"{raw.name}: no location columns{projected_note}: expected "
                "latitude/longitude (or lat/lon, x/y in degrees), a '(lat, lon)' or "
                "WKT 'POINT (lon lat)' location column, or point geometry; "
                f"found columns {columns}"
            )
        if addresses is None:
            raise LoadError(
                f"{raw.name}: addresses only: give an address-point file to geocode "
                f"(column {address_col!r} holds addresses and the file has no "
                "coordinates; set CAMREG_ADDRESSES or pass --addresses FILE)"
            )
        geocoded_only = True
    if addresses is not None and address_col is not None:
        todo = (
            (lat.isna() | lon.isna()) & ~bad_text & ~is_empty(rows.column(address_col))
        )
        found = _geocode(rows, address_col, todo, addresses, lat, lon)
        if geocoded_only:
            from analytics.geocode import intersections

            lost = todo & ~found
            crossing = pd.Series(False, index=idx)
            crossing[lost] = intersections(rows.column(address_col)[lost])
            rows.reject(lost & ~crossing, R_NOT_FOUND)
            rows.reject(crossing, R_INTERSECTION)
    missing = lat.isna() | lon.isna()
    if geocoded_only:
        assert address_col is not None  # geocoded_only: the rows give addresses
        missing_reason = missing & is_empty(rows.column(address_col))
        rows.reject(missing_reason, R_MISSING_COORDS)
        missing = pd.Series(False, index=idx)  # reasons given above
        located = lat.notna() & lon.notna()
    else:
        located = ~missing
    rows.reject(missing & bad_text, R_BAD_COORDS)
    rows.reject(missing & ~bad_text, R_MISSING_COORDS)
    zero = located & (lat == 0) & (lon == 0)
    rows.reject(zero, R_ZERO)
    extent = rows.city.extent
    inside = pd.Series(extent.contains(lon, lat), index=idx).fillna(False)
    swapped = (
        located
        & ~inside
        & pd.Series(extent.contains(lat, lon), index=idx).fillna(False)
    )
    if swapped.any():
        lat, lon = lat.where(~swapped, lon), lon.where(~swapped, lat)
        rows.warn(f"{_rows(swapped)} with latitude and longitude swapped: swapped back")
        inside = inside | swapped
    outside = located & ~inside & ~zero
    rows.reject(outside, R_OUTSIDE)
    if outside.sum() > FOREIGN_SHARE * max(int(located.sum()), 1):
        rows.notes.append(
            foreign_extent_note(raw.name, lat[outside], lon[outside], extent)
        )
    return lat, lon


def foreign_extent_note(
    name: str, lat: pd.Series, lon: pd.Series, extent: Extent
) -> str:
    """One sentence for a file whose rows mostly lie outside the city: where they
    are, where the city is, and the likely cause."""
    box = (
        f"latitude {lat.min():.4g} to {lat.max():.4g}, longitude {lon.min():.4g} "
        f"to {lon.max():.4g}"
    )
    city = (
        f"latitude {extent.min_lat:g} to {extent.max_lat:g}, longitude "
        f"{extent.min_lon:g} to {extent.max_lon:g}"
    )
    if (lat.abs() > 90).mean() > 0.5 or (lon.abs() > MAX_DEGREES).mean() > 0.5:
        cause = (
            "the values are too large for degrees: projected coordinates (metres or "
            "feet, e.g. state plane) given as latitude/longitude; export them in "
            "WGS84 degrees or load a file that names its CRS"
        )
    elif (
        extent.min_lat <= -lat.median() <= extent.max_lat
        or extent.min_lon <= -lon.median() <= extent.max_lon
    ):
        cause = "a sign is missing or flipped (e.g. longitude east instead of west)"
    else:
        cause = (
            "the file is probably from another city or area, or its latitude and "
            "longitude columns are mixed up"
        )
    return (
        f"{name}: {len(lat):,} rows {FOREIGN_MARK} The data spans {box}; "
        f"the city spans {city}. Likely cause: {cause}."
    )


def _geocode(
    rows: _Rows,
    col: str,
    todo: pd.Series,
    addresses: Source,
    lat: pd.Series,
    lon: pd.Series,
) -> pd.Series:
    """Fill ``lat``/``lon`` of the ``todo`` rows from an address-point file.

    Returns the mask of rows placed; records the match rate in ``rows.geocoding``.
    """
    from analytics.geocode import load_address_points

    index = load_address_points(addresses)
    g_lat, g_lon, how = index.locate(rows.column(col)[todo])
    found = pd.Series(False, index=rows.index)
    hit = how.notna()
    found[hit.index[hit.to_numpy()]] = True
    lat.loc[hit.index[hit.to_numpy()]] = g_lat[hit]
    lon.loc[hit.index[hit.to_numpy()]] = g_lon[hit]
    tried = int(todo.sum())
    matched = int(hit.sum())
    rows.geocoding = {
        "address_file": index.name,
        "addresses": tried,
        "matched": matched,
        "by_block": int((how == "block").sum()),
        "by_intersection": int((how == "intersection").sum()),
        "rate": round(matched / tried, 4) if tried else None,
    }
    crossed = rows.geocoding["by_intersection"]
    crossings = (
        f"; {crossed:,} intersections placed where their streets' address points meet"
        if crossed
        else ""
    )
    rows.notes.append(
        f"{rows.raw.name}: {matched:,} of {tried:,} addresses found in "
        f"{index.name} ({matched / tried:.1%}){crossings}"
        if tried
        else f"{rows.raw.name}: no addresses to look up"
    )
    return found


def _date_column(
    rows: _Rows, col: str | None, label: str, *, required: bool, note_empty: bool = True
) -> pd.Series:
    """Parse a date column, rejecting bad and future dates (and missing if required)."""
    if col is None:
        return pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us]")
    read_as: list[str] = []
    stamps, empty, bad = parse_datetimes(
        rows.column(col), rows.city.timezone, notes=read_as
    )
    for note in read_as:
        rows.warn(f"{col!r}: {note}")
    rows.reject(bad, R_BAD_DATE)
    if required:
        rows.reject(empty, R_MISSING_DATE)
    elif empty.any() and note_empty:
        rows.warn(f"{_rows(empty)} with no {label} ({col!r} empty)")
    future = stamps > pd.Timestamp.now() + FUTURE_TOLERANCE
    rows.reject(future.fillna(False), R_FUTURE)
    return stamps


def _ids(rows: _Rows, col: str | None, label: str) -> pd.Series:
    if col is None:
        stem = Path(rows.raw.name).stem or "row"
        rows.warn(f"no {label} column: ids made from the file name and row number")
        first = rows.raw.row_offset + 1
        return pd.Series(
            [f"{stem}-{i}" for i in range(first, first + len(rows.index))],
            index=rows.index,
            dtype="str",
        )
    text = rows.column(col)
    empty = is_empty(text)
    rows.reject(empty, R_MISSING_ID)
    return normalise_id(text).where(~empty)


def _optional_text(rows: _Rows, col: str | None) -> pd.Series:
    if col is None:
        return pd.Series(None, index=rows.index, dtype="str")
    text = rows.column(col)
    return text.where(~is_empty(text))


def _optional_number(
    rows: _Rows, col: str | None, label: str, low: float, high: float
) -> pd.Series:
    if col is None:
        return pd.Series(np.nan, index=rows.index)
    values, _, bad = parse_number(rows.column(col))
    out_of_range = values.notna() & ((values < low) | (values > high))
    dropped = bad | out_of_range
    if dropped.any():
        rows.warn(
            f"{_rows(dropped)} with a {label} that is not a number from "
            f"{low:g} to {high:g}: left empty"
        )
    return values.where(~dropped)


# --- cameras ----------------------------------------------------------------------
def _cameras(rows: _Rows, mapping: dict[str, str]) -> pd.DataFrame:
    columns = list(rows.raw.frame.columns)
    osm = any(normalise_name(c) in OSM_MARKERS for c in columns)
    out = pd.DataFrame(index=rows.index)
    out["camera_id"] = _ids(rows, mapping.get("camera_id"), "camera id")
    if osm:
        _osm_filter(rows, columns)

    col = mapping.get("tier")
    if col is None:
        rows.warn(f"no tier column: every row set to {DEFAULT_TIER!r} (location only)")
        out["tier"] = DEFAULT_TIER
    else:
        tier, empty, unknown = map_values(rows.column(col), codes.TIER_ALIASES)
        rows.reject(unknown, R_TIER)
        if empty.any():
            rows.warn(f"{_rows(empty)} with no tier: set to {DEFAULT_TIER!r}")
        out["tier"] = tier.fillna(DEFAULT_TIER)

    col = mapping.get("owner_type")
    if col is not None:
        owner, empty, unknown = map_values(rows.column(col), codes.OWNER_ALIASES)
        if empty.any():
            rows.warn(
                f"{_rows(empty)} with no owner type: treated as {DEFAULT_OWNER!r} "
                "(the most protected)"
            )
        if unknown.any():
            values = sorted(set(rows.column(col)[unknown].astype(str)))[:5]
            rows.warn(
                f"{_rows(unknown)} with an unrecognised owner type ({values}): "
                f"treated as {DEFAULT_OWNER!r} (the most protected)"
            )
        out["owner_type"] = owner.where(~(empty | unknown), DEFAULT_OWNER)
    elif osm:
        out["owner_type"] = _osm_owner(rows, columns)
    else:
        rows.warn(
            f"no owner type column: all {len(rows.index):,} rows treated as "
            f"{DEFAULT_OWNER!r} (the most protected); add an owner_type column "
            "to show business, institutional or city cameras"
        )
        out["owner_type"] = DEFAULT_OWNER

    col = mapping.get("camera_count")
    if col is None:
        out["camera_count"] = 1
    else:
        count, empty, bad = whole_numbers(rows.column(col))
        rows.reject(bad | (count.notna() & (count < 1)), R_COUNT)
        # never cast a huge value to int64 (it would wrap to a negative number)
        rows.reject(count.notna() & (count > MAX_CAMERA_COUNT), R_COUNT_RANGE)
        sane = count.where((count >= 1) & (count <= MAX_CAMERA_COUNT))
        out["camera_count"] = sane.fillna(1).astype("int64")

    stamps = _date_column(
        rows,
        mapping.get("registered_at"),
        "registration date",
        required=False,
        note_empty=not rows.for_store,
    )
    if rows.for_store:
        rows.reject(stamps.isna(), R_NO_REGISTRATION)
    elif mapping.get("registered_at") is None:
        rows.warn("no registration date column: registered_at left empty")
    out["registered_at"] = _dates(stamps)

    col = mapping.get("status")
    if col is None:
        out["status"] = DEFAULT_STATUS
    else:
        status, empty, unknown = map_values(rows.column(col), codes.STATUS_ALIASES)
        rows.reject(unknown, R_STATUS)
        out["status"] = status.fillna(DEFAULT_STATUS)

    address = _optional_text(rows, mapping.get("address") or rows.address_column)
    if mapping.get("address") is None and rows.address_column is None and osm:
        address = _osm_address(rows, columns)
    out["address"] = address
    for name in ("owner_name", "contact_phone", "contact_email", "direction_deg"):
        out[name] = _optional_text(rows, mapping.get(name))
    out["fov_deg"] = _optional_number(
        rows, mapping.get("fov_deg"), "field of view", 1, 360
    )
    out["range_m"] = _optional_number(rows, mapping.get("range_m"), "range", 0.1, 5000)
    camera_type = _optional_text(rows, mapping.get("camera_type")).str.lower()
    surveillance_type = find_column(columns, ("surveillance_type",))
    if osm and surveillance_type and surveillance_type != mapping.get("camera_type"):
        # OSM: camera:type says fixed/dome/panning; an ALPR says so in its type
        kind = rows.column(surveillance_type).str.lower()
        camera_type = camera_type.mask(camera_type.isna() & (kind == "alpr"), "alpr")
    out["camera_type"] = camera_type.where(camera_type != "camera")
    out["mount"] = _optional_text(rows, mapping.get("mount")).str.lower()
    verified = _date_column(
        rows,
        mapping.get("verified_at"),
        "verification date",
        required=False,
        note_empty=False,
    )
    out["verified_at"] = _dates(verified)
    retention = _optional_number(
        rows, mapping.get("retention_days"), "retention in days", 0, 3650
    )
    out["retention_days"] = retention.round().astype("Int64")
    withdrawn = _date_column(
        rows,
        mapping.get("withdrawn_at"),
        "withdrawal date",
        required=False,
        note_empty=False,
    )
    out["withdrawn_at"] = _dates(withdrawn)
    if mapping.get("status") is None:
        # a withdrawal date with no status column means the camera was withdrawn
        out["status"] = out["status"].mask(withdrawn.notna(), "withdrawn")
    source = _optional_text(rows, mapping.get("source"))
    out["source"] = source.fillna(Path(rows.raw.name).name)
    return out


def _dates(stamps: pd.Series) -> pd.Series:
    """datetime.date objects (None where missing)."""
    dates = stamps.dt.date.astype(object)
    return dates.where(stamps.notna(), None)


def _osm_filter(rows: _Rows, columns: list[str]) -> None:
    """Reject OSM features that are not surveillance cameras."""
    made = find_column(columns, ("man_made",))
    if made:
        text = rows.column(made).str.lower()
        rows.reject(~is_empty(text) & (text != "surveillance"), R_NOT_CAMERA)
    kind = find_column(columns, ("surveillance_type",))
    if kind:
        text = rows.column(kind).str.lower()
        rows.reject(~is_empty(text) & ~text.isin(codes.OSM_CAMERA_TYPES), R_NOT_CAMERA)


def _osm_owner(rows: _Rows, columns: list[str]) -> pd.Series:
    """Owner type from OSM tags; see docs/data-formats.md for the mapping."""
    empty = pd.Series("", index=rows.index, dtype="str")

    def tag(name: str) -> pd.Series:
        col = find_column(columns, (name,))
        return rows.column(col).str.lower() if col else empty

    surveillance, zone, operator = (
        tag("surveillance"),
        tag("surveillance_zone"),
        tag("operator"),
    )
    owner = pd.Series("business", index=rows.index, dtype=object)
    owner[operator.str.contains(codes.OSM_OPERATOR_INSTITUTIONAL, regex=True)] = (
        "institutional"
    )
    public = (
        (surveillance == "public")
        | zone.isin(codes.OSM_PUBLIC_ZONES)
        | operator.str.contains(codes.OSM_OPERATOR_PUBLIC, regex=True)
    )
    owner[public] = "public"
    rows.warn(
        "owner type derived from OpenStreetMap tags (surveillance=public, a public "
        "zone or a government operator -> public; a school, church or hospital "
        "operator -> institutional; otherwise business)"
    )
    return owner


def _osm_address(rows: _Rows, columns: list[str]) -> pd.Series:
    number = find_column(columns, ("addr_housenumber",))
    street = find_column(columns, ("addr_street",))
    if not street:
        return pd.Series(None, index=rows.index, dtype="str")
    text = rows.column(street)
    if number:
        text = (rows.column(number) + " " + text).str.strip()
    return text.where(text != "")


# --- incidents --------------------------------------------------------------------
def _incidents(rows: _Rows, mapping: dict[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(index=rows.index)
    out["incident_id"] = _ids(rows, mapping.get("incident_id"), "incident id")
    col = mapping.get("occurred_at")
    if col is None:
        raise LoadError(
            f"{rows.raw.name}: no date column: expected one of "
            f"{list(INCIDENT_ALIASES['occurred_at'])}; found columns "
            f"{list(rows.raw.frame.columns)}"
        )
    out["occurred_at"] = _with_time(
        rows,
        _date_column(rows, col, "date", required=True),
        mapping.get("occurred_time"),
    )
    code = _optional_text(rows, mapping.get("offense_code")).str.upper()
    code = code.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    offense = _optional_text(rows, mapping.get("offense"))
    code = _codes_from_descriptions(rows, code, offense)
    out["offense_code"] = code
    out["offense"] = offense
    given = _optional_text(rows, mapping.get("category")).str.lower()
    given = given.where(given.isin(CATEGORIES))
    unique_codes = code.dropna().unique()
    lookup = {c: rows.city.category_for(c) for c in unique_codes}
    derived = pd.Series(code.map(lookup), dtype="str")
    if (
        mapping.get("offense_code") is None
        and mapping.get("category") is None
        and mapping.get("offense") is None
    ):
        rows.warn(
            "no offense code, description or category column: every incident is 'other'"
        )
    out["category"] = derived.fillna(given).fillna("other")
    district = _optional_text(rows, mapping.get("district"))
    out["district"] = district.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return out


def _with_time(rows: _Rows, stamps: pd.Series, col: str | None) -> pd.Series:
    """Dates plus the time of day of a separate time column (``TIME OCC``).

    Used only when the date column carries no time itself; a time that cannot be
    read leaves the date at midnight and is reported (the row is kept: its place
    and day still count).
    """
    if col is None:
        return stamps
    dated = stamps.notna()
    if not dated.any() or bool((stamps[dated] != stamps[dated].dt.normalize()).any()):
        return stamps  # the date column has times of its own
    times, _, bad = parse_times(rows.column(col))
    add = dated & times.notna()
    stamps = stamps.copy()
    stamps[add] = stamps[add] + times[add]
    rows.warn(f"time of day read from {col!r} and added to the date")
    if (bad & dated).any():
        rows.warn(
            f"{_rows(bad & dated)} with a time in {col!r} that is not a time of "
            "day: the date alone is used"
        )
    return stamps


def _codes_from_descriptions(
    rows: _Rows, code: pd.Series, offense: pd.Series
) -> pd.Series:
    """Fill missing NIBRS codes from offence descriptions; list the unknown ones."""
    need = code.isna() & offense.notna()
    if not need.any():
        return code
    texts = offense[need]
    lookup = {t: codes.code_for_description(t) for t in texts.unique()}
    found = texts.map(lookup)
    code = code.copy()
    code[need] = found
    named = found.notna()
    if named.any():
        rows.warn(
            f"{_rows(named)} without an offence code: the NIBRS code was read "
            "from the description"
        )
    unknown = texts[~named]
    if len(unknown):
        counts = unknown.str.upper().value_counts()
        rows.unknown_offenses = {str(k): int(v) for k, v in counts.items()}
        shown = ", ".join(repr(k) for k in list(counts.index)[:5])
        more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
        rows.warn(
            f"{_rows(~named)} with an offence description no NIBRS spelling "
            f"matches ({shown}{more}): counted as 'other'"
        )
    return code


# --- assembly ---------------------------------------------------------------------
def _assemble(
    values: pd.DataFrame,
    lat: pd.Series,
    lon: pd.Series,
    keep: np.ndarray,
    kind: str,
) -> gpd.GeoDataFrame:
    frame = values.loc[keep].copy()
    frame["latitude"] = lat[keep].astype(float)
    frame["longitude"] = lon[keep].astype(float)
    columns = CAMERA_COLUMNS if kind == "cameras" else INCIDENT_COLUMNS
    frame = frame[list(columns)].reset_index(drop=True)
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs=WGS84,
    )


def _quarantine(raw: RawTable, reason: pd.Series, mask: np.ndarray) -> pd.DataFrame:
    frame = raw.frame.loc[mask].copy()
    if (
        raw.extra_fields is not None
        and raw.ragged is not None
        and bool((raw.ragged > 0).any())
    ):
        frame["extra_fields"] = pd.Series(raw.extra_fields[mask], index=frame.index)
    frame = frame.astype("str")
    frame["row_number"] = np.flatnonzero(mask) + 1
    frame["reason"] = reason[mask].astype("str")
    return frame.reset_index(drop=True)


# --- boundaries -------------------------------------------------------------------
WARD_ID_ALIASES = (
    "ward_id",
    "ward",
    "ward_no",
    "ward_number",
    "ward_num",
    "wardid",
    "id",
    "district",
    "district_id",
    "objectid",
    "fid",
)
WARD_NAME_ALIASES = ("ward_name", "name", "label", "ward_label", "district_name")


def load_boundaries(source: Source, *, name: str | None = None) -> gpd.GeoDataFrame:
    """City limit or ward polygons as ``ward_id``, ``ward_name``, geometry (WGS84).

    Accepts GeoJSON, GeoPackage, zipped shapefile and GeoParquet in any CRS, with
    id/name columns such as ``ward``, ``WARD``, ``id``, ``name``, ``WARD_NAME``.
    The frame's ``attrs["fixes"]`` lists the fixes made while loading (features
    that are not polygons dropped, invalid polygons repaired), one sentence each.

    Raises
    ------
    LoadError
        Not a readable vector file, or no polygons.
    """
    label = source_name(source, name)
    gdf, fixes = _read_polygons(source, label)
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    id_col = find_column(columns, WARD_ID_ALIASES)
    name_col = find_column([c for c in columns if c != id_col], WARD_NAME_ALIASES)
    n = len(gdf)
    if id_col is not None:
        ids = normalise_id(clean_text(gdf[id_col].astype("str")))
        ids = ids.where(~is_empty(ids), pd.Series([str(i + 1) for i in range(n)]))
    else:
        ids = pd.Series([str(i + 1) for i in range(n)], dtype="str")
    if name_col is not None:
        names = clean_text(gdf[name_col].astype("str"))
        names = names.where(~is_empty(names), "Ward " + ids)
    else:
        names = "Ward " + ids
    marker = find_column(columns, (SYNTHETIC_COLUMN,))
    synthetic = marker is not None and bool(
        (clean_text(gdf[marker].astype("str")).str.lower() == "synthetic").any()
    )
    if ids.duplicated().any():
        raise LoadError(
            f"{label}: ward ids repeat ({sorted(ids[ids.duplicated()].unique())}) "
            f"in column {id_col!r}; expected one polygon per ward"
        )
    out = gpd.GeoDataFrame(
        {
            WARD_COLUMNS[0]: ids.astype("str").to_numpy(),
            WARD_COLUMNS[1]: names.astype("str").to_numpy(),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=WGS84,
    )
    out.attrs["fixes"] = fixes
    if synthetic:
        out.attrs["synthetic"] = True
        out.attrs["label"] = SYNTHETIC_LABEL
    return out


def _read_polygons(source: Source, label: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The polygons of a boundary file (WGS84) and the fixes made to them."""
    fixes: list[str] = []
    data = read_bytes(source, label)
    if not data.strip():
        raise LoadError(f"{label}: the file is empty")
    kind = sniff_format(data, label)
    if kind == "csv":
        raise LoadError(
            f"{label}: boundaries must be polygons in GeoJSON, GeoPackage, a zipped "
            "shapefile or GeoParquet; this looks like a CSV table"
        )
    try:
        if kind == "parquet":
            gdf = gpd.read_parquet(io.BytesIO(data))
        else:
            with warnings.catch_warnings():
                # bytes are read through an in-memory file that has no extension
                warnings.filterwarnings("ignore", "File /vsimem", RuntimeWarning)
                gdf = gpd.read_file(io.BytesIO(data))
    except Exception as exc:  # pyogrio/pyarrow raise many kinds; all mean unreadable
        raise LoadError(f"{label}: not a readable boundary file ({exc})") from exc
    if not len(gdf) or "geometry" not in gdf:
        raise LoadError(f"{label}: no features found")
    geom = gdf.geometry
    polygonal = geom.geom_type.isin(["Polygon", "MultiPolygon"])
    if not polygonal.any():
        kinds = sorted(geom.geom_type.dropna().unique())
        raise LoadError(f"{label}: expected polygons but found {kinds}")
    if not polygonal.all():
        fixes.append(f"{label}: {int((~polygonal).sum())} non-polygon features dropped")
        gdf = gdf[polygonal]
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if max(abs(minx), abs(maxx)) > MAX_DEGREES or max(abs(miny), abs(maxy)) > 90:
            raise LoadError(
                f"{label}: no CRS given and the coordinates are not degrees "
                f"(bounds {gdf.total_bounds.round(1).tolist()})"
            )
        gdf = gdf.set_crs(WGS84)
    elif not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        fixes.append(f"{label}: {int(invalid.sum())} invalid polygons repaired")
        gdf = gdf.set_geometry(gdf.geometry.make_valid())
    return gdf.reset_index(drop=True), fixes
