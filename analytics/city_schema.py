"""The city file's schema: every known setting with its type, range and default.

:func:`validate` walks a parsed TOML document against :data:`SCHEMA` and returns
one flat ``{"table.key": value}`` mapping with defaults filled in. The first
problem (an unknown or mistyped key, a wrong type, a value out of range, a time
zone or CRS that does not exist) raises :class:`SettingError` naming the dotted
key, the value found and the form expected.

>>> try:
...     validate({"privacy": {"min_group_sise": 2}}, partial=True)
... except SettingError as exc:
...     print(exc)
unknown setting `privacy.min_group_sise` (did you mean `privacy.min_group_size`?); \
[privacy] takes: min_group_size
"""

from __future__ import annotations

import difflib
import math
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Union

from pyproj import CRS
from pyproj.exceptions import CRSError

from analytics.schema import CATEGORIES, OWNER_TYPES


class SettingError(ValueError):
    """One city-file setting is unknown, missing, mistyped or out of range."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Setting:
    """One leaf of the schema.

    Parameters
    ----------
    form
        The expected form in words, used in error messages
        ("a whole number >= 1").
    check
        Returns the cleaned value or None when the raw value does not fit ``form``.
    default
        Value used when the key is absent; ``...`` makes the key required.
    """

    form: str
    check: Callable[[Any], Any]
    default: Any = ...


Table = dict[str, Union[Setting, "Table", list["Table"]]]


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def text(default: Any = ...) -> Setting:
    return Setting(
        "a text in quotes", lambda v: v if isinstance(v, str) else None, default
    )


def whole(lo: int, hi: int | None = None, default: Any = ...) -> Setting:
    form = f"a whole number >= {lo}" if hi is None else f"a whole number {lo}-{hi}"

    def check(v: Any) -> int | None:
        if isinstance(v, bool) or not isinstance(v, int):
            return None
        return v if v >= lo and (hi is None or v <= hi) else None

    return Setting(form, check, default)


def number(
    *,
    above: float | None = None,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    default: Any = ...,
) -> Setting:
    words = [f"a number{f' of {unit}' if unit else ''}"]
    if above is not None:
        words.append(f"> {above:g}")
    if lo is not None:
        words.append(f">= {lo:g}")
    if hi is not None:
        words.append(f"<= {hi:g}")
    form = " ".join(words)

    def check(v: Any) -> float | None:
        if not _is_number(v):
            return None
        if (above is not None and v <= above) or (lo is not None and v < lo):
            return None
        if hi is not None and v > hi:
            return None
        return float(v)

    return Setting(form, check, default)


def day() -> Setting:
    def check(v: Any) -> date | None:
        if isinstance(v, date):
            return v
        if isinstance(v, str):
            try:
                return date.fromisoformat(v)
            except ValueError:
                return None
        return None

    return Setting("a YYYY-MM-DD date", check)


def text_list(default: Any = ...) -> Setting:
    def check(v: Any) -> tuple[str, ...] | None:
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            return None
        return tuple(v)

    return Setting('a list of texts, like ["a", "b"]', check, default)


def time_zone() -> Setting:
    def check(v: Any) -> str | None:
        if not isinstance(v, str) or not v.strip():
            return None
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None
        return v

    return Setting('an IANA time zone such as "America/Chicago"', check, "UTC")


def metric_crs() -> Setting:
    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return None
        if v == "auto":
            return v
        try:
            crs = CRS.from_user_input(v)
        except CRSError:
            return None
        units = {axis.unit_name for axis in crs.axis_info}
        return v if crs.is_projected and units == {"metre"} else None

    return Setting(
        'a projected CRS in metres such as "EPSG:26915", or "auto"', check, "auto"
    )


def projected_crs() -> Setting:
    """A projected CRS in any unit (state plane feet too), or "" for none."""

    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return None
        if not v.strip():
            return ""
        try:
            crs = CRS.from_user_input(v)
        except CRSError:
            return None
        return v if crs.is_projected else None

    return Setting(
        'a projected CRS such as "EPSG:3433" (state plane feet), or ""', check, ""
    )


def number_table(*, unit: str) -> Setting:
    """A TOML table of numbers > 0 under keys the file chooses."""

    def check(v: Any) -> dict[str, float] | None:
        if not isinstance(v, dict):
            return None
        if not all(_is_number(x) and x > 0 for x in v.values()):
            return None
        return {str(k): float(x) for k, x in v.items()}

    return Setting(f"a table of numbers of {unit} > 0", check, {})


def codes() -> Setting:
    """A list of code prefixes; absent means none."""

    def check(v: Any) -> tuple[str, ...] | None:
        if not isinstance(v, list) or not all(
            isinstance(c, str) and c.strip() for c in v
        ):
            return None
        return tuple(c.strip().upper() for c in v)

    return Setting('a list of code prefixes, like ["09A", "13A"]', check, None)


def notice_templates() -> Setting:
    """``[notify.templates.NAME]`` tables of texts: subject, body and maybe sms."""

    def check(v: Any) -> dict[str, dict[str, str]] | None:
        if not isinstance(v, dict):
            return None
        out: dict[str, dict[str, str]] = {}
        for name, spec in v.items():
            if not isinstance(spec, dict) or not {"subject", "body"} <= set(spec):
                return None
            if set(spec) - {"subject", "body", "sms"}:
                return None
            if not all(isinstance(x, str) and x.strip() for x in spec.values()):
                return None
            out[str(name)] = {k: str(x) for k, x in spec.items()}
        return out

    return Setting(
        "tables of texts, each with `subject` and `body` (and optionally `sms`)",
        check,
        {},
    )


DEVICE: Table = {
    "name": text(),
    "upfront_usd": number(lo=0, unit="US dollars"),
    "yearly_usd": number(lo=0, unit="US dollars"),
}

SCHEMA: Table = {
    "city": {
        "id": text(default=None),
        "name": text(),
        "program": text(default="Camera registry"),
        "timezone": time_zone(),
        "metric_crs": metric_crs(),
        # projected X/Y of files that name no CRS (city GIS state plane exports)
        "state_plane_crs": projected_crs(),
        "extent": {
            "min_lon": number(lo=-180, hi=180, unit="degrees"),
            "min_lat": number(lo=-90, hi=90, unit="degrees"),
            "max_lon": number(lo=-180, hi=180, unit="degrees"),
            "max_lat": number(lo=-90, hi=90, unit="degrees"),
        },
    },
    "goal": {
        "cameras": whole(1),
        "baseline_cameras": whole(0),
        "baseline_date": day(),
        "launch_date": day(),
    },
    "cameras": {
        "default_fov_deg": number(above=0, hi=360, unit="degrees"),
        "full_circle_types": text_list(default=()),
        "range_m_by_owner": {
            owner: number(above=0, unit="metres") for owner in OWNER_TYPES
        },
        "range_m_by_type": number_table(unit="metres"),
    },
    "canvass": {
        "radius_m": number(above=0, unit="metres", default=150.0),
        "nearest": whole(1, default=4),
    },
    "integration": {"devices": [DEVICE]},  # [[integration.devices]] tables
    "offenses": {
        "weights": {category: number(lo=0) for category in CATEGORIES},
        "categories": {category: codes() for category in CATEGORIES},
    },
    "privacy": {"min_group_size": whole(1, default=5)},
    "hex": {"resolution": whole(0, 15, default=8)},
    # footage requests (analytics/footage.py): months without verification
    # before a registration counts as stale; days an owner has to answer a
    # request before it becomes "no answer"
    "footage": {
        "stale_months": whole(1, default=12),
        "no_answer_days": whole(1, default=14),
    },
    "wards": {"count": whole(1, default=7)},
    # area notices (analytics/notify_message.py); relay and provider settings
    # are secrets and never read from this file
    "notify": {
        "rate_per_minute": whole(1, default=60),
        "max_owners_without_investigator": whole(1, default=250),
        "sender_name": text(default=""),
        "reply": text(default="reply to this message"),
        "templates": notice_templates(),
    },
    # a data file may expand to at most this multiple of its size (zip, Parquet)
    "limits": {"max_expansion": number(lo=1, default=100.0)},
    "data": {
        key: text(default="")
        for key in (
            "cameras",
            "incidents",
            "wards",
            "city_limit",
            "registry_db",
            "addresses",
        )
    },
}


def _unknown(key: str, known: Mapping[str, Any], where: str) -> SettingError:
    name = key.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f" (did you mean `{where}{close[0]}`?)" if close else ""
    table = f"[{where[:-1]}]" if where else "the top level"
    return SettingError(
        key,
        f"unknown setting `{key}`{hint}; {table} takes: {', '.join(known)}",
    )


def _walk(
    raw: Mapping[str, Any],
    schema: Table,
    where: str,
    out: dict[str, Any],
    partial: bool,
) -> None:
    for name in raw:
        if name not in schema:
            raise _unknown(f"{where}{name}", schema, where)
    for name, spec in schema.items():
        key = f"{where}{name}"
        if isinstance(spec, dict):
            value = raw.get(name, {})
            if not isinstance(value, dict):
                raise SettingError(
                    key, f"`{key}` was {value!r} but is expected to be a [{key}] table"
                )
            _walk(value, spec, f"{key}.", out, partial)
        elif isinstance(spec, list):  # an array of tables, [[key]]
            value = raw.get(name, [])
            if not isinstance(value, list) or not all(
                isinstance(v, dict) for v in value
            ):
                raise SettingError(
                    key,
                    f"`{key}` was {value!r} but is expected to be a list of "
                    f"[[{key}]] tables with {', '.join(spec[0])}",
                )
            rows: list[dict[str, Any]] = []
            for i, item in enumerate(value, start=1):
                row: dict[str, Any] = {}
                _walk(item, spec[0], f"{key}[{i}].", row, False)
                rows.append({k.rsplit(".", 1)[-1]: v for k, v in row.items()})
            out[key] = rows
        elif name in raw:
            cleaned = spec.check(raw[name])
            if cleaned is None:
                raise SettingError(
                    key, f"`{key}` was {raw[name]!r} but is expected to be {spec.form}"
                )
            out[key] = cleaned
        elif spec.default is ... and not partial:
            raise SettingError(key, f"missing setting `{key}`: expected {spec.form}")
        else:
            out[key] = None if spec.default is ... else spec.default


def validate(raw: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check a parsed city file against :data:`SCHEMA`.

    Parameters
    ----------
    raw
        The document as ``tomllib`` returns it.
    partial
        Allow required settings to be absent (for checking fragments).

    Returns
    -------
    dict
        ``{"table.key": cleaned value}`` for every setting, defaults filled in;
        ``integration.devices`` is a list of ``{"name", "upfront_usd",
        "yearly_usd"}`` dicts.

    Raises
    ------
    SettingError
        For the first unknown, missing, mistyped or out-of-range setting.
    """
    out: dict[str, Any] = {}
    _walk(raw, SCHEMA, "", out, partial)
    return out
