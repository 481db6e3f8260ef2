"""The registry store: cameras plus an append-only audit log in one database.

One interface, two engines (``analytics/store_db.py``): an SQLite file, the
embedded default, or PostgreSQL 15+ with PostGIS given as a ``postgresql://``
URL. The schema is versioned with Alembic migrations
(``analytics/store_migrations``): an older store is upgraded in place when it is
opened, a store newer than this code is refused.

>>> RegistryStore.init("data/registry.sqlite")          # creation is explicit
>>> store = RegistryStore("data/registry.sqlite")       # a missing file is an error
>>> plan = store.plan_import(frame)                     # preview, nothing written
>>> summary = store.import_cameras(frame, source="export.csv", user="steward")
>>> store.withdraw("CAM-000042", reason="owner request", user="steward")
>>> store.cameras(include_withdrawn=False)              # canonical GeoDataFrame

Import semantics (see ``docs/registry.md``): an import is an upsert by
``camera_id`` in ONE transaction -- it either applies completely or not at all.
What it does is worked out by the pure :func:`analytics.import_plan.plan_import`.
Cameras missing from an import are left alone. A withdrawn camera is never
reactivated by an import ("your feed, your choice"): only
:meth:`RegistryStore.reactivate`, after the owner registers again, does that.
``withdrawn_at`` is a stored column written by the same transaction as the
audit row that records the withdrawal.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from analytics import store_db
from analytics.import_plan import (
    COMPARED_FIELDS,
    DATE_FIELDS,
    REAL_FIELDS,
    STORED_FIELDS,
    TEXT_FIELDS,
    ImportPlan,
    PlanError,
    describe_changes,
    iso_date,
    missing,
    plan_import,
    validate_frame,
)
from analytics.schema import CAMERA_COLUMNS, CONTACT_COLUMNS, STATUSES, WGS84
from analytics.store_check import DamagedStoreError, check_store
from analytics.store_db import audit_log as AUDIT
from analytics.store_db import cameras as CAMERAS

if TYPE_CHECKING:
    from analytics.config import CityConfig
    from analytics.loaders import LoadResult

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_TABLE_COLUMNS",
    "CAMERA_ACTIONS",
    "COMPARED_FIELDS",
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "STORED_FIELDS",
    "ImportSummary",
    "RegistryStore",
    "StoreError",
    "camera_version",
    "default_store_path",
    "describe_changes",
]

SCHEMA_VERSION = 2  # schema_info.version written by the newest migration
MIGRATIONS_DIR = Path(__file__).resolve().parent / "store_migrations"
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "registry.sqlite"

# Audit actions written by the store itself; log_event() refuses them.
CAMERA_ACTIONS = ("insert", "update", "withdraw", "reactivate", "import", "migrate")
# The events that change what ``cameras()`` returns (``camera_version``).
CAMERA_CHANGES = ("import", "withdraw", "reactivate", "migrate")
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
READ_FIELDS = (*STORED_FIELDS, "withdrawn_at")
WRITE_CHUNK = 5_000  # rows per executemany batch
IMPORT_ATTEMPTS = 3  # a PostgreSQL connection lost mid-import: try again twice
RETRY_PAUSE_S = 1.0
EXPORT_ROLES = ("public", "staff", "investigator", "admin")
PLACE_FIELDS = ("latitude", "longitude", "address")


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


def default_store_path(city: CityConfig | None = None) -> Path | str:
    """The store a run uses: ``$CAMREG_REGISTRY_DB``, the city's ``registry_db``,
    else ``DEFAULT_DB``. A ``postgresql://`` URL is returned as text."""
    env = os.environ.get("CAMREG_REGISTRY_DB", "").strip()
    if env:
        return env if store_db.is_url(env) else Path(env).expanduser()
    if city is not None:
        configured = city.data.get("registry_db")
        if configured:
            text = str(configured)
            return text if store_db.is_url(text) else Path(configured)
    return DEFAULT_DB


def configured_store(city: CityConfig | None = None) -> Path | str | None:
    """The store a deployment configured (env or city file), or None for none."""
    env = os.environ.get("CAMREG_REGISTRY_DB", "").strip()
    if env or (city is not None and city.data.get("registry_db")):
        return default_store_path(city)
    return None


def camera_version(target: str | os.PathLike[str]) -> int | None:
    """The store's camera data version: the event id of its newest camera change.

    Every change to the cameras (import, withdrawal, reactivation, migration)
    writes an audit event in the same transaction, so this number moves exactly
    when what :meth:`RegistryStore.cameras` returns may have changed, whichever
    process made the change; looks and other events do not move it. One cheap
    query on a pooled connection (the newest matching row by primary key), for
    caches keyed on the store's content. None when there is no readable store
    at ``target`` (a missing file is not created).
    """
    text = str(target).strip()
    if not text:
        return None
    if not store_db.is_url(text):
        path = Path(text).expanduser()
        if not path.is_file() or path.stat().st_size == 0:
            return None
    query = (
        sa.select(AUDIT.c.event_id)
        .where(AUDIT.c.action.in_(CAMERA_CHANGES))
        .order_by(AUDIT.c.event_id.desc())
        .limit(1)
    )
    try:
        with store_db.read(store_db.engine_for(text)) as conn:
            return int(conn.execute(query).scalar() or 0)
    except (sa_exc.SQLAlchemyError, ValueError, OSError):
        return None


class RegistryStore:
    """Camera registry with an append-only audit log, in SQLite or PostgreSQL.

    Parameters
    ----------
    target
        An SQLite file path or a ``postgresql://user@host/db`` URL. The store
        must exist (see :meth:`init`): a mistyped path is an error, not a new
        empty registry. The one exception is the built-in default
        ``data/registry.sqlite``, created on first use for the demo.
    create
        Create the store when it does not exist yet (what ``registry init``
        does).

    Each call runs in its own short transaction on a pooled connection, so one
    store object can be shared between Streamlit sessions and threads.
    ``engine`` is the SQLAlchemy engine, for modules that keep their own tables
    in the same database (see ``docs/registry.md``).

    Raises
    ------
    StoreError
        No store at ``target``, not a registry database, a schema newer than
        this code, or the database server cannot be reached.
    """

    def __init__(self, target: str | os.PathLike[str], *, create: bool = False):
        text = str(target).strip()
        if text == ":memory:":
            raise StoreError(
                "`target` was ':memory:' but the store opens one connection per "
                "call; give a file path (a temporary file in tests)"
            )
        if not text:
            raise StoreError("`target` was '' but a file path or URL is required")
        self.is_postgres = store_db.is_url(text)
        self.path: Path | None = None if self.is_postgres else Path(text).expanduser()
        self.location = store_db.describe(text)
        self.target = text  # as given (a URL keeps its password: server side only)
        if self.path is not None:
            # the built-in demo default is made on first use; nobody typed it
            create = create or self.path.resolve() == Path(DEFAULT_DB).resolve()
            self._check_file(create)
            if self.path.exists():
                try:  # a damaged file is refused by every command
                    check_store(self.path)
                except DamagedStoreError as exc:
                    raise StoreError(str(exc)) from exc
        try:
            self.engine = store_db.engine_for(text)
        except (sa_exc.ArgumentError, ValueError) as exc:
            raise StoreError(f"registry store {self.location!r}: {exc}") from exc
        self._open(create)

    @classmethod
    def init(cls, target: str | os.PathLike[str]) -> RegistryStore:
        """Create a new, empty store at ``target`` (or open it if it exists)."""
        return cls(target, create=True)

    def __repr__(self) -> str:
        return f"RegistryStore({self.location!r})"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the store, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``"postgresql"`` or ``"sqlite"``."""
        return "postgresql" if self.is_postgres else "sqlite"

    # --- opening ------------------------------------------------------------------
    def _check_file(self, create: bool) -> None:
        path = self.path
        assert path is not None
        if path.is_dir():
            raise StoreError(
                f"registry store {str(path)!r} is a folder; expected a database "
                "file path such as data/registry.sqlite"
            )
        if path.exists():
            return
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            return
        hint = (
            f"the folder {str(path.parent)!r} does not exist either; "
            if not path.parent.is_dir()
            else ""
        )
        raise StoreError(
            f"there is no registry store at {str(path)!r}; {hint}check the path, "
            "or create a new store with `python -m analytics registry init --db "
            f"{path}`"
        )

    def _open(self, create: bool) -> None:
        try:
            with store_db.read(self.engine) as conn:
                state, detail = _schema_state(conn)
            if state == "current":
                return
            if state == "empty" and not create:
                raise StoreError(
                    f"{self.location!r} holds no camera registry yet; create one "
                    f"with `python -m analytics registry init --db {self.location}`"
                )
            self._refuse(state, detail)
            with store_db.write(self.engine) as conn:
                state, detail = _schema_state(conn)  # another process may be first
                self._refuse(state, detail)
                if state != "current":
                    _migrate(conn, state, detail)
        except sa_exc.DatabaseError as exc:
            raise self._unusable(exc) from exc

    def _refuse(self, state: str, detail: str) -> None:
        if state == "newer":
            raise StoreError(
                f"registry store {self.location!r} has schema {detail}, newer than "
                f"this code understands (up to revision {_head_revision()}); "
                "upgrade the camera registry software before opening it"
            )
        if state == "foreign":
            raise StoreError(
                f"{self.location!r} is a database with tables {detail} but not a "
                "camera registry; choose another path"
            )

    def _unusable(self, exc: Exception) -> StoreError:
        text = str(getattr(exc, "orig", exc)).strip()
        if "not a database" in text or "malformed" in text:
            return StoreError(
                f"{self.location!r} is not a registry database ({text}); point "
                "--db / CAMREG_REGISTRY_DB at a registry file"
            )
        if isinstance(exc, sa_exc.OperationalError) and self.is_postgres:
            return StoreError(
                f"cannot reach the registry database {self.location!r}: "
                f"{text.splitlines()[0] if text else exc}"
            )
        if "postgis" in text.lower():
            return StoreError(
                f"{self.location!r}: the PostGIS extension is not available "
                f"({text.splitlines()[0]}); ask the database administrator to run "
                "CREATE EXTENSION postgis in this database"
            )
        return StoreError(f"registry store {self.location!r}: {text}")

    # --- writing ------------------------------------------------------------------
    def plan_import(self, cameras: pd.DataFrame) -> ImportPlan:
        """What importing ``cameras`` would do now; nothing is written.

        Raises
        ------
        StoreError
            The rows cannot be imported (same checks as :meth:`import_cameras`).
        """
        with store_db.read(self.engine) as conn:
            stored = _stored_records(conn)
        try:
            return plan_import(stored, cameras, today=_utc_now()[:10])
        except PlanError as exc:
            raise StoreError(str(exc)) from exc

    def import_cameras(
        self,
        cameras: pd.DataFrame,
        *,
        source: str,
        user: str,
        reason: str = "",
        expected: ImportPlan | str | None = None,
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
        expected
            The plan (or its ``digest()``) the steward confirmed in a preview.
            When given, the import is refused if it would now do anything else
            (someone changed the store in between).

        Returns
        -------
        ImportSummary
            Counts of inserted, updated, unchanged and withdrawn rows, and the
            withdrawn cameras the import would have reactivated.

        Raises
        ------
        StoreError
            Required columns missing, duplicate or empty ids, values outside the
            schema, a plan that no longer matches ``expected``, or a database
            connection lost on every attempt. Nothing is written then, nor when
            anything fails midway.
        """
        user = _required_text(user, "user")
        source = _required_text(source, "source")
        try:
            validate_frame(cameras)  # before waiting for the write lock
        except PlanError as exc:
            raise StoreError(str(exc)) from exc
        reason = reason or f"import of {source}"
        want = expected.digest() if isinstance(expected, ImportPlan) else expected
        for attempt in range(1, IMPORT_ATTEMPTS + 1):
            try:
                with store_db.write(self.engine) as conn:
                    return _apply_import(
                        conn,
                        cameras,
                        source=source,
                        user=user,
                        reason=reason,
                        expected=want,
                    )
            except PlanError as exc:
                raise StoreError(str(exc)) from exc
            except sa_exc.DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise self._unusable(exc) from exc
                if attempt == IMPORT_ATTEMPTS:
                    raise StoreError(
                        f"the connection to {self.location!r} was lost during the "
                        f"import, {attempt} times; nothing was applied (each "
                        "attempt was rolled back). Try again when the database "
                        "is reachable."
                    ) from exc
                time.sleep(RETRY_PAUSE_S * attempt)
        raise AssertionError("unreachable")

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

        result = load_cameras(path, city, name=name, for_store=True)
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
        try:
            on = iso_date(at) if at is not None else now[:10]
        except PlanError as exc:
            raise StoreError(str(exc)) from exc
        if on is None:
            raise StoreError(f"`at` was {at!r} but is expected to be a YYYY-MM-DD date")
        if on > now[:10]:  # a future date would keep the camera active until then
            raise StoreError(
                f"withdrawal date {on} is in the future (today is {now[:10]} UTC): "
                "consent is withdrawn when the owner asks, so record it on or "
                "before today"
            )
        with self._writing() as conn:
            row = _camera_row(conn, camera_id)
            if row["status"] == "withdrawn":
                since = row["withdrawn_at"]
                raise StoreError(
                    f"camera {camera_id!r} is already withdrawn "
                    f"(since {since.isoformat() if since else '?'})"
                )
            if on < row["registered_at"].isoformat():
                raise StoreError(
                    f"withdrawal date {on} is before camera {camera_id!r} was "
                    f"registered ({row['registered_at'].isoformat()})"
                )
            return _set_status(
                conn, camera_id, "withdrawn", (None, on), now, user=user, reason=reason
            )

    def reactivate(self, camera_id: str, *, reason: str, user: str) -> int:
        """Make a withdrawn camera active again after its owner re-registered.

        The only way back from a withdrawal; imports never do it. Returns the
        audit event id.
        """
        reason = _required_text(reason, "reason")
        user = _required_text(user, "user")
        now = _utc_now()
        with self._writing() as conn:
            row = _camera_row(conn, camera_id)
            if row["status"] != "withdrawn":
                raise StoreError(f"camera {camera_id!r} is active, not withdrawn")
            since = row["withdrawn_at"].isoformat() if row["withdrawn_at"] else None
            return _set_status(
                conn, camera_id, "active", (since, None), now, user=user, reason=reason
            )

    def log_event(
        self, action: str, *, user: str, details: dict[str, Any], reason: str = ""
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
        text = _dumps(details)
        now = _utc_now()
        with self._writing() as conn:
            event_id = _next_id(conn, AUDIT.c.event_id)
            conn.execute(
                AUDIT.insert().values(
                    event_id=event_id,
                    recorded_at=now,
                    action=action,
                    user_name=user,
                    reason=str(reason or ""),
                    details=text,
                )
            )
        return event_id

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction whose database errors become StoreError."""
        try:
            with store_db.write(self.engine) as conn:
                yield conn
        except sa_exc.DBAPIError as exc:
            raise self._unusable(exc) from exc

    # --- reading ------------------------------------------------------------------
    def cameras(self, include_withdrawn: bool = True) -> gpd.GeoDataFrame:
        """All cameras as the canonical GeoDataFrame (EPSG:4326).

        Columns follow ``CAMERA_COLUMNS`` plus ``geometry``.
        ``include_withdrawn=False`` keeps active cameras only.
        """
        query = sa.select(*(CAMERAS.c[n] for n in READ_FIELDS))
        if not include_withdrawn:
            query = query.where(CAMERAS.c.status == "active")
        with store_db.read(self.engine) as conn:
            rows = conn.execute(query.order_by(CAMERAS.c.camera_id)).all()
        return _camera_frame(rows)

    def history(self, camera_id: str) -> pd.DataFrame:
        """Every audit row about one camera, oldest first (empty if none).

        Columns are ``AUDIT_COLUMNS`` plus ``summary`` (readable changes).
        """
        query = (
            _audit_select()
            .where(AUDIT.c.camera_id == str(camera_id))
            .order_by(AUDIT.c.event_id)
        )
        with store_db.read(self.engine) as conn:
            rows = conn.execute(query).all()
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
        query = _audit_select()
        if action is not None:
            actions = [action] if isinstance(action, str) else list(action)
            query = query.where(AUDIT.c.action.in_(actions))
        if camera_id is not None:
            query = query.where(AUDIT.c.camera_id == str(camera_id))
        query = query.order_by(AUDIT.c.event_id.desc())
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise StoreError(
                    f"`limit` was {limit!r} but is expected to be an integer >= 0"
                )
            query = query.limit(limit)
        with store_db.read(self.engine) as conn:
            rows = conn.execute(query).all()
        return _audit_frame(rows)

    def has_camera(self, camera_id: str) -> bool:
        query = sa.select(CAMERAS.c.camera_id).where(
            CAMERAS.c.camera_id == str(camera_id)
        )
        with store_db.read(self.engine) as conn:
            return conn.execute(query).first() is not None

    def camera_record(self, camera_id: str) -> dict[str, Any] | None:
        """The stored fields of one camera (plus ``withdrawn_at``), or None.

        Dates are ISO text (``YYYY-MM-DD``).
        """
        query = sa.select(*(CAMERAS.c[n] for n in READ_FIELDS)).where(
            CAMERAS.c.camera_id == str(camera_id)
        )
        with store_db.read(self.engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        record = dict(zip(READ_FIELDS, row, strict=True))
        for name in DATE_FIELDS:
            if isinstance(record.get(name), date):
                record[name] = record[name].isoformat()
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
        with store_db.read(self.engine) as conn:
            query = sa.select(CAMERAS.c.camera_id, CAMERAS.c.owner_type)
            owners = dict(conn.execute(query).all())
        exact = set(EXACT_OWNER_TYPES[audience])
        contacts = () if audience == "investigator" else CONTACT_COLUMNS
        what = []
        for cid, changes, details in zip(
            log["camera_id"], log["changes"], log["details"], strict=True
        ):
            if isinstance(changes, str):
                hide = [
                    *contacts,
                    *(PLACE_FIELDS if owners.get(cid) not in exact else ()),
                ]
                what.append(describe_changes(changes, hide))
            else:
                shown = redact_event_details(details, owners, audience)
                what.append(shown if isinstance(shown, str) else "")
        log["what"] = what
        return log[list(AUDIT_TABLE_COLUMNS)]

    def actions(self) -> list[str]:
        """Distinct actions present in the audit log, alphabetical."""
        query = sa.select(AUDIT.c.action).distinct().order_by(AUDIT.c.action)
        with store_db.read(self.engine) as conn:
            return list(conn.execute(query).scalars())

    def data_version(self) -> tuple[object, ...]:
        """A cheap stamp of the registry's content: it changes whenever a camera
        row or the audit log does (``analytics.diskcache`` keys results on it).

        Rows, newest change time, newest audit event, and sums of the status,
        camera counts and coordinates (so a hand edit that keeps ``updated_at``
        still changes the stamp).
        """
        active = sa.case((CAMERAS.c.status == "active", 1), else_=0)
        cams = sa.select(
            sa.func.count(),
            sa.func.max(CAMERAS.c.updated_at),
            sa.func.sum(active),
            sa.func.sum(CAMERAS.c.camera_count),
            sa.func.sum(CAMERAS.c.latitude),
            sa.func.sum(CAMERAS.c.longitude),
        )
        audit = sa.select(sa.func.count(), sa.func.max(AUDIT.c.event_id))
        with store_db.read(self.engine) as conn:
            rows = tuple(conn.execute(cams).one())
            events = tuple(conn.execute(audit).one())
        return tuple(
            round(v, 9) if isinstance(v, float) else v for v in (*rows, *events)
        )

    def counts(self) -> dict[str, int]:
        """Registrations by status: ``{"active": n, "withdrawn": m}``."""
        query = sa.select(CAMERAS.c.status, sa.func.count()).group_by(CAMERAS.c.status)
        with store_db.read(self.engine) as conn:
            rows = conn.execute(query).all()
        out = dict.fromkeys(STATUSES, 0)
        out.update({status: int(n) for status, n in rows})
        return out

    def totals(self) -> dict[str, int]:
        """Active ``sites`` (registrations) and ``cameras`` (their camera_count),
        and ``withdrawn`` registrations: the figures the Overview shows."""
        active = CAMERAS.c.status == "active"
        query = sa.select(
            sa.func.count().filter(active),
            sa.func.coalesce(sa.func.sum(CAMERAS.c.camera_count).filter(active), 0),
            sa.func.count().filter(CAMERAS.c.status == "withdrawn"),
        )
        with store_db.read(self.engine) as conn:
            sites, cams, withdrawn = conn.execute(query).one()
        return {"sites": int(sites), "cameras": int(cams), "withdrawn": int(withdrawn)}

    def browse(
        self,
        audience: str,
        *,
        search: str = "",
        status: str | None = None,
        tier: str | None = None,
        owner_type: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> tuple[pd.DataFrame, int]:
        """One page of the store as ``audience`` may see it, and the match count.

        ``search`` matches camera ids, and addresses only of cameras whose place
        the audience may see, and owner names/contacts only for investigators:
        a search can never reveal what the table hides (a staff member cannot
        find out whether a camera is registered at a home address by typing
        it). Rows are ordered by ``camera_id``; ``page`` counts from 1.
        """
        from analytics.privacy import EXACT_OWNER_TYPES, redact_table, validate_audience

        validate_audience(audience)
        if page < 1 or page_size < 1:
            raise StoreError(f"`page` {page} and `page_size` {page_size} must be >= 1")
        where = []
        for name, value, allowed in (
            ("status", status, STATUSES),
            ("tier", tier, None),
            ("owner_type", owner_type, None),
        ):
            if value:
                if allowed is not None and value not in allowed:
                    raise StoreError(
                        f"`{name}` was {value!r} but is expected to be in {allowed}"
                    )
                where.append(CAMERAS.c[name] == value)
        words = str(search or "").strip().lower()
        if words:
            pattern = f"%{_escape_like(words)}%"

            def like(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
                return sa.func.lower(column).like(pattern, escape="\\")

            exact = EXACT_OWNER_TYPES[audience]
            terms = [like(CAMERAS.c.camera_id)]
            terms.append(
                sa.and_(CAMERAS.c.owner_type.in_(exact), like(CAMERAS.c.address))
            )
            if audience == "investigator":
                terms += [like(CAMERAS.c[n]) for n in CONTACT_COLUMNS]
            where.append(sa.or_(*terms))
        columns = [CAMERAS.c[n] for n in READ_FIELDS]
        query = sa.select(*columns).where(*where).order_by(CAMERAS.c.camera_id)
        query = query.limit(page_size).offset((page - 1) * page_size)
        count = sa.select(sa.func.count()).select_from(CAMERAS).where(*where)
        with store_db.read(self.engine) as conn:
            total = int(conn.execute(count).scalar_one())
            rows = conn.execute(query).all()
        frame = pd.DataFrame(_camera_frame(rows).drop(columns="geometry"))
        return redact_table(frame, audience).reset_index(drop=True), total

    # --- integrity and hand-over ----------------------------------------------------
    def check(self) -> list[str]:
        """Problems found by replaying the audit log; empty when all is well.

        Replays every camera event in order (``analytics.audit_replay``) and
        compares the result with each stored camera, field by field, including
        ``status`` and ``withdrawn_at``; also checks that each import has its
        summary event and that event ids have no gaps.
        """
        from analytics.audit_replay import compare_replay

        with store_db.read(self.engine) as conn:
            events = conn.execute(_audit_select().order_by(AUDIT.c.event_id)).all()
            stored = _stored_records(conn)
        return compare_replay(
            [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in events],
            {cid: _plain_record(rec) for cid, rec in stored.items()},
        )

    def export(self, out: str | os.PathLike[str], role: str) -> int:
        """Write the registry to ``out`` (``.gpkg`` or ``.csv``) for ``role``.

        ``admin`` gets a full backup: every registration, withdrawn ones
        included, with contacts. Other roles get the active cameras redacted by
        :func:`analytics.privacy.redact_table`. CSV cells are formula-safe.
        Returns the number of rows written.
        """
        from analytics.privacy import redact_table
        from analytics.safe_output import to_safe_csv

        if role not in EXPORT_ROLES:
            raise StoreError(
                f"`role` was {role!r} but is expected to be in {EXPORT_ROLES}"
            )
        out = Path(out)
        suffix = out.suffix.lower()
        if suffix not in (".gpkg", ".csv"):
            raise StoreError(
                f"export file {str(out)!r} must end in .gpkg (GeoPackage) or .csv"
            )
        frame = self.cameras(include_withdrawn=role == "admin")
        if role != "admin":
            frame = redact_table(frame, role)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.partial")
        if suffix == ".csv":
            tmp.write_bytes(to_safe_csv(pd.DataFrame(frame).drop(columns="geometry")))
        else:
            gpkg = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
            for name in DATE_FIELDS:
                gpkg[name] = (
                    pd.to_datetime(gpkg[name])
                    .dt.date.astype(str)
                    .where(gpkg[name].notna(), None)
                )
            if tmp.exists():
                tmp.unlink()
            gpkg.to_file(tmp, layer="cameras", driver="GPKG")
        tmp.replace(out)
        return len(frame)


# --- schema and migrations ----------------------------------------------------------
if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory


def _alembic_config(conn: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migration scripts, read once per process (every open consults them)."""
    from alembic.script import ScriptDirectory as Scripts

    return Scripts.from_config(_alembic_config())


def _head_revision() -> str:
    return str(_scripts().get_current_head())


def _schema_state(conn: sa.Connection) -> tuple[str, str]:
    """("current" | "old" | "legacy" | "empty" | "newer" | "foreign", detail)."""
    # PostGIS keeps its own table in public; other extensions' views do not count
    tables = set(sa.inspect(conn).get_table_names()) - {"spatial_ref_sys"}
    if "alembic_version" in tables:
        revision = conn.execute(
            sa.text("SELECT version_num FROM alembic_version")
        ).scalar()
        scripts = _scripts()
        if revision == scripts.get_current_head():
            return "current", str(revision)
        known = {s.revision for s in scripts.walk_revisions()}
        if revision in known:
            return "old", str(revision)
        return "newer", f"revision {revision!r}"
    if "schema_info" in tables:
        version = conn.execute(
            sa.text("SELECT value FROM schema_info WHERE key = 'version'")
        ).scalar()
        if str(version) == "1":
            return "legacy", "1"
        return "newer", f"version {version}"
    if tables:
        return "foreign", str(sorted(tables))
    return "empty", ""


def _migrate(conn: sa.Connection, state: str, detail: str) -> None:
    """Bring the store to the head revision inside the caller's transaction."""
    from alembic import command

    config = _alembic_config(conn)
    if state == "legacy":  # a store from before migrations: schema 1
        command.stamp(config, "0001")
        detail = "0001"
    command.upgrade(config, "head")
    if state in ("legacy", "old"):
        now = _utc_now()
        conn.execute(
            AUDIT.insert().values(
                event_id=_next_id(conn, AUDIT.c.event_id),
                recorded_at=now,
                action="migrate",
                user_name="camreg",
                reason=f"schema upgrade {detail} -> {_head_revision()}",
                details=_dumps({"from": detail, "to": _head_revision()}),
            )
        )


# --- applying an import ---------------------------------------------------------------
def _apply_import(
    conn: sa.Connection,
    cameras: pd.DataFrame,
    *,
    source: str,
    user: str,
    reason: str,
    expected: str | None,
) -> ImportSummary:
    now = _utc_now()
    plan = plan_import(_stored_records(conn), cameras, today=now[:10])
    if expected is not None and plan.digest() != expected:
        counts = plan.counts()
        raise StoreError(
            "the store changed since the preview: the import would now insert "
            f"{counts['inserted']:,}, update {counts['updated']:,} and withdraw "
            f"{counts['withdrawn']:,}; nothing was imported. Review the new "
            "preview and confirm again."
        )
    import_id = _next_id(conn, AUDIT.c.import_id)
    event_id = _next_id(conn, AUDIT.c.event_id)
    inserts, audit_rows = [], []
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in plan.changes:
        values = _sql_values(change.record)
        if change.action == "insert":
            inserts.append({**_blank_row(), **values, "updated_at": now})
        else:
            names = tuple(n for n in (*change.changes, "source") if n in values)
            updates.setdefault(names, []).append(
                {"b_camera_id": change.camera_id, "b_updated_at": now}
                | {f"b_{n}": values[n] for n in names}
            )
        audit_rows.append(
            {
                "event_id": event_id,
                "recorded_at": now,
                "action": change.action,
                "camera_id": change.camera_id,
                "changes": _dumps(change.changes),
                "import_id": import_id,
                "source": source,
                "user_name": user,
                "reason": reason,
                "details": None,
            }
        )
        event_id += 1
    _write_chunks(conn, CAMERAS.insert(), inserts)
    for names, rows in updates.items():
        statement = (
            CAMERAS.update()
            .where(CAMERAS.c.camera_id == sa.bindparam("b_camera_id"))
            .values({n: sa.bindparam(f"b_{n}") for n in (*names, "updated_at")})
        )
        _write_chunks(conn, statement, rows)
    _write_chunks(conn, AUDIT.insert(), audit_rows)
    counts = plan.counts()
    summary = ImportSummary(
        import_id=import_id,
        source=source,
        user=user,
        recorded_at=now,
        rows=counts["rows"],
        inserted=counts["inserted"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        withdrawn=counts["withdrawn"],
        kept_withdrawn=plan.kept_withdrawn,
        fields_changed=plan.fields_changed,
    )
    details = summary.as_dict()
    for key in ("import_id", "source", "user", "recorded_at"):
        details.pop(key)
    conn.execute(
        AUDIT.insert().values(
            event_id=event_id,
            recorded_at=now,
            action="import",
            import_id=import_id,
            source=source,
            user_name=user,
            reason=reason,
            details=_dumps(details),
        )
    )
    return summary


def _write_chunks(
    conn: sa.Connection, statement: sa.Executable, rows: list[dict[str, Any]]
) -> None:
    """executemany in ``WRITE_CHUNK`` batches (one transaction: the caller's)."""
    for start in range(0, len(rows), WRITE_CHUNK):
        conn.execute(statement, rows[start : start + WRITE_CHUNK])


def _blank_row() -> dict[str, Any]:
    return dict.fromkeys(READ_FIELDS)


def _sql_values(record: dict[str, Any]) -> dict[str, Any]:
    """Plain record (ISO dates) -> values for the table (date objects)."""
    out = dict(record)
    for name in DATE_FIELDS:
        if isinstance(out.get(name), str):
            out[name] = date.fromisoformat(out[name])
    return out


def _plain_record(record: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in record.items()}


def _stored_records(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    rows = conn.execute(sa.select(*(CAMERAS.c[n] for n in READ_FIELDS))).all()
    return {row[0]: dict(zip(READ_FIELDS, row, strict=True)) for row in rows}


def _set_status(
    conn: sa.Connection,
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
    new_date = withdrawn_at[1]
    conn.execute(
        CAMERAS.update()
        .where(CAMERAS.c.camera_id == camera_id)
        .values(
            status=status,
            withdrawn_at=date.fromisoformat(new_date) if new_date else None,
            updated_at=now,
        )
    )
    event_id = _next_id(conn, AUDIT.c.event_id)
    conn.execute(
        AUDIT.insert().values(
            event_id=event_id,
            recorded_at=now,
            action="withdraw" if status == "withdrawn" else "reactivate",
            camera_id=camera_id,
            changes=_dumps(
                {
                    "status": {"old": old, "new": status},
                    "withdrawn_at": {"old": withdrawn_at[0], "new": new_date},
                }
            ),
            user_name=user,
            reason=reason,
        )
    )
    return event_id


def _camera_row(conn: sa.Connection, camera_id: str) -> dict[str, Any]:
    row = conn.execute(
        sa.select(
            CAMERAS.c.camera_id,
            CAMERAS.c.status,
            CAMERAS.c.registered_at,
            CAMERAS.c.withdrawn_at,
        ).where(CAMERAS.c.camera_id == str(camera_id))
    ).first()
    if row is None:
        raise StoreError(f"camera {camera_id!r} is not in the registry")
    return dict(row._mapping)


# --- helpers -----------------------------------------------------------------------
def _audit_select() -> sa.Select[Any]:
    return sa.select(
        AUDIT.c.event_id,
        AUDIT.c.recorded_at,
        AUDIT.c.action,
        AUDIT.c.camera_id,
        AUDIT.c.changes,
        AUDIT.c.import_id,
        AUDIT.c.source,
        AUDIT.c.user_name,
        AUDIT.c.reason,
        AUDIT.c.details,
    )


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _required_text(value: Any, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise StoreError(f"`{name}` was {value!r} but a non-empty text is required")
    return text


def _next_id(conn: sa.Connection, column: sa.Column[Any]) -> int:
    # ids assigned inside the write transaction, which holds the store's write
    # lock: the same on both engines, no AUTOINCREMENT or sequence
    top = conn.execute(sa.select(sa.func.max(column))).scalar()
    return int(top or 0) + 1


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


def _dumps(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    try:
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    except TypeError as exc:
        raise StoreError(str(exc)) from exc


def _dates(values: Sequence[Any]) -> np.ndarray:
    out: list[date | None] = []
    for value in values:
        if missing(value):
            out.append(None)
        elif isinstance(value, date):
            out.append(value)
        else:
            out.append(date.fromisoformat(str(value)[:10]))
    return np.asarray(pd.Series(out, dtype=object).to_numpy())


def _camera_frame(rows: Sequence[Any]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame.from_records(
        [tuple(r) for r in rows], columns=list(READ_FIELDS)
    )
    for name in REAL_FIELDS:
        frame[name] = frame[name].astype(float)
    frame["camera_count"] = frame["camera_count"].astype("int64")
    frame["retention_days"] = frame["retention_days"].astype("Int64")
    for name in DATE_FIELDS:
        frame[name] = _dates(frame[name].tolist())
    for name in TEXT_FIELDS:
        frame[name] = frame[name].astype("str").where(frame[name].notna(), None)
    frame = frame[list(CAMERA_COLUMNS)]
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs=WGS84,
    )


def _audit_frame(rows: Sequence[Any]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(
        [tuple(r) for r in rows], columns=list(AUDIT_COLUMNS)
    )
    frame["event_id"] = frame["event_id"].astype("int64")
    frame["import_id"] = frame["import_id"].astype("Int64")
    frame["summary"] = [describe_changes(c) for c in frame["changes"]]
    return frame
