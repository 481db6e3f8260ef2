"""``forecast``: is the registry on course for its goal, and when will it get there?

>>> main(["forecast", "--target-date", "2030-12-31", "--json"])  # doctest: +SKIP

Exit codes: 0 a forecast was made; 1 the history is too short for a forecast
(the pace figures are still printed); 2 unusable input (bad date, bad file).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pandas as pd

from analytics.cli import EXIT_FINDINGS, EXIT_OK, CommandError, print_fixes
from analytics.config import CityConfig, load_city
from analytics.forecast import (
    DEFAULT_HORIZON_MONTHS,
    MODELS,
    ForecastResult,
    forecast_goal,
)


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "forecast",
        help="progress to the camera goal: pace, required pace, projected date",
        description="Cameras registered today against the city's goal, the current "
        "monthly pace, the pace a target date needs, and the projected date of "
        "reaching the goal with an 80% interval. Uses the synthetic demo unless a "
        "camera file is given or configured; the data's own date is 'today'.",
    )
    p.add_argument("--cameras", help="camera registry file (CSV/GeoJSON/Parquet)")
    p.add_argument(
        "--incidents",
        help="incident file (not needed for the forecast; accepted so the same "
        "files work for every command)",
    )
    p.add_argument(
        "--target-date",
        metavar="YYYY-MM-DD",
        help="date by which the goal should be reached (for the required pace)",
    )
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="treat this day as 'today' (default: the data's newest date)",
    )
    p.add_argument(
        "--horizon-months",
        type=int,
        default=DEFAULT_HORIZON_MONTHS,
        help=f"how far ahead to project (default {DEFAULT_HORIZON_MONTHS} months)",
    )
    p.add_argument(
        "--model",
        choices=MODELS,
        default=None,
        help="force a model (default: the one with the lower backtest error)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target = parse_date(args.target_date, "--target-date")
    as_of_arg = parse_date(args.as_of, "--as-of")
    if args.horizon_months < 1:
        raise CommandError(
            f"--horizon-months was {args.horizon_months} but must be at least 1"
        )
    city = load_city(args.city)
    cameras, as_of, label, synthetic = load_cameras(args, city)
    as_of = as_of_arg or as_of
    try:
        result = forecast_goal(
            cameras,
            city,
            as_of=as_of,
            target_date=target,
            horizon_months=args.horizon_months,
            model=args.model,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        out = result.to_dict()
        out.update(synthetic=synthetic, data_label=label)
        print(json.dumps(out, allow_nan=False))
    else:
        print_summary(result, label, synthetic)
    return EXIT_FINDINGS if result.status in ("too_short", "undated") else EXIT_OK


def parse_date(text: str | None, option: str) -> date | None:
    """``YYYY-MM-DD`` or a CommandError naming the option and the bad value."""
    if text is None:
        return None
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise CommandError(
            f"{option} was {text!r} but is expected to be a date as YYYY-MM-DD"
        ) from exc


def load_cameras(
    args: argparse.Namespace, city: CityConfig
) -> tuple[pd.DataFrame, date | None, str, bool]:
    """(cameras, as_of, label, synthetic) from the files given or configured.

    The forecast needs no incidents, so a camera file on its own is loaded
    directly; ``load_dataset`` refuses real cameras next to synthetic incidents
    because coverage figures would mix the two.
    """
    from analytics.datasets import load_dataset

    try:
        no_incidents = not (args.incidents or city.data_path("incidents"))
        camera_file = args.cameras or city.data_path("cameras")
        if no_incidents and not camera_file and city.data_path("registry_db"):
            return _store_cameras(city)  # the registry store on its own
        if camera_file and no_incidents:
            from analytics.loaders import load_cameras as load_file

            result = load_file(camera_file, city)
            print_fixes([*result.notes, *result.warnings])
            # demo files loaded back keep their marker: the output says synthetic
            return (
                result.accepted,
                None,
                Path(camera_file).name,
                result.synthetic,
            )
        ds = load_dataset(city, cameras=args.cameras, incidents=args.incidents)
    except (ValueError, OSError) as exc:  # LoadError is a ValueError
        raise CommandError(str(exc)) from exc
    print_fixes(ds.load_fixes)
    return ds.cameras, ds.as_of, ds.label, ds.synthetic


def _store_cameras(city: CityConfig) -> tuple[pd.DataFrame, date | None, str, bool]:
    """(cameras, as_of, label, synthetic) of the configured registry store."""
    from analytics.schema import SYNTHETIC_VALUE
    from analytics.store import RegistryStore, configured_store

    target = configured_store(city)
    assert target is not None  # only called with a registry store configured
    store = RegistryStore(target)
    cams = store.cameras()
    # the demo's registrations keep their "synthetic" source in the store
    synthetic = bool(len(cams)) and bool(
        (cams["source"].astype("str").str.lower() == SYNTHETIC_VALUE).any()
    )
    return cams, None, f"registry {Path(store.location).name}", synthetic


def print_summary(result: ForecastResult, label: str, synthetic: bool) -> None:
    from analytics.figures import goal_sentence, program_texts
    from analytics.figures import label as name

    tag = " (synthetic)" if synthetic else ""
    texts = program_texts(result)
    print(f"Goal progress, data: {label}{tag}, as of {result.as_of:%d %b %Y}")
    print("  the whole registry: no filter or incident window applies to the goal")

    def line(key: str, text: str) -> None:
        print(f"  {name(key) + ':':<31}{text}")

    line(
        "active_cameras",
        f"{texts['active_cameras']} at {texts['active_sites']} sites "
        f"({texts['integrated_cameras']} integrated)",
    )
    line("goal_share", f"{texts['goal_share']} of {texts['goal']}")
    line("cameras_to_go", texts["cameras_to_go"])
    if result.status == "undated":
        # a stock of unknown date: no launch stock, months or pace to report
        print(f"  {'Registration dates:':<31}none in the file")
    else:
        print(
            f"  {'Launch stock:':<31}{result.stock_at_launch:,} cameras before "
            f"{result.launch_date:%d %b %Y}; {result.months_since_launch} full "
            "months since"
        )
    if result.current_monthly_pace is not None:
        line(
            "current_pace",
            f"{texts['current_pace']} (net, mean of the last {result.pace_months} "
            "full months)",
        )
    if result.months_to_goal_at_pace is not None:
        line("years_at_pace", texts["years_at_pace"])
    line("projected_goal_date", texts["projected_goal_date"])
    if result.required_monthly_pace is not None:
        line(
            "required_pace",
            f"{texts['required_pace']} to reach the goal by "
            f"{result.target_date:%d %b %Y} (gap {result.pace_gap:+,.0f} a month)",
        )
    if result.model:
        print(
            f"  {'Model:':<31}{result.model} (backtest mean absolute error "
            f"{result.backtest_error:,.0f} cameras over {result.backtest_months} "
            "held-out months)"
        )
    print(f"  {goal_sentence(result)}")
    for note in result.notes:
        print(f"  note: {note}")
