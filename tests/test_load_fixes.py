"""Load fixes are returned values: on the load result, the dataset, the pages, the CLI.

No Python warning carries them (each test turns warnings into errors), so nothing
is lost when nobody listens to warnings (Streamlit) and nothing needs hijacking
(the command line).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pagetest import clear_data_env
from streamlit.testing.v1 import AppTest

from analytics.cli import main
from analytics.datasets import load_dataset
from analytics.loaders import load_incidents
from ui.data import get_dataset

ROOT = Path(__file__).resolve().parent.parent
CAMERAS = ROOT / "tests" / "data" / "registry_export.csv"
LRPD = ROOT / "tests" / "data" / "lrpd" / "lrpd_current.csv"


@pytest.fixture
def bowtie_wards(tmp_path) -> Path:
    """One self-crossing ward polygon: the loader repairs it (one fix)."""
    bowtie = shapely.Polygon(
        [(-92.3, 34.7), (-92.2, 34.8), (-92.2, 34.7), (-92.3, 34.8), (-92.3, 34.7)]
    )
    path = tmp_path / "wards.geojson"
    gpd.GeoDataFrame({"ward": ["1"]}, geometry=[bowtie], crs="EPSG:4326").to_file(
        path, driver="GeoJSON"
    )
    return path


def test_dataset_lists_every_files_fixes_without_python_warnings(city, bowtie_wards):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = load_dataset(city, cameras=CAMERAS, incidents=LRPD, wards=bowtie_wards)
        incidents = load_incidents(LRPD, city)
    fixes = ds.load_fixes
    # the LRPD export starts with a byte-order mark (fixtures' README), and the
    # ward file holds one self-crossing polygon
    assert f"{LRPD}: byte-order mark removed" in fixes
    assert fixes[-1] == f"{bowtie_wards}: 1 invalid polygons repaired"
    # in file order: cameras, incidents, wards; the incidents' exactly as loaded
    start = fixes.index(incidents.warnings[0])
    assert list(fixes[start : start + len(incidents.warnings)]) == incidents.warnings
    assert ds.load_reports["incidents"]["warnings"] == incidents.warnings


def test_demo_has_no_fixes(city):
    assert load_dataset(city).load_fixes == ()


def test_cli_prints_boundary_fixes_as_notes(capsys, bowtie_wards):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main(
            [
                "coverage",
                "--cameras",
                str(CAMERAS),
                "--incidents",
                str(LRPD),
                "--wards",
                str(bowtie_wards),
            ]
        )
    assert code == 0
    err = capsys.readouterr().err
    assert f"note: {bowtie_wards}: 1 invalid polygons repaired\n" in err
    assert f"note: {LRPD}: byte-order mark removed\n" in err


def test_pages_show_the_fixes_under_the_data_banner(monkeypatch):
    clear_data_env(monkeypatch)
    monkeypatch.setenv("CAMREG_CAMERAS", str(CAMERAS))
    monkeypatch.setenv("CAMREG_INCIDENTS", str(LRPD))
    get_dataset.clear()
    try:
        expected = load_dataset().load_fixes
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180).run()
    finally:
        get_dataset.clear()
    assert not at.exception, [e.message for e in at.exception]
    n = len(expected)
    assert n >= 2  # the byte-order mark and the alias column names at least
    (box,) = [e for e in at.expander if e.label == f"{n} fixes made while loading"]
    shown = " ".join(str(m.value) for m in box.markdown).replace("\\", "")
    assert "byte-order mark removed" in shown
    assert shown.count("\n- ") + 1 == n
