"""Showing a folium map in a page: display only, no rerun on pan or zoom.

>>> show_map(cached.coverage_map(...), key="coverage_map", height=640)
"""

from __future__ import annotations

import copy

import folium
from streamlit_folium import st_folium


def show_map(fmap: folium.Map, *, key: str, height: int) -> None:
    """Draw a map built (and rendered once) by ``ui.cached.coverage_map``.

    st_folium rewrites the ids of the map it is given, so the shared, cached map
    is never handed to it: it gets a deep copy (0.06 s at 30,000 cameras), and a
    second visit draws the same map again instead of a blank frame.
    ``returned_objects=[]``: panning and zooming never rerun the script.
    ``render=False``: the cached map was rendered when it was built, so a rerun
    does not pay for rendering a 30,000-camera map again.
    """
    st_folium(
        copy.deepcopy(fmap),
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=[],
        render=False,
    )
