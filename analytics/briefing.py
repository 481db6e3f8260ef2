"""The council briefing: one self-contained HTML file that is safe to publish.

Two steps, so the page can cache the slow one and tests can feed stand-in inputs:

* :func:`gather_briefing` runs the analytics (coverage, targeting, forecast,
  costs) and passes every camera through the one redaction step of
  :mod:`analytics.privacy`; it returns :class:`BriefingInputs`, which holds only
  what the chosen audience may see.
* :func:`render_briefing` turns those inputs into HTML: inline SVG maps and
  charts, no scripts, no external links, images or fonts, print-friendly CSS.

:func:`build_briefing` does both.

>>> from analytics.datasets import load_dataset
>>> html = build_briefing(load_dataset(), audience="public")   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from analytics.briefing_html import (
    BRIEFING_AUDIENCES,
    briefing_title,
    render_briefing,
    validate_briefing_audience,
)
from analytics.briefing_inputs import BriefingInputs, ForecastView, RequestsBrief
from analytics.config import CityConfig
from analytics.costs import DEFAULT_COST_SCENARIO, CostScenario
from analytics.datasets import Dataset, unmapped_sentences
from analytics.schema import WGS84

if TYPE_CHECKING:  # loaded when a briefing is gathered
    from analytics.forecast import ForecastResult
    from analytics.targeting import Recommendation

__all__ = [
    "BRIEFING_AUDIENCES",
    "BriefingInputs",
    "CostScenario",
    "ForecastView",
    "briefing_tables",
    "briefing_title",
    "build_briefing",
    "gather_briefing",
    "render_briefing",
    "validate_briefing_audience",
    "ward_choices",
]

DEFAULT_RECRUIT_K = 50  # new sites recommended, shown grouped by map cell
TOP_GAPS = 10  # gap cells mapped and listed


def build_briefing(
    dataset: Dataset,
    *,
    audience: str,
    since: date | None = None,
    until: date | None = None,
    wards: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    scenario: CostScenario | None = None,
    recruit_k: int = DEFAULT_RECRUIT_K,
    range_scale: float = 1.0,
    generated_at: datetime | None = None,
) -> str:
    """The briefing for ``audience`` as one self-contained HTML document.

    Parameters are those of :func:`gather_briefing`.

    >>> html = build_briefing(load_dataset(), audience="public")  # doctest: +SKIP
    >>> Path("briefing.html").write_text(html, encoding="utf-8")   # doctest: +SKIP
    """
    return render_briefing(
        gather_briefing(
            dataset,
            audience=audience,
            since=since,
            until=until,
            wards=wards,
            categories=categories,
            scenario=scenario,
            recruit_k=recruit_k,
            range_scale=range_scale,
            generated_at=generated_at,
        )
    )


def gather_briefing(
    dataset: Dataset,
    *,
    audience: str,
    since: date | None = None,
    until: date | None = None,
    wards: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    scenario: CostScenario | None = None,
    recruit_k: int = DEFAULT_RECRUIT_K,
    range_scale: float = 1.0,
    generated_at: datetime | None = None,
) -> BriefingInputs:
    """Run the analytics for one briefing and redact the result for ``audience``.

    Parameters
    ----------
    dataset
        Cameras, incidents and boundaries (:func:`analytics.datasets.load_dataset`).
    audience
        ``"public"`` or ``"staff"`` (:data:`BRIEFING_AUDIENCES`).
    since, until
        Inclusive dates of the incidents measured; both None for the default
        window of :func:`analytics.windows.default_window` (the 12 months ending
        on the newest incident, as on the dashboard and in the CLI); ``since``
        alone runs to the data's date. Coverage is measured against today's
        active registry (:mod:`analytics.windows`).
    wards
        Ward ids to report on; None or empty for the whole city. Incidents and
        camera counts are limited to these wards; cameras just outside still
        count as seeing into them.
    categories
        Offence categories measured; None for all.
    scenario
        Integration devices to cost; None for
        :data:`analytics.costs.DEFAULT_COST_SCENARIO` (the one Goal progress opens
        on).
    recruit_k
        Number of new camera sites to recommend (grouped into map cells).
    range_scale
        Multiplies every camera's useful range (the coverage-range assumption).
    generated_at
        Printed in the header when given.

    Raises
    ------
    ValueError
        Unknown audience or ward id, ``since`` after ``until``, bad scenario.
    """
    from analytics import costs, coverage, forecast, privacy, targeting, windows

    validate_briefing_audience(audience)
    city = dataset.city
    if until is None:
        if since is None:
            window = windows.default_window(dataset.incidents, dataset.as_of)
            since, until = window.since, window.until
        else:  # the data ends on its as-of date: say so
            if since > dataset.as_of:
                raise ValueError(
                    f"`since` was {since.isoformat()} but is expected to be on or "
                    f"before the data's date {dataset.as_of.isoformat()}"
                )
            until = dataset.as_of
    if since is None:  # only an end given: from the first incident
        first = windows.oldest_incident_day(dataset.incidents)
        since = min(first, until) if first else until
    if since > until:
        raise ValueError(
            f"`since` was {since.isoformat()} but is expected to be on or before "
            f"`until` {until.isoformat()}"
        )
    chosen = _chosen_wards(dataset.wards, wards)
    area = chosen.dissolve().geometry if chosen is not None else None
    # the window rule: today's active registry against the window's incidents
    cameras = windows.registry_for(
        dataset.cameras, windows.Window(since, until), dataset.as_of
    )
    incidents = coverage.filter_incidents(
        dataset.incidents,
        since=since,
        until=until,
        categories=tuple(categories) if categories else None,
    )
    if wards:
        incidents = incidents[_within(incidents, area)]
        local_cameras = cameras[_within(cameras, area)]
    else:
        local_cameras = cameras

    # coverage below investigator from homes at their stand-in points (every
    # briefing edition is below investigator): the figures the pages show
    placed = privacy.cameras_for_coverage(cameras, audience)
    report = coverage.coverage_report(
        placed,
        incidents,
        city,
        city_limit=area if area is not None else dataset.city_limit,
        wards=chosen,
        range_scale=range_scale,
    )
    # cells counted once from the whole registry, then the chosen wards' cells
    # kept: a ward selection must not recount a cell split by a ward boundary
    redacted = privacy.redact_cameras(
        local_cameras, audience, city, cell_source=cameras
    )
    if wards and len(redacted.cells):
        cells = redacted.cells
        redacted = dataclasses.replace(
            redacted, cells=cells[_within_area(cells, area)].reset_index(drop=True)
        )
    window_days = (until - since).days + 1 if since and until else None
    headline = dict(report.headline)
    if wards:  # the report counts every camera; the briefing those in the wards
        headline.update(_local_counts(local_cameras))
        headline["goal_share"] = float("nan")  # the goal is city-wide
    headline = _small_group_headline(headline, city, bool(wards))

    # the same range assumption for "already covered" as the coverage figures
    covered = coverage.incident_coverage(
        placed, incidents, city, range_scale=range_scale, nearest=False
    )["covered"]
    rec = targeting.recommend_sites(
        placed,
        incidents,
        city,
        recruit_k,
        covered=covered.to_numpy(bool),
        city_limit=area if area is not None else dataset.city_limit,
        wards=chosen,
    )
    fc = forecast.forecast_goal(dataset.cameras, city, as_of=dataset.as_of)
    scenario = scenario or DEFAULT_COST_SCENARIO
    cost_table = costs.cost_plan(city, scenario)
    return BriefingInputs(
        city=city,
        audience=audience,
        label=dataset.label,
        synthetic=dataset.synthetic,
        as_of=dataset.as_of,
        since=since,
        until=until,
        ward_names=(
            tuple(chosen["ward_name"].astype(str))
            if wards and chosen is not None
            else ()
        ),
        headline=headline,
        ward_table=_ward_table(report.wards, city, audience, window_days),
        ward_shapes=chosen,
        outline=area if area is not None else _outline(dataset),
        camera_cells=redacted.cells,
        camera_points=_points_only(redacted.points),
        privacy_note=redacted.note,
        suppressed_cameras=int(redacted.suppressed_cameras),
        merged_cameras=int(redacted.merged_cameras),
        gaps=_gap_cells(
            privacy.protect_hexes(
                report.gaps,
                audience,
                city,
                sites=privacy.sites_per_cell(cameras, city.hex_resolution),
                window_days=window_days,
                empty_cells=True,
            ),
            chosen,
            audience,
        ),
        recruitment=_recruitment_cells(rec.sites, city),
        recruitment_note=_recruitment_note(rec, recruit_k),
        forecast=forecast_view(fc),
        costs=cost_table,
        scenario=_scenario_rows(scenario, city),
        methods={
            **_extra_methods(range_scale, wards, fc),
            # what the figures leave out, with counts per reason (shared wording)
            "What was not mapped": " ".join(unmapped_sentences(dataset)),
        },
        generated_at=generated_at,
        requests=_requests_brief(dataset, audience, since, until),
    )


# --- gathering helpers -----------------------------------------------------------
def _requests_brief(
    dataset: Dataset, audience: str, since: date, until: date
) -> RequestsBrief | None:
    """The Requests and outcomes page's figures for the briefing's window."""
    from analytics.figures import request_texts, requests_sentence
    from analytics.footage_view import dataset_requests_view, load_history

    history = load_history(dataset)
    if history is None:
        return None
    view = dataset_requests_view(
        history,
        dataset,
        role=audience,  # "public" suppresses small groups; rows never reach here
        since=since,
        until=until,
    )
    return RequestsBrief(
        texts=request_texts(view.stats),
        sentence=requests_sentence(view.stats),
        by_tier=view.by_tier,
        by_owner_type=view.by_owner_type,
    )


def _chosen_wards(
    boundaries: gpd.GeoDataFrame | None, wards: Sequence[str] | None
) -> gpd.GeoDataFrame | None:
    """The ward polygons reported on: the ones asked for, else all of them."""
    if boundaries is None or not len(boundaries):
        if wards:
            raise ValueError(
                f"wards {list(wards)} were asked for but no ward boundaries are "
                "configured (set CAMREG_WARDS or [data].wards in the city file)"
            )
        return None
    frame = boundaries.assign(
        ward_id=boundaries["ward_id"].astype(str),
        ward_name=boundaries["ward_name"].astype(str),
    )
    if not wards:
        return frame.reset_index(drop=True)
    valid = list(frame["ward_id"])
    for ward in wards:
        if str(ward) not in valid:
            raise ValueError(
                f"ward {str(ward)!r} is not a ward id; expected one of {valid}"
            )
    wanted = {str(w) for w in wards}
    return frame[frame["ward_id"].isin(wanted)].reset_index(drop=True)


def briefing_tables(inputs: BriefingInputs) -> dict[str, pd.DataFrame]:
    """The briefing's tables as plain frames for CSV download (no geometry).

    Built from the already-redacted inputs, so a download holds nothing the
    document does not. Write them with :func:`analytics.safe_output.to_safe_csv`.
    """
    return {
        "wards": pd.DataFrame(inputs.ward_table).reset_index(drop=True),
        "gaps": pd.DataFrame(inputs.gaps.drop(columns="geometry")),
        "areas": pd.DataFrame(inputs.recruitment.drop(columns="geometry")),
    }


def ward_choices(dataset: Dataset) -> dict[str, str]:
    """Ward id -> ward name, for pickers and error messages ({} without wards)."""
    if dataset.wards is None:
        return {}
    return dict(
        zip(
            dataset.wards["ward_id"].astype(str),
            dataset.wards["ward_name"].astype(str),
            strict=True,
        )
    )


def _within_area(cells: gpd.GeoDataFrame, area: gpd.GeoSeries) -> np.ndarray:
    """Boolean per cell polygon: it touches ``area``."""
    polygon = area.to_crs(cells.crs).union_all() if cells.crs else area.union_all()
    return np.asarray(shapely.intersects(polygon, cells.geometry.to_numpy()), bool)


def _within(frame: gpd.GeoDataFrame, area: gpd.GeoSeries) -> np.ndarray:
    """Boolean per row: its point lies in ``area`` (rows without a point: False)."""
    polygon = area.to_crs(frame.crs).union_all() if frame.crs else area.union_all()
    geoms = frame.geometry.to_numpy()
    inside = np.asarray(shapely.intersects(polygon, geoms), dtype=bool)
    inside &= ~np.asarray(pd.isna(geoms), dtype=bool)
    return inside


def _active(cameras: pd.DataFrame) -> pd.DataFrame:
    return cameras[cameras["status"] != "withdrawn"]


def _local_counts(cameras: pd.DataFrame) -> dict[str, float]:
    """Headline counts of the active cameras in the chosen wards."""
    active = _active(cameras)
    count = pd.to_numeric(active["camera_count"], errors="coerce").fillna(1)
    integrated = active["tier"] == "integrated"
    return {
        "cameras": float(count.sum()),
        "sites": float(len(active)),
        "integrated_cameras": float(count[integrated].sum()),
    }


def _ward_table(
    wards: pd.DataFrame | None,
    city: CityConfig,
    audience: str,
    window_days: int | None = None,
) -> pd.DataFrame:
    """The ward table the briefing prints, with the small-group rule applied.

    A ward with fewer than ``city.min_group_size`` registered sites shows no
    camera count (NaN), and in the public edition no coverage shares either:
    with so few sites they would describe individual households' cameras.
    """
    columns = [
        "ward_id",
        "ward_name",
        "cameras",
        "sites",
        "incidents",
        "coverage_share",
        "live_coverage_share",
        "weighted_coverage_share",
        "area_coverage_share",
    ]
    if wards is None or not len(wards):
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(
        {
            "ward_id": wards["ward_id"].astype(str).to_numpy(),
            "ward_name": wards["ward_name"].astype(str).to_numpy(),
            "cameras": pd.to_numeric(wards["cameras"]).astype(float).to_numpy(),
            "sites": pd.to_numeric(wards["sites"]).astype(float).to_numpy(),
            "incidents": pd.to_numeric(wards["incidents"]).to_numpy(),
            "coverage_share": wards["incident_coverage_share"].to_numpy(float),
            "live_coverage_share": wards["live_incident_coverage_share"].to_numpy(
                float
            ),
            "weighted_coverage_share": wards[
                "weighted_incident_coverage_share"
            ].to_numpy(float),
            "area_coverage_share": wards["area_coverage_share"].to_numpy(float),
        }
    )
    from analytics.privacy import coverage_publishable

    small = (table["sites"] < city.min_group_size).to_numpy()
    shares = [c for c in columns if c.endswith("_share")]
    # coverage of a ward needs k sites and k incidents over at least a month
    hidden = ~coverage_publishable(
        table["sites"], table["incidents"], city, window_days
    )
    table.loc[small, ["cameras", "sites"]] = np.nan
    table.loc[hidden, [c for c in shares if c != "area_coverage_share"]] = np.nan
    if audience == "public":
        table.loc[small, shares] = np.nan
    return table


def _gap_cells(
    gaps: gpd.GeoDataFrame, wards: gpd.GeoDataFrame | None, audience: str
) -> gpd.GeoDataFrame:
    """The top gap cells with ward names.

    The distance from a cell to the nearest camera is never passed on: it would
    place a private camera on a ring around a published point. The public
    edition also leaves out the cell's total incidents (total minus unseen
    would reveal that some camera covers part of a sparse cell).
    """
    top = gaps.head(TOP_GAPS).reset_index(drop=True)
    names = (
        {}
        if wards is None
        else dict(zip(wards["ward_id"], wards["ward_name"], strict=True))
    )
    keep = ["rank", "h3", "weighted_uncovered", "incidents_uncovered", "violent"]
    keep += ["property", "other"]
    if audience != "public":
        keep.append("incidents")
    out = top[[c for c in keep if c in top.columns]].copy()
    ward_ids = top["ward_id"] if "ward_id" in top else pd.Series([None] * len(top))
    out["ward_name"] = [names.get(str(w), "") if w else "" for w in ward_ids]
    return gpd.GeoDataFrame(out, geometry=top.geometry.to_numpy(), crs=top.crs)


def _small_group_headline(
    headline: dict[str, Any], city: CityConfig, wards_chosen: bool
) -> dict[str, Any]:
    """Blank the camera counts of a ward selection with too few registered sites."""
    if not wards_chosen or headline.get("sites", 0) >= city.min_group_size:
        return headline
    out = dict(headline)
    for key in ("cameras", "sites", "integrated_cameras", "goal_share"):
        out[key] = float("nan")
    out["suppressed"] = True
    return out


def _outline(dataset: Dataset) -> gpd.GeoSeries | None:
    if dataset.city_limit is not None and len(dataset.city_limit):
        return dataset.city_limit.geometry
    if dataset.wards is not None and len(dataset.wards):
        return dataset.wards.dissolve().geometry
    return None


def _points_only(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Only the geometry of the exact points an audience may see: no text at all."""
    geometry = points.geometry if len(points) else gpd.GeoSeries([], crs=WGS84)
    geometry = geometry[~(geometry.isna() | geometry.is_empty)]
    return gpd.GeoDataFrame(geometry=geometry.to_numpy(), crs=geometry.crs or WGS84)


def _cell_polygons(cells: Sequence[str]) -> list[shapely.Polygon]:
    return [
        shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)])
        for c in cells
    ]


def _ward_of(frame: gpd.GeoDataFrame, wards: gpd.GeoDataFrame | None) -> list[str]:
    """Name of the ward holding each row's representative point ("" if none)."""
    if wards is None or not len(frame):
        return [""] * len(frame)
    points = gpd.GeoDataFrame(
        geometry=frame.geometry.representative_point().to_numpy(), crs=frame.crs
    ).to_crs(wards.crs)
    joined = gpd.sjoin(points, wards[["ward_name", "geometry"]], predicate="within")
    names = joined[~joined.index.duplicated()]["ward_name"]
    return [str(n) for n in names.reindex(range(len(frame))).fillna("")]


def _recruitment_cells(sites: gpd.GeoDataFrame, city: CityConfig) -> gpd.GeoDataFrame:
    """Recommended sites grouped into H3 cells of the city's map resolution.

    A recommended site is not a private camera, but cells keep every map in the
    briefing at the same, aggregated level.
    """
    columns = ["h3", "sites", "incidents_gained", "weighted_gain", "ward_name"]
    if sites is None or not len(sites):
        return gpd.GeoDataFrame(columns=[*columns, "geometry"], crs=WGS84)
    frame = pd.DataFrame(
        {
            "h3": [
                h3.latlng_to_cell(float(a), float(b), city.hex_resolution)
                for a, b in zip(sites["latitude"], sites["longitude"], strict=True)
            ],
            "incidents_gained": pd.to_numeric(sites["new_incidents"]),
            "weighted_gain": pd.to_numeric(sites["marginal_gain"]),
            "ward_name": sites["ward_name"].astype(str) if "ward_name" in sites else "",
            "first_rank": pd.to_numeric(sites["rank"]),
        }
    )
    grouped = (
        frame.groupby("h3", sort=False)
        .agg(
            sites=("h3", "size"),
            incidents_gained=("incidents_gained", "sum"),
            weighted_gain=("weighted_gain", "sum"),
            ward_name=("ward_name", "first"),
            first_rank=("first_rank", "min"),
        )
        .sort_values(["weighted_gain", "first_rank"], ascending=[False, True])
        .reset_index()
    )
    return gpd.GeoDataFrame(
        grouped[columns], geometry=_cell_polygons(grouped["h3"]), crs=WGS84
    )


def _recruitment_note(rec: Recommendation, k: int) -> str:
    n = len(rec.sites)
    if not n:
        return "No new site would bring any more reported crime into view."
    total = rec.total_weight or 1.0
    text = (
        f"{n} suggested sites (of {k} asked for), each modelled as a camera seeing "
        f"{rec.range_m:g} m all round, chosen one at a time where they add the most "
        "crime-weighted incidents not yet in view. Together they would add "
        f"{rec.greedy_total / total:.1%} of all crime-weighted incidents"
    )
    if len(rec.baseline_sites):
        text += (
            f", against {rec.baseline_total / total:.1%} for the same number of new "
            "cameras placed where sign-ups arrived over the last year"
        )
    return text + "."


def forecast_view(fc: ForecastResult) -> ForecastView:
    """What the briefing and the Overview show of a forecast (dates, words, model)."""
    from analytics.figures import goal_date_text, goal_sentence
    from analytics.forecast import INTERVAL

    history = fc.history
    ends = [
        min((pd.Timestamp(p) + pd.offsets.MonthEnd(0)).date(), fc.as_of)
        for p in history["period"]
    ]
    hist = pd.Series(history["cameras"].to_numpy(dtype=float), index=ends)
    proj = fc.projection
    has_projection = len(proj) > 0
    index = list(proj["date"]) if has_projection else []

    def series(col: str) -> pd.Series | None:
        if not has_projection:
            return None
        return pd.Series(proj[col].to_numpy(dtype=float), index=index)

    model = (
        f"{fc.model} model of monthly net sign-ups since the launch, chosen by a "
        f"{fc.backtest_months}-month back-test"
        if fc.model
        else "no model (no registration dates)"
        if fc.status == "undated"
        else "no model (too little history)"
    )
    error = (
        f"mean error {fc.backtest_error:,.0f} cameras over the last "
        f"{fc.backtest_months} months, predicted without them"
        if fc.backtest_error is not None
        else ""
    )
    return ForecastView(
        history=hist,
        projection=series("cameras") if has_projection else pd.Series(dtype=float),
        lower=series("low"),
        upper=series("high"),
        goal_date=fc.projected_goal_date,
        interval=fc.interval,
        model=model,
        backtest_error=error,
        confidence=f"{INTERVAL[1] - INTERVAL[0]:.0%}",
        message=fc.message,
        pace=_pace_text(fc),
        outlook=goal_sentence(fc),
        goal_date_text=goal_date_text(fc),
    )


def _pace_text(fc: ForecastResult) -> str:
    if fc.current_monthly_pace is None:
        return ""
    return (
        f"Over the last {fc.pace_months} full months the registry grew by about "
        f"{fc.current_monthly_pace:,.0f} cameras a month, net of withdrawals."
    )


def _scenario_rows(scenario: CostScenario, city: CityConfig) -> dict[str, str]:
    mix = scenario.mix(city)
    mix_text = (
        f"all {mix}"
        if isinstance(mix, str)
        else ", ".join(f"{share:.0%} {name}" for name, share in mix.items())
    )
    return {
        "Devices bought a year": f"{scenario.devices_per_year:,}",
        "Device mix": mix_text,
        "Years budgeted": f"{scenario.years:g}",
    }


def _extra_methods(
    range_scale: float, wards: Sequence[str] | None, fc: ForecastResult
) -> dict[str, str]:
    out = {}
    if range_scale != 1.0:
        out["Range assumption"] = (
            f"Every camera's useful range was multiplied by {range_scale:g} for this "
            "briefing."
        )
    if wards:
        out["Wards"] = (
            "Incidents and camera counts are limited to the chosen wards; cameras "
            "just outside a ward still count as seeing into it. Progress toward "
            "the goal is city-wide."
        )
    if getattr(fc, "status", None) == "undated":
        out["Goal forecast"] = fc.message
        return _recruitment_method(out)
    out["Goal forecast"] = (
        "Monthly net sign-ups (registrations minus withdrawals) since the launch "
        "are projected forward; the range comes from re-running the projection "
        "on resampled monthly figures. " + " ".join(getattr(fc, "notes", ()) or ())
    ).strip()
    return _recruitment_method(out)


def _recruitment_method(out: dict[str, str]) -> dict[str, str]:
    out["Recruitment areas"] = (
        "Candidate sites are the centres of map cells holding incidents no camera "
        "sees; sites are picked one at a time, each where it adds the most "
        "crime-weighted incidents not yet in view (within 63% of the best possible "
        "choice, in practice much closer)."
    )
    return out
