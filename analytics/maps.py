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

import json
from collections.abc import Sequence
from itertools import pairwise

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.plugins import FastMarkerCluster, HeatMap
from folium.template import Template

from analytics.config import CityConfig
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
COORD_DECIMALS = 5  # ~1 m: plenty for display, halves the GeoJSON size
HEAT_CELL_M = 200.0  # incidents are binned to this grid before the heat map
HEAT_DECIMALS = 4  # ~10 m: far finer than the heat map's blur
MAX_VIEWSHEDS = 1_500  # camera views drawn at most (each is a polygon)
MAX_GAP_CELLS = 25
MAX_SITE_MARKERS = 200
TIER_COLOURS = {"registered": "#1f78b4", "integrated": "#6a3d9a"}
TIER_LABELS = {
    "registered": "Registered (location only)",
    "integrated": "Integrated (live access)",
}
CITY_FILL = "#f3efe4"
BACKGROUND = "#e9eef2"
WARD_LINE = "#444444"
GAP_LINE = "#ff7f00"
SITE_COLOUR = "#e7298a"
VIEWSHED_COLOUR = "#33a02c"
NO_DATA_FILL = "#d9d9d9"
# Aggregated camera cells: count class edges and fills
CELL_EDGES = (0, 10, 25, 50)
CELL_COLOURS = ("#deebf7", "#9ecae1", "#4292c6", "#08519c")
HEX_FIELDS = ("incidents", "uncovered", "covered")
# Choropleth measures: hex column -> (legend title, bin edges or None for data
# quantiles, colours from low to high)
CHOROPLETHS = {
    "coverage_share": (
        "Share of incidents within camera range",
        (0.0, 0.1, 0.25, 0.5, 0.75, 1.0000001),
        ("#fff7bc", "#c7e9b4", "#7fcdbb", "#2c7fb8", "#253494"),
    ),
    "incidents_uncovered": (
        "Incidents out of camera range",
        None,
        ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    ),
}
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

# Draws a clustered camera as a small circle in its tier colour; a row is
# [lat, lon, popup html or ""]. The popup text is escaped in Python.
_CAMERA_CALLBACK = """\
function (row) {
    var owners = %(owners)s;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: 5, color: "#ffffff", weight: 1, fillColor: "%(colour)s",
        fillOpacity: 0.9
    });
    marker.bindPopup(function () {
        var html = "<b>Camera</b> " + row[2] + "<br><b>Cameras</b> " + row[3]
            + "<br><b>Owner</b> " + owners[row[4]];
        if (row[5]) { html += "<br><b>Address</b> " + row[5]; }
        return html;
    });
    return marker;
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
        opacity: 0.85
    });
}"""


class _Cluster(FastMarkerCluster):
    """FastMarkerCluster that honours ``show=False``.

    folium's template always adds the cluster to the map; here, as for other
    layers, ``Layer.render`` adds it only when ``show`` is True.
    """

    _template = Template(
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
                for (var i = 0; i < data.length; i++) {
                    callback(data[i]).addTo(cluster);
                }
                return cluster;
            })();
        {% endmacro %}"""
    )


class Legend(MacroElement):
    """A static, collapsible legend as a Leaflet control, and the maps' CSS.

    Both live in the map script and its header, which streamlit-folium keeps
    (it drops only external script and stylesheet links).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .camreg-legend {background: rgba(255,255,255,0.93); padding: 5px 8px;
            font: 12px/1.35 sans-serif; border-radius: 4px; max-width: 250px;
            box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-height: 60vh;
            overflow-y: auto}
        .camreg-legend summary {cursor: pointer; font-weight: bold}
        .leaflet-control-layers {font: 12px/1.4 sans-serif}
        .leaflet-control-layers-expanded {padding: 4px 8px}
        /* position + nowrap here as well as in leaflet.css: a label measured
           before that stylesheet loads is as wide as the map, and Leaflet
           centres it half a map too far left */
        .camreg-ward-label {position: absolute; white-space: nowrap;
            background: transparent; border: 0; box-shadow: none;
            font: bold 11px sans-serif; color: #333; padding: 0;
            text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff}
        .camreg-ward-label:before {display: none}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "camreg-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
            {{ this._parent.get_name() }}.getContainer().style.background =
                {{ this.background|tojson }};
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        html: str,
        *,
        position: str = "bottomleft",
        background: str = "",
        open_: bool = True,
    ):
        super().__init__()
        self._name = "Legend"
        state = " open" if open_ else ""
        self.html = f"<details{state}><summary>Legend</summary>{html}</details>"
        self.position = position
        self.background = background


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
) -> folium.Map:
    """Build the coverage map with a layer control and a legend.

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
        ``incidents_uncovered``, ``cameras``, ``incidents`` ... and polygons).
    choropleth
        Which hex measure to colour: a key of ``CHOROPLETHS``.
    gaps
        Ranked gap cells (polygons); the first ``MAX_GAP_CELLS`` are outlined.
    incidents
        Incidents (``latitude``/``longitude``); binned to ``HEAT_CELL_M`` and
        drawn as a heat map.
    wards, city_limit
        Boundary polygons, drawn filled beneath everything else.
    viewshed_area
        A WGS84 polygon (e.g. the selected ward): the map opens on it and the
        views of the visible cameras inside it are drawn, at most
        ``MAX_VIEWSHEDS``.
    range_scale
        Multiplier of the default camera ranges for the drawn views.
    sites
        Recommended recruitment sites (points, in rank order).
    tiles
        Folium tile name, or None for the plain background only.
    asset_base
        URL prefix where the files of ``LOCAL_ASSETS`` are served; None keeps
        folium's CDN links.
    show_cameras
        Whether the camera layers start switched on (they can be toggled).
    compact
        Small-map mode: layer control and legend start folded, no privacy note.

    Returns
    -------
    folium.Map
    """
    if choropleth not in CHOROPLETHS:
        raise ValueError(
            f"`choropleth` was {choropleth!r} but is expected to be in "
            f"{list(CHOROPLETHS)}"
        )
    validate_audience(role)
    if hexes is not None:
        hexes = hexes_for_audience(hexes, role)
    bounds = _view_bounds(city, city_limit, viewshed_area)
    m = _base_map(bounds, tiles, zoom=_zoom_for(bounds, compact))
    legend: list[str] = []
    if city_limit is not None and len(city_limit):
        _add_city_limit(m, city_limit)
    if hexes is not None and len(hexes):
        legend.append(_add_choropleth(m, hexes, choropleth))
    if incidents is not None and len(incidents):
        _add_heat(m, incidents)
        legend.append(
            _swatch("linear-gradient(90deg,#00f,#0f0,#ff0,#f00)", "Incidents (heat)")
        )
    if wards is not None and len(wards):
        _add_wards(m, wards)
        legend.append(_line_swatch(WARD_LINE, "Ward boundary"))
    if gaps is not None and len(gaps):
        _add_gaps(m, hexes_for_audience(gaps, role))
        legend.append(
            _line_swatch(GAP_LINE, f"Top {MAX_GAP_CELLS} gap cells", dash=True)
        )
    if cameras is not None:
        legend.extend(
            _add_cameras(
                m,
                cameras,
                role,
                city,
                viewshed_area,
                range_scale,
                show=show_cameras,
                note=not compact,
            )
        )
    if sites is not None and len(sites):
        _add_sites(m, sites)
        legend.append(_dot(SITE_COLOUR, "Recommended site (rank)"))
    folium.LayerControl(collapsed=compact).add_to(m)
    Legend("".join(legend), background=BACKGROUND, open_=not compact).add_to(m)
    if asset_base is not None:
        use_local_assets(m, asset_base)
    return m


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


def use_local_assets(m: folium.Map, base: str) -> folium.Map:
    """Point every JS/CSS link of ``m`` at local copies under ``base``.

    Links without a local copy are dropped: they belong to features these maps do
    not use, and one unreachable script stops streamlit-folium drawing anything.
    """
    base = base.rstrip("/")
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            setattr(
                element,
                attr,
                [
                    (name, f"{base}/{LOCAL_ASSETS[name]}")
                    for name, _ in links
                    if name in LOCAL_ASSETS
                ],
            )
    return m


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
def _view_bounds(
    city: CityConfig,
    city_limit: gpd.GeoDataFrame | None,
    focus: shapely.Geometry | None,
) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) to open on: the focus area, else the city."""
    if focus is not None and not focus.is_empty:
        return tuple(float(v) for v in focus.bounds)
    if city_limit is not None and len(city_limit):
        return tuple(float(v) for v in city_limit.to_crs(WGS84).total_bounds)
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


def _base_map(
    bounds: tuple[float, float, float, float], tiles: str | None, *, zoom: int
) -> folium.Map:
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    if tiles:
        folium.TileLayer(
            tiles, name="Street map (needs internet)", overlay=False, control=True
        ).add_to(m)
    return m


def _add_city_limit(m: folium.Map, city_limit: gpd.GeoDataFrame) -> None:
    folium.GeoJson(
        _geojson(city_limit.to_crs(WGS84)[["geometry"]]),
        name="City limit",
        style_function=lambda _: {
            "color": "#222222",
            "weight": 2,
            "fillColor": CITY_FILL,
            "fillOpacity": 0.55,
        },
        interactive=False,
    ).add_to(m)


def _add_wards(m: folium.Map, wards: gpd.GeoDataFrame) -> None:
    frame = wards.to_crs(WGS84)
    names = frame["ward_name"] if "ward_name" in frame else frame.get("ward_id")
    labels = [escape_html(n) for n in names]
    outlines = gpd.GeoDataFrame({"ward": labels}, geometry=frame.geometry, crs=WGS84)
    group = folium.FeatureGroup(name="Wards", show=True)
    folium.GeoJson(
        _geojson(outlines),
        style_function=lambda _: {"color": WARD_LINE, "weight": 2, "fillOpacity": 0.0},
        highlight_function=lambda _: {"weight": 4},
        tooltip=folium.GeoJsonTooltip(fields=["ward"], aliases=["Ward"]),
    ).add_to(group)
    # one layer of invisible points carrying permanent labels: a marker per ward
    # would cost a template render each
    points = gpd.GeoDataFrame(
        {"ward": labels}, geometry=frame.geometry.representative_point(), crs=WGS84
    )
    folium.GeoJson(
        _geojson(points),
        marker=folium.CircleMarker(radius=0, opacity=0, fill_opacity=0),
        on_each_feature=folium.JsCode(_LABEL_JS),
        interactive=False,
    ).add_to(group)
    group.add_to(m)


def _add_choropleth(m: folium.Map, hexes: gpd.GeoDataFrame, measure: str) -> str:
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
    data = gpd.GeoDataFrame(props, geometry=frame.geometry.to_numpy(), crs=WGS84)
    folium.GeoJson(
        _geojson(data),
        name=f"Hex grid: {title.lower()}",
        style_function=lambda f: {
            "color": "#888888",
            "weight": 0.3,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.6,
        },
        highlight_function=lambda _: {"weight": 2, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=[*(["cameras"] if "cameras" in props else []), *HEX_FIELDS],
            aliases=[
                *(["Cameras"] if "cameras" in props else []),
                "Incidents",
                "Out of camera range",
                "Within camera range",
            ],
        ),
    ).add_to(m)
    rows = []
    for k, colour in enumerate(colours):
        lo, hi = edges[k], edges[k + 1]
        if measure == "coverage_share":
            label = f"{lo:.0%} – {min(hi, 1.0):.0%}"
        else:
            label = f"{lo:,.0f} – {hi - 1:,.0f}" if hi - lo > 1 else f"{lo:,.0f}"
        rows.append(_swatch(colour, label))
    rows.append(_swatch(NO_DATA_FILL, "no incidents, or withheld (privacy)"))
    return f"<b>{escape_html(title)}</b><br>" + "".join(rows)


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


def _add_heat(m: folium.Map, incidents: pd.DataFrame) -> None:
    grid = heat_grid(incidents["latitude"], incidents["longitude"])
    if len(grid) == 0:
        return
    weight = np.round(grid[:, 2] / grid[:, 2].max(), 3)
    data = np.column_stack([np.round(grid[:, :2], HEAT_DECIMALS), weight]).tolist()
    heat = HeatMap(
        [[0.0, 0.0, 0.0]],
        name="Incidents (heat map)",
        radius=14,
        blur=18,
        min_opacity=0.3,
        max_zoom=14,
        show=True,
    )
    # the grid is finite by construction: skip folium's per-row validation
    # (0.1 s for 10,000 rows)
    heat.data = data
    heat.add_to(m)


def _add_gaps(m: folium.Map, gaps: gpd.GeoDataFrame) -> None:
    top = gaps.head(MAX_GAP_CELLS).to_crs(WGS84)
    ranks = (
        top["rank"].astype(int).tolist()
        if "rank" in top
        else list(range(1, len(top) + 1))
    )
    score_col = next(
        (
            c
            for c in ("weighted_uncovered", "severity_uncovered", "incidents_uncovered")
            if c in top
        ),
        None,
    )
    props = {"rank": [str(r) for r in ranks]}
    fields, aliases = ["rank"], ["Gap rank"]
    if score_col:
        props["score"] = [f"{v:,.1f}" for v in top[score_col].astype(float)]
        fields.append("score")
        aliases.append(score_col.replace("_", " ").capitalize())
    data = gpd.GeoDataFrame(props, geometry=top.geometry.to_numpy(), crs=WGS84)
    folium.GeoJson(
        _geojson(data),
        name=f"Top {MAX_GAP_CELLS} coverage gaps",
        style_function=lambda _: {
            "color": GAP_LINE,
            "weight": 3,
            "dashArray": "6 4",
            "fillOpacity": 0.05,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
    ).add_to(m)


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
) -> list[str]:
    if isinstance(cameras, RedactedCameras):
        if cameras.audience != role:
            raise ValueError(
                f"cameras were redacted for {cameras.audience!r} but the map is for "
                f"{role!r}: redact them for the viewer's role"
            )
        redacted = cameras
    else:
        redacted = redact_cameras(cameras, role, city)
    legend: list[str] = []
    cells = getattr(redacted, "cells", None)
    if cells is not None and len(cells):
        _add_camera_cells(m, cells, show=show)
        legend.append(
            "<b>Cameras shown by area only</b><br>"
            + "".join(
                _swatch(colour, label)
                for colour, label in zip(CELL_COLOURS, _class_labels(), strict=True)
            )
        )
    points = redacted.points
    if points is not None and len(points):
        points = points.to_crs(WGS84)
        for tier in TIER_LABELS:
            subset = points[points["tier"] == tier] if "tier" in points else points
            if len(subset) == 0:
                continue
            _add_camera_points(m, subset, tier, show=show)
            legend.append(_dot(TIER_COLOURS[tier], TIER_LABELS[tier]))
        if viewshed_area is not None:
            drawn = _add_viewsheds(m, points, city, viewshed_area, range_scale)
            if drawn:
                legend.append(_swatch(VIEWSHED_COLOUR, f"Camera views ({drawn:,})"))
    text = getattr(redacted, "note", "") if note else ""
    if text:
        # folded: the note is long and would hide part of the city
        legend.append(
            '<details style="color:#555;margin-top:3px;font-size:10.5px">'
            "<summary>What is withheld</summary>"
            f"{escape_html(text)}</details>"
        )
    return legend


def _add_camera_points(
    m: folium.Map, points: gpd.GeoDataFrame, tier: str, *, show: bool = True
) -> None:
    colour = TIER_COLOURS[tier]
    _Cluster(
        camera_rows(points),
        name=f"Cameras: {TIER_LABELS[tier].lower()}",
        callback=_CAMERA_CALLBACK
        % {"owners": json.dumps(list(OWNER_TYPES)), "colour": colour},
        icon_create_function=_CLUSTER_ICON % colour,
        disableClusteringAtZoom=17,
        maxClusterRadius=50,
        show=show,
    ).add_to(m)


def camera_rows(points: gpd.GeoDataFrame) -> list[list]:
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


def _add_camera_cells(
    m: folium.Map, cells: gpd.GeoDataFrame, *, show: bool = True
) -> None:
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
    folium.GeoJson(
        _geojson(data),
        name="Cameras by area (exact places withheld)",
        show=show,
        style_function=lambda f: {
            "color": "#1f78b4",
            "weight": 0.5,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.5,
        },
        tooltip=folium.GeoJsonTooltip(fields=["cameras"], aliases=["Cameras here"]),
    ).add_to(m)


def _add_viewsheds(
    m: folium.Map,
    points: gpd.GeoDataFrame,
    city: CityConfig,
    area: shapely.Geometry,
    range_scale: float,
) -> int:
    from analytics.viewshed import prepare_cameras, viewshed_polygons

    inside = points[points.geometry.within(area)]
    if len(inside) == 0:
        return 0
    inside = inside.head(MAX_VIEWSHEDS)
    prepared = prepare_cameras(inside, city, range_scale=range_scale)
    if len(prepared) == 0:
        return 0
    polygons = viewshed_polygons(prepared)
    if polygons.crs is None:
        polygons = polygons.set_crs(city.metric_crs)
    shapes = gpd.GeoDataFrame(geometry=polygons.to_crs(WGS84).simplify(1e-5))
    folium.GeoJson(
        _geojson(shapes),
        name="Camera views in the selected area",
        style_function=lambda _: {
            "color": VIEWSHED_COLOUR,
            "weight": 0.5,
            "fillColor": VIEWSHED_COLOUR,
            "fillOpacity": 0.25,
        },
        interactive=False,
    ).add_to(m)
    return len(shapes)


def _add_sites(m: folium.Map, sites: gpd.GeoDataFrame) -> None:
    frame = sites.head(MAX_SITE_MARKERS).to_crs(WGS84)
    ranks = (
        frame["rank"].astype(int).tolist()
        if "rank" in frame
        else list(range(1, len(frame) + 1))
    )
    gains = (
        [f"+{v:,.1f}" for v in frame["marginal_gain"].astype(float)]
        if "marginal_gain" in frame
        else ["–"] * len(frame)
    )
    data = gpd.GeoDataFrame(
        {"site": [str(r) for r in ranks], "gain": gains},
        geometry=frame.geometry.to_numpy(),
        crs=WGS84,
    )
    folium.GeoJson(
        _geojson(data),
        name="Recommended sites",
        marker=folium.CircleMarker(
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=SITE_COLOUR,
            fill_opacity=0.95,
        ),
        tooltip=folium.GeoJsonTooltip(
            fields=["site", "gain"],
            aliases=["Recommended site", "Weighted incidents added"],
        ),
    ).add_to(m)


# --- helpers ---------------------------------------------------------------------
def _geojson(frame: gpd.GeoDataFrame) -> dict:
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


def _int_text(values: Sequence | None, n: int) -> list[str]:
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


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


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
