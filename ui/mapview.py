"""Showing a folium map in a page: display only, or reporting the clicked feature.

>>> show_map(cached.coverage_map(...), key="coverage_map", height=640)
>>> clicked = show_map(fmap, key="ward_map", height=480, clicks=True)
"""

from __future__ import annotations

import copy

import folium
from streamlit_folium import st_folium


def show_map(
    fmap: folium.Map, *, key: str, height: int, clicks: bool = False
) -> dict | None:
    """Draw a map built (and rendered once) by ``ui.cached``.

    st_folium rewrites the ids of the map it is given, so the shared, cached map
    is never handed to it: it gets a deep copy (0.06 s at 30,000 cameras), and a
    second visit draws the same map again instead of a blank frame.
    ``render=False``: the cached map was rendered when it was built, so a rerun
    does not pay for rendering a 30,000-camera map again.

    Without ``clicks`` panning and zooming never rerun the script. With it, a
    click on a feature reruns the script and the feature's properties are
    returned (None before any click).
    """
    result = st_folium(
        copy.deepcopy(fmap),
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=["last_active_drawing"] if clicks else [],
        render=False,
    )
    if not clicks or not isinstance(result, dict):
        return None
    drawing = result.get("last_active_drawing") or {}
    return drawing.get("properties") or None
