"""The Incident canvass in a real browser (issue 13 item 5), on the plain demo (staff).

What AppTest cannot show: a real click outside the city on the start map is
refused and lists nothing; with an incident given by its link the page has no
overlapping elements at 1440 and 390 px; the draw-an-area map draws the same
listed cameras as the incident map. The investigator's contacts are checked in
tests/test_browser_signin.py (they need an account).
"""

from __future__ import annotations

import pytest

from analytics.browser import MAP_FRAME, VIEWPORTS
from analytics.maps import TIER_COLOURS
from tests.browserkit import PAGE_TIMEOUT_MS, artifact, map_in_view, open_app, wait_idle
from tests.test_browser_layout import _OVERFLOW_JS, _PAGE_OVERLAPS_JS

pytestmark = pytest.mark.browser

INCIDENT = "Incident_canvass?lat=34.746&lon=-92.289"
# Camera markers a map draws: circles filled in a tier's colour
_CAMERA_PATHS_JS = f"""() => [...document.querySelectorAll('path.leaflet-interactive')]
    .filter(p => {list(TIER_COLOURS.values())!r}.includes(p.getAttribute('fill')))
    .length"""


@pytest.fixture(scope="module")
def server(demo_server):
    return demo_server


@pytest.fixture(params=list(VIEWPORTS))
def tab(request, chromium, server):  # the server starts first
    context = chromium.new_context(viewport=VIEWPORTS[request.param])
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield request.param, page
    context.close()


def _frames(page, n: int) -> list:
    """The page's map frames once ``n`` of them have drawn (they mount after
    the script ends; a phone draws them later than a desktop)."""
    for i in range(n):
        page.frame_locator(MAP_FRAME).nth(i).locator(
            "path.leaflet-interactive"
        ).first.wait_for(state="attached")
    frames = [f for f in page.frames if "streamlit_folium" in f.url]
    assert len(frames) == n
    return frames


def _camera_paths(frame) -> int:
    frame.wait_for_selector("path.leaflet-interactive", state="attached")
    return frame.evaluate(_CAMERA_PATHS_JS)


def test_with_an_incident_nothing_overlaps_and_the_area_map_shows_the_cameras(
    server, tab
):
    width, page = tab
    try:
        open_app(page, f"{server}/{INCIDENT}")
        page.locator('[data-testid="stDataFrame"]').first.wait_for()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate(_PAGE_OVERLAPS_JS) == []
        scroll, client = page.evaluate(_OVERFLOW_JS)
        assert scroll <= client + 1, f"page {scroll} px wide in a {client} px window"
        listed = _camera_paths(_frames(page, 1)[0])
        assert listed > 0  # downtown: businesses and city cameras
        page.get_by_text("Shape drawn on a map").click()
        page.locator(MAP_FRAME).nth(1).wait_for()
        wait_idle(page)
        assert _camera_paths(_frames(page, 2)[1]) == listed
        # the reason the greyed "Add note" is unavailable, on screen beside it
        reason = page.get_by_text("Write a note first to add it.")
        assert reason.is_visible()
        button = page.get_by_role("button", name="Add note").bounding_box()
        text = reason.bounding_box()
        assert abs(text["y"] - (button["y"] + button["height"])) < 60
        assert page.evaluate(_PAGE_OVERLAPS_JS) == []
    except Exception:
        page.screenshot(path=str(artifact(f"canvass-{width}.png")), full_page=True)
        raise


def test_a_click_outside_the_city_is_refused_in_the_browser(server, tab):
    width, page = tab
    if width != "desktop":
        pytest.skip("the click is exercised once, at desktop width")
    try:
        open_app(page, f"{server}/Incident_canvass")
        frame = page.frame_locator(MAP_FRAME).first
        frame.locator(".leaflet-marker-icon").first.wait_for(state="attached")
        # zoom out as a person would, until the city is a small part of the map
        for _ in range(3):
            frame.locator(".leaflet-control-zoom-out").click()
            page.wait_for_timeout(400)
        box = page.locator(MAP_FRAME).first.bounding_box()
        # just left of the legend and scale, far from the city in the middle
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + 60)
        page.get_by_text("is outside Little Rock").wait_for(timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        assert "lat=" not in page.url
    except Exception:
        page.screenshot(path=str(artifact("canvass-outside.png")), full_page=True)
        raise


def test_a_rectangle_drawn_on_the_start_map_gives_the_incident(server, tab):
    width, page = tab
    if width != "desktop":
        pytest.skip("the drawing is exercised once, at desktop width")
    try:
        open_app(page, f"{server}/Incident_canvass")
        frame = page.frame_locator(MAP_FRAME).first
        frame.locator(".leaflet-marker-icon").first.wait_for(state="attached")
        map_in_view(page)
        frame.locator(".leaflet-draw-draw-rectangle").click()
        box = map_in_view(page)
        # a small rectangle in the middle of the city, drawn with the mouse
        x0, y0 = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move(x0 + 20, y0 + 10, steps=5)
        page.mouse.move(x0 + 40, y0 + 30, steps=5)
        page.mouse.up()
        page.locator('[data-testid="stDataFrame"]').first.wait_for()
        wait_idle(page)
        assert "lat=" in page.url
        # the shape is the notification area, outlined on the area map
        assert page.get_by_role("radio", name="Shape drawn on a map").is_checked()
        page.locator(MAP_FRAME).nth(1).wait_for()
        assert page.get_by_text("inside the drawn shape").count() >= 1
    except Exception:
        page.screenshot(path=str(artifact("canvass-drawn.png")), full_page=True)
        raise


def test_the_incident_comes_back_after_another_page(server, tab):
    """Streamlit drops a page's widgets when another page is shown; the
    incident given is kept and shown again on the way back."""
    width, page = tab
    if width != "desktop":
        pytest.skip("the page switch is exercised once, at desktop width")
    nav = page.locator('[data-testid="stSidebarNav"]')
    try:
        open_app(page, f"{server}/{INCIDENT}")
        page.locator('[data-testid="stDataFrame"]').first.wait_for()
        nav.get_by_text("Briefing", exact=True).click()
        page.get_by_role("heading", name="Briefing").first.wait_for()
        wait_idle(page)
        assert "lat=" not in page.url
        nav.get_by_text("Incident canvass", exact=True).click()
        page.locator('[data-testid="stDataFrame"]').first.wait_for()
        wait_idle(page)
        assert page.get_by_label("Latitude").input_value() == "34.746000"
        assert "lat=34.746000" in page.url
    except Exception:
        page.screenshot(path=str(artifact("canvass-switch.png")), full_page=True)
        raise
