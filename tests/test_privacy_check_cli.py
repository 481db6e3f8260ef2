"""``python -m analytics privacy-check``: the attack suite on configured data files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics import privacy
from analytics.cli import main
from tests.conftest import CENTRE, offset


@pytest.fixture
def files(tmp_path):
    """A registry with a home 1.5 km from anything, 6 homes and a shop in one
    block, and incidents near both over a year."""
    rows = []

    def add(cid, east, north, owner="residential"):
        lat, lon = offset(*CENTRE, east_m=east, north_m=north)
        rows.append(
            {
                "camera_id": cid,
                "latitude": round(lat, 7),
                "longitude": round(lon, 7),
                "tier": "registered",
                "owner_type": owner,
                "registered_at": "2025-01-01",
                "address": f"{cid} Birch Rd",
                "owner_name": f"Owner of {cid}",
                "contact_phone": f"501-555-{len(rows):04d}",
                "contact_email": f"{cid.lower()}@mail.example",
            }
        )

    add("LONE-HOME", 1_500.0, 0.0)
    for i in range(6):
        add(f"BLOCK-{i}", 12.0 * i, -7.0 * i)
    add("CORNER-SHOP", 30.0, 30.0, owner="business")
    cams = tmp_path / "cameras.csv"
    pd.DataFrame(rows).to_csv(cams, index=False)
    incs = []
    for day in range(0, 360, 4):
        for east, north in ((10.0, -5.0), (1_490.0, 8.0)):
            lat, lon = offset(*CENTRE, east_m=east, north_m=north)
            incs.append(
                {
                    "incident_id": f"I{len(incs)}",
                    "occurred_at": str(
                        pd.Timestamp("2025-01-02") + pd.Timedelta(days=day)
                    ),
                    "latitude": round(lat, 7),
                    "longitude": round(lon, 7),
                    "offense_code": "23C",
                }
            )
    inc = tmp_path / "incidents.csv"
    pd.DataFrame(incs).to_csv(inc, index=False)
    return ["--cameras", str(cams), "--incidents", str(inc)]


def test_passes_and_prints_the_figures_per_role(files, capsys):
    code = main(["privacy-check", *files, "--targets", "2", "--no-briefing", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out["failures"]
    assert out["failures"] == []
    assert out["canvass"]["staff"]["targets"] == 2
    assert out["canvass"]["staff"]["closest_m"] >= 25.0
    assert out["canvass"]["investigator"]["closest_m"] < 0.5  # the control
    assert out["public"]["smallest_cell_sites"] >= 5
    assert out["public"]["smallest_site_difference"] is None
    assert out["exports"] == {"public": {}, "staff": {}}
    assert "LONE-HOME" not in json.dumps(out)  # the report names no home
    # notification circles around the 2 targets, 20-200 m every 4 m: the counts
    # staff are shown never step by a single registration
    assert out["staff"]["notify"]["areas"] == 2 * 46
    assert out["staff"]["notify"]["steps_of_one_home"] == 0
    assert out["staff"]["camera_driven_changes"] == 0
    assert out["staff"]["ward_dating"]["windows"] == 0  # no ward file given
    assert main(["privacy-check", *files, "--targets", "2", "--no-briefing"]) == 0
    text = capsys.readouterr().out
    assert "Notification circles 4 m apart (92 areas)" in text


def test_exit_1_names_the_broken_threshold(files, capsys, monkeypatch):
    # without stand-in offsets, staff distance bands trilaterate a home
    monkeypatch.setattr(privacy, "DISPLACE_MIN_M", 0.0)
    monkeypatch.setattr(privacy, "DISPLACE_MAX_M", 0.0)
    code = main(["privacy-check", *files, "--targets", "1", "--no-briefing"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED:" in out
    assert "staff canvasses locate a home within" in out
    assert "investigator" in out
    assert "(control: full access)" in out


def test_bad_targets_is_unusable(capsys):
    assert main(["privacy-check", "--targets", "0"]) == 2
    assert "--targets was 0" in capsys.readouterr().err
