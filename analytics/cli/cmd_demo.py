"""``demo``: write the synthetic Little Rock as CSV and GeoJSON files."""

from __future__ import annotations

import argparse
import json

from analytics.cli import CommandError
from analytics.config import load_city
from analytics.synthetic import (
    DEFAULT_CAMERA_ROWS,
    DEFAULT_INCIDENTS,
    DEFAULT_SEED,
    generate_demo,
    write_demo,
)


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "demo",
        help="write the synthetic demo city (cameras.csv, incidents.csv, wards)",
        description="Generate the deterministic synthetic city and write it as the "
        "files a real city would have. Everything written is marked synthetic.",
    )
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument(
        "--cameras",
        type=int,
        default=DEFAULT_CAMERA_ROWS,
        help=f"registry rows (default {DEFAULT_CAMERA_ROWS:,})",
    )
    p.add_argument(
        "--incidents",
        type=int,
        default=DEFAULT_INCIDENTS,
        help=f"incidents over two years (default {DEFAULT_INCIDENTS:,})",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    p.add_argument(
        "--json", action="store_true", help="print the written paths as JSON"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.cameras < 0 or args.incidents < 0:
        raise CommandError(
            "--cameras and --incidents must be >= 0, "
            f"got {args.cameras} and {args.incidents}"
        )
    demo = generate_demo(
        load_city(args.city),
        cameras=args.cameras,
        incidents=args.incidents,
        seed=args.seed,
    )
    paths = write_demo(args.out, demo)
    if args.json:
        print(json.dumps({k: str(v) for k, v in paths.items()}))
    else:
        print(f"Synthetic demo (seed {args.seed}, as of {demo.as_of}):")
        print(
            f"  {len(demo.cameras):,} camera registrations "
            f"({int(demo.cameras['camera_count'].sum()):,} cameras)"
        )
        print(f"  {len(demo.incidents):,} incidents")
        for kind, path in paths.items():
            print(f"  {kind:<11} {path}")
    return 0
