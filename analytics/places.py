"""Places in words: a name a person recognises for a map cell or a site.

A gap cell or a recommended site is shown as "near Main St · Ward 3 · district
West" rather than an H3 id or bare coordinates. The street comes from the
nearest registry address of a camera that is *not* a home (business,
institutional, public) — house numbers dropped — or from a configured street
file; the ward from the ward polygons; the patrol district from the incidents
recorded around the place. Residential addresses are never read, so the name
is the same for every audience and cannot point at a home.

>>> names = name_places(gaps.geometry.centroid, city, cameras=cams, wards=wards,
...                     incidents=incs)                          # doctest: +SKIP
>>> names.loc[0, "place"]                                        # doctest: +SKIP
'near Main St · Ward 3 · district West'
"""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from analytics.config import CityConfig
from analytics.schema import WGS84

NEAR_M = 400.0  # an address or street further than this is named with a distance
DISTRICT_NEIGHBOURS = 25  # incidents around a place that vote for its district
MAX_DISTRICT_POINTS = 200_000  # incidents sampled (evenly) for the district vote
PLACE_COLUMNS = ("street", "street_m", "ward", "district", "place")
SEPARATOR = " · "
# A leading house number ("1200", "1200-1210", "12B") and a unit ("Apt 4", "#3")
_NUMBER = re.compile(r"^\s*\d+[\w-]*\s+")
_UNIT = re.compile(r"\s*(,|\b(apt|unit|suite|ste)\b|#).*$", re.IGNORECASE)
_BLOCK = re.compile(r"^\s*\d+\s+block\s+(of\s+)?", re.IGNORECASE)


def street_of(address: object) -> str:
    """The street part of an address: house number and unit dropped.

    >>> street_of("1200 W Markham St, Apt 4")
    'W Markham St'
    >>> street_of("500 BLOCK OF MAIN ST")
    'MAIN ST'
    >>> street_of(None)
    ''
    """
    if address is None or (isinstance(address, float) and address != address):
        return ""
    text = str(address).strip()
    if not text:
        return ""
    text = _BLOCK.sub("", text)
    text = _NUMBER.sub("", text)
    return _UNIT.sub("", text).strip()


def name_places(
    points: gpd.GeoSeries | gpd.GeoDataFrame,
    city: CityConfig,
    *,
    cameras: gpd.GeoDataFrame | None = None,
    streets: gpd.GeoDataFrame | None = None,
    wards: gpd.GeoDataFrame | None = None,
    incidents: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Street, ward, patrol district and a one-line ``place`` for each point.

    Parameters
    ----------
    points
        Where to name (any CRS; polygons are named at their representative
        point).
    city
        Gives the metric CRS for distances.
    cameras
        Registry (canonical columns). Only rows whose ``owner_type`` is not
        ``residential`` and whose ``address`` has a street are used.
    streets
        Optional street lines with a ``name`` (or ``street``) column; preferred
        over camera addresses when given.
    wards
        Ward polygons with ``ward_name`` (or ``ward_id``).
    incidents
        Incidents with a ``district`` column; the most common district among
        the ``DISTRICT_NEIGHBOURS`` nearest incidents names the place's district.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``points``: ``street`` ('' when none), ``street_m``
        (distance, NaN when none), ``ward`` ('' outside every ward),
        ``district`` ('' when unknown) and ``place``, e.g.
        ``"near Main St · Ward 3 · district West"``; a place with nothing known
        falls back to its coordinates.
    """
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geoms.crs is None:
        raise ValueError("`points` has no CRS: set one (e.g. EPSG:4326) first")
    index = geoms.index
    n = len(geoms)
    out = pd.DataFrame(
        {
            "street": [""] * n,
            "street_m": np.full(n, np.nan),
            "ward": [""] * n,
            "district": [""] * n,
        },
        index=index,
    )
    if n == 0:
        out["place"] = pd.Series(dtype=object)
        return out
    anchors = geoms.to_crs(WGS84)
    anchors = gpd.GeoSeries(
        [g if g.geom_type == "Point" else g.representative_point() for g in anchors],
        index=index,
        crs=WGS84,
    )
    metric = anchors.to_crs(city.metric_crs)
    xy = np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()])

    street, dist = _nearest_street(xy, city, cameras, streets)
    out["street"], out["street_m"] = street, dist
    if wards is not None and len(wards):
        out["ward"] = _ward_of(anchors, wards)
    if incidents is not None and len(incidents) and "district" in incidents:
        out["district"] = _district_of(xy, city, incidents)
    out["place"] = [
        _phrase(row.street, row.street_m, row.ward, row.district, pt)
        for row, pt in zip(out.itertuples(), anchors, strict=True)
    ]
    return out


def _nearest_street(
    xy: np.ndarray,
    city: CityConfig,
    cameras: gpd.GeoDataFrame | None,
    streets: gpd.GeoDataFrame | None,
) -> tuple[list[str], np.ndarray]:
    n = len(xy)
    names, dist = [""] * n, np.full(n, np.nan)
    if streets is not None and len(streets):
        col = next((c for c in ("name", "street", "street_name") if c in streets), None)
        if col is not None:
            lines = streets[streets[col].notna()].to_crs(city.metric_crs)
            if len(lines):
                pts = gpd.GeoDataFrame(
                    geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                    crs=city.metric_crs,
                )
                hit = gpd.sjoin_nearest(
                    pts, lines[[col, "geometry"]], distance_col="_d", how="left"
                )
                hit = hit[~hit.index.duplicated()]
                return [str(v) for v in hit[col].fillna("")], hit["_d"].to_numpy()
    if cameras is None or not len(cameras) or "address" not in cameras:
        return names, dist
    usable = cameras
    if "owner_type" in usable:
        # homes never name a place: their addresses are private below investigator
        usable = usable[
            usable["owner_type"].isin(("business", "institutional", "public"))
        ]
    else:
        return names, dist
    streets_of = usable["address"].map(street_of)
    usable = usable[streets_of != ""]
    if not len(usable):
        return names, dist
    streets_of = streets_of[usable.index].to_numpy()
    metric = usable.geometry.to_crs(city.metric_crs)
    tree = cKDTree(np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()]))
    d, i = tree.query(xy, k=1)
    return [str(streets_of[k]) for k in i], d


def _ward_of(anchors: gpd.GeoSeries, wards: gpd.GeoDataFrame) -> list[str]:
    col = "ward_name" if "ward_name" in wards else "ward_id"
    frame = wards[[col, "geometry"]].to_crs(WGS84)
    pts = gpd.GeoDataFrame(geometry=anchors.to_numpy(), crs=WGS84)
    hit = gpd.sjoin(pts, frame, predicate="within", how="left")
    hit = hit[~hit.index.duplicated()].sort_index()
    return ["" if pd.isna(v) else str(v) for v in hit[col]]


def _district_of(
    xy: np.ndarray, city: CityConfig, incidents: gpd.GeoDataFrame
) -> list[str]:
    known = incidents[incidents["district"].notna()]
    if not len(known):
        return [""] * len(xy)
    step = max(1, len(known) // MAX_DISTRICT_POINTS)
    known = known.iloc[::step]
    metric = known.geometry.to_crs(city.metric_crs)
    ok = np.isfinite(metric.x.to_numpy()) & np.isfinite(metric.y.to_numpy())
    if not ok.any():
        return [""] * len(xy)
    tree = cKDTree(np.column_stack([metric.x.to_numpy()[ok], metric.y.to_numpy()[ok]]))
    labels = known["district"].astype(str).to_numpy()[ok]
    k = min(DISTRICT_NEIGHBOURS, len(labels))
    _, idx = tree.query(xy, k=k)
    idx = np.asarray(idx).reshape(len(xy), -1)
    out = []
    for row in idx:
        values, counts = np.unique(labels[row], return_counts=True)
        out.append(str(values[np.argmax(counts)]))
    return out


def _phrase(street: str, dist: float, ward: str, district: str, point: Any) -> str:
    parts = []
    if street:
        if np.isfinite(dist) and dist > NEAR_M:
            parts.append(f"{dist / 1000:.1f} km from {street}")
        else:
            parts.append(f"near {street}")
    if ward:
        parts.append(ward)
    if district:
        parts.append(f"district {district}")
    if not parts:
        return f"{point.y:.4f}, {point.x:.4f}"
    return SEPARATOR.join(parts)
