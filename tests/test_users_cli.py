"""``python -m analytics users``: add, disable, list, passwd, audit of changes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from analytics import accounts
from analytics.accounts import AccountStore
from analytics.cli import main
from analytics.cli.cmd_users import ACCOUNT_ROLES
from analytics.store import RegistryStore
from tests.pagetest import ROOT

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    monkeypatch.setattr(
        accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    monkeypatch.delenv("CAMREG_REGISTRY_DB", raising=False)


def _run(capsys, monkeypatch, *argv, stdin: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_roles_offered_are_the_account_roles():
    assert ACCOUNT_ROLES == accounts.ACCOUNT_ROLES


def test_add_list_disable(capsys, monkeypatch, tmp_path):
    file = tmp_path / "accounts.json"
    code, out, err = _run(
        capsys,
        monkeypatch,
        "users",
        "--file",
        file,
        "add",
        "JSmith",
        "--role",
        "investigator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert "added jsmith (investigator)" in out
    assert PASSWORD not in file.read_text()
    assert AccountStore(file).authenticate("jsmith", PASSWORD).ok

    code, out, _ = _run(capsys, monkeypatch, "users", "--file", file, "list", "--json")
    rows = json.loads(out)["accounts"]
    assert [(r["name"], r["role"], r["status"]) for r in rows] == [
        ("jsmith", "investigator", "active")
    ]
    assert "hash" not in out

    code, out, _ = _run(
        capsys, monkeypatch, "users", "--file", file, "disable", "jsmith"
    )
    assert code == 0
    assert "disabled" in out
    code, out, _ = _run(capsys, monkeypatch, "users", "--file", file, "list")
    assert "jsmith" in out
    assert "disabled" in out
    assert AccountStore(file).authenticate("jsmith", PASSWORD).reason == "disabled"


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["add", "ann", "--role", "staff", "--password-stdin"],
            "short\n",
            "at least 12",
        ),
        (["add", "ann", "--role", "staff", "--password-stdin"], "\n", "empty line"),
        (["add", "ann", "--role", "staff"], "", "no terminal"),
        (["disable", "nobody"], "", "no account 'nobody'"),
        (["add", "bad name", "--role", "staff", "--password-stdin"], PASSWORD, "name"),
    ],
)
def test_unusable_requests_are_one_line_and_exit_2(
    capsys, monkeypatch, tmp_path, argv, stdin, message
):
    code, _, err = _run(
        capsys,
        monkeypatch,
        "users",
        "--file",
        tmp_path / "a.json",
        *argv,
        stdin=stdin,
    )
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_role_public_cannot_be_given(capsys, monkeypatch, tmp_path):
    with pytest.raises(SystemExit):
        _run(capsys, monkeypatch, "users", "add", "ann", "--role", "public")


def test_passwd_unlocks_and_changes_are_audited(capsys, monkeypatch, tmp_path):
    file, db = tmp_path / "accounts.json", tmp_path / "registry.sqlite"
    RegistryStore.init(db)  # the configured store exists
    store = AccountStore(file)
    store.add("ann", "staff", PASSWORD)
    now = datetime.now(timezone.utc)
    for _ in range(accounts.MAX_FAILURES):
        now += timedelta(minutes=1)  # past each delay
        store.authenticate("ann", "guess", now=now)
    assert store.get("ann").locked_until is not None
    code, _, err = _run(
        capsys,
        monkeypatch,
        "users",
        "--file",
        file,
        "--db",
        db,
        "--user",
        "it admin",
        "passwd",
        "ann",
        "--password-stdin",
        stdin="a brand new passphrase\n",
    )
    assert code == 0, err
    assert store.get("ann").locked_until is None
    assert store.authenticate("ann", "a brand new passphrase").ok
    log = RegistryStore(db).audit_log(action="account")
    assert log.iloc[0]["user"] == "it admin"
    assert json.loads(log.iloc[0]["details"])["account"] == "ann"


def test_module_entry_point_adds_an_account(tmp_path):
    """The real command (a subprocess, real Argon2 cost) from a pipe."""
    file = tmp_path / "accounts.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "users",
            "--file",
            str(file),
            "add",
            "lee",
            "--role",
            "staff",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(file.read_text())["accounts"]["lee"]["password_hash"].startswith(
        "$argon2id$v=19$m=65536,t=3"
    )
