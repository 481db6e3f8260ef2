"""``python -m analytics screenshots``: which views it captures (no browser here).

The canvass page opens on an empty form, so the command also captures it with an
incident given by its ``?lat=&lon=`` link: a point of the demo registry that is
not a home, with cameras around it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from pyproj import Geod

from analytics.cli import main
from analytics.datasets import load_dataset
from tests.pagetest import clear_data_env

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def captured(monkeypatch, tmp_path):
    clear_data_env(monkeypatch)
    seen: dict[str, str] = {}

    def fake_screenshot_pages(url, out, *, pages):
        seen.update(pages)
        return [out / f"{name}-desktop.png" for name in pages]

    monkeypatch.setattr("analytics.browser.screenshot_pages", fake_screenshot_pages)
    return seen


def test_the_canvass_is_captured_empty_and_with_an_incident(captured, tmp_path):
    argv = ["screenshots", "--url", "http://127.0.0.1:1", "--out", str(tmp_path)]
    assert main([*argv, "--page", "Incident_canvass"]) == 0
    assert set(captured) == {"Incident_canvass", "Incident_canvass-incident"}
    assert captured["Incident_canvass"] == "Incident_canvass"
    link = urlsplit(captured["Incident_canvass-incident"])
    assert link.path == "Incident_canvass"
    query = parse_qs(link.query)
    lat, lon = float(query["lat"][0]), float(query["lon"][0])
    cams = load_dataset().cameras
    active = cams[(cams["status"] == "active") & cams["withdrawn_at"].isna()]
    # the point is a registered camera's place, and not a home
    _, _, dist = GEOD.inv(
        np.full(len(active), lon),
        np.full(len(active), lat),
        active["longitude"].to_numpy(float),
        active["latitude"].to_numpy(float),
    )
    at_point = active[dist < 0.5]
    assert len(at_point) >= 1
    assert "residential" not in set(at_point["owner_type"])
    assert (dist <= 150).sum() > 10  # a list worth a screenshot


def test_other_pages_alone_do_not_add_the_canvass_view(captured, tmp_path):
    argv = ["screenshots", "--url", "http://127.0.0.1:1", "--out", str(tmp_path)]
    assert main([*argv, "--page", "Wards"]) == 0
    assert set(captured) == {"Wards"}
