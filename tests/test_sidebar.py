"""The sidebar's date shortcuts and which filters a page shows."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from tests.pagetest import ROOT, app, clear_data_env, window_shown
from ui.sidebar import (
    CUSTOM,
    MORE_LABEL,
    PRESET_KEY,
    date_presets,
    earliest_incident,
)


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
    labels = {w.label for w in at.sidebar.pills}
    labels |= {w.label for w in at.sidebar.date_input}
    labels |= {w.label for w in at.sidebar.slider}
    return labels


def test_filters_show_only_where_they_apply(demo):
    coverage = app("pages/1_Coverage_map.py")
    assert {"Period", "Camera tiers", "Camera owners"} <= _sidebar_labels(coverage)
    briefing = app("pages/6_Briefing.py")
    shown = _sidebar_labels(briefing)
    assert {"Period", "Offence categories"} <= shown
    assert not shown & {"Camera tiers", "Camera owners"}
    registry = app("pages/7_Registry.py")
    filters = {"Period", "Offence categories", "Camera tiers", "Camera owners"}
    assert not _sidebar_labels(registry) & filters


def test_date_pickers_show_for_custom_dates_only(demo):
    """A visitor arrives on the "12 months" shortcut with no date pickers;
    "Custom dates" shows them on the window shown, and a shortcut hides them
    again and sets its window."""
    at = app("pages/1_Coverage_map.py")
    assert at.pills(key=PRESET_KEY).value == "12 months"
    assert not at.sidebar.date_input
    twelve = window_shown(at)

    at.pills(key=PRESET_KEY).set_value(CUSTOM).run()
    assert [d.label for d in at.sidebar.date_input] == ["From", "Until"]
    assert (at.date_input(key="since").value, at.date_input(key="until").value) == (
        twelve
    )
    # a custom window that is no shortcut's keeps the pickers and is applied
    at.date_input(key="since").set_value(date(2026, 6, 1)).run()
    assert not at.exception
    assert window_shown(at) == (date(2026, 6, 1), twelve[1])
    assert at.pills(key=PRESET_KEY).value == CUSTOM
    assert "01 Jun 2026" in " ".join(c.value for c in at.sidebar.caption)

    at.pills(key=PRESET_KEY).set_value("30 days").run()
    assert not at.sidebar.date_input
    assert (
        window_shown(at) == date_presets(twelve[1], earliest_incident(demo))["30 days"]
    )


def test_a_link_to_a_custom_window_opens_on_the_date_pickers(demo):
    at = AppTest.from_file(str(ROOT / "pages/0_Overview.py"), default_timeout=180)
    at.query_params["since"] = "2026-06-01"
    at.run()
    assert not at.exception
    assert at.pills(key=PRESET_KEY).value == CUSTOM
    assert at.date_input(key="since").value == date(2026, 6, 1)


def test_choices_are_pills_and_none_lit_means_all(demo):
    at = app("pages/1_Coverage_map.py")
    tiers = at.pills(key="tiers")
    assert tiers.options == ["registered", "integrated"]
    assert tiers.value == ["registered", "integrated"]
    tiers.set_value([]).run()
    assert not at.exception
    assert "No tiers selected: using all." in [c.value for c in at.sidebar.caption]


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


def test_filters_besides_the_period_sit_in_the_more_filters_popover(demo):
    """Drawn by the browser only once opened; what they narrow is named under
    the button, so a visitor sees it without opening it."""
    at = app("pages/1_Coverage_map.py")
    (more,) = [b for b in at.sidebar if getattr(b, "type", "") == "popover"]
    assert more.proto.popover.label == MORE_LABEL
    inside = {w.label for w in more.get("button_group")}
    inside |= {w.label for w in more.get("slider")}
    inside |= {w.label for w in more.get("toggle")}
    assert inside == {
        "Offence categories",
        "Camera tiers",
        "Camera owners",
        "Camera range assumption",
        "Verified cameras only",
    }
    captions = [c.value for c in at.sidebar.caption]
    assert not [c for c in captions if c.startswith("More filters on")]

    at.pills(key="categories").set_value(["violent"]).run()
    at.slider(key="range_scale").set_value(1.5).run()
    assert not at.exception
    assert "More filters on: offences: violent; ranges × 1.5." in [
        c.value for c in at.sidebar.caption
    ]
