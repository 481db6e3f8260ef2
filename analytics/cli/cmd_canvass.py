"""``canvass``: which registered cameras may have seen an incident, nearest first.

>>> main(["canvass", "--lat", "34.7465", "--lon", "-92.2896", "--json"])  # +SKIP

Prints the active cameras within the radius plus the N nearest whatever their
distance, each with its distance, tier (``view now`` / ``ask the owner``),
whether the incident is in its view and whether footage is likely still kept.
Owner names and contacts only with ``--role investigator``; below it, residential
cameras are counts per distance band with no id, distance or direction.
``--record`` writes the canvass to the registry's audit log (needs ``--case`` and
``--user``).

Exit codes: 0 the canvass ran (even when it found no camera); 2 unusable input
(coordinates outside the city, a bad date, an unreadable camera file).
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.cli import EXIT_OK, CommandError
from analytics.config import CityConfig
from analytics.schema import CONTACT_COLUMNS

TIME_FORMAT = "%Y-%m-%d %H:%M"
JSON_FIELDS = (
    "camera_id",
    "distance_m",
    "from_incident",
    "distance_band",
    "within_radius",
    "tier",
    "action",
    "owner_type",
    "sites",
    "camera_count",
    "in_view",
    "retention_days",
    "footage_available",
    "latitude",
    "longitude",
    "address",
)


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "canvass",
        help="cameras near an incident, nearest first (who to ask for footage)",
        description="List the active registered cameras within a radius of an "
        "incident plus the N nearest whatever their distance: distance, tier "
        "('view now' for integrated, 'ask the owner' for registered), whether the "
        "incident is in the camera's view and whether footage is likely still "
        "kept. Uses the synthetic demo (and its date as 'now') unless a camera file "
        "is given or configured.",
    )
    p.add_argument("--lat", type=float, required=True, help="incident latitude")
    p.add_argument("--lon", type=float, required=True, help="incident longitude")
    p.add_argument(
        "--radius-m",
        type=float,
        default=None,
        help="search radius in metres (default: the city's canvass radius)",
    )
    p.add_argument(
        "--nearest",
        type=int,
        default=None,
        help="also list the N nearest cameras at any distance (default: the "
        "city's setting, 4; 0 for the radius only)",
    )
    p.add_argument(
        "--at",
        metavar='"YYYY-MM-DD HH:MM"',
        help="when the incident happened, local time (default: now)",
    )
    p.add_argument(
        "--now",
        metavar='"YYYY-MM-DD HH:MM"',
        help="reference 'now' for footage retention (default: the clock, or the "
        "end of the demo's last day for the synthetic demo)",
    )
    p.add_argument(
        "--role",
        choices=("staff", "investigator"),
        default="staff",
        help="investigator adds owner names and contacts (default staff)",
    )
    p.add_argument("--cameras", help="camera registry file (CSV/GeoJSON/Parquet)")
    p.add_argument("--record", action="store_true", help="write to the audit log")
    p.add_argument("--case", help="case number (required with --record)")
    p.add_argument("--user", help="who runs the canvass (required with --record)")
    p.add_argument("--db", help="registry store for --record (default: configured)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analytics.canvass import CameraIndex, canvass
    from analytics.config import load_city

    at = parse_time(args.at, "--at")
    now_arg = parse_time(args.now, "--now")
    city = load_city(args.city)
    if not bool(city.extent.contains(args.lon, args.lat)):
        raise CommandError(
            f"--lat/--lon ({args.lat}, {args.lon}) is outside {city.name}: expected "
            f"latitude {city.extent.min_lat} to {city.extent.max_lat} and longitude "
            f"{city.extent.min_lon} to {city.extent.max_lon}"
        )
    check_limits(args)
    if args.record and not (args.case and args.user):
        raise CommandError("--record needs --case CASE_NUMBER and --user NAME")
    cameras, now, label, synthetic = _load(args, city)
    now = now_arg or now
    if at is not None and at > now:
        raise CommandError(
            f"--at was {at:%Y-%m-%d %H:%M} but is after 'now' ({now:%Y-%m-%d %H:%M}); "
            "set --now for a reference time other than the clock"
        )
    store = None
    if args.record:
        from analytics.store import RegistryStore, default_store_path

        store = RegistryStore(args.db or default_store_path(city))
    try:
        result = canvass(
            CameraIndex(cameras, city),
            args.lat,
            args.lon,
            radius_m=args.radius_m,
            nearest=args.nearest,
            at=at,
            now=now,
            role=args.role,
            store=store,
            user=args.user,
            case_number=args.case,
        )
    except (ValueError, PermissionError) as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(to_json(result, label, synthetic), allow_nan=False))
    else:
        print_table(result, label, synthetic)
    return EXIT_OK


def check_limits(args: argparse.Namespace) -> None:
    """--radius-m and --nearest in range, or a CommandError naming the option."""
    from analytics.canvass import MAX_NEAREST, MAX_RADIUS_M

    radius = args.radius_m
    if radius is not None and not 0 < radius <= MAX_RADIUS_M:
        raise CommandError(
            f"--radius-m was {radius:g} but is expected to be more than 0 and at "
            f"most {MAX_RADIUS_M:g} metres"
        )
    if args.nearest is not None and not 0 <= args.nearest <= MAX_NEAREST:
        raise CommandError(
            f"--nearest was {args.nearest} but is expected to be 0-{MAX_NEAREST}"
        )


def parse_time(text: str | None, option: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` (or a date alone) or a CommandError naming the option."""
    if text is None:
        return None
    raw = str(text).strip()
    for fmt in (TIME_FORMAT, "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise CommandError(
        f'{option} was {text!r} but is expected to be a time as "YYYY-MM-DD HH:MM"'
    )


def _load(
    args: argparse.Namespace, city: CityConfig
) -> tuple[pd.DataFrame, datetime, str, bool]:
    """(cameras, now, label, synthetic): a camera file, the configured data or demo."""
    try:
        if args.cameras:
            from analytics.loaders import load_cameras

            result = load_cameras(args.cameras, city)
            return result.accepted, datetime.now(), Path(args.cameras).name, False
        configured = city.data_path("cameras") or city.data_path("registry_db")
        if configured and not city.data_path("incidents"):
            return _configured_cameras(city)  # a canvass needs no incidents
        from analytics.datasets import load_dataset

        ds = load_dataset(city)
    except (ValueError, OSError) as exc:  # LoadError is a ValueError
        raise CommandError(str(exc)) from exc
    now = ds.now if ds.synthetic else datetime.now()
    return ds.cameras, now, ds.label, ds.synthetic


def _configured_cameras(city: CityConfig) -> tuple[pd.DataFrame, datetime, str, bool]:
    path = city.data_path("cameras")
    if path:
        from analytics.loaders import load_cameras

        return load_cameras(path, city).accepted, datetime.now(), Path(path).name, False
    from analytics.store import RegistryStore

    db = city.data_path("registry_db")
    assert db is not None  # only called with a camera file or database configured
    return RegistryStore(db).cameras(), datetime.now(), Path(db).name, False


def _plain(value: Any) -> Any:
    """JSON-ready scalar: NA/NaN -> None, numpy -> Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value


def to_json(result: pd.DataFrame, label: str, synthetic: bool) -> dict[str, Any]:
    """One object: the query, the data label and ``cameras`` nearest first."""
    fields = [f for f in JSON_FIELDS if f in result.columns]
    fields += [c for c in CONTACT_COLUMNS if c in result.columns]
    meta = result.attrs
    return {
        "lat": meta["lat"],
        "lon": meta["lon"],
        "radius_m": meta["radius_m"],
        "nearest": meta["nearest"],
        "at": meta["at"].strftime(TIME_FORMAT),
        "now": meta["now"].strftime(TIME_FORMAT),
        "role": meta["role"],
        "data_label": label,
        "synthetic": synthetic,
        "within_radius": meta["within_radius"],
        "cameras": [
            {f: _plain(row[f]) for f in fields}
            for row in result.to_dict(orient="records")
        ],
    }


def _flag(value: Any, yes: str, no: str) -> str:
    value = _plain(value)
    return "unknown" if value is None else yes if value else no


def print_table(result: pd.DataFrame, label: str, synthetic: bool) -> None:
    meta = result.attrs
    tag = " (synthetic)" if synthetic else ""
    print(
        f"Canvass at ({meta['lat']:.6f}, {meta['lon']:.6f}), incident "
        f"{meta['at']:%Y-%m-%d %H:%M}, radius {meta['radius_m']:g} m + "
        f"{meta['nearest']} nearest; data: {label}{tag}"
    )
    print(
        f"  {meta['within_radius']} camera sites within {meta['radius_m']:g} m, "
        f"{len(result)} listed"
    )
    for row in result.to_dict(orient="records"):
        where = "" if row["within_radius"] else "  (outside radius)"
        if _plain(row.get("camera_id")) is None:  # residential, counted by band
            sites, cams = int(row["sites"]), int(row["camera_count"])
            print(
                f"  {'residential':<12} {sites} site{'s' if sites != 1 else ''} "
                f"({cams} camera{'s' if cams != 1 else ''}) within "
                f"{row['distance_band']}: {row['action']}"
            )
            continue
        line = (
            f"  {row['camera_id']:<12} {row['distance_m']:>7.1f} m "
            f"{row['from_incident']:<2} {row['action']:<13} in view: "
            f"{_flag(row['in_view'], 'yes', 'no'):<7} footage: "
            f"{_flag(row['footage_available'], 'likely kept', 'likely gone')}{where}"
        )
        if "owner_name" in row:
            contacts = " / ".join(
                str(_plain(row[c]) or "-") for c in CONTACT_COLUMNS if c in row
            )
            line += f"\n      {contacts}"
        print(line)
