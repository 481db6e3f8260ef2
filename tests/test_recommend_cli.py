"""`python -m analytics recommend`: JSON, GeoJSON output, bad K, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from analytics.cli import main
from tests.conftest import CENTRE, offset

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_json():
    """One run on the demo data, shared: ``recommend --sites 5 --json``."""
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "recommend", "--sites", "5", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_lists_ranked_sites_and_totals(demo_json):
    out = demo_json
    assert out["k"] == 5
    assert out["synthetic"] is True
    sites = out["sites"]
    assert [s["rank"] for s in sites] == [1, 2, 3, 4, 5]
    for key in ("latitude", "longitude", "marginal_gain", "cumulative_gain"):
        assert all(key in s for s in sites)
    gains = [s["marginal_gain"] for s in sites]
    assert gains == sorted(gains, reverse=True)
    assert out["greedy_total"] == pytest.approx(sum(gains))
    assert sites[-1]["cumulative_gain"] == pytest.approx(out["greedy_total"])
    assert out["baseline_total"] >= 0
    assert out["greedy_total"] > out["baseline_total"]


def test_plain_text_says_synthetic_and_compares(capsys):
    assert main(["recommend", "--sites", "3"]) == 0
    text = capsys.readouterr().out
    assert "synthetic" in text.lower()
    assert "as usual" in text
    assert "The next 3 cameras" in text


def test_out_writes_geojson(tmp_path, capsys):
    path = tmp_path / "sites.geojson"
    assert main(["recommend", "--sites", "4", "--out", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    back = gpd.read_file(path)
    assert back.crs.to_epsg() == 4326
    assert back["rank"].tolist() == [1, 2, 3, 4]
    assert back["marginal_gain"].tolist() == [
        s["marginal_gain"] for s in printed["sites"]
    ]


@pytest.mark.parametrize("bad", ["0", "-3", "2.5", "many", "", "1000000000"])
def test_bad_k_exits_2_with_one_line(capsys, bad):
    assert main(["recommend", "--sites", bad]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "--sites" in lines[0]
    assert repr(bad) in lines[0]


def test_bad_k_from_the_shell_has_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "recommend", "--sites", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_files_given_on_the_command_line(tmp_path, capsys):
    lat0, lon0 = CENTRE
    far = offset(lat0, lon0, -4000, -4000)
    pd.DataFrame(
        {
            "camera_id": ["C1"],
            "latitude": [far[0]],
            "longitude": [far[1]],
            "tier": ["registered"],
            "owner_type": ["business"],
            "camera_count": [1],
            "registered_at": ["2025-01-01"],
            "status": ["active"],
        }
    ).to_csv(tmp_path / "cameras.csv", index=False)
    # burglaries (property, weight 1): 5 at the centre, 3 one kilometre east
    rows = [offset(lat0, lon0, 2 * i, 0) for i in range(5)]
    rows += [offset(lat0, lon0, 1000 + 2 * i, 0) for i in range(3)]
    pd.DataFrame(
        {
            "incident_id": [f"2025-{i:06d}" for i in range(8)],
            "occurred_at": ["2025-06-01 12:00:00"] * 8,
            "offense_code": ["220"] * 8,
            "offense": ["BURGLARY/BREAKING & ENTERING"] * 8,
            "category": ["property"] * 8,
            "latitude": [r[0] for r in rows],
            "longitude": [r[1] for r in rows],
            "district": ["61"] * 8,
        }
    ).to_csv(tmp_path / "incidents.csv", index=False)
    code = main(
        [
            "recommend",
            "--sites",
            "2",
            "--json",
            "--cameras",
            str(tmp_path / "cameras.csv"),
            "--incidents",
            str(tmp_path / "incidents.csv"),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["synthetic"] is False
    assert [s["marginal_gain"] for s in out["sites"]] == [5.0, 3.0]
    assert out["greedy_total"] == 8.0
    assert out["total_weight"] == 8.0


def test_missing_file_exits_2(tmp_path, capsys):
    code = main(
        [
            "recommend",
            "--sites",
            "2",
            "--cameras",
            str(tmp_path / "nope.csv"),
            "--incidents",
            str(tmp_path / "nope2.csv"),
        ]
    )
    assert code == 2
    assert capsys.readouterr().err.startswith("error:")


def test_bad_range_exits_2(capsys):
    assert main(["recommend", "--sites", "3", "--range-m", "-5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--range-m" in err[0]
