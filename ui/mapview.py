"""Showing a folium map in a page: display only, no rerun on pan or zoom.

>>> show_map(cached.coverage_map(...), key="coverage_map", height=640)
"""

from __future__ import annotations

import folium
from streamlit_folium import st_folium


def show_map(fmap: folium.Map, *, key: str, height: int) -> None:
    """Draw a map built (and rendered once) by ``ui.cached.coverage_map``.

    ``returned_objects=[]``: panning and zooming never rerun the script.
    ``render=False``: the cached map was rendered when it was built, so a rerun
    does not pay for rendering a 30,000-camera map again.
    """
    st_folium(
        fmap,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=[],
        render=False,
    )
