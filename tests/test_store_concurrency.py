"""The registry store under concurrent writers and faults, on both engines.

* Two processes importing and withdrawing at once (60 operations each) lose no
  update, leave no half import and write a complete audit log.
* ``kill -9`` in the middle of a 200,000-row import leaves the store as it was.
* PostgreSQL: a connection that drops mid-import is retried, or reported with
  nothing applied.

The writers are separate Python processes (``tests/store_worker.py``), as
stewards on different machines would be.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import CENTRE, make_cameras

from analytics import store as store_module
from analytics.store import RegistryStore, StoreError

WORKER = str(Path(__file__).resolve().parent / "store_worker.py")
OPS = 60  # per process: 30 imports and 30 withdrawals
BIG = 200_000

pytestmark = pytest.mark.slow


def seed(target) -> RegistryStore:
    store = RegistryStore.init(target)
    lat, lon = CENTRE
    store.import_cameras(
        make_cameras([{"camera_id": "SEED", "latitude": lat, "longitude": lon}]),
        source="seed.csv",
        user="seeder",
    )
    return store


def worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, WORKER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_writers_lose_nothing(store_target):
    store = seed(store_target)
    procs = [worker("mixed", str(store_target), w, str(OPS)) for w in ("1", "2")]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        results.append([json.loads(line) for line in out.splitlines()])
    assert [len(r) for r in results] == [OPS, OPS]
    imports = OPS // 2 * 2  # per process, both processes
    withdrawals = OPS // 2 * 2
    # every operation is in the store: 4 new cameras per import pair...
    cams = store.cameras().set_index("camera_id")
    assert len(cams) == 1 + 1 + imports * 2  # SEED, SHARED, two per import
    for w in ("1", "2"):
        for i in range(0, OPS, 2):
            assert cams.loc[f"W{w}-{i}-a", "status"] == "withdrawn"
            assert cams.loc[f"W{w}-{i}-b", "status"] == "active"
            assert cams.loc[f"W{w}-{i}-a", "withdrawn_at"] is not None
    # ...and in the audit log, event ids without gaps or duplicates
    log = store.audit_log()
    assert sorted(log["event_id"]) == list(range(1, len(log) + 1))
    actions = Counter(log["action"])
    assert actions["import"] == 1 + imports
    assert actions["withdraw"] == withdrawals
    assert actions["insert"] == 1 + imports * 2 + 1  # SHARED inserted once
    # import ids are distinct and each import is whole: its two new cameras
    ids = [r["import_id"] for rs in results for r in rs if r["op"] == "import"]
    assert len(set(ids)) == imports
    inserted = log[log["action"] == "insert"].groupby("import_id").size()
    assert set(inserted.drop(index=1)) <= {2, 3}
    # SHARED's camera_count is that of the import committed last
    last = log[(log["camera_id"] == "SHARED")].iloc[0]
    final = json.loads(last["changes"])["camera_count"]["new"]
    assert cams.loc["SHARED", "camera_count"] == final
    assert store.check() == []


def _lock_held(store: RegistryStore, pid: int) -> bool:
    """True once the worker's import transaction is writing."""
    if store.path is not None:
        return Path(f"{store.path}-journal").exists()
    with store.engine.connect() as conn:
        held = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a "
                "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND a.application_name = 'camreg' AND a.state <> 'idle'"
            )
        ).scalar()
    return bool(held)


def test_kill_9_mid_import_leaves_the_store_as_it_was(store_target):
    store = seed(store_target)
    before_cams = pd.DataFrame(store.cameras())
    before_log = store.audit_log()
    before_bytes = store.path.read_bytes() if store.path else None
    proc = worker("big", str(store_target), str(BIG))
    assert proc.stdout.readline().strip() == "planning"
    deadline = time.monotonic() + 300
    while not _lock_held(store, proc.pid):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    if store.path is not None:
        # kill only once the import has spilled rows into the database file
        # itself: the hot journal then has to be rolled back by whoever opens
        # the store next (a read-only integrity check could not, and called the
        # store damaged; the kill came before the spill when the machine was
        # busy, after it when it was quiet)
        while store.path.read_bytes() == before_bytes:
            assert proc.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline, "the import never wrote to the file"
            time.sleep(0.05)
    else:
        time.sleep(1.0)  # let it write a good part of the 200,000 rows
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    if store.is_postgres:  # the server notices the dead client and rolls back
        deadline = time.monotonic() + 30
        while _lock_held(store, proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    if store.path is not None:
        assert Path(f"{store.path}-journal").stat().st_size > 0  # a hot journal
    after = RegistryStore(store_target)
    pd.testing.assert_frame_equal(pd.DataFrame(after.cameras()), before_cams)
    pd.testing.assert_frame_equal(after.audit_log(), before_log)
    assert after.check() == []
    if before_bytes is not None:  # the hot journal was rolled back
        assert after.path.read_bytes() == before_bytes
    # and the store takes the next import
    lat, lon = CENTRE
    frame = make_cameras([{"camera_id": "NEXT", "latitude": lat, "longitude": lon}])
    assert after.import_cameras(frame, source="n.csv", user="u").import_id == 2


def _terminate_after_first_chunk(monkeypatch, times: int) -> list[int]:
    """Make the import's connection drop (server side) after its first write."""
    real = store_module._write_chunks
    killed: list[int] = []

    def dropping(conn, statement, rows):
        real(conn, statement, rows)
        if len(killed) < times:
            pid = conn.connection.dbapi_connection.info.backend_pid
            killed.append(pid)
            with conn.engine.connect() as admin, admin.begin():
                admin.execute(sa.text(f"SELECT pg_terminate_backend({pid})"))

    monkeypatch.setattr(store_module, "_write_chunks", dropping)
    monkeypatch.setattr(store_module, "RETRY_PAUSE_S", 0.0)
    return killed


def new_cameras(n: int):
    lat, lon = CENTRE
    return make_cameras(
        [
            {"camera_id": f"N{i:03d}", "latitude": lat + i * 1e-4, "longitude": lon}
            for i in range(n)
        ]
    )


def test_postgres_connection_dropping_mid_import_is_retried(pg_url, monkeypatch):
    store = seed(pg_url)
    monkeypatch.setattr(store_module, "WRITE_CHUNK", 10)
    killed = _terminate_after_first_chunk(monkeypatch, times=1)
    summary = store.import_cameras(new_cameras(25), source="n.csv", user="u")
    assert len(killed) == 1
    assert (summary.inserted, summary.import_id) == (25, 2)
    assert store.counts()["active"] == 26
    assert len(store.audit_log(action="import")) == 2  # one, not a half and a whole
    assert store.check() == []


def test_postgres_connection_lost_every_time_is_reported(pg_url, monkeypatch):
    store = seed(pg_url)
    before = store.audit_log()
    monkeypatch.setattr(store_module, "WRITE_CHUNK", 10)
    killed = _terminate_after_first_chunk(monkeypatch, times=99)
    with pytest.raises(StoreError, match="lost during the import, 3 times; nothing"):
        store.import_cameras(new_cameras(25), source="n.csv", user="u")
    assert len(killed) == 3
    assert store.counts()["active"] == 1
    pd.testing.assert_frame_equal(store.audit_log(), before)
    assert store.check() == []
