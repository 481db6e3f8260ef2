"""Cached wrappers around the analytics, keyed on small hashable arguments.

Every wrapper takes the shared dataset as ``_ds`` (not hashed) together with its
hashable ``key`` (``ui.page.dataset_key``) and the frozen ``Filters``; a rerun
that changed nothing hits the cache. Results are shared objects
(``st.cache_resource``: no copy of big frames on every hit), so callers must
never mutate them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeVar

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from folium.plugins import Draw

from analytics import diskcache
from analytics.briefing import BriefingInputs, CostScenario, gather_briefing
from analytics.briefing_html import render_briefing
from analytics.changes import registrations_between
from analytics.config import CityConfig
from analytics.costs import DEFAULT_COST_SCENARIO
from analytics.coverage import (
    CoverageReport,
    coverage_report,
    filter_cameras,
    filter_incidents,
)
from analytics.datasets import Dataset
from analytics.footage_view import (
    FootageHistory,
    RequestsView,
    dataset_requests_view,
    history_version,
    load_history,
    verified_only,
)
from analytics.forecast import DEFAULT_HORIZON_MONTHS, ForecastResult, forecast_goal
from analytics.history import camera_history
from analytics.maps import (
    MAX_GAP_CELLS,
    asset_versions,
    build_coverage_map,
    build_ward_map,
    hexes_for_audience,
    use_local_assets,
)
from analytics.places import name_places
from analytics.privacy import (
    RedactedCameras,
    area_camera_settings,
    cameras_for_coverage,
    change_days,
    protect_ward_table,
    protected_ward_changes,
    redact_cameras,
    sites_per_cell,
    ward_privacy,
)
from analytics.scenarios import Scenario, ScenarioComparison, run_scenarios
from analytics.targeting import Recommendation, recommend_sites
from analytics.wardfocus import in_ward, ward_area
from analytics.windows import Window, registry_for, registry_note
from ui.data import shared_fingerprint
from ui.mapview import MapSource
from ui.sidebar import Filters

T = TypeVar("T")
CACHE_ENTRIES = 16  # distinct filter combinations kept per wrapper
RECENT_DAYS = 30  # "added in the last 30 days", "since last month"
VENDOR_PATH = "app/static/vendor"  # static/vendor served by Streamlit


@dataclass(frozen=True)
class Filtered:
    """Cameras and incidents after the sidebar filters."""

    cameras: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def filtered(_ds: Dataset, key: tuple, filters: Filters) -> Filtered:
    """Today's active registry (tier and owner filters applied) and the incidents
    in the window: the rule of :mod:`analytics.windows`, as in the CLI and the
    briefing. Unless ``filters.exact_homes`` (investigators), residential cameras
    stand at their stand-in points (:func:`_homes_placed`)."""
    cameras = registry_for(
        _ds.cameras,
        filters.window,
        _ds.as_of,
        tiers=filters.tiers,
        owner_types=filters.owner_types,
    )
    if filters.verified_only:
        cameras = _verified(_ds, key, cameras)
    cameras = _homes_placed(cameras, filters)
    incidents = filter_incidents(
        _ds.incidents,
        since=filters.since,
        until=filters.until,
        categories=filters.categories,
    )
    return Filtered(cameras, incidents)


def _homes_placed(cameras: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Homes at their stand-in points unless ``filters.exact_homes`` (investigators):
    every coverage figure below investigator comes from these
    (:func:`analytics.privacy.cameras_for_coverage`)."""
    if filters.exact_homes:
        return cameras
    return cameras_for_coverage(cameras, "staff")


def _verified(_ds: Dataset, key: tuple, cameras: pd.DataFrame) -> pd.DataFrame:
    """The sidebar's "Verified cameras only": cameras verified in the city's months."""
    history = footage_history(_ds, key)
    return verified_only(cameras, history, _ds.as_of, months=_ds.city.stale_months)


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner="Computing coverage...")
def coverage(_ds: Dataset, key: tuple, filters: Filters) -> CoverageReport:
    """The coverage report for the filtered cameras and incidents."""

    def compute() -> CoverageReport:
        data = filtered(_ds, key, filters)
        return coverage_report(
            data.cameras,
            data.incidents,
            _ds.city,
            city_limit=_ds.city_limit,
            wards=_ds.wards,
            range_scale=filters.range_scale,
        )

    return _on_disk("coverage", _ds, compute, filters)


@st.cache_resource(
    max_entries=CACHE_ENTRIES, show_spinner="Comparing with the earlier registry..."
)
def coverage_at(
    _ds: Dataset, key: tuple, filters: Filters, cameras_on: date
) -> CoverageReport:
    """Coverage of the same incidents by the registry as it stood on ``cameras_on``
    (the "window_end" rule of :mod:`analytics.windows`).

    Comparing two of these shows what the cameras added between the two days
    changed, with crime held fixed.
    """

    def compute() -> CoverageReport:
        data = filtered(_ds, key, filters)
        earlier = filter_cameras(
            _ds.cameras,
            tiers=filters.tiers,
            owner_types=filters.owner_types,
            as_of=cameras_on,
        )
        if filters.verified_only:
            earlier = _verified(_ds, key, earlier)
        return coverage_report(
            _homes_placed(earlier, filters),
            data.incidents,
            _ds.city,
            city_limit=_ds.city_limit,
            wards=_ds.wards,
            range_scale=filters.range_scale,
        )

    return _on_disk("coverage_at", _ds, compute, filters, cameras_on)


def _on_disk(name: str, _ds: Dataset, compute: Callable[[], T], *parts: object) -> T:
    """``compute()`` kept on disk (:mod:`analytics.diskcache`) for the shared
    dataset's data version, so a restarted server reads it back.

    Datasets that are not the shared one (tests, uploads) are never stored.
    """
    fingerprint = shared_fingerprint(_ds)
    if fingerprint is None:
        return compute()
    return diskcache.load_or_compute(
        name, diskcache.fingerprint(fingerprint, *parts), compute
    )


@st.cache_resource(
    max_entries=CACHE_ENTRIES,
    show_spinner="Fitting the forecast and its 80% interval...",
)
def forecast(
    _ds: Dataset,
    key: tuple,  # noqa: ARG001
    target: date | None = None,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
) -> ForecastResult:
    """Goal forecast from the whole registry (filters do not apply to the goal).

    ``target`` (a date for the required pace) and ``horizon_months`` as in
    :func:`analytics.forecast.forecast_goal`; a target not after the data's date
    raises ValueError.
    """
    return forecast_goal(
        _ds.cameras,
        _ds.city,
        as_of=_ds.as_of,
        target_date=target,
        horizon_months=horizon_months,
    )


@st.cache_resource(
    max_entries=4 * CACHE_ENTRIES, show_spinner="Running the scenarios..."
)
def scenarios(
    _ds: Dataset,
    key: tuple,
    target: date | None,
    horizon_months: int,
    drivers: tuple[Scenario, ...],
) -> ScenarioComparison:
    """The scenarios beside the baseline :func:`forecast` with the same settings."""
    return run_scenarios(forecast(_ds, key, target, horizon_months), list(drivers))


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def history(
    _ds: Dataset,
    key: tuple,  # noqa: ARG001
    by: str,
    tiers: tuple[str, ...],
    owner_types: tuple[str, ...],
) -> pd.DataFrame:
    """Cameras in the registry by month and ``by`` (tier, owner type or ward)."""
    cams = _ds.cameras
    cams = cams[cams["tier"].isin(tiers) & cams["owner_type"].isin(owner_types)]
    return camera_history(cams, by=by, as_of=_ds.as_of, wards=_ds.wards)


@st.cache_resource(
    max_entries=CACHE_ENTRIES, show_spinner="Choosing recruitment sites..."
)
def recommendation(
    _ds: Dataset, key: tuple, filters: Filters, k: int, ward: str | None = None
) -> Recommendation:
    """K recommended recruitment sites for the filtered incidents (also on disk).

    ``ward`` (a ``ward_id``, the page's focus): sites inside that ward for the
    incidents recorded in it.
    """

    def compute() -> Recommendation:
        data = filtered(_ds, key, filters)
        incidents, area = data.incidents, _ds.city_limit
        if ward is not None and _ds.wards is not None:
            incidents = incidents[in_ward(incidents, _ds.wards, ward)]
            area = ward_area(_ds.wards, ward)
        return recommend_sites(
            data.cameras,
            incidents,
            _ds.city,
            k,
            city_limit=area,
            wards=_ds.wards,
        )

    return _on_disk("recommendation", _ds, compute, filters, k, ward)


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def redacted(_ds: Dataset, key: tuple, filters: Filters, role: str) -> RedactedCameras:
    """What ``role`` may see of the filtered cameras (shared by every map).

    Exact points follow the filters; the cells counting private cameras come
    from the whole active registry, so no filter changes them. Kept on disk by
    filters and role: after a restart the Coverage map page asks for it before
    its stored map (does the role get "Cameras by area"?), and working it out
    again filtered a million incidents first (1.0 s of the page's first run
    at goal scale).
    """

    def compute() -> RedactedCameras:
        return redact_cameras(
            filtered(_ds, key, filters).cameras,
            role,
            _ds.city,
            cell_source=_ds.cameras if role != "investigator" else None,
        )

    return _on_disk("redacted", _ds, compute, filters, role)


@st.cache_resource(max_entries=4, show_spinner=False)
def cell_sites(_ds: Dataset, key: tuple) -> pd.Series:  # noqa: ARG001
    """Active sites per map cell of the whole registry (for the privacy rule)."""
    return sites_per_cell(_ds.cameras, _ds.city.hex_resolution)


def area_filters(filters: Filters, role: str) -> Filters:
    """The filters per-cell and per-ward figures use for ``role``: below
    investigator the whole registry at default ranges, whatever the camera
    filters (:func:`analytics.privacy.area_camera_settings`). Unchanged filters
    are returned as they are, so the cached report is shared."""
    fixed = area_camera_settings(role)
    changed = {
        k: v
        for k, v in fixed.items()
        if (
            set(getattr(filters, k)) != set(v)
            if isinstance(v, tuple)
            else getattr(filters, k) != v
        )
    }
    return replace(filters, **changed) if changed else filters


def ward_table(
    _ds: Dataset, key: tuple, filters: Filters, role: str
) -> tuple[pd.DataFrame, str, tuple[date, date]]:
    """The ward table ``role`` may see, with the change in the window.

    Cameras per :func:`area_filters`; the change compares the registries of the
    two days of :func:`analytics.privacy.change_days` (whole months below
    investigator). Returns the table, the note of what was withheld and the two
    days compared.
    """
    before, after = change_days(filters.since, filters.until, _ds.as_of, role)
    table, note = ward_changes(_ds, key, filters, role, before, after)
    return table, note, (before, after)


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def ward_changes(
    _ds: Dataset, key: tuple, filters: Filters, role: str, before: date, after: date
) -> tuple[pd.DataFrame, str]:
    """Per-ward cameras and crime-weighted coverage in the window, with their
    change from the registry of ``before`` to that of ``after`` (today's at or
    after the data's date), as ``role`` may see them
    (:func:`analytics.privacy.protected_ward_changes`), and the note of what
    was withheld. Cameras per :func:`area_filters`."""
    area = area_filters(filters, role)
    report = coverage(_ds, key, area)
    start = coverage_at(_ds, key, area, before)
    end = report if after >= _ds.as_of else coverage_at(_ds, key, area, after)
    return protected_ward_changes(
        report.wards,
        start.wards,
        end.wards,
        role,
        _ds.city,
        window_days=window_days(filters),
    )


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def ward_view(_ds: Dataset, key: tuple, filters: Filters, role: str) -> pd.DataFrame:
    """The ward figures ``role`` may see in the window (small wards withheld
    below investigator, :func:`analytics.privacy.protect_ward_table`), from the
    cameras of :func:`area_filters`: the Overview's "least covered ward"."""
    return protect_ward_table(
        coverage(_ds, key, area_filters(filters, role)).wards,
        role,
        _ds.city,
        **ward_privacy(window_days(filters)),
    )[0]


@st.cache_resource(max_entries=4, show_spinner=False)
def recent_registrations(_ds: Dataset, key: tuple) -> dict:  # noqa: ARG001
    """Cameras registered and withdrawn in the whole registry in the last
    ``RECENT_DAYS`` (:func:`analytics.changes.registrations_between`)."""
    return registrations_between(_ds.cameras, *recent_window(_ds.as_of))


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def empty_registry_note(
    _ds: Dataset,
    key: tuple,  # noqa: ARG001
    window: Window,
) -> str | None:
    """:func:`analytics.windows.registry_note` of the registry for ``window``."""
    return registry_note(_ds.cameras, window, _ds.as_of)


def window_days(filters: Filters) -> int:
    """Days in the filters' incident window (both ends included)."""
    return (filters.until - filters.since).days + 1


def hexes_for(
    _ds: Dataset, key: tuple, filters: Filters, role: str, table: str = "hexes"
) -> gpd.GeoDataFrame:
    """The coverage report's ``hexes`` or ``gaps`` as ``role`` may see them."""
    # gap cells carry their place names (from non-residential addresses); below
    # investigator every cell counts the whole registry (area_filters)
    area = area_filters(filters, role)
    frame = (
        gap_places(_ds, key, area)
        if table == "gaps"
        else coverage(_ds, key, area).hexes
    )
    return hexes_for_audience(
        frame,
        role,
        _ds.city,
        sites=cell_sites(_ds, key),
        window_days=window_days(filters),
        empty_cells=table == "gaps",
    )


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def gap_places(_ds: Dataset, key: tuple, filters: Filters) -> gpd.GeoDataFrame:
    """The ranked gap cells with ``place``, ``street``, ``ward`` and ``district``."""
    return _on_disk(
        "gap_places",
        _ds,
        lambda: _with_places(_ds, key, filters, coverage(_ds, key, filters).gaps),
        filters,
    )


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def site_places(
    _ds: Dataset, key: tuple, filters: Filters, k: int, ward: str | None = None
) -> gpd.GeoDataFrame:
    """The recommended sites with ``place``, ``street``, ``ward`` and ``district``."""
    return _on_disk(
        "site_places",
        _ds,
        lambda: _with_places(
            _ds, key, filters, recommendation(_ds, key, filters, k, ward).sites
        ),
        filters,
        k,
        ward,
    )


def _with_places(
    _ds: Dataset, key: tuple, filters: Filters, frame: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    if len(frame) == 0:
        return frame.assign(place=pd.Series(dtype=object))
    names = name_places(
        frame.geometry,
        _ds.city,
        cameras=_ds.cameras,
        wards=_ds.wards,
        incidents=filtered(_ds, key, filters).incidents,
    )
    out = frame.copy()
    for col in ("place", "street", "district"):
        out[col] = names[col].to_numpy()
    if "ward_name" not in out:
        out["ward_name"] = names["ward"].to_numpy()
    return out


def coverage_map(
    _ds: Dataset,
    key: tuple,
    filters: Filters,
    role: str,
    *,
    choropleth: str = "coverage_share",
    thematic: str | None = "choropleth",
    ward: str | None = None,
    heat: bool = True,
    gaps: bool = False,
    k: int | None = None,
    show_cameras: bool = True,
    compact: bool = False,
    cameras: bool = True,
) -> MapSource:
    """The folium coverage map for these filters and this viewer, for
    ``ui.mapview.show_map``: built only when its component is not stored.

    ``cameras=False`` leaves the camera points out of the map altogether (the
    Overview's map at a glance: at goal scale they were 1 MB of its 1.4 MB for
    staff); ``show_cameras=False`` keeps them, switched off.

    The options are passed on in one order, so a call that spells out a default
    hits the same cached map as one that leaves it out (``ui.warmup``). The
    disk key holds the role: a redacted and an unredacted map never share one.
    """
    options = (
        ("choropleth", choropleth),
        ("thematic", thematic),
        ("ward", ward),
        ("heat", heat),
        ("gaps", gaps),
        ("k", k),
        ("show_cameras", show_cameras),
        ("compact", compact),
        ("cameras", cameras),
    )
    return MapSource(
        build=functools.partial(_coverage_map, _ds, key, filters, role, options),
        disk_key=_map_disk_key("coverage_map", _ds, filters, role, options),
    )


def _map_disk_key(name: str, _ds: Dataset, *parts: object) -> str | None:
    """Disk key of a map of the shared dataset (None for any other dataset)."""
    fingerprint = shared_fingerprint(_ds)
    if fingerprint is None:
        return None
    # the links carry the vendored files' digests: a changed file, a new map
    links = (asset_base(), tuple(sorted(asset_versions().items())))
    return diskcache.fingerprint(fingerprint, name, links, *parts)


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner="Drawing the map...")
def _coverage_map(
    _ds: Dataset, key: tuple, filters: Filters, role: str, options: tuple
) -> folium.Map:
    """The folium coverage map (``options`` as :func:`coverage_map` names them).

    ``ward`` (a ``ward_id``, the page's focus): the map opens on the ward, draws
    the views of its cameras, and the sites of ``k`` are the ward's.
    """
    opts = dict(options)
    data = filtered(_ds, key, filters)
    area = None
    ward = opts["ward"]
    if ward is not None and _ds.wards is not None:
        match = ward_area(_ds.wards, ward)
        if len(match):
            area = match.geometry.union_all()
    k = opts["k"]
    sites = site_places(_ds, key, filters, k, ward) if k else None
    gap_cells = (
        hexes_for(_ds, key, filters, role, "gaps").head(MAX_GAP_CELLS)
        if opts["gaps"]
        else None
    )
    fmap = build_coverage_map(
        redacted(_ds, key, filters, role) if opts["cameras"] else None,
        role=role,
        city=_ds.city,
        hexes=hexes_for(_ds, key, filters, role),
        choropleth=opts["choropleth"],
        thematic=opts["thematic"],
        gaps=gap_cells,
        incidents=data.incidents if opts["heat"] else None,
        wards=_ds.wards,
        city_limit=_ds.city_limit,
        viewshed_area=area,
        focus_ward=ward,
        range_scale=filters.range_scale,
        sites=sites,
        asset_base=asset_base(),
        show_cameras=opts["show_cameras"],
        compact=opts["compact"],
    )
    fmap.get_root().render()  # once, here: ui.mapview.show_map skips it
    return fmap


def ward_map(
    _ds: Dataset,
    key: tuple,
    filters: Filters,
    selected: str | None,
    role: str = "public",
) -> MapSource:
    """Wards coloured by crime-weighted coverage; ``selected`` (a ward_id)
    outlined. The figures are the ward table ``role`` may see
    (:func:`ward_table`). For ``ui.mapview.show_map``, like :func:`coverage_map`."""
    return MapSource(
        build=functools.partial(_ward_map, _ds, key, filters, selected, role),
        disk_key=_map_disk_key("ward_map", _ds, filters, selected, role),
    )


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def _ward_map(
    _ds: Dataset, key: tuple, filters: Filters, selected: str | None, role: str
) -> folium.Map:
    table = ward_table(_ds, key, filters, role)[0]
    shapes = _ds.wards[["ward_id", "geometry"]].copy()
    shapes["ward_id"] = shapes["ward_id"].astype(str)
    table = table.assign(ward_id=table["ward_id"].astype(str))
    frame = shapes.merge(table, on="ward_id", how="left")
    fmap = build_ward_map(
        frame,
        city=_ds.city,
        city_limit=_ds.city_limit,
        selected=selected,
        asset_base=asset_base(),
    )
    fmap.get_root().render()
    return fmap


def asset_base() -> str:
    """URL of the vendored map libraries, honouring ``server.baseUrlPath``."""
    prefix = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(p for p in (prefix, VENDOR_PATH) if p)


def recent_window(as_of: date, days: int = RECENT_DAYS) -> tuple[date, date]:
    """The last ``days`` days up to and including ``as_of``."""
    return as_of - timedelta(days=days - 1), as_of


def footage_history(_ds: Dataset, key: tuple) -> FootageHistory | None:
    """Requests and outcomes: the demo's made-up history, or the store's.

    None when real data is loaded without a registry store (nothing recorded).
    The demo's history (a minute of work at goal scale) is also kept on disk; a
    store's is read again whenever a request, an answer or a case outcome was
    written since (``analytics.footage_view.history_version``), by this page,
    the canvass page or the command line.
    """
    return _footage_history(_ds, key, history_version(_ds))


@st.cache_resource(max_entries=4, show_spinner="Reading footage requests...")
def _footage_history(
    _ds: Dataset,
    key: tuple,  # noqa: ARG001
    version: tuple | None,  # noqa: ARG001
) -> FootageHistory | None:
    if not _ds.synthetic:
        return load_history(_ds)
    return _on_disk("footage_history", _ds, lambda: load_history(_ds))


def requests_figures(
    _ds: Dataset, key: tuple, role: str, since: date, until: date
) -> RequestsView | None:
    """The footage-request figures of the window as ``role`` may see them (the
    Overview's line and the Requests and outcomes page); None without a history.

    Role-specific (rows only for investigators), so ``role`` is in the key; a
    store's figures are computed again when its history changed.
    """
    return _requests_figures(_ds, key, role, since, until, history_version(_ds))


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def _requests_figures(
    _ds: Dataset,
    key: tuple,
    role: str,
    since: date,
    until: date,
    version: tuple | None,  # noqa: ARG001
) -> RequestsView | None:
    history = footage_history(_ds, key)
    if history is None:
        return None

    def compute() -> RequestsView:
        return dataset_requests_view(history, _ds, role=role, since=since, until=until)

    if not _ds.synthetic:
        return compute()
    return _on_disk("requests_figures", _ds, compute, role, since, until)


# --- the council briefing (also worked out by ui.warmup) --------------------------
@dataclass(frozen=True)
class Briefing:
    """One briefing's redacted inputs and its HTML document."""

    inputs: BriefingInputs
    html: str


def briefing_scenario(
    city: CityConfig,
    devices: int = DEFAULT_COST_SCENARIO.devices_per_year,
    years: int = DEFAULT_COST_SCENARIO.years,
    top_share: float = 0.0,
) -> CostScenario:
    """The Briefing page's cost scenario: ``devices`` a year for ``years``, a
    ``top_share`` of them the city's top device (the rest its first); the
    defaults are the page's (and the warm-up's)."""
    mix: tuple[tuple[str, float], ...] = ()
    if len(city.devices) > 1:
        shares = (
            (city.devices[0].name, 1.0 - top_share),
            (city.devices[-1].name, top_share),
        )
        mix = tuple((n, round(v, 6)) for n, v in shares if v > 0)
    return CostScenario(devices_per_year=int(devices), years=int(years), tier_mix=mix)


@st.cache_resource(
    max_entries=CACHE_ENTRIES,
    show_spinner="Computing coverage, gaps, recruitment areas and the forecast...",
)
def briefing(
    _ds: Dataset,
    key: tuple,  # noqa: ARG001
    audience: str,
    since: date,
    until: date,
    wards: tuple[str, ...],
    categories: tuple[str, ...],
    range_scale: float,
    recruit_k: int,
    scenario: CostScenario,
) -> Briefing:
    """:func:`analytics.briefing.gather_briefing` and its document
    (:func:`analytics.briefing_html.render_briefing`) for the Briefing page's
    choices, shared by every session and kept on disk per data version: at goal
    scale both take seconds, and a restarted server reads them back.
    """

    def compute() -> Briefing:
        inputs = gather_briefing(
            _ds,
            audience=audience,
            since=since,
            until=until,
            wards=wards or None,
            categories=categories,
            scenario=scenario,
            recruit_k=recruit_k,
            range_scale=range_scale,
        )
        return Briefing(inputs, render_briefing(inputs))

    return _on_disk(
        "briefing",
        _ds,
        compute,
        audience,
        since,
        until,
        wards,
        categories,
        range_scale,
        recruit_k,
        scenario,
    )


# --- the Incident canvass page's start map (also worked out by ui.warmup) ---------
CANVASS_START_KEY = "canvass_start_map"  # its component key
CANVASS_MAP_HEIGHT = 480


def draw_tools() -> Draw:
    """Leaflet.draw's tools for one area: a polygon or a rectangle."""
    return Draw(
        draw_options={
            "polyline": False,
            "circle": False,
            "circlemarker": False,
            "marker": False,
            "polygon": True,
            "rectangle": True,
        },
        edit_options={"edit": False},
    )


@st.cache_resource(show_spinner="Drawing the city's cameras...", max_entries=8)
def canvass_start_map(_ds: Dataset, key: tuple, role: str, base: str) -> folium.Map:  # noqa: ARG001
    """The city with the cameras ``role`` may see, to click or draw the incident on.

    The cameras are redacted as on the Coverage map (homes as counts per area
    below investigator); shared by every session of the role.
    """
    cameras = redact_cameras(
        _ds.cameras,
        role,
        _ds.city,
        cell_source=_ds.cameras if role != "investigator" else None,
    )
    m = build_coverage_map(
        cameras,
        role=role,
        city=_ds.city,
        wards=_ds.wards,
        city_limit=_ds.city_limit,
        thematic=None,
    )
    draw_tools().add_to(m)
    use_local_assets(m, base)
    m.get_root().render()  # once, here: ui.mapview.show_map skips it
    return m


def canvass_start_source(ds: Dataset, key: tuple, role: str) -> MapSource:
    """The start map for ``show_map``: its component is kept on disk per data
    version and role, so a restarted server sends it without building it (the
    redaction and map take seconds at 30,000 cameras)."""
    fingerprint = shared_fingerprint(ds)
    base = asset_base()
    return MapSource(
        build=lambda: canvass_start_map(ds, key, role, base),
        disk_key=None
        if fingerprint is None
        else diskcache.fingerprint(fingerprint, "canvass_start_map", base, role),
    )
