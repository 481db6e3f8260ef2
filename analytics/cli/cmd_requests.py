"""``requests``: footage requests under a case number, their outcomes and figures.

python -m analytics requests add --case 2026-001234 --camera CAM-000042 --user smith
python -m analytics requests update 17 --status provided --useful yes
python -m analytics requests list --case 2026-001234 --json
python -m analytics requests stats --since 2026-01-01 --until 2026-06-30 --json
python -m analytics requests stale --months 12 --out calls.csv
python -m analytics requests expire --days 14
python -m analytics requests outcome --case 2026-001234 --cleared yes

Requests still unanswered after the city's ``[footage] no_answer_days`` are closed
as "no answer" (audited) before ``list``, ``stats`` and ``stale`` read them, and by
``expire`` (for a nightly job).

Requests live in the registry store (``--db`` or the configured store); every
change is written to its audit log. Rows name cameras and cases, so this command
is for investigators and the data steward; ``stats`` prints aggregates only.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.cli import EXIT_OK, CommandError, print_fixes
from analytics.cli.store_options import open_store as _store
from analytics.cli.store_options import user_of as _user
from analytics.config import CityConfig, load_city
from analytics.figures import label, request_texts
from analytics.footage import (
    DEFAULT_NO_ANSWER_DAYS,
    DEFAULT_STALE_MONTHS,
    DEFAULT_UNANSWERED_K,
    FINAL_STATUSES,
    RequestError,
    request_stats,
    stale_queue,
)
from analytics.footage_store import FootageStore
from analytics.footage_view import (
    dataset_requests_view,
    integration_cost_per_year,
    load_history,
)
from analytics.formatting import count
from analytics.loaders import load_incidents
from analytics.safe_output import to_safe_csv

STATUS_ARGS = {s.replace("_", "-"): s for s in FINAL_STATUSES}
LIST_COLUMNS = (
    "request_id",
    "case_id",
    "camera_id",
    "kind",
    "status",
    "requested_at",
    "status_at",
    "useful",
    "requested_by",
)


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=None, metavar="PATH", help="registry store")
    p = subparsers.add_parser(
        "requests",
        help="footage requests and outcomes (add, update, list, stats, stale, "
        "expire, outcome)",
        description="Footage requests under a case number: who was asked, what "
        "came back, whether it helped. Kept in the registry store with an audit "
        "entry for every change.",
    )
    sub = p.add_subparsers(dest="requests_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", parents=[common], help="request footage")
    add.add_argument("--case", required=True, help="case number")
    add.add_argument(
        "--camera", action="append", required=True, metavar="ID", help="camera id"
    )
    add.add_argument("--kind", choices=("ask_owner", "viewed_live", "clip_saved"))
    add.add_argument("--incident", help="incident id the footage is for")
    add.add_argument("--incident-at", help="when the incident happened (ISO)")
    add.add_argument("--user", help="who asks (default: $USER)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=run_add)

    upd = sub.add_parser("update", parents=[common], help="record an answer")
    upd.add_argument("request_id", type=int)
    upd.add_argument("--status", choices=tuple(STATUS_ARGS))
    upd.add_argument("--useful", choices=("yes", "no", "unknown"))
    upd.add_argument("--reason", help="why (required to correct a final status)")
    upd.add_argument("--user", help="who records it (default: $USER)")
    upd.add_argument("--json", action="store_true")
    upd.set_defaults(func=run_update)

    lst = sub.add_parser("list", parents=[common], help="list requests")
    lst.add_argument("--case", help="only this case")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=run_list)

    sts = sub.add_parser("stats", parents=[common], help="program figures")
    sts.add_argument("--since", type=date.fromisoformat, help="first day (ISO)")
    sts.add_argument("--until", type=date.fromisoformat, help="last day (ISO)")
    sts.add_argument(
        "--incidents", help="incident file, for the share of violent incidents"
    )
    sts.add_argument(
        "--demo",
        action="store_true",
        help="the synthetic demo's made-up history, as the dashboard shows it "
        "(default window: the 12 months ending on the newest incident)",
    )
    sts.add_argument("--json", action="store_true")
    sts.set_defaults(func=run_stats)

    exp = sub.add_parser(
        "expire", parents=[common], help="close requests past their answer window"
    )
    exp.add_argument(
        "--days",
        type=int,
        default=None,
        help="days an owner has to answer (default: the city's [footage] "
        f"no_answer_days, else {DEFAULT_NO_ANSWER_DAYS})",
    )
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(func=run_expire)

    out = sub.add_parser(
        "outcome", parents=[common], help="record whether a case was cleared"
    )
    out.add_argument("--case", required=True, help="case number")
    out.add_argument("--cleared", required=True, choices=("yes", "no"))
    out.add_argument(
        "--on", type=date.fromisoformat, help="day it was cleared (ISO; default today)"
    )
    out.add_argument("--user", help="who records it (default: $USER)")
    out.add_argument("--json", action="store_true")
    out.set_defaults(func=run_outcome)

    add_stale_parser(sub, [common])


def add_stale_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """``stale``: under ``requests`` and, for the data steward, ``registry``."""
    stale = sub.add_parser(
        "stale", parents=parents, help="cameras to verify again (call list)"
    )
    stale.add_argument(
        "--months",
        type=int,
        default=None,
        help="months without verification (default: the city's "
        f"[footage] stale_months, else {DEFAULT_STALE_MONTHS})",
    )
    stale.add_argument("--out", help="write the call list as CSV")
    stale.add_argument("--user", help="who takes the call list (default: $USER)")
    stale.add_argument("--json", action="store_true")
    stale.set_defaults(func=run_stale)


def run_add(args: argparse.Namespace) -> int:
    incident_at = None
    if args.incident_at:
        try:
            incident_at = datetime.fromisoformat(args.incident_at)
        except ValueError as exc:
            raise CommandError(
                f"--incident-at was {args.incident_at!r} but is expected to be an "
                "ISO date and time, e.g. 2026-03-01T21:30"
            ) from exc
    footage = _footage(args)
    try:
        ids = footage.add(
            args.case,
            args.camera,
            user=_user(args),
            kind=args.kind,
            incident_id=args.incident,
            incident_at=incident_at,
        )
    except RequestError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps({"case": args.case, "request_ids": ids}))
    else:
        print(f"Case {args.case}: {len(ids)} request(s) created: {ids}")
    return EXIT_OK


def run_update(args: argparse.Namespace) -> int:
    footage = _footage(args)
    status = STATUS_ARGS[args.status] if args.status else None
    try:
        result = footage.update(
            args.request_id,
            status=status,
            useful=args.useful,
            reason=args.reason,
            user=_user(args),
        )
    except RequestError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Request {result['request_id']}: {result['from']} -> {result['status']}")
    return EXIT_OK


def run_expire(args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else load_city(args.city).no_answer_days
    if days < 1:
        raise CommandError(f"--days was {days} but must be at least 1")
    closed = FootageStore(_store(args)).expire(days=days)
    if args.json:
        print(json.dumps({"days": days, "closed": closed}))
    else:
        print(
            f"{len(closed)} request(s) unanswered after {days} days closed as "
            f"no answer{': ' + ', '.join(map(str, closed)) if closed else ''}"
        )
    return EXIT_OK


def run_outcome(args: argparse.Namespace) -> int:
    footage = FootageStore(_store(args))
    cleared = args.cleared == "yes"
    if args.on is not None and not cleared:
        raise CommandError("--on is the day a case was cleared: give --cleared yes")
    if footage.requests(args.case).empty:
        raise CommandError(
            f"case {args.case!r} has no footage request: outcomes are recorded for "
            "cases the registry was asked to help with"
        )
    try:
        footage.set_outcome(args.case, cleared=cleared, user=_user(args), on=args.on)
    except RequestError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps({"case": args.case, "cleared": cleared}))
    else:
        print(f"Case {args.case}: {'cleared' if cleared else 'not cleared'}")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    frame = _footage(args, expire=True).requests(args.case)
    if args.json:
        print(json.dumps(_json_rows(frame[list(LIST_COLUMNS)]), default=str))
        return EXIT_OK
    if frame.empty:
        print("No footage requests" + (f" for case {args.case}" if args.case else ""))
        return EXIT_OK
    print(frame[list(LIST_COLUMNS)].to_string(index=False))
    return EXIT_OK


def run_stats(args: argparse.Namespace) -> int:
    city = load_city(args.city)
    if args.demo:
        return _demo_stats(args, city)
    store = _store(args, city)
    footage = FootageStore(store)
    footage.expire(days=city.no_answer_days)
    cameras = store.cameras()
    requests = footage.requests()
    today = date.today()
    stale = stale_queue(
        cameras,
        requests,
        today,
        months=city.stale_months,
        unanswered_k=DEFAULT_UNANSWERED_K,
    )
    incidents = None
    if args.incidents:
        try:
            loaded = load_incidents(args.incidents, city)
        except (ValueError, OSError) as exc:
            raise CommandError(f"--incidents {args.incidents!r}: {exc}") from exc
        print_fixes(loaded.warnings)
        incidents = loaded.accepted
    stats = request_stats(
        requests,
        cameras,
        incidents=incidents,
        cases=footage.cases(),
        since=args.since,
        until=args.until,
        # the same yearly fee estimate as the page (a window is needed to prorate)
        device_cost_usd_per_year=integration_cost_per_year(cameras, city.devices),
        stale_cameras=len(stale),
    )
    if not stats.requests and requests.empty and not args.db:
        print(
            f"note: no footage request is recorded in {store.location}; the "
            "dashboard's synthetic demo figures: requests stats --demo",
            file=sys.stderr,
        )
    _print_stats(args, stats)
    return EXIT_OK


def _demo_stats(args: argparse.Namespace, city: CityConfig) -> int:
    """``stats --demo``: the figures the dashboard shows on the synthetic demo."""
    from analytics.datasets import load_dataset
    from analytics.schema import SYNTHETIC_LABEL
    from analytics.windows import default_window

    if args.db:
        raise CommandError("--demo reads the synthetic demo, not a store: drop --db")
    dataset = load_dataset(city)
    if not dataset.synthetic:
        raise CommandError(
            "--demo needs the synthetic demo, but real data is configured "
            "(CAMREG_CAMERAS, CAMREG_INCIDENTS or the city file)"
        )
    window = default_window(dataset.incidents, dataset.as_of)
    args.since = args.since or window.since
    args.until = args.until or window.until
    history = load_history(dataset)
    assert history is not None  # the demo always has one
    view = dataset_requests_view(
        history,
        dataset,
        role="staff",  # figures and group tables: no rows
        since=args.since,
        until=args.until,
    )
    if not args.json:
        print(f"data: {SYNTHETIC_LABEL} (made-up requests and answers)")
    _print_stats(args, view.stats, extra={"synthetic": True})
    return EXIT_OK


def _print_stats(
    args: argparse.Namespace, stats: Any, extra: dict[str, Any] | None = None
) -> None:
    out = {**stats.to_dict(), **(extra or {})}
    if args.json:
        print(json.dumps(out, default=str))
        return
    window = f"{args.since or 'start'} to {args.until or 'today'}"
    print(f"Footage requests, {window}:")
    for key, text in request_texts(stats).items():
        print(f"  {label(key)}: {text}")
    print(f"  Violent incidents in the window: {count(stats.violent_incidents)}")
    print(f"  Cases with a request: {count(stats.cases)}")
    print(f"  Cases cleared: {count(stats.cases_cleared)}")


def run_stale(args: argparse.Namespace) -> int:
    city = load_city(args.city)
    if args.months is None:
        args.months = city.stale_months
    if args.months < 1:
        raise CommandError(f"--months was {args.months} but must be at least 1")
    store = _store(args)
    footage = FootageStore(store)
    footage.expire(days=city.no_answer_days)  # silence counts in the queue
    cameras = store.cameras()
    queue = stale_queue(cameras, footage.requests(), date.today(), months=args.months)
    if args.out:
        contacts = cameras.set_index("camera_id")[
            ["owner_name", "contact_phone", "contact_email", "address"]
        ]
        calls = queue.join(contacts, on="camera_id")
        Path(args.out).write_bytes(to_safe_csv(calls))
        store.log_event(
            "stale_call_list",
            user=_user(args),
            details={"cameras": len(calls), "out": str(args.out)},
        )
        print(f"Wrote {len(calls)} cameras to verify again to {args.out}")
        return EXIT_OK
    if args.json:
        print(json.dumps(_json_rows(queue), default=str))
    else:
        print(f"{len(queue)} active cameras to verify again ({args.months} months):")
        if not queue.empty:
            print(queue.to_string(index=False))
    return EXIT_OK


def _footage(args: argparse.Namespace, *, expire: bool = False) -> FootageStore:
    """The store's requests; ``expire`` closes those past their answer window."""
    footage = FootageStore(_store(args))
    if expire:
        footage.expire(days=load_city(args.city).no_answer_days)
    return footage


def _json_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


__all__ = ["DEFAULT_NO_ANSWER_DAYS", "add_stale_parser", "register", "run_stale"]
