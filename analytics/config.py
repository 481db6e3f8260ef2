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
    """
    if name_or_path is None:
        name_or_path = os.environ.get(CITY_ENV, "").strip() or DEFAULT_CITY
    path = Path(name_or_path)
    if path.suffix.lower() != ".toml":
        path = CITIES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ConfigError(
            f"city configuration {str(name_or_path)!r} not found: expected a TOML file "
            f"or one of {available_cities()}"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return _parse(raw, path)


def _get(raw: dict[str, Any], dotted: str, path: Path, default: Any = ...) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            if default is ...:
                raise ConfigError(f"{path}: missing setting `{dotted}`")
            return default
        node = node[part]
    return node


def _number(
    raw: dict[str, Any],
    dotted: str,
    path: Path,
    *,
    positive: bool = True,
    default: Any = ...,
) -> float:
    value = _get(raw, dotted, path, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{path}: `{dotted}` was {value!r} but is expected to be a number"
        )
    if positive and value <= 0:
        raise ConfigError(
            f"{path}: `{dotted}` was {value!r} but must be greater than 0"
        )
    return value


def _date(raw: dict[str, Any], dotted: str, path: Path) -> date:
    value = _get(raw, dotted, path)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(
            f"{path}: `{dotted}` was {value!r} but is expected to be a YYYY-MM-DD date"
        ) from exc


def _parse(raw: dict[str, Any], path: Path) -> CityConfig:
    ext = _get(raw, "city.extent", path)
    extent = Extent(
        *(
            float(_number(ext, k, path, positive=False))
            for k in ("min_lon", "min_lat", "max_lon", "max_lat")
        )
    )
    if not (
        -180 <= extent.min_lon < extent.max_lon <= 180
        and -90 <= extent.min_lat < extent.max_lat <= 90
    ):
        raise ConfigError(
            f"{path}: `city.extent` {extent.bounds} is not a valid WGS84 box"
        )

    by_owner = {
        k: float(v) for k, v in _get(raw, "cameras.range_m_by_owner", path).items()
    }
    unknown = set(by_owner) - set(OWNER_TYPES)
    if unknown:
        raise ConfigError(
            f"{path}: `cameras.range_m_by_owner` has {sorted(unknown)} but owner types "
            f"are {list(OWNER_TYPES)}"
        )
    missing = set(OWNER_TYPES) - set(by_owner)
    if missing:
        raise ConfigError(f"{path}: `cameras.range_m_by_owner` lacks {sorted(missing)}")
    by_type = {
        str(k).lower(): float(v)
        for k, v in _get(raw, "cameras.range_m_by_type", path, {}).items()
    }
    for key, value in {**by_owner, **by_type}.items():
        if value <= 0:
            raise ConfigError(
                f"{path}: camera range for {key!r} was {value} but must be > 0"
            )

    devices = tuple(
        DeviceTier(str(d["name"]), float(d["upfront_usd"]), float(d["yearly_usd"]))
        for d in _get(raw, "integration.devices", path, [])
    )
    weights = {k: float(v) for k, v in _get(raw, "offenses.weights", path).items()}
    bad = set(weights) - set(CATEGORIES)
    if bad:
        raise ConfigError(
            f"{path}: `offenses.weights` has {sorted(bad)} "
            f"but categories are {CATEGORIES}"
        )
    cats = {
        k: tuple(str(c).upper() for c in v)
        for k, v in _get(raw, "offenses.categories", path, {}).items()
    }

    goal = int(_number(raw, "goal.cameras", path))
    baseline = int(_number(raw, "goal.baseline_cameras", path, positive=False))
    if baseline >= goal:
        raise ConfigError(f"{path}: baseline {baseline} must be below the goal {goal}")

    metric_crs = str(_get(raw, "city.metric_crs", path, "auto"))
    if metric_crs == "auto":
        metric_crs = _estimate_utm(extent)

    base_dir = path.parent
    data: dict[str, Path | None] = {}
    for key in DATA_ENV:
        value = str(_get(raw, f"data.{key}", path, "") or "").strip()
        data[key] = (base_dir / value).resolve() if value else None

    fov = float(_number(raw, "cameras.default_fov_deg", path))
    if fov > 360:
        raise ConfigError(
            f"{path}: `cameras.default_fov_deg` was {fov} but must be <= 360"
        )
    resolution = int(_number(raw, "hex.resolution", path, default=8))
    if not 0 <= resolution <= 15:
        raise ConfigError(f"{path}: `hex.resolution` was {resolution} but must be 0-15")

    return CityConfig(
        id=str(_get(raw, "city.id", path, path.stem)),
        name=str(_get(raw, "city.name", path)),
        program=str(_get(raw, "city.program", path, "Camera registry")),
        timezone=str(_get(raw, "city.timezone", path, "UTC")),
        metric_crs=metric_crs,
        extent=extent,
        goal_cameras=goal,
        baseline_cameras=baseline,
        baseline_date=_date(raw, "goal.baseline_date", path),
        launch_date=_date(raw, "goal.launch_date", path),
        default_fov_deg=fov,
        full_circle_types=tuple(
            str(t).lower() for t in _get(raw, "cameras.full_circle_types", path, [])
        ),
        range_m_by_owner=by_owner,
        range_m_by_type=by_type,
        canvass_radius_m=float(_number(raw, "canvass.radius_m", path, default=150)),
        canvass_nearest=int(_number(raw, "canvass.nearest", path, default=4)),
        devices=devices,
        severity_weights=weights,
        offense_categories=cats,
        min_group_size=int(_number(raw, "privacy.min_group_size", path, default=5)),
        hex_resolution=resolution,
        ward_count=int(_number(raw, "wards.count", path, default=7)),
        data=data,
        source=path,
        max_expansion=float(_number(raw, "limits.max_expansion", path, default=100.0)),
    )


def _estimate_utm(extent: Extent) -> str:
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(*extent.bounds),
    )
    if not infos:
        raise ConfigError(f"no UTM zone found for extent {extent.bounds}")
    return f"EPSG:{infos[0].code}"
