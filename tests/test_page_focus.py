"""Cross-filtering: a click on a ward of any page's map focuses the page on it.

The map component is replaced by a stand-in that answers like streamlit-folium
(one value per component key, none for a new component), so a click is the
value the browser would send. tests/test_browser_layout.py clicks a real map.
"""

from __future__ import annotations

import pytest

from analytics.datasets import load_dataset
from analytics.safe_output import escape_markdown
from analytics.wardfocus import in_ward
from tests.pagetest import (
    ROOT,
    TIMEOUT,
    clear_data_env,
    expected_report,
    markdown_table_rows,
    metrics,
)
from ui.focus import FOCUS_KEY, PICK_KEY, WHOLE_CITY

COVERAGE = "pages/1_Coverage_map.py"
GAPS = "pages/2_Gaps_and_targeting.py"
WARDS = "pages/4_Wards.py"
GOAL_TILES = ("Active cameras", "Share of the goal", "Projected goal date")


class FakeMaps:
    """streamlit-folium's component on a page with one map.

    A component (key) keeps its last value while it is drawn; a map drawn in
    its place is a new component, and Streamlit forgets the state of one no
    longer drawn.
    """

    def __init__(self) -> None:
        self.values: dict[str, dict] = {}
        self.shown: list[str] = []

    def __call__(self, **kwargs):
        key = kwargs["key"]
        if self.shown and self.shown[-1] != key:
            self.values = {k: v for k, v in self.values.items() if k == key}
        self.shown.append(key)
        return self.values.get(key, kwargs.get("default"))

    def click(self, lat: float, lon: float, *, marker: bool = False) -> None:
        """A click on the last map drawn: on its area, or on a point marker."""
        where = {"lat": lat, "lng": lon}
        value = {"last_clicked": where}
        if marker:
            value["last_object_clicked"] = where
            value["last_active_drawing"] = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {},
            }
        self.values[self.shown[-1]] = value


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


@pytest.fixture
def maps(monkeypatch):
    fake = FakeMaps()
    monkeypatch.setattr("ui.mapview._component", fake)
    return fake


def _app(page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def _inside(demo, ward_id: str) -> tuple[float, float]:
    """(lat, lon) of a point well inside the ward."""
    shape = demo.wards[demo.wards["ward_id"].astype(str) == ward_id]
    point = shape.to_crs("EPSG:4326").geometry.iloc[0].representative_point()
    return point.y, point.x


def _ward(demo, n: int = 2):
    wards = expected_report(demo)[0].wards.sort_values("ward_id")
    return wards.iloc[n]


def _whole_city(at):
    return next(b for b in at.button if b.label == WHOLE_CITY)


def test_a_click_focuses_the_coverage_tiles_on_the_ward_and_back(demo, maps):
    at = _app(COVERAGE)
    city = metrics(at)
    pick = _ward(demo)
    maps.click(*_inside(demo, str(pick["ward_id"])))
    at.run()
    assert not at.exception
    assert at.session_state[FOCUS_KEY] == str(pick["ward_id"])
    assert at.sidebar.selectbox(key=PICK_KEY).value == str(pick["ward_id"])
    shown = metrics(at)
    # the ward's row of the ward table, as written on the Wards page
    assert shown["Cameras in this view"] == f"{int(pick['cameras']):,}"
    assert shown["Crime-weighted coverage"] == (
        f"{pick['weighted_incident_coverage_share']:.1%}"
    )
    assert shown["Incidents in the window"] == f"{int(pick['incidents']):,}"
    assert any(pick["ward_name"] in m.value for m in at.markdown)
    # "Whole city" goes back, and the new map carries no click
    _whole_city(at).click().run()
    assert not at.exception
    assert at.session_state[FOCUS_KEY] is None
    assert metrics(at) == city


def test_a_click_on_a_camera_marker_does_not_focus(demo, maps):
    at = _app(COVERAGE)
    before = metrics(at)
    maps.click(*_inside(demo, "1"), marker=True)
    at.run()
    assert not at.exception
    assert at.session_state[FOCUS_KEY] is None
    assert metrics(at) == before


def test_a_click_outside_every_ward_keeps_the_whole_city(maps):
    at = _app(COVERAGE)
    maps.click(10.0, 10.0)
    at.run()
    assert not at.exception
    assert at.session_state[FOCUS_KEY] is None


def test_the_sidebar_ward_is_the_same_focus(demo, maps):
    at = _app(GAPS)
    pick = _ward(demo, 4)
    at.sidebar.selectbox(key=PICK_KEY).set_value(str(pick["ward_id"])).run()
    assert not at.exception
    assert at.session_state[FOCUS_KEY] == str(pick["ward_id"])
    assert any(b.label == WHOLE_CITY for b in at.button)


def test_a_click_focuses_gaps_and_sites_on_the_ward(demo, maps):
    at = _app(GAPS)
    report = expected_report(demo)[0]
    pick = _ward(demo, 1)
    ward_id = str(pick["ward_id"])
    maps.click(*_inside(demo, ward_id))
    at.run()
    assert not at.exception
    assert at.session_state[FOCUS_KEY] == ward_id
    gaps = at.dataframe[1].value
    expected = report.gaps[report.gaps["ward_id"].astype(str) == ward_id]
    assert len(gaps) == len(expected) > 0
    assert gaps["Rank"].tolist() == expected["rank"].tolist()
    sites = at.dataframe[0].value
    assert len(sites) == 25  # K sites, all inside the ward
    coords = sites[["Latitude", "Longitude"]].astype(float)
    coords.columns = ["latitude", "longitude"]
    assert in_ward(coords, demo.wards, ward_id).all()
    _whole_city(at).click().run()
    assert len(at.dataframe[1].value) == len(report.gaps)


def test_a_click_focuses_the_wards_page_and_back(demo, maps):
    at = _app(WARDS)
    wards = expected_report(demo)[0].wards
    pick = _ward(demo, 3)
    maps.click(*_inside(demo, str(pick["ward_id"])))
    at.run()
    assert not at.exception
    assert at.dataframe[0].value["Ward"].tolist() == [pick["ward_name"]]
    _whole_city(at).click().run()
    assert len(at.dataframe[0].value) == len(wards)
    # the same ward can be clicked again: the city map is a new component
    maps.click(*_inside(demo, str(pick["ward_id"])))
    at.run()
    assert at.dataframe[0].value["Ward"].tolist() == [pick["ward_name"]]


def test_a_link_with_a_ward_opens_focused(demo, maps):
    from streamlit.testing.v1 import AppTest

    pick = _ward(demo, 0)
    at = AppTest.from_file(str(ROOT / WARDS), default_timeout=TIMEOUT)
    at.query_params["ward"] = str(pick["ward_id"])
    at.run()
    assert not at.exception
    assert at.dataframe[0].value["Ward"].tolist() == [pick["ward_name"]]


def test_a_click_on_the_overview_map_narrows_the_ward_table_not_the_goal(demo, maps):
    at = _app("pages/0_Overview.py")
    goal = {k: v for k, v in metrics(at).items() if k in GOAL_TILES}
    assert len(markdown_table_rows(at, "Ward")) == len(demo.wards)
    pick = _ward(demo, 5)
    maps.click(*_inside(demo, str(pick["ward_id"])))
    at.run()
    assert not at.exception
    assert [r[0] for r in markdown_table_rows(at, "Ward")] == [
        escape_markdown(pick["ward_name"])
    ]
    # the goal counts the whole city, whatever the focus
    assert {k: v for k, v in metrics(at).items() if k in GOAL_TILES} == goal
    _whole_city(at).click().run()
    assert len(markdown_table_rows(at, "Ward")) == len(demo.wards)


def test_a_ward_with_withheld_coverage_gets_no_recruitment_figures(demo, maps):
    """Below investigator a window under 28 days withholds every ward's coverage
    (the Wards page's rule); the ward's K-site figures would give it away (with
    a large K they add up to its uncovered crime), so they are withheld too."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / GAPS), default_timeout=TIMEOUT)
    at.query_params["since"] = "2026-10-20"
    at.query_params["until"] = "2026-10-31"
    at.query_params["ward"] = "5"
    at.run()
    assert not at.exception
    assert at.session_state[FOCUS_KEY] == "5"
    assert "Crime-weighted coverage after" not in metrics(at)
    assert any("withheld too" in i.value for i in at.info)
    sites = at.dataframe[0].value
    assert len(sites) > 0
    assert set(sites["Weighted incidents added"]) == {"–"}
    # the whole city keeps its figures
    _whole_city(at).click().run()
    assert "Crime-weighted coverage after" in metrics(at)
