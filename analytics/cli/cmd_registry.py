"""``registry``: create the store, import exports, withdraw, audit, check, export.

python -m analytics registry init --db data/registry.sqlite
python -m analytics registry import export.csv --dry-run
python -m analytics registry import export.csv
python -m analytics registry withdraw CAM-000042 --reason "owner asked by phone"
python -m analytics registry history CAM-000042
python -m analytics registry log --action canvass
python -m analytics registry check
python -m analytics registry export --out backup.gpkg --role admin

``--db`` (or ``$CAMREG_REGISTRY_DB``) is an SQLite file path or a
``postgresql://user@host/database`` URL.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.audit_text import describe_audit
from analytics.cli import EXIT_FINDINGS, EXIT_OK, CommandError, print_fixes
from analytics.cli.store_options import open_store, store_target, user_of
from analytics.config import load_city
from analytics.import_plan import ImportPlan
from analytics.schema import SYNTHETIC_LABEL
from analytics.store import (
    EXPORT_ROLES,
    RegistryStore,
    StoreError,
)

DEFAULT_USER = "cli"
# the command line reads the store directly (the steward's tool): it words the
# whole entry, as --json prints it whole
CLI_AUDIENCE = "investigator"
HISTORY_COLUMNS = (
    ("recorded_at", "when (UTC)"),
    ("action", "action"),
    ("user", "by"),
    ("source", "import"),
    ("reason", "why"),
    ("what", "what changed"),
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
        help="registry store: an SQLite file or a postgresql:// URL (default: "
        "$CAMREG_REGISTRY_DB, the city's [data].registry_db, or "
        "data/registry.sqlite); create a new one with `registry init`",
    )
    common = argparse.ArgumentParser(add_help=False, parents=[reading])
    common.add_argument(
        "--user",
        default=None,
        help=f"who is making the change (default: $USER or {DEFAULT_USER!r})",
    )
    p = subparsers.add_parser(
        "registry",
        help="manage the camera registry store (init, import, withdraw, history, "
        "log, check, export)",
        description="The registry store: an SQLite file or a PostgreSQL/PostGIS "
        "database of camera registrations with an append-only audit log of "
        "every change.",
    )
    sub = p.add_subparsers(dest="registry_command", metavar="ACTION", required=True)

    init = sub.add_parser(
        "init",
        parents=[reading],
        help="create a new, empty registry store (or upgrade an existing one)",
        description="Create the registry store named by --db (an SQLite file, "
        "with its folder, or the tables in an existing PostgreSQL database). "
        "Other commands never create a store, so a mistyped path is an error.",
    )
    init.set_defaults(func=run_init)

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
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the import would change (new, updated, withdrawn, kept "
        "withdrawn) without writing anything",
    )
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

    check = sub.add_parser(
        "check",
        parents=[reading],
        help="integrity check: the audit log replays to the stored cameras",
        description="Replay every camera event of the audit log and compare the "
        "result with the stored cameras, field by field. Exit code 1 and one "
        "line per problem when they disagree.",
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=run_check)

    export = sub.add_parser(
        "export",
        parents=[reading],
        help="write the registry to a GeoPackage or CSV file, redacted per role",
        description="Write the store to --out (.gpkg or .csv). --role admin is a "
        "full backup (withdrawn registrations and owner contacts included); "
        "other roles get the active cameras as that role may see them.",
    )
    export.add_argument("--out", required=True, metavar="FILE", help=".gpkg or .csv")
    export.add_argument(
        "--role",
        required=True,
        choices=EXPORT_ROLES,
        help="who the file is for; decides what is redacted",
    )
    export.set_defaults(func=run_export)


# --- commands ----------------------------------------------------------------------
def run_init(args: argparse.Namespace) -> int:
    target = store_target(args)
    try:
        store = RegistryStore.init(target)
    except (StoreError, OSError) as exc:
        raise CommandError(f"registry store {str(target)!r}: {exc}") from exc
    counts = store.counts()
    print(
        f"registry store ready: {store.location} ({store.backend}; "
        f"{counts['active']:,} active, {counts['withdrawn']:,} withdrawn)"
    )
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from analytics.loaders import LoadError, load_cameras

    path = Path(args.file).expanduser()
    if not path.is_file():
        raise CommandError(f"{args.file}: no such file")
    city = load_city(args.city)
    store = open_store(args, city)
    try:
        result = load_cameras(path, city, for_store=True)
        if args.dry_run:
            plan = store.plan_import(result.accepted)
        else:
            summary = store.import_cameras(
                result.accepted,
                source=path.name,
                user=user_of(args),
                reason=args.reason,
            )
    except LoadError as exc:
        raise CommandError(str(exc)) from exc  # it names the file already
    except StoreError as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    print_fixes([*result.notes, *result.warnings])
    validation = result.summary()
    if args.dry_run:
        return _print_plan(args, store, path, validation, plan)
    if args.json:
        print(
            json.dumps(
                {
                    "store": store.location,
                    "validation": validation,
                    "import": summary.as_dict(),
                },
                default=str,
            )
        )
    else:
        _print_validation(path, validation)
        print(f"Store {store.location}:")
        for line in summary.lines():
            print(f"  {line}")
    if validation["quarantined"] or summary.kept_withdrawn:
        return EXIT_FINDINGS
    return EXIT_OK


def _print_validation(path: Path, validation: dict[str, Any]) -> None:
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


def _print_plan(
    args: argparse.Namespace,
    store: RegistryStore,
    path: Path,
    validation: dict[str, Any],
    plan: ImportPlan,
) -> int:
    counts = plan.counts()
    if args.json:
        print(
            json.dumps(
                {
                    "store": store.location,
                    "validation": validation,
                    "plan": counts,
                    "digest": plan.digest(),
                    "kept_withdrawn": list(plan.kept_withdrawn),
                    "fields_changed": plan.fields_changed,
                }
            )
        )
    else:
        _print_validation(path, validation)
        print(f"Dry run against {store.location} (nothing written):")
        print(f"  new          {counts['inserted']:,}")
        print(f"  updated      {counts['updated']:,}")
        print(f"  withdrawn    {counts['withdrawn']:,}")
        print(f"  unchanged    {counts['unchanged']:,}")
        print(f"  kept withdrawn {counts['kept_withdrawn']:,}")
        if plan.fields_changed:
            changed = ", ".join(f"{k} {v:,}" for k, v in plan.fields_changed.items())
            print(f"  fields updated: {changed}")
    if validation["quarantined"] or plan.kept_withdrawn:
        return EXIT_FINDINGS
    return EXIT_OK


def run_withdraw(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        event = store.withdraw(
            args.camera_id, reason=args.reason, user=user_of(args), at=args.date
        )
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    print(
        f"camera {args.camera_id} withdrawn"
        + (f" as of {args.date}" if args.date else "")
        + f" (audit event #{event}, store {store.location})"
    )
    return EXIT_OK


def run_reactivate(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        event = store.reactivate(args.camera_id, reason=args.reason, user=user_of(args))
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    print(f"camera {args.camera_id} active again (audit event #{event})")
    return EXIT_OK


def run_history(args: argparse.Namespace) -> int:
    store = open_store(args)
    history = store.history(args.camera_id)
    if history.empty and not store.has_camera(args.camera_id):
        raise CommandError(
            f"camera {args.camera_id!r} is not in the registry {store.location}"
        )
    if args.json:
        print(json.dumps(_records(history), default=str))
    else:
        print(f"History of camera {args.camera_id} ({len(history)} events):")
        print(format_table(describe_audit(history, CLI_AUDIENCE), HISTORY_COLUMNS))
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise CommandError(f"--limit was {args.limit} but must be >= 0")
    store = open_store(args)
    log = store.audit_log(action=args.action, limit=args.limit)
    if args.json:
        print(json.dumps(_records(log), default=str))
    else:
        # every entry as a sentence (camera changes, imports, canvass lists ...)
        print(f"Audit log of {store.location} (newest first, {len(log)} rows):")
        print(format_table(describe_audit(log, CLI_AUDIENCE), LOG_COLUMNS))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    store = open_store(args)
    problems = store.check()
    counts = store.counts()
    events = len(store.audit_log())
    if args.json:
        print(
            json.dumps(
                {
                    "store": store.location,
                    "ok": not problems,
                    "problems": problems,
                    "cameras": counts,
                    "audit_events": events,
                }
            )
        )
    elif problems:
        print(f"Store {store.location}: {len(problems):,} problem(s)")
        for line in problems:
            print(f"  {line}")
    else:
        print(
            f"Store {store.location}: OK -- {events:,} audit events replay to the "
            f"{counts['active']:,} active and {counts['withdrawn']:,} withdrawn "
            "registrations"
        )
    return EXIT_FINDINGS if problems else EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        rows = store.export(args.out, args.role)
    except (StoreError, OSError) as exc:
        raise CommandError(str(exc)) from exc
    what = (
        "full backup, withdrawn registrations and contacts included"
        if args.role == "admin"
        else f"active cameras, redacted for {args.role}"
    )
    print(f"wrote {rows:,} rows to {args.out} ({what})")
    return EXIT_OK


# --- helpers -----------------------------------------------------------------------
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
