"""Showing a folium map in a page: display only, or reporting the clicked feature.

>>> show_map(cached.coverage_map(...), key="coverage_map", height=640)
>>> returned = show_map(fmap, key="ward_map", height=480, clicks=True)

What the map component is sent (the map's script, HTML and links, 1.2 s of
work at goal scale) is worked out once per map and kept: in memory for every
session of the process, and on disk (:mod:`analytics.diskcache`) for a map that
``ui.cached`` gives as a :class:`MapSource` with a ``disk_key``, so a restarted
server sends it without building the map at all. :func:`prepare_map` does that
work ahead of any visitor (``ui.warmup``).
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium
from branca.element import Element
from folium.map import Layer
from streamlit_folium import st_folium

from analytics import diskcache
from analytics.maps import walk, window_elements

# What st_folium sent to the browser for a cached map, by (id(map), key, height,
# clicks): the map's script, HTML and links are worked out once per map (1.2 s
# plus a 1.5 s deep copy at goal scale) and then sent again as they are.
_SENT: dict[tuple, tuple[weakref.ref[folium.Map], dict[str, Any]]] = {}
# The same for maps kept on disk, by (disk key, key, height, clicks)
_STORED: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
STORED_ENTRIES = 64
_SENT_LOCK = threading.Lock()
_BUILD_LOCKS: dict[tuple, threading.Lock] = {}
# What a map with clicks reports back (panning and zooming do not rerun)
CLICK_OBJECTS = ("last_clicked", "last_object_clicked", "last_active_drawing")
_capture = threading.local()
_component = streamlit_folium._component_func


@dataclass(frozen=True, eq=False)
class MapSource:
    """A map that ``ui.cached`` builds only when its component is not stored.

    ``build`` returns the (shared, rendered) folium map; ``disk_key`` names
    everything the map depends on (data version, filters, role, options) or is
    None when the map must not be kept on disk (a dataset that is not the
    shared one).
    """

    build: Callable[[], folium.Map]
    disk_key: str | None = None


def register_component() -> None:
    """Register streamlit-folium's component with the running server.

    Streamlit registers a component when its module is first imported inside a
    page's run; imported earlier by the server's start (``ui.server``), outside
    any page, it would be unknown and its frame would answer 404. Nothing
    happens without a running server (tests, the command line).
    """
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().component_registry.register_component(_component)


def _recording_component(**kwargs: Any) -> Any:
    """streamlit_folium's component, noting its arguments for this thread.

    While :func:`_component_args` works a map out, the component is not called.
    """
    if getattr(_capture, "args", None) is not None:
        _capture.args.update(kwargs)
        return None
    return _component(**kwargs)


streamlit_folium._component_func = _recording_component


def show_map(
    fmap: folium.Map | MapSource, *, key: str, height: int, clicks: bool = False
) -> dict | None:
    """Draw a map built (and rendered once) by ``ui.cached``.

    st_folium rewrites the ids of the map it is given, so the shared, cached map
    is never handed to it: it gets a deep copy (0.06 s at 30,000 cameras), and a
    second visit draws the same map again instead of a blank frame.
    ``render=False``: the cached map was rendered when it was built, so a rerun
    does not pay for rendering a 30,000-camera map again.

    The arguments st_folium sends for a map are remembered and sent again as
    they are on the next run or visit that shows the same map (for a
    :class:`MapSource` with a disk key, also after a restart, without building
    the map): the 2.7 s of building, copying and converting a goal-scale map is
    paid once per map and data version.

    Without ``clicks`` panning and zooming never rerun the script. With it, a
    click reruns the script and streamlit-folium's ``CLICK_OBJECTS`` are
    returned (``last_clicked`` {lat, lng} of the map's last click; the place and
    GeoJSON feature of the last click on a layer): ``analytics.wardfocus``
    reads them. Nothing clicked yet: None.
    """
    args = prepare_map(fmap, key=key, height=height, clicks=clicks)
    result = _component(**args, on_change=_on_change(key, args["key"]))
    if not clicks or not isinstance(result, dict):
        return None
    return result if any(result.get(k) for k in CLICK_OBJECTS) else None


def _on_change(key: str, hash_key: str) -> Callable[[], None]:
    """What st_folium does when the map reports: copy its value under ``key``."""

    def changed() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return changed


def prepare_map(
    fmap: folium.Map | MapSource, *, key: str, height: int, clicks: bool = False
) -> dict[str, Any]:
    """The component arguments of ``fmap`` shown under ``key`` at ``height``.

    From memory, else from disk (a :class:`MapSource` with a ``disk_key``), else
    worked out (building the map if needed) and kept in both. Safe to call
    outside a page (``ui.warmup``): nothing is sent to a browser.
    """
    if isinstance(fmap, MapSource):
        if fmap.disk_key is None:
            return prepare_map(fmap.build(), key=key, height=height, clicks=clicks)
        ident: tuple = (fmap.disk_key, key, height, clicks)
        with _lock_for(ident):
            with _SENT_LOCK:
                args = _STORED.get(ident)
            if args is not None:
                return args
            name = "map_" + "".join(c if c.isalnum() else "_" for c in key)
            disk = diskcache.fingerprint(*ident)
            args = diskcache.load(name, disk)
            if args is diskcache.MISSING:
                args = _component_args(fmap.build(), key, height, clicks)
                diskcache.save(name, disk, args)
            with _SENT_LOCK:
                _STORED[ident] = args
                while len(_STORED) > STORED_ENTRIES:
                    _STORED.popitem(last=False)
            return args
    ident = (id(fmap), key, height, clicks)
    with _lock_for(ident):
        with _SENT_LOCK:
            entry = _SENT.get(ident)
        if entry is not None and entry[0]() is fmap:
            return entry[1]
        args = _component_args(fmap, key, height, clicks)
        with _SENT_LOCK:
            for old in [k for k, (ref, _) in _SENT.items() if ref() is None]:
                del _SENT[old]
            _SENT[ident] = (weakref.ref(fmap), args)
        return args


def _lock_for(ident: tuple) -> threading.Lock:
    """One lock per map and view: two sessions never work out the same map."""
    with _SENT_LOCK:
        return _BUILD_LOCKS.setdefault(ident, threading.Lock())


def _component_args(
    fmap: folium.Map, key: str, height: int, clicks: bool
) -> dict[str, Any]:
    """What st_folium would send for ``fmap`` (without ``on_change``).

    The map's window elements (``analytics.maps.window_elements``: hexagons,
    heat map, gaps, sites, layer control, legend) are sent apart, as the
    component's ``feature_group`` script, and the rest as its map. The
    component's key is worked out from the rest alone: a rerun that changes
    only the window (another period, another thematic layer) keeps the drawn
    map, its frame and the visitor's pan and zoom, and streamlit-folium runs
    the new window script in it (:func:`window_script`) instead of loading a
    new frame and drawing 30,000 cameras again.
    """
    fmap = copy.deepcopy(fmap)
    window = window_elements(fmap)
    in_window = {id(e) for e in window}
    order = list(fmap._children.items())
    for name, element in order:
        if id(element) in in_window:
            del fmap._children[name]
    _capture.args = {}
    try:
        st_folium(
            fmap,
            key=key,
            height=height,
            use_container_width=True,
            returned_objects=list(CLICK_OBJECTS) if clicks else [],
            render=False,
        )
        args = dict(_capture.args)
    finally:
        _capture.args = None
    args.pop("on_change", None)
    if window:
        # st_folium has named the rest of the map ("map_div", "geo_json_div_3"
        # ...): the window elements refer to those names
        fmap._children.clear()
        fmap._children.update(order)
        args["feature_group"] = window_script(window, [e for _, e in order])
        args["layer_control"] = ""
        for links, attr in (
            (args["js_links"], "default_js"),
            (args["css_links"], "default_css"),
        ):
            for element in window:
                for part in walk(element):
                    for _, href in getattr(part, attr, []):
                        if href not in links:
                            links.append(href)
    return args


def sent_text(args: dict[str, Any]) -> str:
    """Everything in the component arguments ``args`` that the browser runs or
    shows (the map's script, HTML and header, the window script): what a test
    searches for what a map gives away."""
    return "\n".join(
        str(args.get(k) or "")
        for k in ("script", "html", "header", "feature_group", "layer_control")
    )


def window_script(window: list[Element], order: list[Element]) -> str:
    """The script that puts ``window`` on the drawn map (``map_div``); ``order``
    is every top-level element of the map, in order.

    It first takes away what the previous window script put there (the layers,
    the layer control and the legend, through ``window.camregUndo``), then adds
    the new ones (each layer also by its name on ``window``, as the map's own
    layers are), raises the map's own layers that lay above them (ward
    outlines stay on top of the hexagons), fires ``camreg:window`` on the map
    and counts the redraw in ``window.camregRedrawn`` (the bench waits for it).
    """
    parts = [
        "(function () { var undo = window.camregUndo || []; window.camregUndo = [];"
        " undo.forEach(function (f) { f(); }); })();"
    ]
    for i, element in enumerate(window):
        if isinstance(element, folium.LayerControl):
            element.render()  # list the layers under their names in the frame
        parts.append(streamlit_folium.generate_leaflet_string(element, base_id=f"w{i}"))
    layers = [e.get_name() for e in window if isinstance(e, Layer)]
    controls = [e.get_name() for e in window if isinstance(e, folium.LayerControl)]
    # the layers by name on the frame's window, as the map's own are (a
    # legend row names its layer: data-layer)
    parts.extend(f"window.{n} = {n};" for n in layers)
    parts.append(
        "window.camregUndo.push(function () {"
        + "".join(f" map_div.removeLayer({n}); delete window.{n};" for n in layers)
        + "".join(f" map_div.removeControl({n});" for n in controls)
        + " });"
    )
    in_window = {id(e) for e in window}
    first = next(i for i, e in enumerate(order) if id(e) in in_window)
    above = [
        e.get_name()
        for e in order[first:]
        if isinstance(e, Layer) and id(e) not in in_window
    ]
    parts.extend(
        f"if (map_div.hasLayer({n}) && {n}.bringToFront) {{ {n}.bringToFront(); }}"
        for n in above
    )
    # ward labels are placed again around the new legend
    # (analytics.maplayout.LabelDeclutter)
    parts.append('map_div.fire("camreg:window");')
    parts.append("window.camregRedrawn = (window.camregRedrawn || 0) + 1;\n")
    return "\n".join(parts)
