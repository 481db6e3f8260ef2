"""The warm-up fills the shared caches; a restart reads them back from disk.

Computations are counted (coverage reports, map builds, map conversions, dataset
loads), never timed: the seconds are the bench's (`python -m analytics bench
--browser`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.cached
import ui.data
import ui.mapview
from analytics.store import RegistryStore
from tests.conftest import CENTRE, make_cameras, offset
from tests.pagetest import ROOT, clear_data_env, small_demo, use_accounts
from ui import warmup
from ui.data import dataset_fingerprint, get_dataset
from ui.page import dataset_key
from ui.sidebar import date_presets, default_filters_for, earliest_incident

OVERVIEW = str(ROOT / "pages" / "0_Overview.py")
BRIEFING = str(ROOT / "pages" / "6_Briefing.py")
COVERAGE_MAP = str(ROOT / "pages" / "1_Coverage_map.py")
# Coverage maps one warm-up builds: the Overview, Coverage map and Gaps maps of
# both roles (6), the Overview and Coverage maps of staff for the three date
# shortcuts that are not the default window (6) and the canvass start map (1)
COVERAGE_MAPS = 6 + 2 * 3 + 1


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """A small demo, an empty disk cache, empty shared caches, counted work."""
    small_demo(monkeypatch, tmp_path / "cache")
    calls: Counter[str] = Counter()

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    for module, name in (
        (ui.data, "load_dataset"),
        (ui.cached, "coverage_report"),
        (ui.cached, "build_coverage_map"),
        (ui.cached, "build_ward_map"),
        (ui.cached, "recommend_sites"),
        (ui.cached, "gather_briefing"),
        (ui.cached, "redact_cameras"),
        (ui.mapview, "_component_args"),
    ):
        monkeypatch.setattr(module, name, counting(name, getattr(module, name)))
    restart()
    yield calls
    restart()


def restart() -> None:
    """What a new server process starts with: nothing in memory (disk kept)."""
    st.cache_resource.clear()
    ui.mapview._STORED.clear()
    ui.mapview._SENT.clear()


def test_the_warm_up_fills_the_caches_the_overview_reads(counted):
    ds = get_dataset()
    report = warmup.warm(ds)
    assert counted["load_dataset"] == 1
    # public and staff: the Overview's two reports each, and the Wards page's
    assert counted["coverage_report"] >= 4
    # Overview, Coverage map, Gaps and Wards maps for both roles, then the
    # Overview and Coverage maps of staff for each date shortcut that is not the
    # default window (30 days, 90 days, year to date; 12 months is the default)
    shortcuts = _other_shortcuts(ds)
    assert sorted(shortcuts) == ["30 days", "90 days", "Year to date"]
    # (and the Incident canvass page's start map for staff: one more)
    assert counted["build_coverage_map"] == COVERAGE_MAPS
    assert counted["build_ward_map"] == 2
    assert counted["_component_args"] == COVERAGE_MAPS + 2  # and the ward maps
    names = [name for name, _ in report.steps]
    assert names[0] == "public: coverage"  # the visitor who is not signed in first
    assert "staff: Overview map" in names
    before = dict(counted)
    at = AppTest.from_file(OVERVIEW, default_timeout=180)
    at.run()
    assert not at.exception
    assert at.metric  # the page drew its figures ...
    assert dict(counted) == before  # ... and its map without computing anything


def _other_shortcuts(ds) -> dict[str, tuple[date, date]]:
    base = default_filters_for(ds)
    return {
        name: span
        for name, span in date_presets(base.until, earliest_incident(ds)).items()
        if span != (base.since, base.until)
    }


def test_a_date_shortcut_after_the_warm_up_computes_nothing(counted):
    """The sidebar's "90 days" on the Overview: figures and map are ready."""
    ds = get_dataset()
    warmup.warm(ds)
    since, until = _other_shortcuts(ds)["90 days"]
    at = AppTest.from_file(OVERVIEW, default_timeout=180)
    at.run()
    before = dict(counted)
    at.pills(key="date_preset").set_value("90 days").run()
    assert not at.exception
    assert (at.session_state["since"], at.session_state["until"]) == (since, until)
    assert dict(counted) == before, {
        k: counted[k] - before.get(k, 0) for k in counted if counted[k] != before.get(k)
    }


def test_a_public_visitor_lands_on_the_warmed_overview(counted, monkeypatch, tmp_path):
    """With accounts set up a visitor who is not signed in is public: the
    warm-up's public view is the one the page gives them (the window ending on
    the newest incident, ui.page.public_filters), so their Overview computes
    nothing. The warm-up's public window used to end on the data's date."""
    use_accounts(monkeypatch, tmp_path, ana="staff")
    ds = get_dataset()
    warmup.warm(ds)
    newest = ds.incidents["occurred_at"].max().date()
    public = dict(warmup.views(ds))["public"]
    assert public.until == newest < ds.as_of  # the demo's newest is the day before
    before = dict(counted)
    at = AppTest.from_file(OVERVIEW, default_timeout=180)
    at.run()
    assert not at.exception
    assert "Public view" in " ".join(c.value for c in at.sidebar.caption)
    assert dict(counted) == before, {
        k: counted[k] - before.get(k, 0) for k in counted if counted[k] != before.get(k)
    }


def test_the_briefing_page_opens_on_the_warmed_document(counted):
    """The Briefing's default (public edition, whole city, default window) is
    gathered and rendered once by the warm-up; the page computes nothing, and
    after a restart it is read back from disk."""
    warmup.warm(get_dataset())
    assert counted["gather_briefing"] == 1  # public and staff share the window
    for _ in range(2):
        before = dict(counted)
        at = AppTest.from_file(BRIEFING, default_timeout=180)
        at.run()
        assert not at.exception
        assert at.radio(key="audience").value == warmup.BRIEFING_EDITION
        html = at.session_state["briefing_html"]
        assert "<html" in html.lower()
        assert dict(counted) == before
        restart()
        warmup.warm(get_dataset())
    assert counted["gather_briefing"] == 1  # the restart read it back


def test_a_restart_reads_everything_back_without_recomputing(counted):
    warmup.warm(get_dataset())
    restart()
    counted.clear()
    report = warmup.warm(get_dataset())
    assert report.error is None
    assert sum(counted.values()) == 0, dict(counted)  # all read from disk
    at = AppTest.from_file(OVERVIEW, default_timeout=180)
    at.run()
    assert not at.exception
    assert sum(counted.values()) == 0, dict(counted)


def test_the_coverage_map_after_a_restart_redacts_nothing(counted):
    """The page asks for the role's redacted cameras before its stored map
    (whether to offer "Cameras by area"): read back from disk, not worked out
    again from a million filtered incidents."""
    warmup.warm(get_dataset())
    assert counted["redact_cameras"] > 0  # the maps were built from them
    restart()
    counted.clear()
    at = AppTest.from_file(COVERAGE_MAP, default_timeout=180)
    at.run()
    assert not at.exception
    assert at.radio(key="choropleth").options[-1] == "Cameras by area"
    assert sum(counted.values()) == 0, dict(counted)


def test_a_changed_input_is_computed_again(counted, monkeypatch):
    warmup.warm(get_dataset())
    restart()
    counted.clear()
    monkeypatch.setenv("CAMREG_DEMO_INCIDENTS", "4001")  # another data version
    warmup.warm(get_dataset())
    assert counted["load_dataset"] == 1
    assert counted["build_coverage_map"] == COVERAGE_MAPS


def _residential_ids(ds) -> list[str]:
    cams = ds.cameras
    home = cams[(cams["owner_type"] == "residential") & (cams["status"] == "active")]
    return home["camera_id"].astype(str).tolist()


def test_each_role_gets_its_own_stored_map_also_after_a_restart(counted):
    ds = get_dataset()
    key = dataset_key(ds)
    filters = default_filters_for(ds)
    homes = _residential_ids(ds)
    assert homes

    def script(role: str) -> str:
        source = ui.cached.coverage_map(ds, key, filters, role, compact=True)
        args = ui.mapview.prepare_map(
            source, key="overview_map_city", height=430, clicks=True
        )
        return ui.mapview.sent_text(args)

    assert sum(f'"{c}"' in script("investigator") for c in homes) == len(homes)
    assert not any(f'"{c}"' in script("staff") for c in homes)
    assert not any(f'"{c}"' in script("public") for c in homes)
    sources = {
        role: ui.cached.coverage_map(ds, key, filters, role, compact=True).disk_key
        for role in ("public", "staff", "investigator")
    }
    assert len(set(sources.values())) == 3
    restart()
    counted.clear()
    ds = get_dataset()
    key = dataset_key(ds)
    assert not any(f'"{c}"' in script("public") for c in homes)
    assert counted["build_coverage_map"] == 0  # read back, the public one


def test_a_call_spelling_out_defaults_hits_the_same_map(counted):
    ds = get_dataset()
    key = dataset_key(ds)
    filters = default_filters_for(ds)
    short = ui.cached.coverage_map(ds, key, filters, "staff", gaps=True)
    spelled = ui.cached.coverage_map(
        ds, key, filters, "staff", choropleth="coverage_share", ward=None, gaps=True
    )
    assert short.disk_key == spelled.disk_key
    assert short.build() is spelled.build()
    assert counted["build_coverage_map"] == 1


def test_start_warmup_runs_once_per_configuration(counted, monkeypatch):
    monkeypatch.setenv("CAMREG_WARMUP", "off")
    assert warmup.start_warmup() is None
    monkeypatch.delenv("CAMREG_WARMUP")
    thread = warmup.start_warmup()
    assert thread is not None
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert warmup.start_warmup() is thread  # not started again
    report = warmup.LAST[(None, ui.data._configuration())]
    assert report.error is None
    assert counted["build_coverage_map"] == COVERAGE_MAPS


def test_the_store_data_version_changes_with_the_registry(store_target):
    store = RegistryStore.init(store_target)
    first = store.data_version()
    lat, lon = offset(*CENTRE, east_m=20.0)
    cams = make_cameras(
        [
            {
                "camera_id": "A",
                "latitude": lat,
                "longitude": lon,
                "owner_type": "business",
                "registered_at": date(2024, 1, 1),
            }
        ]
    )
    store.import_cameras(cams, source="seed.csv", user="ann")
    imported = store.data_version()
    assert imported != first
    assert store.data_version() == imported  # a stamp, not a clock
    store.withdraw("A", reason="owner asked", user="ann", at="2025-01-01")
    assert store.data_version() != imported


def test_a_database_registry_is_keyed_on_its_data_version(monkeypatch, pg_url):
    clear_data_env(monkeypatch)
    store = RegistryStore.init(pg_url)
    monkeypatch.setenv("CAMREG_REGISTRY_DB", pg_url)
    before = dataset_fingerprint()
    assert dataset_fingerprint() == before
    lat, lon = offset(*CENTRE, east_m=20.0)
    store.import_cameras(
        make_cameras(
            [
                {
                    "camera_id": "B",
                    "latitude": lat,
                    "longitude": lon,
                    "owner_type": "business",
                    "registered_at": date(2024, 1, 1),
                }
            ]
        ),
        source="seed.csv",
        user="ann",
    )
    assert dataset_fingerprint() != before


def test_the_canvass_start_map_is_ready_after_the_warm_up(counted):
    """The Incident canvass page opens on the city's cameras without building them."""
    warmup.warm(get_dataset())
    before = dict(counted)
    at = AppTest.from_file(
        str(ROOT / "pages" / "5_Incident_canvass.py"), default_timeout=180
    )
    at.run()
    assert not at.exception
    assert dict(counted) == before
