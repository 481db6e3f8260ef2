"""Recruitment targeting: where the next K cameras would add the most coverage.

A new camera is modelled as a disk of ``range_m`` metres (default: a business
camera, ``city.range_for("business")``). Existing active cameras stay as they are;
the incidents they already cover weigh nothing. Among candidate sites (by default
the H3 cells holding uncovered incidents, see :mod:`analytics.candidates`) lazy
greedy picks, one by one, the site adding the most severity-weighted newly covered
incidents. Greedy is within 1 - 1/e (63%) of the best possible K sites for any
instance (Nemhauser, Wolsey & Fisher 1978) and in practice much closer; the tests
check it reaches 98% of the exact optimum on small instances.

Next to it, an "as usual" baseline: K sites drawn where registrations have been
arriving over the last 12 months (jittered by ~50 m), scored the same way.

>>> rec = recommend_sites(cameras, incidents, city, 1000)  # doctest: +SKIP
>>> rec.sites[["rank", "marginal_gain", "cumulative_share"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import heapq
import itertools
import numbers
import warnings
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from analytics.candidates import (
    MAX_CANDIDATES,
    cell_candidates,
    city_area,
    explicit_candidates,
    inside,
    resolution_for_range,
)
from analytics.config import CityConfig
from analytics.coverage import incident_coverage
from analytics.schema import WGS84

DEFAULT_OWNER_TYPE = "business"  # a well-placed business camera
# More sites than any registry recruits; guards memory against a typo like 10**9.
MAX_SITES = 100_000
BASELINE_RECENT_DAYS = 365  # "as usual" = where the last 12 months' sign-ups went
BASELINE_JITTER_M = 50.0  # registrations are resampled with this much noise
SWAP_PASSES = 2  # passes of one-for-one swaps after greedy (each ~0.2 s at K=1,000)
BASELINE_MAX_REDRAWS = 20  # jittered points outside the city are redrawn this often
SITE_COLUMNS = (
    "rank",
    "candidate_id",
    "h3",
    "latitude",
    "longitude",
    "marginal_gain",
    "new_incidents",
    "cumulative_gain",
    "cumulative_share",
)


@dataclass(frozen=True)
class Recommendation:
    """K recommended camera sites, their gains, and the "as usual" baseline.

    Attributes
    ----------
    sites
        Ranked WGS84 points: ``rank`` (1 = first to recruit), ``candidate_id``,
        ``h3`` (cell, default candidates only), ``latitude``, ``longitude``,
        ``marginal_gain`` (severity-weighted incidents newly covered by this site
        given the sites ranked above it), ``new_incidents`` (their count),
        ``cumulative_gain``, ``cumulative_share`` (of ``total_weight``), and
        ``ward_id`` / ``ward_name`` when wards were given. Fewer than K rows when
        no candidate adds anything more.
    curve
        One row per k = 1..K: ``greedy_cumulative`` and ``baseline_cumulative``
        (weighted incidents newly covered by the first k sites), and both as a
        share of ``total_weight`` (``greedy_share``, ``baseline_share``).
    baseline_sites
        The K "as usual" sites in draw order, with ``marginal_gain``,
        ``new_incidents`` and ``cumulative_gain``.
    total_weight
        Severity weight of all located incidents.
    already_covered_weight
        Weight of the incidents existing cameras already cover.
    range_m
        Range of a new camera, in metres.
    k
        Number of sites asked for.
    n_candidates
        Candidate sites considered.
    """

    sites: gpd.GeoDataFrame
    curve: pd.DataFrame
    baseline_sites: gpd.GeoDataFrame
    total_weight: float
    already_covered_weight: float
    range_m: float
    k: int
    n_candidates: int

    @property
    def greedy_total(self) -> float:
        """Weighted incidents newly covered by all recommended sites."""
        return float(self.sites["marginal_gain"].sum()) if len(self.sites) else 0.0

    @property
    def baseline_total(self) -> float:
        """Weighted incidents newly covered by the K "as usual" sites."""
        if not len(self.baseline_sites):
            return 0.0
        return float(self.baseline_sites["marginal_gain"].sum())

    def to_geojson(self) -> str:
        """The ranked sites as a GeoJSON FeatureCollection (WGS84)."""
        return str(self.sites.to_json(drop_id=True))


def recommend_sites(
    cameras: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    city: CityConfig,
    k: int,
    *,
    candidates: gpd.GeoDataFrame | None = None,
    range_m: float | None = None,
    covered: np.ndarray | pd.Series | None = None,
    city_limit: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    wards: gpd.GeoDataFrame | None = None,
    baseline_seed: int = 0,
    max_candidates: int = MAX_CANDIDATES,
    swaps: bool = True,
) -> Recommendation:
    """Choose ``k`` new camera sites adding the most weighted uncovered incidents.

    Parameters
    ----------
    cameras
        Canonical camera registry (WGS84). Active cameras define what is already
        covered (unless ``covered`` is given); all registrations of the last 12
        months define the "as usual" baseline.
    incidents
        Canonical incidents (WGS84) with a ``category``; each weighs
        ``city.weight_for(category)``. Incidents without coordinates are ignored.
    city
        City configuration (metric CRS, ranges, severity weights, extent).
    k
        Number of sites to recommend (a positive integer).
    candidates
        Optional GeoDataFrame of candidate points (``candidate_id`` column or the
        index names them). Default: centres of the H3 cells holding uncovered
        incidents, the ``max_candidates`` heaviest.
    range_m
        Range of a new camera in metres; default ``city.range_for("business")``.
    covered
        Boolean per incident (aligned with ``incidents``): already covered by an
        existing camera. Default: computed with
        :func:`analytics.coverage.incident_coverage`. Pass it when you have it.
    city_limit
        City-limit polygon(s) (GeoDataFrame, GeoSeries or shapely geometry);
        candidates and baseline sites are kept inside it. Default: the extent.
    wards
        Optional ward polygons (``ward_id``, ``ward_name``) to label the sites.
    baseline_seed
        Seed of the "as usual" draw (same seed, same baseline).
    max_candidates
        Cap on default candidates.
    swaps
        Improve the greedy set by one-for-one swaps (:func:`swap_improve`), then
        rank it greedily. False gives plain greedy.

    Returns
    -------
    Recommendation
    """
    k = _check_k(k)
    range_m = _check_range(city, range_m)
    area = city_area(city, city_limit)
    lon, lat, weight = _incident_arrays(incidents, city)
    if covered is None:
        covered = _existing_coverage(cameras, incidents, city)
    covered = _check_covered(covered, len(incidents))

    located = np.isfinite(lon) & np.isfinite(lat)
    weight = np.where(located, weight, 0.0)
    total_weight = float(weight.sum())
    already = float(weight[covered].sum())
    # only uncovered incidents with a positive weight can add anything
    open_ = np.flatnonzero(~covered & (weight > 0))
    to_metric = _transformer(city.metric_crs)
    ix, iy = to_metric.transform(lon[open_], lat[open_])
    incident_xy = np.column_stack([ix, iy])
    open_weight = weight[open_].astype(float)

    if candidates is None:
        cands = cell_candidates(
            lon[open_],
            lat[open_],
            open_weight,
            area,
            resolution=resolution_for_range(range_m),
            max_candidates=max_candidates,
        )
    else:
        cands = explicit_candidates(candidates, area)
    cx, cy = to_metric.transform(
        cands["longitude"].to_numpy(float), cands["latitude"].to_numpy(float)
    )
    # unbalanced, uncompacted: builds ~2x faster and queries as fast on city data
    tree = (
        cKDTree(incident_xy, balanced_tree=False, compact_nodes=False)
        if len(incident_xy)
        else None
    )
    matrix = _reach_matrix(tree, np.column_stack([cx, cy]), range_m, len(open_))
    picks, gains, counts = lazy_greedy(matrix, open_weight, k)
    if swaps and len(picks) > 1:
        # sorted so ties in the ranking go to the lower row, as in greedy
        better = np.sort(
            swap_improve(matrix, open_weight, picks, max_passes=SWAP_PASSES)
        )
        # rank the improved set greedily: non-increasing gains, same total
        order, gains, counts = lazy_greedy(matrix[better], open_weight, len(better))
        picks = better[order]

    sites = cands.iloc[picks].reset_index(drop=True)
    sites = sites.drop(columns=["uncovered_weight", "uncovered_incidents"])
    sites.insert(0, "rank", np.arange(1, len(picks) + 1))
    sites["marginal_gain"] = gains
    sites["new_incidents"] = counts
    sites["cumulative_gain"] = np.cumsum(gains)
    sites["cumulative_share"] = (
        sites["cumulative_gain"] / total_weight if total_weight else 0.0
    )
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=WGS84)
    if wards is not None:
        sites = _label_wards(sites, wards)

    baseline = baseline_sites(cameras, k, area, seed=baseline_seed, city=city)
    b_gain, b_count = _sequential_gains(tree, baseline, to_metric, range_m, open_weight)
    baseline["marginal_gain"] = b_gain
    baseline["new_incidents"] = b_count
    baseline["cumulative_gain"] = np.cumsum(b_gain)

    return Recommendation(
        sites=sites,
        curve=_curve(gains, b_gain, k, total_weight),
        baseline_sites=baseline,
        total_weight=total_weight,
        already_covered_weight=already,
        range_m=range_m,
        k=k,
        n_candidates=len(cands),
    )


def lazy_greedy(
    matrix: sp.csr_array, weight: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximum weighted coverage by lazy greedy (Minoux 1978 / CELF).

    Parameters
    ----------
    matrix
        Candidate x incident CSR pattern: row ``c`` lists the incidents candidate
        ``c`` reaches.
    weight
        Weight of each incident (not modified).
    k
        Number of candidates to pick.

    Returns
    -------
    picks, gains, counts
        Chosen rows in order, the weight each newly covers, and how many incidents
        that is. Stops early when no candidate adds a positive weight. Ties go to
        the lower row, so the result equals plain greedy with that rule.

    >>> m = sp.csr_array(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1]]))
    >>> lazy_greedy(m, np.array([1.0, 1.0, 3.0]), 2)[0].tolist()
    [1, 0]
    """
    w = np.array(weight, dtype=float)
    indptr, indices = matrix.indptr, matrix.indices
    bounds = matrix @ w
    heap = [(-g, c) for c, g in enumerate(bounds.tolist()) if g > 0]
    heapq.heapify(heap)
    fresh = np.zeros(matrix.shape[0], dtype=np.int64)  # round of each bound
    picks: list[int] = []
    gains: list[float] = []
    counts: list[int] = []
    while heap and len(picks) < k:
        neg, c = heap[0]
        reach = indices[indptr[c] : indptr[c + 1]]
        if fresh[c] == len(picks):
            heapq.heappop(heap)
            newly = reach[w[reach] > 0]
            picks.append(c)
            gains.append(-neg)
            counts.append(len(newly))
            w[newly] = 0.0
            continue
        # a stale upper bound surfaced: recompute it, re-queue it
        gain = float(w[reach].sum())
        fresh[c] = len(picks)
        if gain > 0:
            heapq.heapreplace(heap, (-gain, c))
        else:
            heapq.heappop(heap)
    return (
        np.array(picks, dtype=np.int64),
        np.array(gains, dtype=float),
        np.array(counts, dtype=np.int64),
    )


def swap_improve(
    matrix: sp.csr_array,
    weight: np.ndarray,
    picks: np.ndarray,
    *,
    max_passes: int = SWAP_PASSES,
) -> np.ndarray:
    """One-for-one swaps (1-exchange local search) that raise the covered weight.

    For each chosen row in turn, finds the unchosen row that would cover the most
    weight in its place and swaps when that strictly increases the total; repeats
    for ``max_passes`` passes or until a pass changes nothing. Gains are kept up
    to date incrementally through the incident -> candidate (CSC) view, so a pass
    costs about K sparse column slices, never a full re-evaluation.

    Returns the improved set of rows (same size, in the order of ``picks``).

    >>> m = sp.csr_array(np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [0, 0, 1, 1, 1]]))
    >>> swap_improve(m, np.ones(5), np.array([0, 2])).tolist()  # already optimal
    [0, 2]
    """
    picks = np.array(picks, dtype=np.int64)
    w = np.asarray(weight, dtype=float)
    indptr, indices = matrix.indptr, matrix.indices
    by_incident = matrix.tocsc()
    count = np.bincount(
        indices[np.concatenate([np.arange(indptr[p], indptr[p + 1]) for p in picks])],
        minlength=matrix.shape[1],
    )
    chosen = np.zeros(matrix.shape[0], dtype=bool)
    chosen[picks] = True
    # base[c]: weight candidate c would add on top of the whole chosen set
    base = matrix @ np.where(count == 0, w, 0.0)

    col_ptr, col_rows, n_rows = by_incident.indptr, by_incident.indices, len(base)

    def column_gain(cols: np.ndarray) -> np.ndarray:
        # weight of ``cols`` per candidate reaching them (a CSC slice, minus scipy's
        # per-call overhead, which dominated at K = 1,000)
        lengths = col_ptr[cols + 1] - col_ptr[cols]
        flat = np.repeat(col_ptr[cols] - np.cumsum(lengths) + lengths, lengths)
        flat += np.arange(len(flat))
        return np.bincount(
            col_rows[flat], weights=np.repeat(w[cols], lengths), minlength=n_rows
        )

    for _ in range(max_passes):
        swapped = False
        for pos in range(len(picks)):
            i = picks[pos]
            reach_i = indices[indptr[i] : indptr[i + 1]]
            freed = reach_i[(count[reach_i] == 1) & (w[reach_i] > 0)]
            loss = float(w[freed].sum())
            instead = base + column_gain(freed) if len(freed) else base.copy()
            instead[chosen] = -np.inf
            c = int(np.argmax(instead))  # ties: the lower row
            if not instead[c] > loss + 1e-9:
                continue
            reach_c = indices[indptr[c] : indptr[c + 1]]
            count[reach_i] -= 1
            lost = reach_i[count[reach_i] == 0]  # now uncovered
            gained = reach_c[count[reach_c] == 0]  # now covered by c
            count[reach_c] += 1
            if len(lost):
                base += column_gain(lost)
            if len(gained):
                base -= column_gain(gained)
            chosen[i], chosen[c] = False, True
            picks[pos] = c
            swapped = True
        if not swapped:
            break
    return picks


def baseline_sites(
    cameras: gpd.GeoDataFrame,
    k: int,
    area: shapely.Geometry,
    *,
    seed: int = 0,
    city: CityConfig,
    recent_days: int = BASELINE_RECENT_DAYS,
    jitter_m: float = BASELINE_JITTER_M,
) -> gpd.GeoDataFrame:
    """K "as usual" sites: where registrations have been arriving lately.

    Registrations (any status) of the last ``recent_days`` before the newest
    registration are resampled with replacement and moved by Gaussian noise of
    ``jitter_m`` metres per axis; points landing outside ``area`` are redrawn.
    With no dated registrations, all registrations are used. Deterministic for a
    given ``seed``.

    Returns
    -------
    GeoDataFrame
        ``order`` (1..K), ``latitude``, ``longitude``, point geometry, WGS84.
        Empty when there are no registrations at all.
    """
    lon = pd.to_numeric(cameras["longitude"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(cameras["latitude"], errors="coerce").to_numpy(float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    when = pd.to_datetime(cameras["registered_at"], errors="coerce")
    pool = ok.copy()
    if when.notna().any():
        recent = (when > when.max() - pd.Timedelta(days=recent_days)).to_numpy()
        if (recent & ok).any():
            pool = recent & ok
    pool_idx = np.flatnonzero(pool)
    if not len(pool_idx):
        warnings.warn(
            "no camera registrations: the 'as usual' baseline is empty", stacklevel=3
        )
        return _points(np.array([]), np.array([]), order=True)

    rng = np.random.default_rng(seed)
    draw = pool_idx[rng.integers(0, len(pool_idx), k)]
    to_metric = _transformer(city.metric_crs)
    to_wgs = _transformer(city.metric_crs, inverse=True)
    x0, y0 = to_metric.transform(lon[draw], lat[draw])
    x, y = x0.copy(), y0.copy()
    todo = np.arange(k)
    for _ in range(BASELINE_MAX_REDRAWS):
        x[todo] = x0[todo] + rng.normal(0.0, jitter_m, len(todo))
        y[todo] = y0[todo] + rng.normal(0.0, jitter_m, len(todo))
        blon, blat = to_wgs.transform(x[todo], y[todo])
        todo = todo[~inside(area, blon, blat)]
        if not len(todo):
            break
    # still outside after the redraws: keep the registration's own place
    x[todo], y[todo] = x0[todo], y0[todo]
    blon, blat = to_wgs.transform(x, y)
    return _points(blon, blat, order=True)


# --- helpers -----------------------------------------------------------------------
def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or int(k) < 1:
        raise ValueError(f"`k` was {k!r} but is expected to be a positive integer")
    if int(k) > MAX_SITES:
        raise ValueError(f"`k` was {k!r} but is expected to be at most {MAX_SITES:,}")
    return int(k)


def _check_range(city: CityConfig, range_m: object) -> float:
    if range_m is None:
        return city.range_for(DEFAULT_OWNER_TYPE)
    if isinstance(range_m, bool) or not isinstance(range_m, numbers.Real):
        raise ValueError(f"`range_m` was {range_m!r} but is expected to be a number")
    value = float(range_m)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"`range_m` was {range_m!r} but is expected to be > 0")
    return value


def _incident_arrays(
    incidents: gpd.GeoDataFrame, city: CityConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in ("latitude", "longitude", "category") if c not in incidents]
    if missing:
        raise ValueError(
            f"`incidents` lacks columns {missing}: expected the canonical incident "
            "columns of analytics.schema"
        )
    lon = pd.to_numeric(incidents["longitude"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(incidents["latitude"], errors="coerce").to_numpy(float)
    # factorize + lookup: pandas' string-dtype .map is ~20x slower on 1M rows
    codes, names = pd.factorize(incidents["category"])
    by_code = np.array([city.weight_for(str(c)) for c in names] + [0.0])
    return lon, lat, by_code[codes]  # code -1 (missing) picks the trailing 0.0


def _existing_coverage(
    cameras: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, city: CityConfig
) -> np.ndarray:
    covered = incident_coverage(cameras, incidents, city, nearest=False)["covered"]
    return np.asarray(covered.to_numpy(bool))


def _check_covered(covered: np.ndarray | pd.Series, n: int) -> np.ndarray:
    arr = np.asarray(covered)
    if arr.shape != (n,):
        raise ValueError(
            f"`covered` has shape {arr.shape} but is expected to hold one boolean "
            f"per incident ({n})"
        )
    if arr.dtype != bool:
        arr = pd.Series(arr).fillna(False).astype(bool).to_numpy()
    return arr


@lru_cache(maxsize=8)
def _transformer(crs: str, inverse: bool = False) -> Transformer:
    if inverse:
        return Transformer.from_crs(crs, WGS84, always_xy=True)
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def _reach_matrix(
    tree: cKDTree | None, points: np.ndarray, range_m: float, n_incidents: int
) -> sp.csr_array:
    """Sparse candidate x incident pattern: which incidents each point reaches."""
    n = len(points)
    if tree is None or n == 0:
        return sp.csr_array((n, n_incidents), dtype=float)
    reach = tree.query_ball_point(points, r=range_m, workers=-1, return_sorted=False)
    lengths = np.fromiter(map(len, reach), dtype=np.int64, count=n)
    indices = np.fromiter(
        itertools.chain.from_iterable(reach), dtype=np.int64, count=int(lengths.sum())
    )
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return sp.csr_array(
        (np.ones(len(indices)), indices, indptr), shape=(n, n_incidents)
    )


def _sequential_gains(
    tree: cKDTree | None,
    sites: gpd.GeoDataFrame,
    to_metric: Transformer,
    range_m: float,
    weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Weight each site newly covers when added in the given order."""
    if not len(sites):
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    x, y = to_metric.transform(
        sites["longitude"].to_numpy(float), sites["latitude"].to_numpy(float)
    )
    matrix = _reach_matrix(tree, np.column_stack([x, y]), range_m, len(weight))
    w = np.array(weight, dtype=float)
    gains = np.zeros(len(sites))
    counts = np.zeros(len(sites), dtype=np.int64)
    for i in range(len(sites)):
        reach = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
        newly = reach[w[reach] > 0]
        gains[i] = w[newly].sum()
        counts[i] = len(newly)
        w[newly] = 0.0
    return gains, counts


def _curve(
    gains: np.ndarray, baseline: np.ndarray, k: int, total: float
) -> pd.DataFrame:
    def padded(values: np.ndarray) -> np.ndarray:
        cum = np.cumsum(values)
        out = np.full(k, cum[-1] if len(cum) else 0.0)
        out[: len(cum)] = cum
        return out

    greedy, usual = padded(gains), padded(baseline)
    return pd.DataFrame(
        {
            "k": np.arange(1, k + 1),
            "greedy_cumulative": greedy,
            "baseline_cumulative": usual,
            "greedy_share": greedy / total if total else 0.0,
            "baseline_share": usual / total if total else 0.0,
        }
    )


def _points(lon: np.ndarray, lat: np.ndarray, *, order: bool) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({"latitude": lat, "longitude": lon})
    if order:
        frame.insert(0, "order", np.arange(1, len(frame) + 1))
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


def _label_wards(sites: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    cols = [c for c in ("ward_id", "ward_name") if c in wards]
    polys = wards[[*cols, "geometry"]]
    if polys.crs is not None and polys.crs != WGS84:
        polys = polys.to_crs(WGS84)
    joined = gpd.sjoin(sites, polys, how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined.drop(columns="index_right")
