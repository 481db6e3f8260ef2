"""Showing a folium map in a page: display only, or reporting the clicked feature.

>>> show_map(cached.coverage_map(...), key="coverage_map", height=640)
>>> returned = show_map(fmap, key="ward_map", height=480, clicks=True)
"""

from __future__ import annotations

import copy
import threading
import weakref
from typing import Any

import folium
import streamlit_folium
from streamlit_folium import st_folium

# What st_folium sent to the browser for a cached map, by (id(map), key, height,
# clicks): the map's script, HTML and links are worked out once per map (1.2 s
# plus a 1.5 s deep copy at goal scale) and then sent again as they are.
_SENT: dict[tuple, tuple[weakref.ref[folium.Map], dict[str, Any]]] = {}
_SENT_LOCK = threading.Lock()
# What a map with clicks reports back (panning and zooming do not rerun)
CLICK_OBJECTS = ("last_clicked", "last_object_clicked", "last_active_drawing")
_capture = threading.local()
_component = streamlit_folium._component_func


def _recording_component(**kwargs: Any) -> Any:
    """streamlit_folium's component, noting its arguments for this thread."""
    if getattr(_capture, "args", None) is not None:
        _capture.args.update(kwargs)
    return _component(**kwargs)


streamlit_folium._component_func = _recording_component


def show_map(
    fmap: folium.Map, *, key: str, height: int, clicks: bool = False
) -> dict | None:
    """Draw a map built (and rendered once) by ``ui.cached``.

    st_folium rewrites the ids of the map it is given, so the shared, cached map
    is never handed to it: it gets a deep copy (0.06 s at 30,000 cameras), and a
    second visit draws the same map again instead of a blank frame.
    ``render=False``: the cached map was rendered when it was built, so a rerun
    does not pay for rendering a 30,000-camera map again.

    The arguments st_folium sends for a map are remembered (``_SENT``) and sent
    again as they are on the next run or visit that shows the same cached map:
    the browser gets the same component, and the 2.7 s of copying and
    converting a goal-scale map is paid once per map, not once per run.

    Without ``clicks`` panning and zooming never rerun the script. With it, a
    click reruns the script and streamlit-folium's ``CLICK_OBJECTS`` are
    returned (``last_clicked`` {lat, lng} of the map's last click; the place and
    GeoJSON feature of the last click on a layer): ``analytics.wardfocus``
    reads them. Nothing clicked yet: None.
    """
    ident = (id(fmap), key, height, clicks)
    with _SENT_LOCK:
        entry = _SENT.get(ident)
    if entry is not None and entry[0]() is fmap:
        result = _component(**entry[1])
    else:
        _capture.args = {}
        try:
            result = st_folium(
                copy.deepcopy(fmap),
                key=key,
                height=height,
                use_container_width=True,
                returned_objects=list(CLICK_OBJECTS) if clicks else [],
                render=False,
            )
            args, _capture.args = _capture.args, None
        finally:
            _capture.args = None
        if args:
            with _SENT_LOCK:
                for old in [k for k, (ref, _) in _SENT.items() if ref() is None]:
                    del _SENT[old]
                _SENT[ident] = (weakref.ref(fmap), args)
    if not clicks or not isinstance(result, dict):
        return None
    return result if any(result.get(k) for k in CLICK_OBJECTS) else None
