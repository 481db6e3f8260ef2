"""Layout of a Leaflet map inside its frame: the opening view, labels, controls.

Folium elements (scripts run in the browser, after the map's layers) that keep
a map legible at any frame size, from a 1440 px desktop to a 390 px phone:

- :class:`MapFrame` fits the area the map is about (the city, or a focused
  ward) to the frame as soon as the frame has its size, at fractional zoom, and
  again when the frame is resized, until the user pans or zooms. It also keeps
  the bottom-left controls (scale bar, legend) clear of the attribution on a
  narrow map.
- :class:`LabelDeclutter` places the permanent labels of a pane (ward names)
  only where they fit: largest priority first, shrunk when the full size does
  not fit, hidden when even the small size would cover another label, a site
  number or a control, or stick out of the frame. It runs again after every
  zoom, pan, resize and layer switch, so zooming in brings hidden labels back.

Recommended sites close together are merged into one "3, 7" marker by
``analytics.maps`` (``_NumberedSites``), with the same idea.

>>> m = folium.Map(zoom_snap=ZOOM_SNAP)                    # doctest: +SKIP
>>> MapFrame([[34.6, -92.5], [34.8, -92.2]]).add_to(m)     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.template import Template

ZOOM_SNAP = 0.1  # fractional zoom: the fitted city fills the frame
FIT_PADDING_PX = 8
LABEL_SMALL_CLASS = "camreg-label-small"


def compact_template(source: str) -> Template:
    r"""A folium template with each line's indentation and blank lines dropped.

    The map's scripts travel to every visitor inside the page; indentation is
    a third of a hand-written script's bytes and means nothing to the browser.
    Line breaks stay, so a ``//`` comment still ends at its line.

    >>> compact_template("  a\n\n    b").render()
    'a\nb'
    """
    lines = (line.strip() for line in source.splitlines())
    template: Template = Template("\n".join(line for line in lines if line))
    return template


class MapFrame(MacroElement):
    """Fit ``bounds`` to the frame and keep the bottom controls apart.

    Parameters
    ----------
    bounds
        Leaflet's ``[[south, west], [north, east]]`` of what the map is about,
        or None to leave the view as built (a map centred on an incident).
    padding
        Pixels kept free around ``bounds``.

    The fit runs when the script runs, when the frame changes size (a
    ResizeObserver: streamlit-folium sizes its frame after the map is made)
    and stops at the first pointer, wheel or key event inside the map, so it
    never undoes what the user did. The map object carries the bounds as
    ``camregView`` (the browser tests measure against it).
    """

    _template = compact_template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .camreg-label-small {font-size: 9px !important}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            {%- if this.bounds %}
            var view = L.latLngBounds({{ this.bounds|tojson }});
            map.camregView = view;
            var touched = false;
            ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (ev) {
                box.addEventListener(ev, function () { touched = true; },
                    {capture: true, passive: true});
            });
            {%- endif %}
            // scale bar and legend (bottom left) lifted above the attribution
            // (bottom right) when a narrow map would make them touch
            function tidy() {
                var corner = map._controlCorners && map._controlCorners.bottomleft;
                var attr = box.querySelector(".leaflet-control-attribution");
                if (!corner) { return; }
                corner.style.bottom = "";
                if (!attr || !attr.offsetWidth) { return; }
                var a = attr.getBoundingClientRect();
                var clash = [].some.call(corner.children, function (el) {
                    var r = el.getBoundingClientRect();
                    return r.width > 0 && r.right > a.left - 6 && r.bottom > a.top - 2;
                });
                if (clash) {
                    corner.style.bottom =
                        (box.getBoundingClientRect().bottom - a.top + 2) + "px";
                }
            }
            function layout() {
                var size = map.invalidateSize({pan: false}).getSize();
                {%- if this.bounds %}
                if (!touched && size.x > 40 && size.y > 40) {
                    map.fitBounds(view, {padding: [{{ this.padding }},
                        {{ this.padding }}], animate: false});
                }
                {%- endif %}
                tidy();
            }
            layout();
            setTimeout(layout, 50);
            if (window.ResizeObserver) { new ResizeObserver(layout).observe(box); }
            map.on("layeradd layerremove", function () { setTimeout(tidy, 0); });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        bounds: Sequence[Sequence[float]] | None = None,
        *,
        padding: int = FIT_PADDING_PX,
    ) -> None:
        # branca 0.8 leaves MacroElement.__init__ unannotated
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MapFrame"
        self.bounds = (
            [[float(v) for v in corner] for corner in bounds] if bounds else None
        )
        self.padding = int(padding)


class LabelDeclutter(MacroElement):
    """Show the permanent tooltips of ``pane`` only where they fit.

    Labels are taken in decreasing ``priority`` (a tooltip option; the ward
    maps give larger wards a higher one). Each is placed at full size if it
    fits, else at the small size (``LABEL_SMALL_CLASS``), else in its ``short``
    form (a tooltip option, e.g. the ward number) when it has one, else hidden
    (``visibility: hidden``). A label fits when it lies inside the frame and
    overlaps no label already placed, no site number and no map control.
    """

    _template = compact_template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            var pane = {{ this.pane|tojson }};
            function hit(a, b) {
                return a.left < b.right + 2 && b.left < a.right + 2
                    && a.top < b.bottom + 1 && b.top < a.bottom + 1;
            }
            function declutter() {
                var frame = box.getBoundingClientRect();
                var taken = [].map.call(box.querySelectorAll(
                    ".leaflet-marker-pane .camreg-site, .leaflet-control"),
                    function (el) { return el.getBoundingClientRect(); }
                ).filter(function (r) { return r.width > 0; });
                var labels = [];
                map.eachLayer(function (layer) {
                    var tip = layer.getTooltip && layer.getTooltip();
                    if (tip && tip.options.permanent && tip.options.pane === pane
                            && tip.getElement()) { labels.push(tip); }
                });
                labels.sort(function (a, b) {
                    return (b.options.priority || 0) - (a.options.priority || 0);
                });
                function fits(r) {
                    return r.left >= frame.left && r.right <= frame.right
                        && r.top >= frame.top && r.bottom <= frame.bottom
                        && !taken.some(function (o) { return hit(r, o); });
                }
                labels.forEach(function (tip) {
                    var el = tip.getElement(), o = tip.options;
                    if (o.full === undefined) { o.full = tip.getContent(); }
                    el.classList.remove({{ this.small|tojson }});
                    tip.setContent(o.full);
                    var r = el.getBoundingClientRect();
                    if (!fits(r)) {
                        el.classList.add({{ this.small|tojson }});
                        tip.update();
                        r = el.getBoundingClientRect();
                    }
                    if (!fits(r) && o.short) {
                        tip.setContent(o.short);
                        r = el.getBoundingClientRect();
                    }
                    if (fits(r)) {
                        taken.push(r);
                    } else {
                        el.style.visibility = "hidden";
                    }
                });
            }
            var queued = false;
            function later() {
                if (queued) { return; }
                queued = true;
                setTimeout(function () { queued = false; declutter(); }, 0);
            }
            // camreg:window: a rerun redrew the window's layers (ui.mapview)
            map.on("zoomend moveend resize overlayadd overlayremove", later);
            map.on("camreg:window", later);
            box.addEventListener("toggle", later, true);  // the legend folds
            map.whenReady(later);
            setTimeout(declutter, 120);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, pane: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # as in MapFrame
        self._name = "LabelDeclutter"
        self.pane = pane
        self.small = LABEL_SMALL_CLASS
