"""Hostile names from data files, attacked in a real browser: the pages that
show ward, district and offence names draw them as text (Markdown, tables,
metrics), the Wards page's charts (Vega-Lite, ``ui.charts``) in their labels
and their tooltips too, and nothing in them becomes a link, an image or a
script. (Markdown links bare addresses after reading backslash escapes: this
test found "http\\://" linked on the page, which ``escape_markdown`` now stops.)"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from analytics.browser import dashboard_server
from analytics.config import DATA_ENV
from tests.browserkit import PAGE_TIMEOUT_MS, artifact, demo_env, open_app, wait_idle
from tests.test_hostile_text import HOSTILE_WARDS, hostile_files  # noqa: F401

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'
# a link, a bare address after "_", LaTeX (no "/": it is a file name)
HOSTILE_FILE = "[f](x) a_www.evil.example $f$"


@pytest.fixture(scope="module")
def hostile_server(hostile_files, tmp_path_factory):  # noqa: F811 - the fixture
    tmp = tmp_path_factory.mktemp("hostile-server")
    # the sidebar names the data by its files: a hostile file name too
    files = {
        k: hostile_files[k] for k in ("cameras", "incidents", "wards", "city_limit")
    }
    files["cameras"] = tmp / f"cameras {HOSTILE_FILE}{hostile_files['cameras'].suffix}"
    shutil.copy(hostile_files["cameras"], files["cameras"])
    env = demo_env(
        {
            "CAMREG_USERS": str(tmp / "no-accounts.json"),
            "CAMREG_AUDIT_DB": str(tmp / "audit.sqlite"),
            "CAMREG_CACHE_DIR": str(tmp / "cache"),
            "CAMREG_WARMUP": "off",
            **{DATA_ENV[k]: str(path) for k, path in files.items()},
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
        chart = page.locator(f"{CHART} >> nth=0")
        tip = page.locator("#vg-tooltip-element")
        shown = set()
        wait_idle(page)
        # each bar, and each value label (there also for a bar of width 0), at
        # its left end: Streamlit's element toolbar covers the chart's top right
        for mark in [
            *chart.locator("g.mark-rect.role-mark path").all(),
            *chart.locator("g.mark-text.role-mark text").all(),
        ]:
            text = _tooltip(page, mark, tip)
            if text is not None:
                shown.add(text)
                assert tip.locator("a, img, script, iframe").count() == 0
        for name in HOSTILE_WARDS:
            assert any(_flat(name) in text for text in shown), (name, shown)
        # nothing anywhere on the page became a link or an image
        _nothing_became_markup(page, dialogs)
    finally:
        page.close()


def _tooltip(page, mark, tip, tries: int = 3) -> str | None:
    """The tooltip's text when the mouse comes onto ``mark``'s left end (Vega
    picks the mark under the mouse; force: Vega's SVG, not the mark, takes the
    pointer), or None for a mark too thin to point at or that shows none. The
    mouse leaves the chart first: Vega shows a tooltip on a move onto a mark."""
    box = mark.bounding_box()
    if box is None or box["width"] < 2:
        return None
    for _ in range(tries):
        page.mouse.move(0, 0)
        mark.hover(force=True, position={"x": 1, "y": box["height"] / 2})
        try:
            tip.wait_for(state="visible", timeout=3_000)
            return _flat(tip.inner_text())
        except PlaywrightTimeout:
            continue
    return None


def _nothing_became_markup(page, dialogs: list[str]) -> None:
    links = page.locator('a[href*="evil.example"], a[href="x"]')
    assert links.count() == 0, [a.evaluate("a => a.outerHTML") for a in links.all()]
    # no icon, formula or coloured text drawn from a name
    assert page.locator('[aria-label="bug_report icon"]').count() == 0
    assert page.locator(".katex").count() == 0
    assert page.locator(".stMarkdownColoredText").count() == 0
    assert page.locator('img[src="x"], img[src*="evil.example"]').count() == 0
    assert dialogs == []


@pytest.mark.parametrize("path", ["", "Gaps_and_targeting", "Coverage_map"])
def test_pages_with_hostile_names_link_and_load_nothing(chromium, hostile_server, path):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        open_app(page, f"{hostile_server}/{path}")
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert page.locator('[data-testid="stException"]').count() == 0
        text = _flat(page.locator('[data-testid="stMain"]').inner_text())
        # the names are shown, as text (on every page at least the file name in
        # the data banner)
        assert "evil.example" in text
        _nothing_became_markup(page, dialogs)
    finally:
        page.close()
