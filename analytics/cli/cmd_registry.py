"""``registry``: import exports into the registry store, withdraw, read the audit log.

python -m analytics registry import export.csv
python -m analytics registry withdraw CAM-000042 --reason "owner asked by phone"
python -m analytics registry history CAM-000042
python -m analytics registry log --action canvass
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.cli import EXIT_FINDINGS, EXIT_OK, CommandError
from analytics.config import CityConfig, load_city
from analytics.schema import SYNTHETIC_LABEL
from analytics.store import RegistryStore, StoreError, default_store_path

DEFAULT_USER = "cli"
HISTORY_COLUMNS = (
    ("recorded_at", "when (UTC)"),
    ("action", "action"),
    ("user", "by"),
    ("source", "import"),
    ("reason", "why"),
    ("summary", "what changed"),
)
LOG_COLUMNS = (
    ("event_id", "#"),
    ("recorded_at", "when (UTC)"),
    ("action", "action"),
    ("camera_id", "camera"),
    ("user", "by"),
    ("reason", "why"),
    ("what", "what"),
)
MAX_CELL = 60  # table cells longer than this are cut in the terminal (not in --json)


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    # history and log only read: they take --db but not --user
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help="registry database (default: $CAMREG_REGISTRY_DB, the city's "
        "[data].registry_db, or data/registry.sqlite); created on first use",
    )
    common = argparse.ArgumentParser(add_help=False, parents=[reading])
    common.add_argument(
        "--user",
        default=None,
        help=f"who is making the change (default: $USER or {DEFAULT_USER!r})",
    )
    p = subparsers.add_parser(
        "registry",
        help="manage the camera registry store (import, withdraw, history, log)",
        description="The registry store: an SQLite database of camera "
        "registrations with an append-only audit log of every change.",
    )
    sub = p.add_subparsers(dest="registry_command", metavar="ACTION", required=True)

    imp = sub.add_parser(
        "import",
        parents=[common],
        help="validate a registry export and upsert it by camera_id",
        description="Validate FILE (csv, geojson, gpkg, parquet ...), quarantine bad "
        "rows, then insert or update the accepted rows by camera_id in one "
        "transaction. Cameras whose owners withdrew consent stay withdrawn. Exit "
        "code 1 when rows were quarantined or withdrawn cameras were kept.",
    )
    imp.add_argument("file", help="registry export to import")
    imp.add_argument("--reason", default="", help="why (recorded in the audit log)")
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    imp.set_defaults(func=run_import)

    wd = sub.add_parser(
        "withdraw",
        parents=[common],
        help="record that an owner withdrew consent for a camera",
        description="Mark CAMERA_ID withdrawn: kept for the record, excluded from "
        "analytics and canvass lists. Only the owner registering again reactivates "
        "it (registry reactivate).",
    )
    wd.add_argument("camera_id", metavar="CAMERA_ID")
    wd.add_argument("--reason", required=True, help="why (required)")
    wd.add_argument(
        "--date",
        default=None,
        metavar="YYYY-MM-DD",
        help="date consent was withdrawn (default: today, UTC)",
    )
    wd.set_defaults(func=run_withdraw)

    react = sub.add_parser(
        "reactivate",
        parents=[common],
        help="reactivate a withdrawn camera after its owner registered again",
    )
    react.add_argument("camera_id", metavar="CAMERA_ID")
    react.add_argument("--reason", required=True, help="why (required)")
    react.set_defaults(func=run_reactivate)

    hist = sub.add_parser(
        "history",
        parents=[reading],
        help="every recorded change to one camera, oldest first",
    )
    hist.add_argument("camera_id", metavar="CAMERA_ID")
    hist.add_argument("--json", action="store_true", help="print JSON records")
    hist.set_defaults(func=run_history)

    log = sub.add_parser(
        "log",
        parents=[reading],
        help="the audit log, newest first (imports, withdrawals, canvass lists)",
    )
    log.add_argument(
        "--action",
        action="append",
        default=None,
        help="only these actions (repeatable), e.g. import, withdraw, canvass",
    )
    log.add_argument("--limit", type=int, default=50, help="newest N rows (50)")
    log.add_argument("--json", action="store_true", help="print JSON records")
    log.set_defaults(func=run_log)
    # `registry stale`: the same command as `requests stale` (issue 15)
    from analytics.cli.cmd_requests import add_stale_parser  # imports this module

    add_stale_parser(sub, [reading])


# --- commands ----------------------------------------------------------------------
def run_import(args: argparse.Namespace) -> int:
    from analytics.loaders import LoadError

    path = Path(args.file).expanduser()
    if not path.is_file():
        raise CommandError(f"{args.file}: no such file")
    city = load_city(args.city)
    store = _store(args, city)
    try:
        result, summary = store.import_file(
            path, city, user=_user(args), reason=args.reason
        )
    except LoadError as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    except (StoreError, sqlite3.Error) as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    validation = result.summary()
    if args.json:
        print(
            json.dumps(
                {
                    "store": str(store.path),
                    "validation": validation,
                    "import": summary.as_dict(),
                },
                default=str,
            )
        )
    else:
        print(f"Validation of {path.name}:")
        if validation.get("synthetic"):
            print(
                f"  {SYNTHETIC_LABEL}: the file is marked synthetic; the store will "
                "show these cameras as synthetic"
            )
        print(f"  rows read    {validation['rows_read']:,}")
        print(f"  accepted     {validation['accepted']:,}")
        print(f"  quarantined  {validation['quarantined']:,}")
        for reason, n in validation["reasons"].items():
            print(f"    {n:>8,}  {reason}")
        print(f"Store {store.path}:")
        for line in summary.lines():
            print(f"  {line}")
    if validation["quarantined"] or summary.kept_withdrawn:
        return EXIT_FINDINGS
    return EXIT_OK


def run_withdraw(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        event = store.withdraw(
            args.camera_id, reason=args.reason, user=_user(args), at=args.date
        )
    except (StoreError, sqlite3.Error) as exc:
        raise CommandError(str(exc)) from exc
    print(
        f"camera {args.camera_id} withdrawn"
        + (f" as of {args.date}" if args.date else "")
        + f" (audit event #{event}, store {store.path})"
    )
    return EXIT_OK


def run_reactivate(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        event = store.reactivate(args.camera_id, reason=args.reason, user=_user(args))
    except (StoreError, sqlite3.Error) as exc:
        raise CommandError(str(exc)) from exc
    print(f"camera {args.camera_id} active again (audit event #{event})")
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    store = _store(args)
    history = store.history(args.camera_id)
    if history.empty and not store.has_camera(args.camera_id):
        raise CommandError(
            f"camera {args.camera_id!r} is not in the registry {store.path}"
        )
    if args.json:
        print(json.dumps(_records(history), default=str))
    else:
        print(f"History of camera {args.camera_id} ({len(history)} events):")
        print(format_table(history, HISTORY_COLUMNS))
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise CommandError(f"--limit was {args.limit} but must be >= 0")
    store = _store(args)
    log = store.audit_log(action=args.action, limit=args.limit)
    if args.json:
        print(json.dumps(_records(log), default=str))
    else:
        # camera events say what changed; other events (imports, canvass) details
        log["what"] = log["summary"].where(log["summary"] != "", log["details"])
        print(f"Audit log of {store.path} (newest first, {len(log)} rows):")
        print(format_table(log, LOG_COLUMNS))
    return EXIT_OK


# --- helpers -----------------------------------------------------------------------
def _user(args: argparse.Namespace) -> str:
    return args.user or os.environ.get("USER", "").strip() or DEFAULT_USER


def _store(args: argparse.Namespace, city: CityConfig | None = None) -> RegistryStore:
    if args.db:
        path = Path(args.db).expanduser()
    else:
        path = default_store_path(city or load_city(args.city))
    try:
        return RegistryStore(path)
    except (StoreError, sqlite3.Error, OSError) as exc:
        where = f"registry store {str(path)!r}"
        # StoreError already names the store; say it once
        message = str(exc) if where in str(exc) else f"{where}: {exc}"
        raise CommandError(message) from exc


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.drop(columns=["summary"], errors="ignore").to_dict("records"):
        for key in ("changes", "details"):
            row[key] = json.loads(row[key]) if isinstance(row.get(key), str) else None
        out.append({k: (None if _is_na(v) else v) for k, v in row.items()})
    return out


def _is_na(value: object) -> bool:
    return not isinstance(value, dict | list) and bool(pd.isna(value))


def format_table(frame: pd.DataFrame, columns: tuple[tuple[str, str], ...]) -> str:
    """Plain-text table, aligned; cells but the last are cut at MAX_CELL."""
    headers = [title for _, title in columns]
    last = len(columns) - 1
    rows = [
        [_cell(row.get(name), cut=i < last) for i, (name, _) in enumerate(columns)]
        for row in frame.to_dict("records")
    ]
    if not rows:
        return "  (no rows)"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    widths[-1] = min(widths[-1], MAX_CELL)  # for the rule; the cells run on
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    ]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    )
    return "\n".join(lines)


def _cell(value: object, *, cut: bool = True) -> str:
    if value is None or _is_na(value):
        return ""
    text = " ".join(str(value).split())  # one line per row, whatever the data holds
    if not cut or len(text) <= MAX_CELL:
        return text
    return text[: MAX_CELL - 3] + "..."
