"""`python -m analytics briefing`: the demo export, real files, one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from analytics.cli import main
from analytics.datasets import load_dataset
from analytics.schema import SYNTHETIC_LABEL, WGS84
from analytics.synthetic import DEMO_AS_OF
from tests.conftest import CENTRE, make_cameras, make_incidents, offset

ROOT = Path(__file__).resolve().parent.parent
RESIDENT = {
    "owner_name": "<script>alert(1)</script>",
    "address": "<img src=x onerror=alert(1)>",
    "contact_phone": "501-555-0142",
    "contact_email": "quiet.resident@homes.example",
}


def _one_error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def demo_ward_ids() -> list[str]:
    return [str(w) for w in load_dataset().wards["ward_id"]]


def test_demo_export_opens_offline(tmp_path, capsys):
    out = tmp_path / "briefing.html"
    assert main(["briefing", "--out", str(out), "--since", "2026-01-01"]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed
    doc = out.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>")
    assert re.search(r"<title>(.*?)</title>", doc).group(1).startswith(SYNTHETIC_LABEL)
    assert f"From 01 January 2026 to {DEMO_AS_OF:%d %B %Y}" in doc
    assert "Public edition" in doc
    assert "http://" not in doc
    assert "https://" not in doc
    assert "<script" not in doc.lower()


def test_staff_edition_and_ward_selection(tmp_path, demo_ward_ids):
    out = tmp_path / "staff.html"
    code = main(
        ["briefing", "--out", str(out), "--audience", "staff", "--wards", "2", "5"]
    )
    assert code == 0
    doc = out.read_text(encoding="utf-8")
    assert "Staff edition" in doc
    names = load_dataset().wards.set_index("ward_id")["ward_name"]
    assert f"<td>{names['2']}, {names['5']}</td>" in doc
    assert set(demo_ward_ids) >= {"2", "5"}


@pytest.mark.parametrize(
    ("args", "must_name"),
    [
        (["--wards", "1", "99"], ["'99'", "1, 2, 3"]),
        (["--since", "2026-02-30"], ["'2026-02-30'", "YYYY-MM-DD"]),
        (["--until", "yesterday"], ["'yesterday'", "YYYY-MM-DD"]),
        (["--since", "2026-05-01", "--until", "2026-01-01"], ["2026-05-01"]),
        (["--since", "2030-01-01"], ["2030-01-01", DEMO_AS_OF.isoformat()]),
        (["--audience", "investigator"], ["'investigator'", "public, staff"]),
        (["--recruit", "0"], ["'0'", ">= 1"]),
        (["--mix", "0.5"], ["'0.5'", "2 shares"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, must_name):
    out = tmp_path / "never.html"
    assert main(["briefing", "--out", str(out), *args]) == 2
    line = _one_error_line(capsys.readouterr().err)
    for text in must_name:
        assert text in line
    assert not out.exists()


def test_subprocess_exit_code_and_stderr(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "briefing",
            "--out",
            str(tmp_path / "x.html"),
            "--wards",
            "nowhere",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "'nowhere'" in line


def test_real_files_keep_residents_out(tmp_path, capsys):
    """A real registry from files: residential details never reach the HTML."""
    lat, lon = CENTRE
    rows = []
    for i in range(6):
        a, b = offset(lat, lon, 25.0 * i + 4.4, 13.3 * i)
        rows.append(
            {
                "latitude": round(a, 6),
                "longitude": round(b, 6),
                "owner_type": "residential",
                **RESIDENT,
                "contact_phone": f"501-555-01{i:02d}",
            }
        )
    cams = make_cameras(rows).drop(columns="geometry")
    cams_path = tmp_path / "cameras.csv"
    cams.to_csv(cams_path, index=False)
    inc = make_incidents(
        [{"latitude": r["latitude"], "longitude": r["longitude"]} for r in rows]
    ).drop(columns="geometry")
    inc["occurred_at"] = inc["occurred_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    inc_path = tmp_path / "incidents.csv"
    inc.to_csv(inc_path, index=False)

    out = tmp_path / "real.html"
    base = [
        "briefing",
        "--out",
        str(out),
        "--cameras",
        str(cams_path),
        "--incidents",
        str(inc_path),
    ]
    # no ward boundaries configured: asking for a ward is a one-line error
    assert main([*base, "--wards", "1"]) == 2
    assert "no ward boundaries" in _one_error_line(capsys.readouterr().err)

    wards = gpd.GeoDataFrame(
        {"ward_id": ["1"], "ward_name": ["Only ward"]},
        geometry=[shapely.Point(lon, lat).buffer(0.02)],
        crs=WGS84,
    )
    wards_path = tmp_path / "wards.geojson"
    wards.to_file(wards_path, driver="GeoJSON")
    assert main([*base, "--ward-boundaries", str(wards_path), "--wards", "1"]) == 0
    doc = out.read_text(encoding="utf-8")
    assert SYNTHETIC_LABEL not in doc
    for r in rows:
        for secret in (
            f"{r['latitude']:.4f}",
            f"{r['longitude']:.4f}",
            r["contact_phone"],
            r["contact_email"],
            "quiet.resident",
        ):
            assert secret not in doc
    assert "<script" not in doc.lower()
    assert "onerror=" not in doc
    # 6 residential sites of 1 camera: enough (>= 5) for the ward count to show
    assert '<td class="txt">Only ward</td><td class="num">6</td>' in doc


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Chromium")
def test_exported_file_renders_offline_in_chromium(tmp_path):
    """Open the exported file in Chromium with every network request refused."""
    from playwright.sync_api import sync_playwright

    out = tmp_path / "briefing.html"
    assert main(["briefing", "--out", str(out), "--audience", "staff"]) == 0
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1000, "height": 1400})

        def refuse(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                requested.append(route.request.url)
                route.abort()

        page.route("**/*", refuse)
        page.goto(out.as_uri())
        heights = page.eval_on_selector_all(
            "figure svg", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        captions = page.eval_on_selector_all("figcaption", "els => els.length")
        pdf = page.pdf(format="A4")
        browser.close()
    assert requested == []  # nothing but the file itself was fetched
    assert len(heights) >= 6
    assert min(heights) > 100  # every chart and map actually drew
    assert captions == len(heights)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 8  # 1 a section
