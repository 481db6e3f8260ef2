"""One truth: every headline figure reads the same on every surface.

For the synthetic demo and a small real-layout fixture (the LRPD export layout
with a registry export and two wards: tests/data/consistency), for the default
window, a past window and a filtered view, each figure is computed through every
surface that shows it (AppTests of the Overview, Coverage map, Wards, Goal
progress and Briefing pages; the briefing's data and document; ``coverage --json``
and ``forecast``'s text) and must be written identically. The expected text is
the command line's JSON written with the catalogue's format
(:func:`analytics.figures.show`), so a surface that computes a figure its own way,
or writes it its own way, fails here.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.briefing import gather_briefing, render_briefing
from analytics.cli import main
from analytics.config import CITY_ENV, DATA_ENV, load_city
from analytics.datasets import load_dataset
from analytics.figures import goal_sentence, label, show
from analytics.forecast import forecast_goal
from tests.pagetest import choose_window, sign_in, use_accounts, window_shown
from ui.data import DEMO_SIZE_ENV, get_dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TIMEOUT = 240
WINDOW_FIGURES = (
    "incidents",
    "incident_coverage_share",
    "live_incident_coverage_share",
    "weighted_incident_coverage_share",
    "area_coverage_share",
    "covered_area_km2",
    "effective_cameras",
)


@dataclass(frozen=True)
class Case:
    """A dataset, how to point every surface at it, and its past window."""

    name: str
    files: dict[str, Path]
    past: tuple[date, date]

    def env(self) -> dict[str, str]:
        return {DATA_ENV[k]: str(v) for k, v in self.files.items()}

    def cli(self, keys=("cameras", "incidents", "wards")) -> list[str]:
        out = []
        for key, path in self.files.items():
            if key in keys:
                out += [f"--{key}", str(path)]
        return out


CASES = {
    "demo": Case("demo", {}, (date(2026, 1, 1), date(2026, 3, 31))),
    "fixture": Case(
        "fixture",
        {
            "cameras": DATA / "consistency" / "cameras.csv",
            "incidents": DATA / "lrpd" / "lrpd_current.csv",
            "wards": DATA / "consistency" / "wards.geojson",
        },
        (date(2018, 3, 28), date(2018, 3, 31)),
    ),
}
# view -> (since, until, categories) given the case; None: the default window
VIEWS = ("default", "past", "violent")


def _window(case: Case, view: str):
    if view == "past":
        return (*case.past, None)
    if view == "violent":
        return None, None, ["violent"]
    return None, None, None


def _run_cli(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) in (0, 1)
    return out.getvalue()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _cards(document: str) -> dict[str, str]:
    """The briefing's summary cards: label -> value, unescaped."""
    pairs = re.findall(
        r'<div class="label">(.*?)</div><div class="value">(.*?)</div>', document
    )
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


@pytest.fixture(scope="module", params=list(CASES))
def surfaces(request, tmp_path_factory):
    """Every surface's figures for one case, in each view.

    The pages run as staff, as ``coverage`` does by default: the demo opens as
    staff; on real data (the fixture) a staff member signs in, because a public
    visitor gets the one fixed public view whatever the filters say
    (``analytics.privacy.public_settings``) and the past and violent views
    would not be views at all.
    """
    case = CASES[request.param]
    patch = pytest.MonkeyPatch()
    for var in (*DATA_ENV.values(), *DEMO_SIZE_ENV.values(), CITY_ENV):
        patch.delenv(var, raising=False)
    for var, value in case.env().items():
        patch.setenv(var, value)
    if case.files:
        use_accounts(patch, tmp_path_factory.mktemp("accounts"), clerk="staff")
    get_dataset.clear()
    try:
        yield _collect(case)
    finally:
        get_dataset.clear()
        patch.undo()


def _collect(case: Case) -> dict:
    city = load_city()
    ds = load_dataset(city, **case.files) if case.files else load_dataset(city)
    out: dict = {"case": case, "ds": ds, "views": {}}
    out["forecast"] = forecast_goal(ds.cameras, city, as_of=ds.as_of)
    out["forecast_text"] = _run_cli(["forecast", *case.cli(("cameras", "incidents"))])

    # signed in, the Overview runs as its own page: under AppTest a sign-in on
    # dashboard.py (st.navigation) does not reach the page it runs
    entry = ROOT / ("pages/0_Overview.py" if case.files else "dashboard.py")
    overview = AppTest.from_file(str(entry), default_timeout=TIMEOUT)
    coverage_map = AppTest.from_file(
        str(ROOT / "pages" / "1_Coverage_map.py"), default_timeout=TIMEOUT
    )
    wards = AppTest.from_file(
        str(ROOT / "pages" / "4_Wards.py"), default_timeout=TIMEOUT
    )
    pages = {"overview": overview, "map": coverage_map, "wards": wards}
    for at in pages.values():
        at.run()
        assert not at.exception, at.exception
        if case.files:
            sign_in(at, "clerk")
            assert not at.exception, at.exception
    defaults = window_shown(overview)
    for view in VIEWS:
        since, until, categories = _window(case, view)
        argv = ["coverage", *case.cli(), "--json"]
        if since:
            argv += ["--since", since.isoformat(), "--until", until.isoformat()]
        if categories:
            argv += ["--categories", ",".join(categories)]
        cli = json.loads(_run_cli(argv))
        inputs = gather_briefing(
            ds, audience="public", since=since, until=until, categories=categories
        )
        shown = {}
        for name, at in pages.items():
            choose_window(at)
            at.date_input(key="since").set_value(since or defaults[0])
            at.date_input(key="until").set_value(until or defaults[1])
            at.pills(key="categories").set_value(
                categories or ["violent", "property", "other"]
            )
            at.run()
            assert not at.exception, at.exception
            shown[name] = _metrics(at)
            shown[name + "_markdown"] = [m.value for m in at.markdown]
        out["views"][view] = {
            "cli": cli,
            "briefing": inputs,
            "document": render_briefing(inputs),
            "pages": shown,
        }
    out["overview_after"] = _metrics(overview)

    goal = AppTest.from_file(
        str(ROOT / "pages" / "3_Goal_progress.py"), default_timeout=TIMEOUT
    )
    goal.run()
    assert not goal.exception, goal.exception
    out["goal"] = _metrics(goal)
    out["goal_info"] = [i.value for i in goal.info]
    briefing_page = AppTest.from_file(
        str(ROOT / "pages" / "6_Briefing.py"), default_timeout=TIMEOUT
    )
    briefing_page.run()
    assert not briefing_page.exception, briefing_page.exception
    out["briefing_page"] = briefing_page.session_state["briefing_html"]
    return out


# --- window figures ----------------------------------------------------------------
@pytest.mark.parametrize("view", VIEWS)
def test_window_figures_agree_on_every_surface(surfaces, view):
    got = surfaces["views"][view]
    cli = got["cli"]
    want = {key: show(key, cli[key]) for key in WINDOW_FIGURES}
    overview, cmap = got["pages"]["overview"], got["pages"]["map"]
    cards = _cards(got["document"])
    head = got["briefing"].headline
    for key in WINDOW_FIGURES:
        # the briefing's data, before any writing
        assert show(key, head[key]) == want[key], key
    for key in ("incident_coverage_share", "weighted_incident_coverage_share"):
        assert overview[label(key)] == want[key], key
        assert cmap[label(key)] == want[key], key
        assert cards[label(key)] == want[key], key
    assert overview[label("covered_area_km2")] == want["covered_area_km2"]
    assert (
        cmap[label("live_incident_coverage_share")]
        == (want["live_incident_coverage_share"])
    )
    assert cmap[label("area_coverage_share")] == want["area_coverage_share"]
    assert cards[label("area_coverage_share")] == want["area_coverage_share"]
    assert cmap[label("effective_cameras")] == want["effective_cameras"]
    assert (
        got["pages"]["wards"]["City-wide crime-weighted coverage"]
        == (want["weighted_incident_coverage_share"])
    )
    # the filtered count equals the program's when nothing narrows the cameras
    assert cmap[label("view_cameras")] == show("view_cameras", cli["cameras"])


def test_views_differ_so_the_comparison_means_something(surfaces):
    counts = {v: surfaces["views"][v]["cli"]["incidents"] for v in VIEWS}
    assert counts["past"] < counts["default"] or surfaces["case"].name == "fixture"
    assert counts["violent"] < counts["default"]
    assert len({surfaces["views"][v]["cli"]["since"] for v in VIEWS}) == 2


def test_the_default_window_is_the_same_on_every_surface(surfaces):
    got = surfaces["views"]["default"]
    cli, inputs = got["cli"], got["briefing"]
    assert (inputs.since.isoformat(), inputs.until.isoformat()) == (
        cli["since"],
        cli["until"],
    )
    ds = surfaces["ds"]
    newest = ds.incidents["occurred_at"].max().date()
    assert cli["until"] == newest.isoformat()  # ends at the newest incident


# --- program figures ---------------------------------------------------------------
PROGRAM = ("active_cameras", "goal_share", "integrated_cameras")


def test_program_figures_agree_on_every_surface_and_window(surfaces):
    fc = surfaces["forecast"]
    want = {
        "active_cameras": show("active_cameras", fc.current_cameras),
        "goal_share": show("goal_share", fc.current_cameras / fc.goal),
        "integrated_cameras": show("integrated_cameras", fc.current_integrated),
    }
    text = surfaces["forecast_text"]
    assert f"{label('active_cameras')}:" in text
    assert want["active_cameras"] in text
    for view in VIEWS:
        got = surfaces["views"][view]
        overview = got["pages"]["overview"]
        cards = _cards(got["document"])
        cli = got["cli"]
        for key in PROGRAM:
            assert overview[label(key)] == want[key], (view, key)
        # the command line and the briefing measure today's registry too
        assert show("active_cameras", cli["cameras"]) == want["active_cameras"]
        assert show("goal_share", cli["goal_share"]) == want["goal_share"]
        assert cards[label("active_cameras")] == want["active_cameras"]
        assert cards[label("integrated_cameras")] == want["integrated_cameras"]
    goal = surfaces["goal"]
    assert goal[label("active_cameras")] == want["active_cameras"]
    assert goal[label("goal_share")] == want["goal_share"]


def test_projected_date_and_pace_read_the_same_everywhere(surfaces):
    fc = surfaces["forecast"]
    sentence = goal_sentence(fc)
    goal, text = surfaces["goal"], surfaces["forecast_text"]
    date_text = goal[label("projected_goal_date")]
    for view in VIEWS:
        assert surfaces["views"][view]["pages"]["overview"][
            label("projected_goal_date")
        ] == (date_text)
        document = html.unescape(surfaces["views"][view]["document"])
        assert sentence in document
        assert f"{label('projected_goal_date')}: {date_text}" in document
        overview_md = surfaces["views"][view]["pages"]["overview_markdown"]
        assert f"**Forecast.** {sentence}" in overview_md
    assert f"{label('projected_goal_date')}:" in text
    assert date_text in text
    assert sentence in text
    assert sentence in surfaces["goal_info"]
    if fc.months_to_goal_at_pace is not None:
        years = show("years_at_pace", fc.months_to_goal_at_pace / 12)
        assert goal[label("years_at_pace")] == years
        assert years in text
        assert years in sentence


def test_the_briefing_page_shows_the_briefings_figures(surfaces):
    cards = _cards(surfaces["briefing_page"])
    cli = surfaces["views"]["default"]["cli"]
    for key in ("incident_coverage_share", "weighted_incident_coverage_share"):
        assert cards[label(key)] == show(key, cli[key])
    assert cards[label("active_cameras")] == show("active_cameras", cli["cameras"])


def test_no_surface_writes_none_or_nan(surfaces):
    for view in VIEWS:
        got = surfaces["views"][view]
        for name in ("overview", "map", "wards"):
            for value in got["pages"][name].values():
                assert value not in ("None", "nan", "NaN", "nan%"), (name, value)
        for value in _cards(got["document"]).values():
            assert "nan" not in value.lower()
            assert "None" not in value
