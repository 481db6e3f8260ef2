"""`python -m analytics validate`: summary, --json, --quarantine and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_json_summary_of_lrpd_export(capsys, data_dir):
    code = main(
        ["validate", "incidents", str(data_dir / "lrpd" / "lrpd_current.csv"), "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["rows_read"] == 24
    assert out["accepted"] == 20  # 2018-035990's second offence is folded
    assert out["folded"] == out["offences_folded"] == 1
    assert out["quarantined"] == 3
    assert out["reasons"] == {"missing coordinates": 2, "outside the city extent": 1}
    assert out["warnings"][0] == (
        f"{data_dir / 'lrpd' / 'lrpd_current.csv'}: byte-order mark removed"
    )
    assert "'INCIDENT_NUMBER' as incident_id" in out["warnings"][1]


def test_human_summary_and_clean_file_exit_zero(capsys, tmp_path):
    path = tmp_path / "cams.csv"
    path.write_text(
        "camera_id,lat,lon,tier,owner_type,registered_at\n"
        "A,34.74,-92.33,option 2,home,2024-09-01\n"
        "B,34.75,-92.30,option 1,commercial,2024-09-02\n",
        encoding="utf-8",
    )
    code = main(["validate", "cameras", str(path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "rows read             2" in out
    assert "accepted              2  (100.0%)" in out
    assert "quarantined           0" in out


def test_quarantine_file_is_formula_safe(capsys, tmp_path):
    path = tmp_path / "cams.csv"
    path.write_text(
        "camera_id,lat,lon,owner_name\n"
        "A,34.74,-92.33,Ann\n"
        '=HYPERLINK("x"),0,0,Bob\n'
        "C,,,@SUM(A1)\n",
        encoding="utf-8",
    )
    out_csv = tmp_path / "out" / "quarantine.csv"
    code = main(["validate", "cameras", str(path), "--quarantine", str(out_csv)])
    assert code == 1
    assert f"Quarantined rows written to {out_csv}" in capsys.readouterr().out
    q = pd.read_csv(io.BytesIO(out_csv.read_bytes()), dtype=str, encoding="utf-8-sig")
    expected = ["camera_id", "lat", "lon", "owner_name", "row_number", "reason"]
    assert q.columns.tolist() == expected
    assert q["camera_id"].tolist() == ['\'=HYPERLINK("x")', "C"]
    assert q["owner_name"].tolist() == ["Bob", "'@SUM(A1)"]
    assert q["row_number"].tolist() == ["2", "3"]
    assert q["reason"].tolist() == ["coordinates are (0, 0)", "missing coordinates"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02garbage\xff" * 20, "binary content"),
        (b"name,address\nAnn,1 Main St\n", "no location columns"),
    ],
)
def test_unusable_file_exit_two_one_line(capsys, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code = main(["validate", "cameras", str(path), "--json"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith(f"error: {path}: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_missing_file_exit_two(capsys, tmp_path):
    assert main(["validate", "incidents", str(tmp_path / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_subprocess_no_traceback(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)))
    proc = subprocess.run(
        [sys.executable, "-m", "analytics", "validate", "cameras", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
