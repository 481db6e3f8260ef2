"""HTML of the council briefing: sections, tables, captions and print CSS.

Takes :class:`analytics.briefing_inputs.BriefingInputs` (already redacted for the
audience) and returns one self-contained document: inline SVG from
:mod:`analytics.briefing_svg`, no scripts, no external links, images or fonts.

The document is the Jinja2 template ``analytics/templates/briefing.html.j2``
with autoescaping (:func:`analytics.markup.templates`): this module only decides
what each section says, as a list of blocks (paragraphs, notes, figures, tables,
cards, definition lists) of plain text. Nothing here writes HTML, so no text from
data can reach the page unescaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from analytics import briefing_svg as svg
from analytics import formatting
from analytics.briefing_inputs import BriefingInputs, ForecastView
from analytics.figures import label
from analytics.markup import Html, templates
from analytics.schema import SYNTHETIC_LABEL

Block = dict[str, Any]  # {"kind": "p" | "note" | "figure" | ..., ...}: see the template

# The briefing never needs owner contacts, so investigators export it as staff.
BRIEFING_AUDIENCES = ("public", "staff")
TOP_AREAS = 10  # recruitment areas numbered on the map and listed
COST_HEADERS = {  # analytics.costs.PLAN_COLUMNS in plain words
    "year": "Year",
    "devices_bought": "Devices bought",
    "devices_in_service": "Devices in service",
    "yearly_fees_usd": "Yearly fees",
    "device": "Device",
    "devices": "Number",
    "upfront_each_usd": "Up front, each",
    "yearly_each_usd": "Yearly, each",
    "upfront_usd": "Up front, all",
    "yearly_usd": "Yearly, all",
    "total_usd": "Total over the years",
    "usd_per_covered_incident": "Per incident newly in view",
}
AUDIENCE_TEXT = {
    "public": (
        "Public edition: aggregates only. No camera owner's address, name, contact "
        "or exact location appears in this document."
    ),
    "staff": (
        "Staff edition: business, institutional and city-owned cameras may appear "
        "as exact points; residential cameras only as counts per area; no owner "
        "contacts. Not for public release."
    ),
}


def validate_briefing_audience(audience: str) -> str:
    """Return ``audience`` if a briefing may be made for it, else raise ValueError."""
    if audience not in BRIEFING_AUDIENCES:
        raise ValueError(
            f"`audience` was {audience!r} but is expected to be in {BRIEFING_AUDIENCES}"
        )
    return audience


def briefing_title(inputs: BriefingInputs) -> str:
    """Plain-text document title; starts with the synthetic label when synthetic."""
    title = f"{inputs.city.program}: council briefing on the camera registry"
    if inputs.synthetic:
        title = f"{SYNTHETIC_LABEL} – {title}"
    return title


def render_briefing(inputs: BriefingInputs) -> str:
    """The briefing as one self-contained HTML document (a string).

    Rendered from ``briefing.html.j2`` with autoescaping: all text that comes
    from data (ward names, labels, notes) is escaped by the template.
    """
    validate_briefing_audience(inputs.audience)
    sections = [
        ("summary", "Summary", _summary_section),
        ("progress", "Progress toward the goal", _progress_section),
        ("coverage", "Coverage by ward", _coverage_section),
        ("cameras", "Where registered cameras are", _cameras_section),
        ("gaps", "Biggest coverage gaps", _gaps_section),
        ("recruitment", "Recommended recruitment areas", _recruitment_section),
        ("costs", "Costs of the integration scenario", _costs_section),
        ("requests", "Requests and outcomes", _requests_section),
        ("methods", "Methods, assumptions and data", _methods_section),
    ]
    return (
        templates()
        .get_template("briefing.html.j2")
        .render(
            title=briefing_title(inputs),
            css=Html(CSS),  # a constant of this module, not data
            synthetic=inputs.synthetic,
            synthetic_label=SYNTHETIC_LABEL,
            city_name=inputs.city.name,
            audience=inputs.audience,
            audience_text=AUDIENCE_TEXT[inputs.audience],
            header=_header(inputs),
            sections=[
                {"anchor": anchor, "heading": heading, "blocks": build(inputs)}
                for anchor, heading, build in sections
            ],
            footer=_footer(inputs),
        )
    )


# --- sections --------------------------------------------------------------------
def _header(inputs: BriefingInputs) -> list[tuple[str, str]]:
    """Rows of the table under the title."""
    wards = (
        ", ".join(inputs.ward_names) if inputs.ward_names else "all wards (city-wide)"
    )
    rows = [
        ("City", inputs.city.name),
        ("Programme", inputs.city.program),
        ("Crime period", _period_text(inputs.since, inputs.until)),
        ("Cameras measured", _registry_text(inputs)),
        ("Wards", wards),
        ("Data as of", f"{inputs.as_of:%d %B %Y}"),
        ("Data source", inputs.label),
        ("Edition", inputs.audience.capitalize()),
    ]
    if inputs.generated_at is not None:
        rows.append(("Generated", f"{inputs.generated_at:%d %B %Y %H:%M}"))
    return rows


def _summary_section(inputs: BriefingInputs) -> list[Block]:
    h = inputs.headline
    goal = h.get("goal", inputs.city.goal_cameras)
    min_group = inputs.city.min_group_size
    hidden = f"fewer than {min_group} sites"
    if inputs.ward_names:
        goal_note = f"in the chosen wards; the city's goal is {_int(goal)}"
    else:
        goal_note = f"{_pct(h.get('goal_share'))} of the goal of {_int(goal)}"
    cards = [
        (
            label("active_cameras"),
            hidden if h.get("suppressed") else _int(h.get("cameras")),
            goal_note,
        ),
        (
            label("active_sites"),
            hidden if h.get("suppressed") else _int(h.get("sites")),
            "homes, businesses and buildings registered",
        ),
        (
            label("integrated_cameras"),
            hidden if h.get("suppressed") else _int(h.get("integrated_cameras")),
            "integrated through a device; the rest on request",
        ),
        (
            label("incident_coverage_share"),
            _pct(h.get("incident_coverage_share")),
            f"of {_int(h.get('incidents'))} reported incidents in the period",
        ),
        (
            label("weighted_incident_coverage_share"),
            _pct(h.get("weighted_incident_coverage_share")),
            "serious crimes count more (weights in Methods)",
        ),
        (
            label("area_coverage_share"),
            _pct(h.get("area_coverage_share")),
            f"{_num(h.get('covered_area_km2'), 1)} of "
            f"{_num(h.get('city_area_km2'), 0)} km²",
        ),
    ]
    lines = [_summary_sentence(inputs)]
    if inputs.forecast is not None and inputs.forecast.outlook:
        lines.append(inputs.forecast.outlook)
    return [_cards(cards), *(_p(line) for line in lines)]


def _summary_sentence(inputs: BriefingInputs) -> str:
    h = inputs.headline
    live = h.get("live_incident_coverage_share")
    on_request = h.get("on_request_incident_coverage_share")
    text = (
        f"{_pct(h.get('incident_coverage_share'))} of the incidents reported "
        f"({_period_phrase(inputs.since, inputs.until)}) happened where at least "
        "one registered camera could have seen them"
    )
    if _finite(live) and _finite(on_request):
        text += (
            f": {_pct(live)} within view of a live-access camera and a further "
            f"{_pct(on_request)} only of cameras whose footage must be requested "
            "from the owner"
        )
    return text + "."


def forecast_svg(
    fc: ForecastView, goal: float, as_of: date, *, width: int = 680, height: int = 320
) -> Html:
    """Active cameras by month, the projection with its band and the goal, as SVG.

    The briefing's chart, also the Overview's: a static picture costs the
    browser nothing to draw, where an interactive chart's library is 4.7 MB of
    script to load on the landing page (the Goal progress page has that one).
    """
    projected = fc.projection is not None and len(fc.projection) > 0
    series = [(label("active_cameras"), fc.history)]
    if projected:
        series.append(("Projection", fc.projection))
    band = None
    if projected and fc.lower is not None and fc.upper is not None:
        band = (f"{fc.confidence} range", fc.lower, fc.upper)
    return svg.line_chart(
        series,
        band=band,
        hlines=[(f"Goal: {goal:,.0f} cameras", goal)],
        vlines=[("Data date", as_of)],
        dashed=(False, True),
        title="Active cameras over time and projection to the goal",
        y_label="Active cameras",
        width=width,
        height=height,
    )


def _progress_section(inputs: BriefingInputs) -> list[Block]:
    fc = inputs.forecast
    goal = float(inputs.headline.get("goal", inputs.city.goal_cameras))
    if fc is None:
        return [_p("No forecast is available for this data.")]
    projected = fc.projection is not None and len(fc.projection) > 0
    band = projected and fc.lower is not None and fc.upper is not None
    chart = forecast_svg(fc, goal, inputs.as_of)
    caption = (
        "The solid line counts the cameras registered and still active at the end "
        "of each month (withdrawn cameras leave the count)."
        + (
            " The dashed line continues the recent pace of sign-ups"
            if projected
            else ""
        )
        + (f"; the shaded band shows the {fc.confidence} range" if band else "")
        + ("." if projected else "")
        + f" The dotted line is the goal of {goal:,.0f} cameras."
    )
    text = [t for t in (fc.outlook or fc.message,) if t]
    date_text = fc.goal_date_text or (
        formatting.month(fc.goal_date) if fc.goal_date else ""
    )
    if date_text:
        text.append(
            f"{label('projected_goal_date')}: {date_text}"
            + (
                f" ({fc.confidence} range {_interval_text(inputs)})"
                if fc.interval and fc.goal_date is not None
                else ""
            )
            + "."
        )
    text.append(f"Model: {fc.model}.")
    if fc.backtest_error:
        text.append(f"Back-test: {fc.backtest_error}.")
    return [_figure(chart, caption), *(_p(t) for t in text)]


def _coverage_section(inputs: BriefingInputs) -> list[Block]:
    table = inputs.ward_table
    if table is None or table.empty:
        return [_p("No ward boundaries are configured, so there is no ward table.")]
    parts: list[Block] = []
    if inputs.ward_shapes is not None and len(inputs.ward_shapes):
        shapes = inputs.ward_shapes.merge(
            table[["ward_id", "weighted_coverage_share"]], on="ward_id", how="left"
        )
        values = shapes["weighted_coverage_share"].to_numpy(dtype=float) * 100
        edges = svg.class_breaks(values, classes=5)
        layers = []
        if inputs.outline is not None:
            layers.append(svg.MapLayer(inputs.outline, "#fafafa", stroke="#999999"))
        layers.append(
            svg.MapLayer(
                shapes.geometry,
                svg.classify(values, edges),
                stroke="#555555",
                stroke_width=1.2,
                titles=[
                    f"{n}: {_pct(v / 100)} crime-weighted coverage"
                    for n, v in zip(shapes["ward_name"], values, strict=True)
                ],
                labels=[str(w) for w in shapes["ward_id"]],
            )
        )
        chart = svg.svg_map(
            layers,
            inputs.city.metric_crs,
            title="Crime-weighted coverage by ward",
            legend=svg.legend_for("Crime-weighted coverage (%)", edges),
        )
        parts.append(
            _figure(
                chart,
                "Each ward (numbered as in the table below) is shaded by the share "
                "of its reported crime, weighted by seriousness, that happened within "
                "view of a registered camera. Darker wards are better covered.",
            )
        )
    labels = [str(n) for n in table["ward_name"]]
    bars = svg.bar_chart(
        labels,
        {
            "All incidents": table["coverage_share"].to_numpy(dtype=float),
            "Crime-weighted": table["weighted_coverage_share"].to_numpy(dtype=float),
        },
        title="Share of incidents within camera view, by ward",
    )
    parts.append(
        _figure(
            bars,
            "For each ward: the share of all reported incidents within view of a "
            "registered camera, and the same share counting serious crimes more.",
        )
    )
    min_group = inputs.city.min_group_size
    columns: list[Column] = [
        ("ward_id", "No.", str),
        ("ward_name", "Ward", str),
        (
            "cameras",
            label("active_cameras"),
            lambda v: _int(v) if _finite(v) else f"fewer than {min_group} sites",
        ),
        ("incidents", "Incidents", _int),
        ("coverage_share", "Within camera view", _pct),
        ("weighted_coverage_share", "Crime-weighted", _pct),
    ]
    parts.append(_table(table, columns))
    if "cameras" in table and table["cameras"].isna().any():
        parts.append(
            _note(
                "Camera counts (and, in the public edition, coverage shares) are "
                f"not shown for wards with fewer than {min_group} registered sites, "
                "so no household can be singled out."
            )
        )
    return parts


def _cameras_section(inputs: BriefingInputs) -> list[Block]:
    cells = inputs.camera_cells
    layers = _base_layers(inputs)
    counts = cells["cameras"].to_numpy(dtype=float) if len(cells) else np.array([])
    edges = svg.class_breaks(counts, classes=5)
    if len(cells):
        layers.append(
            svg.MapLayer(
                _clip(cells.geometry, inputs.outline),
                svg.classify(counts, edges),
                stroke="#ffffff",
                stroke_width=0.4,
                titles=[f"{int(c):,} cameras in this area" for c in counts],
            )
        )
    points = inputs.camera_points
    if len(points):
        layers.append(
            svg.MapLayer(
                points.geometry,
                "#d95f02",
                stroke="#ffffff",
                stroke_width=0.3,
                radius=1.6,
            )
        )
    if not layers:
        return [_p("No cameras to map.")]
    chart = svg.svg_map(
        layers,
        inputs.city.metric_crs,
        title="Active cameras per map cell",
        legend=svg.legend_for("Cameras per cell", edges),
    )
    caption = (
        "Active cameras counted per hexagonal map cell (about "
        f"{_cell_area_text(inputs.city.hex_resolution)} each; cells merged from "
        "sparse neighbours are larger). Cells with fewer than "
        f"{inputs.city.min_group_size} registered sites are merged into a larger "
        "cell or left out, so no home can be located."
    )
    if len(points):
        caption += (
            " Orange dots are business, institutional and city-owned cameras "
            "(staff edition only)."
        )
    return [
        _figure(chart, caption),
        _note(inputs.privacy_note),
        _note(_suppression_text(inputs)),
    ]


def _suppression_text(inputs: BriefingInputs) -> str:
    """Plain statement of the small-cell rule and what it did in this edition."""
    min_group = inputs.city.min_group_size
    text = (
        f"Small-area protection: an area with fewer than {min_group} registered "
        "sites is never shown on its own."
    )
    if inputs.merged_cameras:
        text += (
            f" {inputs.merged_cameras:,} cameras in sparse areas are counted in "
            "larger merged cells."
        )
    if inputs.suppressed_cameras:
        text += (
            f" {inputs.suppressed_cameras:,} cameras are in areas too sparse even "
            "after merging and are left out of the map (suppressed)."
        )
    if not inputs.merged_cameras and not inputs.suppressed_cameras:
        text += " No area needed merging or suppression."
    return text


def _gaps_section(inputs: BriefingInputs) -> list[Block]:
    gaps = inputs.gaps
    if gaps is None or gaps.empty:
        return [_p("No coverage gaps: every reported incident was within view.")]
    top = gaps.reset_index(drop=True)
    layers = _base_layers(inputs)
    layers.append(
        svg.MapLayer(
            top.geometry,
            svg.ORANGES[3],
            stroke="#7f2704",
            stroke_width=1.0,
            titles=[
                f"Gap {i + 1}: {_int(v)} incidents out of camera view"
                for i, v in enumerate(top["incidents_uncovered"])
            ],
            labels=[str(i + 1) for i in range(len(top))],
        )
    )
    chart = svg.svg_map(
        layers, inputs.city.metric_crs, title="The biggest coverage gaps"
    )
    columns: list[Column] = [
        ("rank", "Rank", _int),
        ("ward_name", "Ward", str),
        ("incidents", "Incidents", _int),
        ("incidents_uncovered", "Out of camera view", _int),
        ("violent", "of which violent", _int),
        ("weighted_uncovered", "Crime-weighted gap", lambda v: _num(v, 1)),
    ]
    top = top.assign(rank=np.arange(1, len(top) + 1))
    columns = [c for c in columns if c[0] in top.columns]
    return [
        _figure(
            chart,
            f"The {len(top)} map cells with the most reported crime out of view of "
            "any registered camera, serious crimes counting more. Numbers on the map "
            "match the table.",
        ),
        _table(top, columns),
    ]


def _recruitment_section(inputs: BriefingInputs) -> list[Block]:
    rec = inputs.recruitment
    if rec is None or rec.empty:
        return [_p("No recruitment areas were computed.")]
    rec = rec.reset_index(drop=True).assign(rank=lambda f: np.arange(1, len(f) + 1))
    top = rec.head(TOP_AREAS)
    layers = _base_layers(inputs)
    gains = rec["weighted_gain"].to_numpy(dtype=float)
    edges = svg.class_breaks(gains, classes=4)
    layers.append(
        svg.MapLayer(
            rec.geometry,
            svg.classify(gains, edges, svg.PURPLES),
            stroke="#3f007d",
            stroke_width=0.6,
            titles=[
                f"Area {r}: {_int(s)} suggested sites"
                for r, s in zip(rec["rank"], rec["sites"], strict=True)
            ],
            labels=[str(r) if r <= TOP_AREAS else "" for r in rec["rank"]],
        )
    )
    chart = svg.svg_map(
        layers,
        inputs.city.metric_crs,
        title="Recommended recruitment areas",
        legend=svg.legend_for("Crime-weighted gain", edges, svg.PURPLES, "{:,.1f}"),
    )
    columns: list[Column] = [
        ("rank", "Area", _int),
        ("ward_name", "Ward", str),
        ("sites", "Suggested new sites", _int),
        ("incidents_gained", "Incidents newly in view", _int),
        ("weighted_gain", "Crime-weighted gain", lambda v: _num(v, 1)),
    ]
    columns = [c for c in columns if c[0] in rec.columns]
    rest = rec.iloc[TOP_AREAS:]
    parts = [
        _figure(
            chart,
            "Areas (map cells) where signing up new cameras would bring the most "
            "reported crime into view; darker areas gain more, and the numbered "
            f"ones are the first {min(TOP_AREAS, len(rec))} to recruit in. "
            "Suggested sites are grouped by cell; they are places to recruit, "
            "not existing cameras.",
        ),
        _table(top, columns),
    ]
    if len(rest):
        parts.append(
            _note(
                f"{len(rest)} further areas hold {_int(rest['sites'].sum())} more "
                "suggested sites (shaded on the map, not numbered)."
            )
        )
    if inputs.recruitment_note:
        parts.append(_note(inputs.recruitment_note))
    return parts


def _clip(geometry: gpd.GeoSeries, outline: gpd.GeoSeries | None) -> gpd.GeoSeries:
    """Cells cut to the city outline: merged parent cells reach far beyond it."""
    if outline is None or not len(outline):
        return geometry
    return geometry.intersection(outline.to_crs(geometry.crs).union_all())


def _base_layers(inputs: BriefingInputs) -> list[svg.MapLayer]:
    """City outline and ward boundaries under every map."""
    layers = []
    if inputs.outline is not None:
        layers.append(svg.MapLayer(inputs.outline, "#fafafa", stroke="#999999"))
    if inputs.ward_shapes is not None and len(inputs.ward_shapes):
        layers.append(
            svg.MapLayer(inputs.ward_shapes.geometry, "none", stroke="#bbbbbb")
        )
    return layers


def _costs_section(inputs: BriefingInputs) -> list[Block]:
    costs = inputs.costs
    parts: list[Block] = []
    if inputs.scenario:
        parts.append({"kind": "meta", "rows": list(inputs.scenario.items())})
    if costs is None or costs.empty:
        parts.append(_p("No cost scenario was chosen."))
        return parts
    columns: list[Column] = [
        (
            c,
            COST_HEADERS.get(c, c.replace("_", " ").capitalize()),
            _money if "usd" in c else _cell,
        )
        for c in costs.columns
    ]
    parts.append(_table(costs, columns))
    devices = "; ".join(
        f"{d.name}: ${d.upfront_usd:,.0f} up front plus ${d.yearly_usd:,.0f} a year"
        for d in inputs.city.devices
    )
    parts.append(
        _note(
            f"Device prices from the city configuration: {devices}. Registration "
            "itself (footage on request) costs the owner nothing."
        )
    )
    return parts


def _methods_section(inputs: BriefingInputs) -> list[Block]:
    city = inputs.city
    ranges = ", ".join(
        f"{owner} {metres:g} m" for owner, metres in city.range_m_by_owner.items()
    )
    by_type = ", ".join(f"{t} {m:g} m" for t, m in city.range_m_by_type.items())
    weights = ", ".join(f"{c} × {w:g}" for c, w in city.severity_weights.items())
    items = [
        (
            "Camera view model",
            f"Each camera sees a sector {city.default_fov_deg:g}° wide in its "
            "registered direction, up to its useful range; dome, panning and "
            "360° cameras, and cameras registered without a direction, see a full "
            f"circle. Full-circle types: {', '.join(city.full_circle_types)}.",
        ),
        (
            "Useful ranges",
            f"When a registration gives no range: {ranges}"
            + (f"; by camera type: {by_type}" if by_type else "")
            + ". A typical camera identifies a face to about 10 m, recognises to "
            "about 40 m and observes to about 100 m.",
        ),
        (
            "Coverage",
            "An incident counts as within camera view when its reported location "
            "falls inside at least one active camera's view. Withdrawn cameras are "
            "left out everywhere.",
        ),
        ("Crime weights", f"Crime-weighted figures multiply incidents by {weights}."),
        (
            "Privacy",
            f"Cameras are shown only as counts per area with at least "
            f"{city.min_group_size} registered sites; sparser areas are merged into "
            "larger cells or suppressed. "
            + AUDIENCE_TEXT[inputs.audience]
            + " "
            + _suppression_text(inputs),
        ),
        (
            "Data freshness",
            f"Registry and incidents as of {inputs.as_of:%d %B %Y} "
            f"({inputs.label}); crime period "
            f"{_period_phrase(inputs.since, inputs.until)}. The registry changes "
            "daily as owners join and withdraw; "
            "withdrawn cameras are left out of every figure.",
        ),
    ]
    items += list(inputs.methods.items())
    if inputs.synthetic:
        items.append(
            (
                "What is synthetic",
                f"Everything: this is the {SYNTHETIC_LABEL.lower()} – a made-up "
                "registry, incidents and ward boundaries shaped like the city. "
                "Do not quote these numbers as the city's.",
            )
        )
    return [{"kind": "dl", "entries": items}]


def _footer(inputs: BriefingInputs) -> str:
    synthetic = f"{SYNTHETIC_LABEL}. " if inputs.synthetic else ""
    return (
        f"{synthetic}{inputs.city.program} · data as of {inputs.as_of:%d %B %Y} · "
        f"{inputs.audience.capitalize()} edition"
    )


# --- formatting helpers ----------------------------------------------------------
def _requests_section(inputs: BriefingInputs) -> list[Block]:
    brief = inputs.requests
    if brief is None:
        return [
            _p(
                "No footage requests are recorded yet: requests are kept in the "
                "registry store."
            )
        ]
    parts: list[Block] = [
        _p(
            f"{brief.sentence} The figures cover the whole city; they are counts "
            "and shares only, never a camera or a case."
        ),
        _cards(
            [
                (label(key), brief.texts[key], "")
                for key in (
                    "requests",
                    "fulfilled_share",
                    "median_hours_to_footage",
                    "violent_incidents_with_request_share",
                    "useful_share",
                    "cost_per_case_helped_usd",
                    "stale_cameras",
                )
            ]
        ),
    ]
    min_group = inputs.city.min_group_size
    hidden = f"fewer than {min_group} answers"
    for title, frame in (("Tier", brief.by_tier), ("Owner", brief.by_owner_type)):
        columns: list[Column] = [
            ("group", title, str),
            ("requests", "Requests", lambda v: _int(v) if _finite(v) else hidden),
            ("decided", "Answered or expired", lambda v: _int(v) if _finite(v) else ""),
            ("provided", "Provided", lambda v: _int(v) if _finite(v) else ""),
            (
                "share",
                label("fulfilled_share"),
                lambda v: _pct(v) if _finite(v) else "",
            ),
        ]
        parts.append(_table(frame, columns))
    if inputs.audience == "public":
        parts.append(
            _note(
                f"Groups with fewer than {min_group} answered requests are not "
                "shown, so no owner's answers can be read off."
            )
        )
    return parts


def _p(text: str) -> Block:
    return {"kind": "p", "text": text}


def _note(text: str) -> Block:
    return {"kind": "note", "text": text}


def _cards(cards: Sequence[tuple[str, str, str]]) -> Block:
    return {"kind": "cards", "cards": list(cards)}


def _figure(svg_markup: Html, caption: str) -> Block:
    return {"kind": "figure", "svg": svg_markup, "caption": caption}


Column = tuple[str, str, Callable[[Any], str]]  # (column, header, formatter)


def _table(frame: pd.DataFrame, columns: Sequence[Column]) -> Block:
    """A table block: header texts and rows of (css class, cell text)."""
    rows = [
        [("txt" if fmt is str else "num", fmt(row[col])) for col, _, fmt in columns]
        for _, row in frame.iterrows()
    ]
    return {"kind": "table", "head": [h for _, h, _ in columns], "rows": rows}


def _finite(value: object) -> bool:
    try:
        return bool(np.isfinite(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


# the shared helpers of analytics.formatting, so the briefing writes every figure
# as the dashboard and the command line do
def _int(value: object) -> str:
    return formatting.count(value if _finite(value) else None)


def _num(value: object, digits: int) -> str:
    return formatting.number(value if _finite(value) else None, digits)


def _pct(value: object) -> str:
    return formatting.pct(value if _finite(value) else None)


def _money(value: object) -> str:
    return formatting.money(value if _finite(value) else None)


def _cell(value: object) -> str:
    if isinstance(value, float | int | np.number) and not isinstance(value, bool):
        if not _finite(value):
            return formatting.DASH
        return _num(value, 0) if float(value).is_integer() else _num(value, 2)
    return formatting.DASH if formatting.is_missing(value) else str(value)


def _registry_text(inputs: BriefingInputs) -> str:
    return f"The active registry on {inputs.as_of:%d %B %Y} (every camera)"


def _period_text(since: date | None, until: date | None) -> str:
    if since and until:
        return f"From {since:%d %B %Y} to {until:%d %B %Y}"
    if since:
        return f"Since {since:%d %B %Y}"
    if until:
        return f"Up to {until:%d %B %Y}"
    return "Over the whole record"


def _period_phrase(since: date | None, until: date | None) -> str:
    """:func:`_period_text` for the middle of a sentence ("from 1 May ...")."""
    text = _period_text(since, until)
    return text[:1].lower() + text[1:]


def _interval_text(inputs: BriefingInputs) -> str:
    fc = inputs.forecast
    if fc is None or not fc.interval:
        return ""
    lo, hi = fc.interval
    lo_text = formatting.month(lo) if lo else "now"
    hi_text = formatting.month(hi) if hi else "beyond the forecast horizon"
    return f"{lo_text} to {hi_text}"


def _cell_area_text(resolution: int) -> str:
    return f"{h3.average_hexagon_area(resolution, unit='km^2'):.2g} km²"


CSS = """
:root { --ink:#222; --muted:#555; --rule:#d0d0d0; --accent:#1f5f8b; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff;
  font: 15px/1.5 Georgia, 'Times New Roman', serif; }
main { max-width: 820px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font: bold 26px/1.25 Arial, Helvetica, sans-serif; margin: 12px 0 10px; }
h2 { font: bold 20px/1.3 Arial, Helvetica, sans-serif; color: var(--accent);
  border-bottom: 2px solid var(--accent); padding-bottom: 4px; margin-top: 36px; }
.synthetic { background:#fff3cd; border:3px solid #b8860b; color:#5c4400;
  padding:10px 14px; font: bold 16px/1.4 Arial, Helvetica, sans-serif; }
.audience { margin-top:8px; padding:8px 12px; border-left:5px solid var(--accent);
  background:#eef4f8; font: 14px/1.4 Arial, Helvetica, sans-serif; }
.audience-staff { border-left-color:#a63603; background:#fdf0e6; }
table { border-collapse: collapse; width: 100%; margin: 12px 0;
  font: 13px/1.4 Arial, Helvetica, sans-serif; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.meta { width: auto; }
table.meta th { font-weight: normal; color: var(--muted); padding-right: 18px; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px;
  margin: 16px 0; }
.card { border: 1px solid var(--rule); border-radius: 4px; padding: 10px 12px;
  font-family: Arial, Helvetica, sans-serif; break-inside: avoid; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 24px; font-weight: bold; }
.card .note { color: var(--muted); font-size: 12px; }
figure { margin: 16px 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; margin: 0 auto; }
figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
.note { color: var(--muted); font-size: 14px; }
dt { font-weight: bold; font-family: Arial, Helvetica, sans-serif; margin-top: 10px; }
dd { margin: 2px 0 0 0; }
nav.contents ol { columns: 2; font-family: Arial, Helvetica, sans-serif; }
nav.contents a { color: var(--accent); }
footer { margin-top: 40px; border-top: 1px solid var(--rule); padding-top: 8px;
  color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4 portrait; margin: 15mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.contents { display: none; }
  section { break-before: page; page-break-before: always; }
  section#summary { break-before: auto; page-break-before: auto; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure, .cards { break-inside: avoid; page-break-inside: avoid; }
  .synthetic, .audience { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""
