"""A throwaway PostgreSQL + PostGIS cluster for the store tests and for ``.ci/run``.

``initdb`` into a temporary folder, ``pg_ctl start`` on a free loopback port,
trust authentication for a superuser ``camreg`` (the cluster listens on
127.0.0.1 only and is deleted afterwards), and a template database with the
PostGIS extension so each test can have a fresh database in one statement.

PostgreSQL refuses to run as root, so as root the cluster runs as the
``postgres`` system user (Debian's package creates it) via ``runuser``.

Command line (used by ``.ci/run``)::

    python tests/pgserver.py start DIR    # prints the URL of the template db
    python tests/pgserver.py stop DIR

In tests, use the ``pg_url`` fixture of ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUPERUSER = "camreg"
TEMPLATE_DB = "camreg_template"
BIN_DIRS = ("/usr/local/bin", "/usr/bin")
RUN_AS = "postgres"  # system user the cluster runs as when we are root


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


def _debian_bin_dirs() -> list[str]:
    """Debian's server binaries, newest major version first (15 on bookworm,
    17 on trixie: none of them is on PATH)."""
    found = Path("/usr/lib/postgresql").glob("*/bin")
    numbered = [p for p in found if p.parent.name.isdigit()]
    return [str(p) for p in sorted(numbered, key=lambda p: -int(p.parent.name))]


def find_binary(name: str) -> str | None:
    for folder in (*_debian_bin_dirs(), *BIN_DIRS):
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_cluster_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServerUnavailable("running as root and `runuser` is missing")
    return [runuser, "-u", RUN_AS, "--", *cmd]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        _as_cluster_user(cmd), capture_output=True, text=True, check=False, **kwargs
    )


def url_for(port: int, database: str) -> str:
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"


def start(folder: str | os.PathLike[str]) -> str:
    """Create and start a cluster in ``folder``; the template database's URL.

    Raises
    ------
    ServerUnavailable
        Binaries or the PostGIS extension are missing, or the server did not
        start; the message names what.
    """
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not (initdb and pg_ctl):
        raise ServerUnavailable("PostgreSQL binaries initdb/pg_ctl not found")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data, sockets = folder / "data", folder / "sock"
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        try:
            shutil.chown(folder, RUN_AS)
            shutil.chown(sockets, RUN_AS)
        except (LookupError, PermissionError) as exc:
            raise ServerUnavailable(
                f"running as root and cannot hand {folder} to user {RUN_AS!r}: {exc}"
            ) from exc
        folder.chmod(0o755)
        # the folder's parents must be traversable by the cluster user
        for parent in folder.parents:
            if str(parent) in ("/", "/tmp"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
    done = _run(
        [initdb, "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8"],
        env={**os.environ, "LC_ALL": "C"},
    )
    if done.returncode:
        raise ServerUnavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
    port = _free_port()
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {sockets} "
        "-c fsync=off -c max_connections=100"
    )
    log = str(folder / "server.log")
    done = _run([pg_ctl, "-D", str(data), "-l", log, "-o", options, "-w", "start"])
    if done.returncode:
        log = (folder / "server.log").read_text(errors="replace")[-800:]
        raise ServerUnavailable(f"pg_ctl start failed: {done.stderr.strip()} {log}")
    (folder / "port").write_text(str(port))
    try:
        _create_template(port)
    except Exception:
        stop(folder)
        raise
    return url_for(port, TEMPLATE_DB)


def _create_template(port: int) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            con = psycopg.connect(url_for(port, "postgres"), autocommit=True)
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with con:
        con.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    with psycopg.connect(url_for(port, TEMPLATE_DB), autocommit=True) as con:
        try:
            con.execute("CREATE EXTENSION postgis")
        except psycopg.Error as exc:
            raise ServerUnavailable(
                f"the PostGIS extension is not installed ({exc}); install Debian's "
                "postgresql-15-postgis-3"
            ) from exc


def create_database(template_url: str, name: str) -> str:
    """A fresh database ``name`` copied from the PostGIS template; its URL."""
    import psycopg

    admin = template_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE_DB}')
    return template_url.rsplit("/", 1)[0] + f"/{name}"


def stop(folder: str | os.PathLike[str]) -> None:
    """Stop the cluster in ``folder`` (immediate: the data is thrown away)."""
    pg_ctl = find_binary("pg_ctl")
    data = Path(folder) / "data"
    if pg_ctl and (data / "postmaster.pid").exists():
        _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])


# --- pytest fixtures (imported by tests/conftest.py) ---------------------------------
TEST_URL_ENV = "CAMREG_TEST_PG_URL"


def _fixtures():
    import uuid

    import pytest

    @pytest.fixture(scope="session")
    def pg_template_url():
        """URL of a PostGIS template database on a throwaway server.

        ``$CAMREG_TEST_PG_URL`` (set by ``.ci/run``) names a running one;
        otherwise a cluster is started here with initdb/pg_ctl and stopped at
        the end. Skips, with the reason, only when no server can be started.
        """
        given = os.environ.get(TEST_URL_ENV, "").strip()
        if given:
            yield given
            return
        # not under pytest's temporary root: pytest keeps that private (0700)
        # and the cluster runs as another user when we are root
        folder = Path(tempfile.mkdtemp(prefix="camreg-pg-"))
        try:
            url = start(folder)
        except ServerUnavailable as exc:
            pytest.skip(f"no PostgreSQL server could be started: {exc}")
        try:
            yield url
        finally:
            from analytics.store_db import dispose_engines

            dispose_engines()
            stop(folder)
            shutil.rmtree(folder, ignore_errors=True)

    @pytest.fixture
    def pg_url(pg_template_url):
        """A fresh, empty PostGIS database for one test."""
        return create_database(pg_template_url, f"t_{uuid.uuid4().hex[:12]}")

    @pytest.fixture(params=["sqlite", "postgresql"])
    def store_target(request, tmp_path):
        """Where a test's store lives: an SQLite file, then a PostgreSQL database."""
        if request.param == "sqlite":
            return tmp_path / "registry.sqlite"
        return request.getfixturevalue("pg_url")

    return pg_template_url, pg_url, store_target


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python tests/pgserver.py start|stop DIR", file=sys.stderr)
        return 2
    if argv[0] == "start":
        try:
            print(start(argv[1]))
        except ServerUnavailable as exc:
            print(f"PostgreSQL not started: {exc}", file=sys.stderr)
            return 1
        return 0
    stop(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
