"""Every page at desktop (1440 px) and phone (390 px) width in a real browser.

Checked from element boxes, not from pictures: no two page elements overlap,
nothing is wider than the window, the map's controls (zoom, layers, legend,
scale) never overlap, and the legend lists exactly the layers on the map, also
after switching a layer in the layer control. Speed is measured by
``python -m analytics bench --browser``, not asserted here.
"""

from __future__ import annotations

import os

import pytest

from analytics.browser import (
    CHROMIUM,
    MAP_FRAME,
    MAP_PAGES,
    VIEWPORTS,
    browser,
    dashboard_server,
    open_page,
    page_paths,
    wait_idle,
)
from analytics.config import CITY_ENV, DATA_ENV
from analytics.maps import FOLD_BELOW_PX
from ui.data import DEMO_SIZE_ENV

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = page_paths()
ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")

# Leaf element containers of the page whose boxes intersect (2 px tolerance)
_PAGE_OVERLAPS_JS = """() => {
    const all = [...document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stElementContainer"]')];
    const leaves = all.filter(e =>
        !e.querySelector('[data-testid="stElementContainer"]')
        // folded expanders keep their content's box: only what is drawn counts
        && e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}));
    const boxes = leaves.map(e => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.width > 0 && r.height > 0);
    const name = e => {
        const inner = e.querySelector('[data-testid]');
        return (inner ? inner.dataset.testid : 'element') + ':' +
            (e.innerText || '').trim().slice(0, 30);
    };
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i][1], b = boxes[j][1];
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (w > 2 && h > 2) { out.push([name(boxes[i][0]), name(boxes[j][0])]); }
        }
    }
    return out;
}"""
_OVERFLOW_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return [main.scrollWidth, main.clientWidth];
}"""
# Inside a map frame: overlapping controls, and legend rows against layers
_MAP_STATE_JS = """() => {
    const sel = ['.leaflet-control-zoom', '.leaflet-control-layers',
                 '.camreg-legend', '.leaflet-control-scale'];
    const boxes = sel.flatMap(s => [...document.querySelectorAll(s)]
        .map(e => [s, e.getBoundingClientRect()]));
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i][1], b = boxes[j][1];
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (w > 0 && h > 0) { overlaps.push([boxes[i][0], boxes[j][0]]); }
        }
    }
    const rows = [...document.querySelectorAll('.camreg-legend-row[data-layer]')]
        .map(r => [r.dataset.layer, r.style.display !== 'none',
                   window.map.hasLayer(window[r.dataset.layer]),
                   r.textContent.slice(0, 40)]);
    const details = document.querySelector('.camreg-legend details');
    return {overlaps: overlaps, rows: rows, legendOpen: details ? details.open : null,
            width: document.querySelector('.leaflet-container').clientWidth};
}"""


@pytest.fixture(scope="module")
def server():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package")
    pytest.importorskip("playwright.sync_api")
    unset = {*DATA_ENV.values(), *DEMO_SIZE_ENV.values(), CITY_ENV}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    os.makedirs(ARTIFACTS, exist_ok=True)
    log = os.path.join(ARTIFACTS, "streamlit-layout.log")
    with dashboard_server(env, log=log) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(server):  # the server starts first
    with browser() as b:
        yield b


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def tab(request, chromium):
    ctx = chromium.new_context(viewport=VIEWPORTS[request.param])
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    yield request.param, page
    ctx.close()


def _map_frames(page):
    return [f for f in page.frames if "streamlit_folium" in f.url]


def _map_state(page) -> list[dict]:
    page.frame_locator(MAP_FRAME).first.locator(
        "path.leaflet-interactive"
    ).first.wait_for(state="attached")
    page.wait_for_timeout(500)  # the phone-width fit runs 50 ms after load
    return [f.evaluate(_MAP_STATE_JS) for f in _map_frames(page)]


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join(ARTIFACTS, f"layout-{name}.png"))


@pytest.mark.parametrize("name", list(PAGES))
def test_page_layout_has_no_overlaps_at_either_width(server, tab, name):
    width, page = tab
    try:
        open_page(page, f"{server}/{PAGES[name]}")
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate(_PAGE_OVERLAPS_JS) == []
        scroll, client = page.evaluate(_OVERFLOW_JS)
        assert scroll <= client + 1, f"page {scroll} px wide in a {client} px window"
        # the app's own menu, never Streamlit's page-folder one
        if width == "desktop":
            links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
            assert len(links) == len(PAGES)
            assert not any(t.strip() == "dashboard" for t in links)
        if PAGES[name] in MAP_PAGES:
            for state in _map_state(page):
                assert state["overlaps"] == [], state
                assert state["rows"], "the legend lists the map's layers"
                assert all(r[1] == r[2] for r in state["rows"]), state
                if state["width"] < FOLD_BELOW_PX:
                    assert state["legendOpen"] is False  # folded on a phone
    except Exception:
        _shot(page, f"{name}-{width}")
        raise


def test_switching_a_layer_in_the_control_updates_the_legend(server, tab):
    width, page = tab
    if width != "desktop":
        pytest.skip("the layer control is exercised once, at desktop width")
    try:
        open_page(page, f"{server}/{PAGES['Coverage_map']}")
        before = {r[0]: r for r in _map_state(page)[0]["rows"]}
        frame = page.frame_locator(MAP_FRAME).first
        frame.locator(".leaflet-control-layers").hover()
        # the control's own entry (the legend holds the same words, hidden)
        frame.locator(".leaflet-control-layers label").filter(
            has_text="Incidents (heat map)"
        ).locator("input").check()
        page.wait_for_timeout(300)
        after = {r[0]: r for r in _map_state(page)[0]["rows"]}
        heat = next(k for k in after if k.startswith("heat_map_"))
        hexes = next(k for k, r in after.items() if r[3].startswith("Share of"))
        assert before[heat][1:3] == [False, False]
        assert before[hexes][1:3] == [True, True]
        assert after[heat][1:3] == [True, True]
        # one thematic layer at a time: the hexagons went off, and their legend
        assert after[hexes][1:3] == [False, False]
        assert all(r[1] == r[2] for r in after.values())
    except Exception:
        _shot(page, "layer-switch")
        raise


def _click_ward_label(page, name: str) -> None:
    """A real click where the map writes the ward's label (inside the ward).

    The label lets the mouse through (a pane without pointer events), so the
    click lands on what lies beneath: a hexagon or the ward itself.
    """
    label = (
        page.frame_locator(MAP_FRAME)
        .first.locator(".camreg-ward-label")
        .filter(has_text=name)
        .first
    )
    label.wait_for(state="visible")
    label.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = label.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_clicking_a_ward_on_the_map_focuses_the_page(server, tab):
    width, page = tab
    if width != "desktop":
        pytest.skip("the click is exercised once, at desktop width")
    from analytics.datasets import load_dataset

    wards = load_dataset().wards.sort_values("ward_id")
    name = str(wards["ward_name"].iloc[2])
    chip = page.get_by_role("button", name="Whole city")
    focused = page.get_by_text(f"Focused on {name}")
    try:
        open_page(page, f"{server}/{PAGES['Coverage_map']}")
        before = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert chip.count() == 0
        _click_ward_label(page, name)
        focused.wait_for(state="visible")
        chip.wait_for(state="visible")
        wait_idle(page)
        # the sidebar's choice is the same focus, and the link carries it
        assert "ward=" in page.url
        choice = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
        shown = choice.last.evaluate(
            "e => e.innerText + ' ' + [...e.querySelectorAll('input')]"
            ".map(i => i.value).join(' ')"
        )
        assert name in shown, shown
        during = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert during != before
        chip.click()
        chip.wait_for(state="detached")
        wait_idle(page)
        assert "ward=" not in page.url
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"stMetricValue\"]')"
            ".length === n",
            arg=len(before),
        )
        assert page.locator('[data-testid="stMetricValue"]').all_inner_texts() == before
        # the whole-city map is a new one: the same ward can be clicked again
        _click_ward_label(page, name)
        focused.wait_for(state="visible")
    except Exception:
        _shot(page, "ward-click")
        raise
