"""Folium maps of registry coverage, fast at 30,000 cameras and 1M incidents.

Everything drawn is aggregated or rendered by JavaScript from compact arrays:
cameras go through ``FastMarkerCluster`` (one array, clustered in the browser),
incidents are binned to a grid before the heat map, the hex choropleth is one
GeoJson layer with rounded coordinates. Camera positions come only from
``analytics.privacy.redact_cameras`` for the viewer's role, so a map cannot show
an exact residential camera to an audience that may not see it.

City limit and wards are drawn as filled layers, so the map stays readable when
no tile server can be reached. All registry text is escaped.

>>> m = build_coverage_map(cameras, role="staff", city=city, hexes=report.hexes)
>>> html = m.get_root().render()
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.plugins import FastMarkerCluster, HeatMap

from analytics.config import CityConfig
from analytics.maplayout import ZOOM_SNAP, LabelDeclutter, MapFrame, compact_template
from analytics.privacy import (
    HEX_CAMERA_COLUMNS,
    HEX_COVERAGE_COLUMNS,
    RedactedCameras,
    protect_hexes,
    redact_cameras,
    validate_audience,
)
from analytics.safe_output import escape_html
from analytics.schema import OWNER_TYPES, WGS84

MAP_WIDTH_PX = 900  # typical width of the full map, for the opening zoom
COMPACT_WIDTH_PX = 450
FOLD_BELOW_PX = 700  # legend starts folded and the city is fitted on narrower maps
COORD_DECIMALS = 5  # ~1 m: plenty for display, halves the GeoJSON size
HEAT_CELL_M = 200.0  # incidents are binned to this grid before the heat map
HEAT_DECIMALS = 4  # ~10 m: far finer than the heat map's blur
MAX_VIEWSHEDS = 1_500  # camera views drawn at most (each is a polygon)
MAX_GAP_CELLS = 25
MAX_SITE_MARKERS = 200
# where a map notes its window elements (window_elements); a deep copy keeps it
WINDOW_ATTR = "_camreg_window"
E = TypeVar("E", bound=Element | None)
TIER_COLOURS = {"registered": "#1f78b4", "integrated": "#6a3d9a"}
TIER_LABELS = {
    "registered": "Registered (location only)",
    "integrated": "Integrated (live access)",
}
CITY_FILL = "#f3efe4"
BACKGROUND = "#e9eef2"
WARD_LINE = "#444444"
FOCUS_LINE = "#000000"  # the focused ward's outline (ui.focus)
FOCUS_WEIGHT = 5
GAP_LINE = "#ff7f00"
SITE_COLOUR = "#e7298a"
VIEWSHED_COLOUR = "#33a02c"
NO_DATA_FILL = "#d9d9d9"
STREET_LINE = "#ffffff"
# Offline background: wards in soft, distinct land tints (no tiles needed)
LAND_TINTS = ("#efe9dc", "#e6eddc", "#e9e4ef", "#f1e6dd", "#dfeaea", "#eee9d6")
LABEL_PANE = "camreg-labels"
# Aggregated camera cells: count class edges and fills
CELL_EDGES = (0, 10, 25, 50)
CELL_COLOURS = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")
HEX_FIELDS = ("incidents", "uncovered", "covered")
# Choropleth measures: hex column -> (legend title, bin edges or None for data
# quantiles, colours from low to high)
# class edges of the coverage share (the last one lets 100 % fall in the top class)
COVERAGE_EDGES = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0000001)
# measure -> (title, class edges or None for edges from the data, colours)
CHOROPLETHS: dict[str, tuple[str, tuple[float, ...] | None, tuple[str, ...]]] = {
    "coverage_share": (
        "Share of incidents within camera range",
        COVERAGE_EDGES,
        ("#fff7bc", "#c7e9b4", "#7fcdbb", "#2c7fb8", "#253494"),
    ),
    "incidents_uncovered": (
        "Incidents out of camera range",
        None,
        ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    ),
}
MAX_ZOOM = 19  # the closest zoom of the map and its street tiles
# Local copies of the JS/CSS folium loads from CDNs, by folium's resource name;
# resources not listed here (jQuery, Bootstrap, awesome-markers) are not used by
# these maps and are dropped when serving locally.
LOCAL_ASSETS = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet-heat/leaflet_heat.min.js",
    "leaflet_draw_js": "leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": "leaflet-draw/leaflet.draw.css",
}
# Where the project keeps them (served at /app/static/vendor, .streamlit/config.toml)
VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"

# Draws a clustered camera as a small circle in its tier colour; a row is
# [lat, lon, id, cameras, owner index, address]. The text is escaped in Python.
# The row stays on the marker for the layer's one popup (_CAMERA_POPUP).
_CAMERA_CALLBACK = """\
function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: 5, color: "#ffffff", weight: 1, fillColor: "%(colour)s",
        fillOpacity: 0.9
    });
    marker.camregRow = row;
    return marker;
}"""
# One popup for the whole layer, written when a camera is clicked: a popup
# bound to each of 30,000 markers cost a closure and listeners apiece, a
# quarter of drawing the map.
_CAMERA_POPUP = """\
function (layer) {
    var owners = %(owners)s;
    var row = layer.camregRow;
    if (!row) { return ""; }
    var html = "<b>Camera</b> " + row[2] + "<br><b>Cameras</b> " + row[3]
        + "<br><b>Owner</b> " + owners[row[4]];
    if (row[5]) { html += "<br><b>Address</b> " + row[5]; }
    return html;
}"""
# Cluster bubbles tinted like their tier so the two layers read apart.
_CLUSTER_ICON = """\
function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
    return L.divIcon({
        html: '<div style="background:%s;color:#fff;border-radius:50%%;'
            + 'width:' + size + 'px;height:' + size + 'px;line-height:' + size
            + 'px;text-align:center;font:bold 11px sans-serif;opacity:0.85">'
            + n + '</div>',
        className: '', iconSize: L.point(size, size)
    });
}"""


# Permanent, centred label from the (already escaped) ``ward`` property.
_LABEL_JS = """\
function (feature, layer) {
    layer.bindTooltip(feature.properties.ward, {
        permanent: true, direction: "center", className: "camreg-ward-label",
        opacity: 0.9, pane: "camreg-labels", priority: feature.properties.prio,
        short: feature.properties.short
    });
}"""


class _Cluster(FastMarkerCluster):
    """FastMarkerCluster that honours ``show=False`` and clusters after the map shows.

    folium's template always adds the cluster to the map; here, as for other
    layers, ``Layer.render`` adds it only when ``show`` is True. The markers
    are made and go in with one ``addLayers`` call (the plugin's bulk path) in
    the first task after the layer is on a map: the map's own script, with its
    coverage cells and wards, has finished by then, and a layer switched off
    makes no markers at all. Handed to the plugin before the layer is on a map,
    each new marker was checked against every one queued so far (30,000
    cameras: 0.1 to 0.15 s). Not in slices (the plugin's ``chunkedLoading``):
    a zoom or fit while half the cameras were clustered threw inside the plugin
    ("reading 'lat'"), which stopped the map's script at 30,000 cameras.
    ``popup`` is one JavaScript function ``(marker) -> html`` for the whole
    layer.
    """

    def __init__(self, *args: Any, popup: str | None = None, **kwargs: Any) -> None:
        # folium 0.20's FastMarkerCluster.__init__ is unannotated
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        self.popup = popup

    _template = compact_template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = {{ this.data|tojson }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                {%- if this.icon_create_function is not none %}
                cluster.options.iconCreateFunction =
                    {{ this.icon_create_function.strip() }};
                {%- endif %}
                {%- if this.popup %}
                cluster.bindPopup({{ this.popup.strip() }});
                {%- endif %}
                function later() { setTimeout(fill, 0); }
                function fill() {
                    if (!cluster._map) {  // switched off meanwhile
                        cluster.once("add", later);
                        return;
                    }
                    var markers = new Array(data.length);
                    for (var i = 0; i < data.length; i++) {
                        markers[i] = callback(data[i]);
                    }
                    cluster.addLayers(markers);
                }
                cluster.once("add", later);
                return cluster;
            })();
        {% endmacro %}"""
    )


class Legend(MacroElement):
    """A collapsible legend as a Leaflet control that lists only the visible layers.

    ``entries`` are ``(layer or None, html)``: an entry tied to a layer shows only
    while that layer is on the map, so switching a layer off in the layer
    control also takes it out of the legend. ``exclusive`` layers are the
    thematic ones (hexagons, heat map, cameras by area): switching one on
    switches the others off, so two translucent layers never mix into colours
    the legend does not list. The legend starts folded on maps narrower than
    ``FOLD_BELOW_PX`` (phones, maps beside a chart) and never grows over the
    zoom buttons. ``shown`` are the exclusive layers switched on when the legend
    is added (the page's choice), the other exclusive ones switched off: a
    rerun that replaces the window's layers in a drawn map (``ui.mapview``)
    also resets the choice. The legend registers how to take itself away in
    ``window.camregUndo``, which that replacement runs first.

    The CSS lives in the map's header, which streamlit-folium keeps (it drops
    only external script and stylesheet links).
    """

    _template = compact_template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .camreg-legend {background: rgba(255,255,255,0.94); padding: 5px 8px;
            font: 12px/1.35 sans-serif; border-radius: 4px; max-width: 230px;
            box-shadow: 0 1px 4px rgba(0,0,0,0.3);
            max-height: calc(100vh - 150px); overflow-y: auto}
        .camreg-legend summary {cursor: pointer; font-weight: bold}
        .leaflet-control-layers {font: 12px/1.4 sans-serif}
        .leaflet-control-layers-expanded {padding: 4px 8px; max-width: 260px}
        /* position + nowrap here as well as in leaflet.css: a label measured
           before that stylesheet loads is as wide as the map, and Leaflet
           centres it half a map too far left */
        .camreg-ward-label {position: absolute; white-space: nowrap; text-align: center;
            background: transparent; border: 0; box-shadow: none;
            font: bold 11px sans-serif; color: #333; padding: 0;
            text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff}
        .camreg-ward-label:before {display: none}
        .camreg-site {background: {{ this.site_colour }}; color: #fff;
            border: 2px solid #fff; border-radius: 10px; text-align: center;
            white-space: nowrap; box-sizing: border-box;
            font: bold 11px/16px sans-serif; box-shadow: 0 1px 3px rgba(0,0,0,.5)}
        .camreg-site-dot {background: {{ this.site_colour }}; border-radius: 50%;
            border: 2px solid #fff; box-sizing: border-box;
            box-shadow: 0 0 2px rgba(0,0,0,.6)}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var entries = [
            {%- for layer, html in this.entries %}
                [{{ layer or "null" }}, {{ html|tojson }}, {{ layer|tojson }}],
            {%- endfor %}
            ];
            var exclusive = [{{ this.exclusive|join(", ") }}];
            var legend = L.control({position: {{ this.position|tojson }}});
            var rows = [];
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "camreg-legend");
                var details = L.DomUtil.create("details", "", div);
                details.open = {{ this.open_|tojson }}
                    && map.getSize().x >= {{ this.fold_below }};
                L.DomUtil.create("summary", "", details).textContent = "Legend";
                entries.forEach(function (entry) {
                    var row = L.DomUtil.create("div", "camreg-legend-row", details);
                    row.innerHTML = entry[1];
                    if (entry[2]) { row.dataset.layer = entry[2]; }
                    rows.push([entry[0], row]);
                });
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            function sync() {
                rows.forEach(function (r) {
                    r[1].style.display = (r[0] === null || map.hasLayer(r[0]))
                        ? "" : "none";
                });
            }
            function onOverlayAdd(e) {
                if (exclusive.indexOf(e.layer) >= 0) {
                    // after the layer control has finished its click: removing
                    // a layer inside it makes the control add it straight back
                    setTimeout(function () {
                        if (!map.hasLayer(e.layer)) { return; }
                        exclusive.forEach(function (other) {
                            if (other !== e.layer && map.hasLayer(other)) {
                                map.removeLayer(other);
                            }
                        });
                        sync();
                    }, 0);
                }
                sync();
            }
            map.on("overlayadd", onOverlayAdd);
            map.on("overlayremove baselayerchange", sync);
            // the page's choice of thematic layer: on, and the others off
            var shown = [{{ this.shown|join(", ") }}];
            exclusive.forEach(function (layer) {
                if (shown.indexOf(layer) < 0 && map.hasLayer(layer)) {
                    map.removeLayer(layer);
                }
            });
            shown.forEach(function (layer) {
                if (!map.hasLayer(layer)) { map.addLayer(layer); }
            });
            legend.addTo(map);
            sync();
            map.getContainer().style.background = {{ this.background|tojson }};
            // taken away again when a rerun replaces the window's layers
            // (ui.mapview)
            (window.camregUndo = window.camregUndo || []).push(function () {
                map.removeControl(legend);
                map.off("overlayadd", onOverlayAdd);
                map.off("overlayremove baselayerchange", sync);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        entries: Sequence[tuple[Layer | None, str]],
        *,
        exclusive: Sequence[Layer] = (),
        shown: Sequence[Layer] = (),
        position: str = "bottomleft",
        background: str = "",
        open_: bool = True,
        fold_below: int = FOLD_BELOW_PX,
    ) -> None:
        # branca 0.8 leaves MacroElement.__init__ unannotated (and mypy does not
        # apply untyped_calls_exclude to super() calls)
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self._entries = list(entries)
        self._exclusive = list(exclusive)
        self._shown = list(shown)
        self.position = position
        self.background = background
        self.open_ = open_
        self.fold_below = int(fold_below)
        self.site_colour = SITE_COLOUR

    @property
    def entries(self) -> list[tuple[str | None, str]]:
        """(JavaScript name of the layer or None, html), resolved at render."""
        return [
            (None if layer is None else layer.get_name(), html)
            for layer, html in self._entries
        ]

    @property
    def exclusive(self) -> list[str]:
        return [layer.get_name() for layer in self._exclusive]

    @property
    def shown(self) -> list[str]:
        return [layer.get_name() for layer in self._shown]


class _NumberedSites(folium.map.Layer):
    """Recommended sites as dots with their rank beside them, from one array.

    A row is ``[lat, lon, rank, tooltip html]``; the tooltip is escaped in
    Python. Every site is a dot at its place. At every zoom the rank numbers
    are placed best rank first: on the dot, else just beside it (above, below,
    right, left, then diagonally), wherever the number covers no number
    already placed; else it joins the number of a site next to it ("3, 7",
    at most three) when the wider badge still covers nothing; else the site
    keeps its dot (and tooltip) without a number until the map is zoomed in.
    The table beside the map keeps every number.
    """

    _template = compact_template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var rows = {{ this.rows|tojson }};
            var group = L.featureGroup(), map = null;
            var spots = [[0, 0], [0, -17], [0, 17], [19, 0], [-19, 0],
                [17, -15], [-17, -15], [17, 15], [-17, 15]];
            function width(t) { return t.length > 1 ? 7 * t.length + 8 : 20; }
            function free(x, y, w, placed, skip) {
                return !placed.some(function (q) {
                    return q !== skip && Math.abs(q.x - x) < (q.w + w) / 2 + 1
                        && Math.abs(q.y - y) < 21;
                });
            }
            function badge(q) {
                var t = q.ranks.join(", ");
                q.w = width(t);
                var icon = L.divIcon({className: "camreg-site", html: t,
                    iconSize: [q.w, 20], iconAnchor: [q.w / 2 - q.dx, 10 - q.dy]});
                if (q.marker) { q.marker.setIcon(icon); return; }
                q.marker = L.marker(q.at, {icon: icon, keyboard: false,
                    zIndexOffset: 10000 - q.ranks[0]}).bindTooltip(q.tip).addTo(group);
            }
            function draw() {
                group.clearLayers();
                if (!map) { return; }
                var z = map.getZoom(), placed = [];
                rows.forEach(function (r) {
                    var at = [r[0], r[1]], p = map.project(at, z), t = String(r[2]);
                    L.marker(at, {icon: L.divIcon({className: "camreg-site-dot",
                        iconSize: [10, 10]}), keyboard: false,
                        zIndexOffset: 9000 - r[2]}).bindTooltip(r[3]).addTo(group);
                    var spot = spots.find(function (s) {
                        return free(p.x + s[0], p.y + s[1], width(t), placed, null);
                    });
                    if (spot) {
                        var q = {x: p.x + spot[0], y: p.y + spot[1], dx: spot[0],
                            dy: spot[1], at: at, ranks: [r[2]], tip: r[3]};
                        placed.push(q);
                        badge(q);
                        return;
                    }
                    // no room: join the number of a site next to it ("3, 7")
                    var near = placed.find(function (q) {
                        var o = map.project(q.at, z);
                        return q.ranks.length < 3 && Math.abs(o.x - p.x) < 16
                            && Math.abs(o.y - p.y) < 16 && free(q.x, q.y,
                                width(q.ranks.concat([r[2]]).join(", ")), placed, q);
                    });
                    if (near) {
                        near.ranks.push(r[2]);
                        near.tip += "<br>" + r[3];
                        near.marker.setTooltipContent(near.tip);
                        badge(near);
                    }
                });
            }
            group.on("add", function () {
                map = group._map;
                map.on("zoomend", draw);
                draw();
            });
            group.on("remove", function () {
                if (map) { map.off("zoomend", draw); }
                map = null;
                group.clearLayers();
            });
            return group;
        })();
        {% endmacro %}"""
    )

    def __init__(self, rows: list[list[Any]], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "NumberedSites"
        self.rows = rows


class _WardTints(MacroElement):
    """The offline background's ward tints, copied from the ward outlines.

    The outlines' shapes are already in the page: filling ``fallback`` from
    them in the browser sends each ward once instead of twice.
    """

    _template = compact_template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var tints = {{ this.tints|tojson }}, i = 0;
            L.geoJson({{ this.source.get_name() }}.toGeoJSON(), {
                style: function () {
                    return {stroke: false, fillColor: tints[i++ % tints.length],
                        fillOpacity: 1.0};
                },
                interactive: false
            }).addTo({{ this.fallback.get_name() }});
            {{ this.fallback.get_name() }}.bringToBack();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, fallback: folium.FeatureGroup, source: folium.GeoJson) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # as in Legend
        self._name = "WardTints"
        self.fallback = fallback
        self.source = source
        self.tints = list(LAND_TINTS)


class _OfflineFallback(MacroElement):
    """Switch to the city's own vector background when map tiles cannot load.

    After two tile errors with no tile loaded (no internet, a blocked tile
    server), the tile layer is replaced by ``fallback``, a base layer drawn
    from the city's wards (and streets when configured), and the layer control
    follows.
    """

    _template = compact_template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var tiles = {{ this.tiles.get_name() }};
            var fallback = {{ this.fallback.get_name() }};
            var loaded = false, errors = 0;
            tiles.on("tileload", function () { loaded = true; });
            tiles.on("tileerror", function () {
                errors += 1;
                if (!loaded && errors >= 2 && map.hasLayer(tiles)) {
                    map.removeLayer(tiles);
                    map.addLayer(fallback);
                    fallback.bringToBack && fallback.bringToBack();
                }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, tiles: folium.TileLayer, fallback: folium.FeatureGroup) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # as in Legend
        self._name = "OfflineFallback"
        self.tiles = tiles
        self.fallback = fallback


THEMATIC = ("choropleth", "heat", "camera_cells")


def build_coverage_map(
    cameras: gpd.GeoDataFrame | RedactedCameras | None,
    *,
    role: str,
    city: CityConfig,
    hexes: gpd.GeoDataFrame | None = None,
    choropleth: str = "coverage_share",
    gaps: gpd.GeoDataFrame | None = None,
    incidents: gpd.GeoDataFrame | pd.DataFrame | None = None,
    wards: gpd.GeoDataFrame | None = None,
    city_limit: gpd.GeoDataFrame | None = None,
    viewshed_area: shapely.Geometry | None = None,
    range_scale: float = 1.0,
    sites: gpd.GeoDataFrame | None = None,
    tiles: str | None = "OpenStreetMap",
    asset_base: str | None = None,
    show_cameras: bool = True,
    compact: bool = False,
    thematic: str | None = "choropleth",
    streets: gpd.GeoDataFrame | None = None,
    focus_ward: str | None = None,
) -> folium.Map:
    """Build the coverage map with a folding layer control and a legend.

    One thematic layer (hexagons, incident heat map, or cameras by area) is on
    at a time; the others are in the layer control, switched off, and switching
    one on switches the others off. The legend lists only what is on the map.

    Parameters
    ----------
    cameras
        Canonical camera frame (already filtered). It is redacted here with
        ``analytics.privacy.redact_cameras(cameras, role, city)``: exact points
        only where the role may see them, aggregated cells otherwise. A
        ``RedactedCameras`` made for ``role`` is used as it is (callers that
        cache the redaction); one made for another role is refused.
    role
        Viewer's role, one of ``analytics.privacy.ROLES``.
    city
        City configuration (extent, ranges, privacy threshold).
    hexes
        Hex grid from the coverage report (``coverage_share``,
        ``incidents_uncovered``, ``cameras``, ``incidents`` ... and polygons),
        clipped to the city limit when one is given.
    choropleth
        Which hex measure to colour: a key of ``CHOROPLETHS``.
    gaps
        Ranked gap cells (polygons); the first ``MAX_GAP_CELLS`` are outlined.
        A ``place`` column (``analytics.places``) is shown in their tooltip.
    incidents
        Incidents (``latitude``/``longitude``); binned to ``HEAT_CELL_M`` and
        drawn as a heat map.
    wards, city_limit
        Boundary polygons. Ward outlines and labels sit above the thematic
        layer; wards also make the offline background.
    viewshed_area
        A WGS84 polygon (e.g. the selected ward): the map opens on it and the
        views of the visible cameras inside it are drawn, at most
        ``MAX_VIEWSHEDS``.
    range_scale
        Multiplier of the default camera ranges for the drawn views.
    sites
        Recommended recruitment sites (points, in rank order), drawn as numbered
        circles; a ``place`` column is shown in their tooltip.
    tiles
        Folium tile name, or None for the city's own vector background only.
    asset_base
        URL prefix where the files of ``LOCAL_ASSETS`` are served; None keeps
        folium's CDN links.
    show_cameras
        Whether the camera point layers start switched on (they can be toggled).
    compact
        Small-map mode: legend starts folded, no privacy note.
    thematic
        The thematic layer switched on at first: one of ``THEMATIC`` or None.
    streets
        Street centre lines (optional) for the offline background.
    focus_ward
        ``ward_id`` of the ward the page is focused on (``ui.focus``): outlined
        in ``FOCUS_LINE``, its label placed first, and the map fitted to it
        (to ``viewshed_area`` when that is given).

    The map opens fitted to the city (or the focus) at whatever size its frame
    has (``analytics.maplayout.MapFrame``); ward labels that would collide are
    shrunk or hidden until zoomed in (``LabelDeclutter``); recommended sites
    closer than their markers are merged into one "3, 7" marker.

    Returns
    -------
    folium.Map
    """
    if choropleth not in CHOROPLETHS:
        raise ValueError(
            f"`choropleth` was {choropleth!r} but is expected to be in "
            f"{list(CHOROPLETHS)}"
        )
    if thematic is not None and thematic not in THEMATIC:
        raise ValueError(
            f"`thematic` was {thematic!r} but is expected to be None or in "
            f"{list(THEMATIC)}"
        )
    validate_audience(role)
    if hexes is not None:
        hexes = hexes_for_audience(hexes, role)
    limit = (
        city_limit.to_crs(WGS84).geometry.union_all()
        if city_limit is not None and len(city_limit)
        else None
    )
    wards = wards if wards is not None and len(wards) else None
    focus_area = viewshed_area
    if focus_area is None and focus_ward is not None and wards is not None:
        picked = wards[wards["ward_id"].astype(str) == str(focus_ward)]
        focus_area = picked.to_crs(WGS84).geometry.union_all() if len(picked) else None
    bounds = _view_bounds(city, city_limit, focus_area)
    m = _base_map(bounds, zoom=_zoom_for(bounds, compact))
    tile_layer = _add_tiles(m, tiles)
    # the wards' tints are copied in the browser from the ward outlines below
    fallback = _add_offline_background(
        m, wards, city_limit, streets, tiles is None, tint_later=wards is not None
    )
    if tile_layer is not None and fallback is not None:
        _OfflineFallback(tile_layer, fallback).add_to(m)
    legend: list[tuple[Layer | None, str]] = []
    exclusive: list[Layer] = []
    shown: list[Layer] = []  # the thematic layer switched on
    layer: Layer | None
    if city_limit is not None and len(city_limit):
        _add_city_limit(m, city_limit)
    if hexes is not None and len(hexes):
        layer, html = _add_choropleth(
            m, clip_to_limit(hexes, limit), choropleth, show=thematic == "choropleth"
        )
        _in_window(m, layer)
        legend.append((layer, html))
        exclusive.append(layer)
        if thematic == "choropleth":
            shown.append(layer)
    if incidents is not None and len(incidents):
        layer = _in_window(m, _add_heat(m, incidents, show=thematic == "heat"))
        if layer is not None:
            if thematic == "heat":
                shown.append(layer)
            legend.append(
                (
                    layer,
                    _swatch(
                        "linear-gradient(90deg,#00f,#0f0,#ff0,#f00)",
                        "Incidents (heat map)",
                    ),
                )
            )
            exclusive.append(layer)
    if gaps is not None and len(gaps):
        layer = _in_window(m, _add_gaps(m, hexes_for_audience(gaps, role)))
        legend.append(
            (layer, _line_swatch(GAP_LINE, f"Top {MAX_GAP_CELLS} gap cells", dash=True))
        )
    if cameras is not None:
        entries, cells_layer = _add_cameras(
            m,
            cameras,
            role,
            city,
            viewshed_area,
            range_scale,
            show=show_cameras,
            note=not compact,
            limit=limit,
        )
        legend.extend(entries)
        if cells_layer is not None:  # switched on by the legend when chosen
            exclusive.append(cells_layer)
            if thematic == "camera_cells":
                shown.append(cells_layer)
    if wards is not None:
        # above the thematic layer: outlines and labels stay readable
        layer, outlines = _add_wards(m, wards, focus=focus_ward)
        legend.append((layer, _line_swatch(WARD_LINE, "Ward boundary")))
        if focus_ward is not None and str(focus_ward) in set(
            wards["ward_id"].astype(str)
        ):
            legend.append((layer, _line_swatch(FOCUS_LINE, "Focused ward")))
        if fallback is not None:
            _WardTints(fallback, outlines).add_to(m)
    if sites is not None and len(sites):
        layer = _in_window(m, _add_sites(m, sites))
        legend.append((layer, _site_swatch("Recommended site, by rank")))
    _in_window(m, folium.LayerControl(collapsed=True).add_to(m))
    _in_window(
        m,
        Legend(
            legend,
            exclusive=exclusive,
            shown=shown,
            background=BACKGROUND,
            open_=not compact,
        ).add_to(m),
    )
    MapFrame(_corners(bounds)).add_to(m)
    if wards is not None:
        LabelDeclutter(LABEL_PANE).add_to(m)
    if asset_base is not None:
        use_local_assets(m, asset_base)
    return m


def window_elements(m: folium.Map) -> list[Element]:
    """The elements of ``m`` that follow the page's filters and layer switch.

    The hexagons, heat map, gap outlines and recommended sites, then the layer
    control and the legend that list them: a rerun with another time window or
    thematic layer changes only these, so ``ui.mapview`` replaces them inside
    the drawn map and keeps the rest (background, city limit, wards, cameras)
    and the visitor's pan and zoom. Top-level children of ``m``, in map order.
    """
    marked = {id(e) for e in getattr(m, WINDOW_ATTR, ())}
    return [e for e in m._children.values() if id(e) in marked]


def _in_window(m: folium.Map, element: E) -> E:
    """Note ``element`` (a child of ``m``, or None) as a window element."""
    if element is not None:
        m.__dict__.setdefault(WINDOW_ATTR, []).append(element)
    return element


def hexes_for_audience(
    hexes: gpd.GeoDataFrame,
    audience: str,
    city: CityConfig | None = None,
    *,
    sites: pd.Series | None = None,
    window_days: int | None = None,
    empty_cells: bool = False,
) -> gpd.GeoDataFrame:
    """A hex or gap table as ``audience`` may see it (see
    :func:`analytics.privacy.protect_hexes`).

    Below investigator: no camera counts or distances, no row for a cell
    without incidents, and coverage per cell only where the cell holds at least
    ``min_group_size`` sites (``sites``: per cell of the whole registry) and
    incidents over a window of at least a month. A table already protected is
    returned as it is; without ``city`` every coverage figure is blanked
    (fail closed). Camera counts that respect the privacy threshold come from
    ``redact_cameras(...).cells``.
    """
    validate_audience(audience)
    if audience == "investigator" or "coverage_withheld" in hexes.attrs:
        return hexes
    if city is None:
        out = hexes.drop(columns=[c for c in HEX_CAMERA_COLUMNS if c in hexes])
        if "incidents" in out:
            out = out[pd.to_numeric(out["incidents"], errors="coerce").fillna(0) > 0]
        out = out.copy()
        for col in HEX_COVERAGE_COLUMNS:
            if col in out:
                out[col] = np.nan
        out.attrs = {**hexes.attrs, "coverage_withheld": len(out)}
        return out
    return protect_hexes(
        hexes,
        audience,
        city,
        sites=sites,
        window_days=window_days,
        empty_cells=empty_cells,
    )


def clip_to_limit(
    frame: gpd.GeoDataFrame, limit: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    """``frame`` (WGS84) cut to the city limit; rows left with nothing are dropped.

    Hexagons and camera cells straddle the boundary; drawn whole they spill
    outside the city the figures are about.
    """
    frame = frame.to_crs(WGS84)
    if limit is None or limit.is_empty or len(frame) == 0:
        return frame
    shapely.prepare(limit)
    geoms = frame.geometry.to_numpy()
    inside = shapely.contains(limit, geoms)
    clipped = geoms.copy()
    edge = ~inside
    if edge.any():
        clipped[edge] = shapely.intersection(geoms[edge], limit)
    out = frame.set_geometry(gpd.array.from_shapely(clipped, crs=WGS84))
    return out[~out.geometry.is_empty & out.geometry.notna()]


@lru_cache(maxsize=1)
def asset_versions() -> dict[str, str]:
    """A short digest of each file of ``LOCAL_ASSETS`` in ``VENDOR_DIR``, by name.

    Links carry it (``?v=``), so the browser may keep a file for good
    (``ui.http_cache``) and a changed file is a new address. A file missing
    from ``VENDOR_DIR`` has no version.

    >>> len(asset_versions()["leaflet"])
    12
    """
    out = {}
    for name, rel in LOCAL_ASSETS.items():
        path = VENDOR_DIR / rel
        if path.is_file():
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return out


def use_local_assets(m: folium.Map, base: str) -> folium.Map:
    """Point every JS/CSS link of ``m`` at local copies under ``base``.

    Each link ends in ``?v=`` and the file's digest (:func:`asset_versions`).
    Links without a local copy are dropped: they belong to features these maps do
    not use, and one unreachable script stops streamlit-folium drawing anything.
    """
    base = base.rstrip("/")
    versions = asset_versions()
    for element in walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            setattr(
                element,
                attr,
                [
                    (
                        name,
                        _versioned(f"{base}/{LOCAL_ASSETS[name]}", versions.get(name)),
                    )
                    for name, _ in links
                    if name in LOCAL_ASSETS
                ],
            )
    return m


def _versioned(url: str, version: str | None) -> str:
    return f"{url}?v={version}" if version else url


def heat_grid(
    lat: np.ndarray, lon: np.ndarray, cell_m: float = HEAT_CELL_M
) -> np.ndarray:
    """Bin points to a ``cell_m`` grid: rows of (lat, lon, count) at cell centres.

    A million incidents become a few thousand weighted points, which is what
    keeps the heat map small and fast.

    >>> heat_grid(np.array([34.7, 34.7]), np.array([-92.3, -92.3]))[:, 2]
    array([2.])
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    lat, lon = lat[ok], lon[ok]
    if len(lat) == 0:
        return np.empty((0, 3))
    dlat = cell_m / 110_574.0
    dlon = cell_m / (111_320.0 * np.cos(np.radians(float(np.mean(lat)))))
    i = np.floor(lat / dlat).astype(np.int64)
    j = np.floor(lon / dlon).astype(np.int64)
    i0, j0 = i.min(), j.min()
    width = int(j.max() - j0) + 1
    key = (i - i0) * width + (j - j0)
    # bincount is linear in the number of points (np.unique would sort 1M keys)
    counts = np.bincount(key)
    cells = np.flatnonzero(counts)
    ci, cj = cells // width + i0, cells % width + j0
    return np.column_stack(
        [(ci + 0.5) * dlat, (cj + 0.5) * dlon, counts[cells].astype(float)]
    )


# --- layers ----------------------------------------------------------------------


# --- layers ----------------------------------------------------------------------
def _view_bounds(
    city: CityConfig,
    city_limit: gpd.GeoDataFrame | None,
    focus: shapely.Geometry | None,
) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) to open on: the focus area, else the city."""
    if focus is not None and not focus.is_empty:
        minx, miny, maxx, maxy = (float(v) for v in focus.bounds)
        return minx, miny, maxx, maxy
    if city_limit is not None and len(city_limit):
        minx, miny, maxx, maxy = (
            float(v) for v in city_limit.to_crs(WGS84).total_bounds
        )
        return minx, miny, maxx, maxy
    return city.extent.bounds


def _zoom_for(bounds: tuple[float, float, float, float], compact: bool) -> int:
    """Zoom at which ``bounds`` span the map's width (about 900 px, 450 compact).

    The opening view is computed rather than left to ``fit_bounds``, which
    streamlit-folium's late-sized frame does not honour.
    """
    minx, _, maxx, _ = bounds
    width_px = COMPACT_WIDTH_PX if compact else MAP_WIDTH_PX
    span = max(float(maxx - minx), 1e-6)
    return int(np.clip(np.floor(np.log2(width_px * 360.0 / (256.0 * span))), 1, 18))


def _corners(bounds: tuple[float, float, float, float]) -> list[list[float]]:
    """Leaflet's [[south, west], [north, east]] from (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bounds
    return [[miny, minx], [maxy, maxx]]


def _base_map(bounds: tuple[float, float, float, float], *, zoom: int) -> folium.Map:
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=ZOOM_SNAP,
        # the map's own limit, not only its tile layer's: offline the tiles are
        # taken off the map, and the camera clusters cannot be switched on on a
        # map without one ("Map has no maxZoom specified")
        maxZoom=MAX_ZOOM,
    )
    # ward labels above cluster bubbles and camera views, never catching the mouse
    folium.map.CustomPane(LABEL_PANE, z_index=660, pointer_events=False).add_to(m)
    return m


def _add_tiles(m: folium.Map, tiles: str | None) -> folium.TileLayer | None:
    if not tiles:
        return None
    layer = folium.TileLayer(
        tiles, name="Street map (needs internet)", overlay=False, control=True
    )
    layer.add_to(m)
    return layer


def _add_offline_background(
    m: folium.Map,
    wards: gpd.GeoDataFrame | None,
    city_limit: gpd.GeoDataFrame | None,
    streets: gpd.GeoDataFrame | None,
    show: bool,
    *,
    tint_later: bool = False,
) -> folium.FeatureGroup | None:
    """A base layer drawn from the city's own data: tinted wards, streets.

    It replaces the street map when tiles cannot load, so an offline map shows
    the city's shape, wards and (when configured) streets rather than a void.
    ``tint_later``: the ward tints are left to :class:`_WardTints`, which
    copies the ward outlines' shapes in the browser instead of sending them
    twice.
    """
    # an empty layer counts as none
    wards = wards if wards is not None and len(wards) else None
    city_limit = city_limit if city_limit is not None and len(city_limit) else None
    streets = streets if streets is not None and len(streets) else None
    if wards is None and city_limit is None and streets is None:
        return None
    group = folium.FeatureGroup(
        name="City map (works offline)", overlay=False, control=True, show=show
    )
    if wards is not None and not tint_later:
        frame = wards.to_crs(WGS84)
        data = gpd.GeoDataFrame(
            {"fill": [LAND_TINTS[i % len(LAND_TINTS)] for i in range(len(frame))]},
            geometry=frame.geometry.to_numpy(),
            crs=WGS84,
        )
        folium.GeoJson(
            _geojson(data),
            style_function=lambda f: {
                "stroke": False,
                "fillColor": f["properties"]["fill"],
                "fillOpacity": 1.0,
            },
            interactive=False,
        ).add_to(group)
    elif wards is None and city_limit is not None:
        folium.GeoJson(
            _geojson(city_limit.to_crs(WGS84)[["geometry"]]),
            style_function=lambda _: {
                "stroke": False,
                "fillColor": LAND_TINTS[0],
                "fillOpacity": 1.0,
            },
            interactive=False,
        ).add_to(group)
    if streets is not None:
        lines = streets.to_crs(WGS84)
        folium.GeoJson(
            _geojson(
                gpd.GeoDataFrame(
                    geometry=lines.geometry.simplify(1e-5).to_numpy(), crs=WGS84
                )
            ),
            style_function=lambda _: {"color": STREET_LINE, "weight": 1.2},
            interactive=False,
        ).add_to(group)
    group.add_to(m)
    return group


def _add_city_limit(m: folium.Map, city_limit: gpd.GeoDataFrame) -> None:
    folium.GeoJson(
        _geojson(city_limit.to_crs(WGS84)[["geometry"]]),
        name="City limit",
        style_function=lambda _: {
            "color": "#222222",
            "weight": 2,
            "fill": False,
        },
        interactive=False,
    ).add_to(m)


def _add_wards(
    m: folium.Map, wards: gpd.GeoDataFrame, *, focus: str | None = None
) -> tuple[folium.FeatureGroup, folium.GeoJson]:
    """Ward outlines with a hover name, and a permanent label each.

    ``focus`` (a ``ward_id``) is outlined in ``FOCUS_LINE``. Labels carry a
    priority for ``LabelDeclutter``: the focused ward first, then by area.
    Returns the layer group and the outlines (the offline tints copy them).
    """
    frame = wards.to_crs(WGS84)
    names = frame["ward_name"] if "ward_name" in frame else frame.get("ward_id")
    labels = [escape_html(n) for n in names]
    focused = (
        frame["ward_id"].astype(str).to_numpy() == str(focus)
        if focus is not None and "ward_id" in frame
        else np.zeros(len(frame), dtype=bool)
    )
    focus_labels = {lab for lab, f in zip(labels, focused, strict=True) if f}
    outlines = gpd.GeoDataFrame({"ward": labels}, geometry=frame.geometry, crs=WGS84)
    group = folium.FeatureGroup(name="Wards", show=True)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        # outline only (no fill): the hexagons beneath keep the hover
        if feature["properties"]["ward"] in focus_labels:
            return {
                "color": FOCUS_LINE,
                "weight": FOCUS_WEIGHT,
                "fill": False,
                "className": "camreg-focus",
            }
        return {"color": WARD_LINE, "weight": 2, "fill": False}

    layer = folium.GeoJson(
        _geojson(outlines),
        style_function=style,
        highlight_function=lambda _: {"weight": 4},
        tooltip=folium.GeoJsonTooltip(fields=["ward"], aliases=["Ward"]),
    )
    layer.add_to(group)
    _add_labels(group, frame, labels, focused)
    group.add_to(m)
    return group, layer


def label_points(polygons: np.ndarray) -> np.ndarray:
    """Where to write each polygon's label: its centroid when that lies well
    inside it (at least 0.7 of the largest inscribed circle's radius from the
    edge), else the centre of that circle (the point farthest inside), so a
    label sits in the roomiest part of a ward, never near an edge or outside
    a crescent; empty or broken shapes fall back to a point on the surface.

    >>> square = shapely.box(0, 0, 4, 2)
    >>> shapely.get_coordinates(label_points(np.array([square]))).round(1).tolist()
    [[2.0, 1.0]]
    """
    polygons = np.asarray(polygons, dtype=object)
    out: np.ndarray = shapely.point_on_surface(polygons)
    ok = shapely.is_valid(polygons) & ~shapely.is_empty(polygons)
    if ok.any():
        bounds = shapely.bounds(polygons[ok])
        # a thousandth of each shape's size: fine enough, and fast
        tolerance = np.maximum(
            np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
            / 1000.0,
            1e-9,
        )
        shapes = polygons[ok]
        circles = shapely.maximum_inscribed_circle(shapes, tolerance)
        centres = shapely.centroid(shapes)
        room = np.where(
            shapely.contains(shapes, centres),
            shapely.distance(centres, shapely.boundary(shapes)),
            0.0,
        )
        out[ok] = np.where(
            room >= 0.7 * shapely.length(circles),
            centres,
            shapely.get_point(circles, 0),
        )
    return out


def _short_names(frame: gpd.GeoDataFrame, n: int) -> list[str]:
    """ "W" and the ward's id ("W4") where the id is short; else "" (no short
    form: the label is hidden where it does not fit). Never a bare number,
    which would read as a site's rank."""
    if "ward_id" not in frame:
        return [""] * n
    return [
        f"W{escape_html(i)}" if len(i) <= 3 else ""
        for i in frame["ward_id"].astype(str).str.strip()
    ]


def _add_labels(
    parent: Element,
    frame: gpd.GeoDataFrame,
    labels: Sequence[str],
    first: np.ndarray | None = None,
    shorts: Sequence[str] | None = None,
) -> None:
    """One layer of invisible points carrying the wards' permanent labels.

    A marker per ward would cost a template render each. ``prio`` orders them
    for ``LabelDeclutter``: ``first`` (a boolean mask) on top, then by area;
    ``shorts`` (escaped, default ``_short_names``) is the form a label takes
    where the full one does not fit.
    """
    # ranking only: square degrees order wards as square metres do in one city
    area = shapely.area(frame.geometry.to_numpy())
    prio = np.argsort(np.argsort(area)) + 1
    if first is not None:
        prio = np.where(first, len(prio) + 1, prio)
    if shorts is None:
        shorts = _short_names(frame, len(labels))
    points = gpd.GeoDataFrame(
        {"ward": list(labels), "prio": prio.astype(int), "short": list(shorts)},
        geometry=label_points(frame.geometry.to_numpy()),
        crs=WGS84,
    )
    folium.GeoJson(
        _geojson(points),
        marker=folium.CircleMarker(radius=0, opacity=0, fill_opacity=0),
        on_each_feature=folium.JsCode(_LABEL_JS),
        interactive=False,
        control=False,
    ).add_to(parent)


def _add_choropleth(
    m: folium.Map, hexes: gpd.GeoDataFrame, measure: str, *, show: bool = True
) -> tuple[folium.GeoJson, str]:
    title, edges, colours = CHOROPLETHS[measure]
    frame = hexes.to_crs(WGS84)
    values = pd.to_numeric(frame[measure], errors="coerce").to_numpy(dtype=float)
    fill, edges = classify(values, measure)
    props = pd.DataFrame(
        {
            "fill": fill,
            "incidents": _int_text(frame.get("incidents"), len(frame)),
            "uncovered": _int_text(frame.get("incidents_uncovered"), len(frame)),
            "covered": [
                f"{v:.0%}"
                if np.isfinite(v)
                else ("withheld" if n > 0 else "no incidents")
                for v, n in zip(
                    pd.to_numeric(
                        frame.get(
                            "coverage_share", pd.Series(np.nan, index=frame.index)
                        ),
                        errors="coerce",
                    ),
                    pd.to_numeric(
                        frame.get("incidents", pd.Series(0, index=frame.index)),
                        errors="coerce",
                    ).fillna(0),
                    strict=True,
                )
            ],
        }
    )
    if "cameras" in frame:
        props.insert(0, "cameras", _int_text(frame["cameras"], len(frame)))
    # the figure the map is about comes first in the hover
    first = "covered" if measure == "coverage_share" else "uncovered"
    names = {
        "covered": "Within camera range",
        "uncovered": "Out of camera range",
        "incidents": "Incidents",
        "cameras": "Cameras",
    }
    fields = [first, *(f for f in HEX_FIELDS if f != first)]
    if "cameras" in props:
        fields.append("cameras")
    data = gpd.GeoDataFrame(props, geometry=frame.geometry.to_numpy(), crs=WGS84)
    layer = folium.GeoJson(
        _geojson(data),
        name=f"Hexagons: {title.lower()}",
        show=show,
        style_function=lambda f: {
            "color": "#888888",
            "weight": 0.3,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.65,
        },
        highlight_function=lambda _: {"weight": 2, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=fields, aliases=[names[f] for f in fields]
        ),
    )
    layer.add_to(m)
    rows = []
    for k, colour in enumerate(colours):
        lo, hi = edges[k], edges[k + 1]
        if measure == "coverage_share":
            label = f"{lo:.0%} – {min(hi, 1.0):.0%}"
        else:
            label = f"{lo:,.0f} – {hi - 1:,.0f}" if hi - lo > 1 else f"{lo:,.0f}"
        rows.append(_swatch(colour, label))
    rows.append(_swatch(NO_DATA_FILL, "no incidents, or withheld (privacy)"))
    return layer, f"<b>{escape_html(title)}</b><br>" + "".join(rows)


def classify(values: np.ndarray, measure: str) -> tuple[np.ndarray, tuple[float, ...]]:
    """Fill colour per value of a ``CHOROPLETHS`` measure, and the class edges.

    Missing values (a hex without incidents has no coverage share) are grey.

    >>> classify(np.array([0.05, 0.6, np.nan]), "coverage_share")[0].tolist()
    ['#fff7bc', '#2c7fb8', '#d9d9d9']
    """
    _, edges, colours = CHOROPLETHS[measure]
    values = np.asarray(values, dtype=float)
    if edges is None:
        edges = _count_edges(values, len(colours))
    idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(colours) - 1)
    fill = np.where(np.isfinite(values), np.array(colours)[idx], NO_DATA_FILL)
    return fill, tuple(edges)


def _count_edges(values: np.ndarray, n: int) -> tuple[float, ...]:
    """Integer class edges for counts: 0, then quantiles of the positive values."""
    positive = values[np.isfinite(values) & (values > 0)]
    if len(positive) == 0:
        return tuple(float(k) for k in range(n + 1))
    qs = np.quantile(positive, np.linspace(0, 1, n)[1:])
    edges = [0.0, 1.0]
    for q in qs[:-1]:
        edges.append(max(float(np.ceil(q)), edges[-1] + 1))
    edges.append(max(float(positive.max()) + 1, edges[-1] + 1))
    return tuple(edges[: n + 1])


def _add_heat(
    m: folium.Map, incidents: pd.DataFrame, *, show: bool = True
) -> HeatMap | None:
    grid = heat_grid(incidents["latitude"], incidents["longitude"])
    if len(grid) == 0:
        return None
    weight = np.round(grid[:, 2] / grid[:, 2].max(), 3)
    data = np.column_stack([np.round(grid[:, :2], HEAT_DECIMALS), weight]).tolist()
    heat = HeatMap(
        [[0.0, 0.0, 0.0]],
        name="Incidents (heat map)",
        radius=14,
        blur=18,
        min_opacity=0.3,
        max_zoom=14,
        show=show,
    )
    # the grid is finite by construction: skip folium's per-row validation
    # (0.1 s for 10,000 rows)
    heat.data = data
    heat.add_to(m)
    return heat


def _add_gaps(m: folium.Map, gaps: gpd.GeoDataFrame) -> folium.GeoJson:
    top = gaps.head(MAX_GAP_CELLS).to_crs(WGS84)
    ranks = (
        top["rank"].astype(int).tolist()
        if "rank" in top
        else list(range(1, len(top) + 1))
    )
    props = {"rank": [str(r) for r in ranks]}
    fields, aliases = ["rank"], ["Gap rank"]
    if "place" in top:
        props["place"] = _texts(top, "place", len(top))
        fields.append("place")
        aliases.append("Place")
    if "incidents_uncovered" in top:
        props["uncovered"] = _int_text(top["incidents_uncovered"], len(top))
        fields.append("uncovered")
        aliases.append("Incidents out of camera range")
    if "weighted_uncovered" in top:
        props["score"] = [f"{v:,.1f}" for v in top["weighted_uncovered"].astype(float)]
        fields.append("score")
        aliases.append("Severity-weighted")
    data = gpd.GeoDataFrame(props, geometry=top.geometry.to_numpy(), crs=WGS84)
    layer = folium.GeoJson(
        _geojson(data),
        name=f"Top {MAX_GAP_CELLS} coverage gaps",
        style_function=lambda _: {
            "color": GAP_LINE,
            "weight": 3,
            "dashArray": "6 4",
            "fillOpacity": 0.05,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    )
    layer.add_to(m)
    return layer


def _add_cameras(
    m: folium.Map,
    cameras: gpd.GeoDataFrame | RedactedCameras,
    role: str,
    city: CityConfig,
    viewshed_area: shapely.Geometry | None,
    range_scale: float,
    *,
    show: bool = True,
    note: bool = True,
    limit: shapely.Geometry | None = None,
) -> tuple[list[tuple[Layer | None, str]], Layer | None]:
    """Camera layers; returns legend entries and the cells layer (thematic)."""
    if isinstance(cameras, RedactedCameras):
        if cameras.audience != role:
            raise ValueError(
                f"cameras were redacted for {cameras.audience!r} but the map is for "
                f"{role!r}: redact them for the viewer's role"
            )
        redacted = cameras
    else:
        redacted = redact_cameras(cameras, role, city)
    legend: list[tuple[Layer | None, str]] = []
    cells_layer: Layer | None = None
    layer: Layer | None
    cells = getattr(redacted, "cells", None)
    if cells is not None and len(cells):
        cells_layer = _add_camera_cells(m, clip_to_limit(cells, limit))
        legend.append(
            (
                cells_layer,
                "<b>Cameras shown by area only</b><br>"
                + "".join(
                    _swatch(colour, label)
                    for colour, label in zip(CELL_COLOURS, _class_labels(), strict=True)
                ),
            )
        )
    points = redacted.points
    if points is not None and len(points):
        points = points.to_crs(WGS84)
        for tier in TIER_LABELS:
            subset = points[points["tier"] == tier] if "tier" in points else points
            if len(subset) == 0:
                continue
            layer = _add_camera_points(
                m, subset, tier, show=show, spread=viewshed_area is not None
            )
            legend.append((layer, _dot(TIER_COLOURS[tier], TIER_LABELS[tier])))
        if viewshed_area is not None:
            layer, drawn = _add_viewsheds(m, points, city, viewshed_area, range_scale)
            if drawn:
                legend.append(
                    (layer, _swatch(VIEWSHED_COLOUR, f"Camera views ({drawn:,})"))
                )
    text = getattr(redacted, "note", "") if note else ""
    if text:
        # folded: the note is long and would hide part of the city
        legend.append(
            (
                None,
                '<details style="color:#555;margin-top:3px;font-size:10.5px">'
                "<summary>What is withheld</summary>"
                f"{escape_html(text)}</details>",
            )
        )
    return legend, cells_layer


def _add_camera_points(
    m: folium.Map,
    points: gpd.GeoDataFrame,
    tier: str,
    *,
    show: bool = True,
    spread: bool = False,
) -> _Cluster:
    """One clustered layer per tier; ``spread`` clusters less (views are drawn)."""
    colour = TIER_COLOURS[tier]
    layer = _Cluster(
        camera_rows(points),
        name=f"Cameras: {TIER_LABELS[tier].lower()}",
        callback=_CAMERA_CALLBACK % {"colour": colour},
        popup=_CAMERA_POPUP % {"owners": json.dumps(list(OWNER_TYPES))},
        icon_create_function=_CLUSTER_ICON % colour,
        disableClusteringAtZoom=15 if spread else 17,
        maxClusterRadius=30 if spread else 50,
        show=show,
    )
    layer.add_to(m)
    return layer


def camera_rows(points: gpd.GeoDataFrame) -> list[list[Any]]:
    """Compact rows ``[lat, lon, id, cameras, owner index, address]`` per point.

    Text is HTML-escaped here; the browser builds each popup only when opened,
    which keeps 30,000 cameras to about 2 MB of map.
    """
    n = len(points)
    lat = np.round(points.geometry.y.to_numpy(), COORD_DECIMALS).tolist()
    lon = np.round(points.geometry.x.to_numpy(), COORD_DECIMALS).tolist()
    ids = _texts(points, "camera_id", n)
    addresses = _texts(points, "address", n)
    counts = (
        pd.to_numeric(points["camera_count"], errors="coerce")
        .fillna(1)
        .astype(int)
        .tolist()
        if "camera_count" in points
        else [1] * n
    )
    owner_index = {o: i for i, o in enumerate(OWNER_TYPES)}
    owners = (
        [owner_index.get(o, 0) for o in points["owner_type"].tolist()]
        if "owner_type" in points
        else [0] * n
    )
    return [
        list(row) for row in zip(lat, lon, ids, counts, owners, addresses, strict=True)
    ]


def _texts(frame: pd.DataFrame, column: str, n: int) -> list[str]:
    if column not in frame:
        return [""] * n
    return [
        ""
        if v is None or v is pd.NA or (isinstance(v, float) and v != v)
        else escape_html(v)
        for v in frame[column].tolist()
    ]


def _add_camera_cells(m: folium.Map, cells: gpd.GeoDataFrame) -> folium.GeoJson:
    """Camera counts by area, switched off: the legend switches them on when
    the page chooses them (``Legend(shown=...)``)."""
    frame = cells.to_crs(WGS84)
    count_col = next(
        (c for c in ("cameras", "camera_count", "count", "n") if c in frame), None
    )
    counts = (
        pd.to_numeric(frame[count_col], errors="coerce").fillna(0).to_numpy()
        if count_col
        else np.zeros(len(frame))
    )
    idx = np.searchsorted(CELL_EDGES, counts, side="right") - 1
    data = gpd.GeoDataFrame(
        {
            "cameras": [f"{int(v):,}" for v in counts],
            "fill": np.array(CELL_COLOURS)[np.clip(idx, 0, len(CELL_COLOURS) - 1)],
        },
        geometry=frame.geometry.to_numpy(),
        crs=WGS84,
    )
    layer = folium.GeoJson(
        _geojson(data),
        name="Cameras by area (exact places withheld)",
        show=False,
        style_function=lambda f: {
            "color": "#1f78b4",
            "weight": 0.5,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["cameras"], aliases=["Cameras here"]),
    )
    layer.add_to(m)
    return layer


def _add_viewsheds(
    m: folium.Map,
    points: gpd.GeoDataFrame,
    city: CityConfig,
    area: shapely.Geometry,
    range_scale: float,
) -> tuple[folium.GeoJson | None, int]:
    from analytics.viewshed import prepare_cameras, viewshed_polygons

    inside = points[points.geometry.within(area)]
    if len(inside) == 0:
        return None, 0
    inside = inside.head(MAX_VIEWSHEDS)
    prepared = prepare_cameras(inside, city, range_scale=range_scale)
    if len(prepared) == 0:
        return None, 0
    polygons = viewshed_polygons(prepared)
    if polygons.crs is None:
        polygons = polygons.set_crs(city.metric_crs)
    shapes = gpd.GeoDataFrame(geometry=polygons.to_crs(WGS84).simplify(1e-5))
    if "views" not in m._children:
        # above the camera markers: a cluster bubble never hides a view
        folium.map.CustomPane("views", z_index=610, pointer_events=False).add_to(m)
    layer = folium.GeoJson(
        _geojson(shapes),
        name="Camera views in the selected area",
        style_function=lambda _: {
            "color": VIEWSHED_COLOUR,
            "weight": 0.5,
            "fillColor": VIEWSHED_COLOUR,
            "fillOpacity": 0.25,
        },
        interactive=False,
        pane="views",
    )
    layer.add_to(m)
    return layer, len(shapes)


def site_rows(sites: gpd.GeoDataFrame) -> list[list[Any]]:
    """Rows ``[lat, lon, rank, tooltip html]`` of the numbered site markers.

    The tooltip names the place (``place`` column) when there is one; all text
    is HTML-escaped.
    """
    frame = sites.head(MAX_SITE_MARKERS).to_crs(WGS84)
    n = len(frame)
    ranks = (
        frame["rank"].astype(int).tolist() if "rank" in frame else list(range(1, n + 1))
    )
    places = _texts(frame, "place", n)
    gains = (
        [f"+{v:,.1f}" for v in frame["marginal_gain"].astype(float)]
        if "marginal_gain" in frame
        else [""] * n
    )
    lat = np.round(frame.geometry.y.to_numpy(), COORD_DECIMALS).tolist()
    lon = np.round(frame.geometry.x.to_numpy(), COORD_DECIMALS).tolist()
    rows = []
    for y, x, rank, place, gain in zip(lat, lon, ranks, places, gains, strict=True):
        tip = f"<b>Site {rank}</b>"
        if place:
            tip += f"<br>{place}"
        if gain:
            tip += f"<br>Weighted incidents added: {gain}"
        rows.append([y, x, int(rank), tip])
    return rows


def _add_sites(m: folium.Map, sites: gpd.GeoDataFrame) -> _NumberedSites:
    layer = _NumberedSites(site_rows(sites), name="Recommended sites (numbered)")
    layer.add_to(m)
    return layer


# --- helpers ---------------------------------------------------------------------
def _geojson(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """GeoJSON dict with coordinates rounded to ``COORD_DECIMALS``.

    Geometries go through shapely's vectorised writer in one JSON parse, about
    ten times faster than GeoDataFrame.to_json for a thousand hexagons.
    """
    geoms = shapely.transform(
        frame.geometry.to_numpy(), lambda xy: np.round(xy, COORD_DECIMALS)
    )
    geometries = json.loads("[" + ",".join(shapely.to_geojson(geoms)) + "]")
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geometry}
            for props, geometry in zip(records, geometries, strict=True)
        ],
    }


def _int_text(values: Sequence[Any] | None, n: int) -> list[str]:
    if values is None:
        return ["–"] * n
    return [
        f"{int(v):,}" if v == v and v is not None else "–"
        for v in pd.to_numeric(pd.Series(values), errors="coerce")
    ]


def _class_labels() -> list[str]:
    edges = (*CELL_EDGES, None)
    return [
        f"under {hi}" if lo == 0 else f"{lo}+" if hi is None else f"{lo}–{hi - 1}"
        for lo, hi in pairwise(edges)
    ]


def walk(element: Element) -> Iterator[Element]:
    """``element`` and everything below it, depth first."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from walk(child)


def _swatch(fill: str, label: str) -> str:
    return (
        f'<div><span style="display:inline-block;width:14px;height:10px;'
        f'background:{fill};border:1px solid #999;margin-right:5px"></span>'
        f"{escape_html(label)}</div>"
    )


def _line_swatch(colour: str, label: str, *, dash: bool = False) -> str:
    style = "dashed" if dash else "solid"
    return (
        f'<div><span style="display:inline-block;width:14px;height:0;'
        f'border-top:3px {style} {colour};margin:0 5px 3px 0"></span>'
        f"{escape_html(label)}</div>"
    )


def _dot(colour: str, label: str) -> str:
    return (
        f'<div><span style="display:inline-block;width:10px;height:10px;'
        f'border-radius:50%;background:{colour};margin:0 7px 0 2px"></span>'
        f"{escape_html(label)}</div>"
    )


def _site_swatch(label: str) -> str:
    return (
        f'<div><span class="camreg-site" style="display:inline-block;width:16px;'
        f'height:16px;line-height:12px;font-size:9px;margin-right:5px">1</span>'
        f"{escape_html(label)}</div>"
    )


def build_ward_map(
    wards: gpd.GeoDataFrame,
    *,
    measure: str = "weighted_incident_coverage_share",
    title: str = "Crime-weighted coverage",
    city: CityConfig,
    city_limit: gpd.GeoDataFrame | None = None,
    selected: str | None = None,
    tiles: str | None = "OpenStreetMap",
    asset_base: str | None = None,
) -> folium.Map:
    """Wards coloured by a share (0-1) with a permanent label each: name and value.

    ``wards`` is the ward table of the coverage report with polygons
    (``ward_id``, ``ward_name``, ``measure``; ``cameras`` and ``incidents`` are
    shown on hover when present). Each feature carries ``ward_id`` so a click
    (streamlit-folium's ``last_active_drawing``) names the ward; ``selected``
    (a ``ward_id``) is outlined and the others are faded.
    """
    if measure not in wards:
        raise ValueError(
            f"`measure` was {measure!r} but is expected to be a column of the ward "
            f"table: {[c for c in wards.columns if c != 'geometry']}"
        )
    _, _, colours = CHOROPLETHS["coverage_share"]
    edges = COVERAGE_EDGES
    frame = wards.to_crs(WGS84)
    values = pd.to_numeric(frame[measure], errors="coerce").to_numpy(dtype=float)
    fill, _ = classify(values, "coverage_share")
    names = [escape_html(n) for n in frame["ward_name"].astype(str)]
    shown = ["no incidents" if not np.isfinite(v) else f"{v:.0%}" for v in values]
    ids = frame["ward_id"].astype(str).tolist()
    props = pd.DataFrame(
        {
            "ward_id": ids,
            "ward": names,
            "value": shown,
            "fill": fill,
            "selected": [i == selected for i in ids],
            "label": [f"{n}<br>{v}" for n, v in zip(names, shown, strict=True)],
        }
    )
    fields, aliases = ["ward", "value"], ["Ward", title]
    for col, alias in (("cameras", "Cameras"), ("incidents", "Incidents")):
        if col in frame:
            props[col] = _int_text(frame[col], len(frame))
            fields.append(col)
            aliases.append(alias)
    bounds = _view_bounds(city, city_limit if city_limit is not None else wards, None)
    m = _base_map(bounds, zoom=_zoom_for(bounds, compact=False))
    tile_layer = _add_tiles(m, tiles)
    # the offline tints are copied in the browser from the ward shapes below
    fallback = _add_offline_background(
        m, frame, city_limit, None, tiles is None, tint_later=True
    )
    if tile_layer is not None and fallback is not None:
        _OfflineFallback(tile_layer, fallback).add_to(m)
    anyone = selected is not None and selected in ids
    # styles are worked out here, by ward: the features carry only what the
    # tooltip and a click read
    styles = {
        i: {
            "color": WARD_LINE,
            "weight": 1.5,
            "fillColor": colour,
            "fillOpacity": 0.35 if anyone else 0.8,
        }
        for i, colour in zip(ids, fill, strict=True)
    }
    if anyone:
        styles[selected] |= {
            "color": FOCUS_LINE,
            "weight": FOCUS_WEIGHT,
            "className": "camreg-focus",
            "fillOpacity": 0.8,
        }
    data = gpd.GeoDataFrame(
        props.drop(columns=["fill", "selected", "label"]),
        geometry=frame.geometry.to_numpy(),
        crs=WGS84,
    )
    layer = folium.GeoJson(
        _geojson(data),
        name=title,
        style_function=lambda f: styles[f["properties"]["ward_id"]],
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    )
    layer.add_to(m)
    if fallback is not None:
        _WardTints(fallback, layer).add_to(m)
    shorts = [
        f"{short}<br>{v}" if short else ""
        for short, v in zip(_short_names(frame, len(ids)), shown, strict=True)
    ]
    _add_labels(
        m, frame, props["label"].tolist(), np.asarray(props["selected"]), shorts
    )
    rows = [
        _swatch(colour, f"{lo:.0%} – {min(hi, 1.0):.0%}")
        for colour, lo, hi in zip(colours, edges[:-1], edges[1:], strict=True)
    ]
    rows.append(_swatch(NO_DATA_FILL, "no incidents"))
    folium.LayerControl(collapsed=True).add_to(m)
    Legend(
        [(layer, f"<b>{escape_html(title)}</b><br>" + "".join(rows))],
        background=BACKGROUND,
    ).add_to(m)
    MapFrame(_corners(bounds)).add_to(m)
    LabelDeclutter(LABEL_PANE).add_to(m)
    if asset_base is not None:
        use_local_assets(m, asset_base)
    return m
