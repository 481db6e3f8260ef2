"""``bench load``: concurrent dashboard sessions in a real browser, page times.

python -m analytics bench load --sessions 20 --seconds 120 \\
    --db postgresql://camreg@127.0.0.1/registry --incidents incidents.csv
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from analytics.cli import EXIT_FINDINGS, EXIT_OK, CommandError


def register_load(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "load",
        help="concurrent dashboard sessions against `streamlit run`: page times",
        description="Start `streamlit run dashboard.py` on a loopback port, open "
        "N browser sessions in headless Chromium that go round every page for "
        "the given time, and report the median and 95th-percentile page times "
        "and any page that failed. Exit code 1 when a view failed.",
    )
    p.add_argument("--sessions", type=int, default=20, help="concurrent sessions")
    p.add_argument("--seconds", type=float, default=120.0, help="duration")
    p.add_argument(
        "--think", type=float, default=5.0, help="pause between views (seconds)"
    )
    p.add_argument(
        "--db",
        default=None,
        help="registry store the dashboard reads (sets CAMREG_REGISTRY_DB; "
        "default: the environment's)",
    )
    p.add_argument(
        "--incidents",
        default=None,
        help="incident file (sets CAMREG_INCIDENTS; default: the environment's)",
    )
    p.add_argument(
        "--log",
        default=None,
        help="file for the server's output (default: a temporary file, named "
        "in the report)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_load_command)


def run_load_command(args: argparse.Namespace) -> int:
    from analytics.load_bench import run_load

    env = {}
    if args.db:
        env["CAMREG_REGISTRY_DB"] = str(args.db)
    if args.incidents:
        env["CAMREG_INCIDENTS"] = str(args.incidents)
    try:
        result = run_load(
            sessions=args.sessions,
            seconds=args.seconds,
            env=env,
            think_s=args.think,
            log_path=args.log,
        )
    except (ValueError, RuntimeError) as exc:
        raise CommandError(str(exc)) from exc
    store = env.get("CAMREG_REGISTRY_DB") or os.environ.get("CAMREG_REGISTRY_DB")
    result["store"] = _without_password(store) if store else "demo data (no store)"
    if args.json:
        print(json.dumps(result))
    else:
        kinds = ", ".join(f"{n} {k}" for k, n in result["errors_by_kind"].items())
        print(
            f"{result['sessions']} sessions for {result['seconds']:g} s on "
            f"{result['store']}: {result['views']:,} page views, "
            f"{result['errors']} failed" + (f" ({kinds})" if kinds else "")
        )
        print(
            f"  machine: {result['cpus']} CPUs, load average {_load(result, 'before')}"
            f" before, {_load(result, 'after')} after"
        )
        warm = ", ".join(f"{k} {v}" for k, v in result["warmup_s"].items())
        print(f"  warm-up (one session, every page once): {warm}")
        if result["median_s"] is not None:
            print(
                f"  page time: median {result['median_s']:.2f} s, "
                f"p95 {result['p95_s']:.2f} s, max {result['max_s']:.2f} s"
            )
        for page, t in result["per_page"].items():
            print(
                f"    {page:<22} {t['views']:>4} views  median {t['median_s']:.2f} s"
                f"  p95 {t['p95_s']:.2f} s"
            )
        for sample in result["error_samples"]:
            print(f"  failed: {sample}")
        server = result["server_errors"]
        print(f"  server log {result['server_log']}: {server['lines']} error line(s)")
        for sample in server["samples"]:
            print(f"    {sample[:200]}")
    return EXIT_FINDINGS if result["errors"] else EXIT_OK


def _load(result: dict[str, Any], when: str) -> str:
    values = result.get(f"load_{when}")
    return "/".join(f"{v:.1f}" for v in values) if values else "?"


def _without_password(target: str) -> str:
    from analytics.store_db import describe

    return describe(target)
