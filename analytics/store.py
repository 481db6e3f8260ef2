"""The registry store: cameras plus an append-only audit log in one database.

An embedded SQLite file by default (stdlib ``sqlite3``, no ORM). The schema keeps
to portable SQL -- ``TEXT``/``INTEGER``/``REAL`` columns, ISO-8601 text dates, ids
assigned by the code, explicit transactions -- so a PostgreSQL backend can follow;
the few SQLite-specific statements are module constants marked as such.

>>> store = RegistryStore("data/registry.sqlite")      # created on first use
>>> summary = store.import_cameras(frame, source="export.csv", user="steward")
>>> store.withdraw("CAM-000042", reason="owner request", user="steward")
>>> store.cameras(include_withdrawn=False)             # canonical GeoDataFrame

Import semantics (see ``docs/registry.md``): an import is an upsert by
``camera_id`` in ONE transaction -- it either applies completely or not at all.
Cameras missing from an import are left alone. A withdrawn camera is never
reactivated by an import ("your feed, your choice"): only
:meth:`RegistryStore.reactivate`, after the owner registers again, does that.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analytics.identity import CameraMatcher
from analytics.schema import (
    CAMERA_COLUMNS,
    CAMERA_REQUIRED,
    CONTACT_COLUMNS,
    OWNER_TYPES,
    STATUSES,
    TIERS,
    WGS84,
)

if TYPE_CHECKING:
    from analytics.config import CityConfig
    from analytics.loaders import LoadResult

SCHEMA_VERSION = 1
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "registry.sqlite"

# Column types in the store. withdrawn_at is not stored with the camera: it is
# read from the audit log, the one record of when consent was withdrawn.
TEXT_FIELDS = (
    "camera_id",
    "tier",
    "owner_type",
    "status",
    "address",
    "owner_name",
    "contact_phone",
    "contact_email",
    "direction_deg",
    "camera_type",
    "mount",
    "source",
)
REAL_FIELDS = ("latitude", "longitude", "fov_deg", "range_m")
INTEGER_FIELDS = ("camera_count", "retention_days")
DATE_FIELDS = ("registered_at", "verified_at")
STORED_FIELDS = tuple(c for c in CAMERA_COLUMNS if c != "withdrawn_at")
# Provenance, not registry content: re-importing the same rows from a file with
# another name is "unchanged". Status has its own rules (withdrawal).
NOT_COMPARED = ("camera_id", "source", "status")
COMPARED_FIELDS = tuple(f for f in STORED_FIELDS if f not in NOT_COMPARED)

# Audit actions written by the store itself; log_event() refuses them.
CAMERA_ACTIONS = ("insert", "update", "withdraw", "reactivate", "import")
AUDIT_COLUMNS = (
    "event_id",
    "recorded_at",
    "action",
    "camera_id",
    "changes",
    "import_id",
    "source",
    "user",
    "reason",
    "details",
)

# What people read (audit_table): readable, redacted changes instead of JSON.
AUDIT_TABLE_COLUMNS = (
    "event_id",
    "recorded_at",
    "action",
    "camera_id",
    "what",
    "user",
    "reason",
    "source",
    "import_id",
)

_SQL_TYPES = {
    **dict.fromkeys(TEXT_FIELDS, "TEXT"),
    **dict.fromkeys(REAL_FIELDS, "REAL"),
    **dict.fromkeys(INTEGER_FIELDS, "INTEGER"),
    **dict.fromkeys(DATE_FIELDS, "TEXT"),
}
_NOT_NULL = set(CAMERA_REQUIRED) - {"camera_id"}

SCHEMA_SQL = (
    "CREATE TABLE schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE cameras (\n    "
    + ",\n    ".join(
        f"{name} {_SQL_TYPES[name]}"
        + (" PRIMARY KEY" if name == "camera_id" else "")
        + (" NOT NULL" if name in _NOT_NULL else "")
        for name in STORED_FIELDS
    )
    + ",\n    updated_at TEXT NOT NULL\n)",
    # `user` is reserved in PostgreSQL, hence user_name; frames call it `user`.
    """CREATE TABLE audit_log (
    event_id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    action TEXT NOT NULL,
    camera_id TEXT,
    changes TEXT,
    import_id INTEGER,
    source TEXT,
    user_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    details TEXT
)""",
    "CREATE INDEX audit_log_camera ON audit_log (camera_id)",
    "CREATE INDEX audit_log_action ON audit_log (action)",
    # SQLite-specific: append-only enforced in the database, not only by this API.
    # PostgreSQL: a BEFORE UPDATE OR DELETE trigger function raising an exception,
    # or REVOKE UPDATE, DELETE ON audit_log from the application role.
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)
# SQLite-specific: take the write lock at BEGIN so concurrent writers queue
# instead of failing at their first write. PostgreSQL: plain BEGIN.
BEGIN_WRITE = "BEGIN IMMEDIATE"
BUSY_TIMEOUT_S = 30.0


class StoreError(ValueError):
    """The store cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class ImportSummary:
    """What one import did to the store.

    ``kept_withdrawn`` lists cameras the import marked active although their
    owners had withdrawn consent: they stay withdrawn (only the owner registering
    again reactivates a camera).
    """

    import_id: int
    source: str
    user: str
    recorded_at: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    withdrawn: int
    kept_withdrawn: tuple[str, ...] = ()
    fields_changed: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kept_withdrawn"] = list(self.kept_withdrawn)
        return out

    def lines(self) -> list[str]:
        """Human-readable summary, one fact per line."""
        out = [
            f"import #{self.import_id} of {self.source} by {self.user}: "
            f"{self.rows:,} rows",
            f"  inserted   {self.inserted:,}",
            f"  updated    {self.updated:,}",
            f"  unchanged  {self.unchanged:,}",
            f"  withdrawn  {self.withdrawn:,} "
            "(active in the store, withdrawn in the file)",
        ]
        if self.fields_changed:
            changed = ", ".join(f"{k} {v:,}" for k, v in self.fields_changed.items())
            out.append(f"  fields updated: {changed}")
        if self.kept_withdrawn:
            ids = ", ".join(self.kept_withdrawn[:10])
            more = len(self.kept_withdrawn) - 10
            out.append(
                f"  kept withdrawn {len(self.kept_withdrawn):,}: {ids}"
                + (f" and {more:,} more" if more > 0 else "")
                + " (consent was withdrawn; only the owner re-registering "
                "reactivates a camera)"
            )
        return out


def default_store_path(city: CityConfig | None = None) -> Path:
    """The store a run uses: the city's ``registry_db`` (env first), else DEFAULT_DB."""
    if city is not None:
        configured = city.data_path("registry_db")
        if configured:
            return Path(configured)
    env = os.environ.get("CAMREG_REGISTRY_DB", "").strip()
    return Path(env).expanduser() if env else DEFAULT_DB


def describe_changes(changes: str | dict | None, hide: Iterable[str] = ()) -> str:
    """``{"tier": {"old": "registered", "new": "integrated"}}`` -> readable text.

    Fields in ``hide`` are named but their values are not shown.

    >>> describe_changes('{"tier": {"old": "registered", "new": "integrated"}}')
    'tier: registered -> integrated'
    >>> describe_changes({"owner_name": {"old": None, "new": "Ann"}}, ["owner_name"])
    'owner_name: (hidden)'
    """
    if changes is None or (isinstance(changes, float) and math.isnan(changes)):
        return ""
    if isinstance(changes, str):
        changes = json.loads(changes) if changes else {}
    hidden = set(hide)
    parts = []
    for name, change in changes.items():
        if name in hidden:
            parts.append(f"{name}: (hidden)")
            continue
        old, new = change.get("old"), change.get("new")
        parts.append(
            f"{name}: {'-' if old is None else old} -> {'-' if new is None else new}"
        )
    return "; ".join(parts)


class RegistryStore:
    """Camera registry with an append-only audit log, in an SQLite file.

    Parameters
    ----------
    path
        Database file; created (with its folder) on first use. Each call opens
        its own short connection, so one store object can be shared between
        Streamlit sessions.

    Raises
    ------
    StoreError
        ``path`` is not a registry database (another file, or a newer schema).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        if str(path) == ":memory:":
            raise StoreError(
                "`path` was ':memory:' but the store opens one connection per call; "
                "give a file path (a temporary file in tests)"
            )
        if self.path.is_dir():
            raise StoreError(
                f"registry store {str(self.path)!r} is a folder; expected a "
                "database file path such as data/registry.sqlite"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._ensure_schema()

    def __repr__(self) -> str:
        return f"RegistryStore({str(self.path)!r})"

    # --- connections --------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open registry store {str(self.path)!r}: {exc}"
            ) from exc
        with closing(con):
            try:
                yield con
            except sqlite3.DatabaseError as exc:
                if "not a database" in str(exc) or "malformed" in str(exc):
                    raise StoreError(
                        f"{str(self.path)!r} is not a registry database ({exc}); "
                        "point --db / CAMREG_REGISTRY_DB at a registry file or a "
                        "new path"
                    ) from exc
                raise

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One explicit transaction: commit on success, roll back on anything."""
        with self._connect() as con:
            con.execute(BEGIN_WRITE)
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _ensure_schema(self) -> None:
        with self._connect() as con:
            tables = {
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            if "schema_info" in tables:
                row = con.execute(
                    "SELECT value FROM schema_info WHERE key = 'version'"
                ).fetchone()
                version = int(row[0]) if row else 0
                if version != SCHEMA_VERSION:
                    raise StoreError(
                        f"registry store {str(self.path)!r} has schema version "
                        f"{version} but this code reads version {SCHEMA_VERSION}"
                    )
                return
            if tables:
                raise StoreError(
                    f"{str(self.path)!r} is a database with tables {sorted(tables)} "
                    "but not a camera registry; choose another path"
                )
        with self._transaction() as con:
            # another process may have created it while we waited for the lock
            exists = con.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'schema_info'"
            ).fetchone()
            if exists:
                return
            for statement in SCHEMA_SQL:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_info (key, value) VALUES ('version', ?)",
                (str(SCHEMA_VERSION),),
            )

    # --- writing ------------------------------------------------------------------
    def import_cameras(
        self,
        cameras: pd.DataFrame,
        *,
        source: str,
        user: str,
        reason: str = "",
    ) -> ImportSummary:
        """Upsert validated camera rows by ``camera_id`` in one transaction.

        Parameters
        ----------
        cameras
            Canonical camera frame (``LoadResult.accepted``); extra columns and
            geometry are ignored, ``latitude``/``longitude`` are stored.
        source
            Name of the file the rows came from, recorded with every change.
        user
            Who ran the import.
        reason
            Why (optional); defaults to "import of <source>".

        Returns
        -------
        ImportSummary
            Counts of inserted, updated, unchanged and withdrawn rows, and the
            withdrawn cameras the import would have reactivated.

        Raises
        ------
        StoreError
            Required columns missing, duplicate or empty ids, values outside the
            schema. Nothing is written then, nor when anything fails midway.
        """
        user = _required_text(user, "user")
        source = _required_text(source, "source")
        _validate_frame(cameras)
        columns = [c for c in STORED_FIELDS if c in cameras.columns]
        has_withdrawn_at = "withdrawn_at" in cameras.columns
        frame = pd.DataFrame(cameras)[
            columns + (["withdrawn_at"] if has_withdrawn_at else [])
        ]
        now = _utc_now()
        today = now[:10]
        reason = reason or f"import of {source}"
        counts = Counter()
        fields_changed: Counter[str] = Counter()
        kept: list[str] = []
        with self._transaction() as con:
            existing = {
                r[0]: dict(zip(STORED_FIELDS, r, strict=True))
                for r in con.execute(f"SELECT {', '.join(STORED_FIELDS)} FROM cameras")
            }
            import_id = _next_id(con, "import_id")
            event_id = _next_id(con, "event_id")
            # a withdrawn camera under another spelling of its id, or under a new
            # id at the same place with the same owner, stays withdrawn
            withdrawn_twin = CameraMatcher(
                r for r in existing.values() if r["status"] == "withdrawn"
            )
            for row in frame.to_dict("records"):
                record = _row_record(row)
                old = existing.get(record["camera_id"])
                twin = withdrawn_twin.find(record) if old is None else None
                if twin is not None:
                    kept.append(
                        f"{record['camera_id']} (= {twin.camera_id}, same {twin.how})"
                    )
                    counts["unchanged"] += 1
                    continue
                withdrawn_on = (
                    _iso_date(row.get("withdrawn_at")) if has_withdrawn_at else None
                ) or today
                if old is None:
                    changes = {
                        k: {"old": None, "new": v}
                        for k, v in record.items()
                        if v is not None and k != "camera_id"
                    }
                    if record["status"] == "withdrawn":
                        changes["withdrawn_at"] = {"old": None, "new": withdrawn_on}
                    _insert_camera(con, record, now)
                    action = "insert"
                    counts["inserted"] += 1
                elif old["status"] == "withdrawn":
                    if record["status"] == "active":
                        kept.append(record["camera_id"])
                    counts["unchanged"] += 1
                    continue
                else:
                    changes = {
                        k: {"old": old[k], "new": record[k]}
                        for k in COMPARED_FIELDS
                        if k in row and record[k] != old[k]
                    }
                    action = "update"
                    if record["status"] == "withdrawn":
                        changes["status"] = {"old": "active", "new": "withdrawn"}
                        changes["withdrawn_at"] = {"old": None, "new": withdrawn_on}
                        action = "withdraw"
                        counts["withdrawn"] += 1
                    elif changes:
                        counts["updated"] += 1
                    if not changes:
                        counts["unchanged"] += 1
                        continue
                    fields_changed.update(
                        k for k in changes if k not in ("status", "withdrawn_at")
                    )
                    _update_camera(con, record, [*changes, "source"], now)
                _append_audit(
                    con,
                    event_id,
                    now,
                    action,
                    camera_id=record["camera_id"],
                    changes=changes,
                    import_id=import_id,
                    source=source,
                    user=user,
                    reason=reason,
                )
                event_id += 1
            summary = ImportSummary(
                import_id=import_id,
                source=source,
                user=user,
                recorded_at=now,
                rows=len(frame),
                inserted=counts["inserted"],
                updated=counts["updated"],
                unchanged=counts["unchanged"],
                withdrawn=counts["withdrawn"],
                kept_withdrawn=tuple(kept),
                fields_changed=dict(sorted(fields_changed.items())),
            )
            details = summary.as_dict()
            for key in ("import_id", "source", "user", "recorded_at"):
                details.pop(key)
            _append_audit(
                con,
                event_id,
                now,
                "import",
                import_id=import_id,
                source=source,
                user=user,
                reason=reason,
                details=details,
            )
        return summary

    def import_file(
        self,
        path: str | os.PathLike[str] | bytes,
        city: CityConfig,
        *,
        user: str,
        name: str | None = None,
        reason: str = "",
    ) -> tuple[LoadResult, ImportSummary]:
        """Validate a registry export with the loaders, then import what passed.

        ``path`` may also be bytes or a binary file object (an upload) with
        ``name`` giving its file name. Quarantined rows are not imported; they
        are in the returned ``LoadResult``.

        Raises
        ------
        analytics.loaders.LoadError
            The file cannot be used at all (nothing is written).
        """
        from analytics.loaders import load_cameras

        result = load_cameras(path, city, name=name)
        source = name or (
            Path(path).name if isinstance(path, str | os.PathLike) else "upload"
        )
        summary = self.import_cameras(
            result.accepted, source=source, user=user, reason=reason
        )
        return result, summary

    def withdraw(
        self,
        camera_id: str,
        *,
        reason: str,
        user: str,
        at: date | str | None = None,
    ) -> int:
        """Mark a camera withdrawn (kept for the record); returns the audit event id.

        Parameters
        ----------
        camera_id
            The camera whose owner withdrew consent.
        reason
            Why, in words (required).
        user
            Who recorded it.
        at
            Date consent was withdrawn (``date`` or ``YYYY-MM-DD``); today (UTC)
            by default. Not before the camera's registration date.

        Raises
        ------
        StoreError
            Unknown camera, already withdrawn, empty reason, or a bad date.
        """
        reason = _required_text(reason, "reason")
        user = _required_text(user, "user")
        now = _utc_now()
        on = _iso_date(at) if at is not None else now[:10]
        if on is None:
            raise StoreError(f"`at` was {at!r} but is expected to be a YYYY-MM-DD date")
        if on > now[:10]:  # a future date would keep the camera active until then
            raise StoreError(
                f"withdrawal date {on} is in the future (today is {now[:10]} UTC): "
                "consent is withdrawn when the owner asks, so record it on or "
                "before today"
            )
        with self._transaction() as con:
            row = _camera_row(con, camera_id)
            if row["status"] == "withdrawn":
                raise StoreError(
                    f"camera {camera_id!r} is already withdrawn "
                    f"(since {self._withdrawn_dates(con).get(camera_id, '?')})"
                )
            if on < row["registered_at"]:
                raise StoreError(
                    f"withdrawal date {on} is before camera {camera_id!r} was "
                    f"registered ({row['registered_at']})"
                )
            return _set_status(
                con, camera_id, "withdrawn", (None, on), now, user=user, reason=reason
            )

    def reactivate(self, camera_id: str, *, reason: str, user: str) -> int:
        """Make a withdrawn camera active again after its owner re-registered.

        The only way back from a withdrawal; imports never do it. Returns the
        audit event id.
        """
        reason = _required_text(reason, "reason")
        user = _required_text(user, "user")
        now = _utc_now()
        with self._transaction() as con:
            row = _camera_row(con, camera_id)
            if row["status"] != "withdrawn":
                raise StoreError(f"camera {camera_id!r} is active, not withdrawn")
            since = self._withdrawn_dates(con).get(camera_id)
            return _set_status(
                con, camera_id, "active", (since, None), now, user=user, reason=reason
            )

    def log_event(
        self, action: str, *, user: str, details: dict, reason: str = ""
    ) -> int:
        """Append a non-camera event (e.g. a canvass list) to the audit log.

        >>> store.log_event("canvass", user="det. smith", reason="case 2025-001234",
        ...                 details={"lat": 34.74, "lon": -92.33, "radius_m": 150})

        Returns the event id. ``details`` must be a dict; dates and numpy
        numbers are written as ISO text and plain numbers.
        """
        action = _required_text(action, "action")
        if action in CAMERA_ACTIONS:
            raise StoreError(
                f"`action` was {action!r} but camera actions {CAMERA_ACTIONS} are "
                "written by the store itself; name the event (e.g. 'canvass')"
            )
        user = _required_text(user, "user")
        if not isinstance(details, dict):
            raise StoreError(
                f"`details` was {type(details).__name__} but is expected to be a dict"
            )
        now = _utc_now()
        with self._transaction() as con:
            event_id = _next_id(con, "event_id")
            _append_audit(
                con,
                event_id,
                now,
                action,
                user=user,
                reason=str(reason or ""),
                details=details,
            )
        return event_id

    # --- reading ------------------------------------------------------------------
    def cameras(self, include_withdrawn: bool = True) -> gpd.GeoDataFrame:
        """All cameras as the canonical GeoDataFrame (EPSG:4326).

        Columns follow ``CAMERA_COLUMNS`` plus ``geometry``; ``withdrawn_at`` comes
        from the audit log. ``include_withdrawn=False`` keeps active cameras only.
        """
        with self._connect() as con:
            query = f"SELECT {', '.join(STORED_FIELDS)} FROM cameras"
            if not include_withdrawn:
                query += " WHERE status = 'active'"
            rows = con.execute(query + " ORDER BY camera_id").fetchall()
            withdrawn = self._withdrawn_dates(con) if include_withdrawn else {}
        return _camera_frame(rows, withdrawn)

    def history(self, camera_id: str) -> pd.DataFrame:
        """Every audit row about one camera, oldest first (empty if none).

        Columns are ``AUDIT_COLUMNS`` plus ``summary`` (readable changes).
        """
        with self._connect() as con:
            rows = con.execute(
                f"{_AUDIT_SELECT} WHERE camera_id = ? ORDER BY event_id",
                (str(camera_id),),
            ).fetchall()
        return _audit_frame(rows)

    def audit_log(
        self,
        action: str | Sequence[str] | None = None,
        limit: int | None = None,
        *,
        camera_id: str | None = None,
    ) -> pd.DataFrame:
        """Audit rows, newest first; filter by action(s) and/or camera id.

        ``limit`` keeps the newest ``limit`` rows.
        """
        where, params = [], []
        if action is not None:
            actions = [action] if isinstance(action, str) else list(action)
            where.append(f"action IN ({', '.join('?' for _ in actions)})")
            params.extend(actions)
        if camera_id is not None:
            where.append("camera_id = ?")
            params.append(str(camera_id))
        query = _AUDIT_SELECT
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY event_id DESC"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise StoreError(
                    f"`limit` was {limit!r} but is expected to be an integer >= 0"
                )
            query += " LIMIT ?"
            params.append(limit)
        with self._connect() as con:
            rows = con.execute(query, params).fetchall()
        return _audit_frame(rows)

    def has_camera(self, camera_id: str) -> bool:
        with self._connect() as con:
            return (
                con.execute(
                    "SELECT 1 FROM cameras WHERE camera_id = ?", (str(camera_id),)
                ).fetchone()
                is not None
            )

    def camera_record(self, camera_id: str) -> dict[str, Any] | None:
        """The stored fields of one camera (plus ``withdrawn_at``), or None."""
        with self._connect() as con:
            row = con.execute(
                f"SELECT {', '.join(STORED_FIELDS)} FROM cameras WHERE camera_id = ?",
                (str(camera_id),),
            ).fetchone()
            if row is None:
                return None
            record = dict(zip(STORED_FIELDS, row, strict=True))
            record["withdrawn_at"] = (
                self._withdrawn_dates(con).get(record["camera_id"])
                if record["status"] == "withdrawn"
                else None
            )
        return record

    def audit_table(
        self,
        audience: str,
        *,
        camera_id: str | None = None,
        action: str | Sequence[str] | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """The audit log as one audience may read it, newest first.

        Columns ``AUDIT_TABLE_COLUMNS``: the JSON ``changes`` become a readable
        ``what`` in which owner contacts are hidden from everyone but
        investigators, and the coordinates and address of cameras the audience
        may not see exactly (``analytics.privacy.EXACT_OWNER_TYPES``) are hidden
        too. Non-camera events show their ``details``.
        """
        from analytics.privacy import (
            EXACT_OWNER_TYPES,
            redact_event_details,
            validate_audience,
        )

        validate_audience(audience)
        log = self.audit_log(action=action, limit=limit, camera_id=camera_id)
        with self._connect() as con:
            owners = dict(con.execute("SELECT camera_id, owner_type FROM cameras"))
        exact = set(EXACT_OWNER_TYPES[audience])
        contacts = () if audience == "investigator" else CONTACT_COLUMNS
        place = ("latitude", "longitude", "address")
        what = []
        for cid, changes, details in zip(
            log["camera_id"], log["changes"], log["details"], strict=True
        ):
            if isinstance(changes, str):
                hide = [*contacts, *(place if owners.get(cid) not in exact else ())]
                what.append(describe_changes(changes, hide))
            else:
                shown = redact_event_details(details, owners, audience)
                what.append(shown if isinstance(shown, str) else "")
        log["what"] = what
        return log[list(AUDIT_TABLE_COLUMNS)]

    def actions(self) -> list[str]:
        """Distinct actions present in the audit log, alphabetical."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT DISTINCT action FROM audit_log ORDER BY action"
            ).fetchall()
        return [r[0] for r in rows]

    def counts(self) -> dict[str, int]:
        """Registrations by status: ``{"active": n, "withdrawn": m}``."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT status, COUNT(*) FROM cameras GROUP BY status"
            ).fetchall()
        out = dict.fromkeys(STATUSES, 0)
        out.update({status: int(n) for status, n in rows})
        return out

    @staticmethod
    def _withdrawn_dates(con: sqlite3.Connection) -> dict[str, str]:
        """camera_id -> withdrawal date, from the latest audit row that set one."""
        out: dict[str, str] = {}
        for camera_id, changes in con.execute(
            "SELECT camera_id, changes FROM audit_log "
            "WHERE camera_id IS NOT NULL AND changes LIKE '%\"withdrawn_at\"%' "
            "ORDER BY event_id"
        ):
            new = json.loads(changes).get("withdrawn_at", {}).get("new")
            if new:
                out[camera_id] = new
            else:
                out.pop(camera_id, None)
        return out


# --- helpers -----------------------------------------------------------------------
_AUDIT_SELECT = (
    "SELECT event_id, recorded_at, action, camera_id, changes, import_id, source, "
    "user_name, reason, details FROM audit_log"
)


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _required_text(value: Any, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise StoreError(f"`{name}` was {value!r} but a non-empty text is required")
    return text


def _next_id(con: sqlite3.Connection, column: str) -> int:
    # ids assigned here, inside the write transaction, rather than by an
    # SQLite-only AUTOINCREMENT or a PostgreSQL-only sequence
    (top,) = con.execute(f"SELECT MAX({column}) FROM audit_log").fetchone()
    return int(top or 0) + 1


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


def _iso_date(value: Any) -> str | None:
    """Date-like -> ``YYYY-MM-DD``, None if missing; StoreError if unreadable."""
    if _missing(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date().isoformat()
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError as exc:
        raise StoreError(
            f"date was {value!r} but is expected to be a date or YYYY-MM-DD"
        ) from exc


def _row_record(row: dict[str, Any]) -> dict[str, Any]:
    """One frame row -> SQL values for the stored fields present in the row."""
    out: dict[str, Any] = {}
    for name in STORED_FIELDS:
        if name not in row:
            continue
        value = row[name]
        if _missing(value):
            out[name] = None
        elif name in TEXT_FIELDS:
            out[name] = str(value)
        elif name in REAL_FIELDS:
            out[name] = float(value)
        elif name in INTEGER_FIELDS:
            out[name] = int(value)
        else:
            out[name] = _iso_date(value)
    return out


def _insert_camera(con: sqlite3.Connection, record: dict[str, Any], now: str) -> None:
    names = [*record, "updated_at"]
    con.execute(
        f"INSERT INTO cameras ({', '.join(names)}) "
        f"VALUES ({', '.join('?' for _ in names)})",
        [*record.values(), now],
    )


def _set_status(
    con: sqlite3.Connection,
    camera_id: str,
    status: str,
    withdrawn_at: tuple[str | None, str | None],
    now: str,
    *,
    user: str,
    reason: str,
) -> int:
    """Flip a camera between active and withdrawn and log it; the event id."""
    old = "active" if status == "withdrawn" else "withdrawn"
    _update_camera(con, {"camera_id": camera_id, "status": status}, ["status"], now)
    event_id = _next_id(con, "event_id")
    _append_audit(
        con,
        event_id,
        now,
        "withdraw" if status == "withdrawn" else "reactivate",
        camera_id=camera_id,
        changes={
            "status": {"old": old, "new": status},
            "withdrawn_at": {"old": withdrawn_at[0], "new": withdrawn_at[1]},
        },
        user=user,
        reason=reason,
    )
    return event_id


def _update_camera(
    con: sqlite3.Connection, record: dict[str, Any], names: Iterable[str], now: str
) -> None:
    names = [n for n in names if n in record and n in STORED_FIELDS]
    assignments = ", ".join(f"{n} = ?" for n in [*names, "updated_at"])
    con.execute(
        f"UPDATE cameras SET {assignments} WHERE camera_id = ?",
        [*(record[n] for n in names), now, record["camera_id"]],
    )


def _camera_row(con: sqlite3.Connection, camera_id: str) -> dict[str, Any]:
    row = con.execute(
        "SELECT camera_id, status, registered_at FROM cameras WHERE camera_id = ?",
        (str(camera_id),),
    ).fetchone()
    if row is None:
        raise StoreError(f"camera {camera_id!r} is not in the registry")
    return dict(zip(("camera_id", "status", "registered_at"), row, strict=True))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(
        f"audit details value {value!r} of type {type(value).__name__} is not "
        "JSON-serialisable; pass text, numbers, dates, lists or dicts"
    )


def _dumps(value: dict | None) -> str | None:
    if value is None:
        return None
    try:
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    except TypeError as exc:
        raise StoreError(str(exc)) from exc


def _append_audit(
    con: sqlite3.Connection,
    event_id: int,
    now: str,
    action: str,
    *,
    user: str,
    reason: str,
    camera_id: str | None = None,
    changes: dict | None = None,
    import_id: int | None = None,
    source: str | None = None,
    details: dict | None = None,
) -> None:
    con.execute(
        "INSERT INTO audit_log (event_id, recorded_at, action, camera_id, changes, "
        "import_id, source, user_name, reason, details) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event_id,
            now,
            action,
            camera_id,
            _dumps(changes),
            import_id,
            source,
            user,
            reason,
            _dumps(details),
        ),
    )


def _validate_frame(frame: pd.DataFrame) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise StoreError(
            f"`cameras` was {type(frame).__name__} but is expected to be a "
            "(Geo)DataFrame with the canonical camera columns"
        )
    missing = [c for c in CAMERA_REQUIRED if c not in frame.columns]
    if missing:
        raise StoreError(
            f"camera frame lacks required columns {missing}; expected "
            f"{list(CAMERA_REQUIRED)} (validate files with analytics.loaders first)"
        )
    ids = frame["camera_id"]
    empty = ids.isna() | (ids.astype(str).str.strip() == "")
    if empty.any():
        raise StoreError(
            f"{int(empty.sum())} row(s) have no camera_id; every camera needs one"
        )
    dup = ids.astype(str)[ids.astype(str).duplicated()].unique().tolist()
    if dup:
        raise StoreError(
            f"camera_id values {dup[:5]} appear more than once in the import; "
            "each camera must appear once"
        )
    for name, allowed in (
        ("tier", TIERS),
        ("owner_type", OWNER_TYPES),
        ("status", STATUSES),
    ):
        bad = sorted(set(frame[name].dropna().astype(str)) - set(allowed))
        if bad or frame[name].isna().any():
            shown = bad[:5] if bad else [None]
            raise StoreError(
                f"`{name}` was {shown} but is expected to be in {list(allowed)}"
            )
    for name in ("latitude", "longitude"):
        values = pd.to_numeric(frame[name], errors="coerce")
        if values.isna().any() or not np.isfinite(values.to_numpy(float)).all():
            raise StoreError(f"`{name}` has missing or non-numeric values")
    count = pd.to_numeric(frame["camera_count"], errors="coerce")
    if count.isna().any() or (count < 1).any():
        raise StoreError("`camera_count` must be an integer >= 1 on every row")
    if frame["registered_at"].isna().any():
        raise StoreError("`registered_at` is missing on some rows")


def _dates(values: Sequence[Any]) -> pd.Series:
    return pd.Series(
        [None if _missing(v) else date.fromisoformat(v) for v in values], dtype=object
    )


def _camera_frame(rows: list[tuple], withdrawn: dict[str, str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(STORED_FIELDS))
    for name in REAL_FIELDS:
        frame[name] = frame[name].astype(float)
    frame["camera_count"] = frame["camera_count"].astype("int64")
    frame["retention_days"] = frame["retention_days"].astype("Int64")
    for name in DATE_FIELDS:
        frame[name] = _dates(frame[name].tolist()).to_numpy()
    frame["withdrawn_at"] = _dates(
        [
            withdrawn.get(cid) if status == "withdrawn" else None
            for cid, status in zip(frame["camera_id"], frame["status"], strict=True)
        ]
    ).to_numpy()
    for name in TEXT_FIELDS:
        frame[name] = frame[name].astype("str").where(frame[name].notna(), None)
    frame = frame[list(CAMERA_COLUMNS)]
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs=WGS84,
    )


def _audit_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(AUDIT_COLUMNS))
    frame["event_id"] = frame["event_id"].astype("int64")
    frame["import_id"] = frame["import_id"].astype("Int64")
    frame["summary"] = [describe_changes(c) for c in frame["changes"]]
    return frame
