"""A deterministic synthetic Little Rock for demos, tests and benchmarks.

Nothing here is real: the city limit is an approximate outline, the wards are
Voronoi cells, the cameras and incidents are drawn from hand-placed hot spots and
corridors. Every frame carries ``attrs["synthetic"] = True`` and a ``source`` of
``"synthetic"`` so no page can show these numbers as the city's.

>>> demo = generate_demo(cameras=200, incidents=1000, seed=1)
>>> len(demo.cameras), len(demo.incidents), len(demo.wards)
(200, 1000, 7)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.config import CityConfig, load_city
from analytics.schema import CAMERA_COLUMNS, INCIDENT_COLUMNS, SYNTHETIC_LABEL, WGS84

DEFAULT_CAMERA_ROWS = 3_000  # ~5,000 cameras by camera_count, ~3,200 at the baseline
DEFAULT_INCIDENTS = 30_000  # two years at ~15,000 Part I incidents a year
DEFAULT_SEED = 42
# Fixed "today" of the demo so the same seed always gives the same data.
DEMO_AS_OF = date(2026, 11, 1)
INCIDENT_YEARS = 2
PRE_LAUNCH_SHARE = 0.63  # share of registrations that predate the launch
WITHDRAWN_SHARE = 0.04

# Local equirectangular frame around the city centre: accurate to well under 1% at
# city scale, and needs no projection library for a million points.
_LAT0, _LON0 = 34.74, -92.33
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(_LAT0))

# Approximate outline of Little Rock (lon, lat): river to the north, airport east,
# Chenal to the west. Synthetic; not the legal city limit.
CITY_OUTLINE = (
    (-92.52, 34.760),
    (-92.47, 34.800),
    (-92.40, 34.815),
    (-92.35, 34.800),
    (-92.30, 34.768),
    (-92.26, 34.760),
    (-92.21, 34.752),
    (-92.175, 34.725),
    (-92.185, 34.665),
    (-92.25, 34.635),
    (-92.33, 34.630),
    (-92.40, 34.645),
    (-92.46, 34.680),
    (-92.52, 34.710),
)
WARD_SEEDS = (  # (lon, lat) of the synthetic ward centres
    (-92.275, 34.735),
    (-92.215, 34.705),
    (-92.310, 34.680),
    (-92.395, 34.675),
    (-92.360, 34.740),
    (-92.330, 34.785),
    (-92.450, 34.755),
)
# Incident hot spots: (lon, lat, sigma in metres, relative weight).
HOT_SPOTS = (
    (-92.289, 34.746, 600, 1.6),  # downtown / River Market
    (-92.318, 34.735, 700, 1.2),  # 12th Street corridor
    (-92.335, 34.722, 650, 1.0),  # Asher Avenue
    (-92.345, 34.735, 600, 0.9),  # University Avenue
    (-92.370, 34.668, 900, 1.3),  # southwest Little Rock
    (-92.330, 34.685, 700, 1.0),  # Geyer Springs
    (-92.385, 34.655, 800, 0.8),  # Baseline Road
    (-92.232, 34.728, 700, 0.7),  # east Little Rock
    (-92.365, 34.752, 550, 0.8),  # midtown shopping
    (-92.455, 34.775, 900, 0.4),  # Chenal / west
)
# Commercial corridors: polylines of (lon, lat).
CORRIDORS = (
    ((-92.345, 34.790), (-92.344, 34.750), (-92.343, 34.700), (-92.340, 34.665)),
    ((-92.200, 34.735), (-92.270, 34.738), (-92.330, 34.742), (-92.420, 34.748)),
    ((-92.290, 34.770), (-92.330, 34.780), (-92.390, 34.795), (-92.470, 34.790)),
    ((-92.300, 34.735), (-92.330, 34.722), (-92.380, 34.712)),
    ((-92.330, 34.735), (-92.332, 34.690), (-92.335, 34.650)),
    ((-92.300, 34.660), (-92.360, 34.660), (-92.440, 34.665)),
)
NEIGHBOURHOODS = (  # residential centres (lon, lat, sigma m)
    (-92.300, 34.755, 900),
    (-92.330, 34.770, 1200),
    (-92.380, 34.770, 1300),
    (-92.440, 34.760, 1500),
    (-92.470, 34.735, 1300),
    (-92.360, 34.705, 1200),
    (-92.300, 34.700, 1100),
    (-92.250, 34.710, 1000),
    (-92.400, 34.690, 1300),
    (-92.350, 34.655, 1100),
)
DISTRICT_CODES = (
    "41",
    "42",
    "51",
    "52",
    "61",
    "62",
    "71",
    "72",
    "81",
    "82",
    "91",
    "92",
)

COUNT_P = {"residential": 0.7, "business": 0.5, "institutional": 0.4, "public": 0.5}
OWNER_MIX = {
    "residential": 0.55,
    "business": 0.35,
    "institutional": 0.05,
    "public": 0.05,
}
INTEGRATED_SHARE = {
    "residential": 0.03,
    "business": 0.15,
    "institutional": 0.2,
    "public": 0.9,
}
CAMERA_TYPES = {
    "residential": (("doorbell", 0.40), ("fixed", 0.45), ("dome", 0.15)),
    "business": (("fixed", 0.60), ("dome", 0.25), ("ptz", 0.15)),
    "institutional": (("fixed", 0.60), ("dome", 0.40)),
    "public": (("ptz", 0.50), ("dome", 0.30), ("fixed", 0.20)),
}
# (code, description, relative frequency): roughly the Part I mix of LRPD exports.
OFFENSES = (
    ("09A", "MURDER & NONNEGLIGENT MANSLAUGHTER", 0.005),
    ("11A", "RAPE", 0.02),
    ("120", "ROBBERY", 0.05),
    ("13A", "AGGRAVATED ASSAULT", 0.17),
    ("220", "BURGLARY/BREAKING & ENTERING", 0.14),
    ("23C", "SHOPLIFTING", 0.08),
    ("23F", "THEFT FROM MOTOR VEHICLE", 0.15),
    ("23H", "ALL OTHER LARCENY", 0.18),
    ("240", "MOTOR VEHICLE THEFT", 0.12),
    ("200", "ARSON", 0.005),
    ("290", "DESTRUCTION/DAMAGE/VANDALISM OF PROPERTY", 0.07),
)
STREETS = (
    "Main St",
    "Broadway",
    "University Ave",
    "Asher Ave",
    "Geyer Springs Rd",
    "Baseline Rd",
    "Cantrell Rd",
    "Markham St",
    "12th St",
    "Chenal Pkwy",
    "Colonel Glenn Rd",
    "Fair Park Blvd",
    "Roosevelt Rd",
    "Kanis Rd",
)

# draws m candidate points (x, y in metres) from a random generator
Draw = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DemoCity:
    """The synthetic city: four WGS84 GeoDataFrames, all marked synthetic."""

    cameras: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    city_limit: gpd.GeoDataFrame
    as_of: date
    seed: int
    label: str = SYNTHETIC_LABEL
    synthetic: bool = True


def generate_demo(
    city: CityConfig | None = None,
    cameras: int = DEFAULT_CAMERA_ROWS,
    incidents: int = DEFAULT_INCIDENTS,
    seed: int = DEFAULT_SEED,
    as_of: date = DEMO_AS_OF,
) -> DemoCity:
    """Generate the synthetic city.

    Parameters
    ----------
    city
        City configuration (goal, baseline and launch dates); Little Rock by default.
    cameras
        Number of registry rows (sites); each covers ``camera_count`` cameras.
    incidents
        Number of incidents over the two years before ``as_of``.
    seed
        Random seed: the same seed, sizes and ``as_of`` give identical frames.
    as_of
        The demo's "today": the newest registration and incident date.
    """
    if cameras < 0 or incidents < 0:
        raise ValueError(
            f"sizes must be >= 0, got cameras={cameras}, incidents={incidents}"
        )
    city = city or load_city()
    rng = np.random.default_rng(seed)
    outline = _to_metres_polygon(CITY_OUTLINE)
    limit = _city_limit_frame()
    wards = _wards_frame(limit.geometry.iloc[0])
    cams = _cameras(rng, cameras, outline, city, as_of)
    incs = _incidents(rng, incidents, outline, city, as_of)
    for frame in (cams, incs, wards, limit):
        frame.attrs["synthetic"] = True
        frame.attrs["label"] = SYNTHETIC_LABEL
    return DemoCity(cams, incs, wards, limit, as_of, seed)


def write_demo(out_dir: str | Path, demo: DemoCity) -> dict[str, Path]:
    """Write the demo as the files a city would have: CSV and GeoJSON.

    Returns the written paths by kind (``cameras``, ``incidents``, ``wards``,
    ``city_limit``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "cameras": out / "cameras.csv",
        "incidents": out / "incidents.csv",
        "wards": out / "wards.geojson",
        "city_limit": out / "city_limit.geojson",
    }
    demo.cameras.drop(columns="geometry").to_csv(paths["cameras"], index=False)
    incidents = demo.incidents.drop(columns="geometry").copy()
    incidents["occurred_at"] = incidents["occurred_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    incidents.to_csv(paths["incidents"], index=False)
    demo.wards.to_file(paths["wards"], driver="GeoJSON")
    demo.city_limit.to_file(paths["city_limit"], driver="GeoJSON")
    (out / "README.txt").write_text(
        f"{SYNTHETIC_LABEL}: generated by `python -m analytics demo` with seed "
        f"{demo.seed}, as of {demo.as_of}. Not real cameras, incidents or wards.\n",
        encoding="utf-8",
    )
    return paths


# --- geometry helpers ------------------------------------------------------------
def _to_metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(lon) - _LON0) * _M_PER_DEG_LON, (
        np.asarray(lat) - _LAT0
    ) * _M_PER_DEG_LAT


def _to_degrees(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x / _M_PER_DEG_LON + _LON0, y / _M_PER_DEG_LAT + _LAT0


def _to_metres_polygon(coords: tuple[tuple[float, float], ...]) -> shapely.Polygon:
    lon, lat = np.array(coords).T
    x, y = _to_metres(lon, lat)
    return shapely.Polygon(np.column_stack([x, y]))


def _city_limit_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Little Rock (synthetic outline)"]},
        geometry=[shapely.Polygon(CITY_OUTLINE)],
        crs=WGS84,
    )


def _wards_frame(limit: shapely.Polygon) -> gpd.GeoDataFrame:
    seeds = shapely.MultiPoint(WARD_SEEDS)
    cells = shapely.voronoi_polygons(seeds, extend_to=limit.buffer(0.1))
    polygons = []
    for lon, lat in WARD_SEEDS:
        point = shapely.Point(lon, lat)
        cell = next(c for c in cells.geoms if c.contains(point))
        polygons.append(cell.intersection(limit))
    ids = [str(i + 1) for i in range(len(WARD_SEEDS))]
    return gpd.GeoDataFrame(
        {"ward_id": ids, "ward_name": [f"Ward {i} (synthetic)" for i in ids]},
        geometry=polygons,
        crs=WGS84,
    )


def _inside(outline: shapely.Polygon, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(shapely.contains_xy(outline, x, y), dtype=bool)


def _sample(
    rng: np.random.Generator, n: int, outline: shapely.Polygon, draw: Draw
) -> tuple[np.ndarray, np.ndarray]:
    """Rejection-sample ``n`` points inside ``outline`` from ``draw(rng, m)``."""
    xs, ys, have = [np.empty(0)], [np.empty(0)], 0
    while have < n:
        m = int((n - have) * 1.4) + 16
        x, y = draw(rng, m)
        keep = _inside(outline, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _uniform(outline: shapely.Polygon) -> Draw:
    minx, miny, maxx, maxy = outline.bounds

    def draw(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)

    return draw


def _gaussian_mixture(centres: np.ndarray, weights: np.ndarray) -> Draw:
    """centres: (k, 3) of x, y, sigma in metres."""
    p = weights / weights.sum()

    def draw(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
        k = rng.choice(len(centres), size=m, p=p)
        c = centres[k]
        return (
            c[:, 0] + rng.normal(0, 1, m) * c[:, 2],
            c[:, 1] + rng.normal(0, 1, m) * c[:, 2],
        )

    return draw


def _corridor(jitter_m: float) -> Draw:
    segments = []
    for line in CORRIDORS:
        lon, lat = np.array(line).T
        x, y = _to_metres(lon, lat)
        segments += [(x[i], y[i], x[i + 1], y[i + 1]) for i in range(len(x) - 1)]
    seg = np.array(segments)
    lengths = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    p = lengths / lengths.sum()

    def draw(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
        k = rng.choice(len(seg), size=m, p=p)
        t = rng.uniform(0, 1, m)
        s = seg[k]
        return (
            s[:, 0] + t * (s[:, 2] - s[:, 0]) + rng.normal(0, jitter_m, m),
            s[:, 1] + t * (s[:, 3] - s[:, 1]) + rng.normal(0, jitter_m, m),
        )

    return draw


def _centres(rows: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray]:
    arr = np.array(rows, dtype=float)
    x, y = _to_metres(arr[:, 0], arr[:, 1])
    weights = arr[:, 3] if arr.shape[1] > 3 else np.ones(len(arr))
    return np.column_stack([x, y, arr[:, 2]]), weights


# --- cameras ---------------------------------------------------------------------
def _cameras(
    rng: np.random.Generator,
    n: int,
    outline: shapely.Polygon,
    city: CityConfig,
    as_of: date,
) -> gpd.GeoDataFrame:
    owners = np.array(list(OWNER_MIX))
    owner = owners[rng.choice(len(owners), size=n, p=list(OWNER_MIX.values()))]
    x = np.zeros(n)
    y = np.zeros(n)
    hubs, hub_w = _centres(HOT_SPOTS)
    homes, _ = _centres(tuple((*r, 1.0) for r in NEIGHBOURHOODS))
    draws = {
        "business": (
            _corridor(70.0),
            _gaussian_mixture(hubs[:1] * [1, 1, 0.8], hub_w[:1]),
        ),
        "residential": (
            _gaussian_mixture(homes, np.ones(len(homes))),
            _uniform(outline),
        ),
        "institutional": (_uniform(outline), _gaussian_mixture(hubs, hub_w)),
        "public": (_corridor(25.0), _gaussian_mixture(hubs, hub_w)),
    }
    split = {"business": 0.75, "residential": 0.8, "institutional": 0.7, "public": 0.6}
    for kind, (main, other) in draws.items():
        idx = np.flatnonzero(owner == kind)
        n_main = round(len(idx) * split[kind])
        x1, y1 = _sample(rng, n_main, outline, main)
        x2, y2 = _sample(rng, len(idx) - n_main, outline, other)
        x[idx], y[idx] = np.concatenate([x1, x2]), np.concatenate([y1, y2])
    lon, lat = _to_degrees(x, y)

    count = np.ones(n, dtype=int)
    count_max = {"residential": 2, "business": 8, "institutional": 10, "public": 4}
    for kind, hi in count_max.items():
        idx = np.flatnonzero(owner == kind)
        # geometric-like: most sites have few cameras, a few have many
        count[idx] = np.minimum(rng.geometric(COUNT_P[kind], len(idx)), hi)
    integrated = rng.uniform(0, 1, n) < np.vectorize(INTEGRATED_SHARE.get)(owner)
    tier = np.where(integrated, "integrated", "registered")

    camera_type = np.empty(n, dtype=object)
    for kind, choices in CAMERA_TYPES.items():
        idx = np.flatnonzero(owner == kind)
        names = [c[0] for c in choices]
        camera_type[idx] = np.array(names)[
            rng.choice(len(names), len(idx), p=[c[1] for c in choices])
        ]
    direction = np.full(n, None, dtype=object)
    directional = (camera_type == "fixed") | (camera_type == "doorbell")
    known = directional & (rng.uniform(0, 1, n) < 0.7)
    bearings = rng.integers(0, 360, n)
    direction[known] = bearings[known].astype(str)
    compass = known & (rng.uniform(0, 1, n) < 0.05)
    direction[compass] = np.array(["N", "NE", "E", "SE", "S", "SW", "W", "NW"])[
        rng.integers(0, 8, int(compass.sum()))
    ]

    registered = _registration_dates(rng, n, city, as_of)
    order = np.argsort(registered, kind="stable")
    withdrawn = rng.uniform(0, 1, n) < WITHDRAWN_SHARE
    span = np.maximum((np.datetime64(as_of) - registered).astype(int), 1)
    withdrawn_at = registered + (rng.uniform(0.1, 1.0, n) * span).astype(
        "timedelta64[D]"
    )

    ids = np.array([f"CAM-{i:06d}" for i in range(1, n + 1)])
    numbers = rng.integers(100, 9999, n)
    streets = np.array(STREETS)[rng.integers(0, len(STREETS), n)]
    retention = pd.array(
        np.array([7, 14, 30, 60, np.nan])[rng.integers(0, 5, n)], dtype="Int64"
    )
    frame = pd.DataFrame(
        {
            "camera_id": ids,
            "latitude": np.round(lat, 6),
            "longitude": np.round(lon, 6),
            "tier": tier,
            "owner_type": owner,
            "camera_count": count,
            "registered_at": pd.to_datetime(registered[order]).date,
            "status": np.where(withdrawn, "withdrawn", "active"),
            "address": [
                f"{a} {b} (synthetic)" for a, b in zip(numbers, streets, strict=True)
            ],
            "owner_name": [f"Synthetic owner {i}" for i in range(1, n + 1)],
            "contact_phone": [f"501-555-{i % 10000:04d}" for i in range(n)],
            "contact_email": [f"owner{i}@example.org" for i in range(1, n + 1)],
            "direction_deg": direction,
            "fov_deg": np.where(known & (rng.uniform(0, 1, n) < 0.2), 50.0, np.nan),
            "range_m": np.nan,
            "camera_type": camera_type,
            "mount": np.where(owner == "public", "pole", "wall"),
            "verified_at": pd.NaT,
            "retention_days": retention,
            "withdrawn_at": pd.to_datetime(
                np.where(withdrawn, withdrawn_at[order], np.datetime64("NaT"))
            ).date,
            "source": "synthetic",
        }
    )
    # registration dates were sorted so ids grow with time; other columns stay random
    frame["withdrawn_at"] = frame["withdrawn_at"].where(withdrawn, None)
    frame = frame[list(CAMERA_COLUMNS)]
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


def _registration_dates(
    rng: np.random.Generator, n: int, city: CityConfig, as_of: date
) -> np.ndarray:
    """Registration days: the pre-launch stock, a launch spike, then steady growth."""
    launch = np.datetime64(city.launch_date, "D")
    start = np.datetime64("2022-01-01", "D")  # real-time crime center opened in 2022
    end = np.datetime64(as_of, "D")
    pre = rng.uniform(0, 1, n) < PRE_LAUNCH_SHARE
    days_pre = max(int((launch - start).astype(int)), 1)
    days_post = max(int((end - launch).astype(int)), 1)
    out = np.empty(n, dtype="datetime64[D]")
    out[pre] = start + rng.integers(0, days_pre, int(pre.sum())).astype(
        "timedelta64[D]"
    )
    # post-launch daily weights: a 30-day sign-up spike, then a slowly rising pace
    t = np.arange(days_post)
    w = 1.0 + 0.5 * t / days_post
    w[:30] += 3.0
    post = rng.choice(days_post, size=int((~pre).sum()), p=w / w.sum())
    out[~pre] = launch + post.astype("timedelta64[D]")
    return out


# --- incidents -------------------------------------------------------------------
def _incidents(
    rng: np.random.Generator,
    n: int,
    outline: shapely.Polygon,
    city: CityConfig,
    as_of: date,
) -> gpd.GeoDataFrame:
    hubs, hub_w = _centres(HOT_SPOTS)
    n_hot = int(n * 0.6)
    n_corr = int(n * 0.15)
    x1, y1 = _sample(rng, n_hot, outline, _gaussian_mixture(hubs, hub_w))
    x2, y2 = _sample(rng, n_corr, outline, _corridor(80.0))
    x3, y3 = _sample(rng, n - n_hot - n_corr, outline, _uniform(outline))
    x = np.concatenate([x1, x2, x3])
    y = np.concatenate([y1, y2, y3])
    perm = rng.permutation(n)
    x, y = x[perm], y[perm]
    lon, lat = _to_degrees(x, y)

    codes = np.array([o[0] for o in OFFENSES])
    names = np.array([o[1] for o in OFFENSES])
    freq = np.array([o[2] for o in OFFENSES])
    pick = rng.choice(len(OFFENSES), size=n, p=freq / freq.sum())
    categories = np.array([city.category_for(c) for c in codes])

    end = np.datetime64(datetime.combine(as_of, datetime.min.time()), "s")
    span_s = INCIDENT_YEARS * 365 * 86_400
    # more incidents in the evening and at night
    hour_w = np.array(
        [5, 4, 4, 3, 2, 2, 2, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 7, 7, 7, 6, 6],
        dtype=float,
    )
    day = rng.integers(0, INCIDENT_YEARS * 365, n)
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    second = day * 86_400 + hour * 3600 + rng.integers(0, 3600, n)
    occurred = (end - np.timedelta64(span_s, "s")) + second.astype("timedelta64[s]")
    order = np.argsort(occurred, kind="stable")
    occurred, lon, lat, pick = occurred[order], lon[order], lat[order], pick[order]
    x, y = x[order], y[order]

    years = occurred.astype("datetime64[Y]").astype(int) + 1970
    seq = np.zeros(n, dtype=int)
    for yr in np.unique(years):
        mask = years == yr
        seq[mask] = np.arange(1, int(mask.sum()) + 1)
    ids = pd.Series(years.astype(str)) + "-" + pd.Series(seq).astype(str).str.zfill(6)

    # patrol districts: nearest of a 4 x 3 grid of synthetic district centres
    gx = np.clip(((x - x.min()) / max(np.ptp(x), 1) * 4).astype(int), 0, 3) if n else x
    gy = np.clip(((y - y.min()) / max(np.ptp(y), 1) * 3).astype(int), 0, 2) if n else y
    district = (
        np.array(DISTRICT_CODES)[(gy * 4 + gx).astype(int)] if n else np.array([])
    )

    frame = pd.DataFrame(
        {
            "incident_id": ids.to_numpy(dtype=object),
            "occurred_at": pd.to_datetime(occurred),
            "offense_code": codes[pick],
            "offense": names[pick],
            "category": categories[pick],
            "latitude": np.round(lat, 6),
            "longitude": np.round(lon, 6),
            "district": district,
        }
    )[list(INCIDENT_COLUMNS)]
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs=WGS84,
    )


def demo_as_of_timestamp(demo: DemoCity) -> datetime:
    """End of the demo's last day, for "now" in retention and 30-day figures."""
    return datetime.combine(demo.as_of, datetime.min.time()) + timedelta(days=1)
