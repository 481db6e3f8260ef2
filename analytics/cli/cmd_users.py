"""``users``: manage the named accounts people sign in with.

>>> main(["users", "add", "jsmith", "--role", "investigator"])   # +SKIP
Password for jsmith:
Repeat the password:
added jsmith (investigator) to data/accounts.json

Passwords are read from a prompt (twice) or, with ``--password-stdin``, as the
first line of standard input; they are stored only as Argon2id hashes in the
accounts file (``--file``, ``$CAMREG_USERS`` or ``data/accounts.json``).
Changes are written to the registry's audit log when a store is configured.

Exit codes: 0 done; 2 unusable input (a taken name, a short password, an
unreadable accounts file).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sqlite3
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from analytics.cli import EXIT_OK, CommandError

if TYPE_CHECKING:
    from collections.abc import Callable

    from analytics.accounts import Account, AccountStore

STATUS_WIDTH = 30
ACCOUNT_ROLES = ("staff", "investigator", "admin")  # analytics.accounts, unimported


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    p = subparsers.add_parser(
        "users",
        help="manage sign-in accounts (add, disable, list ...)",
        description="Manage the named accounts people sign in with. Each account "
        "has one role: staff (business and city cameras as points, residential "
        "ones as counts), investigator (everything, owner contacts with a case "
        "number) or admin (as investigator). Passwords are stored only as Argon2id "
        "hashes.",
    )
    p.add_argument(
        "--file",
        help="accounts file (default: $CAMREG_USERS or data/accounts.json)",
    )
    p.add_argument(
        "--db", help="registry store for the audit log (default: configured)"
    )
    p.add_argument("--user", help="who makes the change (default: the OS user)")
    sub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="create an account")
    add.add_argument("name", help="account name, e.g. jsmith or an e-mail address")
    add.add_argument("--role", required=True, choices=ACCOUNT_ROLES)
    _password_option(add)
    add.set_defaults(func=run_add)

    passwd = sub.add_parser(
        "passwd", help="set a new password (also unlocks and signs out everywhere)"
    )
    passwd.add_argument("name")
    _password_option(passwd)
    passwd.set_defaults(func=run_passwd)

    for action, text in (
        ("disable", "stop an account signing in (ends its sessions)"),
        ("enable", "let a disabled account sign in again"),
        ("unlock", "lift a lock after wrong passwords"),
        ("sign-out", "end every session of an account"),
    ):
        cmd = sub.add_parser(action, help=text)
        cmd.add_argument("name")
        cmd.set_defaults(func=run_change, action=action)

    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ACCOUNT_ROLES)
    role.set_defaults(func=run_change, action="role")

    lst = sub.add_parser("list", help="list the accounts (never the hashes)")
    lst.add_argument("--json", action="store_true", help="print one JSON object")
    lst.set_defaults(func=run_list)


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (for scripts)",
    )


def _store(args: argparse.Namespace) -> AccountStore:
    from analytics.accounts import AccountStore

    return AccountStore(args.file) if args.file else AccountStore()


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CommandError("--password-stdin read an empty line: no password")
        return password
    if not sys.stdin.isatty():
        raise CommandError(
            "no terminal to ask for the password: pass --password-stdin and pipe it"
        )
    first = getpass.getpass(f"Password for {args.name}: ")
    second = getpass.getpass("Repeat the password: ")
    if first != second:
        raise CommandError("the two passwords differ: nothing was changed")
    return first


def _audit(args: argparse.Namespace, change: str, name: str, role: str = "") -> None:
    """Write the change to the audit log when a registry store is configured."""
    from analytics.audit import ACCOUNT_ACTION, configured_store_path, os_user
    from analytics.config import load_city

    path = configured_store_path(load_city(args.city), args.db)
    if path is None:
        return
    from analytics.store import RegistryStore

    try:
        RegistryStore(path).log_event(
            ACCOUNT_ACTION,
            user=args.user or os_user(),
            details={"account": name, "change": change, "role": role},
            reason=f"account {name}: {change}",
        )
    except (ValueError, OSError, sqlite3.Error) as exc:  # StoreError: ValueError
        raise CommandError(
            f"account {name}: {change}, but the audit log in {str(path)!r} could "
            f"not be written: {exc}"
        ) from exc


def run_add(args: argparse.Namespace) -> int:
    from analytics.accounts import AccountError

    store = _store(args)
    try:
        store.get(args.name)  # check the name and the file before asking
        account = store.add(args.name, args.role, _read_password(args))
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    _audit(args, "added", account.name, account.role)
    print(f"added {account.name} ({account.role}) to {store.path}")
    return EXIT_OK


def run_passwd(args: argparse.Namespace) -> int:
    from analytics.accounts import AccountError

    store = _store(args)
    try:
        store.require(args.name)  # before asking for a password
        account = store.set_password(args.name, _read_password(args))
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    _audit(args, "new password", account.name, account.role)
    print(f"new password for {account.name}; its open sessions are ended")
    return EXIT_OK


def run_change(args: argparse.Namespace) -> int:
    from analytics.accounts import AccountError

    store = _store(args)
    changes: dict[str, tuple[Callable[[], Account], str]] = {
        "disable": (lambda: store.set_disabled(args.name, True), "disabled"),
        "enable": (lambda: store.set_disabled(args.name, False), "enabled"),
        "unlock": (lambda: store.unlock(args.name), "unlocked"),
        "sign-out": (lambda: store.end_sessions(args.name), "signed out everywhere"),
        "role": (lambda: store.set_role(args.name, args.role), "role changed"),
    }
    change, done = changes[args.action]
    try:
        account = change()
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    _audit(args, done, account.name, account.role)
    print(f"{account.name} ({account.role}): {done}")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from analytics.accounts import AccountError

    store = _store(args)
    try:
        accounts = sorted(store.accounts().values(), key=lambda a: a.name)
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    now = datetime.now(timezone.utc)
    rows = [
        {
            "name": a.name,
            "role": a.role,
            "status": _status(a, now),
            "created_at": a.created_at,
            "last_sign_in": a.last_sign_in,
            "failures": a.failures,
        }
        for a in accounts
    ]
    if args.json:
        print(json.dumps({"file": str(store.path), "accounts": rows}))
        return EXIT_OK
    if not rows:
        print(
            f"no accounts in {store.path}; add one with "
            "`python -m analytics users add NAME --role staff|investigator|admin`"
        )
        return EXIT_OK
    print(f"{len(rows)} account{'s' if len(rows) != 1 else ''} in {store.path}")
    for r in rows:
        print(
            f"  {r['name']:<24} {r['role']:<13} {r['status']:<{STATUS_WIDTH}} "
            f"last sign-in: {r['last_sign_in'] or 'never'}"
        )
    return EXIT_OK


def _status(account: Account, now: datetime) -> str:
    if account.disabled:
        return "disabled"
    until = account.locked_at(now)
    if until is not None:
        return f"locked until {until:%Y-%m-%d %H:%M} UTC"
    return "active"
