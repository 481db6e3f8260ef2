"""One test per command-line message: what a user who got it wrong reads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from analytics.cli import main

ROOT = Path(__file__).resolve().parent.parent
CAMERAS = "tests/data/registry_export.csv"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _usage_error(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


def test_forecast_help_says_80_percent_once(capsys):
    with pytest.raises(SystemExit):
        main(["forecast", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "80% interval" in out
    assert "%%" not in out


def test_usage_error_is_one_line_not_a_usage_block(capsys):
    err = _usage_error(capsys, "forecast", "--bogus")
    assert err.count("\n") == 1
    assert not err.startswith("usage:")
    assert err == (
        "error: unrecognized arguments: --bogus "
        "(see: python -m analytics forecast --help)\n"
    )


def test_missing_required_option_is_one_line_naming_it(capsys):
    err = _usage_error(capsys, "registry", "withdraw", "A")
    assert err == (
        "error: the following arguments are required: --reason "
        "(see: python -m analytics registry withdraw --help)\n"
    )


def test_city_that_is_not_a_city_file_says_so(capsys):
    code, out, err = _run(capsys, "--city", "README.md", "coverage")
    assert code == 2
    assert out == ""
    assert err.startswith("error: README.md is not a city file: expected a .toml")
    assert "not found" not in err


def test_missing_camera_file_in_environment_names_cameras(capsys, monkeypatch):
    monkeypatch.setenv("CAMREG_CAMERAS", "nope.csv")
    code, _, err = _run(capsys, "coverage")
    assert code == 2
    assert err == (
        "error: cameras file 'nope.csv' (set by $CAMREG_CAMERAS) does not exist\n"
    )


def test_missing_incident_file_given_names_incidents(capsys):
    code, _, err = _run(
        capsys, "coverage", "--cameras", CAMERAS, "--incidents", "gone.csv"
    )
    assert code == 2
    assert err == "error: incidents file 'gone.csv' (as given) does not exist\n"


def test_store_that_is_a_folder_is_named_once(capsys, tmp_path):
    code, _, err = _run(capsys, "registry", "log", "--db", str(tmp_path))
    assert code == 2
    assert err.count(f"registry store {str(tmp_path)!r}") == 1
    assert "is a folder" in err


def test_radius_error_names_the_option(capsys):
    code, _, err = _run(
        capsys, "canvass", "--lat", "34.74", "--lon", "-92.33", "--radius-m", "-5"
    )
    assert code == 2
    assert err == (
        "error: --radius-m was -5 but is expected to be more than 0 and at most "
        "5000 metres\n"
    )


def test_nearest_error_names_the_option(capsys):
    code, _, err = _run(
        capsys, "canvass", "--lat", "34.74", "--lon", "-92.33", "--nearest", "-1"
    )
    assert code == 2
    assert err.startswith("error: --nearest was -1 but is expected to be 0-")


def test_briefing_refuses_a_pdf_name(capsys, tmp_path):
    target = tmp_path / "x.pdf"
    code, _, err = _run(capsys, "briefing", "--out", str(target))
    assert code == 2
    assert "writes an HTML page" in err
    assert "ending in .html or .htm" in err
    assert not target.exists()


def test_recommend_refuses_a_pdf_name(capsys, tmp_path):
    target = tmp_path / "sites.pdf"
    code, _, err = _run(capsys, "recommend", "--sites", "3", "--out", str(target))
    assert code == 2
    assert "writes GeoJSON" in err
    assert not target.exists()


@pytest.mark.parametrize("command", [["history", "A"], ["log"]])
def test_read_only_commands_refuse_user(capsys, tmp_path, command):
    db = str(tmp_path / "r.sqlite")
    err = _usage_error(capsys, "registry", *command, "--db", db, "--user", "x")
    assert "unrecognized arguments: --user x" in err
    # the pointer names the command that refused it, not the top level
    assert err.endswith(f"(see: python -m analytics registry {command[0]} --help)\n")


@pytest.mark.parametrize(
    "name", ["bad_rows.csv", "briefing.html", "sites.geojson", "registry.sqlite"]
)
def test_readme_example_outputs_are_ignored_by_git(name):
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", name],
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, f"{name} would be committed"


def test_committed_test_data_is_not_ignored():
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", CAMERAS],
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
