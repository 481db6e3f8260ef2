"""Benchmark of ``validate`` on a big LRPD-layout export: wall time and peak memory.

The file is written in the layout LRPD publishes (``INCIDENT_DATE`` ...
``Location 1``, byte-order mark, one row per victim so some rows fold, about 2%
without coordinates), in chunks so writing it takes little memory. The
validation runs in a child process (``python -m analytics validate incidents``)
so its peak resident memory is its own, not the benchmark's.

>>> result = bench_validate(rows=5_000_000)          # doctest: +SKIP
>>> result["validate_seconds"], result["validate_peak_memory_mb"]  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HEADER = (
    "INCIDENT_DATE,INCIDENT_NUMBER,LOCATION_DISTRICT,OFFENSE_CODE,"
    "OFFENSE_DESCRIPTION,WEAPON_TYPE,INCIDENT_LOCATION,CITY,STATE,ZIP,LATITUDE,"
    "LONGITUDE,Location 1"
)
OFFENSES = (
    ("13A", "AGGRAVATED ASSAULT"),
    ("120", "ROBBERY"),
    ("220", "BURGLARY/BREAKING & ENTERING"),
    ("23F", "THEFT FROM MOTOR VEHICLE"),
    ("23H", "ALL OTHER LARCENY"),
    ("240", "MOTOR VEHICLE THEFT"),
    ("290", "DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY"),
)
CHUNK_ROWS = 250_000
MISSING_SHARE = 0.02  # rows without coordinates, as in real exports
REPEAT_SHARE = 0.05  # rows repeating the previous row (a second victim)


def write_lrpd_export(path: str | os.PathLike[str], rows: int, seed: int = 7) -> int:
    """Write ``rows`` incident rows in the LRPD layout; returns the file size.

    Columns are built with vectorised string operations a chunk at a time, so a
    5,000,000-row file takes about a minute and little memory.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    codes = np.array([c for c, _ in OFFENSES], dtype=object)
    names = np.array([d for _, d in OFFENSES], dtype=object)
    start = pd.Timestamp("2023-01-01")
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(HEADER + "\r\n")
        done = 0
        while done < rows:
            n = min(CHUNK_ROWS, rows - done)
            seq = np.arange(done, done + n)
            repeat = rng.random(n) < REPEAT_SHARE
            repeat[0] = False
            ids = np.where(repeat, seq - 1, seq)
            lat = np.round(34.62 + rng.random(n) * 0.26, 6)
            lon = np.round(-92.55 + rng.random(n) * 0.39, 6)
            pick = rng.integers(0, len(OFFENSES), n)
            # a second victim repeats the row before it exactly
            for values in (pick, lat, lon):
                values[repeat] = values[np.flatnonzero(repeat) - 1]
            missing = rng.random(n) < MISSING_SHARE
            when = start + pd.to_timedelta((ids * 7) % (365 * 24 * 60), unit="min")
            lat_s = pd.Series(lat).astype(str).where(~missing, "")
            lon_s = pd.Series(lon).astype(str).where(~missing, "")
            frame = pd.DataFrame(
                {
                    "INCIDENT_DATE": when.strftime("%m/%d/%Y %I:%M:%S %p"),
                    "INCIDENT_NUMBER": "2023-"
                    + pd.Series(ids).astype(str).str.zfill(7),
                    "LOCATION_DISTRICT": "61",
                    "OFFENSE_CODE": codes[pick],
                    "OFFENSE_DESCRIPTION": names[pick],
                    "WEAPON_TYPE": "",
                    "INCIDENT_LOCATION": pd.Series(ids % 9000 + 100).astype(str)
                    + " BASELINE RD",
                    "CITY": "LITTLE ROCK",
                    "STATE": "AR",
                    "ZIP": "72209",
                    "LATITUDE": lat_s,
                    "LONGITUDE": lon_s,
                    "Location 1": ("(" + lat_s + ", " + lon_s + ")").where(
                        ~missing, ""
                    ),
                }
            )
            frame.to_csv(handle, header=False, index=False, lineterminator="\r\n")
            done += n
    return Path(path).stat().st_size


def bench_validate(
    rows: int = 5_000_000, *, keep: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """Write an LRPD export of ``rows`` rows, validate it in a child process.

    Returns ``validate_rows``, ``validate_file_mb``, ``validate_write_seconds``,
    ``validate_seconds`` (wall time of the child), ``validate_cpu_seconds``,
    ``validate_peak_memory_mb``
    (the child's peak resident memory) and its JSON ``validate_summary`` counts.
    """
    folder = tempfile.mkdtemp(prefix="camreg-bench-")
    path = Path(keep) if keep else Path(folder) / "lrpd_big.csv"
    start = time.perf_counter()
    size = write_lrpd_export(path, rows)
    written = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "validate",
            "incidents",
            str(path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = after.ru_maxrss
    cpu = (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)
    try:
        summary = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except json.JSONDecodeError:
        summary = {}
    if not keep:
        path.unlink(missing_ok=True)
        os.rmdir(folder)
    return {
        "validate_rows": rows,
        "validate_file_mb": round(size / 1e6, 1),
        "validate_write_seconds": round(written, 1),
        "validate_seconds": round(seconds, 1),
        # CPU seconds of the child: wall time on a shared machine includes waiting
        "validate_cpu_seconds": round(cpu, 1),
        "validate_peak_memory_mb": round(max(peak_kb, before) / 1024, 0),
        "validate_exit": proc.returncode,
        "validate_summary": {
            k: summary.get(k)
            for k in ("rows_read", "accepted", "folded", "quarantined")
        },
    }
