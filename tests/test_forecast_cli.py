"""`python -m analytics forecast`: JSON contract, exit codes, one-line errors."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analytics.cli import main
from tests.test_forecast import registry


@pytest.fixture(scope="module")
def demo_json():
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["forecast", "--target-date", "2030-12-31", "--json"])
    return code, json.loads(buf.getvalue())


def _write(cams, path):
    frame = cams.drop(columns="geometry")
    frame.to_csv(path, index=False)
    return str(path)


def test_demo_json_has_the_contract_keys(demo_json):
    code, data = demo_json
    assert code == 0
    assert data["synthetic"] is True
    assert data["data_label"] == "Synthetic demo data"
    assert data["as_of"] == "2026-11-01"  # the demo's date, not the wall clock
    assert data["goal"] == 30_000
    assert data["goal_share"] == pytest.approx(data["current_cameras"] / 30_000, 1e-3)
    assert data["model"] in ("linear", "exponential")
    assert data["backtest_error"] >= 0
    assert set(data["interval"]) >= {"low", "high"}
    assert "projected_goal_date" in data
    # required pace by hand from the reported figures: 1,521 days to the target
    months = (date(2030, 12, 31) - date(2026, 11, 1)).days / (365.2425 / 12)
    expected = (30_000 - data["current_cameras"]) / months
    assert data["required_monthly_pace"] == pytest.approx(expected, abs=0.1)


def test_camera_file_linear_growth(tmp_path, capsys):
    path = _write(registry([100] * 24), tmp_path / "cams.csv")
    code = main(
        [
            "forecast",
            "--cameras",
            path,
            "--as-of",
            "2026-08-31",
            "--horizon-months",
            "300",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["synthetic"] is False
    assert data["data_label"] == "cams.csv"
    assert data["current_cameras"] == 5_600
    assert data["current_monthly_pace"] == 100
    # 244 more months of 100: the registrations of 1 December 2046
    projected = date.fromisoformat(data["projected_goal_date"])
    assert abs((projected - date(2046, 12, 1)).days) <= 31


def test_flat_history_reports_null_date(tmp_path, capsys):
    path = _write(registry([0] * 23 + [1]), tmp_path / "flat.csv")
    code = main(["forecast", "--cameras", path, "--as-of", "2026-08-31", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["projected_goal_date"] is None


def test_too_short_history_exits_1_without_a_date(tmp_path, capsys):
    path = _write(registry([100] * 5), tmp_path / "short.csv")
    code = main(["forecast", "--cameras", path, "--as-of", "2025-01-31"])
    out = capsys.readouterr().out
    assert code == 1
    assert "at least 6 are needed" in out
    assert "Projected to reach" not in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--target-date", "31/12/2030"], "--target-date was '31/12/2030'"),
        (["--target-date", "2020-01-01"], "2020-01-01 is not after"),
        (["--as-of", "yesterday"], "--as-of was 'yesterday'"),
        (["--cameras", "/nonexistent/cams.csv"], "cams.csv"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, needle, capsys):
    code = main(["forecast", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
