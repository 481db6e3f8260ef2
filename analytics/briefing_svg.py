"""Inline SVG maps and charts for the council briefing.

Drawn by our own code so the briefing opens offline from an email attachment: no
JavaScript, no CDN, no web fonts, no external images. Every element holding
text (labels, tooltips, titles) is built with :class:`analytics.markup.Html`,
which escapes its arguments; the charts are returned as ``Html`` for the
briefing's template.

Maps take WGS84 geometries and draw them in the city's metric CRS, so shapes keep
their true proportions. Only the geometries handed in are drawn: callers pass
aggregated cells and ward polygons, never private camera points.

>>> svg = bar_chart(["Ward 1"], {"Coverage": [0.25]})
>>> svg.startswith("<svg") and "Ward 1" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.markup import Html

# Sequential palette (light to dark blue-green), colour-blind safe and legible in
# greyscale print. Gaps use a light-to-dark orange ramp.
BLUES = ("#edf8fb", "#b2e2e2", "#66c2a4", "#2ca25f", "#006d2c")
ORANGES = ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")
PURPLES = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA = "#f2f2f2"
# metric coordinates (n x 2) -> pixel coordinates of the drawing
ToPixels = Callable[[np.ndarray], np.ndarray]
INK = "#222222"
MUTED = "#666666"
SERIES_COLOURS = ("#1f5f8b", "#d95f02", "#7570b3", "#1b9e77")
FONT = "font-family:Arial,Helvetica,sans-serif"


def _tag(template: str, *args: object) -> str:
    """``template`` (trusted SVG) with every argument escaped into it."""
    return str(Html(template).format(*args))


def _title(text: object) -> str:
    """A tooltip element; the text is data and escaped."""
    return _tag("<title>{}</title>", text)


@dataclass(frozen=True)
class MapLayer:
    """Geometries to draw on one map, with one fill and tooltip per geometry.

    ``geometry`` is WGS84. ``fills`` and ``titles`` (plain text, escaped here)
    align with it; ``radius`` draws points as circles of that many pixels.
    """

    geometry: gpd.GeoSeries
    fills: Sequence[str] | str = "none"
    stroke: str = "#ffffff"
    stroke_width: float = 0.6
    titles: Sequence[str] | None = None
    labels: Sequence[str] | None = None
    radius: float = 2.5
    opacity: float = 1.0


@dataclass(frozen=True)
class Legend:
    """Colour classes shown under a map: (colour, plain-text label) pairs."""

    title: str
    items: Sequence[tuple[str, str]] = field(default_factory=tuple)


def class_breaks(values: Sequence[float] | np.ndarray, classes: int = 5) -> np.ndarray:
    """Quantile class breaks (``classes + 1`` edges) of the finite values.

    >>> class_breaks([0, 1, 2, 3, 4], classes=2).tolist()
    [0.0, 2.0, 4.0]
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return np.array([0.0, 1.0])
    edges = np.unique(np.quantile(arr, np.linspace(0, 1, classes + 1)))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0] + 1.0])
    return edges


def classify(
    values: Sequence[float] | np.ndarray,
    edges: np.ndarray,
    palette: Sequence[str] = BLUES,
) -> list[str]:
    """Colour for each value: its class among ``edges``; NaN gets ``NO_DATA``."""
    arr = np.asarray(values, dtype=float)
    n = len(edges) - 1
    # spread the classes over the palette so 2 classes use the ends, not the start
    picks = np.linspace(0, len(palette) - 1, max(n, 1)).round().astype(int)
    idx = np.clip(np.searchsorted(edges, arr, side="right") - 1, 0, n - 1)
    return [
        palette[picks[i]] if np.isfinite(v) else NO_DATA
        for i, v in zip(idx, arr, strict=True)
    ]


def legend_for(
    title: str, edges: np.ndarray, palette: Sequence[str] = BLUES, fmt: str = "{:,.0f}"
) -> Legend:
    """Legend items ``"a to b"`` for the classes of ``edges``."""
    n = len(edges) - 1
    picks = np.linspace(0, len(palette) - 1, max(n, 1)).round().astype(int)
    items = [
        (palette[picks[i]], f"{fmt.format(edges[i])} to {fmt.format(edges[i + 1])}")
        for i in range(n)
    ]
    return Legend(title, tuple(items))


def svg_map(
    layers: Sequence[MapLayer],
    metric_crs: str,
    *,
    width: int = 640,
    height: int = 440,
    extent: gpd.GeoSeries | None = None,
    title: str = "",
    legend: Legend | None = None,
    pad: float = 12.0,
) -> Html:
    """One map as an inline ``<svg>`` element.

    Parameters
    ----------
    layers
        Drawn in order, first at the bottom.
    metric_crs
        Projected CRS (metres) the map is drawn in; the city's ``metric_crs``.
    extent
        Geometries whose bounds frame the map; all layers when None.
    title
        Accessible name of the figure (plain text).
    legend
        Colour classes drawn in the lower-left corner.
    """
    projected = [layer.geometry.to_crs(metric_crs) for layer in layers]
    frame = extent.to_crs(metric_crs) if extent is not None else None
    bounds = _bounds(frame if frame is not None else pd.concat(projected))
    minx, miny, maxx, maxy = bounds
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    legend_h = 0 if legend is None else 22 + 18 * len(legend.items)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    # the canvas fits the map's shape, then grows to hold the legend underneath
    height = math.ceil(span_y * scale + 2 * pad + legend_h + (12 if legend else 0))
    off_x = pad + ((width - 2 * pad) - span_x * scale) / 2

    def to_px(coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords, dtype=float)
        out[:, 0] = off_x + (coords[:, 0] - minx) * scale
        out[:, 1] = pad + (maxy - coords[:, 1]) * scale
        return out

    body = []
    for layer, geoms in zip(layers, projected, strict=True):
        body.append(_layer_svg(layer, geoms, to_px))
    if legend is not None:
        body.append(_legend_svg(legend, x=pad, y=height - legend_h + 4))
    body.append(_scale_bar(scale, width - pad, height - 8))
    return _svg(width, height, title, "".join(body))


def line_chart(
    series: Sequence[tuple[str, pd.Series]],
    *,
    band: tuple[str, pd.Series, pd.Series] | None = None,
    hlines: Sequence[tuple[str, float]] = (),
    vlines: Sequence[tuple[str, date]] = (),
    title: str = "",
    y_label: str = "",
    width: int = 680,
    height: int = 320,
    dashed: Sequence[bool] = (),
) -> Html:
    """A time-series chart: lines over dates, an optional shaded band, goal lines.

    Parameters
    ----------
    series
        (name, Series indexed by date) pairs, drawn as lines.
    band
        (name, lower, upper) Series indexed by date, drawn as a shaded area.
    hlines, vlines
        Labelled horizontal values and vertical dates (the goal, today).
    dashed
        Per series: draw dashed (a projection) rather than solid.
    """
    left, right, top, bottom = 64, 16, 16, 56
    xs: list[float] = []
    ys: list[float] = []
    for _, s in series:
        xs += [_ordinal(d) for d in s.index]
        ys += [float(v) for v in s.to_numpy(dtype=float) if np.isfinite(v)]
    if band is not None:
        xs += [_ordinal(d) for d in band[1].index]
        ys += [float(v) for v in band[2].to_numpy(dtype=float) if np.isfinite(v)]
    xs += [_ordinal(d) for _, d in vlines]
    ys += [v for _, v in hlines]
    if not xs:
        return _svg(width, height, title, _text(width / 2, height / 2, "No data"))
    x0, x1 = min(xs), max(xs)
    x1 = x1 if x1 > x0 else x0 + 1
    y_ticks = _nice_ticks(0.0, max(ys) if ys else 1.0)
    y1 = y_ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * plot_w

    def py(y: float) -> float:
        return top + plot_h - y / y1 * plot_h

    body = []
    for t in y_ticks:
        body.append(
            f'<line x1="{left}" y1="{py(t):.1f}" x2="{width - right}" '
            f'y2="{py(t):.1f}" stroke="#e3e3e3"/>'
            + _text(left - 6, py(t) + 4, f"{t:,.0f}", anchor="end", size=11)
        )
    for year in range(
        date.fromordinal(int(x0)).year, date.fromordinal(int(x1)).year + 2
    ):
        x = _ordinal(date(year, 1, 1))
        if x0 <= x <= x1:
            body.append(
                f'<line x1="{px(x):.1f}" y1="{top + plot_h}" x2="{px(x):.1f}" '
                f'y2="{top + plot_h + 4}" stroke="{MUTED}"/>'
                + _text(px(x), top + plot_h + 17, str(year), size=11)
            )
    if band is not None:
        name, lower, upper = band
        pts_up = [(px(_ordinal(d)), py(float(v))) for d, v in upper.items()]
        pts_lo = [(px(_ordinal(d)), py(float(v))) for d, v in lower.items()]
        pts = pts_up + pts_lo[::-1]
        body.append(
            f'<polygon points="{_points(pts)}" fill="{SERIES_COLOURS[1]}" '
            'fill-opacity="0.18" stroke="none">' + _title(name) + "</polygon>"
        )
    for label, value in hlines:
        body.append(
            f'<line x1="{left}" y1="{py(value):.1f}" x2="{width - right}" '
            f'y2="{py(value):.1f}" stroke="{INK}" stroke-dasharray="2 3"/>'
            + _text(left + 4, py(value) - 5, label, anchor="start", size=11)
        )
    for label, day in vlines:
        x = px(_ordinal(day))
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
            f'stroke="{MUTED}" stroke-dasharray="4 3"/>'
            + _text(x + 4, top + 12, label, anchor="start", size=11)
        )
    for i, (name, s) in enumerate(series):
        s = s[np.isfinite(s.to_numpy(dtype=float))]
        pts = [(px(_ordinal(d)), py(float(v))) for d, v in s.items()]
        dash = ' stroke-dasharray="7 4"' if i < len(dashed) and dashed[i] else ""
        body.append(
            f'<polyline points="{_points(pts)}" fill="none" '
            f'stroke="{SERIES_COLOURS[i % len(SERIES_COLOURS)]}" stroke-width="2.2"'
            f"{dash}>" + _title(name) + "</polyline>"
        )
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
        f'y2="{top + plot_h}" stroke="{INK}"/>'
    )
    if y_label:
        body.append(
            _tag(
                '<text transform="translate(14,{:.0f}) rotate(-90)" '
                'text-anchor="middle" font-size="11" fill="{}" style="{}">{}</text>',
                top + plot_h / 2,
                MUTED,
                FONT,
                y_label,
            )
        )
    keys = [
        (SERIES_COLOURS[i % 4], n, i < len(dashed) and dashed[i])
        for i, (n, _) in enumerate(series)
    ]
    if band is not None:
        keys.append(("band", band[0], False))
    body.append(_series_key(keys, left, height - 16))
    return _svg(width, height, title, "".join(body))


def bar_chart(
    labels: Sequence[str],
    groups: dict[str, Sequence[float]],
    *,
    title: str = "",
    percent: bool = True,
    width: int = 680,
    bar_h: int = 12,
) -> Html:
    """Horizontal grouped bars: one row per label, one bar per group.

    Values are shares (0-1) drawn as percentages when ``percent``; NaN bars are
    left out and marked "n/a".
    """
    label_w, right, top = 190, 60, 8
    n_groups = max(len(groups), 1)
    row_h = bar_h * n_groups + 10
    key_h = 24
    height = top + row_h * max(len(labels), 1) + key_h + 6
    values = [float(v) for vs in groups.values() for v in vs if np.isfinite(v)]
    vmax = max(values) if values else 1.0
    if percent:  # a round share just above the largest bar, at most 100%
        vmax = min(math.ceil(vmax * 10 + 1e-9) / 10, 1.0)
    vmax = vmax if vmax > 0 else 1.0
    plot_w = width - label_w - right
    body = []
    for r, label in enumerate(labels):
        y = top + r * row_h
        body.append(_text(label_w - 8, y + row_h / 2 + 2, label, anchor="end", size=12))
        for g, (name, vs) in enumerate(groups.items()):
            v = float(vs[r])
            by = y + 3 + g * bar_h
            colour = SERIES_COLOURS[g % len(SERIES_COLOURS)]
            text = (
                "n/a"
                if not np.isfinite(v)
                else (f"{v:.0%}" if percent else f"{v:,.0f}")
            )
            w = 0.0 if not np.isfinite(v) else max(v, 0.0) / vmax * plot_w
            body.append(
                f'<rect x="{label_w}" y="{by}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{colour}">'
                + _title(f"{label}: {name} {text}")
                + "</rect>"
                + _text(label_w + w + 4, by + bar_h - 3, text, anchor="start", size=10)
            )
    body.append(
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" '
        f'y2="{top + row_h * len(labels)}" stroke="{INK}"/>'
    )
    keys = [(SERIES_COLOURS[g % 4], name, False) for g, name in enumerate(groups)]
    body.append(_series_key(keys, label_w, height - 10))
    return _svg(width, height, title, "".join(body))


# --- helpers ---------------------------------------------------------------------
def _svg(width: float, height: float, title: str, body: str) -> Html:
    """The whole chart as markup: its texts were escaped as they were built."""
    head = _tag(
        '<svg viewBox="0 0 {} {}" width="100%" style="max-width:{}px;height:auto" '
        'role="img" aria-label="{}"><title>{}</title>',
        width,
        height,
        width,
        title,
        title,
    )
    return Html(head + body + "</svg>")


def _text(
    x: float, y: float, text: str, *, anchor: str = "middle", size: int = 12
) -> str:
    return _tag(
        '<text x="{:.1f}" y="{:.1f}" text-anchor="{}" font-size="{}" fill="{}" '
        'style="{}">{}</text>',
        x,
        y,
        anchor,
        size,
        INK,
        FONT,
        text,
    )


def _points(pts: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def _ordinal(day: object) -> float:
    return float(pd.Timestamp(day).toordinal())


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values from ``lo`` covering ``hi``: 0, 5000, 10000 ..."""
    hi = hi if hi > lo else lo + 1.0
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil((hi - lo) / step)
    return [lo + i * step for i in range(n + 1)]


def _bounds(geoms: gpd.GeoSeries) -> tuple[float, float, float, float]:
    geoms = geoms[~(geoms.is_empty | geoms.isna())]
    if geoms.empty:
        return (0.0, 0.0, 1.0, 1.0)
    minx, miny, maxx, maxy = geoms.total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def _layer_svg(layer: MapLayer, geoms: gpd.GeoSeries, to_px: ToPixels) -> str:
    n = len(geoms)
    fills = [layer.fills] * n if isinstance(layer.fills, str) else list(layer.fills)
    titles = list(layer.titles) if layer.titles is not None else [None] * n
    labels = list(layer.labels) if layer.labels is not None else [None] * n
    out = [f'<g opacity="{layer.opacity}">']
    for geom, fill, title, label in zip(geoms, fills, titles, labels, strict=True):
        if geom is None or geom.is_empty:
            continue
        tip = _title(title) if title else ""
        if isinstance(geom, shapely.Point | shapely.MultiPoint):
            for pt in getattr(geom, "geoms", [geom]):
                ((x, y),) = to_px(np.array([[pt.x, pt.y]]))
                out.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{layer.radius}" '
                    f'fill="{fill}" stroke="{layer.stroke}" '
                    f'stroke-width="{layer.stroke_width}">{tip}</circle>'
                )
            continue
        d = _path_data(geom, to_px)
        if d:
            out.append(
                f'<path d="{d}" fill="{fill}" fill-rule="evenodd" '
                f'stroke="{layer.stroke}" stroke-width="{layer.stroke_width}" '
                f'stroke-linejoin="round">{tip}</path>'
            )
        if label:
            c = geom.representative_point()
            ((x, y),) = to_px(np.array([[c.x, c.y]]))
            out.append(
                _tag(
                    '<text x="{:.1f}" y="{:.1f}" text-anchor="middle" font-size="12" '
                    'font-weight="bold" fill="{}" stroke="#ffffff" stroke-width="3" '
                    'paint-order="stroke" style="{}">{}</text>',
                    x,
                    y + 4,
                    INK,
                    FONT,
                    label,
                )
            )
    out.append("</g>")
    return "".join(out)


def _path_data(geom: shapely.Geometry, to_px: ToPixels) -> str:
    parts = []
    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        if isinstance(poly, shapely.LineString | shapely.LinearRing):
            rings = [poly]
        elif isinstance(poly, shapely.Polygon):
            rings = [poly.exterior, *poly.interiors]
        else:
            continue
        for ring in rings:
            pts = to_px(np.asarray(ring.coords)[:, :2])
            if len(pts) < 2:
                continue
            closing = " Z" if isinstance(poly, shapely.Polygon) else ""
            parts.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + closing)
    return " ".join(parts)


def _legend_svg(legend: Legend, *, x: float, y: float) -> str:
    out = [_text(x, y + 10, legend.title, anchor="start", size=11)]
    for i, (colour, label) in enumerate(legend.items):
        yy = y + 18 + 18 * i
        out.append(
            f'<rect x="{x}" y="{yy}" width="14" height="12" fill="{colour}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
            + _text(x + 20, yy + 10, label, anchor="start", size=11)
        )
    return "".join(out)


def _series_key(keys: Sequence[tuple[str, str, bool]], x: float, y: float) -> str:
    out = []
    for colour, name, dash in keys:
        if colour == "band":
            mark = (
                f'<rect x="{x:.0f}" y="{y - 8}" width="22" height="10" '
                f'fill="{SERIES_COLOURS[1]}" fill-opacity="0.18"/>'
            )
        else:
            style = ' stroke-dasharray="7 4"' if dash else ""
            mark = (
                f'<line x1="{x:.0f}" y1="{y - 3}" x2="{x + 22:.0f}" y2="{y - 3}" '
                f'stroke="{colour}" stroke-width="{2.5 if dash else 6}"{style}/>'
            )
        out.append(mark + _text(x + 28, y + 1, name, anchor="start", size=11))
        x += 40 + 6.5 * len(name)
    return "".join(out)


def _scale_bar(scale: float, right: float, y: float) -> str:
    """A round-number kilometre bar at the lower right (``scale`` = px per metre)."""
    target_m = 120 / scale
    nice = next(
        (m for m in (100, 200, 500, 1000, 2000, 5000, 10000, 20000) if m >= target_m),
        50000,
    )
    w = nice * scale
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice} m"
    return (
        f'<line x1="{right - w:.1f}" y1="{y}" x2="{right}" y2="{y}" stroke="{INK}" '
        'stroke-width="2"/>' + _text(right - w / 2, y - 4, label, size=10)
    )
