"""``coverage``: headline coverage figures, ward table and worst gaps.

>>> main(["coverage", "--since", "2026-01-01", "--json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from analytics.cli import CommandError, add_data_options, data_paths, load_data
from analytics.schema import CATEGORIES

if TYPE_CHECKING:
    from analytics.coverage import CoverageReport
    from analytics.datasets import Dataset

TOP_GAPS = 5  # gap cells listed in the plain-text summary


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "coverage",
        help="how much of the city and its crime active cameras can see",
        description="Headline coverage figures (cameras, share of the goal, area "
        "and incidents in view, live vs on request, severity-weighted), the ward "
        "table and the worst gaps. Uses the synthetic demo unless data files are "
        "given or configured.",
    )
    add_data_options(p)
    p.add_argument(
        "--since", help="first incident day counted, YYYY-MM-DD (default: all)"
    )
    p.add_argument("--until", help="last incident day counted, YYYY-MM-DD")
    p.add_argument(
        "--categories",
        help="comma-separated offense categories: violent,property,other",
    )
    p.add_argument(
        "--range-scale",
        type=float,
        default=1.0,
        help="multiply every camera range (coverage-range assumption, default 1)",
    )
    p.add_argument(
        "--resolution", type=int, default=None, help="H3 resolution of gap cells"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _date(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{flag} was {text!r} but is expected to be a date like 2026-01-31"
        ) from None


def _categories(text: str | None) -> list[str] | None:
    if text is None:
        return None
    wanted = [c.strip().lower() for c in text.split(",") if c.strip()]
    bad = [c for c in wanted if c not in CATEGORIES]
    if bad or not wanted:
        raise CommandError(
            f"--categories was {text!r} but is expected to be a comma-separated "
            f"subset of {','.join(CATEGORIES)}"
        )
    return wanted


def _clean(value: Any) -> object:
    """JSON-safe number: NaN/inf -> null, numpy scalars -> Python."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return None
    if float(number).is_integer() and not isinstance(value, float):
        return int(number)
    return number


def run(args: argparse.Namespace) -> int:
    from analytics.config import load_city
    from analytics.coverage import coverage_report, filter_incidents

    since = _date(args.since, "--since")
    until = _date(args.until, "--until")
    if since and until and since > until:
        raise CommandError(f"--since {since} is after --until {until}")
    categories = _categories(args.categories)
    if not (math.isfinite(args.range_scale) and args.range_scale > 0):
        raise CommandError(f"--range-scale was {args.range_scale} but must be > 0")
    if args.resolution is not None and not 0 <= args.resolution <= 15:
        raise CommandError(f"--resolution was {args.resolution} but must be 0-15")
    city = load_city(args.city)
    ds = load_data(city, **data_paths(args))
    incidents = filter_incidents(
        ds.incidents, since=since, until=until, categories=categories
    )
    report = coverage_report(
        ds.cameras,
        incidents,
        city,
        city_limit=ds.city_limit,
        wards=ds.wards,
        range_scale=args.range_scale,
        hex_resolution=args.resolution,
    )
    if args.json:
        print(json.dumps(as_json(report, ds, since, until, categories)))
    else:
        print_summary(report, ds, since, until)
    return 0


def as_json(
    report: CoverageReport,
    ds: Dataset,
    since: date | None,
    until: date | None,
    categories: list[str] | None,
) -> dict[str, Any]:
    from analytics.coverage import HEADLINE_KEYS

    out = {k: _clean(report.headline[k]) for k in HEADLINE_KEYS}
    out.update(
        {
            "synthetic": bool(ds.synthetic),
            "data_label": ds.label,
            "as_of": ds.as_of.isoformat(),
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "categories": categories,
            "flags": list(report.flags),
            "wards": _records(report.wards),
            "top_gaps": _records(
                report.gaps.drop(columns="geometry").head(TOP_GAPS * 2)
            ),
        }
    )
    return out


def _records(frame: pd.DataFrame | None) -> list[dict[str, object]] | None:
    if frame is None:
        return None
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _pct(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.1%}"


def print_summary(
    report: CoverageReport, ds: Dataset, since: date | None, until: date | None
) -> None:
    h = report.headline
    if ds.synthetic:
        print(f"{ds.label} (synthetic): not the city's figures.")
    else:
        print(f"Data: {ds.label}, as of {ds.as_of}")
    window = f"{since or 'start'} to {until or 'end'}"
    print(
        f"Cameras: {h['cameras']:,} at {h['sites']:,} sites "
        f"({h['integrated_cameras']:,} integrated): {_pct(h['goal_share'])} "
        f"of the {h['goal']:,} goal"
    )
    print(
        f"Area in view: {_pct(h['area_coverage_share'])} of the city "
        f"({h['covered_area_km2']:.1f} of {h['city_area_km2']:.1f} km2); "
        f"effective cameras {h['effective_cameras']:,.0f}"
    )
    print(
        f"Incidents in view ({h['incidents']:,}, {window}): "
        f"{_pct(h['incident_coverage_share'])} "
        f"(live {_pct(h['live_incident_coverage_share'])}, on request only "
        f"{_pct(h['on_request_incident_coverage_share'])}); severity-weighted "
        f"{_pct(h['weighted_incident_coverage_share'])}"
    )
    if report.wards is not None:
        print("\nWard  area in view  incidents in view  cameras  per km2")
        for row in report.wards.itertuples(index=False):
            print(
                f"{row.ward_id!s:<5} {_pct(row.area_coverage_share):>12}  "
                f"{_pct(row.incident_coverage_share):>17}  {row.cameras:>7,}  "
                f"{row.cameras_per_km2:>7.1f}"
            )
    if len(report.gaps):
        print("\nWorst gaps (H3 cells, severity-weighted unseen incidents):")
        for row in report.gaps.head(TOP_GAPS).itertuples(index=False):
            ward = f"ward {row.ward_id}, " if row.ward_id else ""
            print(
                f"{row.rank:>2}. {row.h3}  {row.weighted_uncovered:,.1f} "
                f"({row.violent} violent, {row.property} property, "
                f"{row.other} other; {ward}nearest camera "
                f"{row.nearest_camera_m:,.0f} m)"
            )
    for flag in report.flags:
        print(f"Note: {flag}")
