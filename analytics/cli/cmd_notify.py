"""``notify`` and friends: area notices from the command line, contacts never shown.

>>> main(["notify", "--lat", "34.7465", "--lon", "-92.2896", "--radius-m", "300",
...       "--case", "2026-004242", "--incident", "burglary", "--dry-run", "--json"])

* ``notify``: preview (``--dry-run``) or send a notice to the owners in a circle
  or a GeoJSON area; ``--resume NOTICE_ID`` finishes an interrupted one.
* ``notify-log --case C``: the delivery table of a case (investigators).
* ``notify-opt-out``: record an owner's opt-out (steward), or process a reply
  (``--reply-eml FILE`` or ``--reply-from X --reply-text TEXT``).
* ``notify-bounces``: refused addresses as re-verification tasks (steward).

Relay and provider settings come from ``CAMREG_SMTP_*`` / ``CAMREG_SMS_*``
(``analytics.notify_transport``). Output holds counts, notice ids, camera ids and
delivery statuses; never a name, an address or a phone number.

Exit codes: 0 done; 1 a notice ran but some messages failed or are still queued;
2 unusable input (no area, no case, nothing configured, too many owners...).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics.cli import EXIT_FINDINGS, EXIT_OK, CommandError
from analytics.cli.cmd_canvass import _load, parse_time

if TYPE_CHECKING:
    import geopandas as gpd

    from analytics.config import CityConfig
    from analytics.store import RegistryStore

ROLES = ("staff", "investigator")


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "notify",
        help="send an area notice ('check your camera') to the owners in an area",
        description="Preview or send a notice to the owners of active cameras in a "
        "circle or a GeoJSON area: e-mail through the city's SMTP relay, a text "
        "message for owners with a phone only. One message per owner; withdrawn "
        "and opted-out owners are skipped. Prints counts, never who.",
    )
    where = p.add_argument_group("area (a circle or a GeoJSON file)")
    where.add_argument("--lat", type=float, help="centre latitude")
    where.add_argument("--lon", type=float, help="centre longitude")
    where.add_argument(
        "--radius-m",
        type=float,
        default=None,
        help="circle radius in metres (default: the city's canvass radius)",
    )
    where.add_argument("--area", metavar="FILE.geojson", help="a drawn area")
    what = p.add_argument_group("message")
    text = what.add_mutually_exclusive_group()
    text.add_argument("--message", help="free text (sent with the general template)")
    text.add_argument(
        "--template", help="template name (default check_camera; see the city file)"
    )
    what.add_argument("--incident", help="incident type, e.g. 'burglary'")
    what.add_argument("--start", metavar='"YYYY-MM-DD HH:MM"', help="window start")
    what.add_argument("--end", metavar='"YYYY-MM-DD HH:MM"', help="window end")
    p.add_argument("--case", help="case number (required)")
    p.add_argument("--user", help="who sends (required to send)")
    p.add_argument(
        "--role",
        choices=ROLES,
        default="staff",
        help="staff see counts rounded to 5; investigators exact counts and "
        "notices above the city's size limit (default staff)",
    )
    p.add_argument("--resume", metavar="NOTICE_ID", help="finish an interrupted notice")
    p.add_argument("--dry-run", action="store_true", help="preview: send nothing")
    p.add_argument("--cameras", help="camera registry file (default: configured/demo)")
    p.add_argument("--db", help="registry store (default: configured)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_notify)

    log = subparsers.add_parser(
        "notify-log",
        help="delivery table of the notices of a case (investigators)",
        description="Each notice of a case and each recipient's delivery status "
        "(queued, sent, failed with the server's reason, skipped with why), by "
        "recipient number and camera ids: no contacts.",
    )
    log.add_argument("--case", required=True, help="case number")
    log.add_argument("--role", choices=ROLES, default="staff")
    log.add_argument("--db", help="registry store (default: configured)")
    log.add_argument("--json", action="store_true", help="print one JSON object")
    log.set_defaults(func=run_log)

    out = subparsers.add_parser(
        "notify-opt-out",
        help="record an owner's opt-out from notices (steward or a STOP reply)",
        description="Store an opt-out with its date: by camera id, e-mail or phone "
        "(the steward), or from a reply whose first word is STOP.",
    )
    out.add_argument("--camera", help="camera id")
    out.add_argument("--email", help="owner's e-mail")
    out.add_argument("--phone", help="owner's phone")
    out.add_argument("--reply-eml", metavar="FILE.eml", help="an e-mailed reply")
    out.add_argument("--reply-from", help="number a text reply came from")
    out.add_argument("--reply-text", help="the text reply")
    out.add_argument("--user", required=True, help="who records it")
    out.add_argument("--reason", default="", help="why (optional)")
    out.add_argument("--db", help="registry store (default: configured)")
    out.set_defaults(func=run_opt_out)

    inbox = subparsers.add_parser(
        "notify-inbox",
        help="process the reply mailbox: STOP replies and bounce reports",
        description="Read the mail that came back to the notices' reply address: "
        "a STOP reply records an opt-out, a bounce report (delivery status "
        "notification) a re-verification task. Give a Maildir (new mail is "
        "processed once, then marked seen) or saved .eml files. Prints counts.",
    )
    inbox.add_argument("files", nargs="*", metavar="FILE.eml", help="saved mails")
    inbox.add_argument("--maildir", help="the reply mailbox as a Maildir folder")
    inbox.add_argument("--user", default="reply mailbox", help="recorded as who")
    inbox.add_argument("--db", help="registry store (default: configured)")
    inbox.add_argument("--json", action="store_true", help="print one JSON object")
    inbox.set_defaults(func=run_inbox)

    bounces = subparsers.add_parser(
        "notify-bounces",
        help="addresses and numbers refused by the relay or provider (steward)",
        description="Re-verification tasks: the cameras whose e-mail or phone was "
        "refused, with the server's reason. Open the camera's record to fix it.",
    )
    bounces.add_argument(
        "--report",
        metavar="FILE.eml",
        nargs="+",
        help="delivery status notifications (bounce mails) to record first",
    )
    bounces.add_argument("--db", help="registry store (default: configured)")
    bounces.add_argument("--json", action="store_true", help="print one JSON object")
    bounces.set_defaults(func=run_bounces)


# --- notify -------------------------------------------------------------------------
def run_notify(args: argparse.Namespace) -> int:
    from analytics.config import load_city
    from analytics.notify import NoticeError, preview_notice, send_notice
    from analytics.notify_transport import SettingsError, configured_senders

    city = load_city(args.city)
    if args.resume:
        return _resume(args, city)
    area = _area(args, city)
    if not (args.case or "").strip():
        raise CommandError(
            "--case CASE_NUMBER is required: every notice names its case"
        )
    start = parse_time(args.start, "--start")
    end = parse_time(args.end, "--end")
    senders = {}
    if not args.dry_run:
        if not (args.user or "").strip():
            raise CommandError("--user NAME is required to send a notice")
        try:
            senders = configured_senders()
        except SettingsError as exc:
            raise CommandError(str(exc)) from exc
        if not senders:
            raise CommandError(
                "no e-mail relay or SMS provider is configured: set "
                "CAMREG_SMTP_HOST and CAMREG_SMTP_FROM, or CAMREG_SMS_URL and "
                "CAMREG_SMS_FROM (docs/privacy-and-canvass.md); --dry-run previews"
            )
    cameras, label, synthetic = _cameras(args, city)
    from analytics.canvass import CameraIndex

    index = CameraIndex(cameras, city)
    try:
        if args.dry_run:
            from analytics.notify_message import compose, notify_settings

            # compose now so a bad template or field fails the preview too
            compose(
                notify_settings(city),
                city,
                case_number=args.case,
                template=args.template,
                message=args.message,
                incident_type=args.incident,
                start=start,
                end=end,
            )
            store = _store(args, city, create=False)
            result = preview_notice(
                index, area, cameras=cameras, store=store, role=args.role
            )
        else:
            result = send_notice(
                index,
                area,
                cameras=cameras,
                city=city,
                store=_store(args, city, create=True),
                senders=senders,
                case_number=args.case,
                user=args.user,
                role=args.role,
                template=args.template,
                message=args.message,
                incident_type=args.incident,
                start=start,
                end=end,
            )
    except (NoticeError, SettingsError, ValueError, PermissionError) as exc:
        raise CommandError(str(exc)) from exc
    result = {**result, "data_label": label, "synthetic": synthetic}
    _print(result, args.json, dry_run=args.dry_run)
    return _exit(result)


def _resume(args: argparse.Namespace, city: CityConfig) -> int:
    from analytics.notify import NoticeError, resume_notice
    from analytics.notify_transport import SettingsError, configured_senders

    if not (args.user or "").strip():
        raise CommandError("--user NAME is required to resume a notice")
    try:
        result = resume_notice(
            args.resume,
            city=city,
            store=_required_store(args, city),
            senders=configured_senders(),
            user=args.user,
            role=args.role,
        )
    except (NoticeError, SettingsError, PermissionError) as exc:
        raise CommandError(str(exc)) from exc
    _print(result, args.json, dry_run=False)
    return _exit(result)


def _exit(result: dict[str, Any]) -> int:
    """1 when a message failed or is still queued: ``all_sent`` says so even
    where staff's rounded counts read 0."""
    if result.get("failed") or result.get("queued") or result.get("all_sent") is False:
        return EXIT_FINDINGS
    return EXIT_OK


def _area(args: argparse.Namespace, city: CityConfig) -> Any:
    circle = args.lat is not None or args.lon is not None
    if circle and args.area:
        raise CommandError("give either --lat/--lon (a circle) or --area, not both")
    if args.area:
        path = Path(args.area)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(
                f"--area {args.area!r} is not a readable GeoJSON file: {exc}"
            ) from exc
    if args.lat is None or args.lon is None:
        raise CommandError(
            "give the area: --lat LAT --lon LON [--radius-m R] or --area"
        )
    if not bool(city.extent.contains(args.lon, args.lat)):
        # as canvass says it (a latitude of 134 was a shapely traceback)
        raise CommandError(
            f"--lat/--lon ({args.lat}, {args.lon}) is outside {city.name}: expected "
            f"latitude {city.extent.min_lat} to {city.extent.max_lat} and longitude "
            f"{city.extent.min_lon} to {city.extent.max_lon}"
        )
    radius = city.canvass_radius_m if args.radius_m is None else args.radius_m
    return (args.lat, args.lon, radius)


def _cameras(
    args: argparse.Namespace, city: CityConfig
) -> tuple[gpd.GeoDataFrame, str, bool]:
    """(cameras, data label, synthetic): withdrawn ones too (counted as skipped)."""
    cameras, _, label, synthetic = _load(args, city)
    return cameras, label, synthetic


def _store(
    args: argparse.Namespace, city: CityConfig, *, create: bool
) -> RegistryStore | None:
    """The ``--db`` store; None when it does not exist and ``create`` is False."""
    from analytics.store import default_store_path

    path = args.db or default_store_path(city)
    if not create and isinstance(path, Path | str) and not _exists(path):
        return None  # a preview without a store: no opt-outs recorded yet
    return _open_store(path)


def _required_store(args: argparse.Namespace, city: CityConfig) -> RegistryStore:
    """The ``--db`` store, which must exist (logs and bounces read it)."""
    from analytics.store import default_store_path

    path = args.db or default_store_path(city)
    if isinstance(path, Path | str) and not _exists(path):
        raise CommandError(f"registry store {str(path)!r} does not exist (--db)")
    return _open_store(path)


def _open_store(path: str | Path) -> RegistryStore:
    from analytics.store import RegistryStore, StoreError

    try:
        return RegistryStore(path)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc


def _print(result: dict[str, Any], as_json: bool, *, dry_run: bool) -> None:
    if as_json:
        print(json.dumps(result))
        return
    from analytics.notify import count_text

    step = result.get("rounded_to")
    rounded = f" (counts rounded to the nearest {step})" if step else ""
    if result.get("synthetic"):
        print(f"data: {result['data_label']} (synthetic: the owners are fictitious)")
    elif result.get("data_label"):
        print(f"data: {result['data_label']}")
    if "recipients" in result:
        head = "Would reach" if dry_run else "Notice for"
        print(f"{head} {count_text(result['recipients'], step)} owners{rounded}")
        tiers = ", ".join(f"{k} {v}" for k, v in result["by_tier"].items())
        types = ", ".join(f"{k} {v}" for k, v in result["by_owner_type"].items())
        skipped = ", ".join(f"{k} {v}" for k, v in result["skipped"].items())
        print(f"  by tier: {tiers}")
        print(f"  by owner type: {types}")
        print(f"  skipped: {skipped}")
    if "notice_id" in result:
        # all sent: nothing failed or waits, exactly (not "fewer than 3")
        exact = None if result.get("all_sent") else step
        print(
            f"notice {result['notice_id']}: sent {count_text(result['sent'], step)}, "
            f"failed {count_text(result['failed'], exact)}, still queued "
            f"{count_text(result['queued'], exact)} ({result['status']})"
        )
        if result["queued"] or result["status"] == "interrupted":
            print(
                f"  resume with: python -m analytics notify --resume "
                f"{result['notice_id']} --user NAME"
            )


# --- notify-log ---------------------------------------------------------------------
def run_log(args: argparse.Namespace) -> int:
    from analytics.config import load_city
    from analytics.notify_store import delivery_table, notice_table, notify_engine

    if args.role != "investigator":
        raise CommandError(
            "the delivery table of a case is for investigators (--role investigator)"
        )
    city = load_city(args.city)
    store = _required_store(args, city)
    engine = notify_engine(store)
    notices = notice_table(engine, case_number=args.case)
    table = delivery_table(engine, case_number=args.case)
    if args.json:
        print(
            json.dumps(
                {
                    "case_number": args.case,
                    "notices": notices.to_dict(orient="records"),
                    "deliveries": table.astype(object)
                    .where(table.notna(), None)
                    .to_dict(orient="records"),
                }
            )
        )
        return EXIT_OK
    if notices.empty:
        print(f"no notices for case {args.case}")
        return EXIT_OK
    for row in notices.to_dict(orient="records"):
        print(
            f"notice {row['notice_id']} {row['created_at']} by {row['created_by']}: "
            f"{row['recipients']} owners, sent {row['sent']}, failed "
            f"{row['failed']}, queued {row['queued']}, skipped {row['skipped']} "
            f"({row['status']})"
        )
    print(table.to_string(index=False))
    return EXIT_OK


# --- notify-opt-out -----------------------------------------------------------------
def run_opt_out(args: argparse.Namespace) -> int:
    from analytics.config import load_city
    from analytics.notify import opt_out_reply, record_opt_out

    city = load_city(args.city)
    store = _store(args, city, create=True)
    try:
        if args.reply_eml:
            sender, text = _read_eml(args.reply_eml)
            done = opt_out_reply(
                store, sender=sender, text=text, channel="email", user=args.user
            )
            print("opt-out recorded" if done else "not a STOP reply: nothing recorded")
            return EXIT_OK
        if args.reply_from or args.reply_text:
            if not (args.reply_from and args.reply_text is not None):
                raise CommandError("--reply-from and --reply-text go together")
            done = opt_out_reply(
                store,
                sender=args.reply_from,
                text=args.reply_text,
                channel="sms",
                user=args.user,
            )
            print("opt-out recorded" if done else "not a STOP reply: nothing recorded")
            return EXIT_OK
        opt_id = record_opt_out(
            store,
            user=args.user,
            email=args.email,
            phone=args.phone,
            camera_id=args.camera,
            method="steward",
            reason=args.reason,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    print(f"opt-out #{opt_id} recorded; every later notice skips this owner")
    return EXIT_OK


def _read_eml(path: str) -> tuple[str, str]:
    from analytics.notify_inbox import read_reply

    try:
        return read_reply(Path(path).read_bytes())
    except OSError as exc:
        raise CommandError(f"--reply-eml {path!r} cannot be read: {exc}") from exc
    except ValueError as exc:
        raise CommandError(f"--reply-eml {path!r}: {exc}") from exc


# --- notify-bounces -----------------------------------------------------------------
def run_bounces(args: argparse.Namespace) -> int:
    from analytics.config import load_city
    from analytics.notify_store import notify_engine, reverify_tasks

    city = load_city(args.city)
    store = _required_store(args, city)
    engine = notify_engine(store)
    recorded = 0
    for path in args.report or ():
        from analytics.notify_inbox import read_bounce_report
        from analytics.notify_store import mark_bounced

        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"--report {path!r} cannot be read: {exc}") from exc
        for address, reason in read_bounce_report(raw):
            recorded += mark_bounced(engine, address, reason)
    if args.report and not args.json:
        print(f"{recorded} bounce(s) recorded from {len(args.report)} report(s)")
    tasks = reverify_tasks(engine)
    if args.json:
        print(json.dumps({"tasks": tasks.to_dict(orient="records")}))
    elif tasks.empty:
        print("no refused addresses: nothing to re-verify")
    else:
        print(f"{len(tasks)} contact(s) to re-verify (open each camera's record):")
        print(tasks.to_string(index=False))
    return EXIT_OK


# --- notify-inbox -------------------------------------------------------------------
def run_inbox(args: argparse.Namespace) -> int:
    from analytics.config import load_city
    from analytics.notify_inbox import InboxResult, process_maildir, process_message

    if bool(args.maildir) == bool(args.files):
        raise CommandError("give either --maildir DIR or saved .eml files")
    city = load_city(args.city)
    store = _store(args, city, create=True)
    try:
        if args.maildir:
            result = process_maildir(store, args.maildir, user=args.user)
        else:
            counts = [0, 0, 0, 0]
            for path in args.files:
                try:
                    raw = Path(path).read_bytes()
                except OSError as exc:
                    raise CommandError(f"{path!r} cannot be read: {exc}") from exc
                opt, bounced = process_message(store, raw, user=args.user)
                counts = [
                    counts[0] + 1,
                    counts[1] + opt,
                    counts[2] + bounced,
                    counts[3] + int(not (opt or bounced)),
                ]
            result = InboxResult(*counts)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.as_dict()))
    else:
        print(
            f"{result.messages} message(s): {result.opt_outs} opt-out(s), "
            f"{result.bounces} bounce(s) recorded, {result.other} other"
        )
    return EXIT_OK


def _exists(target: Path | str) -> bool:
    """A store file exists, or the target is a database URL (checked on open)."""
    from analytics.store_db import is_url

    return is_url(str(target)) or Path(target).exists()
