"""Validate a big CSV in chunks: memory bounded by the chunk, not the file.

``validate`` does not need the accepted rows, only their count and the
quarantined ones, so a large UTF-8 CSV is streamed (pyarrow's incremental CSV
reader) in chunks of :data:`CHUNK_ROWS` rows, each validated by the loader like a
file of its own. What spans chunks is carried as 64-bit hashes: an incident row
repeating one of an earlier chunk is folded, the same incident number and offence
at another place is a conflict, a camera id seen before is a duplicate. Files
the streaming reader cannot parse (ragged rows, unclosed quotes) are read whole
by the ordinary loader, which gives each bad row its reason.

>>> from analytics.config import load_city
>>> result = validate_file("incidents", "tests/data/lrpd/lrpd_current.csv",
...                        load_city(), chunk_rows=10, min_bytes=0)
>>> result.rows_read, result.n_accepted
(24, 21)
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics import codes, loaders
from analytics.columns import INCIDENT_ALIASES, match_columns
from analytics.config import CityConfig
from analytics.readers import (
    BOM,
    SNIFF_BYTES,
    WIDE_BOMS,
    RawTable,
    Source,
    _binary_format,
    _drop_index_column,
    _reject_binary,
    _sniff_delimiter,
    _unique_names,
    split_swallowed,
)

CHUNK_ROWS = 200_000
# Files smaller than this are read whole (the ordinary loader is as fast).
STREAM_BYTES = 64 * 1024 * 1024
BLOCK_BYTES = 8 * 1024 * 1024


def validate_file(
    kind: str,
    path: str | os.PathLike[str],
    city: CityConfig,
    *,
    addresses: Source | None = None,
    chunk_rows: int = CHUNK_ROWS,
    min_bytes: int = STREAM_BYTES,
    block_bytes: int = BLOCK_BYTES,
) -> loaders.LoadResult:
    """:func:`analytics.loaders.load_table`, streaming big UTF-8 CSVs in chunks.

    The result counts accepted rows in ``accepted_total`` and keeps only the
    quarantined rows when the file was streamed.
    """
    file = Path(path)
    header = _stream_header(file, min_bytes)
    if header is None:
        return loaders.load_table(kind, file, city, addresses=addresses)
    import pyarrow as pa

    try:
        return _validate_stream(
            kind, file, city, header, addresses, chunk_rows, block_bytes
        )
    except (pa.ArrowException, csv.Error, UnicodeDecodeError):
        # ragged rows, an unclosed quote...: the whole-file reader names each row
        return loaders.load_table(kind, file, city, addresses=addresses)


def _stream_header(file: Path, min_bytes: int) -> tuple[list[str], str, bool] | None:
    """(column names, delimiter, had BOM) when ``file`` is a big UTF-8 CSV."""
    if not file.is_file() or file.stat().st_size < min_bytes:
        return None
    with file.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if _binary_format(head) or head.startswith(tuple(b for b, _, _ in WIDE_BOMS)):
        return None
    if head.lstrip(BOM).lstrip()[:1] in (b"{", b"["):
        return None
    try:
        _reject_binary(head, file.name)
        text = head.lstrip(BOM).decode("utf-8", errors="strict")
    except (loaders.LoadError, UnicodeDecodeError):
        return None
    text = text.lstrip("\r\n")
    delimiter = _sniff_delimiter(text)
    first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), None)
    if not first:
        return None
    return _unique_names(first), delimiter, head.startswith(BOM)


def _batches(
    file: Path, names: list[str], delimiter: str, chunk_rows: int, block_bytes: int
) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    reader = pacsv.open_csv(
        str(file),
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, block_size=block_bytes
        ),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    pending: list[Any] = []
    size = 0
    for batch in reader:
        pending.append(batch)
        size += batch.num_rows
        if size >= chunk_rows:
            yield pa.Table.from_batches(pending).to_pandas()
            pending, size = [], 0
    if pending:
        yield pa.Table.from_batches(pending).to_pandas()


def _hash(frame: pd.DataFrame) -> np.ndarray:
    hashed: np.ndarray = pd.util.hash_pandas_object(frame, index=False).to_numpy(
        np.uint64
    )
    return hashed


def _validate_stream(
    kind: str,
    file: Path,
    city: CityConfig,
    header: tuple[list[str], str, bool],
    addresses: Source | None,
    chunk_rows: int,
    block_bytes: int,
) -> loaders.LoadResult:
    names, delimiter, had_bom = header
    label = str(file)
    offset = 0
    accepted = folded = 0
    quarantined: list[pd.DataFrame] = []
    warnings: list[str] = []
    notes: list[str] = []
    unknown: dict[str, int] = {}
    unmapped: dict[str, dict[str, int]] = {}
    synthetic = False
    geocoding: dict[str, Any] | None = None
    seen_full = np.empty(0, np.uint64)  # incident, offence, time, place
    seen_key = np.empty(0, np.uint64)  # incident + offence, or camera id
    seen_place = np.empty(0, np.uint64)  # incident, time, place (numbered files)
    offence_folds = 0  # rows folded as further offences of an incident
    first_accepted = None
    for frame in _batches(file, names, delimiter, chunk_rows, block_bytes):
        frame, ragged, extra, reasons = split_swallowed(frame, None, None, delimiter)
        frame, index_note = _drop_index_column(frame)
        raw = RawTable(
            frame,
            label,
            "csv",
            ragged=ragged,
            extra_fields=extra,
            row_reasons=reasons,
            row_offset=offset,
        )
        if offset == 0:
            if had_bom:
                raw.warnings.append(f"{label}: byte-order mark removed")
            if index_note:
                raw.warnings.append(f"{label}: {index_note}")
        loaders.check_kind(raw, kind)
        result = loaders._load(raw, city, kind, addresses=addresses)
        part = result.accepted
        if first_accepted is None:
            first_accepted = part.head(0)
        if kind == "incidents":
            key_cols = ["incident_id", "offense_code"]
            # without incident numbers (ids made from row numbers) repeats are
            # matched on offence, time and place alone, as within a chunk
            numbered = (
                match_columns(list(raw.frame.columns), INCIDENT_ALIASES).get(
                    "incident_id"
                )
                is not None
            )
            full = _hash(
                pd.DataFrame(
                    {
                        "id": part["incident_id"] if numbered else "",
                        "offence": part["offense_code"].fillna(
                            part["offense"].fillna("").str.upper()
                        ),
                        "when": part["occurred_at"],
                        "lat": part["latitude"].round(loaders.FOLD_DECIMALS),
                        "lon": part["longitude"].round(loaders.FOLD_DECIMALS),
                    }
                )
            )
            key = _hash(part[key_cols].fillna(""))
            place = _hash(
                pd.DataFrame(
                    {
                        "id": part["incident_id"],
                        "when": part["occurred_at"],
                        "lat": part["latitude"].round(loaders.FOLD_DECIMALS),
                        "lon": part["longitude"].round(loaders.FOLD_DECIMALS),
                    }
                )
            )
            again = np.isin(full, seen_full)
            clash = ~again & np.isin(key, seen_key) & numbered
            # another offence of an incident read in an earlier chunk
            more = ~again & ~clash & np.isin(place, seen_place) & numbered
            offence_folds += result.offences_folded + int(more.sum())
            again = again | more
            why = loaders.R_CONFLICT
        else:
            full = np.empty(0, np.uint64)
            key = _hash(part[["camera_id"]])
            again = np.zeros(len(part), bool)
            clash = np.isin(key, seen_key)
            why = loaders.R_DUPLICATE
        folded += result.folded + int(again.sum())
        accepted += len(part) - int(again.sum()) - int(clash.sum())
        if clash.any() and result.accepted_positions is not None:
            positions = result.accepted_positions[clash]
            extra_rows = raw.frame.iloc[positions].astype("str").copy()
            extra_rows["row_number"] = positions + 1 + offset
            extra_rows["reason"] = why
            quarantined.append(extra_rows.reset_index(drop=True))
            if kind == "incidents":
                names_of = part.iloc[np.flatnonzero(clash)]
                for code, text in zip(
                    names_of["offense_code"], names_of["offense"], strict=True
                ):
                    name = codes.NIBRS_OFFENSES.get(code, (None,))[0] or (
                        str(text).lower()
                        if isinstance(text, str)
                        else "offence not given"
                    )
                    into = unmapped.setdefault(why, {})
                    into[name] = into.get(name, 0) + 1
        seen_full = np.union1d(seen_full, full)
        seen_key = np.union1d(seen_key, key)
        if kind == "incidents":
            seen_place = np.union1d(seen_place, place)
        q = result.quarantined.copy()
        if len(q):
            q["row_number"] = q["row_number"] + offset
            quarantined.append(q)
        offset += result.rows_read
        for message in result.warnings:
            if message not in warnings:
                warnings.append(message)
        for message in result.notes:
            if message not in notes and message != loaders.offences_note(
                label, result.offences_folded
            ):
                notes.append(message)
        for text, count in result.unknown_offenses.items():
            unknown[text] = unknown.get(text, 0) + count
        for reason, offences in result.unmapped_offenses.items():
            into = unmapped.setdefault(reason, {})
            for name, count in offences.items():
                into[name] = into.get(name, 0) + count
        synthetic = synthetic or result.synthetic
        if result.geocoding:
            geo = geocoding or {
                **result.geocoding,
                "addresses": 0,
                "matched": 0,
                "by_block": 0,
                "by_intersection": 0,
            }
            for k in ("addresses", "matched", "by_block", "by_intersection"):
                geo[k] = geo.get(k, 0) + result.geocoding.get(k, 0)
            geo["rate"] = (
                round(geo["matched"] / geo["addresses"], 4)
                if geo["addresses"]
                else None
            )
            geocoding = geo
    if offence_folds:
        notes.append(loaders.offences_note(label, offence_folds))
    chunks = max(1, -(-offset // chunk_rows))
    warnings.append(
        f"{label}: validated in {chunks} chunks of up to {chunk_rows:,} rows"
    )
    table = (
        pd.concat(quarantined, ignore_index=True)
        if quarantined
        else pd.DataFrame(columns=[*names, "row_number", "reason"])
    )
    table = table.sort_values("row_number", kind="stable").reset_index(drop=True)
    out = loaders.LoadResult(
        kind,
        label,
        first_accepted,
        table,
        offset,
        warnings,
        folded=folded,
        offences_folded=offence_folds,
        synthetic=synthetic,
        unknown_offenses=unknown,
        notes=notes,
        unmapped_offenses=unmapped,
        geocoding=geocoding,
        accepted_total=accepted,
    )
    assert out.n_accepted + out.folded + len(out.quarantined) == out.rows_read
    return out
