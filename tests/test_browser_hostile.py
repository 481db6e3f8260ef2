"""Hostile names from data files, attacked in a real browser: the pages that
show ward, district and offence names draw them as text (Markdown, tables,
metrics), the Wards page's charts (Vega-Lite, ``ui.charts``) in their labels
and their tooltips too, and nothing in them becomes a link, an image or a
script. (Markdown links bare addresses after reading backslash escapes: this
test found "http\\://" linked on the page, which ``escape_markdown`` now stops.)"""

from __future__ import annotations

import pytest

from analytics.browser import dashboard_server
from analytics.config import DATA_ENV
from tests.browserkit import PAGE_TIMEOUT_MS, artifact, demo_env, open_app
from tests.test_hostile_text import HOSTILE_WARDS, hostile_files  # noqa: F401

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'


@pytest.fixture(scope="module")
def hostile_server(hostile_files, tmp_path_factory):  # noqa: F811 - the fixture
    tmp = tmp_path_factory.mktemp("hostile-server")
    env = demo_env(
        {
            "CAMREG_USERS": str(tmp / "no-accounts.json"),
            "CAMREG_AUDIT_DB": str(tmp / "audit.sqlite"),
            "CAMREG_CACHE_DIR": str(tmp / "cache"),
            "CAMREG_WARMUP": "off",
            **{
                DATA_ENV[k]: str(hostile_files[k])
                for k in ("cameras", "incidents", "wards", "city_limit")
            },
        }
    )
    with dashboard_server(env, log=artifact("streamlit-hostile.log")) as url:
        yield url


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_ward_charts_draw_hostile_names_as_text(chromium, hostile_server):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []  # "<img src=x onerror=alert(1)>" run would open one
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        open_app(page, f"{hostile_server}/Wards")
        charts = page.locator(f"{CHART} svg.marks")
        charts.nth(2).wait_for(timeout=PAGE_TIMEOUT_MS)
        # the labels: SVG text nodes, cut to fit, starting as typed
        labels = page.locator(f"{CHART} svg text").all_text_contents()
        assert any(t.startswith("[click](http") for t in labels), labels
        assert any(t.startswith('<a href="http://evil') for t in labels), labels
        # the tooltips: every ward's name as typed, as text (hovering each bar's
        # value label, which is there also for a bar of width 0)
        bars = page.locator(f"{CHART} >> nth=0").locator("g.mark-text.role-mark text")
        shown = set()
        for i in range(bars.count()):
            bars.nth(i).hover(force=True)  # Vega picks the mark under the mouse
            tip = page.locator("#vg-tooltip-element")
            tip.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
            shown.add(_flat(tip.inner_text()))
            assert tip.locator("a, img, script, iframe").count() == 0
        for name in HOSTILE_WARDS:
            assert any(_flat(name) in text for text in shown), (name, shown)
        # nothing anywhere on the page became a link or an image
        _nothing_became_markup(page, dialogs)
    finally:
        page.close()


def _nothing_became_markup(page, dialogs: list[str]) -> None:
    links = page.locator('a[href*="evil.example"]')
    assert links.count() == 0, [a.evaluate("a => a.outerHTML") for a in links.all()]
    assert page.locator('img[src="x"], img[src*="evil.example"]').count() == 0
    assert dialogs == []


@pytest.mark.parametrize(
    ("path", "names_in_text"),
    [("", True), ("Gaps_and_targeting", True), ("Coverage_map", False)],
)
def test_pages_with_hostile_names_link_and_load_nothing(
    chromium, hostile_server, path, names_in_text
):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        open_app(page, f"{hostile_server}/{path}")
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert page.locator('[data-testid="stException"]').count() == 0
        text = _flat(page.locator('[data-testid="stMain"]').inner_text())
        # the names are shown, as text (the Coverage map's are in its data grid)
        assert ("evil.example" in text) is names_in_text
        _nothing_became_markup(page, dialogs)
    finally:
        page.close()
