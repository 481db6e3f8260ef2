"""The Briefing page, driven through Streamlit's AppTest.

The ward check is independent of analytics.coverage: incidents of the sidebar's
default period inside ward 1 are counted here with a plain geopandas test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from analytics.schema import SYNTHETIC_LABEL
from analytics.windows import default_window
from tests.pagetest import use_accounts

PAGE = Path(__file__).resolve().parent.parent / "pages" / "6_Briefing.py"
TIMEOUT = 120


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


def _open(**secrets) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    for key, value in secrets.items():
        at.secrets[key] = value
    return at.run()


def _incidents_in_text(doc: str) -> int:
    found = re.search(r"of ([\d,]+) reported incidents", doc)
    assert found, "headline incident count missing"
    return int(found.group(1).replace(",", ""))


def test_page_runs_and_offers_the_download():
    at = _open()
    assert not at.exception
    # no roles configured: the demo runs as staff, who may export both editions
    assert list(at.radio(key="audience").options) == ["Public", "Staff"]
    doc = at.session_state["briefing_html"]
    title = re.search(r"<title>(.*?)</title>", doc).group(1)
    assert title.startswith(SYNTHETIC_LABEL)
    assert "Public edition" in doc
    assert "<circle" not in doc  # no exact camera point in the public edition
    assert "http://" not in doc
    assert "https://" not in doc


def test_wards_and_audience_change_the_document(demo):
    at = _open()
    city_doc = at.session_state["briefing_html"]
    city_incidents = _incidents_in_text(city_doc)

    at.multiselect(key="wards").set_value(["1"]).run()
    assert not at.exception
    ward_doc = at.session_state["briefing_html"]
    assert ward_doc != city_doc
    ward_name = demo.wards.set_index("ward_id").loc["1", "ward_name"]
    assert f"<td>{ward_name}</td>" in ward_doc  # header lists the chosen ward
    # independent count: incidents of the default period inside ward 1
    filters = default_window(demo.incidents, demo.as_of)
    when = pd.to_datetime(demo.incidents["occurred_at"])
    in_period = (when >= pd.Timestamp(filters.since)) & (
        when < pd.Timestamp(filters.until) + pd.Timedelta(days=1)
    )
    polygon = demo.wards.set_index("ward_id").loc["1", "geometry"]
    expected = int((demo.incidents.within(polygon) & in_period).sum())
    assert _incidents_in_text(ward_doc) == expected
    assert 0 < expected < city_incidents

    at.radio(key="audience").set_value("staff").run()
    assert not at.exception
    staff_doc = at.session_state["briefing_html"]
    assert "Staff edition" in staff_doc
    assert "<circle" in staff_doc  # business and city cameras as points


def test_public_viewer_can_only_export_public(monkeypatch, tmp_path):
    use_accounts(monkeypatch, tmp_path, det="investigator", clerk="staff")
    at = _open()
    assert not at.exception
    assert list(at.radio(key="audience").options) == ["Public"]
    assert "Public edition" in at.session_state["briefing_html"]


def test_scenario_changes_the_costs(demo):
    """The default is Goal progress's: 200 entry devices a year for 5 years,
    $800,000 in all (5 x 200 x $350 + 15 x 200 x $150)."""
    at = _open()
    doc = at.session_state["briefing_html"]
    assert "$800,000" in doc
    at.number_input(key="devices").set_value(10).run()
    assert not at.exception
    doc = at.session_state["briefing_html"]
    assert "$40,000" in doc  # 5 x 10 x $350 + 15 x 10 x $150
    assert "$800,000" not in doc


def test_sidebar_period_and_offences_drive_the_counts(demo):
    at = _open()
    at.pills(key="categories").set_value(["violent"]).run()
    assert not at.exception
    filters = default_window(demo.incidents, demo.as_of)
    inc = demo.incidents
    when = pd.to_datetime(inc["occurred_at"])
    in_period = (when >= pd.Timestamp(filters.since)) & (
        when < pd.Timestamp(filters.until) + pd.Timedelta(days=1)
    )
    expected = int((in_period & (inc["category"] == "violent")).sum())
    assert _incidents_in_text(at.session_state["briefing_html"]) == expected
