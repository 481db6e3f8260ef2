"""``coverage``: headline coverage figures, ward table and worst gaps.

>>> main(["coverage", "--since", "2026-01-01", "--json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from analytics.cli import CommandError, add_data_options, data_paths, load_data
from analytics.datasets import unmapped_sentences
from analytics.formatting import count, number, pct
from analytics.privacy import (
    ROLES,
    cameras_for_coverage,
    protect_districts,
    protect_hexes,
    protect_ward_table,
    registry_snapshot,
    sites_per_cell,
    ward_privacy,
)
from analytics.schema import CATEGORIES

if TYPE_CHECKING:
    from analytics.coverage import CoverageReport
    from analytics.datasets import Dataset
    from analytics.windows import Window

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
        "--since",
        help="first incident day counted, YYYY-MM-DD (default: the 12 months ending "
        "on the newest incident, as on the dashboard)",
    )
    p.add_argument(
        "--until",
        help="last incident day counted, YYYY-MM-DD (default: the newest incident)",
    )
    p.add_argument(
        "--whole-record",
        action="store_true",
        help="count every incident in the file instead of the default window",
    )
    p.add_argument(
        "--registry",
        choices=("current", "window-end"),
        default="current",
        help="cameras measured: today's active registry (default) or the registry "
        "as it stood on the window's last day ('what changed')",
    )
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
    p.add_argument(
        "--audience",
        choices=ROLES,
        default="staff",
        help="whose view to print, under the dashboard's privacy rules for that "
        "role (default staff: wards with fewer than the city's min_group_size "
        "sites and per-area coverage of small groups or short windows withheld; "
        "public: the one fixed public view; investigator: everything)",
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
    from analytics.windows import registry_for, registry_note

    since = _date(args.since, "--since")
    until = _date(args.until, "--until")
    if since and until and since > until:
        raise CommandError(f"--since {since} is after --until {until}")
    categories = _categories(args.categories)
    if not (math.isfinite(args.range_scale) and args.range_scale > 0):
        raise CommandError(f"--range-scale was {args.range_scale} but must be > 0")
    if args.resolution is not None and not 0 <= args.resolution <= 15:
        raise CommandError(f"--resolution was {args.resolution} but must be 0-15")
    if args.audience == "public":
        _public_view_only(args)
    city = load_city(args.city)
    ds = load_data(city, **data_paths(args))
    window = resolve_window(ds, since, until, args.whole_record, args.registry)
    incidents = filter_incidents(
        ds.incidents, since=window.since, until=window.until, categories=categories
    )
    # homes at their stand-in points below investigator (the canvass's points)
    cameras = cameras_for_coverage(
        registry_for(ds.cameras, window, ds.as_of), args.audience
    )
    report = coverage_report(
        cameras,
        incidents,
        city,
        city_limit=ds.city_limit,
        wards=ds.wards,
        range_scale=args.range_scale,
        hex_resolution=args.resolution,
    )
    report = protect_report(
        report,
        ds,
        window,
        incidents,
        args.audience,
        range_scale=args.range_scale,
        resolution=args.resolution,
    )
    note = registry_note(ds.cameras, window, ds.as_of)
    if args.json:
        out = as_json(report, ds, window, categories, note)
        out["audience"] = args.audience
        print(json.dumps(out))
    else:
        print_summary(report, ds, window, note)
    return 0


def _public_view_only(args: argparse.Namespace) -> None:
    """The public view is one fixed view (``analytics.privacy.public_settings``):
    options that would vary it are refused, not silently ignored."""
    varied = [
        flag
        for flag, given in (
            ("--since", args.since),
            ("--until", args.until),
            ("--whole-record", args.whole_record),
            ("--categories", args.categories),
            ("--registry", args.registry != "current"),
            ("--range-scale", args.range_scale != 1.0),
            ("--resolution", args.resolution is not None),
        )
        if given
    ]
    if varied:
        raise CommandError(
            f"{', '.join(varied)} cannot be used with --audience public: the public "
            "view is one fixed view (the default window, every offence, today's "
            "registry), so that two public views never differ by a few homes; use "
            "--audience staff"
        )


def protect_report(
    report: CoverageReport,
    ds: Dataset,
    window: Window,
    incidents: pd.DataFrame,
    audience: str,
    *,
    range_scale: float = 1.0,
    resolution: int | None = None,
) -> CoverageReport:
    """The report with its ward table and gap cells as ``audience`` may see them,
    by the rules the dashboard's pages follow (:mod:`analytics.privacy`).

    Below investigator, per-ward and per-cell figures count the whole active
    registry on the data's date at default ranges (``area_camera_settings``),
    whatever ``--registry`` and ``--range-scale`` say; wards with fewer than
    ``min_group_size`` sites show no camera counts, and coverage of a ward or
    cell needs that many sites and incidents over at least a month. The
    headline (city-wide) figures are left as they are.
    """
    from analytics.coverage import coverage_report
    from analytics.windows import registry_on

    if audience == "investigator":
        return report
    city = ds.city
    area = report
    if window.registry != "current" or range_scale != 1.0:
        area = coverage_report(
            cameras_for_coverage(
                registry_snapshot(registry_on(ds.cameras, ds.as_of)), audience
            ),
            incidents,
            city,
            city_limit=ds.city_limit,
            wards=ds.wards,
            hex_resolution=resolution,
        )
    days = (window.until - window.since).days + 1
    wards = area.wards
    if wards is not None:
        wards = protect_ward_table(wards, audience, city, **ward_privacy(days))[0]
    gaps = protect_hexes(
        area.gaps,
        audience,
        city,
        sites=sites_per_cell(ds.cameras, resolution or city.hex_resolution),
        window_days=days,
        empty_cells=True,
    )
    districts = protect_districts(area.districts, audience, city, window_days=days)
    return dataclasses.replace(report, wards=wards, gaps=gaps, districts=districts)


# What --json repeats of each file's load report.
REPORT_KEYS = ("rows_read", "accepted", "folded", "quarantined", "reasons")


def resolve_window(
    ds: Dataset,
    since: date | None,
    until: date | None,
    whole_record: bool,
    registry: str,
) -> Window:
    """The window of the one rule (:mod:`analytics.windows`): the default window
    unless dates are given; ``--whole-record`` spans every incident."""
    from analytics.windows import (
        Window,
        default_window,
        newest_incident_day,
        oldest_incident_day,
    )

    rule = registry.replace("-", "_")
    if whole_record:
        if since or until:
            raise CommandError("--whole-record cannot be combined with --since/--until")
        since = oldest_incident_day(ds.incidents) or ds.as_of
        until = newest_incident_day(ds.incidents) or ds.as_of
    elif since is None and until is None:
        default = default_window(ds.incidents, ds.as_of)
        since, until = default.since, default.until
    elif since is None:
        assert until is not None  # both None is the branch above
        first = oldest_incident_day(ds.incidents)
        since = min(first, until) if first else until
    elif until is None:
        until = max(since, ds.as_of)
    return Window(since, until, rule)


def as_json(
    report: CoverageReport,
    ds: Dataset,
    window: Window,
    categories: list[str] | None,
    note: str | None = None,
) -> dict[str, Any]:
    from analytics.coverage import HEADLINE_KEYS

    out = {k: _clean(report.headline[k]) for k in HEADLINE_KEYS}
    out.update(
        {
            "synthetic": bool(ds.synthetic),
            "data_label": ds.label,
            "as_of": ds.as_of.isoformat(),
            "since": window.since.isoformat(),
            "until": window.until.isoformat(),
            "registry": window.registry,
            "window": window.describe(ds.as_of),
            "registry_note": note,
            "categories": categories,
            "flags": list(report.flags),
            "not_mapped": unmapped_sentences(ds),
            "load_reports": {
                kind: {
                    k: rep.get(k)
                    for k in (
                        "rows_read",
                        "accepted",
                        "folded",
                        "quarantined",
                        "reasons",
                    )
                }
                for kind, rep in ds.load_reports.items()
            },
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


def print_summary(
    report: CoverageReport, ds: Dataset, window: Window, note: str | None = None
) -> None:
    from analytics.figures import label, show

    h = report.headline
    if ds.synthetic:
        print(f"{ds.label} (synthetic): not the city's figures.")
    else:
        print(f"Data: {ds.label}, as of {ds.as_of}")
    for sentence in unmapped_sentences(ds):
        print(f"Not mapped: {sentence}")
    print(f"{window.describe(ds.as_of)}.")
    if note:
        print(f"Note: {note}")
    if note:  # no camera to measure: say why instead of a page of zeros
        return

    def fig(key: str, head_key: str | None = None) -> str:
        return show(key, h[head_key or key])

    cameras = (
        label("active_cameras")
        if window.registry == "current"
        else f"Cameras on {window.until:%d %b %Y}"
    )
    print(
        f"{cameras}: {fig('active_cameras', 'cameras')} at "
        f"{fig('active_sites', 'sites')} sites "
        f"({fig('integrated_cameras')} integrated); "
        f"{label('goal_share').lower()} {fig('goal_share')} of {fig('goal')}"
    )
    print(
        f"{label('area_coverage_share')}: {fig('area_coverage_share')} "
        f"({fig('covered_area_km2')} of {fig('city_area_km2')}); "
        f"{label('effective_cameras').lower()} {fig('effective_cameras')}"
    )
    print(
        f"{label('incident_coverage_share')} (of {fig('incidents')} incidents): "
        f"{fig('incident_coverage_share')} (live "
        f"{fig('live_incident_coverage_share')}, on request only "
        f"{fig('on_request_incident_coverage_share')}); "
        f"{label('weighted_incident_coverage_share').lower()} "
        f"{fig('weighted_incident_coverage_share')}"
    )
    print(
        f"Violent crime: {fig('violent_incidents')} incidents, "
        f"{fig('violent_victims')} victims"
    )
    if report.wards is not None:
        print("\nWard  area in view  incidents in view  cameras  per km2")
        for row in report.wards.itertuples(index=False):
            print(
                f"{row.ward_id!s:<5} {pct(row.area_coverage_share):>12}  "
                f"{pct(row.incident_coverage_share):>17}  {count(row.cameras):>7}  "
                f"{number(row.cameras_per_km2):>7}"
            )
    if len(report.gaps):
        print("\nWorst gaps (H3 cells, severity-weighted unseen incidents):")
        for row in report.gaps.head(TOP_GAPS).itertuples(index=False):
            # a cell outside every ward has no ward id (None or NaN): say nothing
            ward = f"ward {row.ward_id}" if isinstance(row.ward_id, str) else ""
            nearest = getattr(row, "nearest_camera_m", None)
            where = "; ".join(
                part
                for part in (
                    ward,
                    "" if nearest is None else f"nearest camera {count(nearest)} m",
                )
                if part
            )
            print(
                f"{row.rank:>2}. {row.h3}  {number(row.weighted_uncovered)} "
                f"({count(row.violent)} violent, {count(row.property)} property, "
                f"{count(row.other)} other" + (f"; {where})" if where else ")")
            )
    withheld = report.gaps.attrs.get("coverage_withheld", 0)
    if withheld:
        print(
            f"Note: the figures of {count(withheld)} gap cells are withheld (fewer "
            f"than {ds.city.min_group_size} sites or incidents, or a window shorter "
            "than a month: single homes could be tested); --audience investigator "
            "shows them."
        )
    for flag in report.flags:
        print(f"Note: {flag}")
