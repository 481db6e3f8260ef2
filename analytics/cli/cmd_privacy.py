"""``privacy-check``: attack the configured data's outputs as an insider would.

>>> main(["privacy-check", "--json"])  # doctest: +SKIP

Runs :func:`analytics.attacks.privacy_check`: trilateration from staff canvasses
(and, as the control, from investigator ones), differencing of the public and
staff views across every filter a visitor can change, and a search of every
staff and public export for residential or withdrawn cameras' ids, coordinates,
addresses, names, phones and e-mails. Prints, per role, the closest any
residential camera could be located and the smallest map cell shown.

Exit codes: 0 every threshold holds; 1 a threshold is broken (listed); 2
unusable data.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from analytics.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    CommandError,
    add_data_options,
    data_paths,
    load_data,
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    from analytics.attacks import DEFAULT_TARGETS

    p = subparsers.add_parser(
        "privacy-check",
        help="attack the outputs as an insider would; exit 1 if a home can be found",
        description="Trilaterate residential cameras from staff canvasses (and, as "
        "a control, from investigator ones), difference the public and staff "
        "views across every filter, and search every staff and public export for "
        "residential or withdrawn cameras' ids, coordinates, addresses and "
        "contacts. Uses the configured data, else the synthetic demo. Exit 1 when "
        "a threshold is broken.",
    )
    add_data_options(p)
    p.add_argument(
        "--targets",
        type=int,
        default=DEFAULT_TARGETS,
        help=f"homes to trilaterate, most isolated first (default {DEFAULT_TARGETS})",
    )
    p.add_argument(
        "--no-briefing",
        action="store_true",
        help="skip building the briefings for the export search (faster)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analytics.attacks import privacy_check
    from analytics.config import load_city
    from analytics.datasets import Dataset

    if args.targets < 1:
        raise CommandError(f"--targets was {args.targets} but must be at least 1")
    city = load_city(args.city)
    dataset: Dataset = load_data(city, **data_paths(args))
    result = privacy_check(dataset, targets=args.targets, briefing=not args.no_briefing)
    if args.json:
        print(json.dumps(_jsonable(result), allow_nan=False))
    else:
        for line in report_lines(result):
            print(line)
    return EXIT_FINDINGS if result["failures"] else EXIT_OK


def report_lines(result: dict[str, Any]) -> list[str]:
    """The check as lines a privacy officer can read out."""
    tag = " (synthetic)" if result["synthetic"] else ""
    k = result["min_group_size"]
    lines = [f"Privacy check of {result['data']}{tag}", ""]
    lines.append("Closest a residential camera could be located by canvass:")
    for role, figures in result["canvass"].items():
        control = "  (control: full access)" if role == "investigator" else ""
        lines.append(
            f"  {role:<13} {_m(figures['closest_m'])} (median {_m(figures['median_m'])}"
            f", {figures['targets']} homes attacked){control}"
        )
    coverage = result.get("coverage") or {}
    if coverage:
        lines.append(
            "Closest a residential camera could be located from one-incident "
            f"coverage windows ({coverage['staff']['windows']:,} windows):"
        )
        for name, figures in coverage.items():
            control = "  (control: homes' true places)" if name == "control" else ""
            lines.append(
                f"  {name:<13} {_m(figures['closest_m'])} (median "
                f"{_m(figures['median_m'])}){control}"
            )
    lines.append("")
    lines.append(f"Map cells and differencing (threshold: {k} sites):")
    for audience in ("public", "staff"):
        d = result[audience]
        lines.append(
            f"  {audience:<13} smallest cell {_n(d['smallest_cell_sites'])} sites; "
            f"{d['views']} filter views differ by at least "
            f"{_n(d['smallest_site_difference'], 'no')} sites in a cell; coverage "
            f"differs by {_n(d['smallest_incident_difference'], 'no')} incidents"
        )
        lines.append(
            f"  {'':<13} wards: views differ by at least "
            f"{_n(d.get('smallest_ward_site_difference'), 'no')} sites; "
            f"{d.get('ward_camera_driven_changes', 0):,} ward or district "
            "figures move with a camera filter"
        )
    staff = result["staff"]
    dating = staff.get("ward_dating") or {}
    if dating.get("windows"):
        finest = dating.get("finest_dating_days")
        lines.append(
            f"  Moving 'Until' one day at a time ({dating['windows']} windows): a "
            "ward's new cameras date a registration to "
            + ("nothing" if finest is None else f"{finest} day(s) at best")
        )
    notify = staff.get("notify") or {}
    if notify.get("areas"):
        lines.append(
            f"  Notification circles 4 m apart ({notify['areas']} areas): shown "
            "counts differ by at least "
            f"{_n(notify.get('smallest_difference'), 'no')} registrations"
        )
    lines.append("")
    for role, leaks in result["exports"].items():
        lines.append(
            f"Exports for {role}: "
            + ("nothing residential or withdrawn found" if not leaks else "LEAKS")
        )
    lines.append("")
    if result["failures"]:
        lines.append("FAILED:")
        lines += [f"  - {f}" for f in result["failures"]]
    else:
        lines.append(
            "PASSED: no role below investigator can locate a home closer than "
            f"{result['thresholds']['location_error_m']:g} m or see fewer than {k} "
            "sites in a cell."
        )
    return lines


def _m(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "not at all" if not math.isfinite(value) else f"{value:,.1f} m"


def _n(value: int | None, none: str = "n/a") -> str:
    return none if value is None else f"{value:,}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value
