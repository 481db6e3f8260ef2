"""City configuration: every city-specific number, loaded from one TOML file per city.

>>> city = load_city()               # Little Rock, the default
>>> city.goal_cameras
30000
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import tomllib
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from analytics.city_schema import SettingError, validate
from analytics.schema import CATEGORIES, OWNER_TYPES

CITIES_DIR = Path(__file__).resolve().parent.parent / "data" / "cities"
DEFAULT_CITY = "little_rock"
CITY_ENV = "CAMREG_CITY"
DATA_ENV = {
    "cameras": "CAMREG_CAMERAS",
    "incidents": "CAMREG_INCIDENTS",
    "wards": "CAMREG_WARDS",
    "city_limit": "CAMREG_CITY_LIMIT",
    "registry_db": "CAMREG_REGISTRY_DB",
    # city address points (CSV/GeoJSON of address + point) for address-only exports
    "addresses": "CAMREG_ADDRESSES",
}


class ConfigError(ValueError):
    """A city configuration file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class DeviceTier:
    """One integration device offered to camera owners."""

    name: str
    upfront_usd: float
    yearly_usd: float

    def cost(self, years: float) -> float:
        """Total cost of one device kept for ``years`` years."""
        return self.upfront_usd + self.yearly_usd * years


@dataclass(frozen=True)
class Extent:
    """WGS84 bounds inside which a coordinate can belong to the city."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: Any, lat: Any) -> Any:
        """Element-wise test; works on scalars and numpy arrays."""
        return (
            (lon >= self.min_lon)
            & (lon <= self.max_lon)
            & (lat >= self.min_lat)
            & (lat <= self.max_lat)
        )

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


@dataclass(frozen=True)
class CityConfig:
    """Validated configuration of one city's camera registry program."""

    id: str
    name: str
    program: str
    timezone: str
    metric_crs: str
    extent: Extent
    goal_cameras: int
    baseline_cameras: int
    baseline_date: date
    launch_date: date
    default_fov_deg: float
    full_circle_types: tuple[str, ...]
    range_m_by_owner: dict[str, float]
    range_m_by_type: dict[str, float]
    canvass_radius_m: float
    canvass_nearest: int
    devices: tuple[DeviceTier, ...]
    severity_weights: dict[str, float]
    offense_categories: dict[str, tuple[str, ...]]
    min_group_size: int
    hex_resolution: int
    ward_count: int
    data: dict[str, Path | None] = field(default_factory=dict)
    source: Path | None = None
    # an upload may take at most this multiple of its size once expanded
    max_expansion: float = 100.0
    # [notify] settings by key (analytics.notify_message.notify_settings)
    notify: dict[str, Any] = field(default_factory=dict)
    # months without verification before a registration is stale (analytics.footage)
    stale_months: int = 12
    # days before an unanswered footage request becomes "no answer"
    no_answer_days: int = 14
    # CRS assumed for projected X/Y in a file that names none (state plane feet)
    state_plane_crs: str | None = None

    def range_for(
        self, owner_type: str | None, camera_type: str | None = None
    ) -> float:
        """Default range in metres for a camera of this owner and camera type.

        >>> load_city().range_for("residential", "doorbell")
        10.0
        """
        if camera_type and str(camera_type).lower() in self.range_m_by_type:
            return float(self.range_m_by_type[str(camera_type).lower()])
        if owner_type in self.range_m_by_owner:
            return float(self.range_m_by_owner[owner_type])
        return float(max(self.range_m_by_owner.values()))

    def category_for(self, offense_code: str | None) -> str:
        """NIBRS offence code -> ``violent``, ``property`` or ``other``.

        >>> load_city().category_for("13A"), load_city().category_for("23C")
        ('violent', 'property')
        """
        if offense_code is None:
            return "other"
        code = str(offense_code).strip().upper()
        if not code:
            return "other"
        for category, prefixes in self.offense_categories.items():
            if any(code.startswith(p) for p in prefixes):
                return category
        return "other"

    def weight_for(self, category: str) -> float:
        return float(self.severity_weights.get(category, 0.0))

    def data_path(self, key: str) -> Path | None:
        """Configured real-data path for ``key`` (environment first), or None."""
        if key not in DATA_ENV:
            raise KeyError(
                f"`key` was {key!r} but is expected to be in {list(DATA_ENV)}"
            )
        env = os.environ.get(DATA_ENV[key], "").strip()
        if env:
            return Path(env).expanduser()
        return self.data.get(key)


def available_cities() -> list[str]:
    """Stems of the city files shipped in ``data/cities``."""
    return sorted(p.stem for p in CITIES_DIR.glob("*.toml"))


def load_city(name_or_path: str | os.PathLike[str] | None = None) -> CityConfig:
    """Load and validate a city configuration.

    Parameters
    ----------
    name_or_path
        A file stem in ``data/cities`` (``"little_rock"``), a path to a TOML file,
        or None for ``$CAMREG_CITY`` or Little Rock.

    Raises
    ------
    ConfigError
        Naming the file, the setting and the expected form, for a missing file,
        a file that is not a city file, or any setting the schema in
        :mod:`analytics.city_schema` rejects.
    """
    if name_or_path is None:
        name_or_path = os.environ.get(CITY_ENV, "").strip() or DEFAULT_CITY
    path = Path(name_or_path)
    example = CITIES_DIR / f"{DEFAULT_CITY}.toml"
    if path.suffix.lower() != ".toml":
        if path.is_file():
            raise ConfigError(
                f"{path} is not a city file: expected a .toml file like {example}"
            )
        path = CITIES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ConfigError(
            f"city configuration {str(name_or_path)!r} not found: expected a TOML file "
            f"or one of {available_cities()}"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not a city file: not valid TOML ({exc}); "
            f"expected a file like {example}"
        ) from exc
    try:
        settings = validate(raw)
    except SettingError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return _build(settings, path)


def _build(s: dict[str, Any], path: Path) -> CityConfig:
    """CityConfig from validated settings, after the checks across settings."""
    extent = Extent(
        s["city.extent.min_lon"],
        s["city.extent.min_lat"],
        s["city.extent.max_lon"],
        s["city.extent.max_lat"],
    )
    if not (extent.min_lon < extent.max_lon and extent.min_lat < extent.max_lat):
        raise ConfigError(
            f"{path}: `city.extent` {extent.bounds} is not a valid WGS84 box: "
            "expected min_lon < max_lon and min_lat < max_lat"
        )
    goal, baseline = s["goal.cameras"], s["goal.baseline_cameras"]
    if baseline >= goal:
        raise ConfigError(
            f"{path}: `goal.baseline_cameras` was {baseline} but is expected to be "
            f"below `goal.cameras` ({goal})"
        )
    metric_crs = s["city.metric_crs"]
    if metric_crs == "auto":
        metric_crs = _estimate_utm(extent)
    data: dict[str, Path | None] = {}
    for key in DATA_ENV:
        value = s[f"data.{key}"].strip()
        data[key] = (path.parent / value).resolve() if value else None
    return CityConfig(
        id=s["city.id"] or path.stem,
        name=s["city.name"],
        program=s["city.program"],
        timezone=s["city.timezone"],
        metric_crs=metric_crs,
        extent=extent,
        goal_cameras=goal,
        baseline_cameras=baseline,
        baseline_date=s["goal.baseline_date"],
        launch_date=s["goal.launch_date"],
        default_fov_deg=s["cameras.default_fov_deg"],
        full_circle_types=tuple(t.lower() for t in s["cameras.full_circle_types"]),
        range_m_by_owner={o: s[f"cameras.range_m_by_owner.{o}"] for o in OWNER_TYPES},
        range_m_by_type={k.lower(): v for k, v in s["cameras.range_m_by_type"].items()},
        canvass_radius_m=s["canvass.radius_m"],
        canvass_nearest=s["canvass.nearest"],
        devices=tuple(
            DeviceTier(d["name"], d["upfront_usd"], d["yearly_usd"])
            for d in s["integration.devices"]
        ),
        severity_weights={c: s[f"offenses.weights.{c}"] for c in CATEGORIES},
        offense_categories={
            c: s[f"offenses.categories.{c}"]
            for c in CATEGORIES
            if s[f"offenses.categories.{c}"] is not None
        },
        min_group_size=s["privacy.min_group_size"],
        hex_resolution=s["hex.resolution"],
        ward_count=s["wards.count"],
        data=data,
        source=path,
        max_expansion=s["limits.max_expansion"],
        stale_months=s["footage.stale_months"],
        no_answer_days=s["footage.no_answer_days"],
        state_plane_crs=s["city.state_plane_crs"] or None,
        notify={k.split(".", 1)[1]: v for k, v in s.items() if k.startswith("notify.")},
    )


def _estimate_utm(extent: Extent) -> str:
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(*extent.bounds),
    )
    if not infos:
        raise ConfigError(f"no UTM zone found for extent {extent.bounds}")
    return f"EPSG:{infos[0].code}"
