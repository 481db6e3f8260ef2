"""AppTest of the Overview (entry page) on the synthetic demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.datasets import load_dataset
from analytics.figures import program_texts
from analytics.forecast import forecast_goal
from analytics.safe_output import escape_markdown
from analytics.schema import SYNTHETIC_LABEL
from tests.pagetest import choose_window, clear_data_env, expected_report

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "dashboard.py")


@pytest.fixture(autouse=True)
def demo_only(monkeypatch):
    """The pages must run on the demo, whatever the developer's environment says."""
    clear_data_env(monkeypatch)


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


def _expected(ds, *, categories=None, tiers=None):
    return expected_report(ds, categories=categories, tiers=tiers)[0].headline


def _program(ds):
    return program_texts(forecast_goal(ds.cameras, ds.city, as_of=ds.as_of))


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def app():
    # made before the function-scoped fixtures of tests/conftest.py, which switch
    # the warm-up off: without this, dashboard.py started a real warm-up thread
    # that went on into later tests of the worker (tests/test_warmup.py counted
    # its map builds)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAMREG_WARMUP", "off")
        at = AppTest.from_file(PAGE, default_timeout=180)
        at.run()
    return at


def test_overview_runs_and_is_labelled_synthetic(app):
    assert not app.exception
    assert any(SYNTHETIC_LABEL in i.value for i in app.info)


def test_headline_tiles_match_the_analytics(app, demo):
    head = _expected(demo)
    shown = _metrics(app)
    # 4,731 active cameras of 30,000 in the demo: 15.8%
    assert shown["Active cameras"] == "4,731" == f"{head['cameras']:,}"
    assert shown["Share of the goal"] == "15.8%"
    assert shown["Integrated cameras"] == f"{head['integrated_cameras']:,}"
    assert (
        shown["Crime-weighted coverage"]
        == f"{head['weighted_incident_coverage_share']:.1%}"
    )


def test_projected_goal_date_tile_matches_the_forecast(app, demo):
    result = forecast_goal(demo.cameras, demo.city, as_of=demo.as_of)
    shown = _metrics(app)["Projected goal date"]
    if result.projected_goal_date is not None:
        assert shown == f"{result.projected_goal_date:%b %Y}"
    else:  # the demo's pace does not reach the goal within the 10-year horizon
        end = result.projection["date"].iloc[-1]
        assert shown == f"Not by {end:%b %Y}"


def test_added_in_last_30_days_counts_registrations_up_to_as_of(app, demo):
    cams = demo.cameras
    registered = cams["registered_at"]
    start = demo.as_of.toordinal() - 29
    recent = cams[
        [start <= d.toordinal() <= demo.as_of.toordinal() for d in registered]
    ]
    assert (
        _metrics(app)["Added in the last 30 days"]
        == f"{recent['camera_count'].sum():,}"
    )


def test_violent_only_changes_weighted_coverage_not_cameras(demo):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    before = _metrics(at)
    at.pills(key="categories").set_value(["violent"]).run()
    assert not at.exception
    after = _metrics(at)
    head = _expected(demo, categories=["violent"])
    assert after["Crime-weighted coverage"] == (
        f"{head['weighted_incident_coverage_share']:.1%}"
    )
    assert after["Crime-weighted coverage"] != before["Crime-weighted coverage"]
    assert after["Active cameras"] == before["Active cameras"]


GOAL_TILES = (
    "Active cameras",
    "Share of the goal",
    "Integrated cameras",
    "Added in the last 30 days",
    "Projected goal date",
)


def test_integrated_only_leaves_the_goal_tiles_alone(demo):
    """``?tiers=integrated`` narrows coverage, labelled, never the program's
    figures (it used to read 703 cameras, 2.3% of the goal)."""
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    before = _metrics(at)
    at.pills(key="tiers").set_value(["integrated"]).run()
    assert not at.exception
    shown = _metrics(at)
    assert {k: shown[k] for k in GOAL_TILES} == {k: before[k] for k in GOAL_TILES}
    assert shown["Active cameras"] == _program(demo)["active_cameras"] == "4,731"
    head = _expected(demo, tiers=["integrated"])
    filtered = [c.value for c in at.caption if c.value.startswith("Cameras in this")]
    assert filtered
    assert f"{head['cameras']:,} of 4,731" in filtered[0]
    assert at.query_params["tiers"] == "integrated"  # shared through the URL


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("tiers", ["registered"]),
        ("owner_types", ["business"]),
        ("categories", ["property"]),
        ("range_scale", 1.5),
        ("since", date(2026, 6, 1)),
    ],
)
def test_every_sidebar_filter_leaves_the_goal_tiles_alone(key, value):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    before = _metrics(at)
    if key == "range_scale":
        at.slider(key=key).set_value(value).run()
    elif key == "since":
        choose_window(at, since=value)
    else:
        at.pills(key=key).set_value(value).run()
    assert not at.exception
    after = _metrics(at)
    assert {k: after[k] for k in GOAL_TILES} == {k: before[k] for k in GOAL_TILES}


def test_overview_names_the_least_covered_ward(app, demo):
    wards = expected_report(demo)[0].wards
    least = wards.loc[wards["weighted_incident_coverage_share"].idxmin(), "ward_name"]
    where = next(m.value for m in app.markdown if m.value.startswith("**Where.**"))
    assert f"least covered ward is **{escape_markdown(least)}**" in where


def test_pace_tiles_compare_current_with_required_and_say_on_or_off_track(app, demo):
    from datetime import date

    from analytics.forecast import required_pace

    forecast = forecast_goal(demo.cameras, demo.city, as_of=demo.as_of)
    target = date(demo.as_of.year + 4, 12, 31)
    needed = required_pace(
        forecast.current_cameras, demo.city.goal_cameras, demo.as_of, target
    )
    pace = forecast.current_monthly_pace
    shown = {m.label: m for m in app.metric}
    assert shown["Required pace"].value == f"{needed:,.0f} cameras a month"
    assert shown["Current pace"].value == f"{pace:,.0f} cameras a month"
    assert shown["Current pace"].delta == f"{pace - needed:+,.0f} vs required"
    verdict = "Below" if pace < needed else "At or above"
    assert any(c.value.startswith(verdict) for c in app.caption)


def test_overview_line_summarises_requests_from_the_same_functions(app, demo):
    from analytics.figures import requests_sentence
    from analytics.footage_demo import demo_footage
    from analytics.footage_view import (
        FootageHistory,
        integration_cost_per_year,
        requests_view,
    )
    from ui.sidebar import default_filters_for

    history_ = demo_footage(demo.cameras, demo.incidents, as_of=demo.as_of)
    history = FootageHistory(
        history_.requests, history_.cases, history_.verified, "synthetic"
    )
    f = default_filters_for(demo)
    view = requests_view(
        history, demo.cameras, demo.incidents, role="staff", since=f.since,
        until=f.until, as_of=demo.as_of, min_group_size=demo.city.min_group_size,
        device_cost_usd_per_year=integration_cost_per_year(
            demo.cameras, demo.city.devices
        ),
        stale_months=demo.city.stale_months,
    )  # fmt: skip
    assert not app.exception
    lines = [m.value for m in app.markdown if m.value.startswith("**Requests.**")]
    assert lines == [
        f"**Requests.** {requests_sentence(view.stats)} Details on the Requests "
        "and outcomes page."
    ]
    # the stale count is the Requests page's tile, and the demo has some
    assert f"{view.stale_count:,} stale registrations" in lines[0]
    assert view.stale_count > 0


def test_verified_switch_narrows_coverage_but_not_the_goal_tiles(demo):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.run()
    goal_before = {k: v for k, v in _metrics(at).items() if k in GOAL_TILES}
    at.toggle(key="verified_only").set_value(True).run()
    assert not at.exception
    goal_after = {k: v for k, v in _metrics(at).items() if k in GOAL_TILES}
    assert goal_after == goal_before
    assert goal_before["Active cameras"] == _program(demo)["active_cameras"]
    # the caption names the narrowed view: fewer cameras than the goal tile counts
    line = next(c.value for c in at.caption if c.value.startswith("Cameras in this"))
    shown = int(line.split("): ")[1].split(" of ")[0].replace(",", ""))
    assert shown < int(goal_before["Active cameras"].replace(",", ""))


GOAL_TILES = ("Active cameras", "Share of the goal", "Integrated cameras",
              "Projected goal date")  # fmt: skip


def test_forecast_chart_is_the_briefings_picture_not_a_plotly_chart(app, demo):
    """The landing page draws the briefing's SVG forecast (one chart, one truth) and
    loads no interactive chart library (4.7 MB of script in the browser)."""
    import base64

    from analytics.briefing import forecast_view
    from analytics.briefing_html import forecast_svg

    assert not app.get("plotly_chart")
    urls = [img.url for el in app.get("image") for img in el.proto.imgs]
    svgs = [
        base64.b64decode(u.split(",", 1)[1]).decode()
        for u in urls
        if u.startswith("data:image/svg+xml;base64,")
    ]
    assert len(svgs) == 1, urls
    fc = forecast_goal(demo.cameras, demo.city, as_of=demo.as_of)
    expected = str(forecast_svg(forecast_view(fc), demo.city.goal_cameras, demo.as_of))

    # Streamlit adds the SVG namespace to the root element; the rest is the same
    def plain(svg: str) -> str:
        return " ".join(svg.replace('xmlns="http://www.w3.org/2000/svg"', "").split())

    assert plain(svgs[0]) == plain(expected)
    assert "Goal: 30,000 cameras" in svgs[0]


def test_the_overview_map_carries_coverage_not_the_cameras(app, demo):
    """The map at a glance draws coverage cells and wards; the cameras (1 MB of
    the staff map at goal scale) are the Coverage map page's. Read from what the
    page sent to the map component."""
    import ui.mapview

    sent = [
        args
        for ident, args in ui.mapview._STORED.items()
        if ident[1].startswith("overview_map")
    ]
    assert sent, list(ui.mapview._STORED)
    script = ui.mapview.sent_text(sent[-1])
    assert "Cameras: " not in script  # no camera layer at all, not even off
    business = demo.cameras[demo.cameras["owner_type"] == "business"]
    assert not any(f'"{c}"' in script for c in business["camera_id"].astype(str))
    assert "camreg-ward-label" in script  # the wards are drawn
    at = AppTest.from_file(
        str(ROOT / "pages" / "1_Coverage_map.py"), default_timeout=180
    ).run()
    assert not at.exception
    coverage = [
        args
        for ident, args in ui.mapview._STORED.items()
        if ident[1].startswith("coverage_map")
    ]
    assert "Cameras: " in ui.mapview.sent_text(coverage[-1])  # there, they are
