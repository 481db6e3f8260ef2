"""Benchmark: our coverage refresh against the textbook GeoPandas pipeline.

Both compute the same figures on the same synthetic city in the same process:
the headline (incidents and area in view, live/on request, severity-weighted),
the H3 hex table, the ward table and the gap ranking. Loading from disk is
excluded (the data is generated in memory first).

What is cached: only the boundary raster (city limit and wards rasterised to
10 m), kept between refreshes because boundaries do not change when filters
do. ``refresh_cold_seconds`` times a refresh with that cache cleared (after a
warm-up on a tiny city so module imports are not counted);
``refresh_seconds`` the best of ``repeats`` refreshes with it warm. Nothing else
is reused between runs: camera preparation, projection, the point-in-viewshed
join, H3 cells and all tables are recomputed every time.

>>> result = run_bench(cameras=500, incidents=5000, naive=False, recommend=False)
>>> result["refresh_seconds"] > 0
True
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from analytics import areagrid
from analytics.canvass import CameraIndex, canvass
from analytics.config import CityConfig, load_city
from analytics.coverage import CoverageReport, build_report, severity_weights
from analytics.maps import build_coverage_map
from analytics.synthetic import generate_demo
from analytics.targeting import recommend_sites
from analytics.viewshed import prepare_cameras, viewshed_polygons

RECOMMEND_K = 1000
MAP_REPEATS = 3
TARGET_SECONDS = 3.0  # full refresh at 30,000 cameras x 1,000,000 incidents
TARGET_SPEEDUP = 3.0
TARGET_MEMORY_MB = 4096
CACHED_NOTE = (
    "boundary raster (city limit + wards at 10 m) cached between warm refreshes; "
    "everything else recomputed"
)


@dataclass(frozen=True)
class BenchContext:
    """What a timing hook gets: the generated data and our report."""

    city: CityConfig
    cameras: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    city_limit: gpd.GeoDataFrame
    report: CoverageReport


def _map_timing(ctx: BenchContext) -> dict[str, float | int | None]:
    """Coverage map: build (redaction included) plus render to HTML, and its size.

    Staff view (the demo's role): exact business/institutional/city points,
    residential cameras as cells. Best of ``MAP_REPEATS``; the investigator view
    (every camera as a point, the largest map) is measured for size too.
    """

    def build(role: str) -> str:
        return (
            build_coverage_map(
                ctx.cameras,
                role=role,
                city=ctx.city,
                hexes=ctx.report.hexes,
                gaps=ctx.report.gaps,
                incidents=ctx.incidents,
                wards=ctx.wards,
                city_limit=ctx.city_limit,
                asset_base="/app/static/vendor",
            )
            .get_root()
            .render()
        )

    best = float("inf")
    for _ in range(MAP_REPEATS):
        t0 = time.perf_counter()
        html = build("staff")
        best = min(best, time.perf_counter() - t0)
    return {
        "map_seconds": best,
        "map_html_bytes": len(html.encode("utf-8")),
        "map_html_bytes_investigator": len(build("investigator").encode("utf-8")),
    }


def _canvass_timing(ctx: BenchContext) -> dict[str, float]:
    """Incident canvass: median ms per query with the camera index already built."""
    return {"canvass_ms": bench_canvass(ctx.cameras, ctx.city)}


def bench_canvass(
    cameras: gpd.GeoDataFrame,
    city: CityConfig,
    *,
    queries: int = 200,
    seed: int = 0,
) -> float:
    """Median milliseconds of one :func:`canvass` (index built beforehand).

    Incident points are drawn at random among the camera locations plus up to
    300 m of jitter, so every query has cameras nearby as in real use.
    """
    index = CameraIndex(cameras, city)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(index), queries)
    lat = index.lat[pick] + rng.uniform(-1, 1, queries) * 300 / 110_574
    lon = index.lon[pick] + rng.uniform(-1, 1, queries) * 300 / 91_000
    now = datetime(2026, 11, 1, 23, 59)
    times = []
    for a, b in zip(lat, lon, strict=True):
        start = time.perf_counter()
        canvass(index, a, b, at=now - timedelta(days=3), now=now)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


# Extra timings merged into the result: functions (BenchContext) -> dict.
EXTRA_TIMINGS: list[Callable[[BenchContext], dict[str, Any]]] = [
    _map_timing,
    _canvass_timing,
]


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (MB; ru_maxrss)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes
    return rss / (1024 * 1024) if platform.system() == "Darwin" else rss / 1024


def run_bench(
    city: CityConfig | None = None,
    *,
    cameras: int = 30_000,
    incidents: int = 1_000_000,
    seed: int = 42,
    repeats: int = 3,
    naive: bool = True,
    recommend: bool = True,
    recommend_k: int = RECOMMEND_K,
) -> dict[str, Any]:
    """Generate the demo at this scale and time refreshes; return the figures.

    Keys: ``registrations``, ``cameras``, ``sites``, ``incidents``,
    ``refresh_seconds`` (warm, best of ``repeats``), ``refresh_cold_seconds``,
    ``refresh_cpu_seconds``, ``stages`` and ``stages_cpu`` (wall and CPU
    seconds per stage of the best warm run), ``stages_cold``,
    ``naive_refresh_seconds``, ``speedup`` (naive / warm refresh),
    ``speedup_cold``, ``recommend_seconds`` (None when targeting is
    unavailable or skipped), ``peak_memory_mb`` (whole run),
    ``peak_memory_mb_refresh`` (before the naive pipeline), ``agreement``
    (headline shares, ours vs naive), ``cached``, machine facts, and the
    extra timings (``map_seconds``, ``map_html_bytes``, ``canvass_ms``).
    """
    if cameras < 1 or incidents < 1 or repeats < 1:
        raise ValueError(
            f"cameras, incidents and repeats must be >= 1, got {cameras}, "
            f"{incidents}, {repeats}"
        )
    city = city or load_city()
    t0 = time.perf_counter()
    demo = generate_demo(city, cameras=cameras, incidents=incidents, seed=seed)
    generate_seconds = time.perf_counter() - t0
    args = (demo.cameras, demo.incidents, city)
    kwargs = {"city_limit": demo.city_limit, "wards": demo.wards}

    # warm-up on a tiny city: imports and first-use costs are not a refresh
    tiny = generate_demo(city, cameras=50, incidents=500, seed=seed)
    build_report(tiny.cameras, tiny.incidents, city, city_limit=tiny.city_limit)

    areagrid.clear_cache()
    stages_cold: dict[str, float] = {}
    t0 = time.perf_counter()
    report = build_report(*args, **kwargs, timings=stages_cold)
    cold = time.perf_counter() - t0

    best, best_cpu, stages, stages_cpu = float("inf"), float("inf"), {}, {}
    for _ in range(repeats):
        timings: dict[str, float] = {}
        cpu_timings: dict[str, float] = {}
        t0, c0 = time.perf_counter(), time.process_time()
        report = build_report(*args, **kwargs, timings=timings, cpu_timings=cpu_timings)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best:
            best, best_cpu, stages, stages_cpu = wall, cpu, timings, cpu_timings
    memory_refresh = peak_memory_mb()

    result: dict[str, Any] = {
        "registrations": int(cameras),
        "cameras": int(report.headline["cameras"]),
        "sites": int(report.headline["sites"]),
        "incidents": int(incidents),
        "generate_seconds": generate_seconds,
        "refresh_seconds": best,
        "refresh_cold_seconds": cold,
        "refresh_cpu_seconds": best_cpu,
        "stages": stages,
        "stages_cpu": stages_cpu,
        "stages_cold": stages_cold,
        "cached": CACHED_NOTE,
        "naive_refresh_seconds": None,
        "speedup": None,
        "speedup_cold": None,
        "agreement": None,
        "recommend_seconds": None,
        "recommend_k": int(recommend_k),
        "peak_memory_mb_refresh": memory_refresh,
    }
    if naive:
        t0 = time.perf_counter()
        figures = naive_refresh(*args, **kwargs)
        result["naive_refresh_seconds"] = time.perf_counter() - t0
        result["speedup"] = result["naive_refresh_seconds"] / best
        result["speedup_cold"] = result["naive_refresh_seconds"] / cold
        result["agreement"] = {
            key: {"ours": float(report.headline[key]), "naive": float(value)}
            for key, value in figures.items()
        }
    if recommend:
        result["recommend_seconds"] = _time_recommend(
            demo.cameras, demo.incidents, city, recommend_k
        )
    ctx = BenchContext(
        city, demo.cameras, demo.incidents, demo.wards, demo.city_limit, report
    )
    for hook in EXTRA_TIMINGS:
        result.update(hook(ctx))
    result.update(
        {
            "peak_memory_mb": peak_memory_mb(),
            "cpus": os.cpu_count(),
            "load_average": list(os.getloadavg()),
            "python": platform.python_version(),
            "targets": {
                "refresh_seconds": TARGET_SECONDS,
                "speedup": TARGET_SPEEDUP,
                "peak_memory_mb": TARGET_MEMORY_MB,
            },
        }
    )
    return result


def _time_recommend(
    cameras: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, city: CityConfig, k: int
) -> float | None:
    t0 = time.perf_counter()
    recommend_sites(cameras, incidents, city, k)
    return time.perf_counter() - t0


# --- the textbook pipeline -------------------------------------------------------
def naive_refresh(
    cameras: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    city: CityConfig,
    *,
    city_limit: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    resolution: int | None = None,
) -> dict[str, float]:
    """The same figures the textbook GeoPandas way, for comparison.

    Buffer every camera (sectors as polygons), ``sjoin`` incidents against the
    viewshed polygons, ``union_all`` them for area, ``overlay`` the union with
    the wards, ``sjoin`` incidents and cameras to wards, H3 cells per incident in
    a loop, ``sjoin_nearest`` for the gap cells. Returns the shares it found
    (to check both agree).
    """
    resolution = city.hex_resolution if resolution is None else resolution
    crs = city.metric_crs
    prepared = prepare_cameras(cameras, city)
    views = gpd.GeoDataFrame(
        {
            "integrated": prepared["integrated"].to_numpy(),
            "camera_count": prepared["camera_count"].to_numpy(),
        },
        geometry=viewshed_polygons(prepared).values,
        crs=crs,
    )
    points = incidents[["category", "district", "geometry"]].to_crs(crs)
    points["weight"] = severity_weights(incidents, city)

    # headline: incidents in view
    joined = gpd.sjoin(points, views, predicate="within", how="inner")
    covered = points.index.isin(joined.index)
    live = points.index.isin(joined.index[joined["integrated"].to_numpy(bool)])
    n = len(points)
    figures = {
        "incident_coverage_share": covered.mean() if n else np.nan,
        "live_incident_coverage_share": live.mean() if n else np.nan,
        "weighted_incident_coverage_share": (
            points["weight"][covered].sum() / points["weight"].sum()
        ),
    }
    # area in view: union, clipped to the city limit
    union = views.union_all()
    limit = city_limit.to_crs(crs).union_all()
    figures["area_coverage_share"] = union.intersection(limit).area / limit.area

    # wards: overlay for area, sjoin for incidents and cameras
    wards_m = wards.to_crs(crs)
    seen = gpd.overlay(
        wards_m, gpd.GeoDataFrame(geometry=[union], crs=crs), how="intersection"
    )
    ward_area = wards_m.set_index("ward_id").area
    seen_area = seen.dissolve("ward_id").area.reindex(ward_area.index, fill_value=0)
    points["covered"] = covered
    in_ward = gpd.sjoin(points, wards_m[["ward_id", "geometry"]], predicate="within")
    ward_table = in_ward.groupby("ward_id").agg(
        incidents=("covered", "size"), covered=("covered", "sum")
    )
    cams_m = gpd.GeoDataFrame(
        prepared[["camera_count"]], geometry=prepared.geometry, crs=prepared.crs
    ).to_crs(crs)
    cam_ward = gpd.sjoin(cams_m, wards_m[["ward_id", "geometry"]], predicate="within")
    ward_table["cameras"] = cam_ward.groupby("ward_id")["camera_count"].sum()
    ward_table["area_share"] = seen_area / ward_area

    # hex grid and gaps
    points["h3"] = [
        h3.latlng_to_cell(lat, lon, resolution)
        for lat, lon in zip(
            incidents["latitude"].tolist(), incidents["longitude"].tolist(), strict=True
        )
    ]
    hexes = points.groupby("h3").agg(
        incidents=("covered", "size"), covered=("covered", "sum")
    )
    open_ = points[~points["covered"]]
    gaps = (
        open_.groupby("h3")
        .agg(weighted=("weight", "sum"), uncovered=("weight", "size"))
        .sort_values("weighted", ascending=False)
    )
    mix = pd.crosstab(open_["h3"], open_["category"])
    gaps = gaps.join(mix)
    centres = [h3.cell_to_latlng(c) for c in gaps.index]
    centre_pts = gpd.GeoDataFrame(
        {"h3": gaps.index},
        geometry=[shapely.Point(lon, lat) for lat, lon in centres],
        crs="EPSG:4326",
    ).to_crs(crs)
    gpd.sjoin_nearest(centre_pts, cams_m, distance_col="nearest_camera_m")
    points.groupby("district")["covered"].mean()
    del hexes
    return figures
