"""``bench``: time the coverage refresh at scale against the textbook pipeline.

>>> main(["bench", "--cameras", "30000", "--incidents", "1000000"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from analytics.cli import CommandError


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "bench",
        help="benchmark the coverage refresh on synthetic data of a given size",
        description="Generate the synthetic city with N camera registrations and M "
        "incidents, then time our full coverage refresh (headline, hex grid, ward "
        "table, gap ranking; loading excluded) against a naive GeoPandas pipeline "
        "doing the same work, and the recommendation of 1,000 sites.",
    )
    p.add_argument(
        "--cameras", type=int, default=30_000, help="camera registrations (N)"
    )
    p.add_argument("--incidents", type=int, default=1_000_000, help="incidents (M)")
    p.add_argument("--seed", type=int, default=42, help="random seed of the data")
    p.add_argument(
        "--repeats", type=int, default=3, help="warm refreshes; the best is kept"
    )
    p.add_argument(
        "--no-naive", action="store_true", help="skip the naive GeoPandas pipeline"
    )
    p.add_argument(
        "--no-recommend", action="store_true", help="skip the 1,000-site recommendation"
    )
    p.add_argument(
        "--recommend-k", type=int, default=1000, help="sites to recommend (K)"
    )
    p.add_argument(
        "--validate-rows",
        type=int,
        default=0,
        metavar="N",
        help="instead: write an LRPD-layout export of N rows (e.g. 5000000) and "
        "measure `validate incidents` on it (wall and CPU time, peak memory)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--browser",
        action="store_true",
        help="also time pages in headless Chromium against `streamlit run` on the "
        "demo of this size: first visit, later visit, page switch, sidebar change",
    )
    p.add_argument(
        "--browser-only",
        action="store_true",
        help="only the page times in the browser (skip the refresh benchmark)",
    )
    p.set_defaults(func=run)
    # `bench load`: concurrent browser sessions against `streamlit run`
    from analytics.cli.bench_load import register_load

    register_load(p.add_subparsers(dest="bench_command", metavar="[load]"))


def run(args: argparse.Namespace) -> int:
    from analytics.bench import run_bench
    from analytics.config import load_city

    for flag, value in (
        ("--cameras", args.cameras),
        ("--incidents", args.incidents),
        ("--repeats", args.repeats),
        ("--recommend-k", args.recommend_k),
    ):
        if value < 1:
            raise CommandError(f"{flag} was {value} but must be a whole number >= 1")
    if args.validate_rows:
        from analytics.bench_validate import bench_validate

        if args.validate_rows < 1:
            raise CommandError(
                f"--validate-rows was {args.validate_rows} but must be >= 1"
            )
        measured = bench_validate(args.validate_rows)
        measured["synthetic"] = True
        if args.json:
            print(json.dumps(measured))
        else:
            print("validate incidents, synthetic LRPD-layout export")
            for key, value in measured.items():
                print(f"  {key:<26} {value}")
        return 0
    if args.browser_only:
        result = _browser(args)
        if args.json:
            print(json.dumps(_clean(result)))
        else:
            print_page_times(result)
        return 0
    result = run_bench(
        load_city(args.city),
        cameras=args.cameras,
        incidents=args.incidents,
        seed=args.seed,
        repeats=args.repeats,
        naive=not args.no_naive,
        recommend=not args.no_recommend,
        recommend_k=args.recommend_k,
    )
    result["synthetic"] = True
    if args.browser:
        result.update(_browser(args))
    if args.json:
        print(json.dumps(_clean(result)))
    else:
        print_table(result)
        if args.browser:
            print_page_times(result)
    return 0


def _browser(args: argparse.Namespace) -> dict[str, Any]:
    from analytics.bench_browser import page_timings

    try:
        result = page_timings(cameras=args.cameras, incidents=args.incidents)
    except RuntimeError as exc:  # no Chromium, or the server did not start
        raise CommandError(str(exc)) from exc
    result.update(
        {"registrations": args.cameras, "incidents": args.incidents, "synthetic": True}
    )
    return result


def print_page_times(r: dict[str, Any]) -> None:
    """The browser timings as a table: figures / map / done, seconds."""
    print(
        f"Pages in headless Chromium ({r['registrations']:,} registrations, "
        f"{r['incidents']:,} incidents; server up in "
        f"{r['server_start_seconds']:.1f} s; {r.get('cpus', '?')} CPUs, load "
        f"{(r.get('load_average') or [float('nan')])[0]:.1f}):"
    )
    if r.get("warmup_seconds") is not None:
        print(
            f"  (the cold server's warm-up finished {r['warmup_seconds']:.0f} s "
            "after it started; the later visits are timed after the restart)"
        )
    if r.get("later_visitors"):
        print(
            "  (later visit, page switch and rerun: the median of "
            f"{r['later_visitors']} new visitors)"
        )
    print(f"  {'':<26} {'figures':>8} {'map':>8} {'done':>8}")
    for key in (
        "cold_first_visit_seconds",
        "first_visit_seconds",
        "later_visit_seconds",
        "page_switch_seconds",
        "rerun_seconds",
        "returning_visit_seconds",
        "floor_visit_seconds",
    ):
        t = r.get(key)
        if t is None:
            continue
        cells = [
            "" if t.get(name) is None else f"{t[name]:8.2f}"
            for name in ("figures", "map", "done")
        ]
        print(f"  {key:<26} {cells[0]:>8} {cells[1]:>8} {cells[2]:>8}")
    switches = r.get("page_switches") or {}
    if switches:
        print("  page switches through the menu (done, seconds):")
        for title, seconds in switches.items():
            print(f"    {title:<28} {seconds:6.2f}")


def _clean(value: object) -> object:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _s(value: float | None) -> str:
    return "skipped" if value is None else f"{value:8.2f} s"


def print_table(r: dict[str, Any]) -> None:
    print(
        f"Synthetic benchmark: {r['registrations']:,} registrations "
        f"({r['cameras']:,} cameras at {r['sites']:,} active sites), "
        f"{r['incidents']:,} incidents; {r['cpus']} CPUs, load "
        f"{r['load_average'][0]:.1f}"
    )
    rows = [
        ("our refresh, warm (best)", _s(r["refresh_seconds"])),
        ("our refresh, cold", _s(r["refresh_cold_seconds"])),
        ("our refresh, CPU time", _s(r["refresh_cpu_seconds"])),
        ("naive GeoPandas pipeline", _s(r["naive_refresh_seconds"])),
        (
            "speedup (naive / warm)",
            "skipped" if r["speedup"] is None else f"{r['speedup']:8.1f} x",
        ),
        (
            f"recommend {r['recommend_k']:,} sites",
            _s(r["recommend_seconds"]),
        ),
        ("map build", _s(r.get("map_seconds"))),
        (
            "map HTML size",
            "n/a"
            if r.get("map_html_bytes") is None
            else f"{r['map_html_bytes'] / 1e6:8.2f} MB",
        ),
        (
            "canvass query (index built)",
            "n/a" if r.get("canvass_ms") is None else f"{r['canvass_ms']:8.1f} ms",
        ),
        ("peak memory", f"{r['peak_memory_mb']:8.0f} MB"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print("  stages of the best warm refresh (wall / CPU seconds):")
    for name, seconds in r["stages"].items():
        cpu = r["stages_cpu"].get(name, float("nan"))
        print(f"    {name:<{width - 2}}  {seconds:8.3f} / {cpu:.3f}")
    if r["agreement"]:
        print("  ours vs naive:")
        for key, pair in r["agreement"].items():
            print(f"    {key:<34} {pair['ours']:.4f} vs {pair['naive']:.4f}")
    print(f"  cached: {r['cached']}")
