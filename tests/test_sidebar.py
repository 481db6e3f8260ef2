"""The sidebar's date shortcuts and which filters a page shows."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from tests.pagetest import app, clear_data_env
from ui.sidebar import date_presets


def test_presets_end_on_the_data_date_and_count_days_inclusively():
    presets = date_presets(date(2026, 11, 1))
    assert presets == {
        "30 days": (date(2026, 10, 3), date(2026, 11, 1)),
        "90 days": (date(2026, 8, 4), date(2026, 11, 1)),
        "Year to date": (date(2026, 1, 1), date(2026, 11, 1)),
        # 12 months ending 1 Nov 2026, both days included: from 2 Nov 2025
        "12 months": (date(2025, 11, 2), date(2026, 11, 1)),
    }


def test_the_default_window_is_the_12_months_shortcut(demo):
    """So the "12 months" pill is lit when a visitor arrives."""
    from analytics.windows import default_window

    window = default_window(demo.incidents, demo.as_of)
    presets = date_presets(window.until)
    assert presets["12 months"] == (window.since, window.until)


def test_presets_never_start_before_the_first_incident():
    presets = date_presets(date(2026, 3, 1), earliest=date(2026, 2, 1))
    assert presets["12 months"] == (date(2026, 2, 1), date(2026, 3, 1))
    assert presets["Year to date"] == (date(2026, 2, 1), date(2026, 3, 1))
    assert presets["30 days"] == (date(2026, 2, 1), date(2026, 3, 1))


@pytest.fixture
def demo(monkeypatch):
    clear_data_env(monkeypatch)
    return load_dataset()


def _sidebar_labels(at: AppTest) -> set[str]:
    labels = {w.label for w in at.sidebar.multiselect}
    labels |= {w.label for w in at.sidebar.date_input}
    labels |= {w.label for w in at.sidebar.slider}
    return labels


def test_filters_show_only_where_they_apply(demo):
    coverage = app("pages/1_Coverage_map.py")
    assert {"From", "Until", "Camera tiers", "Camera owners"} <= _sidebar_labels(
        coverage
    )
    briefing = app("pages/6_Briefing.py")
    shown = _sidebar_labels(briefing)
    assert {"From", "Until", "Offence categories"} <= shown
    assert not shown & {"Camera tiers", "Camera owners"}
    registry = app("pages/7_Registry.py")
    filters = {"From", "Until", "Offence categories", "Camera tiers", "Camera owners"}
    assert not _sidebar_labels(registry) & filters


def test_no_variable_names_in_the_sidebar_of_a_visitor_page(demo):
    at = app("pages/0_Overview.py")
    text = " ".join(c.value for c in at.sidebar.caption)
    text += " ".join(m.value for m in at.sidebar.markdown)
    assert "CAMREG_" not in text


def test_verified_switch_round_trips_through_the_url():
    from dataclasses import replace

    from ui.sidebar import default_filters, filters_from_params, filters_to_params

    base = default_filters(date(2026, 11, 1))
    assert base.verified_only is False
    assert not base.narrowed
    on = replace(base, verified_only=True)
    assert on.narrowed
    assert "verified cameras only" in on.describe()
    params = filters_to_params(on, base)
    assert params == {"verified": "1"}
    assert filters_from_params(params, base) == on
    assert filters_from_params({"verified": "maybe"}, base) == base
