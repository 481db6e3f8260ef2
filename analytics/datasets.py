"""The data a run works on: configured real files, the registry store, or the demo.

>>> ds = load_dataset()            # nothing configured: the synthetic Little Rock
>>> ds.synthetic, ds.label
(True, 'Synthetic demo data')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd

from analytics import loaders, synthetic
from analytics.config import DATA_ENV, CityConfig, load_city
from analytics.schema import SYNTHETIC_LABEL


@dataclass(frozen=True)
class Dataset:
    """Cameras, incidents and boundaries, with where they came from.

    ``as_of`` is the data's "today": the demo's fixed date, or the newest
    registration or incident date in real data.
    """

    cameras: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame | None
    city_limit: gpd.GeoDataFrame | None
    city: CityConfig
    label: str
    synthetic: bool
    as_of: date
    load_reports: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        """Timestamp at the end of ``as_of``, the reference for "last 30 days"."""
        return datetime.combine(self.as_of, datetime.max.time()).replace(microsecond=0)


def load_dataset(
    city: CityConfig | str | None = None,
    *,
    cameras: str | Path | None = None,
    incidents: str | Path | None = None,
    wards: str | Path | None = None,
    city_limit: str | Path | None = None,
    registry_db: str | Path | None = None,
    demo_cameras: int | None = None,
    demo_incidents: int | None = None,
    seed: int | None = None,
) -> Dataset:
    """Load what is configured; fall back to the synthetic demo for the rest.

    Explicit arguments win over the city configuration and its environment
    variables (``CAMREG_CAMERAS`` ...). When neither cameras nor incidents are
    configured the whole dataset is the synthetic demo. Mixing real and synthetic
    parts is refused: a real registry measured against made-up crime would be
    presented as the city's.

    Raises
    ------
    analytics.loaders.LoadError
        A configured file cannot be used at all.
    ValueError
        Only one of cameras/incidents is real.
    """
    if not isinstance(city, CityConfig):
        city = load_city(city)
    cam_path = cameras or city.data_path("cameras")
    inc_path = incidents or city.data_path("incidents")
    db_path = registry_db or city.data_path("registry_db")
    for key, given in (("cameras", cameras), ("incidents", incidents)):
        _check_exists(city, key, given)
    real_cams = bool(cam_path or db_path)
    if not real_cams and not inc_path:
        kwargs: dict[str, Any] = {}
        if demo_cameras is not None:
            kwargs["cameras"] = demo_cameras
        if demo_incidents is not None:
            kwargs["incidents"] = demo_incidents
        if seed is not None:
            kwargs["seed"] = seed
        demo = synthetic.generate_demo(city, **kwargs)
        return Dataset(
            demo.cameras,
            demo.incidents,
            demo.wards,
            demo.city_limit,
            city,
            SYNTHETIC_LABEL,
            True,
            demo.as_of,
        )
    if real_cams != bool(inc_path):
        missing = "incidents" if real_cams else "cameras"
        raise ValueError(
            f"real {('cameras' if real_cams else 'incidents')} are configured but no "
            f"{missing}: set CAMREG_{missing.upper()} (or [data].{missing} in the city "
            "file) so the figures are not computed against synthetic data"
        )
    return _load_real(
        city,
        cam_path,
        inc_path,
        db_path,
        wards or city.data_path("wards"),
        city_limit or city.data_path("city_limit"),
    )


def _check_exists(city: CityConfig, key: str, given: str | Path | None) -> None:
    """A configured file that does not exist, named with where it was set.

    Checked before the real/synthetic mix so ``CAMREG_CAMERAS=nope.csv`` says
    the camera file is missing rather than that incidents are not configured.
    """
    path = given or city.data_path(key)
    if not path or Path(path).exists():
        return
    if given:
        origin = "as given"
    elif os.environ.get(DATA_ENV[key], "").strip():
        origin = f"set by ${DATA_ENV[key]}"
    else:
        origin = f"set by [data].{key} in {city.source}"
    raise FileNotFoundError(f"{key} file {str(path)!r} ({origin}) does not exist")


def _load_real(
    city: CityConfig,
    cam_path: str | Path | None,
    inc_path: str | Path | None,
    db_path: str | Path | None,
    wards_path: str | Path | None,
    limit_path: str | Path | None,
) -> Dataset:
    assert inc_path is not None  # load_dataset refuses real cameras alone
    reports: dict[str, dict[str, Any]] = {}
    if db_path and not cam_path:
        from analytics.store import RegistryStore

        cams = RegistryStore(db_path).cameras(include_withdrawn=True)
        reports["cameras"] = {
            "source": str(db_path),
            "rows_read": len(cams),
            "accepted": len(cams),
            "quarantined": 0,
            "reasons": {},
        }
        cam_label = f"registry {Path(db_path).name}"
    else:
        assert cam_path is not None  # no registry database: a camera file
        result = loaders.load_cameras(cam_path, city)
        cams = result.accepted
        reports["cameras"] = result.summary()
        cam_label = Path(cam_path).name
    inc = loaders.load_incidents(inc_path, city)
    reports["incidents"] = inc.summary()
    wards = loaders.load_boundaries(wards_path) if wards_path else None
    limit = loaders.load_boundaries(limit_path) if limit_path else None
    dates = [
        d
        for d in (
            cams["registered_at"].max() if len(cams) else None,
            inc.accepted["occurred_at"].max().date() if len(inc.accepted) else None,
        )
        if d is not None and d == d
    ]
    as_of = max(dates) if dates else date.today()
    label = f"{cam_label} + {Path(inc_path).name}"
    return Dataset(cams, inc.accepted, wards, limit, city, label, False, as_of, reports)
