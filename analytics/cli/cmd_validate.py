"""``validate``: check a camera or incident file row by row before using it.

Exit codes: 0 nothing quarantined (rows repeating an incident once per victim are
folded, not quarantined), 1 some rows quarantined, 2 the file is unusable (or of
another kind than asked).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analytics.chunked import validate_file
from analytics.cli import EXIT_FINDINGS, EXIT_OK, CommandError
from analytics.config import load_city
from analytics.loaders import (
    KINDS,
    LoadError,
    LoadResult,
)
from analytics.safe_output import to_safe_csv
from analytics.schema import SYNTHETIC_LABEL

# Warnings listed in the human summary before "... and N more".
MAX_WARNINGS_SHOWN = 20


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check a camera registry or incident file row by row",
        description="Read a camera registry or crime incident file (CSV, GeoJSON, "
        "GeoPackage or Parquet) the way the dashboard does, and report how many "
        "rows are accepted and why the others are quarantined. Exit 0 when every "
        "row is accepted, 1 when some are quarantined, 2 when the file is unusable.",
    )
    p.add_argument("kind", choices=KINDS, help="what the file holds")
    p.add_argument("file", help="the file to check")
    p.add_argument(
        "--quarantine",
        metavar="OUT.csv",
        help="write the quarantined rows (original columns + row_number, reason)",
    )
    p.add_argument(
        "--addresses",
        metavar="FILE",
        help="address-point file (CSV or GeoJSON of address + point) that places "
        "incidents given by address only (default: $CAMREG_ADDRESSES)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: rows_read, accepted, quarantined, reasons, "
        "warnings",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    city = load_city(args.city)
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{args.file}: file not found")
    # the fixes are listed in the summary below (result.warnings)
    addresses = args.addresses or city.data_path("addresses")
    if addresses and not Path(addresses).is_file():
        raise CommandError(f"{addresses}: address-point file not found")
    try:
        # a big CSV is streamed in chunks: memory stays bounded
        result = validate_file(args.kind, path, city, addresses=addresses)
    except LoadError as exc:
        raise CommandError(str(exc)) from exc
    if args.quarantine:
        out = Path(args.quarantine)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(to_safe_csv(result.quarantined, synthetic=result.synthetic))
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from exc
    if args.json:
        summary = result.summary()
        if args.quarantine:
            summary["quarantine_file"] = str(args.quarantine)
        print(json.dumps(summary, ensure_ascii=False))
    else:
        _print_summary(result, args.quarantine)
    return EXIT_FINDINGS if len(result.quarantined) else EXIT_OK


def _print_summary(result: LoadResult, quarantine: str | None) -> None:
    share = result.n_accepted / result.rows_read if result.rows_read else 1.0
    print(f"{result.source} ({result.kind})")
    if result.synthetic:
        print(f"  {SYNTHETIC_LABEL}: made up by the demo, not the city's records")
    for note in result.notes:
        print(f"  {note}")
    print(f"  rows read    {result.rows_read:>10,}")
    print(f"  accepted     {result.n_accepted:>10,}  ({share:.1%})")
    if result.folded:
        print(
            f"  folded       {result.folded:>10,}  (repeat the incident number, "
            "time and place of an accepted row: one row per victim or offence)"
        )
    print(f"  quarantined  {len(result.quarantined):>10,}")
    for reason, count in result.reasons.items():
        print(f"    {count:>10,}  {reason}")
    if result.unknown_offenses:
        print("Offence descriptions not recognised (counted as 'other'):")
        for text, count in list(result.unknown_offenses.items())[:MAX_WARNINGS_SHOWN]:
            print(f"    {count:>10,}  {text}")
    if result.warnings:
        print("Fixed while loading:")
        for message in result.warnings[:MAX_WARNINGS_SHOWN]:
            print(f"  - {message}")
        if len(result.warnings) > MAX_WARNINGS_SHOWN:
            print(f"  ... and {len(result.warnings) - MAX_WARNINGS_SHOWN} more")
    if quarantine:
        print(f"Quarantined rows written to {quarantine}")
    elif len(result.quarantined):
        print("Write them out with --quarantine OUT.csv to see each row and reason.")
