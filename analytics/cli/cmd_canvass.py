"""``canvass``: which registered cameras may have seen an incident, nearest first.

>>> main(["canvass", "--lat", "34.7465", "--lon", "-92.2896", "--json"])  # +SKIP

Prints the active cameras within the radius plus the N nearest whatever their
distance, each with its distance, tier (``view now`` / ``ask the owner``),
whether the incident is in its view and whether footage is likely still kept.
Owner names and contacts only with ``--role investigator`` and a ``--case``;
below it, residential cameras are counts per distance band with no id, distance
or direction. Every canvass is written to the registry's audit log whenever a
store is configured (``--db``, ``$CAMREG_REGISTRY_DB`` or the city file), naming
``--user`` or else the operating-system user; ``--record`` also records when
none is configured (to the default store) and ``--note`` adds a note.

Exit codes: 0 the canvass ran (even when it found no camera); 2 unusable input
(coordinates outside the city, a bad date, an unreadable camera file).
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analytics.cli import EXIT_OK, CommandError, print_fixes
from analytics.config import CityConfig, load_city
from analytics.schema import CONTACT_COLUMNS

if TYPE_CHECKING:
    from analytics.store import RegistryStore

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
        help="investigator adds owner names and contacts, with --case (default staff)",
    )
    p.add_argument("--cameras", help="camera registry file (CSV/GeoJSON/Parquet)")
    p.add_argument(
        "--record",
        action="store_true",
        help="record in the audit log even when no store is configured (the "
        "default store); a configured store always records",
    )
    p.add_argument("--case", help="case number (required for investigator)")
    p.add_argument("--user", help="who runs the canvass (default: the OS user)")
    p.add_argument("--note", default="", help="a note for the audit log")
    p.add_argument(
        "--db", help="registry store for the audit log (default: configured)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analytics.canvass import CameraIndex, canvass

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
    from analytics import audit

    try:
        case = audit.case_number_or_none(args.case)
    except ValueError as exc:
        raise CommandError(f"--case: {exc}") from exc
    if audit.needs_case(args.role) and case is None:
        raise CommandError(
            "--role investigator shows owner contacts only for a case: add --case "
            "CASE_NUMBER"
        )
    cameras, now, label, synthetic = _load(args, city)
    now = now_arg or now
    if at is not None and at > now:
        raise CommandError(
            f"--at was {at:%Y-%m-%d %H:%M} but is after 'now' ({now:%Y-%m-%d %H:%M}); "
            "set --now for a reference time other than the clock"
        )
    store = _audit_store(args, city)
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
        )
        if store is not None:  # before anything is printed: no record, no list
            audit.record_canvass_look(
                store,
                result,
                user=args.user or audit.os_user(),
                role=args.role,
                case_number=case,
                note=args.note,
            )
    except (ValueError, PermissionError, sqlite3.Error) as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(to_json(result, label, synthetic), allow_nan=False))
    else:
        print_table(result, label, synthetic)
    return EXIT_OK


def _audit_store(args: argparse.Namespace, city: CityConfig) -> RegistryStore | None:
    """The store this canvass is recorded in, or None (nothing configured)."""
    from analytics.audit import configured_store_path
    from analytics.store import RegistryStore, default_store_path

    path = configured_store_path(city, args.db)
    if path is None and args.record:
        path = default_store_path(city)
    if path is None:
        return None
    try:
        return RegistryStore(path)
    except (ValueError, OSError, sqlite3.Error) as exc:  # StoreError is a ValueError
        raise CommandError(
            f"the audit log in {str(path)!r} cannot be opened, so the canvass is not "
            f"shown: {exc}"
        ) from exc


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
            print_fixes(result.warnings)
            # a demo file written by `demo` stays labelled synthetic
            name = Path(args.cameras).name
            return result.accepted, datetime.now(), name, result.synthetic
        configured = city.data_path("cameras") or city.data_path("registry_db")
        if configured and not city.data_path("incidents"):
            return _configured_cameras(city)  # a canvass needs no incidents
        from analytics.datasets import load_dataset

        ds = load_dataset(city)
    except (ValueError, OSError) as exc:  # LoadError is a ValueError
        raise CommandError(str(exc)) from exc
    print_fixes(ds.load_fixes)
    now = ds.now if ds.synthetic else datetime.now()
    return ds.cameras, now, ds.label, ds.synthetic


def _configured_cameras(city: CityConfig) -> tuple[pd.DataFrame, datetime, str, bool]:
    path = city.data_path("cameras")
    if path:
        from analytics.loaders import load_cameras

        result = load_cameras(path, city)
        print_fixes(result.warnings)
        return result.accepted, datetime.now(), Path(path).name, result.synthetic
    from analytics.store import RegistryStore, configured_store

    target = configured_store(city)
    assert target is not None  # only called with a camera file or store configured
    store = RegistryStore(target)
    return store.cameras(), datetime.now(), store.location, False


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
