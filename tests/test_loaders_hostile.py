"""Hostile and broken files (issue 12): a row-level answer or one clear line.

Each file is built here in a few lines so the damage is plain to see; expected
counts follow from how each file was built.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import tomllib

from analytics.cli import main
from analytics.geocode import parse_intersection
from analytics.loaders import LoadError, load_cameras, load_incidents
from analytics.store import RegistryStore, StoreError
from analytics.validation import parse_datetimes

ROOT = Path(__file__).resolve().parent.parent
HEADER = "camera_id,address,latitude,longitude,camera_count"


def camera_rows(n: int) -> list[str]:
    return [f"C{i},{i} MAIN ST,34.74,-92.29,1" for i in range(1, n + 1)]


def as_file(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- numbers past a sane range ------------------------------------------------------
def test_huge_camera_count_is_quarantined_not_wrapped(city, tmp_path, capsys):
    rows = camera_rows(3)
    rows[1] = "C2,2 MAIN ST,34.74,-92.29,99999999999999999999"
    result = load_cameras(as_file(rows), city, name="cams.csv")
    assert result.reasons == {"camera count past a sane range": 1}
    assert result.accepted["camera_count"].tolist() == [1, 1]
    # the registry import still takes the file: only the bad row stays out
    path = tmp_path / "cams.csv"
    path.write_text(
        "camera_id,latitude,longitude,owner_type,registered_at,camera_count\n"
        "C1,34.74,-92.29,business,2024-09-01,2\n"
        "C2,34.74,-92.29,business,2024-09-01,99999999999999999999\n"
        "C3,34.74,-92.29,business,2024-09-01,1\n"
    )
    db = tmp_path / "r.sqlite"
    RegistryStore.init(db)
    code, _, _ = run_cli(capsys, "registry", "import", path, "--db", db, "--user", "t")
    assert code == 1
    assert RegistryStore(db).counts()["active"] == 2
    incidents = ROOT / "tests" / "data" / "lrpd" / "lrpd_current.csv"
    code, out, _ = run_cli(
        capsys, "coverage", "--cameras", path, "--incidents", incidents, "--json"
    )
    assert code == 0
    assert json.loads(out)["cameras"] == 3  # 2 + 1, never a wrapped negative


# --- unclosed quotes and overlong fields -------------------------------------------
def test_unclosed_quote_quarantines_the_rows_it_swallowed(city):
    rows = camera_rows(1000)
    rows[9] = 'C10,"10 MAIN ST,34.74,-92.29,1'  # the quote never closes
    result = load_cameras(as_file(rows), city, name="cams.csv")
    # 1,000 records: 9 before the quote, the row that opens it (file line 11) and
    # the 990 lines it ran over
    assert result.rows_read == 1000
    assert len(result.accepted) == 9
    assert result.reasons == {
        "inside an unclosed quote: opened on line 11 in column 'address', it ran "
        "over the next 990 lines": 991
    }
    assert result.quarantined["camera_id"].iloc[1] == "C11"


def test_quote_closed_later_gives_back_the_rows_after_it(city):
    rows = camera_rows(1000)
    rows[9] = 'C10,"10 MAIN ST,34.74,-92.29,1'
    rows[19] = 'C20,20 MAIN" ST,34.74,-92.29,1'  # a stray quote closes it
    result = load_cameras(as_file(rows), city, name="cams.csv")
    assert result.rows_read == 1000
    assert len(result.accepted) == 989  # rows 1-9 and 21-1000
    assert sum(result.reasons.values()) == 11


def test_overlong_field_quarantines_its_row_and_says_where(city):
    rows = camera_rows(5)
    rows[2] = "C3," + "X" * 20_000 + ",34.74,-92.29,1"
    result = load_cameras(as_file(rows), city, name="cams.csv")
    assert len(result.accepted) == 4
    assert result.reasons == {
        "field longer than the limit: 20,000 characters in column 'address' on "
        "line 4 (limit 10,000)": 1
    }


# --- cells padded with blanks ---------------------------------------------------------
PADDING = " " * 9_000  # under the field limit; quadratic patterns take seconds a cell
HANG_GUARD_S = 120  # linear work takes well under a second; quadratic, many minutes


def _finishes(work):
    """``work()``'s result, or a failure if it runs past ``HANG_GUARD_S``
    (a pattern gone quadratic on a hostile file hangs a load, it does not fail)."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except Exception as exc:  # raised again in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_S)
    assert not thread.is_alive(), f"still running after {HANG_GUARD_S} s"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]


def test_cells_padded_with_thousands_of_blanks_do_not_hang_the_load(city):
    rows = camera_rows(3) + [
        f"P{i},{i} MAIN{PADDING}ST,34.74{PADDING}N!,-92.29,1" for i in range(150)
    ]
    result = _finishes(lambda: load_cameras(as_file(rows), city, name="cams.csv"))
    # "34.74 ... N!" is no coordinate: 150 quarantined, the 3 good rows kept
    assert len(result.accepted) == 3
    assert result.reasons == {"unparseable coordinates": 150}


def test_padded_dates_and_intersections_are_read_in_linear_time():
    dates = pd.Series([f"Mon{PADDING}Mar 26 2018 06:59:00{PADDING}CDT"] * 150)
    stamps, _, bad = _finishes(lambda: parse_datetimes(dates, "America/Chicago"))
    # weekday dropped, blanks squeezed, CDT as -05:00: 06:59 in Little Rock
    assert not bad.any()
    assert stamps.iloc[0] == pd.Timestamp("2018-03-26 06:59:00")
    crossings = [f"MAIN ST{PADDING}/{PADDING}ELM ST", f"300{PADDING}W{PADDING}MAIN ST"]
    parsed = _finishes(lambda: [parse_intersection(t) for t in crossings * 75])
    assert (parsed[0][0].street, parsed[0][1].street) == ("MAIN ST", "ELM ST")
    assert parsed[1] is None  # a house number: an address, not an intersection


# --- encodings and NUL bytes ---------------------------------------------------------
@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-32-be", b"\x00\x00\xfe\xff"),
    ],
)
def test_utf16_and_utf32_are_decoded_by_their_bom(city, codec, bom):
    text = "\n".join([HEADER, "C1,1 Café Rd,34.74,-92.29,2"]) + "\n"
    result = load_cameras(bom + text.encode(codec), city, name="cams.csv")
    assert result.accepted["address"].tolist() == ["1 Café Rd"]
    assert result.accepted["camera_count"].tolist() == [2]


def test_nul_byte_quarantines_its_row_only(city):
    data = as_file(camera_rows(3)).replace(b"2 MAIN", b"2 MA\x00IN")
    result = load_cameras(data, city, name="cams.csv")
    assert result.reasons == {"NUL byte in the row (damaged file)": 1}
    assert result.accepted["camera_id"].tolist() == ["C1", "C3"]


def test_binary_garbage_is_still_refused(city):
    with pytest.raises(LoadError, match="binary content"):
        load_cameras(bytes(range(256)) * 64, city, name="cams.csv")


def test_sparse_file_is_refused_without_reading_it_whole(city, tmp_path):
    path = tmp_path / "sparse.csv"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # 200 MB of NUL bytes, no disk used
    tracemalloc.start()
    try:
        with pytest.raises(LoadError, match="binary content"):
            load_cameras(path, city)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1024 * 1024  # only the first bytes were read


# --- memory limits ---
def parquet_bomb(rows: int = 1_000_000) -> bytes:
    table = pa.table(
        {
            "camera_id": pa.array(np.arange(rows) % 10).cast(pa.string()),
            "address": pa.array(["1 MAIN ST " * 20] * rows),
            "latitude": np.full(rows, 34.74),
            "longitude": np.full(rows, -92.29),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def test_parquet_that_expands_past_the_limit_is_refused(city):
    data = parquet_bomb()
    assert len(data) < 200_000  # tens of KB on disk, hundreds of MB decoded
    with pytest.raises(LoadError, match=r"limits\.max_expansion"):
        load_cameras(data, city, name="cams.parquet")


def test_expansion_limit_is_a_city_setting(city):
    data = parquet_bomb(rows=20_000)
    with pytest.raises(LoadError, match="more than 100 times"):
        load_cameras(data, city, name="cams.parquet")
    generous = dataclasses.replace(city, max_expansion=1e6)
    result = load_cameras(data, generous, name="cams.parquet")
    assert result.rows_read == 20_000


def test_deeply_nested_json_is_one_clear_line(city):
    data = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(LoadError, match="nested 100000 levels deep"):
        load_incidents(data, city, name="deep.json")


# --- the dashboard and the store ---
def test_dashboard_shows_no_error_details_to_visitors():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def damaged_store(tmp_path: Path, city) -> Path:
    db = tmp_path / "registry.sqlite"
    store = RegistryStore.init(db)
    rows = "\n".join(
        f"C{i},34.74,-92.{29 + i % 10:02d},business,2024-09-01" for i in range(3000)
    )
    export = tmp_path / "cams.csv"
    export.write_text(
        "camera_id,latitude,longitude,owner_type,registered_at\n" + rows + "\n"
    )
    store.import_cameras(load_cameras(export, city).accepted, source="x", user="t")
    data = bytearray(db.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xab" * 8192
    db.write_bytes(bytes(data))
    return db


def test_damaged_store_is_refused_by_every_command_with_one_line(
    tmp_path, city, capsys, data_dir
):
    db = damaged_store(tmp_path, city)
    with pytest.raises(StoreError, match="is damaged"):
        RegistryStore(db)
    lines = set()
    for argv in (
        ["registry", "log", "--db", db],
        ["registry", "history", "C1", "--db", db],
        ["registry", "withdraw", "C1", "--reason", "x", "--db", db, "--user", "t"],
    ):
        code, out, err = run_cli(capsys, *argv)
        assert code == 2
        assert out == ""
        assert len(err.strip().splitlines()) == 1
        lines.add(err.strip())
    assert len(lines) == 1
    assert "is damaged" in lines.pop()


def test_validate_json_summary_of_a_hostile_file(tmp_path, capsys):
    rows = camera_rows(4)
    rows[3] = "C4,4 MAIN ST,34.74,-92.29,99999999999999999999"
    path = tmp_path / "cams.csv"
    path.write_bytes(as_file(rows))
    code, out, _ = run_cli(capsys, "validate", "cameras", path, "--json")
    assert code == 1
    summary = json.loads(out)
    assert summary["reasons"] == {"camera count past a sane range": 1}


# --- big files: validated in chunks ---
@pytest.mark.parametrize(
    ("kind", "fixture"),
    [
        ("incidents", "round2/lrpd_victims.csv"),
        ("incidents", "lrpd/lrpd_current.csv"),
        ("incidents", "lrpd/lrpd_rsave.csv"),
        ("incidents", "round2/violent_descriptions.csv"),
        ("cameras", "registry_export.csv"),
        ("cameras", "round2/cameras_other_city.csv"),
    ],
)
def test_chunked_validation_counts_like_the_whole_file(city, data_dir, kind, fixture):
    from analytics.chunked import validate_file
    from analytics.loaders import load_table

    whole = load_table(kind, data_dir / fixture, city).summary()
    keys = ("rows_read", "accepted", "folded", "quarantined", "reasons")
    for rows in (1, 2, 5):
        # tiny blocks and chunks: repeats and conflicts fall in different chunks
        chunked = validate_file(
            kind,
            data_dir / fixture,
            city,
            chunk_rows=rows,
            min_bytes=0,
            block_bytes=200,
        )
        got = chunked.summary()
        assert {k: got[k] for k in keys} == {k: whole[k] for k in keys}
        assert got["unmapped_offenses"] == whole["unmapped_offenses"]
        assert (
            chunked.offences_folded
            == load_table(kind, data_dir / fixture, city).offences_folded
        )
        assert chunked.quarantined["row_number"].is_unique


def test_chunked_validation_folds_victims_split_across_chunks(city, data_dir):
    from analytics.chunked import validate_file

    path = data_dir / "round2" / "lrpd_victims.csv"
    result = validate_file(
        "incidents", path, city, chunk_rows=1, min_bytes=0, block_bytes=200
    )
    assert "validated in 12 chunks of up to 1 rows" in result.warnings[-1]
    # 3 victims (2 folded), a robbery and its assault (1 folded), 2 homicide
    # victims (1 folded), 2 rapes without place, a vandalism repeat elsewhere
    assert (result.n_accepted, result.folded, len(result.quarantined)) == (5, 4, 3)
    assert result.offences_folded == 1
    assert sum("1 row is another offence" in n for n in result.notes) == 1
    assert result.quarantined["row_number"].tolist() == [8, 9, 12]
